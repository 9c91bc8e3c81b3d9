import type { RightsGrantTerms } from '~/domain/rights'

/** A grant for unit tests: rights-managed, every channel, worldwide, every partner, open-ended, UTC. */
export function grantTerms(overrides: Partial<RightsGrantTerms> = {}): RightsGrantTerms {
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
