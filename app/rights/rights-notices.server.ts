/**
 * The words for a rights change point (warning, expiry, revocation, start), as the
 * rights-window workflow's notifications and takedown notices use them. The licence
 * and the dates are worded by the rights rule itself (app/domain/rights.ts).
 */
import { describeLicence, formatRightsDate, formatRightsInstant, type RightsGrantTerms } from '~/domain/rights'
import type { RightsChange } from '../../workflows/rights-window'

export type RightsChangeFacts = {
  asset: { title: string }
  grant: RightsGrantTerms
  change: RightsChange
}

export function describeRightsChange({ asset, grant, change }: RightsChangeFacts): { title: string; body: string } {
  const licence = capitalise(describeLicence(grant))
  const at = new Date(change.at)
  switch (change.kind) {
    case 'warn':
      return {
        title: `Rights expiring: "${asset.title}"`,
        body: `${licence} expires at ${formatRightsInstant(grant.expiresAt ?? at, grant.timeZone)}. Extend it or plan the takedown.`,
      }
    case 'expiry':
      return { title: `Rights expired: "${asset.title}"`, body: `${licence} expired on ${formatRightsDate(at, grant.timeZone)}. Uses it covered are blocked.` }
    case 'revocation':
      return { title: `Rights revoked: "${asset.title}"`, body: `${licence} was revoked on ${formatRightsDate(at, grant.timeZone)}. Uses it covered are blocked.` }
    case 'start':
      return { title: `Rights in force: "${asset.title}"`, body: `${licence} took effect at ${formatRightsInstant(at, grant.timeZone)}.` }
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
