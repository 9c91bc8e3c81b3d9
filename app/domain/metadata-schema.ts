/**
 * Admin-defined metadata schemas: the custom fields an asset carries beyond Dublin
 * Core, which schema applies to an asset, whether a value fits its field, and which
 * mandatory fields are still empty (a version waits for them before review).
 *
 * Pure: no I/O; imported by routes, activities and tests alike.
 */
import { z } from 'zod'
import { folderPrefixCovers } from './review-policy'

export const FIELD_TYPES = ['text', 'number', 'date', 'select', 'multi-select', 'boolean'] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  select: 'Select (one option)',
  'multi-select': 'Multi-select (several options)',
  boolean: 'Yes / no',
}

export const METADATA_SCHEMA_LIMITS = {
  fields: 50,
  options: 100,
  optionLength: 80,
  labelLength: 80,
  helpLength: 300,
  textValueLength: 2000,
} as const

/** A field's key: how its value is stored (`customFields.<key>`) and named in forms. */
export const FieldKeySchema = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'A key is 1–40 lower-case letters, digits or underscores, starting with a letter')

export const MetadataFieldSchema = z
  .object({
    key: FieldKeySchema,
    label: z.string().trim().min(1, 'Give the field a label').max(METADATA_SCHEMA_LIMITS.labelLength),
    type: z.enum(FIELD_TYPES, { error: 'Choose a field type' }),
    required: z.boolean().default(false),
    options: z
      .array(z.string().trim().min(1).max(METADATA_SCHEMA_LIMITS.optionLength))
      .max(METADATA_SCHEMA_LIMITS.options, `At most ${METADATA_SCHEMA_LIMITS.options} options`)
      .default([]),
    help: z.string().trim().max(METADATA_SCHEMA_LIMITS.helpLength).default(''),
  })
  .superRefine((field, context) => {
    const choosable = field.type === 'select' || field.type === 'multi-select'
    if (choosable && field.options.length === 0) {
      context.addIssue({ code: 'custom', path: ['options'], message: `“${field.label}” needs at least one option` })
    }
    if (!choosable && field.options.length > 0) {
      context.addIssue({ code: 'custom', path: ['options'], message: `Only select fields have options (“${field.label}” is ${field.type})` })
    }
    const lower = field.options.map((option) => option.toLowerCase())
    if (new Set(lower).size !== lower.length) {
      context.addIssue({ code: 'custom', path: ['options'], message: `“${field.label}” lists an option twice` })
    }
  })
export type MetadataField = z.infer<typeof MetadataFieldSchema>

export const MetadataFieldsSchema = z
  .array(MetadataFieldSchema)
  .max(METADATA_SCHEMA_LIMITS.fields, `At most ${METADATA_SCHEMA_LIMITS.fields} fields`)
  .superRefine((fields, context) => {
    const seen = new Set<string>()
    for (const [index, field] of fields.entries()) {
      if (seen.has(field.key)) context.addIssue({ code: 'custom', path: [index, 'key'], message: `Two fields use the key “${field.key}”` })
      seen.add(field.key)
    }
  })

/** Reads stored field definitions; rows that no longer parse are dropped, never thrown at a reader. */
export function parseStoredFields(stored: unknown): MetadataField[] {
  if (!Array.isArray(stored)) return []
  return stored.flatMap((row) => {
    const parsed = MetadataFieldSchema.safeParse(row)
    return parsed.success ? [parsed.data] : []
  })
}

/** A stored custom value: text, a number, an ISO date (YYYY-MM-DD), an option, options, or yes/no. */
export type FieldValue = string | number | boolean | string[]
export type CustomFieldValues = Record<string, FieldValue>

export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (typeof value === 'string') return value.trim() === ''
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === 'number') return !Number.isFinite(value)
  return false
}

/** Stored custom values as an object (anything else reads as none). */
export function parseStoredValues(stored: unknown): CustomFieldValues {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {}
  const values: CustomFieldValues = {}
  for (const [key, value] of Object.entries(stored)) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) values[key] = value
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) values[key] = value
  }
  return values
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function isRealDate(text: string): boolean {
  const match = ISO_DATE.exec(text)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** Raw input for one field: what a form or JSON gives (strings from forms, typed values from JSON). */
export type RawFieldInput = unknown

export type FieldCheck = { ok: true; value: FieldValue | undefined } | { ok: false; message: string }

/**
 * Whether `raw` fits `field`, and the value to store (undefined = empty, stored as
 * absent). Empty is always accepted here: whether a required field may stay empty is
 * the review gate's question (missingRequiredFields), so a half-filled form still saves.
 */
export function checkFieldValue(field: MetadataField, raw: RawFieldInput): FieldCheck {
  const label = field.label
  const texts = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).map((item) =>
    typeof item === 'string' ? item.trim() : item,
  )
  const nonEmpty = texts.filter((item) => !isEmptyValue(item))
  switch (field.type) {
    case 'text': {
      if (nonEmpty.length === 0) return { ok: true, value: undefined }
      const [text] = nonEmpty
      if (nonEmpty.length > 1 || typeof text !== 'string') return { ok: false, message: `${label} takes one piece of text` }
      if (text.length > METADATA_SCHEMA_LIMITS.textValueLength) {
        return { ok: false, message: `${label} is longer than ${METADATA_SCHEMA_LIMITS.textValueLength} characters` }
      }
      return { ok: true, value: text }
    }
    case 'number': {
      if (nonEmpty.length === 0) return { ok: true, value: undefined }
      const [item] = nonEmpty
      const number = typeof item === 'number' ? item : typeof item === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(item) ? Number(item) : NaN
      if (nonEmpty.length > 1 || !Number.isFinite(number)) return { ok: false, message: `${label} must be a number` }
      return { ok: true, value: number }
    }
    case 'date': {
      if (nonEmpty.length === 0) return { ok: true, value: undefined }
      const [item] = nonEmpty
      if (nonEmpty.length > 1 || typeof item !== 'string' || !isRealDate(item)) return { ok: false, message: `${label} must be a date (YYYY-MM-DD)` }
      return { ok: true, value: item }
    }
    case 'select': {
      if (nonEmpty.length === 0) return { ok: true, value: undefined }
      const [item] = nonEmpty
      const option = typeof item === 'string' ? field.options.find((candidate) => candidate === item) : undefined
      if (nonEmpty.length > 1 || option === undefined) return { ok: false, message: `${label} must be one of: ${field.options.join(', ')}` }
      return { ok: true, value: option }
    }
    case 'multi-select': {
      const chosen: string[] = []
      for (const item of nonEmpty) {
        const option = typeof item === 'string' ? field.options.find((candidate) => candidate === item) : undefined
        if (option === undefined) return { ok: false, message: `${label} only takes: ${field.options.join(', ')}` }
        if (!chosen.includes(option)) chosen.push(option)
      }
      // Stored in the schema's order, whatever order the form sent.
      return { ok: true, value: chosen.length ? field.options.filter((option) => chosen.includes(option)) : undefined }
    }
    case 'boolean': {
      if (nonEmpty.length === 0) return { ok: true, value: undefined }
      const [item] = nonEmpty
      if (nonEmpty.length > 1) return { ok: false, message: `${label} must be yes or no` }
      if (item === true || item === 'yes' || item === 'true') return { ok: true, value: true }
      if (item === false || item === 'no' || item === 'false') return { ok: true, value: false }
      return { ok: false, message: `${label} must be yes or no` }
    }
  }
}

export type FieldValuesCheck = { ok: true; values: CustomFieldValues } | { ok: false; errors: Record<string, string> }

/**
 * Checks every field of the schema against `input` (keyed by field key) and returns
 * the values to store: `previous` values of keys outside the schema are kept (a
 * schema change never deletes data), keys in the schema take what `input` says.
 */
export function checkFieldValues(fields: readonly MetadataField[], input: Record<string, RawFieldInput>, previous: CustomFieldValues = {}): FieldValuesCheck {
  const values: CustomFieldValues = {}
  const keys = new Set(fields.map((field) => field.key))
  for (const [key, value] of Object.entries(previous)) if (!keys.has(key)) values[key] = value
  const errors: Record<string, string> = {}
  for (const field of fields) {
    const checked = checkFieldValue(field, input[field.key])
    if (!checked.ok) errors[field.key] = checked.message
    else if (checked.value !== undefined) values[field.key] = checked.value
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, values }
}

/** The required fields whose value is empty, in the schema's order. */
export function missingRequiredFields(fields: readonly MetadataField[], values: CustomFieldValues): MetadataField[] {
  return fields.filter((field) => field.required && isEmptyValue(values[field.key]))
}

/** "Usage region and Campaign" — the missing fields named for a person. */
export function describeMissingFields(fields: readonly Pick<MetadataField, 'label'>[]): string {
  const labels = fields.map((field) => field.label)
  if (labels.length <= 1) return labels.join('')
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`
}

export type SchemaScope = { id: string; name: string; folderPaths: readonly string[]; assetKinds: readonly string[] }
export type SchemaSubject = { folderPath: string; kind: string; metadataSchemaId?: string | null }

function folderDepth(path: string): number {
  return path.split('/').filter(Boolean).length
}

/**
 * The schema that applies to an asset: the one set on the asset explicitly, else the
 * one attached to the deepest folder containing it (whole path segments: "/a" covers
 * "/a/b", not "/ab"), else one attached to its kind; ties go to the name, so the answer
 * never depends on the order rows come back in. Null when none applies.
 */
export function resolveMetadataSchema<Schema extends SchemaScope>(asset: SchemaSubject, schemas: readonly Schema[]): Schema | null {
  if (asset.metadataSchemaId) {
    const chosen = schemas.find((schema) => schema.id === asset.metadataSchemaId)
    if (chosen) return chosen
  }
  const byName = [...schemas].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1))
  let best: { schema: Schema; depth: number } | null = null
  for (const schema of byName) {
    for (const folder of schema.folderPaths) {
      if (!folderPrefixCovers(folder, asset.folderPath)) continue
      const depth = folderDepth(folder)
      if (!best || depth > best.depth) best = { schema, depth }
    }
  }
  if (best) return best.schema
  return byName.find((schema) => schema.assetKinds.includes(asset.kind)) ?? null
}

/** A value as text, for the search index and read-only display. */
export function formatFieldValue(value: FieldValue): string {
  if (Array.isArray(value)) return value.join(', ')
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  return String(value)
}
