/**
 * Reads the metadata a file carries about itself (EXIF, IPTC, XMP, and whatever else
 * ExifTool knows for PDFs, Office, video, audio and design files) into the curated,
 * JSON-safe, bounded shape stored on the version (`~/domain/embedded-metadata`).
 *
 * Location (GPS) goes into `location` only, never into the raw groups, so the one
 * rule that hides it from non-librarians has one field to drop.
 */
import type { GroupedTags } from 'exiftool-vendored'
import { EMPTY_EMBEDDED_METADATA, isLocationTag, type EmbeddedMetadata, type EmbeddedTagValue } from '~/domain/embedded-metadata'
import { getExifTool } from './exiftool.server'

/** Groups worth keeping raw (ExifTool family 0). File/System/Composite describe our temp file or repeat others. */
const KEPT_GROUPS = new Set([
  'EXIF',
  'IPTC',
  'XMP',
  'ICC_Profile',
  'Photoshop',
  'PDF',
  'PostScript',
  'FlashPix',
  'XML',
  'ZIP',
  'QuickTime',
  'Matroska',
  'RIFF',
  'ID3',
  'Vorbis',
  'FLAC',
  'PNG',
  'GIF',
  'JFIF',
  'APP14',
])

export const EMBEDDED_LIMITS = {
  /** Longest string kept (descriptions, keyword lists); longer ones are cut with an ellipsis. */
  stringLength: 500,
  arrayItems: 50,
  keywords: 100,
  tagsPerGroup: 120,
  /** The serialised groups stay under this, well within the ~64 kB the brief allows the whole row. */
  groupsBytes: 40_000,
} as const

function cut(text: string, length: number = EMBEDDED_LIMITS.stringLength): string {
  // Strip NULs (PostgreSQL JSON rejects \u0000) and other control characters but newlines and tabs.
  const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim()
  return clean.length > length ? `${clean.slice(0, length - 1)}…` : clean
}

/** A date-like value from exiftool-vendored (ExifDateTime, ExifDate, ExifTime) as text. */
function dateText(value: unknown): string | null {
  if (!value || typeof value !== 'object') return typeof value === 'string' && value.trim() ? cut(value) : null
  const candidate = value as { toISOString?: () => string | undefined; rawValue?: unknown }
  try {
    const iso = candidate.toISOString?.()
    if (iso) return iso
  } catch {
    // Fall through to the raw value.
  }
  return typeof candidate.rawValue === 'string' ? cut(candidate.rawValue) : null
}

/** Any tag value as a stored value, or null to leave it out (binary blobs, structures). */
function toTagValue(value: unknown): EmbeddedTagValue | null {
  if (typeof value === 'string') return value.trim() ? cut(value) : null
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean') return value
  if (Array.isArray(value)) {
    const items = value.flatMap((item) => (typeof item === 'string' || typeof item === 'number' ? [cut(String(item))] : []))
    return items.length ? items.slice(0, EMBEDDED_LIMITS.arrayItems) : null
  }
  if (value && typeof value === 'object') {
    if ('rawValue' in value || 'toISOString' in value) return dateText(value)
    // BinaryField and structures: too big or too odd to keep raw.
    return null
  }
  return null
}

/** The first value of a bare tag name, looking in the groups in order of trust. */
function pick(tags: Record<string, unknown>, names: readonly string[], groups: readonly string[] = ['XMP', 'IPTC', 'EXIF', 'QuickTime', 'PDF', 'ID3', 'Composite']): unknown {
  for (const name of names) {
    if (tags[name] !== undefined) return tags[name]
    for (const group of groups) {
      const value = tags[`${group}:${name}`]
      if (value !== undefined && value !== null && value !== '') return value
    }
  }
  return undefined
}

function pickText(tags: Record<string, unknown>, names: readonly string[], groups?: readonly string[]): string | null {
  const value = pick(tags, names, groups)
  if (Array.isArray(value)) return value.length ? cut(value.map(String).join(', ')) : null
  if (typeof value === 'string') return value.trim() ? cut(value) : null
  if (typeof value === 'number') return String(value)
  return null
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((item) => String(item))
  if (typeof value === 'string') return value.split(/[,;]/)
  return []
}

/** IPTC Keywords and XMP dc:subject, trimmed and de-duplicated case-insensitively, in order of appearance. */
function keywordsOf(tags: Record<string, unknown>): string[] {
  const seen = new Map<string, string>()
  for (const raw of [...listOf(tags['IPTC:Keywords']), ...listOf(tags['XMP:Subject']), ...listOf(tags['XMP:Keywords']), ...listOf(tags['PDF:Keywords'])]) {
    const keyword = cut(raw, 60)
    if (keyword && !seen.has(keyword.toLowerCase())) seen.set(keyword.toLowerCase(), keyword)
  }
  return [...seen.values()].slice(0, EMBEDDED_LIMITS.keywords)
}

function finite(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : NaN
  return Number.isFinite(number) ? number : null
}

function locationOf(tags: Record<string, unknown>): EmbeddedMetadata['location'] {
  // exiftool-vendored validates and signs these (bare names), and drops 0,0 placeholders.
  const latitude = finite(tags.GPSLatitude)
  const longitude = finite(tags.GPSLongitude)
  if (latitude === null || longitude === null || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null
  const altitude = finite(tags['Composite:GPSAltitude'] ?? tags['EXIF:GPSAltitude'] ?? tags['XMP:GPSAltitude'])
  return { latitude, longitude, altitude }
}

function groupsOf(tags: Record<string, unknown>): EmbeddedMetadata['groups'] {
  const groups: EmbeddedMetadata['groups'] = {}
  let bytes = 2
  for (const [qualified, value] of Object.entries(tags)) {
    const colon = qualified.indexOf(':')
    if (colon <= 0) continue
    const group = qualified.slice(0, colon)
    const name = qualified.slice(colon + 1)
    if (!KEPT_GROUPS.has(group) || isLocationTag(name)) continue
    const stored = toTagValue(value)
    if (stored === null) continue
    const entries = (groups[group] ??= {})
    if (Object.keys(entries).length >= EMBEDDED_LIMITS.tagsPerGroup) continue
    const size = JSON.stringify(name).length + JSON.stringify(stored).length + 2
    if (bytes + size > EMBEDDED_LIMITS.groupsBytes) break
    entries[name] = stored
    bytes += size
  }
  return groups
}

/** The curated shape from ExifTool's grouped tags (exported for tests). */
export function curateEmbeddedMetadata(tags: GroupedTags | Record<string, unknown>): EmbeddedMetadata {
  const all = tags as Record<string, unknown>
  return {
    cameraMake: pickText(all, ['Make'], ['EXIF', 'QuickTime', 'XMP']),
    cameraModel: pickText(all, ['Model'], ['EXIF', 'QuickTime', 'XMP']),
    lens: pickText(all, ['LensModel', 'Lens', 'LensID', 'LensInfo'], ['EXIF', 'XMP', 'Composite']),
    capturedAt: dateText(pick(all, ['DateTimeOriginal', 'CreateDate', 'DateCreated', 'DateTimeCreated', 'CreationDate'], ['EXIF', 'XMP', 'Composite', 'IPTC', 'QuickTime', 'PDF'])),
    // PDF:Creator is the application that made the file, not a person.
    creator:
      pickText(all, ['Creator'], ['XMP', 'QuickTime']) ??
      pickText(all, ['By-line'], ['IPTC']) ??
      pickText(all, ['Artist', 'Author'], ['EXIF', 'PDF', 'ID3', 'QuickTime', 'FlashPix', 'XML']),
    copyright: pickText(all, ['Rights', 'CopyrightNotice', 'Copyright'], ['XMP', 'IPTC', 'EXIF', 'PDF', 'QuickTime', 'ID3']),
    title: pickText(all, ['Headline', 'Title', 'ObjectName'], ['XMP', 'IPTC', 'PDF', 'QuickTime', 'ID3', 'FlashPix', 'XML']),
    // XMP:Subject is dc:subject, the keywords; a PDF's or Office file's Subject is a summary.
    description:
      pickText(all, ['Description', 'Caption-Abstract', 'ImageDescription'], ['XMP', 'IPTC', 'EXIF', 'QuickTime', 'ID3']) ??
      pickText(all, ['Subject'], ['PDF', 'FlashPix', 'XML']),
    keywords: keywordsOf(all),
    location: locationOf(all),
    groups: groupsOf(all),
    readError: null,
  }
}

/**
 * Reads a file on local disk. A file ExifTool cannot make sense of is not an error
 * for the ingest: the result says why in `readError` and carries nothing else.
 */
export async function readEmbeddedMetadata(filePath: string): Promise<EmbeddedMetadata> {
  let tags: GroupedTags
  try {
    // Not -fast: XMP at the end of a PDF or a video's moov atom would be missed.
    tags = await getExifTool().read(filePath, { groupNames: true, readArgs: ['-api', 'largefilesupport=1'] })
  } catch (error) {
    return { ...EMPTY_EMBEDDED_METADATA, readError: cut(error instanceof Error ? error.message : String(error), 300) }
  }
  return curateEmbeddedMetadata(tags)
}
