/**
 * The library listing for brand staff: every asset whatever its approval or rights,
 * with its current and latest version's status. Filtered on the latest version's
 * status and a case-insensitive title substring, both in the database.
 */
import { z } from 'zod'
import type { Db } from '~/db.server'
import { Prisma } from '~/generated/prisma/client'
import type { AssetKind, VersionStatus } from '~/generated/prisma/enums'

export const LIBRARY_PAGE_SIZE = 50

/** The latest-version statuses the listing filters on. */
export const LIBRARY_STATUS_FILTERS = ['processing', 'awaiting_metadata', 'in_review', 'approved', 'rejected', 'failed'] as const satisfies readonly VersionStatus[]
export type LibraryStatusFilter = (typeof LIBRARY_STATUS_FILTERS)[number]

/** The library's query string: `?status=&q=&page=`; anything unparseable falls back to the default. */
export const LibraryQuerySchema = z.object({
  status: z
    .enum(LIBRARY_STATUS_FILTERS)
    .optional()
    .catch(undefined),
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .catch(undefined)
    .transform((value) => value || undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined).transform((value) => value ?? 1),
})
export type LibraryQuery = z.infer<typeof LibraryQuerySchema>

export type LibraryRow = {
  id: string
  title: string
  kind: AssetKind
  folderPath: string
  /** Formatted for display, in UTC. */
  updatedAt: string
  thumbnailUrl: string | null
  current: { number: number; status: VersionStatus } | null
  latest: { number: number; status: VersionStatus } | null
}

export type LibraryPage = {
  rows: LibraryRow[]
  /** Assets matching the filters, over all pages. */
  total: number
  /** The query as the page's form and pager use it (empty strings for "any"). */
  query: { status: LibraryStatusFilter | ''; q: string; page: number }
  pageCount: number
}

export type ListLibraryAssetsOptions = { db: Db; query: LibraryQuery }

function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (match) => `\\${match}`)}%`
}

const formatUpdated = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/**
 * One page of assets, newest change first. The page's ids and the count come from raw
 * SQL, since filtering on the latest version's status is beyond Prisma's query API;
 * the rows are then read with it, keeping the SQL's order.
 */
export async function listLibraryAssets({ db, query }: ListLibraryAssetsOptions): Promise<LibraryPage> {
  const where = Prisma.sql`WHERE TRUE
    ${query.status ? Prisma.sql`AND latest."status" = CAST(${query.status} AS "VersionStatus")` : Prisma.empty}
    ${query.q ? Prisma.sql`AND a."title" ILIKE ${likePattern(query.q)} ESCAPE '\\'` : Prisma.empty}`
  const from = Prisma.sql`FROM "Asset" a
    LEFT JOIN LATERAL (
      SELECT v."status" FROM "AssetVersion" v WHERE v."assetId" = a."id" ORDER BY v."number" DESC LIMIT 1
    ) latest ON TRUE`
  const [page, counted] = await Promise.all([
    db.$queryRaw<{ id: string }[]>`SELECT a."id" ${from} ${where}
      ORDER BY a."updatedAt" DESC, a."id" LIMIT ${LIBRARY_PAGE_SIZE} OFFSET ${(query.page - 1) * LIBRARY_PAGE_SIZE}`,
    db.$queryRaw<{ count: number }[]>`SELECT COUNT(*)::int AS "count" ${from} ${where}`,
  ])
  const ids = page.map((row) => row.id)
  const assets = await db.asset.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      title: true,
      kind: true,
      folderPath: true,
      updatedAt: true,
      currentVersion: {
        select: { id: true, number: true, status: true, renditions: { where: { preset: 'thumbnail' }, select: { id: true } } },
      },
      versions: {
        orderBy: { number: 'desc' },
        take: 1,
        select: { id: true, number: true, status: true, renditions: { where: { preset: 'thumbnail' }, select: { id: true } } },
      },
    },
  })
  const byId = new Map(assets.map((asset) => [asset.id, asset]))
  const rows = ids.flatMap((id): LibraryRow[] => {
    const asset = byId.get(id)
    if (!asset) return []
    const latest = asset.versions[0] ?? null
    const withThumbnail = [latest, asset.currentVersion].find((version) => version && version.renditions.length > 0)
    return [
      {
        id: asset.id,
        title: asset.title,
        kind: asset.kind,
        folderPath: asset.folderPath,
        updatedAt: formatUpdated.format(asset.updatedAt),
        thumbnailUrl: withThumbnail ? `/assets/${asset.id}/versions/${withThumbnail.id}/renditions/thumbnail` : null,
        current: asset.currentVersion ? { number: asset.currentVersion.number, status: asset.currentVersion.status } : null,
        latest: latest ? { number: latest.number, status: latest.status } : null,
      },
    ]
  })
  const total = counted[0]?.count ?? 0
  return {
    rows,
    total,
    query: { status: query.status ?? '', q: query.q ?? '', page: query.page },
    pageCount: Math.max(1, Math.ceil(total / LIBRARY_PAGE_SIZE)),
  }
}
