/**
 * Sends the email outbox through SMTP, a batch at a time.
 *
 * Claiming: one statement locks due rows with FOR UPDATE SKIP LOCKED and pushes
 * their `nextAttemptAt` past a lease, so a second sender (another worker process)
 * neither waits on nor sees them. If the sender dies mid-batch, the lease runs out
 * and the messages are due again: delivery is at least once, never twice by two
 * live senders.
 *
 * Failures back off exponentially (1, 2, 4 … minutes, at most an hour); after
 * MAX_EMAIL_ATTEMPTS the message is marked failed and stays in the outbox, where an
 * admin can send it again (`retryEmailMessage`).
 */
import type { SendMailOptions } from 'nodemailer'
import type { DbOrTx } from '~/db.server'

export const MAX_EMAIL_ATTEMPTS = 8
/** How long a claimed message is hidden from other senders; longer than one SMTP exchange can take. */
export const EMAIL_CLAIM_LEASE_MS = 10 * 60_000
const MAX_BACKOFF_MS = 60 * 60_000
const MAX_ERROR_LENGTH = 1000

/** The part of a nodemailer transport the sender uses. */
export type MailTransport = { sendMail(message: SendMailOptions): Promise<unknown> }

export type SendQueuedEmailsOptions = {
  db: DbOrTx
  transport: MailTransport
  /** The From header (env EMAIL_FROM). */
  from: string
  batchSize?: number
  now?: Date
  leaseMs?: number
}

export type SendReport = { claimed: number; sent: number; retrying: number; failed: number }

type ClaimedMessage = { id: string; toAddress: string; subject: string; textBody: string; htmlBody: string; attempts: number }

/** The wait before the next try after `attempts` failed tries: 1 min, 2, 4, … capped at an hour. */
export function emailBackoffMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1) * 60_000, MAX_BACKOFF_MS)
}

/** Claims up to `batchSize` due messages and sends them one after another; returns what happened. */
export async function sendQueuedEmails({
  db,
  transport,
  from,
  batchSize = 20,
  now = new Date(),
  leaseMs = EMAIL_CLAIM_LEASE_MS,
}: SendQueuedEmailsOptions): Promise<SendReport> {
  const claimed = await claimDueEmails(db, { now, batchSize, leaseUntil: new Date(now.getTime() + leaseMs) })
  const report: SendReport = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0 }
  for (const message of claimed) {
    const attempts = message.attempts + 1
    try {
      await transport.sendMail({
        from,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
        // Lets a reader (and the tests) tie a received message to its outbox row.
        headers: { 'X-Damson-Email-Id': message.id },
      })
    } catch (error) {
      const gaveUp = attempts >= MAX_EMAIL_ATTEMPTS
      await db.emailMessage.update({
        where: { id: message.id },
        data: {
          attempts,
          status: gaveUp ? 'failed' : 'queued',
          lastError: describeSendError(error),
          nextAttemptAt: new Date(now.getTime() + emailBackoffMs(attempts)),
        },
      })
      if (gaveUp) report.failed += 1
      else report.retrying += 1
      continue
    }
    await db.emailMessage.update({
      where: { id: message.id },
      data: { attempts, status: 'sent', sentAt: new Date(), lastError: null },
    })
    report.sent += 1
  }
  return report
}

async function claimDueEmails(db: DbOrTx, { now, batchSize, leaseUntil }: { now: Date; batchSize: number; leaseUntil: Date }): Promise<ClaimedMessage[]> {
  // Timestamps are stored as UTC without a zone; the adapter sends Dates the same way.
  return db.$queryRaw<ClaimedMessage[]>`
    WITH due AS (
      SELECT "id" FROM "EmailMessage"
      WHERE "status" = 'queued' AND "nextAttemptAt" <= ${now}::timestamp(3)
      ORDER BY "nextAttemptAt", "createdAt"
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE "EmailMessage" AS message
    SET "nextAttemptAt" = ${leaseUntil}::timestamp(3)
    FROM due
    WHERE message."id" = due."id"
    RETURNING message."id", message."toAddress", message."subject", message."textBody", message."htmlBody", message."attempts"`
}

/** nodemailer's errors carry the SMTP reply ("550 5.1.1 No such user"); keep that, bounded. */
function describeSendError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.slice(0, MAX_ERROR_LENGTH) || 'Unknown error'
}
