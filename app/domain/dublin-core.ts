/**
 * The fifteen Dublin Core elements every asset carries (`Asset.dublinCore`), and how
 * empty ones are prefilled from what the file says about itself. A librarian's entry
 * always wins: prefill only ever fills what is empty.
 *
 * Pure: no I/O.
 */
import { z } from 'zod'
import type { EmbeddedMetadata } from './embedded-metadata'

export const DUBLIN_CORE_ELEMENTS = [
  { key: 'title', label: 'Title', help: 'The name given to the resource.' },
  { key: 'creator', label: 'Creator', help: 'Who made it: photographer, designer, studio.' },
  { key: 'subject', label: 'Subject', help: 'Topics or keywords, separated by commas.' },
  { key: 'description', label: 'Description', help: 'What it shows or contains.' },
  { key: 'publisher', label: 'Publisher', help: 'Who makes it available.' },
  { key: 'contributor', label: 'Contributor', help: 'Others who contributed.' },
  { key: 'date', label: 'Date', help: 'When it was created (YYYY-MM-DD or as known).' },
  { key: 'type', label: 'Type', help: 'DCMI type: Image, MovingImage, Sound, Text, …' },
  { key: 'format', label: 'Format', help: 'File format or media type.' },
  { key: 'identifier', label: 'Identifier', help: 'A reference such as an SKU or job number.' },
  { key: 'source', label: 'Source', help: 'What it was derived from.' },
  { key: 'language', label: 'Language', help: 'Language code, e.g. en, de.' },
  { key: 'relation', label: 'Relation', help: 'Related resources.' },
  { key: 'coverage', label: 'Coverage', help: 'Place or period it covers.' },
  { key: 'rights', label: 'Rights', help: 'Copyright and usage statement.' },
] as const

export type DublinCoreKey = (typeof DUBLIN_CORE_ELEMENTS)[number]['key']
export const DUBLIN_CORE_KEYS = DUBLIN_CORE_ELEMENTS.map((element) => element.key) as DublinCoreKey[]
export type DublinCore = Partial<Record<DublinCoreKey, string>>

export const DUBLIN_CORE_VALUE_LENGTH = 2000

/** One element's value from a form: trimmed, bounded; empty means "not set". */
const ElementValueSchema = z
  .string()
  .transform((value) => value.replace(/\r\n/g, '\n').trim())
  .pipe(z.string().max(DUBLIN_CORE_VALUE_LENGTH, `At most ${DUBLIN_CORE_VALUE_LENGTH} characters`))

export const DublinCoreInputSchema = z.object(
  Object.fromEntries(DUBLIN_CORE_KEYS.map((key) => [key, ElementValueSchema.optional()])) as Record<DublinCoreKey, z.ZodOptional<typeof ElementValueSchema>>,
)

/** Drops empty values, so `{}` means "nothing set". */
export function compactDublinCore(values: Partial<Record<DublinCoreKey, string | undefined>>): DublinCore {
  const result: DublinCore = {}
  for (const key of DUBLIN_CORE_KEYS) {
    const value = values[key]
    if (value !== undefined && value.trim() !== '') result[key] = value
  }
  return result
}

/** The stored JSON read back; unknown keys and non-strings are ignored. */
export function parseStoredDublinCore(stored: unknown): DublinCore {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {}
  const record = stored as Record<string, unknown>
  const values: Partial<Record<DublinCoreKey, string>> = {}
  for (const key of DUBLIN_CORE_KEYS) {
    const value = record[key]
    if (typeof value === 'string') values[key] = value
  }
  return compactDublinCore(values)
}

/** The DCMI Type vocabulary term for an asset kind. */
export function dcmiType(kind: string): string {
  switch (kind) {
    case 'image':
      return 'StillImage'
    case 'video':
      return 'MovingImage'
    case 'audio':
      return 'Sound'
    case 'document':
      return 'Text'
    case 'design':
      return 'Image'
    default:
      return 'PhysicalObject'
  }
}

export type PrefillFacts = { title: string; kind: string; mediaType: string; embedded: EmbeddedMetadata }

/**
 * Fills the empty elements from the asset and its file: title, type, format, and from
 * the embedded metadata creator, rights, description, subject (keywords) and date
 * (capture date). Never overwrites a value someone entered.
 */
export function prefillDublinCore(current: DublinCore, { title, kind, mediaType, embedded }: PrefillFacts): DublinCore {
  const suggested: DublinCore = compactDublinCore({
    title: embedded.title ?? title,
    creator: embedded.creator ?? undefined,
    rights: embedded.copyright ?? undefined,
    description: embedded.description ?? undefined,
    subject: embedded.keywords.length ? embedded.keywords.join(', ') : undefined,
    date: embedded.capturedAt ? embedded.capturedAt.slice(0, 10) : undefined,
    type: dcmiType(kind),
    format: mediaType || undefined,
  })
  const merged: DublinCore = { ...current }
  for (const key of DUBLIN_CORE_KEYS) {
    const value = suggested[key]
    if (value !== undefined && !merged[key]) merged[key] = value.slice(0, DUBLIN_CORE_VALUE_LENGTH)
  }
  return merged
}
