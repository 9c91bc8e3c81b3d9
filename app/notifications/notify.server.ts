/**
 * Notifying people: one in-app Notification per user and its email in the outbox,
 * written together. Idempotent by `dedupeKey` (a retried activity or a repeated
 * call writes nothing twice), and safe against concurrent callers: rows are
 * inserted with ON CONFLICT DO NOTHING (skipDuplicates), and emails are unique per
 * notification. Emails are only written here; workers/email-outbox.ts sends them.
 */
import type { DbOrTx } from '~/db.server'
import type { NotificationKind } from '~/generated/prisma/client'
import { inAppPath } from './in-app-link'
import { renderNotificationEmail } from './render-email'

export type NotificationInput = {
  userId: string
  kind: NotificationKind
  title: string
  body?: string
  /** A path inside Damson ("/reviews/<versionId>"); anything else is dropped (see in-app-link). */
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
  // ON CONFLICT DO NOTHING … RETURNING yields only the rows this call inserted, so the
  // count stays right when two callers race on the same keys.
  const inserted = await db.notification.createManyAndReturn({
    data: wanted.map((notice) => ({
      userId: notice.userId,
      kind: notice.kind,
      title: notice.title,
      body: notice.body ?? '',
      link: inAppPath(notice.link),
      dedupeKey: notice.dedupeKey,
    })),
    skipDuplicates: true,
    select: { id: true },
  })
  // Emails for every stored notice still without one, not just the new ones: a call
  // that stopped between the two inserts is completed by its retry.
  const withoutEmail = await db.notification.findMany({
    where: { dedupeKey: { in: keys }, email: { is: null } },
    select: { id: true, userId: true, title: true, body: true, link: true },
  })
  await db.emailMessage.createMany({
    data: withoutEmail.flatMap((notification) => {
      // A key written earlier for someone else (or someone disabled since) gets no email here.
      const user = byId.get(notification.userId)
      if (!user) return []
      const email = renderNotificationEmail({
        recipientName: user.name,
        title: notification.title,
        body: notification.body,
        link: notification.link,
        publicUrl,
      })
      return [
        {
          notificationId: notification.id,
          toUserId: user.id,
          toAddress: user.email,
          subject: email.subject,
          textBody: email.text,
          htmlBody: email.html,
        },
      ]
    }),
    // One email per notification (unique notificationId): a repeat adds none.
    skipDuplicates: true,
  })
  return { created: inserted.length }
}
