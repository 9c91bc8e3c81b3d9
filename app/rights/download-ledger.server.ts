/**
 * The download ledger of one asset, for brand staff: who downloaded which version for
 * which declared channel and territory, and when; the takedown notices sent to them
 * (and whether they acknowledged); and downloads per week for the chart.
 */
import type { DbOrTx } from '~/db.server'
import { AppError } from '~/errors.server'
import { loadUseNames } from './declared-use.server'

export const LEDGER_ROW_LIMIT = 200
export const LEDGER_WEEKS = 12

const DAY_MS = 24 * 60 * 60 * 1000

export type LedgerPerson = { name: string; email: string; organisationName: string | null }

export type LedgerDownload = {
  id: string
  at: string
  person: LedgerPerson
  versionNumber: number
  channel: { key: string; label: string }
  territory: { code: string; name: string }
  deliverable: string
  ipAddress: string | null
}

export type LedgerNotice = {
  id: string
  person: LedgerPerson
  versionNumber: number | null
  channels: string[]
  territories: string[]
  reason: string
  effectiveAt: string
  sentAt: string
  acknowledgedAt: string | null
}

/** Downloads in the week starting on Monday `weekStart` (UTC, "YYYY-MM-DD"). */
export type WeeklyCount = { weekStart: string; count: number }

export type DownloadLedger = {
  asset: { id: string; title: string }
  totalDownloads: number
  downloads: LedgerDownload[]
  /** More downloads exist than are listed. */
  truncated: boolean
  notices: LedgerNotice[]
  perWeek: WeeklyCount[]
}

/** The Monday (UTC) of the ISO week `at` falls in, as "YYYY-MM-DD". */
export function weekStartUtc(at: Date): string {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())
  // getUTCDay: Sunday 0 … Saturday 6; Monday starts the week.
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7
  return new Date(midnight - sinceMonday * DAY_MS).toISOString().slice(0, 10)
}

/**
 * `weeks` consecutive weeks ending with the one `at` falls in, oldest first, with the
 * counts given (weeks without downloads count 0; counts outside the range are ignored).
 */
export function weeklySeries(counts: readonly WeeklyCount[], { at, weeks }: { at: Date; weeks: number }): WeeklyCount[] {
  const byWeek = new Map(counts.map((entry) => [entry.weekStart, entry.count]))
  const last = Date.parse(`${weekStartUtc(at)}T00:00:00Z`)
  return Array.from({ length: weeks }, (_, index) => {
    const weekStart = new Date(last - (weeks - 1 - index) * 7 * DAY_MS).toISOString().slice(0, 10)
    return { weekStart, count: byWeek.get(weekStart) ?? 0 }
  })
}

export type GetDownloadLedgerOptions = { db: DbOrTx; assetId: string; at?: Date; weeks?: number; limit?: number }

export async function getDownloadLedger({
  db,
  assetId,
  at = new Date(),
  weeks = LEDGER_WEEKS,
  limit = LEDGER_ROW_LIMIT,
}: GetDownloadLedgerOptions): Promise<DownloadLedger> {
  const asset = await db.asset.findUnique({ where: { id: assetId }, select: { id: true, title: true } })
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')

  const person = {
    select: {
      name: true,
      email: true,
      memberships: { orderBy: { createdAt: 'asc' }, take: 1, select: { organisation: { select: { name: true, kind: true } } } },
    },
  } as const
  const since = new Date(Date.parse(`${weekStartUtc(at)}T00:00:00Z`) - (weeks - 1) * 7 * DAY_MS)

  const [rows, totalDownloads, noticeRows, weekly, names] = await Promise.all([
    db.downloadRecord.findMany({
      where: { assetId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: {
        id: true,
        createdAt: true,
        channel: true,
        territory: true,
        deliverable: true,
        ipAddress: true,
        version: { select: { number: true } },
        organisation: { select: { name: true } },
        user: { select: { name: true, email: true } },
      },
    }),
    db.downloadRecord.count({ where: { assetId } }),
    db.takedownNotice.findMany({
      where: { assetId },
      orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: {
        id: true,
        versionId: true,
        channels: true,
        territories: true,
        reason: true,
        effectiveAt: true,
        sentAt: true,
        acknowledgedAt: true,
        user: person,
      },
    }),
    // Counted in the database: the ledger can hold far more rows than the page lists.
    db.$queryRaw<{ weekStart: string; count: number }[]>`
      SELECT to_char(date_trunc('week', "createdAt"), 'YYYY-MM-DD') AS "weekStart", count(*)::int AS "count"
      FROM "DownloadRecord"
      WHERE "assetId" = ${assetId} AND "createdAt" >= ${since}
      GROUP BY 1`,
    loadUseNames(db),
  ])
  const versions = await db.assetVersion.findMany({
    where: { id: { in: [...new Set(noticeRows.map((row) => row.versionId))] } },
    select: { id: true, number: true },
  })
  const numberOf = new Map(versions.map((version) => [version.id, version.number]))

  return {
    asset,
    totalDownloads,
    truncated: totalDownloads > rows.length,
    downloads: rows.map((row) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      // The ledger row's organisation is the one the person acted for then; null is brand staff.
      person: { name: row.user.name, email: row.user.email, organisationName: row.organisation?.name ?? null },
      versionNumber: row.version.number,
      channel: { key: row.channel, label: names.channel(row.channel) },
      territory: { code: row.territory, name: names.territory(row.territory) },
      deliverable: row.deliverable,
      ipAddress: row.ipAddress,
    })),
    notices: noticeRows.map((row) => {
      const organisation = row.user.memberships[0]?.organisation
      return {
        id: row.id,
        person: {
          name: row.user.name,
          email: row.user.email,
          organisationName: organisation && organisation.kind === 'partner' ? organisation.name : null,
        },
        versionNumber: numberOf.get(row.versionId) ?? null,
        channels: row.channels.map(names.channel),
        territories: row.territories.map(names.territory),
        reason: row.reason,
        effectiveAt: row.effectiveAt.toISOString(),
        sentAt: row.sentAt.toISOString(),
        acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
      }
    }),
    perWeek: weeklySeries(weekly, { at, weeks }),
  }
}
