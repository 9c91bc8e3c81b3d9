/**
 * One housekeeping pass (started hourly by the `housekeeping` Schedule, see
 * workers/housekeeping-schedule.ts): prunes old sign-in attempts and deletes expired
 * sessions, re-signals the rights windows of recently edited grants and distributions
 * left unsettled, and returns how
 * many rows (and windows) each step touched.
 *
 * Deterministic: imports only activity types.
 */
import { patched, proxyActivities } from '@temporalio/workflow'
import type { HousekeepingActivities } from '../workers/activities/housekeeping'

export type HousekeepingResult = {
  signInAttemptsDeleted: number
  sessionsDeleted: number
  /** Assets whose rights window was signalled again (grants edited in the last two hours). */
  rightsWindowsSignalled?: number
  /** Distributions signalled again because their record was unsettled for 15 minutes. */
  distributionsSignalled?: number
}

export async function housekeeping(): Promise<HousekeepingResult> {
  // Bounded retries: a pass that cannot reach the database gives up, and the next
  // hourly pass picks up whatever this one left.
  const { pruneSignInAttempts, deleteExpiredSessions, reconcileRightsWindows, reconcileDistributions } = proxyActivities<HousekeepingActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  })

  const signInAttemptsDeleted = await pruneSignInAttempts()
  const sessionsDeleted = await deleteExpiredSessions()
  // Added with the rights engine; passes started before it replay without it.
  if (!patched('reconcile-rights-windows')) return { signInAttemptsDeleted, sessionsDeleted }
  const rightsWindowsSignalled = await reconcileRightsWindows()
  // Added with distribution; passes started before it replay without it.
  if (!patched('reconcile-distributions')) return { signInAttemptsDeleted, sessionsDeleted, rightsWindowsSignalled }
  const distributionsSignalled = await reconcileDistributions()
  return { signInAttemptsDeleted, sessionsDeleted, rightsWindowsSignalled, distributionsSignalled }
}
