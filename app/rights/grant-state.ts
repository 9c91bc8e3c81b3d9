/**
 * Where a grant stands at an instant, as legal's badges name it: the domain's state
 * (~/domain/rights `grantState`, the one rule) with "expiring soon" picked out of "in
 * force" once the grant's warning time has come (`expiryWarningAt`, calendar days in
 * the grant's zone). Pure.
 */
import { expiryWarningAt, grantState, type RightsGrantTerms } from '~/domain/rights'

export const GRANT_STATES = ['in_force', 'expiring_soon', 'embargoed', 'never_in_force', 'expired', 'revoked'] as const
export type GrantStateName = (typeof GRANT_STATES)[number]

export type GrantWindow = Pick<RightsGrantTerms, 'startsAt' | 'expiresAt' | 'revokedAt' | 'timeZone' | 'warnBeforeDays'>

export function grantStateName(grant: GrantWindow, at: Date): GrantStateName {
  // Only the window matters here; what the grant covers does not.
  const terms: RightsGrantTerms = { id: '', licenceType: '', channels: [], territories: [], organisationIds: [], ...grant }
  const { state } = grantState(terms, at)
  if (state !== 'in_force') return state
  const warnAt = expiryWarningAt(terms)
  return warnAt && warnAt.getTime() <= at.getTime() ? 'expiring_soon' : 'in_force'
}

export const GRANT_STATE_LABELS: Record<GrantStateName, string> = {
  in_force: 'In force',
  expiring_soon: 'Expiring soon',
  embargoed: 'Embargoed',
  never_in_force: 'Never in force',
  expired: 'Expired',
  revoked: 'Revoked',
}

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

/** "in 3 days", "in 5 hours", "2 days ago": how far `target` is from `at`, roughly. */
export function relativeTo(target: Date, at: Date): string {
  const diff = target.getTime() - at.getTime()
  const abs = Math.abs(diff)
  if (abs < HOUR_MS) return diff >= 0 ? 'within the hour' : 'under an hour ago'
  const hours = Math.round(abs / HOUR_MS)
  const days = Math.round(abs / DAY_MS)
  const amount = hours < 48 ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : `${days} days`
  return diff >= 0 ? `in ${amount}` : `${amount} ago`
}
