/**
 * Ingest of one uploaded version (workflow id `ingest-${versionId}`): inspect the
 * original, make renditions, index, open the review and start the review workflow
 * as an abandoned child, so the review outlives this workflow.
 *
 * Deterministic: imports only activity types and pure modules.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  proxyActivities,
  startChild,
} from '@temporalio/workflow'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common'
import type { IngestActivities, MediaActivities } from '../workers/activities/ingest'
import type { ReviewActivities } from '../workers/activities/review'
import { reviewVersion } from './review'

export type IngestVersionInput = {
  versionId: string
  assetId: string
  /** The media task queue (TEMPORAL_MEDIA_TASK_QUEUE); `startIngest` fills it in. */
  mediaTaskQueue?: string
}

export type IngestVersionResult =
  | { status: 'in_review'; reviewId: string; reviewWorkflowId: string }
  | { status: 'failed'; reason: string }
  | { status: 'superseded'; reason: string }

export const DEFAULT_MEDIA_TASK_QUEUE = 'damson-media'

export async function ingestVersion({ versionId, assetId, mediaTaskQueue }: IngestVersionInput): Promise<IngestVersionResult> {
  const media = proxyActivities<MediaActivities>({
    taskQueue: mediaTaskQueue ?? DEFAULT_MEDIA_TASK_QUEUE,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
  })
  const orchestration = proxyActivities<Pick<IngestActivities, 'indexAsset' | 'markVersionFailed'> & ReviewActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  })

  const fail = async (reason: string): Promise<IngestVersionResult> => {
    await orchestration.markVersionFailed({ versionId, reason })
    return { status: 'failed', reason }
  }

  try {
    await media.inspectOriginal({ versionId })
    await media.makeRenditions({ versionId })
  } catch (error) {
    const reason = failureReason(error)
    if (reason === null) throw error
    return fail(reason)
  }

  await orchestration.indexAsset({ assetId })

  let review: Awaited<ReturnType<ReviewActivities['openReview']>>
  try {
    review = await orchestration.openReview({ versionId })
  } catch (error) {
    const reason = failureReason(error)
    if (reason === null) throw error
    return fail(reason)
  }
  // A newer version arrived meanwhile: this one was superseded, with nothing to review.
  if ('superseded' in review) return { status: 'superseded', reason: review.reason }

  const reviewWorkflowId = `review-${versionId}`
  try {
    await startChild(reviewVersion, {
      workflowId: reviewWorkflowId,
      args: [{ reviewId: review.reviewId, versionId, snapshot: review.snapshot }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    })
  } catch (error) {
    // Already started (this ingest was re-run): the running or finished review stands.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
  }
  return { status: 'in_review', reviewId: review.reviewId, reviewWorkflowId }
}

/**
 * The reason to show the uploader when an activity failed for good: the message
 * of a non-retryable failure (a bad file, no reviewers), or a generic one once
 * retries are exhausted. Null for anything else (the workflow then fails loudly).
 */
function failureReason(error: unknown): string | null {
  if (!(error instanceof ActivityFailure)) return null
  const cause = error.cause
  if (cause instanceof ApplicationFailure && cause.nonRetryable) return cause.message
  return `Processing failed after several attempts: ${cause?.message ?? error.message}`
}
