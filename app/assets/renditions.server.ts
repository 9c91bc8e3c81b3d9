/**
 * Serving renditions (thumbnail, preview, web, a video's clip, an audio file's
 * listening copy, a PDF's pages) of one asset version. Every read goes through the one
 * access rule (requireVersionAccess): a partner reaches only the promoted version of
 * an asset they may see now, and anything else is a 404. Media answer byte ranges, so
 * players can seek. Only raster images, MP4 video and M4A/MP3 audio are served as
 * themselves; anything else (an SVG, say) goes out as an opaque download that never
 * renders in the page, under a sandboxing Content-Security-Policy.
 */
import type { Readable } from 'node:stream'
import { z } from 'zod'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { isServedRenditionName, type MediaRenditionName, type RenditionPresetName } from '~/domain/rendition-presets'
import { AppError } from '~/errors.server'
import type { Storage } from '~/storage.server'
import { requireVersionAccess } from './access.server'

/** The built-in presets and media renditions, as the preset module lists them (adding one there serves it here). */
export const RenditionPresetSchema = z.custom<RenditionPresetName | MediaRenditionName>((value) => typeof value === 'string' && isServedRenditionName(value))

/** Types a rendition may be served as; anything else (SVG above all) is sent as an opaque download. */
const INLINE_TYPES = new Set(['image/webp', 'image/jpeg', 'image/png', 'image/avif', 'image/gif', 'video/mp4', 'audio/mp4', 'audio/mpeg'])

export type RenditionMeta = {
  storageKey: string
  contentType: string
  bytes: number
  etag: string
}

export type OpenedRendition = RenditionMeta & { body: Readable }

export type RenditionOptions = {
  db: Db
  viewer: Viewer
  assetId: string
  versionId: string
  preset: string
  at?: Date
}

/**
 * Authorises the read and finds the rendition row. Throws NOT_FOUND for an unknown
 * preset, a version of another asset, a version the viewer may not see, or a
 * rendition that has not been made (yet).
 */
export async function findRendition({ db, viewer, assetId, versionId, preset, at = new Date() }: RenditionOptions): Promise<RenditionMeta> {
  const parsedPreset = RenditionPresetSchema.safeParse(preset)
  if (!parsedPreset.success) throw new AppError('NOT_FOUND', 'Rendition not found')

  await requireVersionAccess(db, viewer, assetId, versionId, at)

  const rendition = await db.rendition.findUnique({
    where: { versionId_preset: { versionId, preset: parsedPreset.data } },
    select: { id: true, storageKey: true, mediaType: true, bytes: true, createdAt: true, version: { select: { assetId: true } } },
  })
  // The version must belong to the asset in the URL: access was checked for that asset.
  if (!rendition || rendition.version.assetId !== assetId) throw new AppError('NOT_FOUND', 'Rendition not found')

  return {
    storageKey: rendition.storageKey,
    contentType: INLINE_TYPES.has(rendition.mediaType) ? rendition.mediaType : 'application/octet-stream',
    bytes: Number(rendition.bytes),
    // Renditions are immutable per row: a regenerated one gets a new row or timestamp.
    etag: `"r-${rendition.id}-${rendition.createdAt.getTime().toString(36)}"`,
  }
}

/** Authorises, then opens the rendition's bytes from S3 as a stream. */
export async function openRendition(options: RenditionOptions & { storage: Storage }): Promise<OpenedRendition> {
  const meta = await findRendition(options)
  const object = await options.storage.getStream(meta.storageKey)
  return { ...meta, bytes: object.bytes ?? meta.bytes, body: object.body }
}

/** True when the request's If-None-Match already names this ETag. */
export function matchesIfNoneMatch(request: Request, etag: string): boolean {
  const header = request.headers.get('If-None-Match')
  if (!header) return false
  if (header.trim() === '*') return true
  return header
    .split(',')
    .map((candidate) => candidate.trim().replace(/^W\//, ''))
    .includes(etag)
}

export function renditionHeaders(meta: RenditionMeta): Headers {
  const inline = meta.contentType !== 'application/octet-stream'
  return new Headers({
    'Content-Type': meta.contentType,
    'Content-Length': String(meta.bytes),
    'Cache-Control': 'private, no-cache',
    ETag: meta.etag,
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    // Anything that is not a picture, a clip or a sound is never shown by the browser.
    'Content-Disposition': inline ? 'inline' : 'attachment',
    // Renditions are pictures and sound; nothing in them may run, even opened on their own.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
    'Cross-Origin-Resource-Policy': 'same-origin',
  })
}

export type ByteRange = { start: number; end: number }

/**
 * The one byte range a Range header asks of a `size`-byte body: "bytes=a-b", "bytes=a-"
 * or "bytes=-n" (the last n). Null when there is no usable header (serve it whole,
 * as RFC 9110 allows for several ranges or other units); 'unsatisfiable' when it lies
 * wholly past the end (416).
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match) return null
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return null
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (start >= size) return 'unsatisfiable'
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (end < start) return null
  return { start, end }
}
