/**
 * Assets in the JSON API: the list a viewer may see (search, then the database
 * re-check, exactly as the portal: searchAssetIds with the partner filter, then
 * filterVisibleAssetIds with the one access rule), and one asset by id (the one rule
 * through requireAssetAccess; hidden and missing are the same NOT_FOUND).
 *
 * Partners get approved, in-rights, shared assets with their rights headline; staff
 * get every asset the library holds, including ones with no approved version yet
 * (currentVersion null), with the staff headline. Renditions and downloads are
 * linked, not embedded: those routes apply the rule again when they are fetched.
 */
import { filterVisibleAssetIds, requireAssetAccess } from '~/assets/access.server'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import type { RightsGrantTerms } from '~/domain/rights'
import { rightsSummary } from '~/domain/rights-summary'
import { isStaff } from '~/domain/roles'
import type { EmbeddedMetadata } from '~/domain/embedded-metadata'
import { AppError } from '~/errors.server'
import type { Prisma } from '~/generated/prisma/client'
import { downloadUrl, PORTAL_PAGE_SIZE, renditionUrl, type BrowseQuery } from '~/portal/browse.server'
import { getVersionEmbeddedMetadata } from '~/metadata/embedded-metadata-view.server'
import { loadUseNames } from '~/rights/declared-use.server'
import { searchAssetIds } from '~/search.server'

const MAX_PAGE = 200

export type ApiAssetVersion = { id: string; number: number; mediaType: string; width: number | null; height: number | null }

export type ApiAsset = {
  id: string
  title: string
  description: string
  kind: string
  tags: string[]
  /** The approved version partners see; null while an asset has none (staff only ever see those). */
  currentVersion: ApiAssetVersion | null
  rights: { headline: string }
  links: {
    self: string
    /** The asset's page in the portal. */
    page: string
    /** For staff: the asset's page in the library. */
    library: string | null
    thumbnail: string | null
    preview: string | null
    /** POST with `channel` and `territory` (the declared use); brand staff may also GET. */
    download: string | null
  }
}

export type ApiAssetDetail = ApiAsset & {
  folderPath: string
  updatedAt: string
  rights: { headline: string; licences: { title: string; lines: string[] }[] }
  /** The current version's EXIF/IPTC/XMP, shaped for the viewer (location for librarians and admins only). */
  embeddedMetadata: EmbeddedMetadata | null
}

export type ApiAssetList = {
  assets: ApiAsset[]
  page: number
  pageCount: number
  /** Matches for this viewer; exact on the last page, an upper bound before it (as in the portal). */
  found: number
  links: { self: string; next: string | null; prev: string | null }
}

const assetSelect = {
  id: true,
  title: true,
  description: true,
  kind: true,
  tags: true,
  folderPath: true,
  updatedAt: true,
  rightsGrants: true,
  currentVersion: {
    select: {
      id: true,
      number: true,
      mediaType: true,
      width: true,
      height: true,
      renditions: { where: { preset: { in: ['thumbnail', 'preview'] } }, select: { preset: true } },
    },
  },
} satisfies Prisma.AssetSelect

type AssetRow = Prisma.AssetGetPayload<{ select: typeof assetSelect }>
type Names = Awaited<ReturnType<typeof loadUseNames>>

export function apiAssetPath(assetId: string): string {
  return `/api/v1/assets/${encodeURIComponent(assetId)}`
}

function apiListPath(query: BrowseQuery, page: number): string {
  const search = new URLSearchParams()
  if (query.q) search.set('q', query.q)
  if (query.kind) search.set('kind', query.kind)
  if (page > 1) search.set('page', String(page))
  const text = search.toString()
  return `/api/v1/assets${text ? `?${text}` : ''}`
}

/** Partners read what they may do now; staff read how many grants are in force. */
function summaryFor(viewer: Viewer, grants: readonly RightsGrantTerms[], at: Date, names: Names) {
  const staff = isStaff(viewer.roles)
  return rightsSummary(grants, {
    organisationId: staff ? null : viewer.organisationId,
    at,
    names: names.inSentences,
    audience: staff ? 'staff' : 'partner',
  })
}

function toApiAsset(row: AssetRow, viewer: Viewer, headline: string): ApiAsset {
  const version = row.currentVersion
  const has = (preset: string) => version?.renditions.some((rendition) => rendition.preset === preset) ?? false
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    kind: row.kind,
    tags: row.tags,
    currentVersion: version
      ? { id: version.id, number: version.number, mediaType: version.mediaType, width: version.width, height: version.height }
      : null,
    rights: { headline },
    links: {
      self: apiAssetPath(row.id),
      page: `/portal/assets/${encodeURIComponent(row.id)}`,
      library: isStaff(viewer.roles) ? `/library/assets/${encodeURIComponent(row.id)}` : null,
      thumbnail: version && has('thumbnail') ? renditionUrl(row.id, version.id, 'thumbnail') : null,
      preview: version && has('preview') ? renditionUrl(row.id, version.id, 'preview') : null,
      download: version ? downloadUrl(row.id) : null,
    },
  }
}

export type ListApiAssetsOptions = {
  db: Db
  viewer: Viewer
  query: BrowseQuery
  at?: Date
  /** For tests: the search function (defaults to Typesense). */
  search?: typeof searchAssetIds
}

/** One page of the assets the viewer may see now, best match first for a query, else newest first. */
export async function listApiAssets({ db, viewer, query, at = new Date(), search = searchAssetIds }: ListApiAssetsOptions): Promise<ApiAssetList> {
  let hits: { ids: string[]; found: number }
  try {
    hits = await search(viewer, { query: query.q, kind: query.kind, page: query.page, perPage: PORTAL_PAGE_SIZE }, at)
  } catch (error) {
    // The cause names hosts and ports: the log gets it, the caller does not.
    console.error('API search failed:', error)
    throw new AppError('UNAVAILABLE', 'Search is unavailable right now. Try again in a moment.')
  }
  const visibleIds = await filterVisibleAssetIds(db, viewer, hits.ids, at)
  const [rows, names] = await Promise.all([
    db.asset.findMany({ where: { id: { in: visibleIds } }, select: assetSelect }),
    loadUseNames(db),
  ])
  const byId = new Map(rows.map((row) => [row.id, row]))
  // The search engine's order.
  const assets = visibleIds.flatMap((id) => {
    const row = byId.get(id)
    return row ? [toApiAsset(row, viewer, summaryFor(viewer, row.rightsGrants, at, names).headline)] : []
  })

  const found = hits.ids.length < PORTAL_PAGE_SIZE ? (query.page - 1) * PORTAL_PAGE_SIZE + assets.length : hits.found
  const pageCount = Math.max(1, Math.min(MAX_PAGE, Math.ceil(found / PORTAL_PAGE_SIZE)))
  return {
    assets,
    page: query.page,
    pageCount,
    found,
    links: {
      self: apiListPath(query, query.page),
      next: query.page < pageCount ? apiListPath(query, query.page + 1) : null,
      prev: query.page > 1 ? apiListPath(query, query.page - 1) : null,
    },
  }
}

export type GetApiAssetOptions = { db: Db; viewer: Viewer; assetId: string; at?: Date }

/** One asset the viewer may see now, with its rights in plain words; NOT_FOUND for hidden and missing alike. */
export async function getApiAsset({ db, viewer, assetId, at = new Date() }: GetApiAssetOptions): Promise<ApiAssetDetail> {
  await requireAssetAccess(db, viewer, assetId, at)
  const [row, names] = await Promise.all([db.asset.findUnique({ where: { id: assetId }, select: assetSelect }), loadUseNames(db)])
  if (!row) throw new AppError('NOT_FOUND', 'Asset not found')
  const summary = summaryFor(viewer, row.rightsGrants, at, names)
  return {
    ...toApiAsset(row, viewer, summary.headline),
    folderPath: row.folderPath,
    updatedAt: row.updatedAt.toISOString(),
    rights: { headline: summary.headline, licences: summary.licences.map(({ title, lines }) => ({ title, lines })) },
    embeddedMetadata: row.currentVersion
      ? ((await getVersionEmbeddedMetadata({ db, versionId: row.currentVersion.id, roles: viewer.roles }))?.embedded ?? null)
      : null,
  }
}
