/**
 * Failed sign-in limits, per account (email) and per client IP, over the
 * SignInAttempt table: at most 5 failures per email and 20 per IP in 15 minutes.
 *
 * An attempt is written *before* the password is checked (as a failure, turned into
 * a success afterwards), so a burst of parallel guesses cannot all slip past the count.
 * Refused attempts are removed again: hammering a locked account does not keep it
 * locked longer than the window.
 */
import type { Db } from '~/db.server'
import { UNKNOWN_CLIENT_IP } from '~/request.server'

export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  perEmail: 5,
  perIp: 20,
} as const

export type SignInLimits = { windowMs: number; perEmail: number; perIp: number }

export type AttemptGate =
  | { allowed: true; attemptId: string }
  | { allowed: false; scope: 'email' | 'ip'; retryAfterMinutes: number }

/**
 * When a limit lets attempts through again: once the `limit`-th most recent failure
 * (excluding the current attempt) leaves the window. `failuresNewestFirst` holds their times.
 */
export function minutesUntilAllowed(failuresNewestFirst: readonly Date[], limit: number, windowMs: number, now: Date): number {
  const blocking = failuresNewestFirst[limit - 1] ?? failuresNewestFirst[failuresNewestFirst.length - 1]
  if (!blocking) return 1
  const ms = blocking.getTime() + windowMs - now.getTime()
  return Math.max(1, Math.ceil(ms / 60_000))
}

async function recentFailures(
  db: Db,
  where: { email: string } | { ipAddress: string },
  excludeId: string,
  since: Date,
  take: number,
): Promise<Date[]> {
  const rows = await db.signInAttempt.findMany({
    where: { ...where, succeeded: false, createdAt: { gte: since }, id: { not: excludeId } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
    take,
  })
  return rows.map((row) => row.createdAt)
}

/**
 * Records the attempt as a failure, then counts. Returns the attempt id to pass to
 * `markAttemptSucceeded` when the password turns out right, or a refusal.
 * An unknown client IP (no proxy header) is not limited per IP: every client would
 * share that bucket and one attacker could lock everybody out.
 */
export async function beginSignInAttempt(
  db: Db,
  input: { email: string; ipAddress: string; now?: Date; limits?: SignInLimits },
): Promise<AttemptGate> {
  const limits = input.limits ?? SIGN_IN_LIMITS
  const now = input.now ?? new Date()
  const since = new Date(now.getTime() - limits.windowMs)
  const attempt = await db.signInAttempt.create({
    data: { email: input.email, ipAddress: input.ipAddress, succeeded: false, createdAt: now },
    select: { id: true },
  })

  // Our own row counts: the (limit + 1)-th failure in the window is refused.
  const byEmail = await recentFailures(db, { email: input.email }, attempt.id, since, limits.perEmail)
  let refusal: AttemptGate | null = null
  if (byEmail.length >= limits.perEmail) {
    refusal = {
      allowed: false,
      scope: 'email',
      retryAfterMinutes: minutesUntilAllowed(byEmail, limits.perEmail, limits.windowMs, now),
    }
  } else if (input.ipAddress !== UNKNOWN_CLIENT_IP) {
    const byIp = await recentFailures(db, { ipAddress: input.ipAddress }, attempt.id, since, limits.perIp)
    if (byIp.length >= limits.perIp) {
      refusal = {
        allowed: false,
        scope: 'ip',
        retryAfterMinutes: minutesUntilAllowed(byIp, limits.perIp, limits.windowMs, now),
      }
    }
  }

  if (refusal) {
    await db.signInAttempt.delete({ where: { id: attempt.id } })
    return refusal
  }
  return { allowed: true, attemptId: attempt.id }
}

export async function markAttemptSucceeded(db: Db, attemptId: string): Promise<void> {
  await db.signInAttempt.update({ where: { id: attemptId }, data: { succeeded: true } })
}

/** Housekeeping: attempts older than a day serve no limit. */
export async function pruneSignInAttempts(db: Db, olderThan = new Date(Date.now() - 24 * 60 * 60 * 1000)): Promise<number> {
  const result = await db.signInAttempt.deleteMany({ where: { createdAt: { lt: olderThan } } })
  return result.count
}
