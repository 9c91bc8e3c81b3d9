/**
 * What the library asset page shows for the selected version beside its preview: the
 * focal point (and whether the viewer may move it), the admin presets it can be had in,
 * and, for a new upload that looks like an existing asset, the "looks like X" prompt.
 * The page's loader has already applied the access rule (staff only).
 */
import { findDuplicateCandidate, type DuplicateCandidate } from '~/assets/duplicates.server'
import { presetLinksFor, type PresetLink } from '~/assets/preset-renditions.server'
import type { Db } from '~/db.server'
import { focalPointOf, type FocalPoint } from '~/domain/focal-crop'
import { hasPermission, type RoleName } from '~/domain/roles'

export type VersionTools = {
  versionId: string
  focal: FocalPoint | null
  /** The picture the focal point is set on (the preview rendition); null until ingest made it, or for non-images. */
  focalImageUrl: string | null
  canSetFocal: boolean
  presetLinks: PresetLink[]
  duplicate: DuplicateCandidate | null
}

export async function getVersionTools({ db, assetId, versionId, roles }: { db: Db; assetId: string; versionId: string | null; roles: readonly RoleName[] }): Promise<VersionTools | null> {
  if (!versionId) return null
  const version = await db.assetVersion.findFirst({
    where: { id: versionId, assetId },
    select: { id: true, mediaType: true, focalX: true, focalY: true, asset: { select: { status: true } }, renditions: { where: { preset: 'preview' }, select: { id: true } } },
  })
  if (!version) return null
  const image = version.mediaType.startsWith('image/')
  const [presetLinks, duplicate] = await Promise.all([presetLinksFor({ db, assetId, versionId }), findDuplicateCandidate({ db, versionId })])
  return {
    versionId: version.id,
    focal: focalPointOf(version.focalX, version.focalY),
    focalImageUrl: image && version.renditions.length > 0 ? `/assets/${assetId}/versions/${version.id}/renditions/preview` : null,
    canSetFocal: image && version.asset.status === 'active' && hasPermission(roles, 'asset:edit'),
    presetLinks,
    duplicate,
  }
}
