import { Context } from '@temporalio/activity'
import { ApplicationFailure } from '@temporalio/common'
import { AppError } from '~/errors.server'
import type { createSearchClient } from '~/search.server'

export type SearchClient = ReturnType<typeof createSearchClient>

/** Failure types the workflows look at; each is non-retryable (retrying cannot help). */
export const FailureType = {
  media: 'MediaError',
  notFound: 'NotFound',
  conflict: 'Conflict',
  noReviewers: 'NoReviewers',
} as const

export function nonRetryable(type: (typeof FailureType)[keyof typeof FailureType], message: string, details?: unknown) {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] })
}

/** AppErrors that describe the data (not an outage) become non-retryable failures. */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof AppError) {
    if (error.code === 'NOT_FOUND') return nonRetryable(FailureType.notFound, error.message)
    if (error.code === 'CONFLICT') return nonRetryable(FailureType.conflict, error.message)
  }
  return error
}

function activityContext(): Context | undefined {
  try {
    return Context.current()
  } catch {
    return undefined // called outside an activity (a script or a test): nothing to heartbeat
  }
}

/** Reports progress now (no-op outside an activity). */
export function heartbeat(details?: unknown): void {
  activityContext()?.heartbeat(details)
}

/**
 * Runs long work while heartbeating every few seconds, so a worker that dies
 * mid-way is noticed within the heartbeat timeout rather than the whole
 * start-to-close timeout.
 */
export async function withHeartbeat<T>(details: unknown, work: () => Promise<T>): Promise<T> {
  const context = activityContext()
  // Local activities cannot heartbeat (the workflow task that runs them stands in).
  if (!context || context.info.isLocal) return work()
  context.heartbeat(details)
  const timer = setInterval(() => context.heartbeat(details), 5_000)
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}
