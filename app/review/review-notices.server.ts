/**
 * What a review event tells whom: recipients and words for the notification (and its
 * email). Used by the review workflow's notifyReviewEvent activity.
 */
import type { DbOrTx } from '~/db.server'
import type { NotificationKind } from '~/generated/prisma/client'
import { parsePolicySnapshot } from './policy-snapshot'

/** What a review tells people about. */
export type ReviewEvent = 'stage_started' | 'reminder' | 'escalation' | 'approved' | 'rejected' | 'changes_requested'

export type ReviewEventFacts = {
  reviewId: string
  versionId: string
  event: ReviewEvent
  stageIndex: number
  /** Pending reviewers of the stage (stage_started, reminder, escalation). */
  userIds: readonly string[]
}

export type ReviewNotice = {
  kind: NotificationKind
  recipientIds: string[]
  title: string
  body: string
  link: string
}

/** The notice for `event`, or null when there is nobody to tell (or the rows are gone). */
export async function describeReviewEvent(db: DbOrTx, facts: ReviewEventFacts): Promise<ReviewNotice | null> {
  const review = await db.review.findUnique({
    where: { id: facts.reviewId },
    select: {
      policySnapshot: true,
      outcomeReason: true,
      version: {
        select: {
          number: true,
          uploadedById: true,
          asset: { select: { id: true, title: true, ownerOrganisationId: true } },
        },
      },
    },
  })
  if (!review) return null
  const { version } = review
  const { asset } = version
  const snapshot = parsePolicySnapshot(review.policySnapshot)
  const stage = snapshot?.stages[facts.stageIndex]
  const stageLabel = stage
    ? `stage ${facts.stageIndex + 1} of ${snapshot!.stages.length}, "${stage.name}"`
    : `stage ${facts.stageIndex + 1}`
  const subject = `"${asset.title}" version ${version.number}`
  const reviewLink = `/reviews/${facts.versionId}`
  const assetLink = `/library/assets/${asset.id}`
  const reviewers = [...new Set(facts.userIds)]

  switch (facts.event) {
    case 'stage_started':
      return notice('review_requested', reviewers, `Review requested: ${subject}`,
        `The ${stageLabel} is waiting for your decision${stage ? `, due within ${stage.dueHours} h` : ''}.`, reviewLink)
    case 'reminder':
      return notice('review_reminder', reviewers, `Reminder: ${subject} is due for review`,
        `The ${stageLabel} has reached its due time${stage ? ` (${stage.dueHours} h)` : ''} and still waits for your decision.`, reviewLink)
    case 'escalation': {
      const admins = await db.membership.findMany({
        where: { organisationId: asset.ownerOrganisationId, roles: { has: 'admin' }, user: { disabledAt: null } },
        select: { userId: true },
      })
      const pending = await db.user.findMany({ where: { id: { in: reviewers } }, select: { name: true }, orderBy: { name: 'asc' } })
      return notice('review_escalated', admins.map((admin) => admin.userId), `Overdue review: ${subject}`,
        `The ${stageLabel} has waited twice its due time${stage ? ` (${stage.dueHours * 2} h)` : ''}. ` +
          `Still pending: ${pending.map((user) => user.name).join(', ') || 'nobody'}.`, reviewLink)
    }
    case 'approved':
      return notice('version_approved', [version.uploadedById], `Approved: ${subject}`,
        'Your version passed review and is now the current version partners see.', assetLink)
    case 'rejected':
      return notice('version_rejected', [version.uploadedById], `Rejected: ${subject}`,
        `Reason: ${review.outcomeReason ?? 'none given'}`, assetLink)
    case 'changes_requested':
      return notice('version_changes_requested', [version.uploadedById], `Changes requested: ${subject}`,
        `${review.outcomeReason ?? 'No details given.'}\nUpload a new version to start a fresh review.`, assetLink)
  }
}

function notice(kind: NotificationKind, recipientIds: string[], title: string, body: string, link: string): ReviewNotice | null {
  return recipientIds.length === 0 ? null : { kind, recipientIds: [...new Set(recipientIds)], title, body, link }
}
