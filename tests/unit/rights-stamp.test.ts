import { describe, expect, it } from 'vitest'
import { buildRightsStamp, grantsInForceFor, type StampGrant, type StampRecipient } from '~/domain/rights-stamp'

const at = new Date('2027-03-01T12:00:00Z')
const acme: StampRecipient = { kind: 'organisation', organisationId: 'acme', name: 'Acme Agency' }
const allPartners: StampRecipient = { kind: 'all-partners' }
const asset = { id: 'asset-1', title: 'Harbour sunrise' }

function grant(overrides: Partial<StampGrant> = {}): StampGrant {
  return {
    id: 'g1',
    licenceType: 'royalty_free',
    licenceVariant: null,
    licensor: 'Getty Images',
    reference: '123',
    channels: [],
    territories: [],
    organisationIds: [],
    startsAt: null,
    expiresAt: null,
    revokedAt: null,
    timeZone: 'UTC',
    ...overrides,
  }
}

function stamp(grants: StampGrant[], recipient: StampRecipient = acme, when: Date = at) {
  return buildRightsStamp({
    asset,
    versionNumber: 3,
    owner: 'Damson Demo',
    grants,
    recipient,
    publicUrl: 'https://dam.example.com/',
    at: when,
  })
}

describe('buildRightsStamp', () => {
  it('writes the notice, the licence, the terms and the rights page', () => {
    const expiresAt = new Date('2027-12-31T22:59:00Z')
    const result = stamp([
      grant({ channels: ['web', 'print'], territories: ['DE', 'AT'], expiresAt, timeZone: 'Europe/Berlin' }),
    ])
    expect(result).toEqual({
      rights: '© Damson Demo. Royalty-free licence from Getty Images (ref. 123).',
      usageTerms:
        '"Harbour sunrise" (version 3) for Acme Agency: Web and print use in Germany and Austria, ' +
        'expires 31 December 2027 at 23:59 CET (Europe/Berlin).',
      webStatement: 'https://dam.example.com/portal/assets/asset-1#rights',
      licenseEndDate: '2027-12-31T22:59:00Z',
      marked: true,
    })
  })

  it('says "no expiry" and leaves out the end date when a grant is open-ended', () => {
    const result = stamp([
      grant({ id: 'a', expiresAt: new Date('2027-06-01T00:00:00Z') }),
      grant({ id: 'b', licenceType: 'rights_managed', licensor: 'Studio North', reference: '' }),
    ])
    expect(result.licenseEndDate).toBeUndefined()
    expect(result.usageTerms).toContain('Any use worldwide, no expiry.')
    expect(result.rights).toBe(
      '© Damson Demo. Royalty-free licence from Getty Images (ref. 123). Rights-managed licence from Studio North.',
    )
  })

  it('gives the earliest end when every grant ends, counting a scheduled revocation as an end', () => {
    const result = stamp([
      grant({ id: 'a', expiresAt: new Date('2027-09-01T00:00:00Z') }),
      grant({ id: 'b', expiresAt: new Date('2028-01-01T00:00:00Z'), revokedAt: new Date('2027-07-15T10:30:00.500Z') }),
    ])
    expect(result.licenseEndDate).toBe('2027-07-15T10:30:00Z')
    expect(result.usageTerms).toContain('expires 15 July 2027 at 10:30 UTC.')
  })

  it('states an embargo still ahead, in the zone the dates were entered in', () => {
    const startsAt = new Date('2027-05-05T08:00:00Z')
    const result = stamp([grant({ channels: ['social'], territories: ['FR'], startsAt, timeZone: 'Europe/Paris' })])
    expect(result.usageTerms).toBe(
      '"Harbour sunrise" (version 3) for Acme Agency: Social use in France, ' +
        'embargoed until 5 May 2027 at 10:00 CEST (Europe/Paris), no expiry.',
    )
    // Once the embargo has passed it is no longer part of the terms.
    expect(stamp([grant({ startsAt })], acme, new Date('2027-06-01T00:00:00Z')).usageTerms).not.toContain('embargoed')
  })

  it('names territories, treats WW as worldwide and keeps unknown codes as written', () => {
    expect(stamp([grant({ territories: ['GB', 'JP'] })]).usageTerms).toContain('Any use in United Kingdom and Japan')
    expect(stamp([grant({ territories: ['WW', 'DE'] })]).usageTerms).toContain('Any use worldwide')
    expect(stamp([grant({ territories: ['Q1'] })]).usageTerms).toContain('Any use in Q1')
  })

  it('lists three or more channels with commas and marks editorial-only licences', () => {
    const result = stamp([grant({ licenceType: 'editorial_only', channels: ['web', 'print', 'social', 'web'] })])
    expect(result.usageTerms).toContain('Web, print and social use worldwide, editorial use only, no expiry.')
    expect(result.rights).toBe('© Damson Demo. Editorial-only licence from Getty Images (ref. 123).')
  })

  it('names a Creative Commons variant and leaves brand-owned material at the notice', () => {
    const cc = stamp([grant({ licenceType: 'creative_commons', licenceVariant: 'CC BY-SA 4.0', licensor: 'Jane Doe', reference: '' })])
    expect(cc.rights).toBe('© Damson Demo. CC BY-SA 4.0 licence from Jane Doe.')
    const owned = stamp([grant({ licenceType: 'owned', licensor: '', reference: '' })])
    expect(owned.rights).toBe('© Damson Demo.')
    expect(owned.usageTerms).toBe('"Harbour sunrise" (version 3) for Acme Agency: Any use worldwide, no expiry.')
  })

  it('describes an asset without grants as unrestricted brand material', () => {
    const result = stamp([])
    expect(result.rights).toBe('© Damson Demo.')
    expect(result.usageTerms).toBe('"Harbour sunrise" (version 3) for Acme Agency: No usage restrictions are recorded; no expiry.')
    expect(result.licenseEndDate).toBeUndefined()
    expect(result.marked).toBe(true)
  })

  it('for partners in general, describes only grants open to every organisation', () => {
    const grants = [
      grant({ id: 'everyone', channels: ['web'] }),
      grant({ id: 'acme-only', channels: ['print'], organisationIds: ['acme'], licensor: 'Acme Licensing', reference: '' }),
    ]
    const general = stamp(grants, allPartners)
    expect(general.usageTerms).toBe('"Harbour sunrise" (version 3) for all partners: Web use worldwide, no expiry.')
    expect(general.rights).not.toContain('Acme Licensing')
    expect(stamp(grants, acme).usageTerms).toContain('Print use worldwide')

    const onlyForAcme = stamp([grants[1]!], allPartners)
    expect(onlyForAcme.usageTerms).toBe(
      '"Harbour sunrise" (version 3) for all partners: No licence in force covers this recipient; ask Damson Demo before any use.',
    )
    expect(onlyForAcme.rights).toBe('© Damson Demo.')
    expect(onlyForAcme.licenseEndDate).toBeUndefined()
  })

  it('does not depend on the order the grants arrive in', () => {
    const a = grant({ id: 'a', channels: ['web'], expiresAt: new Date('2027-09-01T00:00:00Z') })
    const b = grant({ id: 'b', channels: ['print'], licensor: 'Studio North' })
    const c = grant({ id: 'c', channels: ['social'], startsAt: new Date('2027-04-01T00:00:00Z') })
    expect(stamp([c, b, a])).toEqual(stamp([a, b, c]))
  })

  it('escapes the asset id in the rights page link', () => {
    const result = buildRightsStamp({
      asset: { id: 'a b/c', title: 'T' },
      versionNumber: 1,
      owner: 'O',
      grants: [],
      recipient: acme,
      publicUrl: 'http://localhost:3000',
      at,
    })
    expect(result.webStatement).toBe('http://localhost:3000/portal/assets/a%20b%2Fc#rights')
  })
})

describe('grantsInForceFor', () => {
  it('drops ended, revoked and other organisations’ grants, keeps embargoed ones', () => {
    const grants = [
      grant({ id: 'open' }),
      grant({ id: 'expired', expiresAt: at }),
      grant({ id: 'revoked', revokedAt: new Date(at.getTime() - 1) }),
      grant({ id: 'revoked-later', revokedAt: new Date(at.getTime() + 1) }),
      grant({ id: 'embargoed', startsAt: new Date('2027-04-01T00:00:00Z') }),
      grant({ id: 'globex', organisationIds: ['globex'] }),
      grant({ id: 'acme', organisationIds: ['acme', 'globex'] }),
    ]
    expect(grantsInForceFor(grants, acme, at).map((g) => g.id).sort()).toEqual(
      ['acme', 'embargoed', 'open', 'revoked-later'].sort(),
    )
    expect(grantsInForceFor(grants, allPartners, at).map((g) => g.id).sort()).toEqual(['embargoed', 'open', 'revoked-later'].sort())
  })
})
