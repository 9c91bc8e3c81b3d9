/**
 * What a share link may open, as pure rules (no I/O, every instant passed in).
 *
 * A link opens only while the link itself is usable (not revoked, not expired, its
 * download limit not reached) and the asset passes the one access rule for the
 * link's recipient. Whoever holds a link is treated as a partner of no particular
 * organisation: only assets shared with every partner, and only grants open to every
 * organisation, count. The asset rule is `canViewAsset` itself, not a copy of it.
 */
import { canViewAsset, type AccessDecision, type AssetAccessFacts, type Viewer } from '~/domain/asset-access'

/**
 * The viewer a link stands for. No organisation id is empty (they are cuids), so
 * this viewer matches no per-organisation share and no per-organisation grant.
 */
export const SHARE_LINK_RECIPIENT: Viewer = Object.freeze({ userId: '', roles: Object.freeze(['partner'] as const), organisationId: '' })

/** The organisation id to evaluate rights and summaries with for a link's recipient. */
export const SHARE_LINK_ORGANISATION_ID = SHARE_LINK_RECIPIENT.organisationId

export const MIN_SHARE_LINK_HOURS = 1
export const MAX_SHARE_LINK_HOURS = 90 * 24

export type ShareLinkFacts = {
  expiresAt: Date
  revokedAt: Date | null
  downloadLimit: number | null
  downloadCount: number
}

export type ShareLinkState = 'active' | 'revoked' | 'expired' | 'used_up'

/** Where a link stands at an instant. Revocation wins over expiry: it is the deliberate act. */
export function shareLinkState(link: ShareLinkFacts, at: Date): ShareLinkState {
  if (link.revokedAt && link.revokedAt.getTime() <= at.getTime()) return 'revoked'
  if (link.expiresAt.getTime() <= at.getTime()) return 'expired'
  if (link.downloadLimit !== null && link.downloadCount >= link.downloadLimit) return 'used_up'
  return 'active'
}

/** Downloads left under the limit; null when there is no limit. */
export function downloadsLeft(link: Pick<ShareLinkFacts, 'downloadLimit' | 'downloadCount'>): number | null {
  return link.downloadLimit === null ? null : Math.max(0, link.downloadLimit - link.downloadCount)
}

/** Whether the asset may be shown to a link's recipient now (the one rule, for that recipient). */
export function canShareAsset(asset: AssetAccessFacts, at: Date): AccessDecision {
  return canViewAsset(SHARE_LINK_RECIPIENT, asset, at)
}

/** The whole check a link's every request makes: the link usable and the asset allowed, now. */
export function canOpenShareLink(link: ShareLinkFacts, asset: AssetAccessFacts, at: Date): boolean {
  return shareLinkState(link, at) === 'active' && canShareAsset(asset, at).allowed
}
