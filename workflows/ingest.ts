/**
 * Ingest of one uploaded version (workflow id `ingest-${versionId}`): inspect the
 * original, make renditions, describe it (embedded metadata, OCR), index, wait until
 * the asset's mandatory metadata is filled in, open the review and start the review
 * workflow as an abandoned child, so the review outlives this workflow.
 *
 * Executions started before describing and the metadata gate existed replay without
 * them (`patched(METADATA_PATCH)`).
 *
 * Deterministic: imports only activity types and pure modules.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common'
import type { DescribeActivities } from '../workers/activities/describe'
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

/** Describing the version and the mandatory-metadata gate before review. */
export const METADATA_PATCH = 'describe-and-metadata-gate'

/**
 * Someone saved the asset's metadata: re-check the mandatory fields. Sent by the
 * metadata page and bulk edit to every version of the asset awaiting metadata.
 */
export const metadataCompletedSignal = defineSignal('metadataCompleted')

/** A missed signal (Temporal unreachable when the metadata was saved) is caught up by a daily re-check. */
const METADATA_RECHECK_INTERVAL = '1 day'

export async function ingestVersion({ versionId, assetId, mediaTaskQueue }: IngestVersionInput): Promise<IngestVersionResult> {
  let metadataSaved = false
  setHandler(metadataCompletedSignal, () => {
    metadataSaved = true
  })

  const media = proxyActivities<MediaActivities>({
    taskQueue: mediaTaskQueue ?? DEFAULT_MEDIA_TASK_QUEUE,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
  })
  const describe = proxyActivities<Pick<DescribeActivities, 'describeVersion'>>({
    taskQueue: mediaTaskQueue ?? DEFAULT_MEDIA_TASK_QUEUE,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  })
  const orchestration = proxyActivities<
    Pick<IngestActivities, 'indexAsset' | 'markVersionFailed'> & Pick<DescribeActivities, 'checkMetadataComplete'> & ReviewActivities
  >({
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

  const gated = patched(METADATA_PATCH)
  if (gated) {
    try {
      await describe.describeVersion({ versionId })
    } catch (error) {
      // Metadata and OCR only enrich the version: when they fail for good it still goes on to review.
      if (!(error instanceof ActivityFailure)) throw error
    }
  }

  await orchestration.indexAsset({ assetId })

  if (gated) {
    // Mandatory fields of the asset's schema gate the review; the current approved version stays live meanwhile.
    // Reset before each check, so a save that lands while the check runs is not lost.
    for (;;) {
      metadataSaved = false
      const check = await orchestration.checkMetadataComplete({ versionId })
      if (check.complete) break
      await condition(() => metadataSaved, METADATA_RECHECK_INTERVAL)
    }
  }

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
