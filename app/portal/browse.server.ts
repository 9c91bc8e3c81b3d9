/**
 * The partner portal: browsing and searching approved assets, and one asset's page.
 *
 * Search goes through Typesense, which filters on approval, audience and the rights
 * window for partners (visibilityFilter), and every hit is then re-checked against
 * the database with the one access rule (filterVisibleAssetIds). Both are mandatory:
 * the index may lag a change that the database already knows about.
 */
import { z } from 'zod'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import type { RenditionPresetName } from '~/domain/rendition-presets'
import { evaluateUse } from '~/domain/rights'
import { isStaff } from '~/domain/roles'
import { AppError } from '~/errors.server'
import { searchAssetIds } from '~/search.server'
import { filterVisibleAssetIds, requireAssetAccess } from '~/assets/access.server'

export const PORTAL_PAGE_SIZE = 48
const MAX_PAGE = 200

export const ASSET_KINDS = ['image', 'video', 'audio', 'document', 'design', 'other'] as const
export type AssetKindName = (typeof ASSET_KINDS)[number]

/** The portal's query string: `?q=&kind=&page=`; anything unparseable falls back to the default. */
export const BrowseQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .catch('')
    .default(''),
  kind: z.enum(ASSET_KINDS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(MAX_PAGE).catch(1).default(1),
})
export type BrowseQuery = z.infer<typeof BrowseQuerySchema>

export function parseBrowseQuery(url: URL): BrowseQuery {
  return BrowseQuerySchema.parse({
    q: url.searchParams.get('q') ?? undefined,
    kind: url.searchParams.get('kind') || undefined,
    page: url.searchParams.get('page') ?? undefined,
  })
}

export type PortalAssetCard = {
  id: string
  title: string
  kind: AssetKindName
  versionId: string
  /** Null when the thumbnail has not been made. */
  thumbnailUrl: string | null
  /** The thumbnail's size (for the img element). */
  width: number | null
  height: number | null
  /** The original's size in pixels, when known. */
  pixelWidth: number | null
  pixelHeight: number | null
}

export type BrowseResult = {
  query: BrowseQuery
  assets: PortalAssetCard[]
  /** Matches in the index for this viewer (an upper bound: the database re-check may drop a few). */
  found: number
  page: number
  pageCount: number
}

export function renditionUrl(assetId: string, versionId: string, preset: RenditionPresetName): string {
  return `/assets/${encodeURIComponent(assetId)}/versions/${encodeURIComponent(versionId)}/renditions/${preset}`
}

export function downloadUrl(assetId: string, versionId?: string): string {
  const base = `/assets/${encodeURIComponent(assetId)}/download`
  return versionId ? `${base}?version=${encodeURIComponent(versionId)}` : base
}

export type BrowseOptions = {
  db: Db
  viewer: Viewer
  query: BrowseQuery
  at?: Date
  /** For tests: the search function (defaults to Typesense). */
  search?: typeof searchAssetIds
}

/**
 * One page of approved assets the viewer may see, newest first, or best match first
 * for a query (typo-tolerant). The portal shows approved assets only, for staff too:
 * unapproved work lives in the library.
 */
export async function browseAssets({ db, viewer, query, at = new Date(), search = searchAssetIds }: BrowseOptions): Promise<BrowseResult> {
  let hits: { ids: string[]; found: number }
  try {
    hits = await search(viewer, { query: query.q, kind: query.kind, page: query.page, perPage: PORTAL_PAGE_SIZE }, at)
  } catch (error) {
    // The cause names hosts and ports: the log gets it, the browser does not.
    console.error('portal search failed:', error)
    throw new AppError('UNAVAILABLE', 'Search is unavailable right now. Try again in a moment.')
  }
  const visibleIds = await filterVisibleAssetIds(db, viewer, hits.ids, at)

  const rows = await db.asset.findMany({
    where: { id: { in: visibleIds }, status: 'active', currentVersionId: { not: null } },
    select: {
      id: true,
      title: true,
      kind: true,
      currentVersion: {
        select: {
          id: true,
          width: true,
          height: true,
          renditions: { where: { preset: 'thumbnail' }, select: { width: true, height: true } },
        },
      },
    },
  })
  const byId = new Map(rows.map((row) => [row.id, row]))
  const assets: PortalAssetCard[] = []
  // Keep the search engine's order.
  for (const id of visibleIds) {
    const row = byId.get(id)
    const version = row?.currentVersion
    if (!row || !version) continue
    const thumbnail = version.renditions[0]
    assets.push({
      id: row.id,
      title: row.title,
      kind: row.kind,
      versionId: version.id,
      thumbnailUrl: thumbnail ? renditionUrl(row.id, version.id, 'thumbnail') : null,
      width: thumbnail?.width ?? null,
      height: thumbnail?.height ?? null,
      pixelWidth: version.width,
      pixelHeight: version.height,
    })
  }

  // On the last page the exact count is known; before it, the index's count (an upper bound).
  const found = hits.ids.length < PORTAL_PAGE_SIZE ? (query.page - 1) * PORTAL_PAGE_SIZE + assets.length : hits.found
  return {
    query,
    assets,
    found,
    page: query.page,
    pageCount: Math.max(1, Math.min(MAX_PAGE, Math.ceil(found / PORTAL_PAGE_SIZE))),
  }
}

export type PortalAssetVersion = {
  id: string
  number: number
  mediaType: string
  originalFilename: string
  bytes: number
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
  status: string
  approvedAt: string | null
  previewUrl: string | null
  previewWidth: number | null
  previewHeight: number | null
}

export type PortalAssetRights = {
  /** The licence(s) that allow this viewer's use now. Empty when no restriction is recorded. */
  licences: { licenceType: string; licensor: string; expiresAt: string | null; timeZone: string }[]
  /** When the viewer's use ends under the licences in force; null when open-ended. */
  usableUntil: string | null
}

export type PortalAssetView = {
  id: string
  title: string
  description: string
  kind: AssetKindName
  tags: string[]
  folderPath: string
  updatedAt: string
  version: PortalAssetVersion
  /** True when the version shown is the approved, current one (always true for partners). */
  isApproved: boolean
  rights: PortalAssetRights
  downloadUrl: string
  /** For staff: the asset's page in the library. */
  libraryUrl: string | null
}

export type PortalAssetOptions = { db: Db; viewer: Viewer; assetId: string; at?: Date }

/**
 * One asset as the portal shows it. Partners only ever see the current (approved)
 * version; staff opening an asset that has none yet see its newest version, flagged.
 * Anything the viewer may not see is NOT_FOUND.
 */
export async function getPortalAsset({ db, viewer, assetId, at = new Date() }: PortalAssetOptions): Promise<PortalAssetView> {
  const facts = await requireAssetAccess(db, viewer, assetId, at)
  const staff = isStaff(viewer.roles)

  const asset = await db.asset.findUnique({
    where: { id: assetId },
    select: { id: true, title: true, description: true, kind: true, tags: true, folderPath: true, updatedAt: true },
  })
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')

  const versionSelect = {
    id: true,
    number: true,
    mediaType: true,
    originalFilename: true,
    bytes: true,
    width: true,
    height: true,
    durationMs: true,
    pages: true,
    status: true,
    promotedAt: true,
    renditions: { where: { preset: 'preview' }, select: { width: true, height: true } },
  } as const
  const version = facts.currentVersionId
    ? await db.assetVersion.findFirst({ where: { id: facts.currentVersionId, assetId }, select: versionSelect })
    : staff
      ? await db.assetVersion.findFirst({ where: { assetId }, orderBy: { number: 'desc' }, select: versionSelect })
      : null
  if (!version) throw new AppError('NOT_FOUND', 'Asset not found')

  const grants = await db.rightsGrant.findMany({ where: { assetId } })
  const verdict = evaluateUse(grants, { at, organisationId: staff ? null : viewer.organisationId })
  const inForce = verdict.allowed ? grants.filter((grant) => verdict.grantIds.includes(grant.id)) : []
  // Grants are a union: usable until the last in-force one ends, or open-ended if any is.
  const usableUntil =
    inForce.length === 0 || inForce.some((grant) => grant.expiresAt === null)
      ? null
      : new Date(Math.max(...inForce.map((grant) => grant.expiresAt?.getTime() ?? 0)))
  const preview = version.renditions[0]
  const isApproved = version.id === facts.currentVersionId

  return {
    id: asset.id,
    title: asset.title,
    description: asset.description,
    kind: asset.kind,
    tags: asset.tags,
    folderPath: asset.folderPath,
    updatedAt: asset.updatedAt.toISOString(),
    version: {
      id: version.id,
      number: version.number,
      mediaType: version.mediaType,
      originalFilename: version.originalFilename,
      bytes: Number(version.bytes),
      width: version.width,
      height: version.height,
      durationMs: version.durationMs,
      pages: version.pages,
      status: version.status,
      approvedAt: version.promotedAt?.toISOString() ?? null,
      previewUrl: preview ? renditionUrl(asset.id, version.id, 'preview') : null,
      previewWidth: preview?.width ?? version.width,
      previewHeight: preview?.height ?? version.height,
    },
    isApproved,
    rights: {
      licences: inForce.map((grant) => ({
        licenceType: grant.licenceType,
        licensor: grant.licensor,
        expiresAt: grant.expiresAt?.toISOString() ?? null,
        timeZone: grant.timeZone,
      })),
      usableUntil: usableUntil?.toISOString() ?? null,
    },
    downloadUrl: isApproved ? downloadUrl(asset.id) : downloadUrl(asset.id, version.id),
    libraryUrl: staff ? `/library/assets/${encodeURIComponent(asset.id)}` : null,
  }
}
