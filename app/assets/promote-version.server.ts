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
  /** False when nothing became current: see `reason`. */
  promoted: boolean
  previousVersionId: string | null
  /**
   * Why nothing became current: `already_current` (a repeat, nothing changed) or
   * `newer_version_current` (the version was approved, but a higher-numbered one is
   * live, so it was marked superseded instead). Absent when promoted.
   */
  reason?: 'already_current' | 'newer_version_current'
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
 *
 * An approval never replaces a newer live version: when the asset's current
 * version has a higher number (an older review finished late, or an admin rolled
 * forward meanwhile), the version is superseded instead — approved, but not live —
 * and its review still closes as approved, so it can be rolled back to later.
 */
export async function promoteVersion({
  db,
  versionId,
  reviewId,
  promotedById,
  search,
}: PromoteVersionOptions): Promise<PromoteVersionResult> {
  const result = await db.$transaction(async (tx): Promise<PromoteVersionResult> => {
    const version = await tx.assetVersion.findUnique({
      where: { id: versionId },
      select: { id: true, assetId: true, status: true, number: true },
    })
    if (!version) throw new AppError('NOT_FOUND', `Version ${versionId} does not exist`)

    // Serialise promotions of the same asset: the current version is read and replaced under this lock.
    await tx.$queryRaw`SELECT id FROM "Asset" WHERE id = ${version.assetId} FOR UPDATE`
    const asset = await tx.asset.findUniqueOrThrow({
      where: { id: version.assetId },
      select: { id: true, currentVersionId: true, currentVersion: { select: { number: true } } },
    })
    if (asset.currentVersionId === versionId) {
      return { assetId: asset.id, promoted: false, previousVersionId: null, reason: 'already_current' }
    }
    const newerCurrent = asset.currentVersion !== null && asset.currentVersion.number > version.number
    // A retry of a promotion that already ended superseded finds it so: nothing more to do.
    if (newerCurrent && version.status === 'superseded') {
      return { assetId: asset.id, promoted: false, previousVersionId: null, reason: 'newer_version_current' }
    }
    if (!PROMOTABLE.includes(version.status)) {
      throw new AppError('CONFLICT', `Version ${version.number} cannot be promoted: it is ${version.status.replace('_', ' ')}`)
    }

    const now = new Date()
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

    if (newerCurrent) {
      await tx.assetVersion.update({ where: { id: versionId }, data: { status: 'superseded' } })
      await appendAuditEvent(tx, {
        actorId: promotedById,
        action: 'version.promote',
        subjectType: 'version',
        subjectId: versionId,
        detail: {
          assetId: asset.id,
          versionNumber: version.number,
          reviewId,
          promoted: false,
          outcome: 'superseded',
          reason: `Approved, but version ${asset.currentVersion?.number} is newer and stays current`,
          currentVersionId: asset.currentVersionId,
        },
      })
      return { assetId: asset.id, promoted: false, previousVersionId: null, reason: 'newer_version_current' }
    }

    const previousVersionId = asset.currentVersionId
    if (previousVersionId) {
      await tx.assetVersion.update({ where: { id: previousVersionId }, data: { status: 'superseded' } })
    }
    await tx.asset.update({ where: { id: asset.id }, data: { currentVersionId: versionId } })
    await tx.assetVersion.update({
      where: { id: versionId },
      data: { status: 'approved', promotedAt: now, promotedById },
    })
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
