/**
 * The review workflow's own state (its `reviewState` query), read with a short
 * deadline. The page must render when Temporal is slow or down, so this never
 * throws: it says why the state could not be read and the caller falls back to
 * what the database recorded.
 */
import { ServiceError, WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client'
import { z } from 'zod'
import { getTemporalClient } from '~/temporal.server'
import { reviewStateQuery, type ReviewState } from '../../workflows/review'

/** Long enough for a healthy local query (a few ms), short enough that a page never hangs on it. */
export const REVIEW_STATE_TIMEOUT_MS = 1500

export type LiveReviewState =
  | { ok: true; state: LiveState }
  /**
   * unreachable: Temporal did not answer in time (down, or no worker to run the query);
   * not_found: no such workflow (an old review, or one written without Temporal);
   * failed: it answered with something this code does not understand.
   */
  | { ok: false; reason: 'unreachable' | 'not_found' | 'failed' }

/**
 * The query's answer as read here. Workers still running an older build answer
 * without the reminder and escalation fields or the stage list: those read as
 * null, and `stages` as null so the caller uses the stored policy snapshot.
 */
export type LiveState = Omit<ReviewState, 'stages'> & { stages: ReviewState['stages'] | null }

const QuorumSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('any') }),
  z.object({ kind: z.literal('count'), count: z.number().int() }),
])

const optionalIso = z.string().nullable().optional().transform((value) => value ?? null)

const ReviewStateSchema = z.object({
  reviewId: z.string(),
  versionId: z.string(),
  status: z.enum(['in_progress', 'approved', 'rejected', 'changes_requested', 'withdrawn']),
  policyName: z.string(),
  stageIndex: z.number().int().min(0),
  stageName: z.string(),
  stageCount: z.number().int().min(1),
  quorum: QuorumSchema,
  reviewerIds: z.array(z.string()),
  pendingReviewerIds: z.array(z.string()),
  decisions: z.array(
    z.object({
      stageIndex: z.number().int().min(0),
      reviewerId: z.string(),
      decision: z.enum(['approve', 'reject', 'request_changes']),
      comment: z.string().nullable(),
      decidedAt: z.string(),
    }),
  ),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  remindedAt: optionalIso,
  escalationDueAt: optionalIso,
  escalatedAt: optionalIso,
  outcomeReason: z.string().nullable(),
  stages: z
    .array(z.object({ name: z.string(), reviewerIds: z.array(z.string()), quorum: QuorumSchema, dueHours: z.number().min(0) }))
    .nullable()
    .optional()
    .transform((value) => value ?? null),
}) satisfies z.ZodType<LiveState, unknown>

export type ReadLiveReviewStateOptions = {
  versionId: string
  /** Temporal client; the process-wide one by default. */
  client?: Client
  timeoutMs?: number
}

export type ReadLiveReviewState = (options: ReadLiveReviewStateOptions) => Promise<LiveReviewState>

/** Asks the version's review workflow (`review-${versionId}`) for its state. */
export const readLiveReviewState: ReadLiveReviewState = async ({ versionId, client, timeoutMs = REVIEW_STATE_TIMEOUT_MS }) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  // Bounds connecting as well as the query: a first connection to a dead server waits longer.
  const deadline = new Promise<LiveReviewState>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'unreachable' }), timeoutMs)
  })
  const query = (async (): Promise<LiveReviewState> => {
    const temporal = client ?? (await getTemporalClient())
    const handle = temporal.workflow.getHandle(`review-${versionId}`)
    const answer = await temporal.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(reviewStateQuery))
    const parsed = ReviewStateSchema.safeParse(answer)
    if (parsed.success) return { ok: true, state: parsed.data }
    console.error(`The review workflow of version ${versionId} answered its state query in an unknown shape`, parsed.error.issues[0])
    return { ok: false, reason: 'failed' }
  })().catch((error: unknown): LiveReviewState => {
    if (error instanceof WorkflowNotFoundError) return { ok: false, reason: 'not_found' }
    // Connection refused, deadline exceeded, server unavailable: the service, not the review.
    if (error instanceof ServiceError || isGrpcServiceError(error) || (error instanceof Error && /ECONNREFUSED|UNAVAILABLE|DEADLINE|connect/i.test(error.message))) {
      return { ok: false, reason: 'unreachable' }
    }
    console.error(`Reading the state of the review workflow of version ${versionId} failed`, error)
    return { ok: false, reason: 'failed' }
  })
  try {
    return await Promise.race([query, deadline])
  } finally {
    clearTimeout(timer)
  }
}
