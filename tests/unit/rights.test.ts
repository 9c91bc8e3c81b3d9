import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateUse, unspecifiedUseWindow, usableInterval, type RightsGrantTerms } from '~/domain/rights'

const at = new Date('2027-03-01T12:00:00Z')

function grant(overrides: Partial<RightsGrantTerms> = {}): RightsGrantTerms {
  return {
    id: 'g1',
    licenceType: 'rights_managed',
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

describe('evaluateUse', () => {
  it('allows an asset with no grants (brand-owned, unrestricted)', () => {
    expect(evaluateUse([], { at, organisationId: 'acme' }).allowed).toBe(true)
  })

  it('allows inside the window and refuses at the exact expiry instant', () => {
    const expiresAt = new Date('2027-03-01T12:00:00Z')
    const grants = [grant({ expiresAt })]
    expect(evaluateUse(grants, { at: new Date(expiresAt.getTime() - 1), organisationId: 'acme' }).allowed).toBe(true)
    const verdict = evaluateUse(grants, { at: expiresAt, organisationId: 'acme' })
    expect(verdict).toEqual({ allowed: false, reason: 'Licence expired on 1 March 2027 at 12:00 UTC.' })
  })

  it('explains an embargo in the grant time zone', () => {
    const startsAt = new Date('2027-05-05T08:00:00Z')
    const verdict = evaluateUse([grant({ startsAt, timeZone: 'Europe/Paris' })], { at, organisationId: null })
    expect(verdict.allowed).toBe(false)
    expect(verdict.reason).toBe('Embargoed until 5 May 2027 at 10:00 CEST.')
  })

  it('refuses organisations, channels and territories outside the grant, with a reason', () => {
    const grants = [grant({ organisationIds: ['acme'], channels: ['web'], territories: ['GB', 'DE'] })]
    expect(evaluateUse(grants, { at, organisationId: 'other' }).reason).toBe('Not licensed for your organisation.')
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'print' }).reason).toBe('Not licensed for print use.')
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: 'JP' }).reason).toBe(
      'Not licensed in JP.',
    )
    expect(evaluateUse(grants, { at, organisationId: 'acme', channel: 'web', territory: 'de' }).allowed).toBe(true)
  })

  it('does not let a grant limited to some channels or territories cover an undeclared use', () => {
    const printInGermany = [grant({ channels: ['print'], territories: ['DE'] })]
    expect(evaluateUse(printInGermany, { at, organisationId: 'acme' })).toEqual({
      allowed: false,
      reason: 'Licensed only for print use.',
    })
    expect(evaluateUse(printInGermany, { at, organisationId: 'acme', channel: 'print' })).toEqual({
      allowed: false,
      reason: 'Licensed only in DE.',
    })
    expect(evaluateUse(printInGermany, { at, organisationId: 'acme', channel: 'print', territory: 'DE' }).allowed).toBe(true)
    const webOrSocial = [grant({ id: 'a', channels: ['web'] }), grant({ id: 'b', channels: ['social', 'web'] })]
    expect(evaluateUse(webOrSocial, { at, organisationId: 'acme' }).reason).toBe('Licensed only for web and social use.')
  })

  it('treats WW as worldwide and a revoked grant as closed', () => {
    expect(evaluateUse([grant({ territories: ['WW'] })], { at, organisationId: 'a', territory: 'JP' }).allowed).toBe(true)
    const revoked = evaluateUse([grant({ revokedAt: new Date(at.getTime() - 1000) })], { at, organisationId: 'a' })
    expect(revoked).toEqual({ allowed: false, reason: 'The licence was revoked.' })
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

  it('gives the index no window when only use-restricted grants exist', () => {
    expect(unspecifiedUseWindow([grant({ channels: ['print'] })], at)).toEqual({ interval: null, organisationIds: [] })
    expect(unspecifiedUseWindow([grant({ organisationIds: ['acme'] })], at).organisationIds).toEqual(['acme'])
    expect(unspecifiedUseWindow([], at).organisationIds).toBeNull()
  })

  it('property: what the index promises for an undeclared use, evaluateUse allows', () => {
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
          expect(evaluateUse(grants, { at: new Date(queryAt), organisationId }).allowed).toBe(true)
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
