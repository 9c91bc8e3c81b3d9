/**
 * Housekeeping activities, run on the orchestration task queue by the `housekeeping`
 * workflow: they delete rows that no longer serve anything. Each is one conditional
 * delete by age, so it is idempotent: a retry (or an overlapping run) deletes what is
 * left, and counts only what it deleted itself.
 */
import { pruneSignInAttempts } from '~/auth/rate-limit.server'
import type { Db } from '~/db.server'

export type HousekeepingActivityDeps = { db: Db }

export function createHousekeepingActivities({ db }: HousekeepingActivityDeps) {
  return {
    /**
     * Deletes sign-in attempts older than a day: the rate limits look back 15 minutes
     * (SIGN_IN_LIMITS.windowMs), so an attempt that old can refuse nobody.
     * Returns the number deleted.
     */
    async pruneSignInAttempts(): Promise<number> {
      return pruneSignInAttempts(db)
    },

    /**
     * Deletes sessions past their expiry, with the condition lucia's adapter uses
     * (`expiresAt <= now`): lucia already treats them as signed out. Returns the number deleted.
     */
    async deleteExpiredSessions(): Promise<number> {
      const result = await db.session.deleteMany({ where: { expiresAt: { lte: new Date() } } })
      return result.count
    },
  }
}

export type HousekeepingActivities = ReturnType<typeof createHousekeepingActivities>
