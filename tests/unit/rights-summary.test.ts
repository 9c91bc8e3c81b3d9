import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateUse, permittedUses, type RightsGrantTerms, type RightsNames } from '~/domain/rights'
import { rightsSummary } from '~/domain/rights-summary'
import { grantTerms } from '../support/rights-grant-terms'

const at = new Date('2027-02-01T12:00:00Z')

const grant = grantTerms

const organisationNames: Record<string, string> = { acme: 'Acme Agency', beta: 'Beta Press' }
const channelLabels: Record<string, string> = { social: 'social media' }
const names: RightsNames = { organisation: (id) => organisationNames[id], channel: (key) => channelLabels[key] }

/** 12:00 CET on 1 March 2027. */
const marchNoonParis = new Date('2027-03-01T11:00:00Z')

const getty = grant({
  id: 'getty',
  licenceType: 'royalty_free',
  licensor: 'Getty Images',
  reference: '123',
  channels: ['web', 'social'],
  territories: ['DE', 'FR', 'AT'],
  expiresAt: marchNoonParis,
  timeZone: 'Europe/Paris',
  warnBeforeDays: 30,
  notes: 'Credit “Getty Images / J. Smith”',
})

describe('rightsSummary for a partner', () => {
  it('says what they may do, in short lines under a one-line headline', () => {
    expect(rightsSummary([getty], { organisationId: 'acme', at })).toEqual({
      headline: 'Licensed for use on web and social in Germany, France and Austria until 12:00 CET on 1 March 2027',
      lines: [
        'Royalty-free licence from Getty Images (ref. 123)',
        'Use on web and social',
        'In Germany, France and Austria',
        'Until 12:00 CET on 1 March 2027',
      ],
      licences: [
        {
          grantId: 'getty',
          state: 'in_force',
          title: 'Royalty-free licence from Getty Images (ref. 123)',
          lines: ['Use on web and social', 'In Germany, France and Austria', 'Until 12:00 CET on 1 March 2027'],
        },
      ],
    })
  })

  it('uses the channel names it is given', () => {
    expect(rightsSummary([getty], { organisationId: 'acme', at, names }).lines[1]).toBe('Use on web and social media')
  })

  it('says so when the use is open on every count, and marks editorial use', () => {
    expect(rightsSummary([grant({ licenceType: 'owned' })], { organisationId: 'acme', at })).toMatchObject({
      headline: 'Licensed for use on any channel worldwide',
      lines: ['Owned rights', 'Use on any channel', 'Worldwide', 'No expiry date'],
    })
    const editorial = grant({ licenceType: 'editorial_only', licensor: 'Reuters', channels: ['web'], territories: ['WW'] })
    expect(rightsSummary([editorial], { organisationId: 'acme', at })).toMatchObject({
      headline: 'Licensed for editorial use on web worldwide',
      lines: ['Editorial-only licence from Reuters', 'Use on web', 'Worldwide', 'No expiry date', 'Editorial use only'],
    })
  })

  it('shows each licence in force when they allow different things, with a headline saying so', () => {
    const print = grant({ id: 'print', channels: ['print'], territories: ['JP'], licenceType: 'rights_managed', licensor: 'Studio K' })
    const summary = rightsSummary([getty, print], { organisationId: 'acme', at })
    expect(summary.headline).toBe('Licensed under 2 licences with different terms')
    expect(summary.licences.map((licence) => licence.grantId)).toEqual(['getty', 'print'])
    expect(summary.lines).toEqual([
      'Royalty-free licence from Getty Images (ref. 123)',
      'Use on web and social',
      'In Germany, France and Austria',
      'Until 12:00 CET on 1 March 2027',
      'Rights-managed licence from Studio K',
      'Use on print',
      'In Japan',
      'No expiry date',
    ])
  })

  it('heads with the wider licence when it contains the other, until the first thing lapses', () => {
    const everything = grant({ id: 'all', expiresAt: new Date('2027-06-30T22:00:00Z'), timeZone: 'Europe/Berlin' })
    const summary = rightsSummary([getty, everything], { organisationId: 'acme', at })
    expect(summary.headline).toBe('Licensed for use on any channel worldwide until 00:00 CEST on 1 July 2027')
    expect(summary.licences).toHaveLength(2)
  })

  it('never shows a partner another organisation’s grants, or notes', () => {
    const forBeta = grant({ id: 'beta-only', organisationIds: ['beta'], channels: ['broadcast'], notes: 'Internal' })
    const summary = rightsSummary([getty, forBeta], { organisationId: 'acme', at, names })
    expect(summary.licences.map((licence) => licence.grantId)).toEqual(['getty'])
    expect(summary.lines.join('\n')).not.toMatch(/broadcast|Beta|Internal|Credit/)
    expect(rightsSummary([getty, forBeta], { organisationId: 'beta', at }).licences).toHaveLength(2)
  })

  it('says no licence covers any use when none is in force, and when their own opens', () => {
    const upcomingForAcme = grant({ id: 'a', organisationIds: ['acme'], startsAt: new Date('2027-05-05T08:00:00Z'), timeZone: 'Europe/Paris' })
    const soonerForBeta = grant({ id: 'b', organisationIds: ['beta'], startsAt: new Date('2027-04-01T00:00:00Z') })
    const expired = grant({ id: 'c', expiresAt: new Date('2027-01-01T00:00:00Z') })
    expect(rightsSummary([upcomingForAcme, soonerForBeta, expired], { organisationId: 'acme', at })).toEqual({
      headline: 'No licence covers any use now',
      lines: ['Licensed from 10:00 CEST on 5 May 2027'],
      licences: [],
    })
    expect(rightsSummary([expired], { organisationId: 'acme', at })).toEqual({
      headline: 'No licence covers any use now',
      lines: [],
      licences: [],
    })
  })

  it('says no restrictions are recorded when there are no grants', () => {
    expect(rightsSummary([], { organisationId: 'acme', at })).toEqual({
      headline: 'No usage restrictions are recorded',
      lines: [],
      licences: [],
    })
    expect(rightsSummary([], { organisationId: null, at }).headline).toBe('No usage restrictions are recorded')
  })

  it('property: a partner’s summary is built only from grants that apply to them, and matches what they may do', () => {
    const terms = fc.record({
      channels: fc.subarray(['web', 'print']),
      territories: fc.subarray(['WW', 'DE', 'JP']),
      organisationIds: fc.subarray(['acme', 'beta']),
      startsAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      expiresAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      notes: fc.constantFrom('', 'secret'),
    })
    const day = (n: number) => new Date(Date.UTC(2027, 0, 1 + n))
    fc.assert(
      fc.property(fc.array(terms, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 20 }), fc.constantFrom('acme', 'beta', 'gamma'), (list, today, organisationId) => {
        const grants = list.map((t, index) =>
          grant({
            id: `g${index}`,
            channels: t.channels,
            territories: t.territories,
            organisationIds: t.organisationIds,
            startsAt: t.startsAt === null ? null : day(t.startsAt),
            expiresAt: t.expiresAt === null ? null : day(t.expiresAt),
            notes: t.notes,
          }),
        )
        const own = grants.filter((g) => g.organisationIds.length === 0 || g.organisationIds.includes(organisationId))
        const summary = rightsSummary(grants, { organisationId, at: day(today) })
        // Another organisation's grants change nothing a partner reads (when some of their own exist).
        if (own.length > 0) expect(summary).toEqual(rightsSummary(own, { organisationId, at: day(today) }))
        expect(summary.lines.join('\n')).not.toContain('secret')
        const permitted = permittedUses(grants, { organisationId, at: day(today) })
        expect(summary.licences.map((licence) => licence.grantId)).toEqual(permitted.grantIds)
        const usable = ['web', 'print'].some((channel) =>
          ['DE', 'JP'].some((territory) => evaluateUse(grants, { at: day(today), organisationId, channel, territory }).allowed),
        )
        expect(summary.headline === 'No licence covers any use now').toBe(!usable)
      }),
    )
  })
})

describe('rightsSummary for staff', () => {
  const inForceLater = grant({ id: 'z-later', expiresAt: new Date('2027-12-31T23:00:00Z'), timeZone: 'Europe/Paris' })
  const embargoed = grant({
    id: 'emb',
    licenceType: 'creative_commons',
    licenceVariant: 'CC BY 4.0',
    licensor: 'Jane Doe',
    startsAt: new Date('2027-03-28T01:00:00Z'),
    expiresAt: new Date('2027-09-01T00:00:00Z'),
    timeZone: 'Europe/Paris',
    organisationIds: ['acme', 'beta', 'nameless'],
  })
  const expired = grant({ id: 'exp', channels: ['print'], expiresAt: new Date('2027-01-15T00:00:00Z'), timeZone: 'Europe/Paris' })
  const revoked = grant({ id: 'rev', licenceType: 'editorial_only', revokedAt: new Date('2027-01-20T10:00:00Z'), organisationIds: ['x'] })
  const backwards = grant({ id: 'back', startsAt: new Date('2027-06-01T00:00:00Z'), expiresAt: new Date('2027-05-01T00:00:00Z') })

  it('lists every grant with where it stands: in force, upcoming, never, then ended (latest first)', () => {
    const summary = rightsSummary([expired, revoked, embargoed, getty, backwards, inForceLater], { organisationId: null, at, names })
    expect(summary.headline).toBe('2 of 6 licences in force')
    expect(summary.licences).toEqual([
      {
        grantId: 'getty',
        state: 'in_force',
        title: 'Royalty-free licence from Getty Images (ref. 123)',
        lines: [
          'In force until 12:00 CET on 1 March 2027',
          'Use on web and social media',
          'In Germany, France and Austria',
          'For every partner organisation',
          'Expiry warning 30 days before, at 12:00 CET on 30 January 2027',
          'Notes: Credit “Getty Images / J. Smith”',
        ],
      },
      {
        grantId: 'z-later',
        state: 'in_force',
        title: 'Rights-managed licence',
        lines: ['In force until 00:00 CET on 1 January 2028', 'Use on any channel', 'Worldwide', 'For every partner organisation'],
      },
      {
        grantId: 'emb',
        state: 'embargoed',
        title: 'CC BY 4.0 licence from Jane Doe',
        lines: [
          'Starts at 03:00 CEST on 28 March 2027',
          'Use on any channel',
          'Worldwide',
          'For Acme Agency, Beta Press and 1 other partner organisation only',
          'Until 02:00 CEST on 1 September 2027',
        ],
      },
      {
        grantId: 'back',
        state: 'never_in_force',
        title: 'Rights-managed licence',
        lines: [
          'Never takes effect: it ends before it starts',
          'Use on any channel',
          'Worldwide',
          'For every partner organisation',
          'Until 00:00 UTC on 1 May 2027',
        ],
      },
      {
        grantId: 'rev',
        state: 'revoked',
        title: 'Editorial-only licence',
        lines: ['Revoked on 20 January 2027', 'Use on any channel', 'Worldwide', 'For 1 partner organisation only', 'Editorial use only'],
      },
      {
        grantId: 'exp',
        state: 'expired',
        title: 'Rights-managed licence',
        lines: ['Expired on 15 January 2027', 'Use on print', 'Worldwide', 'For every partner organisation'],
      },
    ])
    expect(summary.lines[0]).toBe('Royalty-free licence from Getty Images (ref. 123)')
    expect(summary.lines).toHaveLength(summary.licences.reduce((count, licence) => count + 1 + licence.lines.length, 0))
  })

  it('heads with how many licences are in force', () => {
    expect(rightsSummary([getty], { organisationId: null, at }).headline).toBe('The licence is in force')
    expect(rightsSummary([expired], { organisationId: null, at }).headline).toBe('No licence in force')
    expect(rightsSummary([expired, revoked], { organisationId: null, at }).headline).toBe('No licence in force')
  })

  it('leaves out a warning a revocation cancelled, and one for an ended grant', () => {
    const revokedBeforeWarning = { ...getty, revokedAt: new Date('2027-01-10T00:00:00Z') }
    expect(rightsSummary([revokedBeforeWarning], { organisationId: null, at }).lines.join('\n')).not.toContain('warning')
    // Starts 10 February, revocation recorded for 20 February, expiry 1 April: the warning (2 March) never comes.
    const upcomingRevoked = {
      ...getty,
      startsAt: new Date('2027-02-10T00:00:00Z'),
      revokedAt: new Date('2027-02-20T00:00:00Z'),
      expiresAt: new Date('2027-04-01T10:00:00Z'),
    }
    const lines = rightsSummary([upcomingRevoked], { organisationId: null, at }).lines
    expect(lines).toContain('Starts at 01:00 CET on 10 February 2027')
    expect(lines.join('\n')).not.toContain('warning')
    const upcoming = { ...upcomingRevoked, revokedAt: null }
    expect(rightsSummary([upcoming], { organisationId: null, at }).lines).toContain(
      'Expiry warning 30 days before, at 12:00 CET on 2 March 2027',
    )
  })

  it('is the default for organisationId null, and can be asked for by a partner page', () => {
    expect(rightsSummary([getty, revoked], { organisationId: null, at }).licences).toHaveLength(2)
    expect(rightsSummary([getty, revoked], { organisationId: null, at, audience: 'partner' }).licences).toHaveLength(1)
    expect(rightsSummary([getty, revoked], { organisationId: 'acme', at, audience: 'staff' }).licences).toHaveLength(2)
  })
})
