/**
 * Quorum rules for a review stage: who may decide, and when the stage is settled.
 * Pure, shared by the review workflow (its update validator and its main loop)
 * and by anything that shows a stage's progress.
 *
 * Rules:
 * - Only the stage's reviewers decide, each once per stage.
 * - Any rejection or request for changes settles the stage at once (the first one
 *   recorded wins): one "no" is enough to send a version back.
 * - Otherwise the stage is approved when the approvals reach the quorum: `all`
 *   reviewers, `any` one, or `count` N (capped at the number of reviewers, so a
 *   policy asking for more approvals than it has reviewers still completes).
 * - A stage without reviewers never settles: nobody can approve it.
 */
import type { DecisionKind, Quorum, ReviewStageSnapshot } from './review-policy'

export type StageDecision = { reviewerId: string; decision: DecisionKind }

export type StageVerdict =
  | { outcome: 'pending'; approvals: number; required: number; pendingReviewerIds: string[] }
  | { outcome: 'approved'; approvals: number; required: number; decidingReviewerId: string }
  | { outcome: 'rejected' | 'changes_requested'; decidingReviewerId: string }

export type StageForQuorum = Pick<ReviewStageSnapshot, 'reviewerIds' | 'quorum'>

/** Approvals needed to pass a stage with `reviewerCount` reviewers (0 when it has none). */
export function requiredApprovals(quorum: Quorum, reviewerCount: number): number {
  if (reviewerCount <= 0) return 0
  switch (quorum.kind) {
    case 'all':
      return reviewerCount
    case 'any':
      return 1
    case 'count':
      return Math.min(Math.max(1, Math.floor(quorum.count)), reviewerCount)
  }
}

/** Reads the stage's decisions (in the order they were recorded) and says where it stands. */
export function evaluateStage(stage: StageForQuorum, decisions: readonly StageDecision[]): StageVerdict {
  const reviewers = new Set(stage.reviewerIds)
  const counted = firstDecisionPerReviewer(decisions.filter((entry) => reviewers.has(entry.reviewerId)))
  const required = requiredApprovals(stage.quorum, reviewers.size)

  const negative = counted.find((entry) => entry.decision !== 'approve')
  if (negative) {
    return {
      outcome: negative.decision === 'reject' ? 'rejected' : 'changes_requested',
      decidingReviewerId: negative.reviewerId,
    }
  }

  const approvals = counted.filter((entry) => entry.decision === 'approve')
  const reached = approvals[required - 1]
  if (required > 0 && reached) {
    return { outcome: 'approved', approvals: approvals.length, required, decidingReviewerId: reached.reviewerId }
  }

  const decided = new Set(counted.map((entry) => entry.reviewerId))
  return {
    outcome: 'pending',
    approvals: approvals.length,
    required,
    pendingReviewerIds: [...reviewers].filter((id) => !decided.has(id)),
  }
}

export type DecisionEligibility = { ok: true } | { ok: false; reason: 'not_a_reviewer' | 'already_decided' }

/** Whether `reviewerId` may decide now in a stage that has these decisions so far. */
export function checkDecisionEligibility(
  stage: StageForQuorum,
  decisions: readonly StageDecision[],
  reviewerId: string,
): DecisionEligibility {
  if (!stage.reviewerIds.includes(reviewerId)) return { ok: false, reason: 'not_a_reviewer' }
  if (decisions.some((entry) => entry.reviewerId === reviewerId)) return { ok: false, reason: 'already_decided' }
  return { ok: true }
}

function firstDecisionPerReviewer(decisions: readonly StageDecision[]): StageDecision[] {
  const seen = new Set<string>()
  return decisions.filter((entry) => {
    if (seen.has(entry.reviewerId)) return false
    seen.add(entry.reviewerId)
    return true
  })
}
