/**
 * Rollback: an admin makes an earlier approved version of an asset current again
 * (a campaign went back to the old artwork, a new version turned out wrong). Only a
 * version that was approved once — promoted before, or its review ended approved —
 * may go live again; rejected, failed, withdrawn or unreviewed versions never do.
 */
import { z } from 'zod'
import { appendAuditEvent } from '~/audit.server'
import { signalDistributionsOfAsset } from '~/distribution/distribution-signals.server'
import type { Db } from '~/db.server'
import { getEnv } from '~/env.server'
import { AppError } from '~/errors.server'
import type { ReviewStatus, VersionStatus } from '~/generated/prisma/enums'
import { notifyUsers } from '~/notifications/notify.server'
import { reindexAsset, type getSearchClient } from '~/search.server'

export const MAX_ROLLBACK_REASON_LENGTH = 1000

/** The reason an admin gives; it goes into the audit trail and the uploaders' notices. */
export const RollbackReasonSchema = z
  .string({ error: 'Give a reason for the rollback' })
  // NUL cannot be stored in PostgreSQL text; nobody means to type it.
  .transform((value) => value.replaceAll('\u0000', '').trim())
  .pipe(
    z
      .string()
      .min(1, 'Give a reason for the rollback')
      .max(MAX_ROLLBACK_REASON_LENGTH, `Keep the reason under ${MAX_ROLLBACK_REASON_LENGTH.toLocaleString('en-GB')} characters`),
  )

/** What the rule reads of a version. */
export type RollbackCandidate = {
  number: number
  status: VersionStatus
  promotedAt: Date | null
  reviews: readonly { status: ReviewStatus }[]
}

const NOT_LIVE_AGAIN: Partial<Record<VersionStatus, string>> = {
  processing: 'it is still being processed',
  in_review: 'it is still in review (its review decides whether it goes live)',
  rejected: 'it was rejected in review',
  changes_requested: 'its reviewers asked for changes',
  failed: 'its processing failed',
}

/**
 * Why this version may not be made current again, or null when it may. It must be
 * approved or superseded now, and have been approved once: a superseded version
 * whose review was withdrawn was never approved.
 */
export function rollbackRefusal(version: RollbackCandidate): string | null {
  const because = NOT_LIVE_AGAIN[version.status]
  if (because) return `Version ${version.number} cannot be made current: ${because}.`
  const approvedOnce = version.promotedAt !== null || version.reviews.some((review) => review.status === 'approved')
  if (!approvedOnce) return `Version ${version.number} cannot be made current: it was never approved.`
  return null
}

export type RollbackToVersionOptions = {
  db: Db
  /** Search client to reindex with; the process-wide one by default. */
  search?: ReturnType<typeof getSearchClient>
  assetId: string
  versionId: string
  /** The admin rolling back (the route has checked `version:rollback`). */
  actorId: string
  reason: string
  /** Base for links in the notice emails; PUBLIC_URL by default. */
  publicUrl?: string
}

export type RollbackToVersionResult = {
  assetId: string
  versionId: string
  versionNumber: number
  /** False when the version already was the current one: nothing changed. */
  rolledBack: boolean
  previousVersionId: string | null
  previousVersionNumber: number | null
  /**
   * False when the search index could not be updated (logged). Partners are still
   * served the right version: every read re-checks the database.
   */
  reindexed: boolean
}

/**
 * Makes an earlier approved version the asset's current one. In one transaction:
 * the version becomes current (approved, promoted now by the admin), the version
 * that was current becomes superseded, a 'version.rollback' audit event records
 * both with the reason, and everyone who uploaded a version of the asset is told.
 * Then the asset is reindexed, so search shows the version now live.
 *
 * Idempotent: rolling back to the version that is already current changes nothing
 * and returns `rolledBack: false`. Refused (AppError) for a version of another
 * asset, an archived asset, and versions that were never approved.
 */
export async function rollbackToVersion({
  db,
  search,
  assetId,
  versionId,
  actorId,
  reason,
  publicUrl,
}: RollbackToVersionOptions): Promise<RollbackToVersionResult> {
  const parsedReason = RollbackReasonSchema.safeParse(reason)
  if (!parsedReason.success) throw new AppError('BAD_REQUEST', parsedReason.error.issues[0]?.message ?? 'Give a reason for the rollback')

  const result = await db.$transaction(async (tx): Promise<Omit<RollbackToVersionResult, 'reindexed'>> => {
    const version = await tx.assetVersion.findUnique({
      where: { id: versionId },
      select: { id: true, assetId: true, number: true, status: true, promotedAt: true, reviews: { select: { status: true } } },
    })
    if (!version || version.assetId !== assetId) throw new AppError('NOT_FOUND', 'That version is not a version of this asset.')

    // Serialise with promotions and other rollbacks: the current version is read and replaced under this lock.
    await tx.$queryRaw`SELECT id FROM "Asset" WHERE id = ${assetId} FOR UPDATE`
    const asset = await tx.asset.findUniqueOrThrow({
      where: { id: assetId },
      select: {
        id: true,
        title: true,
        status: true,
        currentVersionId: true,
        currentVersion: { select: { number: true } },
        versions: { select: { uploadedById: true } },
      },
    })
    const unchanged = {
      assetId,
      versionId,
      versionNumber: version.number,
      rolledBack: false,
      previousVersionId: null,
      previousVersionNumber: null,
    }
    if (asset.currentVersionId === versionId) return unchanged
    if (asset.status === 'archived') throw new AppError('CONFLICT', 'This asset is archived; restore it before changing its current version.')
    const refusal = rollbackRefusal(version)
    if (refusal) throw new AppError('CONFLICT', refusal)

    const now = new Date()
    const previousVersionId = asset.currentVersionId
    const previousVersionNumber = asset.currentVersion?.number ?? null
    if (previousVersionId) {
      await tx.assetVersion.update({ where: { id: previousVersionId }, data: { status: 'superseded' } })
    }
    await tx.asset.update({ where: { id: assetId }, data: { currentVersionId: versionId } })
    await tx.assetVersion.update({ where: { id: versionId }, data: { status: 'approved', promotedAt: now, promotedById: actorId } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'version.rollback',
      subjectType: 'asset',
      subjectId: assetId,
      detail: {
        fromVersionId: previousVersionId,
        fromVersionNumber: previousVersionNumber,
        toVersionId: versionId,
        toVersionNumber: version.number,
        versionNumber: version.number,
        reason: parsedReason.data,
      },
    })

    const actor = await tx.user.findUnique({ where: { id: actorId }, select: { name: true } })
    const uploaderIds = [...new Set(asset.versions.map((row) => row.uploadedById))].filter((id) => id !== actorId)
    const from = previousVersionNumber === null ? '' : ` (it was version ${previousVersionNumber})`
    await notifyUsers(tx, {
      publicUrl: publicUrl ?? getEnv().PUBLIC_URL,
      notices: uploaderIds.map((userId) => ({
        userId,
        kind: 'version_rolled_back' as const,
        title: `“${asset.title}” was rolled back to version ${version.number}`,
        body: `${actor?.name ?? 'An administrator'} made version ${version.number} current again${from}. Reason: ${parsedReason.data}`,
        link: `/library/assets/${assetId}?version=${versionId}`,
        // One notice per rollback: rolling back to the same version later is a new event.
        dedupeKey: `rollback:${versionId}:${now.toISOString()}:${userId}`,
      })),
    })

    return { assetId, versionId, versionNumber: version.number, rolledBack: true, previousVersionId, previousVersionNumber }
  })

  // Every time, like promotion: repeating the rollback after a failed reindex converges.
  try {
    await signalDistributionsOfAsset(db, { assetId, cause: { kind: 'version_promoted', actorId } })
  } catch (error) {
    // Committed; channels catch up at the next event or the hourly reconcile.
    console.error(`Rolled back asset ${assetId}, but could not tell its channels`, error)
  }
  try {
    await reindexAsset(db, assetId, search)
    return { ...result, reindexed: true }
  } catch (error) {
    // The rollback is committed; an index outage must not make it look failed.
    console.error(`Rolled back asset ${assetId} to version ${versionId}, but could not reindex it`, error)
    return { ...result, reindexed: false }
  }
}
