/**
 * Takedown notices as their recipients see them (/portal/takedowns): the rights-window
 * workflow writes one per person whose declared use of a download stopped being
 * allowed; the recipient reads it here and acknowledges it. Every call is scoped to
 * one user: someone else's notice behaves exactly like one that does not exist.
 */
import { z } from 'zod'
import type { DbOrTx } from '~/db.server'
import { AppError } from '~/errors.server'
import { loadUseNames } from './declared-use.server'

/** More than anyone should have open; the page says when it cut the list. */
export const TAKEDOWN_LIST_LIMIT = 200

export const AcknowledgeTakedownSchema = z.object({
  intent: z.literal('acknowledge'),
  noticeId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'That notice does not exist.'),
})

export type TakedownNoticeView = {
  id: string
  assetTitle: string
  /** Null when the version has since been deleted. */
  versionNumber: number | null
  channels: { key: string; label: string }[]
  territories: { code: string; name: string }[]
  reason: string
  effectiveAt: string
  sentAt: string
  acknowledgedAt: string | null
}

export type TakedownNoticeList = {
  notices: TakedownNoticeView[]
  /** Notices not acknowledged yet (all of them, not only the ones listed). */
  openCount: number
  truncated: boolean
}

/** The user's notices: open ones first, newest first within each group. */
export async function listTakedownNotices({ db, userId }: { db: DbOrTx; userId: string }): Promise<TakedownNoticeList> {
  const [rows, openCount, total] = await Promise.all([
    db.takedownNotice.findMany({
      where: { userId },
      // Postgres sorts nulls last ascending: `nulls: 'first'` puts the open ones on top.
      orderBy: [{ acknowledgedAt: { sort: 'desc', nulls: 'first' } }, { sentAt: 'desc' }, { id: 'desc' }],
      take: TAKEDOWN_LIST_LIMIT,
      select: {
        id: true,
        versionId: true,
        channels: true,
        territories: true,
        reason: true,
        effectiveAt: true,
        sentAt: true,
        acknowledgedAt: true,
        asset: { select: { title: true } },
      },
    }),
    countOpenTakedownNotices(db, userId),
    db.takedownNotice.count({ where: { userId } }),
  ])
  // TakedownNotice keeps the version id without a relation (a notice outlives a deleted version).
  const versions = await db.assetVersion.findMany({
    where: { id: { in: [...new Set(rows.map((row) => row.versionId))] } },
    select: { id: true, number: true },
  })
  const numberOf = new Map(versions.map((version) => [version.id, version.number]))
  const names = await loadUseNames(db)
  return {
    openCount,
    truncated: total > rows.length,
    notices: rows.map((row) => ({
      id: row.id,
      assetTitle: row.asset.title,
      versionNumber: numberOf.get(row.versionId) ?? null,
      channels: row.channels.map((key) => ({ key, label: names.channel(key) })),
      territories: row.territories.map((code) => ({ code, name: names.territory(code) })),
      reason: row.reason,
      effectiveAt: row.effectiveAt.toISOString(),
      sentAt: row.sentAt.toISOString(),
      acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    })),
  }
}

/** Notices the user has not acknowledged yet (one indexed count: userId, acknowledgedAt). */
export function countOpenTakedownNotices(db: DbOrTx, userId: string): Promise<number> {
  return db.takedownNotice.count({ where: { userId, acknowledgedAt: null } })
}

export type AcknowledgeTakedownOptions = { db: DbOrTx; userId: string; noticeId: string; at?: Date }

/**
 * Records that the recipient acknowledged the notice (the first time counts; doing it
 * again changes nothing). Someone else's notice, or an unknown id, is NOT_FOUND.
 */
export async function acknowledgeTakedownNotice({
  db,
  userId,
  noticeId,
  at = new Date(),
}: AcknowledgeTakedownOptions): Promise<{ acknowledgedAt: Date }> {
  await db.takedownNotice.updateMany({ where: { id: noticeId, userId, acknowledgedAt: null }, data: { acknowledgedAt: at } })
  const notice = await db.takedownNotice.findFirst({ where: { id: noticeId, userId }, select: { acknowledgedAt: true } })
  if (!notice?.acknowledgedAt) throw new AppError('NOT_FOUND', 'Takedown notice not found')
  return { acknowledgedAt: notice.acknowledgedAt }
}
