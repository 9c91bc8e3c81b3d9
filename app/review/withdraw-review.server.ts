/**
 * Withdrawing a version's review: the review workflow (`review-${versionId}`) gets
 * the `withdraw` signal and ends itself — no more decisions, the version becomes
 * superseded, the review row is cancelled and audited (all done by the workflow,
 * so the workflow stays the one writer of its review's outcome).
 */
import { ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client'
import { AppError } from '~/errors.server'
import { getTemporalClient } from '~/temporal.server'
import { withdrawSignal } from '../../workflows/review'

export type WithdrawReviewOptions = {
  versionId: string
  /** Who withdrew it (the uploader of a newer version, an admin); null for the system. */
  actorId: string | null
  reason: string
  /** Temporal client; the process-wide one by default. */
  client?: Client
}

/** `signalled: false` when no review of the version is running (none started yet, or it already ended). */
export type WithdrawReviewResult = { signalled: boolean }

export async function withdrawReview({ versionId, actorId, reason, client }: WithdrawReviewOptions): Promise<WithdrawReviewResult> {
  try {
    const temporal = client ?? (await getTemporalClient())
    await temporal.workflow.getHandle(`review-${versionId}`).signal(withdrawSignal, { actorId, reason })
    return { signalled: true }
  } catch (error) {
    // Nothing running: the review has ended or never started, so there is nothing to withdraw.
    if (error instanceof WorkflowNotFoundError) return { signalled: false }
    if (error instanceof ServiceError || (error instanceof Error && /ECONNREFUSED|UNAVAILABLE|connect/i.test(error.message))) {
      throw new AppError('UNAVAILABLE', 'The review could not be withdrawn because the workflow service is unreachable. Try again in a moment.')
    }
    throw error
  }
}
