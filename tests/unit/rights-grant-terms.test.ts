import { describe, expect, it } from 'vitest'
import { emptyGrantDraft, grantDraftFromForm, grantDraftFromTerms, grantFieldErrors, grantTermsSchema, parseTerritoryList, type GrantDraft } from '~/rights/grant-terms'
import { grantStateName, relativeTo } from '~/rights/grant-state'

const context = { channelKeys: ['web', 'social', 'print'], partnerOrganisationIds: ['org-acme', 'org-press'] }
const schema = grantTermsSchema(context)

function draft(overrides: Partial<GrantDraft> = {}): GrantDraft {
  return { ...emptyGrantDraft('Europe/Berlin'), expiresAt: '2030-01-01T00:00', ...overrides }
}

describe('grantTermsSchema', () => {
  it('normalises a valid draft into terms', () => {
    const parsed = schema.parse(
      draft({
        licenceType: 'royalty_free',
        licenceVariant: 'ignored for royalty-free',
        licensor: '  Getty   Images ',
        channels: ['print', 'web', 'print'],
        territories: 'fr; de  WW',
        organisationIds: ['org-press', 'org-acme'],
        warnBeforeDays: '0',
        notes: '  Line one\nLine two  ',
      }),
    )
    expect(parsed).toEqual({
      licenceType: 'royalty_free',
      licenceVariant: null,
      licensor: 'Getty Images',
      reference: '',
      channels: ['web', 'print'],
      territories: ['WW'],
      organisationIds: ['org-acme', 'org-press'],
      startsAt: null,
      expiresAt: new Date('2029-12-31T23:00:00.000Z'),
      timeZone: 'Europe/Berlin',
      warnBeforeDays: 0,
      notes: 'Line one\nLine two',
    })
  })

  it('reports every problem at once, by field', () => {
    const result = schema.safeParse(
      draft({
        licenceType: 'creative_commons',
        licenceVariant: 'GPL 3',
        channels: ['telegraph'],
        territories: 'DE, EU',
        organisationIds: ['org-brand'],
        startsAt: '2031-01-01T00:00',
        warnBeforeDays: '2.5',
      }),
    )
    expect(result.success).toBe(false)
    if (result.success) return
    expect(grantFieldErrors(result.error)).toEqual({
      licenceVariant: expect.stringMatching(/“GPL 3” is not a Creative Commons variant/),
      channels: expect.stringMatching(/“telegraph” is not a rights channel/),
      territories: expect.stringMatching(/“EU” is not a territory code/),
      organisationIds: expect.stringMatching(/partner organisations/),
      expiresAt: 'The expiry must come after the start.',
      warnBeforeDays: 'Give the warning time in whole days.',
    })
  })

  it('accepts the Creative Commons variants people write', () => {
    for (const variant of ['CC0 1.0', 'cc by 4.0', 'CC BY-NC-ND 4.0', 'CC BY-SA 3.0 DE', 'CC BY 3.0 IGO', 'CC BY-NC-SA']) {
      expect(schema.safeParse(draft({ licenceType: 'creative_commons', licenceVariant: variant })).success, variant).toBe(true)
    }
    expect(schema.safeParse(draft({ licenceType: 'creative_commons', licenceVariant: '' })).success).toBe(false)
  })

  it('needs an expiry strictly after the start, and a zone it knows', () => {
    expect(schema.safeParse(draft({ startsAt: '2030-01-01T00:00' })).success).toBe(false)
    expect(schema.safeParse(draft({ startsAt: '2029-12-31T23:59' })).success).toBe(true)
    const zone = schema.safeParse(draft({ timeZone: 'CEST' }))
    expect(zone.success ? {} : grantFieldErrors(zone.error)).toEqual({ timeZone: expect.stringMatching(/time zone/) })
  })
})

describe('drafts', () => {
  it('reads a posted form, repeated checkboxes included', () => {
    const form = new FormData()
    const fields: [string, string][] = [
      ['licenceType', 'owned'],
      ['channels', 'web'],
      ['channels', 'print'],
      ['territories', 'DE, AT'],
      ['organisationIds', 'org-acme'],
      ['timeZone', 'UTC'],
      ['unrelated', 'x'],
    ]
    for (const [name, value] of fields) form.append(name, value)
    expect(grantDraftFromForm(form)).toMatchObject({ licenceType: 'owned', channels: ['web', 'print'], territories: 'DE, AT', organisationIds: ['org-acme'], startsAt: '', timeZone: 'UTC' })
  })

  it('shows stored instants in the grant’s zone', () => {
    const terms = schema.parse(draft({ startsAt: '2027-03-28T03:30', expiresAt: '2027-10-31T02:30', territories: 'de' }))
    expect(grantDraftFromTerms(terms)).toMatchObject({ startsAt: '2027-03-28T03:30', expiresAt: '2027-10-31T02:30', territories: 'DE', timeZone: 'Europe/Berlin' })
  })

  it('splits territory lists on commas, semicolons and spaces', () => {
    expect(parseTerritoryList('de,at ; ch  DE')).toEqual({ codes: ['DE', 'AT', 'CH'], invalid: [] })
    expect(parseTerritoryList(['gb', 'UK'])).toEqual({ codes: ['GB'], invalid: ['UK'] })
    expect(parseTerritoryList('')).toEqual({ codes: [], invalid: [] })
  })
})

describe('grantStateName', () => {
  const window = { startsAt: null, expiresAt: new Date('2027-04-10T22:00:00Z'), revokedAt: null, timeZone: 'Europe/Berlin', warnBeforeDays: 30 }

  it('names the badge states', () => {
    expect(grantStateName(window, new Date('2027-02-01T00:00:00Z'))).toBe('in_force')
    // The warning comes 30 calendar days before expiry in Berlin: 11 March, 23:00 CET.
    expect(grantStateName(window, new Date('2027-03-11T21:59:00Z'))).toBe('in_force')
    expect(grantStateName(window, new Date('2027-03-11T23:00:00Z'))).toBe('expiring_soon')
    expect(grantStateName(window, new Date('2027-04-10T22:00:00Z'))).toBe('expired')
    expect(grantStateName({ ...window, warnBeforeDays: 0 }, new Date('2027-04-10T21:00:00Z'))).toBe('in_force')
    expect(grantStateName({ ...window, startsAt: new Date('2027-03-01T00:00:00Z') }, new Date('2027-02-01T00:00:00Z'))).toBe('embargoed')
    expect(grantStateName({ ...window, revokedAt: new Date('2027-02-01T00:00:00Z') }, new Date('2027-02-01T00:00:00Z'))).toBe('revoked')
  })

  it('says how far away a change is', () => {
    const now = new Date('2027-02-01T00:00:00Z')
    expect(relativeTo(new Date('2027-02-01T00:20:00Z'), now)).toBe('within the hour')
    expect(relativeTo(new Date('2027-02-01T05:00:00Z'), now)).toBe('in 5 hours')
    expect(relativeTo(new Date('2027-02-11T00:00:00Z'), now)).toBe('in 10 days')
    expect(relativeTo(new Date('2027-01-30T00:00:00Z'), now)).toBe('2 days ago')
  })
})
