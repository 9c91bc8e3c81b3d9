import type { DbOrTx } from '~/db.server'
import { chooseReviewPolicy, type Quorum, type ReviewPolicySnapshot, type ReviewStageSnapshot } from '~/domain/review-policy'
import { PERMISSIONS } from '~/domain/roles'
import type { QuorumKind, Role } from '~/generated/prisma/client'

export const BUILT_IN_POLICY_NAME = 'Brand review'
const BUILT_IN_DUE_HOURS = 48

/**
 * The policy a new review of this asset follows, with every stage's reviewers
 * resolved to user ids. The ReviewPolicy rows are chosen between by
 * `chooseReviewPolicy` (collection, then folder, then kind, then the default); when
 * none applies, the built-in one-stage "Brand review" (every reviewer of the
 * organisation that owns the asset, any one of them, due in 48 hours).
 *
 * Role-based reviewers are members of the asset's owning (brand) organisation with
 * that role; disabled users never review.
 */
export async function resolveReviewPolicySnapshot(db: DbOrTx, assetId: string): Promise<ReviewPolicySnapshot> {
  const asset = await db.asset.findUniqueOrThrow({
    where: { id: assetId },
    select: { ownerOrganisationId: true, kind: true, folderPath: true, collectionItems: { select: { collectionId: true } } },
  })

  const policies = await db.reviewPolicy.findMany({
    // A policy without stages could never run a review: it is passed over, not chosen.
    where: { stages: { some: {} } },
    include: { stages: { orderBy: { position: 'asc' }, include: { reviewers: { select: { userId: true } } } } },
  })
  const policy = chooseReviewPolicy(policies, {
    kind: asset.kind,
    folderPath: asset.folderPath,
    collectionIds: asset.collectionItems.map((item) => item.collectionId),
  })

  if (!policy) {
    const reviewerIds = await usersWithRole(db, asset.ownerOrganisationId, 'reviewer')
    return {
      policyId: null,
      policyName: BUILT_IN_POLICY_NAME,
      stages: [{ name: BUILT_IN_POLICY_NAME, reviewerIds, quorum: { kind: 'any' }, dueHours: BUILT_IN_DUE_HOURS }],
    }
  }

  const stages: ReviewStageSnapshot[] = []
  for (const stage of policy.stages) {
    const named = stage.reviewers.map((reviewer) => reviewer.userId)
    const byRole = stage.reviewerRole ? await usersWithRole(db, asset.ownerOrganisationId, stage.reviewerRole) : []
    const enabledNamed = await enabledUserIds(db, named)
    stages.push({
      name: stage.name,
      reviewerIds: [...new Set([...enabledNamed, ...byRole])].sort(),
      quorum: toQuorum(stage.quorum, stage.quorumCount),
      dueHours: stage.dueHours,
    })
  }
  return { policyId: policy.id, policyName: policy.name, stages }
}

/** The first stage nobody can decide, if any: such a review could never finish. */
export function stageWithoutReviewers(snapshot: ReviewPolicySnapshot): ReviewStageSnapshot | undefined {
  return snapshot.stages.find((stage) => stage.reviewerIds.length === 0)
}

function toQuorum(kind: QuorumKind, count: number | null): Quorum {
  if (kind === 'count') return { kind: 'count', count: Math.max(1, count ?? 1) }
  return { kind }
}

/** Roles that may open the review page and decide (the same permission the routes check). */
const DECIDING_ROLES: Role[] = [...PERMISSIONS['version:review']]

// Only people who may decide count as reviewers: a stage of users who cannot open the
// review page could never settle. Such a stage resolves to nobody and fails at openReview.
async function usersWithRole(db: DbOrTx, organisationId: string, role: Role): Promise<string[]> {
  if (!DECIDING_ROLES.includes(role)) return []
  const memberships = await db.membership.findMany({
    where: { organisationId, roles: { has: role }, user: { disabledAt: null } },
    select: { userId: true },
    orderBy: { userId: 'asc' },
  })
  return memberships.map((membership) => membership.userId)
}

/** Named reviewers who are enabled and may decide. */
async function enabledUserIds(db: DbOrTx, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return []
  const users = await db.user.findMany({
    where: { id: { in: userIds }, disabledAt: null, memberships: { some: { roles: { hasSome: DECIDING_ROLES } } } },
    select: { id: true },
  })
  return users.map((user) => user.id)
}
