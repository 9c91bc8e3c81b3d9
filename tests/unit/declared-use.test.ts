/**
 * The pure parts of declared use, the portal's download form and the ledger chart:
 * who is refused, what the form offers and preselects, how a declared use is read
 * from a form, how downloads fall into weeks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { niceCeiling } from '~/components/portal/chart-scale'
import type { Viewer } from '~/domain/asset-access'
import { permittedUses, type RightsGrantTerms } from '~/domain/rights'
import { downloadFormFor } from '~/portal/asset-page.server'
import { DeclaredUseSchema, judgeDeclaredUse, labelInSentence } from '~/rights/declared-use.server'
import { weeklySeries, weekStartUtc } from '~/rights/download-ledger.server'
import { grantTerms } from '../support/rights-grant-terms'

const at = new Date('2027-03-03T12:00:00Z')
const partner: Viewer = { userId: 'u1', roles: ['partner'], organisationId: 'acme' }
const legal: Viewer = { userId: 'u2', roles: ['legal'], organisationId: 'brand' }

const grant = grantTerms

const CHANNELS = [
  { key: 'web', label: 'Web' },
  { key: 'social', label: 'Social media' },
  { key: 'print', label: 'Print' },
]

describe('judgeDeclaredUse', () => {
  const webInGermany = [grant({ channels: ['web'], territories: ['DE'], organisationIds: ['acme'] })]

  it('lets a partner download for a covered use', () => {
    expect(judgeDeclaredUse(webInGermany, { viewer: partner, use: { channel: 'web', territory: 'DE' }, at })).toMatchObject({
      allowed: true,
      covered: true,
    })
  })

  it('refuses a partner outside the grants, with evaluateUse’s reason in the channel’s words', () => {
    const names = { channel: (key: string) => (key === 'social' ? 'social media' : undefined) }
    expect(judgeDeclaredUse(webInGermany, { viewer: partner, use: { channel: 'social', territory: 'DE' }, at, names })).toEqual({
      allowed: false,
      reason: 'Not licensed for social media',
    })
    expect(judgeDeclaredUse(webInGermany, { viewer: partner, use: { channel: 'web', territory: 'FR' }, at })).toEqual({
      allowed: false,
      reason: 'Not licensed in France',
    })
    const other: Viewer = { ...partner, organisationId: 'bolt' }
    expect(judgeDeclaredUse(webInGermany, { viewer: other, use: { channel: 'web', territory: 'DE' }, at })).toEqual({
      allowed: false,
      reason: 'Not licensed for your organisation',
    })
  })

  it('never refuses staff, but says whether the use is covered', () => {
    expect(judgeDeclaredUse(webInGermany, { viewer: legal, use: { channel: 'print', territory: 'JP' }, at })).toEqual({
      allowed: true,
      covered: false,
      reason: 'Not licensed for print',
    })
    // Staff count as no organisation: an organisation-only grant covers their use.
    expect(judgeDeclaredUse(webInGermany, { viewer: legal, use: { channel: 'web', territory: 'DE' }, at })).toMatchObject({ covered: true })
  })

  it('property: a partner is refused exactly when the use lies outside what permittedUses and evaluateUse allow', () => {
    const channel = fc.constantFrom('web', 'social', 'print')
    const territory = fc.constantFrom('DE', 'FR', 'GB', 'WW')
    const grantArb = fc.record({
      channels: fc.subarray(['web', 'social', 'print']),
      territories: fc.subarray(['DE', 'FR', 'GB']),
      organisationIds: fc.subarray(['acme', 'bolt']),
      expired: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(grantArb, { minLength: 1, maxLength: 3 }), channel, territory, (specs, useChannel, useTerritory) => {
        const grants = specs.map((spec, index) =>
          grant({ id: `g${index}`, ...spec, expiresAt: spec.expired ? new Date(at.getTime() - 1) : null }),
        )
        const decision = judgeDeclaredUse(grants, { viewer: partner, use: { channel: useChannel, territory: useTerritory }, at })
        const permitted = permittedUses(grants, { organisationId: 'acme', at })
        // What the form offers is a superset of what is allowed: nothing allowed is ever missing from it.
        if (decision.allowed) {
          expect(permitted.anyChannel || permitted.channels.includes(useChannel)).toBe(true)
          expect(permitted.worldwide || (useTerritory !== 'WW' && permitted.territories.includes(useTerritory))).toBe(true)
        }
        // Staff are never refused, whatever the grants.
        expect(judgeDeclaredUse(grants, { viewer: legal, use: { channel: useChannel, territory: useTerritory }, at }).allowed).toBe(true)
      }),
    )
  })
})

describe('DeclaredUseSchema', () => {
  it('accepts a channel key and a territory code in any case, upper-casing the code', () => {
    expect(DeclaredUseSchema.parse({ channel: ' web ', territory: 'de' })).toEqual({ channel: 'web', territory: 'DE' })
    expect(DeclaredUseSchema.parse({ channel: 'print', territory: 'ww' })).toEqual({ channel: 'print', territory: 'WW' })
  })

  it('refuses a missing channel and a territory that is not an assigned code', () => {
    expect(DeclaredUseSchema.safeParse({ channel: '', territory: 'DE' }).success).toBe(false)
    expect(DeclaredUseSchema.safeParse({ channel: 'web' }).success).toBe(false)
    for (const territory of ['XX', 'EU', 'UK', 'DEU', '']) {
      expect(DeclaredUseSchema.safeParse({ channel: 'web', territory }).success, territory).toBe(false)
    }
  })
})

describe('labelInSentence', () => {
  it('lower-cases a sentence-case label and keeps brand capitals', () => {
    expect(labelInSentence('Social media')).toBe('social media')
    expect(labelInSentence('Web')).toBe('web')
    expect(labelInSentence('TikTok')).toBe('TikTok')
    expect(labelInSentence('OOH')).toBe('OOH')
  })
})

describe('downloadFormFor', () => {
  it('offers a partner only the channels and territories their grants in force allow, worldwide first when it may be declared', () => {
    const grants = [grant({ channels: ['web', 'print'], territories: ['FR', 'DE'], organisationIds: ['acme'] })]
    const form = downloadFormFor({ staff: false, permitted: permittedUses(grants, { organisationId: 'acme', at }), channels: CHANNELS, remembered: null })
    expect(form.channels.map((channel) => channel.key)).toEqual(['web', 'print'])
    // Sorted by name: France before Germany.
    expect(form.territories).toEqual([
      { code: 'FR', name: 'France' },
      { code: 'DE', name: 'Germany' },
    ])
    expect(form.selected).toEqual({ channel: '', territory: '' })
    expect(form.nothingPermitted).toBe(false)

    const anywhere = downloadFormFor({ staff: false, permitted: permittedUses([grant()], { organisationId: 'acme', at }), channels: CHANNELS, remembered: null })
    expect(anywhere.channels).toHaveLength(3)
    expect(anywhere.territories[0]).toEqual({ code: 'WW', name: 'Worldwide' })
    expect(anywhere.territories).toHaveLength(250)
  })

  it('preselects the remembered use where the options hold it, each part on its own, and a single option', () => {
    const grants = [grant({ channels: ['web'], territories: ['DE', 'FR'] })]
    const permitted = permittedUses(grants, { organisationId: 'acme', at })
    expect(downloadFormFor({ staff: false, permitted, channels: CHANNELS, remembered: { channel: 'print', territory: 'DE' } }).selected).toEqual({
      channel: 'web',
      territory: 'DE',
    })
    expect(downloadFormFor({ staff: false, permitted, channels: CHANNELS, remembered: { channel: 'web', territory: 'JP' } }).selected).toEqual({
      channel: 'web',
      territory: '',
    })
  })

  it('offers nothing when no grant is in force for the partner, and everything to staff', () => {
    const expired = [grant({ expiresAt: new Date(at.getTime() - 1) })]
    const partnerForm = downloadFormFor({ staff: false, permitted: permittedUses(expired, { organisationId: 'acme', at }), channels: CHANNELS, remembered: null })
    expect(partnerForm).toMatchObject({ nothingPermitted: true, channels: [], territories: [] })
    const staffForm = downloadFormFor({
      staff: true,
      permitted: permittedUses(expired, { organisationId: null, at }),
      channels: CHANNELS,
      remembered: { channel: 'print', territory: 'JP' },
    })
    expect(staffForm).toMatchObject({ nothingPermitted: false, forStaff: true, selected: { channel: 'print', territory: 'JP' } })
    expect(staffForm.channels).toHaveLength(3)
  })
})

describe('downloads per week', () => {
  it('starts weeks on Monday, UTC', () => {
    expect(weekStartUtc(new Date('2027-03-03T12:00:00Z'))).toBe('2027-03-01') // Wednesday
    expect(weekStartUtc(new Date('2027-03-01T00:00:00Z'))).toBe('2027-03-01') // Monday midnight
    expect(weekStartUtc(new Date('2027-02-28T23:59:59Z'))).toBe('2027-02-22') // Sunday night
    expect(weekStartUtc(new Date('2027-01-01T08:00:00Z'))).toBe('2026-12-28') // across the new year
  })

  it('fills the weeks without downloads with zeros and ignores counts outside the range', () => {
    const series = weeklySeries(
      [
        { weekStart: '2027-02-15', count: 4 },
        { weekStart: '2027-03-01', count: 1 },
        { weekStart: '2026-01-05', count: 99 },
      ],
      { at, weeks: 4 },
    )
    expect(series).toEqual([
      { weekStart: '2027-02-08', count: 0 },
      { weekStart: '2027-02-15', count: 4 },
      { weekStart: '2027-02-22', count: 0 },
      { weekStart: '2027-03-01', count: 1 },
    ])
  })

  it('property: consecutive Mondays, the last one the week of `at`', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: 1, max: 60 }), (instant, weeks) => {
        const series = weeklySeries([], { at: instant, weeks })
        expect(series).toHaveLength(weeks)
        expect(series[series.length - 1]?.weekStart).toBe(weekStartUtc(instant))
        for (const [index, week] of series.entries()) {
          expect(new Date(`${week.weekStart}T00:00:00Z`).getUTCDay()).toBe(1)
          if (index > 0) expect(Date.parse(week.weekStart) - Date.parse(series[index - 1]!.weekStart)).toBe(7 * 86_400_000)
        }
      }),
    )
  })

  it('scales the chart to a round number at or above the busiest week', () => {
    expect([0, 1, 2, 3, 5, 6, 7, 10, 11, 49, 50, 79, 81, 480].map(niceCeiling)).toEqual([1, 1, 2, 4, 6, 6, 8, 10, 20, 60, 60, 80, 100, 600])
    for (let max = 2; max < 5000; max += 1) {
      const top = niceCeiling(max)
      expect(top).toBeGreaterThanOrEqual(max)
      expect(Number.isInteger(top / 2)).toBe(true)
    }
  })
})
