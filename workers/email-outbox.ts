/**
 * The email outbox sender: polls for due messages and sends them over SMTP
 * (app/notifications/email-sender.server.ts does the claiming and bookkeeping).
 * Started by the worker process only when SMTP_URL is set; without it messages
 * stay queued in the outbox, where admins can read them. Several processes may run
 * it at once: claims never overlap.
 */
import nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'
import type { Db } from '~/db.server'
import { sendQueuedEmails, type MailTransport } from '~/notifications/email-sender.server'

export type EmailOutboxOptions = {
  db: Db
  /** smtp(s)://user:pass@host:port (env SMTP_URL). */
  smtpUrl: string
  /** The From header (env EMAIL_FROM). */
  from: string
  /** Wait between polls when the outbox is drained (default 2 s). */
  pollMs?: number
  batchSize?: number
  log?: (line: string) => void
}

export type EmailOutbox = {
  /** Stops polling, lets the batch in flight finish, and closes the SMTP connections. */
  stop(): Promise<void>
}

/**
 * A nodemailer transport from an smtp:// or smtps:// URL, with timeouts short
 * enough that one stuck server cannot hold a claimed batch past its lease.
 */
export function createMailTransport(smtpUrl: string): MailTransport & { close(): void } {
  // The URL wins over these defaults, so `?socketTimeout=…` or `?tls.rejectUnauthorized=false` still apply.
  const options: SMTPTransport.Options = { url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }
  return nodemailer.createTransport(options)
}

export function startEmailOutbox({ db, smtpUrl, from, pollMs = 2000, batchSize = 20, log = console.log }: EmailOutboxOptions): EmailOutbox {
  const transport = createMailTransport(smtpUrl)
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<void> = Promise.resolve()

  const tick = async (): Promise<void> => {
    try {
      // Drain: a full batch means there may be more due right now.
      for (;;) {
        const report = await sendQueuedEmails({ db, transport, from, batchSize })
        if (report.claimed > 0) {
          log(`Email outbox: ${report.sent} sent, ${report.retrying} to retry, ${report.failed} failed`)
        }
        if (stopped || report.claimed < batchSize) break
      }
    } catch (error) {
      // The database may be briefly away; the next poll tries again.
      log(`Email outbox: poll failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  const schedule = (delayMs: number) => {
    if (stopped) return
    timer = setTimeout(() => {
      inFlight = tick().finally(() => schedule(pollMs))
    }, delayMs)
  }
  schedule(0)

  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await inFlight
      transport.close()
    },
  }
}
