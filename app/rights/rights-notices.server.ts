/**
 * The words for a rights change point (warning, expiry, revocation, start), as the
 * rights-window workflow's notifications and takedown notices use them.
 */
import type { RightsChange } from '../../workflows/rights-window'

export type RightsChangeFacts = {
  asset: { title: string }
  grant: { licenceType: string; licenceVariant: string | null; licensor: string; reference: string; timeZone: string; expiresAt: Date | null }
  change: RightsChange
}

const LICENCE_NAMES: Record<string, string> = {
  owned: 'owned-rights',
  royalty_free: 'royalty-free',
  rights_managed: 'rights-managed',
  editorial_only: 'editorial-only',
  creative_commons: 'Creative Commons',
}

export function describeRightsChange({ asset, grant, change }: RightsChangeFacts): { title: string; body: string } {
  const licence = [
    `the ${grant.licenceType === 'creative_commons' && grant.licenceVariant ? grant.licenceVariant : (LICENCE_NAMES[grant.licenceType] ?? grant.licenceType)} licence`,
    grant.licensor ? ` from ${grant.licensor}` : '',
    grant.reference ? ` (ref. ${grant.reference})` : '',
  ].join('')
  const when = formatInZone(new Date(change.at), grant.timeZone)
  switch (change.kind) {
    case 'warn':
      return {
        title: `Rights expiring: "${asset.title}"`,
        body: `${capitalise(licence)} expires on ${grant.expiresAt ? formatInZone(grant.expiresAt, grant.timeZone) : when}. Extend it or plan the takedown.`,
      }
    case 'expiry':
      return { title: `Rights expired: "${asset.title}"`, body: `${capitalise(licence)} expired on ${when}. Uses it covered are blocked.` }
    case 'revocation':
      return { title: `Rights revoked: "${asset.title}"`, body: `${capitalise(licence)} was revoked on ${when}. Uses it covered are blocked.` }
    case 'start':
      return { title: `Rights in force: "${asset.title}"`, body: `${capitalise(licence)} took effect on ${when}.` }
  }
}

function formatInZone(at: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone, timeZoneName: 'short',
    }).format(at)
  } catch {
    return at.toISOString()
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
