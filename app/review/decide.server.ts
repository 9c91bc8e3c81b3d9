import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { z } from 'zod'
import { AppError } from '~/errors.server'
import { getTemporalClient } from '~/temporal.server'
import { DecisionRejection, MAX_COMMENT_LENGTH, decideUpdate, type DecisionResult } from '../../workflows/review'

export const ReviewDecisionSchema = z.object({
  versionId: z.string().min(1),
  reviewerId: z.string().min(1),
  decision: z.enum(['approve', 'reject', 'request_changes']),
  comment: z
    .string()
    .trim()
    .max(MAX_COMMENT_LENGTH, `A comment can be at most ${MAX_COMMENT_LENGTH} characters`)
    .optional()
    .nullable()
    // NUL cannot be stored in PostgreSQL text; nobody means to type it.
    .transform((value) => value?.replaceAll('\u0000', '') || null),
})

export type SubmitReviewDecisionOptions = z.input<typeof ReviewDecisionSchema> & {
  /** Temporal client; the process-wide one by default. */
  client?: Client
  /**
   * The review is open in the database: if its workflow is not found, it is about to
   * start (ingest writes the review row, then starts it), so wait for it briefly.
   */
  reviewIsOpen?: boolean
}

/**
 * Sends a reviewer's decision to the version's review workflow and returns once
 * it is recorded. The workflow's validator is the authority on who may decide:
 * a non-reviewer gets FORBIDDEN, a second decision or an ended review CONFLICT,
 * a version without a review NOT_FOUND.
 */
export async function submitReviewDecision({ client, reviewIsOpen = false, ...input }: SubmitReviewDecisionOptions): Promise<DecisionResult> {
  const parsed = ReviewDecisionSchema.safeParse(input)
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'Invalid decision')
  const { versionId, reviewerId, decision, comment } = parsed.data

  let handle: WorkflowHandle | undefined
  const startedBy = Date.now() + (reviewIsOpen ? WORKFLOW_START_GRACE_MS : 0)
  for (;;) {
    try {
      const temporal = client ?? (await getTemporalClient())
      handle = temporal.workflow.getHandle(`review-${versionId}`)
      return await handle.executeUpdate(decideUpdate, { args: [{ reviewerId, decision, comment }] })
    } catch (error) {
      if (error instanceof WorkflowNotFoundError && handle) {
        if (await hasEnded(handle)) throw new AppError('CONFLICT', 'This review has already ended')
        if (Date.now() < startedBy) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          continue
        }
      }
      throw toAppError(error)
    }
  }
}

/** How long a decision waits for a review workflow that has not started yet. */
const WORKFLOW_START_GRACE_MS = 5_000

/** Whether the review workflow exists but is closed (servers word "not found" differently). */
async function hasEnded(handle: WorkflowHandle): Promise<boolean> {
  try {
    return (await handle.describe()).status.name !== 'RUNNING'
  } catch {
    return false
  }
}

function toAppError(error: unknown): unknown {
  if (error instanceof WorkflowNotFoundError) {
    return /already completed/i.test(error.message)
      ? new AppError('CONFLICT', 'This review has already ended')
      : new AppError('NOT_FOUND', 'This version has no review in progress')
  }
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const { type, message } = error.cause
    if (type === DecisionRejection.notAReviewer) return new AppError('FORBIDDEN', message)
    if (type === DecisionRejection.alreadyDecided || type === DecisionRejection.reviewEnded) {
      return new AppError('CONFLICT', message)
    }
    if (type === DecisionRejection.invalid) return new AppError('BAD_REQUEST', message)
  }
  // Temporal unreachable (connection refused, deadline): say so rather than fail with a 500.
  if (error instanceof ServiceError || (error instanceof Error && /ECONNREFUSED|UNAVAILABLE|connect/i.test(error.message))) {
    return new AppError('UNAVAILABLE', 'Decisions cannot be recorded right now because the workflow service is unreachable. Try again in a moment.')
  }
  return error
}
