/**
 * Serving renditions (thumbnail, preview, web) of one asset version. Every read goes
 * through the one access rule (requireVersionAccess): a partner reaches only the
 * promoted version of an asset they may see now, and anything else is a 404.
 */
import type { Readable } from 'node:stream'
import { z } from 'zod'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { isRenditionPresetName, type RenditionPresetName } from '~/domain/rendition-presets'
import { AppError } from '~/errors.server'
import type { Storage } from '~/storage.server'
import { requireVersionAccess } from './access.server'

/** The built-in presets, as the preset module lists them (adding one there serves it here). */
export const RenditionPresetSchema = z.custom<RenditionPresetName>((value) => typeof value === 'string' && isRenditionPresetName(value))

/** Raster types a rendition may be served as; anything else is sent as an opaque download type. */
const INLINE_IMAGE_TYPES = new Set(['image/webp', 'image/jpeg', 'image/png', 'image/avif', 'image/gif'])

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
    contentType: INLINE_IMAGE_TYPES.has(rendition.mediaType) ? rendition.mediaType : 'application/octet-stream',
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
  return new Headers({
    'Content-Type': meta.contentType,
    'Content-Length': String(meta.bytes),
    'Cache-Control': 'private, no-cache',
    ETag: meta.etag,
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': 'inline',
    // Renditions are raster images; nothing in them may run.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; sandbox",
    'Cross-Origin-Resource-Policy': 'same-origin',
  })
}
