/**
 * I/O around the one access rule (app/domain/asset-access): loads the facts the
 * rule needs and answers 404 — never 403 — so a partner cannot tell a hidden asset
 * from a missing one.
 */
import type { Db } from '~/db.server'
import type { Prisma } from '~/generated/prisma/client'
import { canViewAsset, canViewVersion, type AssetAccessFacts, type Viewer } from '~/domain/asset-access'
import { AppError } from '~/errors.server'

/** What the access rule reads of an asset. */
const accessFactsSelect = {
  id: true,
  status: true,
  currentVersionId: true,
  sharedWithAllPartners: true,
  shares: { select: { organisationId: true } },
  rightsGrants: true,
} satisfies Prisma.AssetSelect

type AssetAccessRow = Prisma.AssetGetPayload<{ select: typeof accessFactsSelect }>

function toAccessFacts(asset: AssetAccessRow): AssetAccessFacts {
  return {
    id: asset.id,
    status: asset.status,
    currentVersionId: asset.currentVersionId,
    sharedWithAllPartners: asset.sharedWithAllPartners,
    sharedOrganisationIds: asset.shares.map((share) => share.organisationId),
    rightsGrants: asset.rightsGrants,
  }
}

export async function loadAssetAccessFacts(db: Db, assetId: string): Promise<AssetAccessFacts | null> {
  const asset = await db.asset.findUnique({ where: { id: assetId }, select: accessFactsSelect })
  return asset ? toAccessFacts(asset) : null
}

/** Throws NOT_FOUND unless the viewer may see the asset now. */
export async function requireAssetAccess(db: Db, viewer: Viewer, assetId: string, at = new Date()): Promise<AssetAccessFacts> {
  const facts = await loadAssetAccessFacts(db, assetId)
  if (!facts || !canViewAsset(viewer, facts, at).allowed) throw new AppError('NOT_FOUND', 'Asset not found')
  return facts
}

/** Throws NOT_FOUND unless the viewer may see this version of the asset now. */
export async function requireVersionAccess(
  db: Db,
  viewer: Viewer,
  assetId: string,
  versionId: string,
  at = new Date(),
): Promise<AssetAccessFacts> {
  const facts = await loadAssetAccessFacts(db, assetId)
  if (!facts || !canViewVersion(viewer, facts, versionId, at).allowed) throw new AppError('NOT_FOUND', 'Asset not found')
  return facts
}

/** Filters a list of asset ids down to those the viewer may see now (used after search). */
export async function filterVisibleAssetIds(db: Db, viewer: Viewer, assetIds: string[], at = new Date()): Promise<string[]> {
  if (assetIds.length === 0) return []
  const assets = await db.asset.findMany({ where: { id: { in: assetIds } }, select: accessFactsSelect })
  const visible = new Set(
    assets.filter((asset) => canViewAsset(viewer, toAccessFacts(asset), at).allowed).map((asset) => asset.id),
  )
  return assetIds.filter((id) => visible.has(id))
}
