/**
 * The email outbox as admins see it: every message rendered and kept, its delivery
 * state, and "retry now". Sending itself is workers/email-outbox.ts.
 */
import { z } from 'zod'
import type { DbOrTx } from '~/db.server'
import { AppError } from '~/errors.server'
import type { SmtpNoticeStatus } from '~/components/notifications/smtp-notice'
import type { EmailStatus } from '~/generated/prisma/client'

export const OUTBOX_PAGE_SIZE = 25

export const OutboxQuerySchema = z.object({
  status: z.enum(['queued', 'sent', 'failed']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
})
export type OutboxQuery = z.infer<typeof OutboxQuerySchema>

export type OutboxRow = {
  id: string
  toAddress: string
  toName: string | null
  subject: string
  status: EmailStatus
  attempts: number
  lastError: string | null
  createdAt: string
  sentAt: string | null
  nextAttemptAt: string
  /** Queued and due: the next poll of a sender takes it (or it waits for SMTP to be configured). */
  due: boolean
  /** "Retry now" means something: failed, or queued but waiting out a backoff. */
  retryable: boolean
}

export type OutboxPage = {
  query: OutboxQuery
  rows: OutboxRow[]
  total: number
  pageCount: number
  counts: Record<EmailStatus | 'all', number>
}

const rowSelect = {
  id: true,
  toAddress: true,
  subject: true,
  status: true,
  attempts: true,
  lastError: true,
  createdAt: true,
  sentAt: true,
  nextAttemptAt: true,
  toUser: { select: { name: true } },
} as const

type RowRecord = {
  id: string
  toAddress: string
  subject: string
  status: EmailStatus
  attempts: number
  lastError: string | null
  createdAt: Date
  sentAt: Date | null
  nextAttemptAt: Date
  toUser: { name: string } | null
}

function toRow(record: RowRecord, at: Date): OutboxRow {
  const due = record.status === 'queued' && record.nextAttemptAt.getTime() <= at.getTime()
  return {
    id: record.id,
    toAddress: record.toAddress,
    toName: record.toUser?.name ?? null,
    subject: record.subject,
    status: record.status,
    attempts: record.attempts,
    lastError: record.lastError,
    createdAt: record.createdAt.toISOString(),
    sentAt: record.sentAt?.toISOString() ?? null,
    nextAttemptAt: record.nextAttemptAt.toISOString(),
    due,
    retryable: record.status === 'failed' || (record.status === 'queued' && !due),
  }
}

/** Newest first, optionally one status. */
export async function listOutbox({
  db,
  query,
  pageSize = OUTBOX_PAGE_SIZE,
  at = new Date(),
}: {
  db: DbOrTx
  query: OutboxQuery
  pageSize?: number
  at?: Date
}): Promise<OutboxPage> {
  const where = query.status ? { status: query.status } : {}
  const [records, total, grouped] = await Promise.all([
    db.emailMessage.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (query.page - 1) * pageSize,
      take: pageSize,
      select: rowSelect,
    }),
    db.emailMessage.count({ where }),
    db.emailMessage.groupBy({ by: ['status'], _count: { _all: true } }),
  ])
  const counts: OutboxPage['counts'] = { all: 0, queued: 0, sent: 0, failed: 0 }
  for (const group of grouped) {
    counts[group.status] = group._count._all
    counts.all += group._count._all
  }
  return { query, rows: records.map((record) => toRow(record, at)), total, pageCount: Math.max(1, Math.ceil(total / pageSize)), counts }
}

export type OutboxMessage = OutboxRow & { textBody: string; htmlBody: string; notificationId: string | null }

export async function getOutboxMessage({ db, messageId, at = new Date() }: { db: DbOrTx; messageId: string; at?: Date }): Promise<OutboxMessage> {
  const record = await db.emailMessage.findUnique({
    where: { id: messageId },
    select: { ...rowSelect, textBody: true, htmlBody: true, notificationId: true },
  })
  if (!record) throw new AppError('NOT_FOUND', 'Message not found')
  return { ...toRow(record, at), textBody: record.textBody, htmlBody: record.htmlBody, notificationId: record.notificationId }
}

/**
 * Makes a queued or failed message due now. Attempts are kept (they are its
 * history), so a failed message that fails again goes straight back to failed.
 */
export async function retryEmailMessage({ db, messageId, at = new Date() }: { db: DbOrTx; messageId: string; at?: Date }): Promise<void> {
  const { count } = await db.emailMessage.updateMany({
    where: { id: messageId, status: { in: ['queued', 'failed'] } },
    data: { status: 'queued', nextAttemptAt: at },
  })
  if (count === 1) return
  const exists = await db.emailMessage.findUnique({ where: { id: messageId }, select: { status: true } })
  if (!exists) throw new AppError('NOT_FOUND', 'Message not found')
  throw new AppError('CONFLICT', 'This message has already been sent.')
}

export const OutboxActionSchema = z.object({
  intent: z.literal('retry'),
  messageId: z.string().min(1).max(64),
})


/** Whether SMTP_URL is set, and where it points (host and port only: the URL may carry a password). */
export function describeSmtp(smtpUrl: string | undefined): SmtpNoticeStatus {
  if (!smtpUrl) return { configured: false }
  try {
    const url = new URL(smtpUrl)
    return { configured: true, server: `${url.protocol}//${url.host}` }
  } catch {
    return { configured: true, server: 'the configured server' }
  }
}
