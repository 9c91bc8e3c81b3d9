/**
 * One housekeeping pass (started hourly by the `housekeeping` Schedule, see
 * workers/housekeeping-schedule.ts): prunes old sign-in attempts and deletes expired
 * sessions, and returns how many rows each removed.
 *
 * Deterministic: imports only activity types.
 */
import { proxyActivities } from '@temporalio/workflow'
import type { HousekeepingActivities } from '../workers/activities/housekeeping'

export type HousekeepingResult = {
  signInAttemptsDeleted: number
  sessionsDeleted: number
}

export async function housekeeping(): Promise<HousekeepingResult> {
  // Bounded retries: a pass that cannot reach the database gives up, and the next
  // hourly pass picks up whatever this one left.
  const { pruneSignInAttempts, deleteExpiredSessions } = proxyActivities<HousekeepingActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  })

  const signInAttemptsDeleted = await pruneSignInAttempts()
  const sessionsDeleted = await deleteExpiredSessions()
  return { signInAttemptsDeleted, sessionsDeleted }
}
