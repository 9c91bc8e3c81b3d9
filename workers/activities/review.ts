/**
 * Review activities, run on the orchestration task queue. Each is idempotent: the
 * review row is unique by workflow id, a decision by (review, stage, reviewer), and
 * every status change is conditional on the state it leaves, so a retry after a
 * crash writes nothing twice (audit rows included).
 */
import type { Db } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { promoteVersion as promoteVersionUseCase } from '~/assets/promote-version.server'
import { signalDistributionsOfAsset } from '~/distribution/distribution-signals.server'
import type { DecisionKind, ReviewPolicySnapshot } from '~/domain/review-policy'
import { Prisma } from '~/generated/prisma/client'
import { parsePolicySnapshot } from '~/review/policy-snapshot'
import { resolveReviewPolicySnapshot, stageWithoutReviewers } from '~/review/resolve-review-policy.server'
import { FailureType, nonRetryable, toActivityFailure, type SearchClient } from './support'
import { getEnv } from '~/env.server'
import { notifyUsers } from '~/notifications/notify.server'
import { describeReviewEvent, type ReviewEvent } from '~/review/review-notices.server'

export type ReviewActivityDeps = {
  db: Db
  /** Search client used to reindex on promotion; the process-wide one when omitted. */
  search?: SearchClient
  /** Base of links in notification emails; env PUBLIC_URL when omitted. */
  publicUrl?: string
}

export type { ReviewEvent }

export type NotifyReviewEventInput = {
  reviewId: string
  versionId: string
  event: ReviewEvent
  stageIndex: number
  /** The stage's pending reviewers, for stage_started, reminder and escalation. */
  userIds: string[]
}

export type WithdrawReviewInput = { reviewId: string; versionId: string; reason: string; actorId: string | null }

export type OpenReviewResult =
  | { reviewId: string; snapshot: ReviewPolicySnapshot }
  /** A newer version of the asset arrived while this one was processed: no review. */
  | { superseded: true; reason: string }

export type RecordDecisionInput = {
  reviewId: string
  stageIndex: number
  reviewerId: string
  decision: DecisionKind
  comment?: string | null
}

export type RecordDecisionResult = { decisionId: string; decidedAt: string; recorded: boolean }

export type CloseReviewInput = {
  reviewId: string
  versionId: string
  outcome: 'rejected' | 'changes_requested'
  reason: string
  /** The reviewer whose decision ended the review. */
  actorId?: string | null
}

export function reviewWorkflowId(versionId: string): string {
  return `review-${versionId}`
}

export function createReviewActivities({ db, search, publicUrl }: ReviewActivityDeps) {
  async function existingReview(workflowId: string): Promise<OpenReviewResult | null> {
    const review = await db.review.findUnique({ where: { workflowId }, select: { id: true, policySnapshot: true } })
    if (!review) return null
    const snapshot = parsePolicySnapshot(review.policySnapshot)
    if (!snapshot) throw nonRetryable(FailureType.conflict, `The policy stored with review ${review.id} is not a valid snapshot`)
    return { reviewId: review.id, snapshot }
  }

  return {
    /**
     * Opens the version's review: resolves and snapshots the policy, creates the
     * Review row (unique by workflow id), puts the version in review and audits it.
     * Returns the existing review when it is already open.
     */
    async openReview({ versionId }: { versionId: string }): Promise<OpenReviewResult> {
      const workflowId = reviewWorkflowId(versionId)
      const found = await existingReview(workflowId)
      if (found) return found

      const version = await db.assetVersion.findUnique({ where: { id: versionId }, select: { assetId: true, status: true, number: true } })
      if (!version) throw nonRetryable(FailureType.notFound, `Version ${versionId} does not exist`)
      const newer = await db.assetVersion.findFirst({
        where: { assetId: version.assetId, number: { gt: version.number } },
        orderBy: { number: 'desc' },
        select: { number: true },
      })
      if (newer) {
        // Reviewing it would waste reviewers' time: the newer upload replaces it.
        const reason = `Version ${newer.number} was uploaded while this one was being processed`
        await db.$transaction(async (tx) => {
          const superseded = await tx.assetVersion.updateMany({
            where: { id: versionId, status: 'processing' },
            data: { status: 'superseded' },
          })
          if (superseded.count === 0) return
          await appendAuditEvent(tx, {
            actorId: null,
            action: 'version.supersede',
            subjectType: 'version',
            subjectId: versionId,
            detail: { assetId: version.assetId, reason },
          })
        })
        return { superseded: true, reason }
      }
      const snapshot = await resolveReviewPolicySnapshot(db, version.assetId)
      const empty = stageWithoutReviewers(snapshot)
      if (empty) {
        throw nonRetryable(
          FailureType.noReviewers,
          `Nobody can review this version: the stage "${empty.name}" of "${snapshot.policyName}" has no reviewers`,
        )
      }

      try {
        return await db.$transaction(async (tx) => {
          const review = await tx.review.create({
            data: {
              versionId,
              workflowId,
              policyName: snapshot.policyName,
              policySnapshot: snapshot as unknown as Prisma.InputJsonValue,
              status: 'in_progress',
              currentStage: 0,
            },
            select: { id: true },
          })
          await tx.assetVersion.updateMany({ where: { id: versionId, status: 'processing' }, data: { status: 'in_review' } })
          await appendAuditEvent(tx, {
            actorId: null,
            action: 'review.start',
            subjectType: 'review',
            subjectId: review.id,
            detail: { versionId, assetId: version.assetId, policyName: snapshot.policyName, stages: snapshot.stages.length },
          })
          return { reviewId: review.id, snapshot }
        })
      } catch (error) {
        // A concurrent attempt created it first: theirs is the review.
        if (isUniqueViolation(error)) {
          const winner = await existingReview(workflowId)
          if (winner) return winner
        }
        throw error
      }
    },

    /**
     * Records one reviewer's decision in a stage (once: a repeat returns the first),
     * with its comment as a Comment row and a 'review.decision' audit row, together.
     */
    async recordDecision({ reviewId, stageIndex, reviewerId, decision, comment }: RecordDecisionInput): Promise<RecordDecisionResult> {
      const key = { reviewId_stageIndex_reviewerId: { reviewId, stageIndex, reviewerId } }
      const body = comment?.trim() || null
      const existing = await db.reviewDecision.findUnique({ where: key, select: { id: true, createdAt: true } })
      if (existing) return { decisionId: existing.id, decidedAt: existing.createdAt.toISOString(), recorded: false }

      try {
        return await db.$transaction(async (tx) => {
          const review = await tx.review.findUnique({ where: { id: reviewId }, select: { versionId: true } })
          if (!review) throw nonRetryable(FailureType.notFound, `Review ${reviewId} does not exist`)
          const created = await tx.reviewDecision.create({
            data: { reviewId, stageIndex, reviewerId, decision, comment: body },
            select: { id: true, createdAt: true },
          })
          if (body) {
            await tx.comment.create({ data: { versionId: review.versionId, reviewId, authorId: reviewerId, body } })
          }
          await appendAuditEvent(tx, {
            actorId: reviewerId,
            action: 'review.decision',
            subjectType: 'review',
            subjectId: reviewId,
            detail: { versionId: review.versionId, stageIndex, decision, ...(body ? { comment: body } : {}) },
          })
          return { decisionId: created.id, decidedAt: created.createdAt.toISOString(), recorded: true }
        })
      } catch (error) {
        if (isUniqueViolation(error)) {
          const winner = await db.reviewDecision.findUnique({ where: key, select: { id: true, createdAt: true } })
          if (winner) return { decisionId: winner.id, decidedAt: winner.createdAt.toISOString(), recorded: false }
        }
        throw error
      }
    },

    /** Stage `stageIndex` reached its quorum: the review moves to the next stage. */
    async advanceStage({ reviewId, stageIndex }: { reviewId: string; stageIndex: number }): Promise<void> {
      await db.review.updateMany({
        where: { id: reviewId, status: 'in_progress', currentStage: stageIndex },
        data: { currentStage: stageIndex + 1 },
      })
    },

    /** The last stage approved: the version becomes the asset's current one. */
    async promoteVersion(input: { versionId: string; reviewId: string; promotedById: string | null }): Promise<{ promoted: boolean }> {
      try {
        const result = await promoteVersionUseCase({ db, search, ...input })
        // Every time, not only when it changed something: a retry after a failed signal signals again.
        if (result.promoted || result.reason === 'already_current') {
          await signalDistributionsOfAsset(db, { assetId: result.assetId, cause: { kind: 'version_promoted', actorId: input.promotedById } })
        }
        return { promoted: result.promoted }
      } catch (error) {
        throw toActivityFailure(error)
      }
    },

    /** Ends the review as rejected or changes requested, with the reason, in one transaction. */
    async closeReview({ reviewId, versionId, outcome, reason, actorId = null }: CloseReviewInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const now = new Date()
        const closed = await tx.review.updateMany({
          where: { id: reviewId, status: 'in_progress' },
          data: { status: outcome, endedAt: now, outcomeReason: reason },
        })
        if (closed.count === 0) return
        await tx.assetVersion.updateMany({
          where: { id: versionId, status: { in: ['processing', 'in_review'] } },
          data: { status: outcome },
        })
        await appendAuditEvent(tx, {
          actorId,
          action: 'review.end',
          subjectType: 'review',
          subjectId: reviewId,
          detail: { versionId, outcome, reason },
        })
      })
    },

    /**
     * A newer version made this review moot: the review is cancelled with the reason and
     * the version, if still in review, becomes superseded. Conditional on the review still
     * being in progress, so a retry writes nothing twice.
     */
    async withdrawReview({ reviewId, versionId, reason, actorId }: WithdrawReviewInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const cancelled = await tx.review.updateMany({
          where: { id: reviewId, status: 'in_progress' },
          data: { status: 'cancelled', endedAt: new Date(), outcomeReason: reason },
        })
        if (cancelled.count === 0) return
        await tx.assetVersion.updateMany({
          where: { id: versionId, status: { in: ['processing', 'in_review'] } },
          data: { status: 'superseded' },
        })
        await appendAuditEvent(tx, {
          actorId,
          action: 'review.cancel',
          subjectType: 'review',
          subjectId: reviewId,
          detail: { versionId, reason },
        })
      })
    },

    /**
     * Tells the people concerned about a review event, in-app and by email (outbox):
     * the given pending reviewers when a stage starts or is due, the brand's admins on
     * escalation, the uploader at the end. Reminders and escalations are audited.
     * Idempotent: each notice has a key of review, event, stage and recipient.
     */
    async notifyReviewEvent({ reviewId, versionId, event, stageIndex, userIds }: NotifyReviewEventInput): Promise<{ notified: number }> {
      const notice = await describeReviewEvent(db, { reviewId, versionId, event, stageIndex, userIds })
      if (!notice) return { notified: 0 }
      return db.$transaction(async (tx) => {
        const { created } = await notifyUsers(tx, {
          notices: notice.recipientIds.map((userId) => ({
            userId,
            kind: notice.kind,
            title: notice.title,
            body: notice.body,
            link: notice.link,
            dedupeKey: `review:${reviewId}:${event}:${stageIndex}:${userId}`,
          })),
          publicUrl: publicUrl ?? getEnv().PUBLIC_URL,
        })
        // Audited once: a retry after the commit finds its notices and creates none.
        if (created > 0 && (event === 'reminder' || event === 'escalation')) {
          await appendAuditEvent(tx, {
            actorId: null,
            action: event === 'reminder' ? 'review.reminder' : 'review.escalation',
            subjectType: 'review',
            subjectId: reviewId,
            detail: { versionId, stageIndex, recipientIds: notice.recipientIds },
          })
        }
        return { notified: created }
      })
    },
  }
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
}
