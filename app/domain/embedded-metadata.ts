/**
 * Metadata embedded in a file (EXIF, IPTC, XMP and the like), as stored on the
 * version, and the one rule for what a viewer may see of it: where a photo was
 * taken (GPS) is for librarians and admins only. Every page, API and index that
 * shows embedded metadata goes through `embeddedMetadataFor`.
 *
 * Pure: no I/O.
 */
import { z } from 'zod'
import type { RoleName } from './roles'

export type EmbeddedLocation = { latitude: number; longitude: number; altitude: number | null }

/** A tag's value as stored: JSON-safe and bounded (see app/media/embedded-metadata.server.ts). */
export type EmbeddedTagValue = string | number | boolean | string[]

export type EmbeddedMetadata = {
  cameraMake: string | null
  cameraModel: string | null
  lens: string | null
  /** When the picture was taken, ISO 8601 where the file says enough, else as written. */
  capturedAt: string | null
  creator: string | null
  copyright: string | null
  title: string | null
  description: string | null
  /** IPTC Keywords and XMP dc:subject, de-duplicated. */
  keywords: string[]
  location: EmbeddedLocation | null
  /** Further tags by group ("EXIF", "IPTC", "XMP", "PDF", "QuickTime", …), bounded; never location tags. */
  groups: Record<string, Record<string, EmbeddedTagValue>>
  /** Why nothing could be read, when that happened. */
  readError: string | null
}

export const EMPTY_EMBEDDED_METADATA: EmbeddedMetadata = {
  cameraMake: null,
  cameraModel: null,
  lens: null,
  capturedAt: null,
  creator: null,
  copyright: null,
  title: null,
  description: null,
  keywords: [],
  location: null,
  groups: {},
  readError: null,
}

const text = z.string().nullable().catch(null)
const TagValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])
const StoredSchema = z.object({
  cameraMake: text.default(null),
  cameraModel: text.default(null),
  lens: text.default(null),
  capturedAt: text.default(null),
  creator: text.default(null),
  copyright: text.default(null),
  title: text.default(null),
  description: text.default(null),
  keywords: z.array(z.string()).catch([]).default([]),
  location: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), altitude: z.number().nullable().catch(null).default(null) })
    .nullable()
    .catch(null)
    .default(null),
  groups: z.record(z.string(), z.record(z.string(), TagValueSchema.catch('')).catch({})).catch({}).default({}),
  readError: text.default(null),
})

/** The stored JSON read back; anything malformed reads as absent, never throws. */
export function parseEmbeddedMetadata(stored: unknown): EmbeddedMetadata {
  const parsed = StoredSchema.safeParse(stored ?? {})
  return parsed.success ? parsed.data : EMPTY_EMBEDDED_METADATA
}

/** Whether anything was read at all (an empty object before the ingest got there). */
export function hasEmbeddedMetadata(metadata: EmbeddedMetadata): boolean {
  const { groups, keywords, location, readError, ...fields } = metadata
  return Object.values(fields).some((value) => value !== null) || keywords.length > 0 || location !== null || Object.keys(groups).length > 0 || readError !== null
}

/** The roles who may see where a file was made (GPS): those who curate the library. */
export const LOCATION_ROLES: readonly RoleName[] = ['admin', 'librarian']

export function mayViewLocation(roles: readonly RoleName[]): boolean {
  return roles.some((role) => LOCATION_ROLES.includes(role))
}

/** Tag names that place the file on a map, whatever group they come in. */
const LOCATION_TAG = /gps|geotag|coordinates|geolocation/i

export function isLocationTag(name: string): boolean {
  return LOCATION_TAG.test(name)
}

/**
 * What a viewer with `roles` may see of a version's embedded metadata: everything for
 * librarians and admins; for everyone else the same without the location and without
 * any location tag in the groups (belt and braces: the reader never stores them there).
 */
export function embeddedMetadataFor(roles: readonly RoleName[], metadata: EmbeddedMetadata): EmbeddedMetadata {
  if (mayViewLocation(roles)) return metadata
  const groups: EmbeddedMetadata['groups'] = {}
  for (const [group, tags] of Object.entries(metadata.groups)) {
    const kept = Object.entries(tags).filter(([name]) => !isLocationTag(name))
    if (kept.length) groups[group] = Object.fromEntries(kept)
  }
  return { ...metadata, location: null, groups }
}

/**
 * The words the search index may hold from embedded metadata: the same for every
 * audience, so never the location (partners search the same index).
 */
export function searchableEmbeddedText(metadata: EmbeddedMetadata): string[] {
  return [metadata.creator, metadata.copyright, metadata.title, metadata.description, metadata.cameraMake, metadata.cameraModel].filter(
    (value): value is string => Boolean(value),
  )
}
