/**
 * A user's notifications: the list behind /notifications, the header's unread
 * count, and marking read. Every call is scoped to one user; a notification id
 * that belongs to someone else behaves exactly like one that does not exist.
 */
import { z } from 'zod'
import type { DbOrTx } from '~/db.server'
import { AppError } from '~/errors.server'
import type { NotificationKind } from '~/generated/prisma/client'
import { inAppPath } from './in-app-link'

export const NOTIFICATIONS_PAGE_SIZE = 20

export type NotificationFilter = 'all' | 'unread'

/** `?filter=unread&page=2`; anything unreadable falls back to the first page of all. */
export const NotificationListQuerySchema = z.object({
  filter: z.enum(['all', 'unread']).catch('all'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
})

export type NotificationView = {
  id: string
  kind: NotificationKind
  title: string
  body: string
  /** The in-app path it opens, or null (nothing to open, or a stored link that is not in-app). */
  link: string | null
  createdAt: string
  /** "5 min ago", computed on the server so server and browser render the same text. */
  ago: string
  read: boolean
}

export type NotificationPage = {
  filter: NotificationFilter
  page: number
  pageCount: number
  /** Notifications matching the filter. */
  total: number
  unreadCount: number
  items: NotificationView[]
}

export type ListNotificationsOptions = {
  db: DbOrTx
  userId: string
  filter: NotificationFilter
  page: number
  pageSize?: number
  at?: Date
}

/** Newest first. A page past the end comes back empty with the real page count. */
export async function listNotifications({
  db,
  userId,
  filter,
  page,
  pageSize = NOTIFICATIONS_PAGE_SIZE,
  at = new Date(),
}: ListNotificationsOptions): Promise<NotificationPage> {
  const where = filter === 'unread' ? { userId, readAt: null } : { userId }
  const [rows, total, unreadCount] = await Promise.all([
    db.notification.findMany({
      where,
      // id breaks ties between notices written in the same millisecond, so pages never overlap.
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { id: true, kind: true, title: true, body: true, link: true, createdAt: true, readAt: true },
    }),
    db.notification.count({ where }),
    filter === 'unread' ? null : countUnreadNotifications(db, userId),
  ])
  return {
    filter,
    page,
    pageCount: Math.max(1, Math.ceil(total / pageSize)),
    total,
    unreadCount: unreadCount ?? total,
    items: rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      title: row.title,
      body: row.body,
      link: inAppPath(row.link),
      createdAt: row.createdAt.toISOString(),
      ago: describeAgo(row.createdAt, at),
      read: row.readAt !== null,
    })),
  }
}

/** One count on the (userId, readAt, createdAt) index; the root loader calls it on every page. */
export function countUnreadNotifications(db: DbOrTx, userId: string): Promise<number> {
  return db.notification.count({ where: { userId, readAt: null } })
}

export type MarkNotificationReadOptions = { db: DbOrTx; userId: string; notificationId: string; at?: Date }

/**
 * Marks one of the user's notifications read (reading it again keeps the first time)
 * and returns the in-app path it opens. Someone else's id is NOT_FOUND.
 */
export async function markNotificationRead({
  db,
  userId,
  notificationId,
  at = new Date(),
}: MarkNotificationReadOptions): Promise<{ link: string | null }> {
  await db.notification.updateMany({ where: { id: notificationId, userId, readAt: null }, data: { readAt: at } })
  const notification = await db.notification.findFirst({ where: { id: notificationId, userId }, select: { link: true } })
  if (!notification) throw new AppError('NOT_FOUND', 'Notification not found')
  return { link: inAppPath(notification.link) }
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllNotificationsRead({ db, userId, at = new Date() }: { db: DbOrTx; userId: string; at?: Date }): Promise<{ marked: number }> {
  const { count } = await db.notification.updateMany({ where: { userId, readAt: null }, data: { readAt: at } })
  return { marked: count }
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function describeAgo(then: Date, at: Date): string {
  const seconds = Math.max(0, Math.round((at.getTime() - then.getTime()) / 1000))
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.round(hours / 24)
  if (days < 14) return `${days} d ago`
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(then)
}

// ───────────────────────────── the page's form

/** What /notifications accepts by POST: open one (mark read, then follow its link), mark one, mark all. */
export const NotificationActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('open'), notificationId: z.string().min(1).max(64) }),
  z.object({ intent: z.literal('mark-read'), notificationId: z.string().min(1).max(64) }),
  z.object({ intent: z.literal('mark-all-read') }),
])
export type NotificationAction = z.infer<typeof NotificationActionSchema>

export type NotificationActionOptions = { db: DbOrTx; userId: string; action: NotificationAction; at?: Date }

/** Carries out a form action; returns where the browser goes next (always an in-app path). */
export async function applyNotificationAction({ db, userId, action, at = new Date() }: NotificationActionOptions): Promise<{ redirectTo: string | null }> {
  switch (action.intent) {
    case 'open': {
      const { link } = await markNotificationRead({ db, userId, notificationId: action.notificationId, at })
      return { redirectTo: link }
    }
    case 'mark-read':
      await markNotificationRead({ db, userId, notificationId: action.notificationId, at })
      return { redirectTo: null }
    case 'mark-all-read':
      await markAllNotificationsRead({ db, userId, at })
      return { redirectTo: null }
  }
}
