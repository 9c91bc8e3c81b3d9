/**
 * Review of one version (workflow id `review-${versionId}`): walks the policy's
 * stages as snapshotted when the review opened. Decisions arrive as the `decide`
 * update, validated against the current stage; each stage settles by the quorum
 * rules in app/domain/quorum. Approval of the last stage promotes the version; a
 * rejection or a request for changes ends the review with its reason. A newer
 * upload withdraws the review (`withdraw` signal).
 *
 * People hear about it: each stage's reviewers when it starts, the pending ones again
 * when it is due, the brand's admins at twice the due time, and the uploader at the end.
 * Executions started before notifications existed replay without them (`patched`).
 *
 * Deterministic: imports only activity types and pure domain modules.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow'
import type { ReviewActivities, ReviewEvent } from '../workers/activities/review'
import { checkDecisionEligibility, evaluateStage, type StageVerdict } from '../app/domain/quorum'
import type { DecisionKind, ReviewPolicySnapshot, ReviewStageSnapshot } from '../app/domain/review-policy'

// ───────────────────────────── messages (shared with clients)

export type ReviewDecisionInput = {
  reviewerId: string
  decision: DecisionKind
  comment?: string | null
}

export type DecisionResult = {
  decisionId: string
  stageIndex: number
  stageName: string
  decision: DecisionKind
  decidedAt: string
}

export type ReviewStatus = 'in_progress' | 'approved' | 'rejected' | 'changes_requested' | 'withdrawn'

export type RecordedDecision = {
  stageIndex: number
  reviewerId: string
  decision: DecisionKind
  comment: string | null
  decidedAt: string
}

export type ReviewState = {
  reviewId: string
  versionId: string
  status: ReviewStatus
  policyName: string
  stageIndex: number
  stageName: string
  stageCount: number
  quorum: ReviewStageSnapshot['quorum']
  reviewerIds: string[]
  pendingReviewerIds: string[]
  decisions: RecordedDecision[]
  /** When the current stage is due (ISO 8601); null once the review has ended. */
  dueAt: string | null
  overdue: boolean
  /** When pending reviewers of the current stage were reminded (at its due time); null before. */
  remindedAt: string | null
  /** When the current stage escalates to admins (twice its due time); null once the review has ended. */
  escalationDueAt: string | null
  /** When the current stage was escalated to admins; null before. */
  escalatedAt: string | null
  outcomeReason: string | null
  /** Every stage of the policy in force (fixed when the review started). */
  stages: ReviewStageSnapshot[]
}

/** Failure types the `decide` validator rejects with (clients map them to 403/409). */
export const DecisionRejection = {
  notAReviewer: 'NotAReviewer',
  alreadyDecided: 'AlreadyDecided',
  reviewEnded: 'ReviewEnded',
  invalid: 'InvalidDecision',
} as const

export const decideUpdate = defineUpdate<DecisionResult, [ReviewDecisionInput]>('decide')
export const reviewStateQuery = defineQuery<ReviewState>('reviewState')

export type WithdrawInput = {
  /** Who withdrew it (the uploader of a newer version, or an admin); null for the system. */
  actorId: string | null
  reason: string
}
/**
 * Ends a review that no longer matters, e.g. because a newer version of the asset was
 * uploaded: no more decisions, the version becomes superseded, nothing is promoted.
 */
export const withdrawSignal = defineSignal<[WithdrawInput]>('withdraw')

export type ReviewVersionInput = { reviewId: string; versionId: string; snapshot: ReviewPolicySnapshot }
export type ReviewOutcome = { status: Exclude<ReviewStatus, 'in_progress'>; reason: string | null; decidedBy: string | null }

const DECISIONS: readonly DecisionKind[] = ['approve', 'reject', 'request_changes']
/** Patch id for notifications, reminders, escalation and the withdraw signal (see tests/fixtures/histories/README.md). */
const NOTIFICATIONS_PATCH = 'review-notifications'
const HOUR_MS = 60 * 60 * 1000
/** Longest decision comment accepted (the web form enforces the same). */
export const MAX_COMMENT_LENGTH = 5000

// ───────────────────────────── workflow

export async function reviewVersion({ reviewId, versionId, snapshot }: ReviewVersionInput): Promise<ReviewOutcome> {
  const { recordDecision, advanceStage, promoteVersion, closeReview, withdrawReview, notifyReviewEvent } = proxyActivities<ReviewActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  })
  // Executions recorded before notifications, reminders and escalation replay without them.
  const notifiesPeople = patched(NOTIFICATIONS_PATCH)

  const stages = snapshot.stages
  if (stages.length === 0) throw ApplicationFailure.nonRetryable('The review policy has no stages', 'InvalidPolicy')

  let stageIndex = 0
  let status: ReviewStatus = 'in_progress'
  let outcomeReason: string | null = null
  /** No more decisions are taken once the review's outcome is known (even before it is written). */
  let concluding = false
  let dueAt = Date.now() + stages[0]!.dueHours * HOUR_MS
  let overdue = false
  let remindedAt: number | null = null
  let escalatedAt: number | null = null
  // Set by the withdraw signal (the cast keeps TypeScript from narrowing it to null here).
  let withdrawal = null as WithdrawInput | null
  /** Decisions in the order they were accepted; `recorded` once the activity has written them. */
  const decisions: (RecordedDecision & { recorded: boolean })[] = []

  const currentStage = (): ReviewStageSnapshot => stages[stageIndex]!
  const decisionsIn = (index: number, onlyRecorded: boolean) =>
    decisions.filter((entry) => entry.stageIndex === index && (!onlyRecorded || entry.recorded))
  const verdict = (): StageVerdict => evaluateStage(currentStage(), decisionsIn(stageIndex, true))
  const stageSettled = (): boolean => withdrawal !== null || verdict().outcome !== 'pending'
  const iso = (time: number | null): string | null => (time === null ? null : new Date(time).toISOString())

  setHandler(reviewStateQuery, (): ReviewState => {
    const stage = currentStage()
    const now = verdict()
    return {
      reviewId,
      versionId,
      status,
      policyName: snapshot.policyName,
      stageIndex,
      stageName: stage.name,
      stageCount: stages.length,
      quorum: stage.quorum,
      reviewerIds: stage.reviewerIds,
      pendingReviewerIds: now.outcome === 'pending' && !concluding ? now.pendingReviewerIds : [],
      decisions: decisions.filter((entry) => entry.recorded).map(({ recorded: _recorded, ...entry }) => entry),
      dueAt: concluding ? null : iso(dueAt),
      overdue,
      remindedAt: iso(remindedAt),
      escalationDueAt: concluding || !notifiesPeople ? null : iso(dueAt + stage.dueHours * HOUR_MS),
      escalatedAt: iso(escalatedAt),
      outcomeReason,
      stages,
    }
  })

  // Like the notifications, withdrawal came with the patch: older executions leave the
  // signal unhandled, as the code they started under did, so their histories still replay.
  if (notifiesPeople) setHandler(withdrawSignal, (input) => {
    // Too late once the outcome is being written: a promotion under way is not undone here.
    if (concluding || withdrawal) return
    withdrawal = {
      actorId: typeof input?.actorId === 'string' ? input.actorId : null,
      reason: typeof input?.reason === 'string' && input.reason.trim() ? input.reason.trim().slice(0, 500) : 'Withdrawn',
    }
  })

  setHandler(
    decideUpdate,
    async (input): Promise<DecisionResult> => {
      // Runs right after the validator, before any other message: claiming the slot
      // here keeps a second decision by the same reviewer out of this stage.
      const index = stageIndex
      const entry = {
        stageIndex: index,
        reviewerId: input.reviewerId,
        decision: input.decision,
        comment: input.comment?.trim() || null,
        decidedAt: new Date(Date.now()).toISOString(),
        recorded: false,
      }
      decisions.push(entry)
      try {
        const result = await recordDecision({ reviewId, stageIndex: index, ...input })
        entry.decidedAt = result.decidedAt
        entry.recorded = true
        return { decisionId: result.decisionId, stageIndex: index, stageName: stages[index]!.name, decision: input.decision, decidedAt: result.decidedAt }
      } catch (error) {
        decisions.splice(decisions.indexOf(entry), 1)
        throw error
      }
    },
    {
      validator: (input): void => {
        if (!input || typeof input.reviewerId !== 'string' || !DECISIONS.includes(input.decision)) {
          throw ApplicationFailure.nonRetryable('The decision must be approve, reject or request_changes', DecisionRejection.invalid)
        }
        const comment: unknown = input.comment
        // NUL cannot be stored in PostgreSQL text: refuse it here rather than retry the write forever.
        if (comment != null && (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH || comment.includes('\u0000'))) {
          throw ApplicationFailure.nonRetryable(
            `A comment must be text of at most ${MAX_COMMENT_LENGTH} characters`,
            DecisionRejection.invalid,
          )
        }
        if (concluding || withdrawal) throw ApplicationFailure.nonRetryable('This review has already ended', DecisionRejection.reviewEnded)
        // Decisions accepted but still being written count too: once they settle the stage,
        // a late one (an approval racing a rejection) must not be taken.
        if (evaluateStage(currentStage(), decisionsIn(stageIndex, false)).outcome !== 'pending') {
          throw ApplicationFailure.nonRetryable(
            `The stage "${currentStage().name}" has already been decided`,
            DecisionRejection.reviewEnded,
          )
        }
        const eligibility = checkDecisionEligibility(currentStage(), decisionsIn(stageIndex, false), input.reviewerId)
        if (!eligibility.ok && eligibility.reason === 'not_a_reviewer') {
          throw ApplicationFailure.nonRetryable(
            `You are not a reviewer of the stage "${currentStage().name}"`,
            DecisionRejection.notAReviewer,
          )
        }
        if (!eligibility.ok) {
          throw ApplicationFailure.nonRetryable(
            `You have already decided in the stage "${currentStage().name}"`,
            DecisionRejection.alreadyDecided,
          )
        }
      },
    },
  )

  const notify = (event: ReviewEvent, userIds: string[] = []) =>
    notifyReviewEvent({ reviewId, versionId, event, stageIndex, userIds })
  const pendingNow = (): string[] => {
    const now = verdict()
    return now.outcome === 'pending' ? now.pendingReviewerIds : []
  }

  let outcome: ReviewOutcome | undefined
  while (!outcome) {
    const stage = currentStage()
    const dueMs = stage.dueHours * HOUR_MS
    dueAt = Date.now() + dueMs
    overdue = false
    remindedAt = null
    escalatedAt = null
    if (notifiesPeople && !withdrawal) await notify('stage_started', pendingNow())

    const settledInTime = await condition(stageSettled, dueMs)
    if (!settledInTime) {
      overdue = true
      if (notifiesPeople) {
        remindedAt = Date.now()
        await notify('reminder', pendingNow())
        // Escalation comes at twice the due time: one more due period after the reminder.
        if (!(await condition(stageSettled, dueMs))) {
          escalatedAt = Date.now()
          await notify('escalation', pendingNow())
        }
      }
      await condition(stageSettled)
    }

    if (withdrawal) {
      const { reason, actorId } = withdrawal
      concluding = true
      await withdrawReview({ reviewId, versionId, reason, actorId })
      status = 'withdrawn'
      outcomeReason = reason
      outcome = { status: 'withdrawn', reason, decidedBy: actorId }
      break
    }

    const settled = verdict()
    if (settled.outcome === 'pending') continue // unreachable: the condition above waited for this

    if (settled.outcome === 'approved' && stageIndex < stages.length - 1) {
      const finished = stageIndex
      stageIndex += 1 // take decisions for the next stage from now on
      await advanceStage({ reviewId, stageIndex: finished })
      continue
    }

    concluding = true
    if (settled.outcome === 'approved') {
      await promoteVersion({ versionId, reviewId, promotedById: settled.decidingReviewerId })
      status = 'approved'
      outcome = { status: 'approved', reason: null, decidedBy: settled.decidingReviewerId }
    } else {
      const deciding = decisionsIn(stageIndex, true).find((entry) => entry.reviewerId === settled.decidingReviewerId)
      const reason = deciding?.comment ?? defaultReason(settled.outcome, stage.name)
      await closeReview({ reviewId, versionId, outcome: settled.outcome, reason, actorId: settled.decidingReviewerId })
      status = settled.outcome
      outcomeReason = reason
      outcome = { status: settled.outcome, reason, decidedBy: settled.decidingReviewerId }
    }
    if (notifiesPeople) await notify(outcome.status === 'approved' ? 'approved' : outcome.status === 'rejected' ? 'rejected' : 'changes_requested')
  }

  // Let every accepted update finish (and reply) before the workflow completes.
  await condition(allHandlersFinished)
  return outcome
}

function defaultReason(outcome: 'rejected' | 'changes_requested', stageName: string): string {
  return outcome === 'rejected'
    ? `Rejected in the stage "${stageName}" (no reason given)`
    : `Changes requested in the stage "${stageName}" (no details given)`
}
