/**
 * Notifying people: one in-app Notification per user and its email in the outbox,
 * written together. Idempotent by `dedupeKey` (a retried activity or a repeated
 * call writes nothing twice), and safe against concurrent callers: rows are
 * inserted with ON CONFLICT DO NOTHING semantics (createMany skipDuplicates).
 */
import type { DbOrTx } from '~/db.server'
import type { NotificationKind } from '~/generated/prisma/client'
import { renderNotificationEmail } from './render-email'

export type NotificationInput = {
  userId: string
  kind: NotificationKind
  title: string
  body?: string
  link?: string | null
  /** Unique per notice, e.g. `review:<reviewId>:reminder:<stage>:<userId>`. */
  dedupeKey: string
}

export type NotifyUsersOptions = {
  notices: readonly NotificationInput[]
  /** Absolute base for links in emails (env PUBLIC_URL). */
  publicUrl: string
}

/** Writes the notices that do not exist yet; returns how many were new. Disabled users get none. */
export async function notifyUsers(db: DbOrTx, { notices, publicUrl }: NotifyUsersOptions): Promise<{ created: number }> {
  if (notices.length === 0) return { created: 0 }
  const users = await db.user.findMany({
    where: { id: { in: [...new Set(notices.map((notice) => notice.userId))] }, disabledAt: null },
    select: { id: true, name: true, email: true },
  })
  const byId = new Map(users.map((user) => [user.id, user]))
  const wanted = notices.filter((notice) => byId.has(notice.userId))
  if (wanted.length === 0) return { created: 0 }

  const keys = wanted.map((notice) => notice.dedupeKey)
  const before = new Set(
    (await db.notification.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } })).map((row) => row.dedupeKey),
  )
  await db.notification.createMany({
    data: wanted.map((notice) => ({
      userId: notice.userId,
      kind: notice.kind,
      title: notice.title,
      body: notice.body ?? '',
      link: notice.link ?? null,
      dedupeKey: notice.dedupeKey,
    })),
    skipDuplicates: true,
  })
  const stored = await db.notification.findMany({
    where: { dedupeKey: { in: keys } },
    select: { id: true, userId: true, title: true, body: true, link: true },
  })
  await db.emailMessage.createMany({
    data: stored.map((notification) => {
      const user = byId.get(notification.userId)!
      const email = renderNotificationEmail({
        recipientName: user.name,
        title: notification.title,
        body: notification.body,
        link: notification.link,
        publicUrl,
      })
      return {
        notificationId: notification.id,
        toUserId: user.id,
        toAddress: user.email,
        subject: email.subject,
        textBody: email.text,
        htmlBody: email.html,
      }
    }),
    // One email per notification (unique notificationId): a repeat adds none.
    skipDuplicates: true,
  })
  return { created: keys.filter((key) => !before.has(key)).length }
}
