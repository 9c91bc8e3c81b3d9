/**
 * Housekeeping activities, run on the orchestration task queue by the `housekeeping`
 * workflow: they delete rows that no longer serve anything. Each is one conditional
 * delete by age, so it is idempotent: a retry (or an overlapping run) deletes what is
 * left, and counts only what it deleted itself.
 */
import type { Client } from '@temporalio/client'
import { pruneSignInAttempts } from '~/auth/rate-limit.server'
import type { Db } from '~/db.server'
import { signalDistribution } from '~/distribution/distribution-signals.server'
import { notifyRightsChanged } from '~/rights/rights-window.server'
import { heartbeat } from './support'

export type HousekeepingActivityDeps = {
  db: Db
  /** Temporal client for signalling rights windows; the process-wide one when omitted. */
  temporal?: Client
  /** Task queue of the rights windows it starts; env TEMPORAL_TASK_QUEUE when omitted. */
  taskQueue?: string
}

/** Grants edited this recently have their rights window signalled again (two passes' worth). */
const RECONCILE_LOOKBACK_MS = 2 * 3_600_000

export function createHousekeepingActivities({ db, temporal, taskQueue }: HousekeepingActivityDeps) {
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

    /**
     * Signals (starting if need be) the rights window of every asset whose grants changed
     * in the last two hours. Grant edits signal it themselves; this catches those made
     * while Temporal was unreachable, which the rights pages promise will be re-planned.
     * A signal to a running window only makes it plan again, so repeats are harmless.
     * Returns the number of assets signalled.
     */
    async reconcileRightsWindows(): Promise<number> {
      const since = new Date(Date.now() - RECONCILE_LOOKBACK_MS)
      const changed = await db.rightsGrant.findMany({
        where: { updatedAt: { gte: since } },
        distinct: ['assetId'],
        select: { assetId: true },
      })
      for (const [index, { assetId }] of changed.entries()) {
        await notifyRightsChanged({ assetId, client: temporal, taskQueue })
        heartbeat({ signalled: index + 1 })
      }
      return changed.length
    },

    /**
     * Signals the distribution of every asset × channel whose record is unsettled and has
     * not moved for a while (pending, publishing, removing or failed for 15 minutes): a
     * librarian's request or an event whose signal was lost while Temporal was down, or
     * a workflow that is gone. A running workflow just plans again. Returns how many.
     */
    async reconcileDistributions(): Promise<number> {
      const stale = await db.distribution.findMany({
        where: { state: { in: ['pending', 'publishing', 'removing', 'failed'] }, updatedAt: { lt: new Date(Date.now() - UNSETTLED_AFTER_MS) } },
        select: { assetId: true, channelId: true },
      })
      for (const [index, { assetId, channelId }] of stale.entries()) {
        await signalDistribution({ assetId, channelId, cause: { kind: 'housekeeping', actorId: null } }, { client: temporal, taskQueue })
        heartbeat({ signalled: index + 1 })
      }
      await settleTakedownRequestsWithNothingLive(db)
      return stale.length
    },
  }
}

/**
 * Takedown requests recorded for a rights channel the asset is not live on through any
 * distribution channel (made before the channel existed, say): nothing is left to take
 * down, so they are done. Live ones are left to their distribution workflows.
 */
async function settleTakedownRequestsWithNothingLive(db: Db): Promise<void> {
  await db.$executeRaw`
    UPDATE "TakedownRequest" AS r
    SET status = 'done', "completedAt" = now(), outcome = 'Not live on any channel'
    WHERE r.status = 'requested' AND r."effectiveAt" <= now()
      AND NOT EXISTS (
        SELECT 1 FROM "Distribution" d JOIN "Channel" c ON c.id = d."channelId"
        WHERE d."assetId" = r."assetId" AND d."externalRef" IS NOT NULL
          AND (r.channel = '*' OR c."rightsChannel" = r.channel)
      )`
}

/** How long a distribution record may stay unsettled before housekeeping signals it again. */
const UNSETTLED_AFTER_MS = 15 * 60_000

export type HousekeepingActivities = ReturnType<typeof createHousekeepingActivities>
