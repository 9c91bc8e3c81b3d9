/**
 * Retiring an asset (archive) and bringing it back (restore). An archived asset is
 * refused on every read path at once (~/domain/asset-access); its channels then take
 * it down, and a restore lets them publish it again. Audited; reindexed.
 */
import type { Db } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { signalDistributionsOfAsset } from '~/distribution/distribution-signals.server'
import { AppError } from '~/errors.server'
import { reindexAsset, type getSearchClient } from '~/search.server'

export type ArchiveAssetOptions = {
  db: Db
  assetId: string
  actorId: string
  ipAddress?: string | null
  search?: ReturnType<typeof getSearchClient>
}

export type ArchiveAssetResult = { changed: boolean; channelsSignalled: boolean }

export function archiveAsset(options: ArchiveAssetOptions): Promise<ArchiveAssetResult> {
  return setAssetStatus(options, 'archived')
}

export function restoreAsset(options: ArchiveAssetOptions): Promise<ArchiveAssetResult> {
  return setAssetStatus(options, 'active')
}

async function setAssetStatus({ db, assetId, actorId, ipAddress, search }: ArchiveAssetOptions, status: 'active' | 'archived'): Promise<ArchiveAssetResult> {
  const changed = await db.$transaction(async (tx) => {
    const asset = await tx.asset.findUnique({ where: { id: assetId }, select: { status: true } })
    if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
    if (asset.status === status) return false
    await tx.asset.update({ where: { id: assetId }, data: { status } })
    await appendAuditEvent(tx, {
      actorId,
      ipAddress,
      action: status === 'archived' ? 'asset.archive' : 'asset.restore',
      subjectType: 'asset',
      subjectId: assetId,
      detail: {},
    })
    return true
  })
  await reindexAsset(db, assetId, search)
  try {
    // Every time, so repeating the action after a Temporal outage reaches the channels.
    await signalDistributionsOfAsset(db, { assetId, cause: { kind: 'asset_changed', actorId } })
    return { changed, channelsSignalled: true }
  } catch (error) {
    console.error(`Asset ${assetId} is ${status}, but its channels could not be told`, error)
    return { changed, channelsSignalled: false }
  }
}
