/**
 * Who may see an asset: the one authorisation rule every read path applies
 * (pages, search, renditions, downloads, share links, API).
 *
 * A partner sees an asset only if it is approved (has a promoted current version),
 * active, shared with the partner's organisation, and its rights allow that
 * organisation some use now (a grant for print in Germany counts: the partner sees
 * the asset with its rights summary and may download it for print in Germany). A
 * download is checked against its declared use. Brand staff see everything.
 */
import { evaluateBrowsing, type RightsGrantTerms } from './rights'
import { isStaff, type RoleName } from './roles'

export type Viewer = {
  userId: string
  roles: readonly RoleName[]
  /** The organisation the viewer acts for. */
  organisationId: string
}

export type AssetAccessFacts = {
  id: string
  status: 'active' | 'archived'
  currentVersionId: string | null
  sharedWithAllPartners: boolean
  sharedOrganisationIds: readonly string[]
  rightsGrants: readonly RightsGrantTerms[]
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string }

export function canViewAsset(viewer: Viewer, asset: AssetAccessFacts, at: Date): AccessDecision {
  if (isStaff(viewer.roles)) return { allowed: true }
  if (asset.status !== 'active') return { allowed: false, reason: 'The asset is archived.' }
  if (!asset.currentVersionId) return { allowed: false, reason: 'The asset has no approved version.' }
  if (!asset.sharedWithAllPartners && !asset.sharedOrganisationIds.includes(viewer.organisationId)) {
    return { allowed: false, reason: 'The asset is not shared with your organisation.' }
  }
  const verdict = evaluateBrowsing(asset.rightsGrants, { at, organisationId: viewer.organisationId })
  if (!verdict.allowed) return { allowed: false, reason: verdict.reason }
  return { allowed: true }
}

/**
 * Versions other than the current one (drafts in review, superseded ones) are for
 * brand staff only; partners reach just the promoted version of an asset they may see.
 */
export function canViewVersion(viewer: Viewer, asset: AssetAccessFacts, versionId: string, at: Date): AccessDecision {
  const assetDecision = canViewAsset(viewer, asset, at)
  if (!assetDecision.allowed) return assetDecision
  if (isStaff(viewer.roles)) return { allowed: true }
  if (asset.currentVersionId !== versionId) return { allowed: false, reason: 'That version is not published.' }
  return { allowed: true }
}
