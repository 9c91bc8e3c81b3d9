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

// ───────────────────────────── choosing the policy for an asset

export const ASSET_KINDS = ['image', 'video', 'audio', 'document', 'design', 'other'] as const
export type AssetKindName = (typeof ASSET_KINDS)[number]

/** What a policy says it applies to. A criterion left null is not part of the policy's choice. */
export type ReviewPolicyCriteria = {
  id: string
  isDefault: boolean
  assetKind: AssetKindName | null
  /** A normalised folder path ("/campaigns/summer"); matched on whole path segments. */
  folderPrefix: string | null
  collectionId: string | null
  createdAt: Date
}

/** The facts about an asset that policies are chosen by. */
export type ReviewPolicyAssetFacts = {
  kind: AssetKindName
  folderPath: string
  collectionIds: readonly string[]
}

/** Ranks of the criteria, most specific last. */
const SPECIFICITY = { default: 0, kind: 1, folder: 2, collection: 3 } as const

type Match = { rank: number; folderDepth: number; criteriaMatched: number }

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '')
}

/** Whether `prefix` is the path or one of its ancestors, segment by segment: "/a" covers "/a/b", not "/ab". */
export function folderPrefixCovers(prefix: string, folderPath: string): boolean {
  const wanted = segments(prefix)
  const actual = segments(folderPath)
  return wanted.length <= actual.length && wanted.every((segment, index) => segment === actual[index])
}

/**
 * How a policy matches the asset, or null when it does not. A policy with criteria
 * must match every one of them and ranks by its most specific; a default policy also
 * applies, at the lowest rank, to any asset its criteria (if any) do not match.
 */
function matchPolicy(policy: ReviewPolicyCriteria, asset: ReviewPolicyAssetFacts): Match | null {
  const checks: { rank: number; matches: boolean }[] = []
  if (policy.collectionId !== null) {
    checks.push({ rank: SPECIFICITY.collection, matches: asset.collectionIds.includes(policy.collectionId) })
  }
  if (policy.folderPrefix !== null) {
    checks.push({ rank: SPECIFICITY.folder, matches: folderPrefixCovers(policy.folderPrefix, asset.folderPath) })
  }
  if (policy.assetKind !== null) checks.push({ rank: SPECIFICITY.kind, matches: policy.assetKind === asset.kind })

  if (checks.length > 0 && checks.every((check) => check.matches)) {
    return {
      rank: Math.max(...checks.map((check) => check.rank)),
      folderDepth: policy.folderPrefix === null ? 0 : segments(policy.folderPrefix).length,
      criteriaMatched: checks.length,
    }
  }
  if (policy.isDefault) return { rank: SPECIFICITY.default, folderDepth: 0, criteriaMatched: 0 }
  return null
}

/** Negative when `a` should be chosen over `b`. */
function compareMatches(
  a: { policy: ReviewPolicyCriteria; match: Match },
  b: { policy: ReviewPolicyCriteria; match: Match },
): number {
  if (a.match.rank !== b.match.rank) return b.match.rank - a.match.rank
  // Prefix length only separates policies that rank by their folder: "/campaigns/summer"
  // is more specific than "/campaigns".
  if (a.match.rank === SPECIFICITY.folder && a.match.folderDepth !== b.match.folderDepth) {
    return b.match.folderDepth - a.match.folderDepth
  }
  if (a.match.criteriaMatched !== b.match.criteriaMatched) return b.match.criteriaMatched - a.match.criteriaMatched
  const age = a.policy.createdAt.getTime() - b.policy.createdAt.getTime()
  if (age !== 0) return age
  // Same instant: the id keeps the choice independent of the order policies were loaded in.
  return a.policy.id < b.policy.id ? -1 : a.policy.id > b.policy.id ? 1 : 0
}

/**
 * The policy that applies to an asset: the most specific match wins. A collection
 * match beats a folder match, which beats a kind match, which beats the default;
 * among folder matches the longest prefix wins. A policy with several criteria must
 * match all of them and ranks by its most specific one; ties go to the policy that
 * matched more criteria, then to the oldest. Null when nothing applies (the caller
 * falls back to the built-in policy).
 */
export function chooseReviewPolicy<Policy extends ReviewPolicyCriteria>(
  candidates: readonly Policy[],
  asset: ReviewPolicyAssetFacts,
): Policy | null {
  let best: { policy: Policy; match: Match } | null = null
  for (const policy of candidates) {
    const match = matchPolicy(policy, asset)
    if (!match) continue
    const entry = { policy, match }
    if (!best || compareMatches(entry, best) < 0) best = entry
  }
  return best?.policy ?? null
}

/** Bounds a review policy is validated against (the editor shows the same numbers). */
export const REVIEW_POLICY_LIMITS = {
  nameLength: 120,
  stageNameLength: 80,
  maxStages: 10,
  minDueHours: 1,
  maxDueHours: 720,
  folderPrefixLength: 500,
} as const
