import type { Db } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { AppError } from '~/errors.server'
import { reindexAsset, type getSearchClient } from '~/search.server'
import type { VersionStatus } from '~/generated/prisma/client'

export type PromoteVersionOptions = {
  db: Db
  versionId: string
  /** The review that approved the version; it is closed as approved in the same transaction. */
  reviewId: string | null
  /** Who made the promotion happen (the reviewer whose approval completed the last stage). */
  promotedById: string | null
  /** Search client to reindex with; the process-wide one by default. */
  search?: ReturnType<typeof getSearchClient>
}

export type PromoteVersionResult = {
  assetId: string
  /** False when the version was already the asset's current version (nothing changed). */
  promoted: boolean
  previousVersionId: string | null
}

/** Versions a review may promote: the one under review, or one approved but not yet current. */
const PROMOTABLE: readonly VersionStatus[] = ['in_review', 'approved']

/**
 * Makes an approved version the asset's current one. In one transaction: the asset
 * points at the version, the version is approved (promoted at/by), the previous
 * current version is superseded, the review is closed as approved, and the audit
 * rows are appended. Idempotent: promoting the current version changes nothing and
 * writes no audit row. The asset is then reindexed (every time, so a retry after a
 * failed reindex converges).
 */
export async function promoteVersion({
  db,
  versionId,
  reviewId,
  promotedById,
  search,
}: PromoteVersionOptions): Promise<PromoteVersionResult> {
  const result = await db.$transaction(async (tx) => {
    const version = await tx.assetVersion.findUnique({
      where: { id: versionId },
      select: { id: true, assetId: true, status: true, number: true },
    })
    if (!version) throw new AppError('NOT_FOUND', `Version ${versionId} does not exist`)

    // Serialise promotions of the same asset: the current version is read and replaced under this lock.
    await tx.$queryRaw`SELECT id FROM "Asset" WHERE id = ${version.assetId} FOR UPDATE`
    const asset = await tx.asset.findUniqueOrThrow({
      where: { id: version.assetId },
      select: { id: true, currentVersionId: true },
    })
    if (asset.currentVersionId === versionId) {
      return { assetId: asset.id, promoted: false, previousVersionId: null }
    }
    if (!PROMOTABLE.includes(version.status)) {
      throw new AppError('CONFLICT', `Version ${version.number} cannot be promoted: it is ${version.status.replace('_', ' ')}`)
    }

    const now = new Date()
    const previousVersionId = asset.currentVersionId
    if (previousVersionId) {
      await tx.assetVersion.update({ where: { id: previousVersionId }, data: { status: 'superseded' } })
    }
    await tx.asset.update({ where: { id: asset.id }, data: { currentVersionId: versionId } })
    await tx.assetVersion.update({
      where: { id: versionId },
      data: { status: 'approved', promotedAt: now, promotedById },
    })
    if (reviewId) {
      const closed = await tx.review.updateMany({
        where: { id: reviewId, status: 'in_progress' },
        data: { status: 'approved', endedAt: now, outcomeReason: null },
      })
      if (closed.count > 0) {
        await appendAuditEvent(tx, {
          actorId: promotedById,
          action: 'review.end',
          subjectType: 'review',
          subjectId: reviewId,
          detail: { versionId, assetId: asset.id, outcome: 'approved' },
        })
      }
    }
    await appendAuditEvent(tx, {
      actorId: promotedById,
      action: 'version.promote',
      subjectType: 'version',
      subjectId: versionId,
      detail: { assetId: asset.id, versionNumber: version.number, reviewId, previousVersionId },
    })
    return { assetId: asset.id, promoted: true, previousVersionId }
  })

  await reindexAsset(db, result.assetId, search)
  return result
}
