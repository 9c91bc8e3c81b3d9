/**
 * Notifications against the real test database: notifyUsers writes each notice and
 * its email once (repeated and concurrent calls alike), disabled users get nothing,
 * and the inbox lists, counts and marks only the owner's notifications.
 * Users and the organisation are this file's own; other tests share the database.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { createDb, getDb } = await import('~/db.server')
const { notifyUsers } = await import('~/notifications/notify.server')
const inbox = await import('~/notifications/inbox.server')
const { AppError } = await import('~/errors.server')
type NotificationInput = import('~/notifications/notify.server').NotificationInput

const db = getDb()
const run = randomBytes(4).toString('hex')
const publicUrl = 'https://dam.example.test'

let organisationId: string
const userIds: string[] = []

async function makeUser(name: string, options: { disabled?: boolean } = {}): Promise<{ id: string; email: string }> {
  const user = await db.user.create({
    data: {
      email: `${name.toLowerCase()}-notify-${run}@example.test`,
      name,
      passwordHash: 'x',
      disabledAt: options.disabled ? new Date() : null,
      memberships: { create: { organisationId, roles: ['reviewer'] } },
    },
    select: { id: true, email: true },
  })
  userIds.push(user.id)
  return user
}

function notice(userId: string, key: string, extra: Partial<NotificationInput> = {}): NotificationInput {
  return {
    userId,
    kind: 'review_requested',
    title: `Review requested: Poster ${key}`,
    body: 'Stage “Brand” is waiting for you.',
    link: `/reviews/${key}`,
    dedupeKey: `test:${run}:${key}:${userId}`,
    ...extra,
  }
}

async function rowsFor(userId: string) {
  const notifications = await db.notification.findMany({ where: { userId }, select: { id: true, dedupeKey: true } })
  const emails = await db.emailMessage.findMany({ where: { toUserId: userId }, select: { notificationId: true, toAddress: true, subject: true, status: true } })
  return { notifications, emails }
}

beforeAll(async () => {
  const organisation = await db.organisation.create({ data: { name: `Notify ${run}`, slug: `notify-${run}`, kind: 'brand' } })
  organisationId = organisation.id
})

afterAll(async () => {
  // Emails only lose their user on delete (SetNull); remove them first, then users (notifications cascade).
  await db.emailMessage.deleteMany({ where: { toUserId: { in: userIds } } })
  await db.user.deleteMany({ where: { id: { in: userIds } } })
  if (organisationId) await db.organisation.delete({ where: { id: organisationId } })
})

describe('notifyUsers', () => {
  it('writes one notification and one queued email per notice, and nothing more on a repeat', async () => {
    const ada = await makeUser('Ada')
    const notices = [notice(ada.id, 'a'), notice(ada.id, 'b', { kind: 'review_reminder', title: 'Reminder: Poster b' })]

    expect(await notifyUsers(db, { notices, publicUrl })).toEqual({ created: 2 })
    expect(await notifyUsers(db, { notices, publicUrl })).toEqual({ created: 0 })

    const { notifications, emails } = await rowsFor(ada.id)
    expect(notifications).toHaveLength(2)
    expect(emails).toHaveLength(2)
    expect(new Set(emails.map((email) => email.notificationId))).toEqual(new Set(notifications.map((row) => row.id)))
    expect(emails.every((email) => email.status === 'queued' && email.toAddress === ada.email)).toBe(true)
    expect(emails.map((email) => email.subject).sort()).toEqual(['Damson: Reminder: Poster b', 'Damson: Review requested: Poster a'])
  })

  it('writes each notice once when two callers race on the same keys', async () => {
    const [bea, cal] = [await makeUser('Bea'), await makeUser('Cal')]
    const notices = ['r1', 'r2', 'r3'].flatMap((key) => [notice(bea.id, key), notice(cal.id, key)])
    // Two clients, two connection pools: as two worker processes retrying the same activity.
    const first = createDb(process.env.DATABASE_URL ?? '')
    const second = createDb(process.env.DATABASE_URL ?? '')
    try {
      const results = await Promise.all([
        notifyUsers(first, { notices, publicUrl }),
        notifyUsers(second, { notices, publicUrl }),
        notifyUsers(first, { notices: [...notices].reverse(), publicUrl }),
      ])
      expect(results.reduce((sum, result) => sum + result.created, 0)).toBe(6)
    } finally {
      await Promise.all([first.$disconnect(), second.$disconnect()])
    }
    for (const user of [bea, cal]) {
      const { notifications, emails } = await rowsFor(user.id)
      expect(notifications).toHaveLength(3)
      expect(emails).toHaveLength(3)
    }
  })

  it('gives disabled users nothing, and still notifies the others in the same call', async () => {
    const [dora, eve] = [await makeUser('Dora', { disabled: true }), await makeUser('Eve')]
    const result = await notifyUsers(db, { notices: [notice(dora.id, 'd'), notice(eve.id, 'd')], publicUrl })
    expect(result).toEqual({ created: 1 })
    expect(await rowsFor(dora.id)).toEqual({ notifications: [], emails: [] })
    expect((await rowsFor(eve.id)).notifications).toHaveLength(1)
  })

  it('stores only in-app links, and the email links to PUBLIC_URL', async () => {
    const finn = await makeUser('Finn')
    await notifyUsers(db, {
      notices: [notice(finn.id, 'safe'), notice(finn.id, 'evil', { link: '//evil.example/phish' }), notice(finn.id, 'abs', { link: 'https://evil.example/' })],
      publicUrl,
    })
    const stored = await db.notification.findMany({ where: { userId: finn.id }, select: { dedupeKey: true, link: true, email: { select: { textBody: true } } } })
    const byKey = new Map(stored.map((row) => [row.dedupeKey.split(':')[2], row]))
    expect(byKey.get('safe')?.link).toBe('/reviews/safe')
    expect(byKey.get('safe')?.email?.textBody).toContain(`Open in Damson: ${publicUrl}/reviews/safe`)
    expect(byKey.get('evil')?.link).toBeNull()
    expect(byKey.get('abs')?.link).toBeNull()
    expect(byKey.get('evil')?.email?.textBody).not.toContain('evil.example')
  })
})

describe('inbox', () => {
  let gus: { id: string }
  let hal: { id: string }
  /** Gus's notification ids, oldest first. */
  const ids: string[] = []

  beforeAll(async () => {
    gus = await makeUser('Gus')
    hal = await makeUser('Hal')
    await notifyUsers(db, { notices: [1, 2, 3, 4, 5].map((n) => notice(gus.id, `g${n}`)), publicUrl })
    await notifyUsers(db, { notices: [notice(hal.id, 'h1')], publicUrl })
    // One insert stamps one time; spread them an hour apart so "newest first" is observable.
    const rows = await db.notification.findMany({ where: { userId: gus.id }, select: { id: true, dedupeKey: true } })
    rows.sort((a, b) => a.dedupeKey.localeCompare(b.dedupeKey))
    const start = Date.now() - 10 * 3_600_000
    for (const [index, row] of rows.entries()) {
      await db.notification.update({ where: { id: row.id }, data: { createdAt: new Date(start + index * 3_600_000) } })
      ids.push(row.id)
    }
  })

  it('lists newest first, in pages, with the unread count', async () => {
    const first = await inbox.listNotifications({ db, userId: gus.id, filter: 'all', page: 1, pageSize: 2 })
    expect(first.items.map((item) => item.id)).toEqual([ids[4], ids[3]])
    expect(first).toMatchObject({ total: 5, pageCount: 3, unreadCount: 5 })
    expect(first.items[0]).toMatchObject({ title: 'Review requested: Poster g5', link: '/reviews/g5', read: false, kind: 'review_requested' })
    expect(first.items[0]?.ago).toBe('6 h ago')

    const last = await inbox.listNotifications({ db, userId: gus.id, filter: 'all', page: 3, pageSize: 2 })
    expect(last.items.map((item) => item.id)).toEqual([ids[0]])
    const past = await inbox.listNotifications({ db, userId: gus.id, filter: 'all', page: 4, pageSize: 2 })
    expect(past.items).toEqual([])
    expect(await inbox.countUnreadNotifications(db, gus.id)).toBe(5)
  })

  it('marks one read (the owner only) and filters unread', async () => {
    const target = ids[3] ?? ''
    const at = new Date()
    expect(await inbox.markNotificationRead({ db, userId: gus.id, notificationId: target, at })).toEqual({ link: '/reviews/g4' })
    // Reading again keeps the first time.
    await inbox.markNotificationRead({ db, userId: gus.id, notificationId: target, at: new Date(at.getTime() + 60_000) })
    const row = await db.notification.findUniqueOrThrow({ where: { id: target }, select: { readAt: true } })
    expect(row.readAt?.getTime()).toBe(at.getTime())

    expect(await inbox.countUnreadNotifications(db, gus.id)).toBe(4)
    const unread = await inbox.listNotifications({ db, userId: gus.id, filter: 'unread', page: 1 })
    expect(unread.items.map((item) => item.id)).toEqual([ids[4], ids[2], ids[1], ids[0]])
    expect(unread.unreadCount).toBe(4)
    const all = await inbox.listNotifications({ db, userId: gus.id, filter: 'all', page: 1 })
    expect(all.items.find((item) => item.id === target)?.read).toBe(true)
  })

  it('refuses to mark another user’s notification, as if it did not exist', async () => {
    const halsNotification = await db.notification.findFirstOrThrow({ where: { userId: hal.id }, select: { id: true } })
    const attempt = inbox.markNotificationRead({ db, userId: gus.id, notificationId: halsNotification.id })
    await expect(attempt).rejects.toBeInstanceOf(AppError)
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(inbox.markNotificationRead({ db, userId: gus.id, notificationId: 'no-such-id' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(
      inbox.applyNotificationAction({ db, userId: gus.id, action: { intent: 'open', notificationId: halsNotification.id } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await inbox.countUnreadNotifications(db, hal.id)).toBe(1)
  })

  it('opens a notification: marks it read and gives its in-app link', async () => {
    const target = ids[0] ?? ''
    const opened = await inbox.applyNotificationAction({ db, userId: gus.id, action: { intent: 'open', notificationId: target } })
    expect(opened).toEqual({ redirectTo: '/reviews/g1' })
    expect(await inbox.countUnreadNotifications(db, gus.id)).toBe(3)
  })

  it('never hands out a stored link that is not in-app', async () => {
    // Written behind notifyUsers' back, as old or hand-edited data could be.
    const row = await db.notification.create({
      data: { userId: gus.id, kind: 'version_approved', title: 'Sneaky', link: '//evil.example', dedupeKey: `test:${run}:sneaky` },
    })
    const opened = await inbox.applyNotificationAction({ db, userId: gus.id, action: { intent: 'open', notificationId: row.id } })
    expect(opened).toEqual({ redirectTo: null })
    const listed = await inbox.listNotifications({ db, userId: gus.id, filter: 'all', page: 1 })
    expect(listed.items.find((item) => item.id === row.id)?.link).toBeNull()
  })

  it('marks all read for the user only', async () => {
    expect(await inbox.markAllNotificationsRead({ db, userId: gus.id })).toEqual({ marked: 3 })
    expect(await inbox.countUnreadNotifications(db, gus.id)).toBe(0)
    expect(await inbox.countUnreadNotifications(db, hal.id)).toBe(1)
    expect(await inbox.markAllNotificationsRead({ db, userId: gus.id })).toEqual({ marked: 0 })
  })

  it('parses the page’s query and form leniently where it should and strictly where it must', () => {
    expect(inbox.NotificationListQuerySchema.parse({ filter: 'bogus', page: '-3' })).toEqual({ filter: 'all', page: 1 })
    expect(inbox.NotificationListQuerySchema.parse({ filter: 'unread', page: '2' })).toEqual({ filter: 'unread', page: 2 })
    expect(inbox.NotificationActionSchema.safeParse({ intent: 'open' }).success).toBe(false)
    expect(inbox.NotificationActionSchema.safeParse({ intent: 'delete-everything' }).success).toBe(false)
  })
})
