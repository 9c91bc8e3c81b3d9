/**
 * The review policy as fixed when a review starts: stages with their reviewers
 * resolved to user ids. Stored on the Review row and passed to the review workflow,
 * so later edits to the policy never change a running review.
 */
export type Quorum = { kind: 'all' } | { kind: 'any' } | { kind: 'count'; count: number }

export type ReviewStageSnapshot = {
  name: string
  reviewerIds: string[]
  quorum: Quorum
  dueHours: number
}

export type ReviewPolicySnapshot = {
  policyId: string | null
  policyName: string
  stages: ReviewStageSnapshot[]
}

export type DecisionKind = 'approve' | 'reject' | 'request_changes'
