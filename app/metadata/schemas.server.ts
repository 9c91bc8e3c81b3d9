/**
 * Metadata schemas for admins: list, read, create and update, each change audited
 * in its transaction. Field definitions are validated by `~/domain/metadata-schema`.
 * Changing a schema never deletes stored values: a field removed from it keeps its
 * values on the assets (they come back if the field does).
 */
import { z } from 'zod'
import { appendAuditEvent } from '~/audit.server'
import { normaliseFolderPath } from '~/assets/upload.server'
import type { Db } from '~/db.server'
import { MetadataFieldsSchema, parseStoredFields, type MetadataField } from '~/domain/metadata-schema'
import { AppError } from '~/errors.server'
import { Prisma } from '~/generated/prisma/client'
import type { AssetKind } from '~/generated/prisma/enums'
import { ASSET_KINDS } from './metadata-views'

// Every kind a schema can name is an AssetKind.
ASSET_KINDS satisfies readonly AssetKind[]

export { ASSET_KINDS } from './metadata-views'

export type MetadataSchemaSummary = { id: string; name: string; fieldCount: number; requiredCount: number; folderPaths: string[]; assetKinds: string[]; assetCount: number }

export async function listMetadataSchemas(db: Db): Promise<MetadataSchemaSummary[]> {
  const rows = await db.metadataSchema.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { assets: true } } } })
  return rows.map((row) => {
    const fields = parseStoredFields(row.fields)
    return {
      id: row.id,
      name: row.name,
      fieldCount: fields.length,
      requiredCount: fields.filter((field) => field.required).length,
      folderPaths: row.folderPaths,
      assetKinds: row.assetKinds,
      assetCount: row._count.assets,
    }
  })
}

export type MetadataSchemaDraft = { name: string; folderPaths: string[]; assetKinds: AssetKind[]; fields: MetadataField[] }

export async function getMetadataSchema(db: Db, id: string): Promise<MetadataSchemaDraft & { id: string }> {
  const row = await db.metadataSchema.findUnique({ where: { id } })
  if (!row) throw new AppError('NOT_FOUND', 'Metadata schema not found')
  return { id: row.id, name: row.name, folderPaths: row.folderPaths, assetKinds: row.assetKinds, fields: parseStoredFields(row.fields) }
}

const DraftSchema = z.object({
  name: z.string().trim().min(1, 'Give the schema a name').max(120, 'At most 120 characters'),
  folderPaths: z.array(z.string()).max(50, 'At most 50 folders'),
  assetKinds: z.array(z.enum(ASSET_KINDS)),
  fields: MetadataFieldsSchema,
})

/** Row `n` of the field table: `fields.<n>.key|label|type|required|options|help|remove`. */
const ROW_LIMIT = 60

export type SchemaFormErrors = Record<string, string>

/** Reads the admin form. Rows with neither key nor label, or ticked "remove", are dropped. */
export function schemaDraftFromForm(formData: FormData): { ok: true; draft: MetadataSchemaDraft } | { ok: false; errors: SchemaFormErrors; sent: unknown } {
  const text = (name: string) => String(formData.get(name) ?? '')
  const rows: unknown[] = []
  for (let index = 0; index < ROW_LIMIT; index++) {
    const key = text(`fields.${index}.key`).trim()
    const label = text(`fields.${index}.label`).trim()
    if ((!key && !label) || formData.get(`fields.${index}.remove`) === 'on') continue
    rows.push({
      key,
      label,
      type: text(`fields.${index}.type`),
      required: formData.get(`fields.${index}.required`) === 'on',
      options: text(`fields.${index}.options`)
        .split(/[,\n]/)
        .map((option) => option.trim())
        .filter(Boolean),
      help: text(`fields.${index}.help`),
    })
  }
  const folderPaths = [...new Set(text('folderPaths').split('\n').map((line) => line.trim()).filter(Boolean).map(normaliseFolderPath))]
  const parsed = DraftSchema.safeParse({ name: text('name'), folderPaths, assetKinds: formData.getAll('assetKinds').map(String), fields: rows })
  if (parsed.success) return { ok: true, draft: parsed.data }
  const errors: SchemaFormErrors = {}
  for (const issue of parsed.error.issues) {
    const where = issue.path[0] === 'fields' && typeof issue.path[1] === 'number' ? `field ${issue.path[1] + 1}` : String(issue.path[0] ?? 'form')
    errors[where] ??= issue.message
  }
  return { ok: false, errors, sent: { name: text('name'), folderPaths: text('folderPaths'), rows } }
}

/** Creates (no id) or updates a schema; a taken name is a CONFLICT. */
export async function saveMetadataSchema({ db, id, draft, actorId }: { db: Db; id: string | null; draft: MetadataSchemaDraft; actorId: string }): Promise<string> {
  try {
    return await db.$transaction(async (tx) => {
      const data = { name: draft.name, folderPaths: draft.folderPaths, assetKinds: draft.assetKinds, fields: draft.fields as Prisma.InputJsonValue }
      const saved = id ? await tx.metadataSchema.update({ where: { id }, data, select: { id: true } }) : await tx.metadataSchema.create({ data, select: { id: true } })
      await appendAuditEvent(tx, {
        actorId,
        action: 'metadata_schema.change',
        subjectType: 'metadata_schema',
        subjectId: saved.id,
        detail: {
          change: id ? 'update' : 'create',
          name: draft.name,
          folderPaths: draft.folderPaths,
          assetKinds: draft.assetKinds,
          fields: draft.fields.map((field) => `${field.key}:${field.type}${field.required ? '*' : ''}`),
        },
      })
      return saved.id
    })
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new AppError('CONFLICT', `A schema named “${draft.name}” already exists`)
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new AppError('NOT_FOUND', 'Metadata schema not found')
    throw error
  }
}
