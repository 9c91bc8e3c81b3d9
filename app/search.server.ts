/**
 * The Typesense index of assets. Partner searches are filtered server-side on
 * approval, audience and the rights window bounds at the moment of the query, and
 * each hit is re-checked against the database with the one access rule.
 *
 * Besides title, description and tags, each asset's document carries its keywords
 * (tags and the file's IPTC/XMP keywords), Dublin Core and custom field values and
 * the extracted text (a PDF's text layer, OCR of an image or scan), bounded, so a
 * word in a scanned page finds the asset. The words come from the current version
 * when there is one (what partners see), else the latest upload. Never the location.
 */
import Typesense from 'typesense'
import type { CollectionCreateSchema } from 'typesense/lib/Typesense/Collections'
import type { Db } from '~/db.server'
import { getEnv } from '~/env.server'
import { DUBLIN_CORE_KEYS, parseStoredDublinCore } from '~/domain/dublin-core'
import { parseEmbeddedMetadata, searchableEmbeddedText } from '~/domain/embedded-metadata'
import { formatFieldValue, parseStoredValues } from '~/domain/metadata-schema'
import { unspecifiedUseWindow, type RightsGrantTerms } from '~/domain/rights'
import { isStaff } from '~/domain/roles'
import type { Viewer } from '~/domain/asset-access'

export const ASSETS_COLLECTION = 'assets'
/** Audience token meaning "every partner organisation". */
const EVERYONE = 'all'
/** Extracted text indexed per asset: the first pages' worth is what people search for. */
export const INDEXED_TEXT_LIMIT = 30_000
const INDEXED_FIELDS_LIMIT = 10_000

export type AssetSearchDocument = {
  id: string
  title: string
  description: string
  tags: string[]
  kind: string
  folder_path: string
  status: string
  has_current: boolean
  current_version_id: string
  audience: string[]
  rights_org_ids: string[]
  rights_from: number
  rights_until: number
  created_at: number
  /** Tags plus the file's embedded keywords. */
  keywords: string[]
  dublin_core: string
  custom_fields: string
  extracted_text: string
}

/** Added after the first release: optional, and added to an existing collection at start (ensureSearchCollections). */
const TEXT_FIELDS = [
  { name: 'keywords', type: 'string[]', facet: true, optional: true },
  { name: 'dublin_core', type: 'string', optional: true },
  { name: 'custom_fields', type: 'string', optional: true },
  { name: 'extracted_text', type: 'string', optional: true },
] satisfies CollectionCreateSchema['fields']

/** What a query searches, best-weighted first. */
const QUERY_BY = 'title,tags,keywords,description,dublin_core,custom_fields,extracted_text'

const assetsSchema: CollectionCreateSchema = {
  name: ASSETS_COLLECTION,
  fields: [
    { name: 'title', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'tags', type: 'string[]', facet: true },
    { name: 'kind', type: 'string', facet: true },
    { name: 'folder_path', type: 'string', facet: true },
    { name: 'status', type: 'string', facet: true },
    { name: 'has_current', type: 'bool' },
    { name: 'current_version_id', type: 'string', index: false, optional: true },
    { name: 'audience', type: 'string[]' },
    { name: 'rights_org_ids', type: 'string[]' },
    { name: 'rights_from', type: 'int64' },
    { name: 'rights_until', type: 'int64' },
    { name: 'created_at', type: 'int64', sort: true },
    ...TEXT_FIELDS,
  ],
  default_sorting_field: 'created_at',
}

type TypesenseClient = InstanceType<typeof Typesense.Client>

export function createSearchClient(url: string, apiKey: string): TypesenseClient {
  const parsed = new URL(url)
  return new Typesense.Client({
    nodes: [
      {
        host: parsed.hostname,
        port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
        protocol: parsed.protocol.replace(':', ''),
      },
    ],
    apiKey,
    connectionTimeoutSeconds: 5,
    numRetries: 2,
  })
}

const globalForSearch = globalThis as unknown as { damsonSearch?: TypesenseClient }

export function getSearchClient(): TypesenseClient {
  if (!globalForSearch.damsonSearch) {
    const env = getEnv()
    globalForSearch.damsonSearch = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
  }
  return globalForSearch.damsonSearch
}

/** Creates the collection when missing, or adds fields it lacks (Typesense ≥ 0.23 alters in place); safe at every start. */
export async function ensureSearchCollections(client: TypesenseClient = getSearchClient()): Promise<void> {
  const exists = await client
    .collections(ASSETS_COLLECTION)
    .exists()
  if (!exists) {
    try {
      await client.collections().create(assetsSchema)
    } catch (error) {
      // Another process created it between our check and create.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error
    }
    return
  }
  const current = await client.collections(ASSETS_COLLECTION).retrieve()
  const have = new Set(current.fields.map((field) => field.name))
  const missing = TEXT_FIELDS.filter((field) => !have.has(field.name))
  if (missing.length === 0) return
  try {
    await client.collections(ASSETS_COLLECTION).update({ fields: missing })
  } catch (error) {
    // Another process added them first.
    if (!(error instanceof Error && /already (exists|part of)/i.test(error.message))) throw error
  }
}

type AssetForIndex = {
  id: string
  title: string
  description: string
  tags: string[]
  kind: string
  folderPath: string
  status: string
  currentVersionId: string | null
  sharedWithAllPartners: boolean
  shares: { organisationId: string }[]
  rightsGrants: RightsGrantTerms[]
  createdAt: Date
  dublinCore?: unknown
  customFields?: unknown
  /** The version whose words are indexed: the current one, else the latest upload. */
  textVersion?: { embeddedMetadata: unknown; extractedText: string } | null
}

function bounded(text: string, limit: number): string {
  return text.length > limit ? text.slice(0, limit) : text
}

/** The searchable words of an asset beyond title, description and tags (exported for tests). */
export function searchableText(asset: Pick<AssetForIndex, 'tags' | 'dublinCore' | 'customFields' | 'textVersion'>) {
  const embedded = parseEmbeddedMetadata(asset.textVersion?.embeddedMetadata)
  const keywords = new Map<string, string>()
  for (const word of [...asset.tags, ...embedded.keywords]) if (!keywords.has(word.toLowerCase())) keywords.set(word.toLowerCase(), word)
  const dublinCore = parseStoredDublinCore(asset.dublinCore)
  const customValues = parseStoredValues(asset.customFields)
  return {
    keywords: [...keywords.values()],
    dublin_core: bounded([...DUBLIN_CORE_KEYS.flatMap((key) => dublinCore[key] ?? []), ...searchableEmbeddedText(embedded)].join('\n'), INDEXED_FIELDS_LIMIT),
    custom_fields: bounded(Object.values(customValues).map(formatFieldValue).join('\n'), INDEXED_FIELDS_LIMIT),
    extracted_text: bounded(asset.textVersion?.extractedText ?? '', INDEXED_TEXT_LIMIT),
  }
}

export function toSearchDocument(asset: AssetForIndex, at: Date): AssetSearchDocument {
  // Partners declare no channel or territory when browsing, so only grants that cover any
  // use make an asset findable (the same rule canViewAsset applies).
  const { interval, organisationIds } = unspecifiedUseWindow(asset.rightsGrants, at)
  const rightsOrgIds = organisationIds === null ? [EVERYONE] : organisationIds
  return {
    id: asset.id,
    title: asset.title,
    description: asset.description,
    tags: asset.tags,
    kind: asset.kind,
    folder_path: asset.folderPath,
    status: asset.status,
    has_current: asset.currentVersionId !== null,
    current_version_id: asset.currentVersionId ?? '',
    audience: asset.sharedWithAllPartners ? [EVERYONE] : asset.shares.map((share) => share.organisationId),
    rights_org_ids: rightsOrgIds,
    // A never-usable asset gets an empty window, which no partner filter matches.
    rights_from: interval?.from ?? 0,
    rights_until: interval?.until ?? 0,
    created_at: asset.createdAt.getTime(),
    ...searchableText(asset),
  }
}

/** Loads the asset's current state and writes it to the index (idempotent). */
export async function reindexAsset(db: Db, assetId: string, client: TypesenseClient = getSearchClient()): Promise<void> {
  const textSelect = { embeddedMetadata: true, extractedText: true } as const
  const asset = await db.asset.findUnique({
    where: { id: assetId },
    include: {
      shares: { select: { organisationId: true } },
      rightsGrants: true,
      currentVersion: { select: textSelect },
      versions: { orderBy: { number: 'desc' }, take: 1, select: textSelect },
    },
  })
  if (!asset) {
    await client.collections(ASSETS_COLLECTION).documents(assetId).delete().catch(() => undefined)
    return
  }
  const textVersion = asset.currentVersion ?? asset.versions[0] ?? null
  await client.collections<AssetSearchDocument>(ASSETS_COLLECTION).documents().upsert(toSearchDocument({ ...asset, textVersion }, new Date()))
}

function escapeFilterValue(value: string): string {
  return `\`${value.replace(/`/g, '')}\``
}

/** The filter that confines a viewer to what they may see at `at`. */
export function visibilityFilter(viewer: Viewer, at: Date): string | undefined {
  if (isStaff(viewer.roles)) return undefined
  const now = at.getTime()
  const org = escapeFilterValue(viewer.organisationId)
  return [
    'has_current:=true',
    'status:=active',
    `audience:=[${EVERYONE},${org}]`,
    `rights_org_ids:=[${EVERYONE},${org}]`,
    `rights_from:<=${now}`,
    `rights_until:>${now}`,
  ].join(' && ')
}

export type AssetSearchParams = { query: string; kind?: string; page?: number; perPage?: number }

export async function searchAssetIds(
  viewer: Viewer,
  params: AssetSearchParams,
  at: Date,
  client: TypesenseClient = getSearchClient(),
): Promise<{ ids: string[]; found: number }> {
  const filters = [visibilityFilter(viewer, at), params.kind ? `kind:=${escapeFilterValue(params.kind)}` : undefined]
    .filter(Boolean)
    .join(' && ')
  const result = await client.collections<AssetSearchDocument>(ASSETS_COLLECTION).documents().search({
    q: params.query.trim() || '*',
    query_by: QUERY_BY,
    filter_by: filters || undefined,
    sort_by: params.query.trim() ? '_text_match:desc,created_at:desc' : 'created_at:desc',
    page: params.page ?? 1,
    per_page: params.perPage ?? 48,
    num_typos: 2,
  })
  return { ids: (result.hits ?? []).map((hit) => hit.document.id), found: result.found }
}
