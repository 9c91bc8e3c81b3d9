/**
 * The email outbox against a real SMTP server (smtp-server on 127.0.0.1) and a real
 * PostgreSQL. The sender claims every due message in its database, so this file uses
 * a database of its own (migrated with the project's command): it must not send, or
 * back off, messages other tests wrote to the shared one.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'
import { createThrowawayDatabase, runTsxScript, stackDatabaseUrl } from '../support/throwaway-database'

loadStackEnv()

const { createDb } = await import('~/db.server')
const { notifyUsers } = await import('~/notifications/notify.server')
const { MAX_EMAIL_ATTEMPTS, sendQueuedEmails } = await import('~/notifications/email-sender.server')
const { retryEmailMessage } = await import('~/notifications/outbox.server')
const { createMailTransport, startEmailOutbox } = await import('../../workers/email-outbox')
type Db = import('~/db.server').Db

const FROM = 'Damson <no-reply@damson.test>'
const publicUrl = 'https://dam.example.test'
const run = randomBytes(4).toString('hex')

let database: Awaited<ReturnType<typeof createThrowawayDatabase>>
let db: Db
let smtp: SMTPServer
let smtpUrl: string
let organisationId: string

/** What the SMTP server received, parsed; `rejecting` makes it refuse every recipient with a 450. */
const inbox: ParsedMail[] = []
let rejecting = false
let acceptDelayMs = 0

beforeAll(async () => {
  database = await createThrowawayDatabase(stackDatabaseUrl('email-outbox'), 'damson_outbox')
  const deployed = await runTsxScript('scripts/db/migrate.ts', ['deploy'], database.url)
  if (deployed.code !== 0) throw new Error(`migrate.ts deploy failed:\n${deployed.output}`)
  db = createDb(database.url)
  organisationId = (await db.organisation.create({ data: { name: 'Outbox', slug: `outbox-${run}`, kind: 'brand' } })).id

  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    // Plain SMTP on loopback: the default self-signed certificate would fail nodemailer's STARTTLS.
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, callback) {
      if (!rejecting) return callback()
      callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 }))
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (acceptDelayMs) await new Promise((resolve) => setTimeout(resolve, acceptDelayMs))
          inbox.push(mail)
          callback()
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))))
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()))
  await db?.$disconnect()
  await database?.drop()
})

beforeEach(async () => {
  inbox.length = 0
  rejecting = false
  acceptDelayMs = 0
  // Each test starts with an empty outbox (this database is the file's own).
  await db.emailMessage.deleteMany({})
})

let userCount = 0
async function notifyNewUser(notices = 1): Promise<{ userId: string; email: string; messageIds: string[] }> {
  userCount += 1
  const user = await db.user.create({
    data: {
      email: `reviewer${userCount}-${run}@example.test`,
      name: `Reviewer ${userCount}`,
      passwordHash: 'x',
      memberships: { create: { organisationId, roles: ['reviewer'] } },
    },
  })
  await notifyUsers(db, {
    publicUrl,
    notices: Array.from({ length: notices }, (_, index) => ({
      userId: user.id,
      kind: 'review_requested' as const,
      title: `Review requested: Poster ${index + 1}`,
      body: 'Stage “Brand” is waiting for you.',
      link: `/reviews/v-${userCount}-${index + 1}`,
      dedupeKey: `outbox:${run}:${user.id}:${index}`,
    })),
  })
  const messages = await db.emailMessage.findMany({ where: { toUserId: user.id }, select: { id: true } })
  return { userId: user.id, email: user.email, messageIds: messages.map((message) => message.id) }
}

function emailIdOf(mail: ParsedMail): string {
  const header = mail.headers.get('x-damson-email-id')
  return typeof header === 'string' ? header : ''
}

function addressOf(mail: ParsedMail): string[] {
  const to = mail.to
  const list = Array.isArray(to) ? to : to ? [to] : []
  return list.flatMap((group) => group.value.map((entry) => entry.address ?? ''))
}

const minutes = (n: number) => n * 60_000

describe('sendQueuedEmails', () => {
  it('sends a notification email over SMTP and marks it sent', async () => {
    const { email, messageIds } = await notifyNewUser()
    const transport = createMailTransport(smtpUrl)
    try {
      const report = await sendQueuedEmails({ db, transport, from: FROM })
      expect(report).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 })
      // Nothing left to send.
      expect(await sendQueuedEmails({ db, transport, from: FROM })).toMatchObject({ claimed: 0 })
    } finally {
      transport.close()
    }

    expect(inbox).toHaveLength(1)
    const mail = inbox[0]!
    expect(addressOf(mail)).toEqual([email])
    expect(mail.from?.value[0]?.address).toBe('no-reply@damson.test')
    expect(mail.subject).toBe('Damson: Review requested: Poster 1')
    expect(mail.text).toContain('Stage “Brand” is waiting for you.')
    expect(mail.text).toContain(`Open in Damson: ${publicUrl}/reviews/v-${userCount}-1`)
    expect(mail.html || '').toContain(`href="${publicUrl}/reviews/v-${userCount}-1"`)
    expect(emailIdOf(mail)).toBe(messageIds[0])

    const row = await db.emailMessage.findUniqueOrThrow({ where: { id: messageIds[0] } })
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null })
    expect(row.sentAt).toBeInstanceOf(Date)
  })

  it('backs off while the server refuses, then sends once it accepts', async () => {
    const { messageIds } = await notifyNewUser()
    const id = messageIds[0]!
    const transport = createMailTransport(smtpUrl)
    const t0 = new Date(Date.now() + 1000)
    try {
      rejecting = true
      expect(await sendQueuedEmails({ db, transport, from: FROM, now: t0 })).toEqual({ claimed: 1, sent: 0, retrying: 1, failed: 0 })
      let row = await db.emailMessage.findUniqueOrThrow({ where: { id } })
      expect(row).toMatchObject({ status: 'queued', attempts: 1, sentAt: null })
      expect(row.lastError).toMatch(/450/)
      expect(row.lastError).toMatch(/Mailbox busy/)
      expect(row.nextAttemptAt.getTime()).toBe(t0.getTime() + minutes(1))

      // Not due before its backoff is over.
      expect(await sendQueuedEmails({ db, transport, from: FROM, now: new Date(t0.getTime() + minutes(1) - 1000) })).toMatchObject({ claimed: 0 })

      const t1 = new Date(t0.getTime() + minutes(1))
      expect(await sendQueuedEmails({ db, transport, from: FROM, now: t1 })).toMatchObject({ claimed: 1, retrying: 1 })
      row = await db.emailMessage.findUniqueOrThrow({ where: { id } })
      expect(row).toMatchObject({ status: 'queued', attempts: 2 })
      expect(row.nextAttemptAt.getTime()).toBe(t1.getTime() + minutes(2))

      rejecting = false
      const t2 = new Date(t1.getTime() + minutes(2))
      expect(await sendQueuedEmails({ db, transport, from: FROM, now: t2 })).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 })
    } finally {
      transport.close()
    }
    const row = await db.emailMessage.findUniqueOrThrow({ where: { id } })
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null })
    expect(inbox.map(emailIdOf)).toEqual([id])
  })

  it(`gives up after ${MAX_EMAIL_ATTEMPTS} attempts, backing off at most an hour; "retry now" sends it again`, async () => {
    const { messageIds } = await notifyNewUser()
    const id = messageIds[0]!
    const transport = createMailTransport(smtpUrl)
    rejecting = true
    let now = new Date(Date.now() + 1000)
    const waits: number[] = []
    try {
      for (let attempt = 1; attempt <= MAX_EMAIL_ATTEMPTS; attempt += 1) {
        const report = await sendQueuedEmails({ db, transport, from: FROM, now })
        expect(report.claimed).toBe(1)
        const row = await db.emailMessage.findUniqueOrThrow({ where: { id } })
        expect(row.attempts).toBe(attempt)
        waits.push(row.nextAttemptAt.getTime() - now.getTime())
        now = row.nextAttemptAt
      }
      const row = await db.emailMessage.findUniqueOrThrow({ where: { id } })
      expect(row.status).toBe('failed')
      expect(waits.slice(0, 7)).toEqual([1, 2, 4, 8, 16, 32, 60].map(minutes))
      // Failed messages are not picked up again, however late it gets.
      expect(await sendQueuedEmails({ db, transport, from: FROM, now: new Date(now.getTime() + minutes(24 * 60)) })).toMatchObject({ claimed: 0 })

      rejecting = false
      await retryEmailMessage({ db, messageId: id })
      expect(await sendQueuedEmails({ db, transport, from: FROM })).toMatchObject({ claimed: 1, sent: 1 })
      await expect(retryEmailMessage({ db, messageId: id })).rejects.toMatchObject({ code: 'CONFLICT' })
      await expect(retryEmailMessage({ db, messageId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    } finally {
      transport.close()
    }
    expect(await db.emailMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'sent', attempts: MAX_EMAIL_ATTEMPTS + 1 })
  })

  it('never sends a message twice when two senders work the outbox at once', async () => {
    const batches = await Promise.all([notifyNewUser(15), notifyNewUser(15)])
    const allIds = batches.flatMap((batch) => batch.messageIds)
    expect(allIds).toHaveLength(30)
    // Slow acceptance keeps both senders busy at the same time.
    acceptDelayMs = 5

    // Two processes' worth: their own database pools and SMTP transports.
    const senders = [0, 1].map(() => ({ db: createDb(database.url), transport: createMailTransport(smtpUrl), sent: 0 }))
    try {
      await Promise.all(
        senders.map(async (sender) => {
          for (;;) {
            const report = await sendQueuedEmails({ db: sender.db, transport: sender.transport, from: FROM, batchSize: 4 })
            sender.sent += report.sent
            if (report.claimed === 0) return
          }
        }),
      )
    } finally {
      for (const sender of senders) sender.transport.close()
      await Promise.all(senders.map((sender) => sender.db.$disconnect()))
    }

    const received = inbox.map(emailIdOf)
    expect(received).toHaveLength(30)
    expect(new Set(received)).toEqual(new Set(allIds))
    // Both really took part.
    expect(senders.every((sender) => sender.sent > 0)).toBe(true)
    expect(senders[0]!.sent + senders[1]!.sent).toBe(30)
    expect(await db.emailMessage.count({ where: { status: 'sent', attempts: 1 } })).toBe(30)
  })
})

describe('startEmailOutbox', () => {
  it('polls and sends what is queued, and stops cleanly', async () => {
    const log: string[] = []
    const outbox = startEmailOutbox({ db, smtpUrl, from: FROM, pollMs: 100, log: (line) => log.push(line) })
    try {
      const { messageIds } = await notifyNewUser(2)
      const deadline = Date.now() + 15_000
      while ((await db.emailMessage.count({ where: { id: { in: messageIds }, status: 'sent' } })) < 2) {
        if (Date.now() > deadline) throw new Error(`outbox did not send within 15 s; log:\n${log.join('\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(new Set(inbox.map(emailIdOf))).toEqual(new Set(messageIds))
    } finally {
      await outbox.stop()
    }
    expect(log.some((line) => /sent/.test(line))).toBe(true)

    // Stopped: a new message stays queued.
    const { messageIds } = await notifyNewUser()
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await db.emailMessage.findUniqueOrThrow({ where: { id: messageIds[0] } })).toMatchObject({ status: 'queued', attempts: 0 })
  })
})
