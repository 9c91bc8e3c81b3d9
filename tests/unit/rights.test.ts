import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  WORLDWIDE,
  channelsLostAt,
  evaluateChannel,
  evaluateUse,
  expiryWarningAt,
  grantState,
  nextRightsChange,
  permittedUses,
  rightsChangePoints,
  unspecifiedUseWindow,
  evaluateBrowsing,
  usableInterval,
  usesLostAt,
  type DeclaredUse,
  type IntendedUse,
  type RightsGrantTerms,
  type RightsNames,
} from '~/domain/rights'
import { grantTerms as defaultGrantTerms } from '../support/rights-grant-terms'

const at = new Date('2027-03-01T12:00:00Z')

const grant = defaultGrantTerms

const organisationNames: Record<string, string> = { acme: 'Acme Agency', beta: 'Beta Press' }
const channelLabels: Record<string, string> = { out_of_home: 'out-of-home advertising', social: 'social media' }
const names: RightsNames = { organisation: (id) => organisationNames[id], channel: (key) => channelLabels[key] }

describe('evaluateUse', () => {
  it('allows an asset with no grants (brand-owned, unrestricted)', () => {
    expect(evaluateUse([], { at, organisationId: 'acme' })).toEqual({
      allowed: true,
      reason: 'No usage restrictions are recorded for this asset',
      grantIds: [],
      until: null,
    })
  })

  it('allows inside the window and refuses at the exact expiry instant', () => {
    const expiresAt = new Date('2027-03-01T12:00:00Z')
    const grants = [grant({ expiresAt })]
    expect(evaluateUse(grants, { at: new Date(expiresAt.getTime() - 1), organisationId: 'acme' }).allowed).toBe(true)
    const verdict = evaluateUse(grants, { at: expiresAt, organisationId: 'acme' })
    expect(verdict).toEqual({ allowed: false, reason: 'Licence expired on 1 March 2027', refusal: 'expired', grantId: 'g1' })
  })

  it('explains an embargo in the grant time zone', () => {
    const startsAt = new Date('2027-05-05T08:00:00Z')
    const verdict = evaluateUse([grant({ startsAt, timeZone: 'Europe/Paris' })], { at, organisationId: null })
    expect(verdict.allowed).toBe(false)
    expect(verdict.reason).toBe('Embargoed until 10:00 CEST on 5 May 2027')
  })

  it('refuses organisations, channels and territories outside the grant, with a reason', () => {
    const grants = [grant({ organisationIds: ['acme'], channels: ['web'], territories: ['GB', 'DE'] })]
    expect(evaluateUse(grants, { at, organisationId: 'other' })).toEqual({
      allowed: false,
      reason: 'Not licensed for your organisation',
      refusal: 'organisation',
    })
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'print' }).reason).toBe('Not licensed for print')
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: 'JP' })).toEqual({
      allowed: false,
      reason: 'Not licensed in Japan',
      refusal: 'territory',
    })
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: 'de' }).allowed).toBe(true)
  })

  it('does not let a grant limited to some channels or territories cover an undeclared use', () => {
    const printInGermany = [grant({ channels: ['print'], territories: ['DE'] })]
    expect(evaluateUse(printInGermany, { at, organisationId: 'acme' })).toEqual({
      allowed: false,
      reason: 'Licensed only for print',
      refusal: 'channel',
    })
    expect(evaluateUse(printInGermany, { at, organisationId: 'acme', channel: 'print' })).toEqual({
      allowed: false,
      reason: 'Licensed only in Germany',
      refusal: 'territory',
    })
    expect(evaluateUse(printInGermany, { at, organisationId: 'acme', channel: 'print', territory: 'DE' }).allowed).toBe(true)
    const webOrSocial = [grant({ id: 'a', channels: ['web'] }), grant({ id: 'b', channels: ['social', 'web'] })]
    expect(evaluateUse(webOrSocial, { at, organisationId: 'acme' }).reason).toBe('Licensed only for web and social')
    const threeCountries = [grant({ territories: ['DE', 'FR'] }), grant({ id: 'g2', territories: ['AT', 'DE'] })]
    expect(evaluateUse(threeCountries, { at, organisationId: 'acme' }).reason).toBe('Licensed only in Germany, France and Austria')
  })

  it('treats WW as worldwide and a revoked grant as closed', () => {
    expect(evaluateUse([grant({ territories: ['WW'] })], { at, organisationId: 'a', territory: 'JP' }).allowed).toBe(true)
    expect(evaluateUse([grant({ territories: ['ww'] })], { at, organisationId: 'a' }).allowed).toBe(true)
    const revoked = evaluateUse([grant({ revokedAt: new Date(at.getTime() - 1000) })], { at, organisationId: 'a' })
    expect(revoked).toEqual({ allowed: false, reason: 'Licence revoked on 1 March 2027', refusal: 'revoked', grantId: 'g1' })
  })

  it('is the union of grants: any grant in force allows', () => {
    const expired = grant({ id: 'old', expiresAt: new Date('2026-01-01T00:00:00Z') })
    const current = grant({ id: 'new', startsAt: new Date('2026-06-01T00:00:00Z') })
    const verdict = evaluateUse([expired, current], { at, organisationId: 'acme' })
    expect(verdict).toMatchObject({ allowed: true, grantIds: ['new'] })
  })

  it('property: allowed exactly when some grant covers the instant (window-only grants)', () => {
    const instant = fc.integer({ min: 0, max: 1_000_000 })
    const window = fc.record({ from: fc.option(instant, { nil: null }), until: fc.option(instant, { nil: null }) })
    fc.assert(
      fc.property(fc.array(window, { minLength: 1, maxLength: 5 }), instant, (windows, now) => {
        const grants = windows.map((w, index) =>
          grant({
            id: `g${index}`,
            startsAt: w.from === null ? null : new Date(w.from),
            expiresAt: w.until === null ? null : new Date(w.until),
          }),
        )
        const expected = windows.some((w) => (w.from === null || now >= w.from) && (w.until === null || now < w.until))
        expect(evaluateUse(grants, { at: new Date(now), organisationId: 'acme' }).allowed).toBe(expected)
      }),
    )
  })

  it('does not promise everyone a window that only an expired all-organisation grant opened', () => {
    const expiredForAll = grant({ id: 'all', expiresAt: new Date(0) })
    const acmeOnly = grant({ id: 'acme', organisationIds: ['acme'] })
    expect(unspecifiedUseWindow([expiredForAll, acmeOnly], new Date(0))).toEqual({
      interval: { from: 0, until: Date.UTC(9999, 0, 1) },
      organisationIds: ['acme'],
    })
  })

  it('gives the index the window of use-restricted grants too (browsing partners see what they may use somehow)', () => {
    expect(unspecifiedUseWindow([grant({ channels: ['print'], territories: ['DE'] })], at)).toEqual({
      interval: { from: 0, until: Date.UTC(9999, 0, 1) },
      organisationIds: null,
    })
    expect(unspecifiedUseWindow([grant({ channels: ['print'], expiresAt: new Date(at.getTime() - 1) })], at)).toEqual({ interval: null, organisationIds: [] })
    expect(unspecifiedUseWindow([grant({ organisationIds: ['acme'] })], at).organisationIds).toEqual(['acme'])
    expect(unspecifiedUseWindow([], at).organisationIds).toBeNull()
  })

  it('property: what the index promises a browsing partner, evaluateBrowsing allows', () => {
    const instant = fc.integer({ min: 0, max: 1_000_000 })
    const terms = fc.record({
      from: fc.option(instant, { nil: null }),
      until: fc.option(instant, { nil: null }),
      channels: fc.subarray(['web', 'print']),
      territories: fc.subarray(['WW', 'DE', 'JP']),
      organisationIds: fc.subarray(['acme', 'other']),
    })
    fc.assert(
      fc.property(fc.array(terms, { maxLength: 5 }), instant, instant, fc.constantFrom('acme', 'other', 'third'), (list, indexedAt, queryAt, organisationId) => {
        const grants = list.map((t, index) =>
          grant({
            id: `g${index}`,
            startsAt: t.from === null ? null : new Date(t.from),
            expiresAt: t.until === null ? null : new Date(t.until),
            channels: t.channels,
            territories: t.territories,
            organisationIds: t.organisationIds,
          }),
        )
        const window = unspecifiedUseWindow(grants, new Date(indexedAt))
        const inWindow = window.interval !== null && queryAt >= window.interval.from && queryAt < window.interval.until
        if (inWindow && window.organisationIds === null) {
          // Only a window open to everyone is a promise for any single organisation; the
          // database re-check handles the per-organisation case.
          expect(evaluateBrowsing(grants, { at: new Date(queryAt), organisationId }).allowed).toBe(true)
        }
      }),
    )
  })

  it('property: the indexed interval never admits an instant evaluateUse refuses', () => {
    const instant = fc.integer({ min: 0, max: 1_000_000 })
    const window = fc.record({ from: fc.option(instant, { nil: null }), until: fc.option(instant, { nil: null }) })
    fc.assert(
      fc.property(fc.array(window, { minLength: 1, maxLength: 5 }), instant, instant, (windows, indexedAt, queryAt) => {
        const grants = windows.map((w, index) =>
          grant({
            id: `g${index}`,
            startsAt: w.from === null ? null : new Date(w.from),
            expiresAt: w.until === null ? null : new Date(w.until),
          }),
        )
        const interval = usableInterval(grants, new Date(indexedAt))
        if (interval && queryAt >= interval.from && queryAt < interval.until) {
          expect(evaluateUse(grants, { at: new Date(queryAt), organisationId: 'acme' }).allowed).toBe(true)
        }
      }),
    )
  })
})

describe('evaluateUse: the allowed reason', () => {
  const getty = grant({
    id: 'getty',
    licenceType: 'royalty_free',
    licensor: 'Getty Images',
    reference: '123',
    expiresAt: new Date('2027-06-01T10:00:00Z'),
    timeZone: 'Europe/Paris',
  })

  it('names the licence, its licensor and reference, and its end in the grant zone', () => {
    expect(evaluateUse([getty], { at, organisationId: 'acme' })).toEqual({
      allowed: true,
      reason: 'Allowed under the royalty-free licence from Getty Images (ref. 123) until 12:00 CEST on 1 June 2027',
      grantIds: ['getty'],
      until: new Date('2027-06-01T10:00:00Z'),
    })
  })

  it('leaves out what the grant does not record', () => {
    expect(evaluateUse([grant({ licenceType: 'owned' })], { at, organisationId: null }).reason).toBe('Allowed under owned rights')
    expect(evaluateUse([grant({ licenceType: 'editorial_only', licensor: ' ' })], { at, organisationId: null }).reason).toBe(
      'Allowed under the editorial-only licence',
    )
    const cc = grant({ licenceType: 'creative_commons', licenceVariant: 'CC BY-SA 4.0', licensor: 'Jane Doe' })
    expect(evaluateUse([cc], { at, organisationId: null }).reason).toBe('Allowed under the CC BY-SA 4.0 licence from Jane Doe')
    expect(evaluateUse([grant({ licenceType: 'creative_commons' })], { at, organisationId: null }).reason).toBe(
      'Allowed under the Creative Commons licence',
    )
    expect(evaluateUse([grant({ licenceVariant: 'Extended' })], { at, organisationId: null }).reason).toBe(
      'Allowed under the rights-managed licence (Extended)',
    )
    expect(evaluateUse([grant({ licenceType: 'special_deal' })], { at, organisationId: null }).reason).toBe(
      'Allowed under the special deal licence',
    )
  })

  it('cites the allowing grant that lasts longest, counts the others, and lists every allowing id', () => {
    const short = grant({ id: 'a-short', expiresAt: new Date('2027-04-01T00:00:00Z') })
    const open = grant({ id: 'z-open', licenceType: 'owned' })
    const blocked = grant({ id: 'blocked', channels: ['print'] })
    expect(evaluateUse([short, open, blocked], { at, organisationId: 'acme', channel: 'web' })).toEqual({
      allowed: true,
      reason: 'Allowed under owned rights, and 1 other licence',
      grantIds: ['a-short', 'z-open'],
      until: null,
    })
    const third = grant({ id: 'm', expiresAt: new Date('2027-05-01T00:00:00Z') })
    expect(evaluateUse([third, short, getty], { at, organisationId: 'acme' }).reason).toBe(
      'Allowed under the royalty-free licence from Getty Images (ref. 123) until 12:00 CEST on 1 June 2027, and 2 other licences',
    )
  })

  it('gives until as the end of the unbroken run of covering grants', () => {
    const first = grant({ id: 'a', expiresAt: new Date('2027-04-01T00:00:00Z') })
    const next = grant({ id: 'b', startsAt: new Date('2027-04-01T00:00:00Z'), expiresAt: new Date('2027-05-01T00:00:00Z') })
    const later = grant({ id: 'c', startsAt: new Date('2027-06-01T00:00:00Z') })
    const otherChannel = grant({ id: 'd', channels: ['print'], expiresAt: new Date('2027-09-01T00:00:00Z') })
    const verdict = evaluateUse([first, next, later, otherChannel], { at, organisationId: 'acme', channel: 'web' })
    expect(verdict).toMatchObject({ allowed: true, until: new Date('2027-05-01T00:00:00Z') })
    const revokedEarly = grant({ id: 'b', startsAt: new Date('2027-04-01T00:00:00Z'), revokedAt: new Date('2027-04-10T00:00:00Z') })
    expect(evaluateUse([first, revokedEarly], { at, organisationId: 'acme' })).toMatchObject({
      until: new Date('2027-04-10T00:00:00Z'),
    })
  })
})

describe('evaluateUse: refusals', () => {
  it('names the organisation and channel when a lookup knows them, and stays neutral otherwise', () => {
    const forBeta = [grant({ organisationIds: ['beta'], channels: ['web', 'social'] })]
    expect(evaluateUse(forBeta, { at, organisationId: 'acme' }, names).reason).toBe('Not licensed for Acme Agency')
    expect(evaluateUse(forBeta, { at, organisationId: 'unknown' }, names).reason).toBe('Not licensed for your organisation')
    expect(evaluateUse(forBeta, { at, organisationId: 'beta', channel: 'out_of_home' }, names).reason).toBe(
      'Not licensed for out-of-home advertising',
    )
    expect(evaluateUse(forBeta, { at, organisationId: 'beta', channel: 'out_of_home' }).reason).toBe('Not licensed for out of home')
    expect(evaluateUse(forBeta, { at, organisationId: 'beta' }, names).reason).toBe('Licensed only for web and social media')
  })

  it('says which channel is missing when the territory is licensed for another one', () => {
    const grants = [grant({ id: 'a', channels: ['web'], territories: ['DE'] }), grant({ id: 'b', channels: ['print'], territories: ['JP'] })]
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: 'JP' }).reason).toBe(
      'Not licensed for web in Japan',
    )
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: 'FR' }).reason).toBe('Not licensed in France')
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: WORLDWIDE }).reason).toBe(
      'Not licensed worldwide',
    )
  })

  it('refuses a territory that is not an ISO 3166-1 code, whatever the grants', () => {
    const unknown = { allowed: false, reason: 'Unknown territory code “ZZ”', refusal: 'unknown_territory' }
    expect(evaluateUse([grant()], { at, organisationId: 'acme', territory: 'ZZ' })).toEqual(unknown)
    expect(evaluateUse([], { at, organisationId: 'acme', territory: 'ZZ' })).toEqual(unknown)
    expect(evaluateUse([grant()], { at, organisationId: 'acme', territory: 'UK' }).allowed).toBe(false)
    expect(evaluateUse([grant()], { at, organisationId: 'acme', territory: 'gb' }).allowed).toBe(true)
    expect(evaluateUse([grant()], { at, organisationId: 'acme', territory: 'WW' }).allowed).toBe(true)
  })

  it('says which licence ended, for the declared channel', () => {
    const print = grant({ channels: ['print'], expiresAt: new Date('2027-02-01T00:00:00Z') })
    expect(evaluateUse([print], { at, organisationId: 'acme', channel: 'print' }).reason).toBe('Licence for print expired on 1 February 2027')
    const revoked = grant({ channels: ['social'], revokedAt: new Date('2027-02-03T09:00:00Z') })
    expect(evaluateUse([revoked], { at, organisationId: 'acme', channel: 'social' }, names).reason).toBe(
      'Licence for social media revoked on 3 February 2027',
    )
    // Revoked after it had already expired: the revocation is the later statement.
    const both = grant({ expiresAt: new Date('2027-01-01T00:00:00Z'), revokedAt: new Date('2027-02-01T00:00:00Z') })
    expect(evaluateUse([both], { at, organisationId: 'acme' })).toMatchObject({ refusal: 'revoked', reason: 'Licence revoked on 1 February 2027' })
  })

  it('says so when a grant ends before it starts', () => {
    const backwards = grant({ startsAt: new Date('2027-06-01T00:00:00Z'), expiresAt: new Date('2027-05-01T00:00:00Z') })
    expect(evaluateUse([backwards], { at, organisationId: 'acme', channel: 'web' })).toEqual({
      allowed: false,
      reason: 'Licence for web never takes effect: it ends before it starts',
      refusal: 'never_in_force',
      grantId: 'g1',
    })
    const revokedBeforeStart = grant({ startsAt: new Date('2027-06-01T00:00:00Z'), revokedAt: new Date('2027-04-01T00:00:00Z') })
    expect(evaluateUse([revokedBeforeStart], { at, organisationId: 'acme' })).toMatchObject({ refusal: 'never_in_force' })
    expect(grantState(revokedBeforeStart, new Date('2027-04-01T00:00:00Z'))).toEqual({
      state: 'revoked',
      revokedAt: new Date('2027-04-01T00:00:00Z'),
    })
  })

  it('prefers the embargo that lifts soonest to any ended grant', () => {
    const expired = grant({ id: 'a', expiresAt: new Date('2027-02-01T00:00:00Z') })
    const later = grant({ id: 'b', startsAt: new Date('2027-08-01T00:00:00Z') })
    const sooner = grant({ id: 'c', startsAt: new Date('2027-07-01T00:00:00Z') })
    expect(evaluateUse([expired, later, sooner], { at, organisationId: 'acme' })).toEqual({
      allowed: false,
      reason: 'Embargoed until 00:00 UTC on 1 July 2027',
      refusal: 'embargo',
      grantId: 'c',
    })
  })

  it('of ended grants, names the one that ended last, revocation first at a tie', () => {
    const old = grant({ id: 'a', expiresAt: new Date('2026-01-01T00:00:00Z') })
    const recent = grant({ id: 'b', expiresAt: new Date('2027-02-01T00:00:00Z') })
    const revokedLongAgo = grant({ id: 'c', revokedAt: new Date('2025-01-01T00:00:00Z') })
    expect(evaluateUse([old, recent, revokedLongAgo], { at, organisationId: 'acme' })).toMatchObject({ grantId: 'b', refusal: 'expired' })
    const revokedSameInstant = grant({ id: 'z', revokedAt: new Date('2027-02-01T00:00:00Z') })
    expect(evaluateUse([recent, revokedSameInstant], { at, organisationId: 'acme' })).toMatchObject({ grantId: 'z', refusal: 'revoked' })
  })

  it('quotes a time only from a grant that would otherwise cover the use', () => {
    const webExpired = grant({ id: 'a', channels: ['web'], expiresAt: new Date('2027-02-01T00:00:00Z') })
    const printSoon = grant({ id: 'b', channels: ['print'], startsAt: new Date('2027-04-01T00:00:00Z') })
    expect(evaluateUse([webExpired, printSoon], { at, organisationId: 'acme', channel: 'web' }).reason).toBe(
      'Licence for web expired on 1 February 2027',
    )
    // Nothing covers Japan: that is the answer, not the expiry of the German licence.
    const germany = grant({ territories: ['DE'], expiresAt: new Date('2027-02-01T00:00:00Z') })
    expect(evaluateUse([germany], { at, organisationId: 'acme', territory: 'JP' }).reason).toBe('Not licensed in Japan')
  })

  it('is usable exactly at the start and blocked exactly at the end', () => {
    const startsAt = new Date('2027-05-05T08:00:00Z')
    const expiresAt = new Date('2027-06-05T08:00:00Z')
    const revokedAt = new Date('2027-06-01T08:00:00Z')
    const grants = [grant({ startsAt, expiresAt })]
    const use = (instant: number): IntendedUse => ({ at: new Date(instant), organisationId: 'acme' })
    expect(evaluateUse(grants, use(startsAt.getTime() - 1)).allowed).toBe(false)
    expect(evaluateUse(grants, use(startsAt.getTime())).allowed).toBe(true)
    expect(evaluateUse(grants, use(expiresAt.getTime() - 1)).allowed).toBe(true)
    expect(evaluateUse(grants, use(expiresAt.getTime())).allowed).toBe(false)
    const revoked = [grant({ startsAt, expiresAt, revokedAt })]
    expect(evaluateUse(revoked, use(revokedAt.getTime() - 1)).allowed).toBe(true)
    expect(evaluateUse(revoked, use(revokedAt.getTime())).allowed).toBe(false)
  })
})

describe('evaluateUse: time zones', () => {
  it('shows CET before and CEST after the change to summer time (Paris, 28 March 2027, 01:00 UTC)', () => {
    const paris = (startsAt: string) => [grant({ startsAt: new Date(startsAt), timeZone: 'Europe/Paris' })]
    const early = new Date('2027-03-01T00:00:00Z')
    expect(evaluateUse(paris('2027-03-28T00:59:00Z'), { at: early, organisationId: null }).reason).toBe(
      'Embargoed until 01:59 CET on 28 March 2027',
    )
    expect(evaluateUse(paris('2027-03-28T01:00:00Z'), { at: early, organisationId: null }).reason).toBe(
      'Embargoed until 03:00 CEST on 28 March 2027',
    )
    expect(evaluateUse(paris('2027-10-31T00:30:00Z'), { at: early, organisationId: null }).reason).toBe(
      'Embargoed until 02:30 CEST on 31 October 2027',
    )
    expect(evaluateUse(paris('2027-10-31T01:30:00Z'), { at: early, organisationId: null }).reason).toBe(
      'Embargoed until 02:30 CET on 31 October 2027',
    )
  })

  it('dates an expiry by the calendar of the grant zone, not UTC', () => {
    // 23:30 UTC on 28 February is 00:30 on 1 March in Paris.
    const expiresAt = new Date('2027-02-28T23:30:00Z')
    const later = new Date('2027-03-05T00:00:00Z')
    expect(evaluateUse([grant({ expiresAt, timeZone: 'Europe/Paris' })], { at: later, organisationId: null }).reason).toBe(
      'Licence expired on 1 March 2027',
    )
    expect(evaluateUse([grant({ expiresAt, timeZone: 'UTC' })], { at: later, organisationId: null }).reason).toBe(
      'Licence expired on 28 February 2027',
    )
    expect(evaluateUse([grant({ expiresAt, timeZone: 'Europe/London' })], { at: new Date('2027-01-01'), organisationId: null }).reason).toBe(
      'Allowed under the rights-managed licence until 23:30 GMT on 28 February 2027',
    )
  })

  it('falls back to UTC for a zone the runtime does not know', () => {
    const verdict = evaluateUse([grant({ startsAt: new Date('2027-05-05T08:00:00Z'), timeZone: 'Mars/Olympus' })], {
      at,
      organisationId: null,
    })
    expect(verdict.reason).toBe('Embargoed until 08:00 UTC on 5 May 2027')
  })
})

// ───────────────────────────── generated grants for the properties below

const BASE = Date.UTC(2027, 0, 1)
const HOUR = 3_600_000
const ORGANISATIONS = ['acme', 'beta', 'gamma'] as const
const CHANNELS = ['web', 'print', 'social'] as const
const TERRITORIES = ['DE', 'JP', 'FR'] as const
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'] as const

/** Instants on a coarse hourly grid, so that windows often touch and coincide. */
const hour = fc.integer({ min: 0, max: 60 })
const instantAt = (hours: number) => new Date(BASE + hours * HOUR)

const grantTerms = fc.record({
  licenceType: fc.constantFrom('owned', 'royalty_free', 'rights_managed', 'editorial_only', 'creative_commons'),
  channels: fc.subarray([...CHANNELS]),
  territories: fc.subarray(['WW', ...TERRITORIES]),
  organisationIds: fc.subarray(['acme', 'beta']),
  startsAt: fc.option(hour, { nil: null }),
  expiresAt: fc.option(hour, { nil: null }),
  revokedAt: fc.option(hour, { freq: 4, nil: null }),
  timeZone: fc.constantFrom(...ZONES),
  warnBeforeDays: fc.integer({ min: 0, max: 2 }),
})

const grantList = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.array(grantTerms, { maxLength: 5, ...constraints }).map((list) =>
    list.map(
      (t, index): RightsGrantTerms => ({
        id: `g${index}`,
        licenceType: t.licenceType,
        channels: t.channels,
        territories: t.territories,
        organisationIds: t.organisationIds,
        startsAt: t.startsAt === null ? null : instantAt(t.startsAt),
        expiresAt: t.expiresAt === null ? null : instantAt(t.expiresAt),
        revokedAt: t.revokedAt === null ? null : instantAt(t.revokedAt),
        timeZone: t.timeZone,
        warnBeforeDays: t.warnBeforeDays,
      }),
    ),
  )

const intendedUse = fc.record({
  at: hour.map(instantAt),
  organisationId: fc.constantFrom<string | null>(...ORGANISATIONS, null),
  channel: fc.option(fc.constantFrom(...CHANNELS), { nil: undefined }),
  territory: fc.option(fc.constantFrom<string>(...TERRITORIES, 'WW', 'de'), { nil: undefined }),
})

/** The rule restated independently: is this grant in force and does it cover this use? */
function inForceAndCovering(g: RightsGrantTerms, use: IntendedUse): boolean {
  const t = use.at.getTime()
  const open =
    (g.startsAt === null || t >= g.startsAt.getTime()) &&
    (g.expiresAt === null || t < g.expiresAt.getTime()) &&
    (g.revokedAt === null || t < g.revokedAt.getTime())
  const organisation = use.organisationId === null || g.organisationIds.length === 0 || g.organisationIds.includes(use.organisationId)
  const channel = g.channels.length === 0 || (use.channel !== undefined && g.channels.includes(use.channel))
  const everywhere = g.territories.length === 0 || g.territories.includes('WW')
  const territory = everywhere || (use.territory !== undefined && g.territories.includes(use.territory.toUpperCase()))
  return open && organisation && channel && territory
}

describe('evaluateUse: properties', () => {
  it('an allowed verdict cites exactly the grants in force that cover the use', () => {
    fc.assert(
      fc.property(grantList({ minLength: 1 }), intendedUse, (grants, use) => {
        const verdict = evaluateUse(grants, use)
        const expected = grants.filter((g) => inForceAndCovering(g, use)).map((g) => g.id)
        expect(verdict.allowed).toBe(expected.length > 0)
        if (verdict.allowed) expect(verdict.grantIds).toEqual(expected)
      }),
    )
  })

  it('adding a grant never turns an allowed use into a blocked one', () => {
    fc.assert(
      fc.property(grantList({ minLength: 1 }), grantList({ minLength: 1, maxLength: 1 }), intendedUse, (grants, [extra], use) => {
        if (!extra || !evaluateUse(grants, use).allowed) return
        expect(evaluateUse([...grants, { ...extra, id: 'extra' }], use).allowed).toBe(true)
      }),
    )
  })

  it('the verdict does not depend on the order grants are given in (but for the order of grantIds)', () => {
    fc.assert(
      fc.property(
        grantList().chain((grants) => fc.tuple(fc.constant(grants), fc.shuffledSubarray(grants, { minLength: grants.length }))),
        intendedUse,
        ([grants, shuffled], use) => {
          const a = evaluateUse(grants, use, names)
          const b = evaluateUse(shuffled, use, names)
          if (a.allowed && b.allowed) expect({ ...b, grantIds: [...b.grantIds].sort() }).toEqual({ ...a, grantIds: [...a.grantIds].sort() })
          else expect(b).toEqual(a)
        },
      ),
    )
  })

  it('a time-based refusal is about a grant that covers the use and is not in force', () => {
    fc.assert(
      fc.property(grantList({ minLength: 1 }), intendedUse, (grants, use) => {
        const verdict = evaluateUse(grants, use)
        if (verdict.allowed || verdict.grantId === undefined) return
        const cited = grants.find((g) => g.id === verdict.grantId)
        expect(cited).toBeDefined()
        if (!cited) return
        expect(inForceAndCovering({ ...cited, startsAt: null, expiresAt: null, revokedAt: null }, use)).toBe(true)
        expect(inForceAndCovering(cited, use)).toBe(false)
        const stateFor: Record<string, string> = {
          embargo: 'embargoed',
          expired: 'expired',
          revoked: 'revoked',
          never_in_force: 'never_in_force',
        }
        expect(grantState(cited, use.at).state).toBe(stateFor[verdict.refusal])
      }),
    )
  })

  it('until is the first instant the use is refused', () => {
    fc.assert(
      fc.property(grantList({ minLength: 1 }), intendedUse, (grants, use) => {
        const verdict = evaluateUse(grants, use)
        if (!verdict.allowed) return
        const later = grants.flatMap((g) => [g.startsAt, g.expiresAt, g.revokedAt]).filter((d): d is Date => d !== null && d > use.at)
        if (verdict.until === null) {
          for (const instant of later) expect(evaluateUse(grants, { ...use, at: instant }).allowed).toBe(true)
          return
        }
        const until = verdict.until
        expect(evaluateUse(grants, { ...use, at: until }).allowed).toBe(false)
        expect(evaluateUse(grants, { ...use, at: new Date(until.getTime() - 1) }).allowed).toBe(true)
        for (const instant of later.filter((d) => d < until)) expect(evaluateUse(grants, { ...use, at: instant }).allowed).toBe(true)
      }),
    )
  })
})

describe('permittedUses', () => {
  it('allows everything, for ever, when no grants are recorded', () => {
    expect(permittedUses([], { organisationId: 'acme', at })).toEqual({
      anyChannel: true,
      channels: [],
      worldwide: true,
      territories: [],
      scopes: [{ anyChannel: true, channels: [], worldwide: true, territories: [] }],
      until: null,
      grantIds: [],
    })
  })

  it('is the union of the grants in force for the organisation', () => {
    const grants = [
      grant({ id: 'a', channels: ['web', 'social'], territories: ['DE', 'FR'], expiresAt: new Date('2027-06-01T00:00:00Z') }),
      grant({ id: 'b', channels: ['print'], territories: ['at'] }),
      grant({ id: 'c', channels: ['broadcast'], organisationIds: ['beta'] }),
      grant({ id: 'd', channels: ['email'], expiresAt: new Date('2027-01-01T00:00:00Z') }),
      grant({ id: 'e', channels: ['internal'], startsAt: new Date('2027-04-01T00:00:00Z') }),
    ]
    expect(permittedUses(grants, { organisationId: 'acme', at })).toEqual({
      anyChannel: false,
      channels: ['web', 'social', 'print'],
      worldwide: false,
      territories: ['DE', 'FR', 'AT'],
      scopes: [
        { anyChannel: false, channels: ['web', 'social'], worldwide: false, territories: ['DE', 'FR'] },
        { anyChannel: false, channels: ['print'], worldwide: false, territories: ['AT'] },
      ],
      until: new Date('2027-06-01T00:00:00Z'),
      grantIds: ['a', 'b'],
    })
    // Brand staff are covered by every organisation's grants.
    expect(permittedUses(grants, { organisationId: null, at }).grantIds).toEqual(['a', 'b', 'c'])
  })

  it('drops a scope another contains, and does not lapse while another grant carries the use', () => {
    const grants = [
      grant({ id: 'a', expiresAt: new Date('2027-06-01T00:00:00Z') }),
      grant({ id: 'b', channels: ['web'], territories: ['DE'] }),
      grant({ id: 'c', startsAt: new Date('2027-05-01T00:00:00Z'), expiresAt: new Date('2027-09-01T00:00:00Z') }),
    ]
    const permitted = permittedUses(grants, { organisationId: 'acme', at })
    expect(permitted).toMatchObject({
      anyChannel: true,
      channels: [],
      worldwide: true,
      territories: [],
      scopes: [{ anyChannel: true, channels: [], worldwide: true, territories: [] }],
      until: new Date('2027-09-01T00:00:00Z'),
    })
  })

  it('counts any channel as a use of its own: channel grants do not add up to it', () => {
    const grants = [
      grant({ id: 'a', expiresAt: new Date('2027-06-01T00:00:00Z') }),
      grant({ id: 'b', channels: ['web', 'print', 'social'] }),
    ]
    expect(permittedUses(grants, { organisationId: 'acme', at }).until).toEqual(new Date('2027-06-01T00:00:00Z'))
  })

  it('leaves out territories no use can name', () => {
    const permitted = permittedUses([grant({ territories: ['XX', 'DE'] })], { organisationId: 'acme', at })
    expect(permitted.territories).toEqual(['DE'])
    expect(permittedUses([grant({ territories: ['XX'] })], { organisationId: 'acme', at }).scopes).toEqual([])
  })

  it('property: every use the scopes name is allowed, and every allowed use lies in some scope', () => {
    fc.assert(
      fc.property(grantList({ minLength: 1 }), intendedUse, (grants, use) => {
        const permitted = permittedUses(grants, { organisationId: use.organisationId, at: use.at })
        for (const scope of permitted.scopes) {
          const channels = scope.anyChannel ? [undefined, ...CHANNELS] : scope.channels
          const territories = scope.worldwide ? [undefined, ...TERRITORIES] : scope.territories
          for (const channel of channels) {
            for (const territory of territories) {
              expect(evaluateUse(grants, { ...use, channel, territory }).allowed).toBe(true)
            }
          }
        }
        if (evaluateUse(grants, use).allowed) {
          const territory = use.territory?.toUpperCase()
          const inScope = permitted.scopes.some(
            (scope) =>
              (scope.anyChannel || (use.channel !== undefined && scope.channels.includes(use.channel))) &&
              (scope.worldwide || (territory !== undefined && territory !== 'WW' && scope.territories.includes(territory))),
          )
          expect(inScope).toBe(true)
        }
      }),
    )
  })

  it('property: until is the first change at which one of the permitted uses is refused', () => {
    fc.assert(
      fc.property(grantList({ minLength: 1 }), intendedUse, (grants, use) => {
        const { organisationId } = use
        const permitted = permittedUses(grants, { organisationId, at: use.at })
        const uses = permitted.scopes.flatMap((scope) =>
          (scope.anyChannel ? [undefined] : scope.channels).flatMap((channel) =>
            (scope.worldwide ? [undefined] : scope.territories).map((territory) => ({ channel, territory })),
          ),
        )
        const lapsed = (instant: Date) => uses.some((u) => !evaluateUse(grants, { ...u, organisationId, at: instant }).allowed)
        const after = rightsChangePoints(grants).filter((p) => p.at > use.at)
        const first = after.find((p) => lapsed(p.at))
        expect(permitted.until).toEqual(first ? first.at : null)
      }),
    )
  })
})

describe('usesLostAt', () => {
  const expiry = new Date('2027-06-01T00:00:00Z')
  const grants = [
    grant({ id: 'a', channels: ['web'], territories: ['DE', 'FR'], expiresAt: expiry }),
    grant({ id: 'b', channels: ['web'], territories: ['FR'] }),
    grant({ id: 'c', channels: ['print'], organisationIds: ['beta'], revokedAt: expiry }),
  ]

  it('returns the declared uses allowed just before the instant and refused at it, as given', () => {
    const ledger = [
      { id: 1, organisationId: 'acme', channel: 'web', territory: 'DE' },
      { id: 2, organisationId: 'acme', channel: 'web', territory: 'FR' },
      { id: 3, organisationId: 'beta', channel: 'print', territory: 'JP' },
      { id: 4, organisationId: 'acme', channel: 'print', territory: 'JP' },
      { id: 5, organisationId: 'gamma', channel: 'web', territory: 'de' },
      { id: 6, organisationId: 'acme', channel: 'web', territory: 'DE' },
    ]
    const lost = usesLostAt(grants, ledger, expiry)
    expect(lost.map((use) => use.id)).toEqual([1, 3, 5, 6])
    expect(lost[0]).toBe(ledger[0])
    expect(usesLostAt(grants, ledger, new Date(expiry.getTime() + 1))).toEqual([])
    expect(usesLostAt(grants, ledger, new Date(expiry.getTime() - 1))).toEqual([])
  })

  it('property: exactly the uses whose verdict flips from allowed to refused at the instant', () => {
    const declared = fc.record({
      organisationId: fc.constantFrom<string | null>(...ORGANISATIONS, null),
      channel: fc.constantFrom(...CHANNELS),
      territory: fc.constantFrom<string>(...TERRITORIES, 'WW', 'jp'),
    })
    fc.assert(
      fc.property(grantList(), fc.array(declared, { maxLength: 8 }), hour, (list, uses, hours) => {
        const instant = instantAt(hours)
        const flips = (use: DeclaredUse) =>
          evaluateUse(list, { ...use, at: new Date(instant.getTime() - 1) }).allowed && !evaluateUse(list, { ...use, at: instant }).allowed
        expect(usesLostAt(list, uses, instant)).toEqual(uses.filter(flips))
      }),
    )
  })
})

describe('channelsLostAt', () => {
  const expiry = new Date('2027-06-01T00:00:00Z')

  it('takes down a channel whose last worldwide grant ends, whichever organisations it was for', () => {
    const grants = [
      grant({ id: 'a', channels: ['web', 'social'], expiresAt: expiry }),
      grant({ id: 'b', channels: ['social'], organisationIds: ['acme'] }),
      grant({ id: 'c', channels: ['print'], territories: ['DE'], expiresAt: expiry }),
      grant({ id: 'd', channels: ['email'], territories: ['WW'], organisationIds: ['beta'], revokedAt: expiry }),
    ]
    expect(channelsLostAt(grants, ['web', 'social', 'print', 'email', 'web', 'broadcast'], expiry)).toEqual(['web', 'email'])
    expect(evaluateChannel(grants, 'print', new Date(expiry.getTime() - 1))).toMatchObject({ allowed: false, reason: 'Licensed only in Germany' })
    expect(evaluateChannel(grants, 'social', expiry)).toMatchObject({ allowed: true, grantIds: ['b'] })
  })

  it('property: exactly the channels whose evaluateChannel verdict flips at the instant', () => {
    fc.assert(
      fc.property(grantList(), fc.array(fc.constantFrom(...CHANNELS, 'broadcast'), { maxLength: 6 }), hour, (list, keys, hours) => {
        const instant = instantAt(hours)
        const flips = (key: string) =>
          evaluateChannel(list, key, new Date(instant.getTime() - 1)).allowed && !evaluateChannel(list, key, instant).allowed
        expect(channelsLostAt(list, keys, instant)).toEqual([...new Set(keys)].filter(flips))
      }),
    )
  })
})

describe('rightsChangePoints', () => {
  it('lists start, warning and expiry in time order', () => {
    const points = rightsChangePoints([
      grant({
        id: 'b',
        startsAt: new Date('2027-01-01T00:00:00Z'),
        expiresAt: new Date('2027-03-01T00:00:00Z'),
        warnBeforeDays: 30,
      }),
      grant({ id: 'a', startsAt: new Date('2027-02-01T00:00:00Z') }),
    ])
    expect(points).toEqual([
      { at: new Date('2027-01-01T00:00:00Z'), kind: 'start', grantId: 'b' },
      { at: new Date('2027-01-30T00:00:00Z'), kind: 'warn', grantId: 'b' },
      { at: new Date('2027-02-01T00:00:00Z'), kind: 'start', grantId: 'a' },
      { at: new Date('2027-03-01T00:00:00Z'), kind: 'expiry', grantId: 'b' },
    ])
  })

  it('warns only for a positive number of days before an expiry', () => {
    const expiresAt = new Date('2027-03-01T00:00:00Z')
    expect(rightsChangePoints([grant({ expiresAt, warnBeforeDays: 0 })]).map((p) => p.kind)).toEqual(['expiry'])
    expect(rightsChangePoints([grant({ expiresAt })]).map((p) => p.kind)).toEqual(['expiry'])
    expect(rightsChangePoints([grant({ warnBeforeDays: 30 })])).toEqual([])
  })

  it('counts warning days on the calendar of the grant zone, across the change to summer time', () => {
    // 10:00 CEST on 10 April; 30 days before is 10:00 CET on 11 March, 25 hours more than 30 × 24.
    const expiresAt = new Date('2027-04-10T08:00:00Z')
    expect(expiryWarningAt(grant({ expiresAt, warnBeforeDays: 30, timeZone: 'Europe/Paris' }))).toEqual(new Date('2027-03-11T09:00:00Z'))
    expect(expiryWarningAt(grant({ expiresAt, warnBeforeDays: 30, timeZone: 'UTC' }))).toEqual(new Date('2027-03-11T08:00:00Z'))
    // A wall-clock time the zone skips (02:30 on 28 March in Paris) lands an hour later.
    const skipped = new Date('2027-04-28T00:30:00Z') // 02:30 CEST
    expect(expiryWarningAt(grant({ expiresAt: skipped, warnBeforeDays: 31, timeZone: 'Europe/Paris' }))).toEqual(
      new Date('2027-03-28T01:30:00Z'),
    )
    // One it repeats (02:30 on 31 October, CEST then CET) takes the earlier instant.
    const repeated = new Date('2027-11-30T01:30:00Z') // 02:30 CET
    expect(expiryWarningAt(grant({ expiresAt: repeated, warnBeforeDays: 30, timeZone: 'Europe/Paris' }))).toEqual(
      new Date('2027-10-31T00:30:00Z'),
    )
    expect(expiryWarningAt(grant({ expiresAt, warnBeforeDays: 1, timeZone: 'Nowhere/Special' }))).toEqual(new Date('2027-04-09T08:00:00Z'))
  })

  it('cancels warning and expiry at or after a revocation, and keeps the revocation', () => {
    const grants = [
      grant({
        id: 'r',
        startsAt: new Date('2027-01-01T00:00:00Z'),
        expiresAt: new Date('2027-03-01T00:00:00Z'),
        warnBeforeDays: 30,
        revokedAt: new Date('2027-01-30T00:00:00Z'),
      }),
    ]
    expect(rightsChangePoints(grants)).toEqual([
      { at: new Date('2027-01-01T00:00:00Z'), kind: 'start', grantId: 'r' },
      { at: new Date('2027-01-30T00:00:00Z'), kind: 'revocation', grantId: 'r' },
    ])
    const revokedAfterWarning = [{ ...grants[0]!, revokedAt: new Date('2027-02-10T00:00:00Z') }]
    expect(rightsChangePoints(revokedAfterWarning).map((p) => p.kind)).toEqual(['start', 'warn', 'revocation'])
    const revokedAfterExpiry = [{ ...grants[0]!, revokedAt: new Date('2027-04-01T00:00:00Z') }]
    expect(rightsChangePoints(revokedAfterExpiry).map((p) => p.kind)).toEqual(['start', 'warn', 'expiry', 'revocation'])
  })

  it('orders points at the same instant by grant id, then start, warning, expiry, revocation', () => {
    const instant = new Date('2027-03-01T00:00:00Z')
    const points = rightsChangePoints([
      grant({ id: 'b', revokedAt: instant }),
      grant({ id: 'a', expiresAt: instant }),
      grant({ id: 'c', startsAt: instant, expiresAt: new Date('2027-03-02T00:00:00Z'), warnBeforeDays: 1 }),
    ])
    expect(points.map((p) => `${p.grantId}:${p.kind}`)).toEqual(['a:expiry', 'b:revocation', 'c:start', 'c:warn', 'c:expiry'])
  })

  it('nextRightsChange gives the first point strictly after the instant', () => {
    const grants = [grant({ startsAt: new Date('2027-01-01T00:00:00Z'), expiresAt: new Date('2027-03-01T00:00:00Z') })]
    expect(nextRightsChange(grants, new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      at: new Date('2027-01-01T00:00:00Z'),
      kind: 'start',
      grantId: 'g1',
    })
    expect(nextRightsChange(grants, new Date('2027-01-01T00:00:00Z'))?.kind).toBe('expiry')
    expect(nextRightsChange(grants, new Date('2027-03-01T00:00:00Z'))).toBeNull()
    expect(nextRightsChange([], at)).toBeNull()
  })

  it('property: points are sorted, and nextRightsChange is the earliest point after the instant', () => {
    fc.assert(
      fc.property(grantList(), hour, (grants, hours) => {
        const points = rightsChangePoints(grants)
        for (let i = 1; i < points.length; i++) expect(points[i]!.at.getTime()).toBeGreaterThanOrEqual(points[i - 1]!.at.getTime())
        const after = instantAt(hours)
        const later = points.filter((p) => p.at > after)
        const earliest = Math.min(...later.map((p) => p.at.getTime()))
        const next = nextRightsChange(grants, after)
        if (later.length === 0) expect(next).toBeNull()
        else {
          expect(next?.at.getTime()).toBe(earliest)
          expect(later).toContainEqual(next)
        }
      }),
    )
  })

  it('property: the verdict, reason and all, is constant between consecutive change points', () => {
    fc.assert(
      fc.property(
        grantList(),
        intendedUse,
        fc.integer({ min: 0, max: 60 * 60 }),
        fc.integer({ min: 0, max: 60 * 60 }),
        (grants, use, m1, m2) => {
          // Instants to the minute, so both sides of a point and the point itself are sampled.
          const t1 = new Date(BASE + m1 * 60_000)
          const t2 = new Date(BASE + m2 * 60_000)
          const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1]
          const crosses = rightsChangePoints(grants).some((p) => p.at > early && p.at <= late)
          if (crosses) return
          expect(evaluateUse(grants, { ...use, at: late }, names)).toEqual(evaluateUse(grants, { ...use, at: early }, names))
          expect(permittedUses(grants, { organisationId: use.organisationId, at: late })).toEqual(
            permittedUses(grants, { organisationId: use.organisationId, at: early }),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('property: every instant the verdict flips is a change point', () => {
    fc.assert(
      fc.property(grantList(), intendedUse, (grants, use) => {
        const points = new Set(rightsChangePoints(grants).map((p) => p.at.getTime()))
        for (let hours = 1; hours <= 61; hours++) {
          const instant = instantAt(hours)
          const before = evaluateUse(grants, { ...use, at: new Date(instant.getTime() - 1) })
          const now = evaluateUse(grants, { ...use, at: instant })
          if (before.allowed !== now.allowed) expect(points.has(instant.getTime())).toBe(true)
        }
      }),
    )
  })
})
