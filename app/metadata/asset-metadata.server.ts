/**
 * An asset's editable metadata (Dublin Core, the custom fields of its schema, tags)
 * and the embedded metadata of its versions, as pages and the API show them.
 *
 * Saving validates every value against the schema (a value that does not fit its
 * field is refused and nothing is written), audits the change in the same
 * transaction, reindexes the asset and signals each of its versions that waits for
 * mandatory metadata, whose ingest then re-checks and goes on to review.
 */
import { ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client'
import { appendAuditEvent } from '~/audit.server'
import { normaliseTags } from '~/assets/upload.server'
import type { Db } from '~/db.server'
import { compactDublinCore, DUBLIN_CORE_KEYS, DublinCoreInputSchema, parseStoredDublinCore, type DublinCore, type DublinCoreKey } from '~/domain/dublin-core'
import { embeddedMetadataFor, hasEmbeddedMetadata, parseEmbeddedMetadata } from '~/domain/embedded-metadata'
import {
  checkFieldValues,
  describeMissingFields,
  missingRequiredFields,
  parseStoredFields,
  parseStoredValues,
  resolveMetadataSchema,
  type CustomFieldValues,
  type MetadataField,
  type RawFieldInput,
} from '~/domain/metadata-schema'
import { hasPermission, type RoleName } from '~/domain/roles'
import { AppError } from '~/errors.server'
import type { Prisma } from '~/generated/prisma/client'
import { reindexAsset } from '~/search.server'
import { getTemporalClient } from '~/temporal.server'
import { BULK_EDIT_MAX_ASSETS, DC_PREFIX, FIELD_PREFIX, type AssetMetadataPanel, type EmbeddedMetadataView } from './metadata-views'
import { metadataCompletedSignal } from '../../workflows/ingest'

export type * from './metadata-views'

export type AppliedSchema = { id: string; name: string; fields: MetadataField[] }

/** Loads every schema once and picks the asset's. */
export async function loadSchemas(db: Db) {
  const rows = await db.metadataSchema.findMany({ select: { id: true, name: true, fields: true, folderPaths: true, assetKinds: true } })
  return rows.map((row) => ({ ...row, fields: parseStoredFields(row.fields) }))
}

export function schemaFor(asset: { folderPath: string; kind: string; metadataSchemaId: string | null }, schemas: Awaited<ReturnType<typeof loadSchemas>>): AppliedSchema | null {
  const schema = resolveMetadataSchema(asset, schemas)
  return schema ? { id: schema.id, name: schema.name, fields: schema.fields } : null
}

// ───────────────────────────── the embedded metadata panel

/** What `roles` may see of one version's embedded metadata (the one rule: embeddedMetadataFor). */
export function toEmbeddedMetadataView(
  roles: readonly RoleName[],
  version: { id: string; number: number; embeddedMetadata: unknown; extractedText: string },
): EmbeddedMetadataView {
  const embedded = embeddedMetadataFor(roles, parseEmbeddedMetadata(version.embeddedMetadata))
  const text = version.extractedText.trim()
  return {
    versionId: version.id,
    versionNumber: version.number,
    embedded,
    hasAny: hasEmbeddedMetadata(embedded),
    text: text ? { characters: text.length, excerpt: text.length > 400 ? `${text.slice(0, 399)}…` : text } : null,
  }
}

export type AssetMetadataPanelOptions = { db: Db; assetId: string; roles: readonly RoleName[]; versionId?: string | null }

/** The library asset page's metadata panel: the chosen version (else the latest), shaped for the viewer. */
export async function getAssetMetadataPanel({ db, assetId, roles, versionId }: AssetMetadataPanelOptions): Promise<AssetMetadataPanel> {
  const [asset, schemas] = await Promise.all([
    db.asset.findUnique({
      where: { id: assetId },
      select: {
        id: true,
        folderPath: true,
        kind: true,
        metadataSchemaId: true,
        dublinCore: true,
        customFields: true,
        versions: {
          orderBy: { number: 'desc' },
          select: { id: true, number: true, status: true, embeddedMetadata: true, extractedText: true },
        },
      },
    }),
    loadSchemas(db),
  ])
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  const schema = schemaFor(asset, schemas)
  const values = parseStoredValues(asset.customFields)
  const waiting = asset.versions.filter((version) => version.status === 'awaiting_metadata')
  const missing = schema ? missingRequiredFields(schema.fields, values) : []
  const version = asset.versions.find((candidate) => candidate.id === versionId) ?? asset.versions[0] ?? null
  return {
    assetId: asset.id,
    dublinCore: parseStoredDublinCore(asset.dublinCore),
    schema: schema
      ? { name: schema.name, fields: schema.fields.map((field) => ({ key: field.key, label: field.label, value: values[field.key] ?? null, required: field.required })) }
      : null,
    needsMetadata:
      waiting.length > 0
        ? {
            message: missing.length ? `Needs metadata: fill in ${describeMissingFields(missing)}` : 'Needs metadata: saved; going to review shortly',
            versionNumbers: waiting.map((candidate) => candidate.number),
          }
        : null,
    embedded: version ? toEmbeddedMetadataView(roles, version) : null,
    canEdit: hasPermission(roles, 'asset:edit'),
  }
}

// ───────────────────────────── the metadata page

export type AssetMetadataForm = {
  asset: { id: string; title: string; kind: string; folderPath: string; tags: string[] }
  dublinCore: DublinCore
  schema: AppliedSchema | null
  values: CustomFieldValues
  missing: string[]
  awaitingVersionNumbers: number[]
}

export async function getAssetMetadataForm({ db, assetId }: { db: Db; assetId: string }): Promise<AssetMetadataForm> {
  const [asset, schemas] = await Promise.all([
    db.asset.findUnique({
      where: { id: assetId },
      select: {
        id: true,
        title: true,
        kind: true,
        folderPath: true,
        tags: true,
        metadataSchemaId: true,
        dublinCore: true,
        customFields: true,
        versions: { where: { status: 'awaiting_metadata' }, orderBy: { number: 'asc' }, select: { number: true } },
      },
    }),
    loadSchemas(db),
  ])
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  const schema = schemaFor(asset, schemas)
  const values = parseStoredValues(asset.customFields)
  return {
    asset: { id: asset.id, title: asset.title, kind: asset.kind, folderPath: asset.folderPath, tags: asset.tags },
    dublinCore: parseStoredDublinCore(asset.dublinCore),
    schema,
    values,
    missing: schema ? missingRequiredFields(schema.fields, values).map((field) => field.label) : [],
    awaitingVersionNumbers: asset.versions.map((version) => version.number),
  }
}

/** What one asset's save changes; an absent part is left as it is (bulk edit sends only what it sets). */
export type MetadataChange = {
  /** Elements to set; an empty string clears one. */
  dublinCore?: Partial<Record<DublinCoreKey, string>>
  /** Raw values by field key, checked against the asset's schema; keys not sent are left as they are. */
  fields?: Record<string, RawFieldInput>
  /** Replace the tags, or add and remove some. */
  tags?: { set: string[] } | { add: string[]; remove: string[] }
}

export type SaveMetadataResult =
  | { ok: true; changed: boolean; missing: string[]; signalled: number }
  | { ok: false; errors: Record<string, string> }

export type SaveMetadataOptions = {
  db: Db
  assetId: string
  actorId: string
  change: MetadataChange
  ipAddress?: string | null
  /** Temporal client for the signals; the process-wide one by default. */
  client?: Client
  /** For bulk edit: schemas loaded once for many assets. */
  schemas?: Awaited<ReturnType<typeof loadSchemas>>
}

function applyTags(current: string[], change: MetadataChange['tags']): string[] {
  if (!change) return current
  if ('set' in change) return normaliseTags(change.set)
  const removed = new Set(change.remove.map((tag) => tag.trim().toLowerCase()))
  return normaliseTags([...current.filter((tag) => !removed.has(tag.toLowerCase())), ...change.add])
}

/**
 * Validates and saves one asset's metadata. Field errors (keyed by field key) come
 * back without writing anything; a missing asset is NOT_FOUND.
 */
export async function saveAssetMetadata({ db, assetId, actorId, change, ipAddress, client, schemas }: SaveMetadataOptions): Promise<SaveMetadataResult> {
  const allSchemas = schemas ?? (await loadSchemas(db))
  const outcome = await db.$transaction(async (tx) => {
    const asset = await tx.asset.findUnique({
      where: { id: assetId },
      select: { id: true, folderPath: true, kind: true, metadataSchemaId: true, dublinCore: true, customFields: true, tags: true },
    })
    if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
    const schema = schemaFor(asset, allSchemas)
    const previousValues = parseStoredValues(asset.customFields)
    let values = previousValues
    if (change.fields) {
      if (!schema) {
        const keys = Object.keys(change.fields)
        if (keys.length) return { ok: false as const, errors: { [keys[0] ?? 'fields']: 'This asset has no metadata schema, so it has no custom fields' } }
      } else {
        // Only the fields sent change: the others keep their values.
        const sent = schema.fields.filter((field) => field.key in (change.fields ?? {}))
        const unknown = Object.keys(change.fields).filter((key) => !schema.fields.some((field) => field.key === key))
        if (unknown.length) return { ok: false as const, errors: Object.fromEntries(unknown.map((key) => [key, `“${schema.name}” has no field “${key}”`])) }
        const checked = checkFieldValues(sent, change.fields, previousValues)
        if (!checked.ok) return { ok: false as const, errors: checked.errors }
        values = checked.values
      }
    }
    const previousDublinCore = parseStoredDublinCore(asset.dublinCore)
    const dublinCore = change.dublinCore ? compactDublinCore({ ...previousDublinCore, ...change.dublinCore }) : previousDublinCore
    const tags = applyTags(asset.tags, change.tags)

    const changedKeys = [
      ...DUBLIN_CORE_KEYS.filter((key) => (previousDublinCore[key] ?? '') !== (dublinCore[key] ?? '')).map((key) => `dc.${key}`),
      ...[...new Set([...Object.keys(previousValues), ...Object.keys(values)])]
        .filter((key) => JSON.stringify(previousValues[key] ?? null) !== JSON.stringify(values[key] ?? null))
        .map((key) => `field.${key}`),
      ...(JSON.stringify(tags) !== JSON.stringify(asset.tags) ? ['tags'] : []),
    ]
    const missing = schema ? missingRequiredFields(schema.fields, values).map((field) => field.label) : []
    if (changedKeys.length === 0) return { ok: true as const, changed: false, missing }

    await tx.asset.update({
      where: { id: assetId },
      data: { dublinCore: dublinCore as Prisma.InputJsonValue, customFields: values as Prisma.InputJsonValue, tags },
    })
    await appendAuditEvent(tx, {
      actorId,
      action: 'asset.metadata_change',
      subjectType: 'asset',
      subjectId: assetId,
      detail: { changed: changedKeys.slice(0, 60), schema: schema?.name ?? null, missing },
      ipAddress: ipAddress ?? null,
    })
    return { ok: true as const, changed: true, missing }
  })
  if (!outcome.ok) return outcome

  if (outcome.changed) {
    try {
      await reindexAsset(db, assetId)
    } catch (error) {
      // The save stands; the next reindex (any later change, review, rights) carries it.
      console.error(`Reindex of asset ${assetId} after a metadata change failed:`, error)
    }
  }
  const signalled = outcome.missing.length === 0 ? await signalAwaitingVersions({ db, assetIds: [assetId], client }) : 0
  return { ok: true, changed: outcome.changed, missing: outcome.missing, signalled }
}

/**
 * Tells the ingest of every version of these assets that waits for metadata to
 * re-check. Best effort: with Temporal unreachable the ingest's daily re-check still
 * finds the fields filled; a finished or missing workflow has nothing to hear.
 */
export async function signalAwaitingVersions({ db, assetIds, client }: { db: Db; assetIds: readonly string[]; client?: Client }): Promise<number> {
  const waiting = await db.assetVersion.findMany({ where: { assetId: { in: [...assetIds] }, status: 'awaiting_metadata' }, select: { id: true } })
  if (waiting.length === 0) return 0
  let temporal: Client
  try {
    temporal = client ?? (await getTemporalClient())
  } catch (error) {
    console.warn('Metadata saved, but the workflow service is unreachable; waiting versions re-check within a day.', error)
    return 0
  }
  let signalled = 0
  for (const version of waiting) {
    try {
      await temporal.workflow.getHandle(`ingest-${version.id}`).signal(metadataCompletedSignal)
      signalled += 1
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) continue
      if (error instanceof ServiceError) {
        console.warn(`Could not signal ingest-${version.id}; it re-checks within a day.`, error)
        continue
      }
      throw error
    }
  }
  return signalled
}

// ───────────────────────────── forms

export { BULK_EDIT_MAX_ASSETS, DC_PREFIX, FIELD_PREFIX } from './metadata-views'

export type MetadataFormParse =
  | { ok: true; change: MetadataChange; sent: { dublinCore: Record<string, string>; fields: Record<string, string[]>; tags: string } }
  | { ok: false; errors: Record<string, string>; sent: { dublinCore: Record<string, string>; fields: Record<string, string[]>; tags: string } }

function splitTags(text: string): string[] {
  return text.split(',').map((tag) => tag.trim()).filter(Boolean)
}

/**
 * Reads the metadata page's form. Every Dublin Core element and every schema field
 * is on the page, so an empty one clears it. Errors are keyed `dc.<key>`, `field.<key>` or `tags`.
 */
export function metadataChangeFromForm(formData: FormData, fields: readonly MetadataField[]): MetadataFormParse {
  const dublinCore: Record<string, string> = {}
  for (const key of DUBLIN_CORE_KEYS) dublinCore[key] = String(formData.get(`${DC_PREFIX}${key}`) ?? '')
  const sentFields: Record<string, string[]> = {}
  for (const field of fields) sentFields[field.key] = formData.getAll(`${FIELD_PREFIX}${field.key}`).map(String)
  const tags = String(formData.get('tags') ?? '')
  const sent = { dublinCore, fields: sentFields, tags }

  const errors: Record<string, string> = {}
  const parsedDc = DublinCoreInputSchema.safeParse(dublinCore)
  if (!parsedDc.success) {
    for (const issue of parsedDc.error.issues) errors[`${DC_PREFIX}${String(issue.path[0])}`] = issue.message
  }
  const tagList = splitTags(tags)
  if (tagList.length > 50) errors.tags = 'At most 50 tags'
  else if (tagList.some((tag) => tag.length > 60)) errors.tags = 'A tag is at most 60 characters'
  if (Object.keys(errors).length || !parsedDc.success) return { ok: false, errors, sent }
  return {
    ok: true,
    change: {
      dublinCore: Object.fromEntries(DUBLIN_CORE_KEYS.map((key) => [key, parsedDc.data[key] ?? ''])),
      fields: Object.fromEntries(Object.entries(sentFields).map(([key, values]) => [key, values.length > 1 ? values : values[0]])),
      tags: { set: tagList },
    },
    sent,
  }
}

// ───────────────────────────── bulk edit


export type BulkEditOutcome = {
  saved: { assetId: string; title: string; changed: boolean }[]
  /** Assets whose values did not fit their schema (nothing written for them), with why. */
  refused: { assetId: string; title: string; errors: string[] }[]
}

/**
 * Applies one change to many assets, each validated against its own schema: the
 * assets that fail are reported and left as they were, the rest are saved (each
 * audited, reindexed, and its waiting versions signalled).
 */
export async function bulkEditMetadata({
  db,
  assetIds,
  actorId,
  change,
  ipAddress,
  client,
}: {
  db: Db
  assetIds: readonly string[]
  actorId: string
  change: MetadataChange
  ipAddress?: string | null
  client?: Client
}): Promise<BulkEditOutcome> {
  const ids = [...new Set(assetIds)]
  if (ids.length === 0) throw new AppError('BAD_REQUEST', 'Tick at least one asset')
  if (ids.length > BULK_EDIT_MAX_ASSETS) throw new AppError('BAD_REQUEST', `Edit at most ${BULK_EDIT_MAX_ASSETS} assets at once`)
  const [assets, schemas] = await Promise.all([
    db.asset.findMany({ where: { id: { in: ids } }, select: { id: true, title: true } }),
    loadSchemas(db),
  ])
  const titles = new Map(assets.map((asset) => [asset.id, asset.title]))
  const outcome: BulkEditOutcome = { saved: [], refused: [] }
  for (const assetId of ids) {
    const title = titles.get(assetId)
    if (title === undefined) {
      outcome.refused.push({ assetId, title: assetId, errors: ['No such asset'] })
      continue
    }
    const result = await saveAssetMetadata({ db, assetId, actorId, change, ipAddress, client, schemas })
    if (result.ok) outcome.saved.push({ assetId, title, changed: result.changed })
    else outcome.refused.push({ assetId, title, errors: Object.values(result.errors) })
  }
  return outcome
}

/** The bulk edit form's context: the ticked assets and the fields of the schemas that apply to them (by key, first wins). */
export async function getBulkEditContext({ db, assetIds }: { db: Db; assetIds: readonly string[] }) {
  const ids = [...new Set(assetIds)].slice(0, BULK_EDIT_MAX_ASSETS)
  const [assets, schemas] = await Promise.all([
    db.asset.findMany({ where: { id: { in: ids } }, select: { id: true, title: true, folderPath: true, kind: true, metadataSchemaId: true }, orderBy: { title: 'asc' } }),
    loadSchemas(db),
  ])
  const fields = new Map<string, MetadataField>()
  const schemaNames = new Set<string>()
  for (const asset of assets) {
    const schema = schemaFor(asset, schemas)
    if (!schema) continue
    schemaNames.add(schema.name)
    for (const field of schema.fields) if (!fields.has(field.key)) fields.set(field.key, field)
  }
  return {
    assets: assets.map((asset) => ({ id: asset.id, title: asset.title, schema: schemaFor(asset, schemas)?.name ?? null })),
    fields: [...fields.values()],
    schemaNames: [...schemaNames].sort(),
  }
}

/**
 * Reads the bulk edit form: only what is filled in changes (an empty element or field
 * is left as it is on each asset); tags are added and removed.
 */
export function bulkChangeFromForm(formData: FormData, fields: readonly MetadataField[]): { ok: true; change: MetadataChange } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const dublinCore: Partial<Record<DublinCoreKey, string>> = {}
  for (const key of DUBLIN_CORE_KEYS) {
    const value = String(formData.get(`${DC_PREFIX}${key}`) ?? '').trim()
    if (!value) continue
    if (value.length > 2000) errors[`${DC_PREFIX}${key}`] = 'At most 2000 characters'
    dublinCore[key] = value
  }
  const fieldValues: Record<string, RawFieldInput> = {}
  for (const field of fields) {
    const values = formData.getAll(`${FIELD_PREFIX}${field.key}`).map(String).filter((value) => value.trim() !== '')
    if (values.length) fieldValues[field.key] = values.length > 1 ? values : values[0]
  }
  const add = splitTags(String(formData.get('addTags') ?? ''))
  const remove = splitTags(String(formData.get('removeTags') ?? ''))
  if (add.some((tag) => tag.length > 60) || remove.some((tag) => tag.length > 60)) errors.tags = 'A tag is at most 60 characters'
  if (Object.keys(errors).length) return { ok: false, errors }
  const change: MetadataChange = {}
  if (Object.keys(dublinCore).length) change.dublinCore = dublinCore
  if (Object.keys(fieldValues).length) change.fields = fieldValues
  if (add.length || remove.length) change.tags = { add, remove }
  if (!change.dublinCore && !change.fields && !change.tags) return { ok: false, errors: { form: 'Fill in at least one value to set, or tags to add or remove' } }
  return { ok: true, change }
}
