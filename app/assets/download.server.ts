/**
 * Downloading an original: authorise with the one access rule, record the download
 * in the audit chain, and only then hand out a presigned S3 URL that lives at most a
 * minute. Partners always get the asset's current (approved) version; brand staff
 * may ask for any version of the asset.
 *
 * The presigned URL points at the S3 endpoint itself (S3_ENDPOINT, 127.0.0.1:<port>
 * on the local stack), so the browser must be able to reach that endpoint. Behind a
 * proxy or on another machine, S3_ENDPOINT has to be an address browsers can reach.
 */
import path from 'node:path'
import { recordAuditEvent } from '~/audit.server'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { isStaff } from '~/domain/roles'
import { AppError } from '~/errors.server'
import type { Storage } from '~/storage.server'
import { requireAssetAccess, requireVersionAccess } from './access.server'

export type PrepareDownloadOptions = {
  db: Db
  storage: Storage
  viewer: Viewer
  assetId: string
  /** A specific version (staff only; a partner may name only the current version). */
  versionId?: string | null
  ipAddress?: string | null
  /** Lifetime of the presigned URL in seconds; capped at 60. */
  expiresInSeconds: number
  at?: Date
}

export type PreparedDownload = {
  url: string
  filename: string
  versionId: string
  versionNumber: number
  expiresInSeconds: number
}

export const MAX_DOWNLOAD_URL_TTL_SECONDS = 60

const EXTENSION_BY_MEDIA_TYPE: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'image/tiff': '.tif',
  'image/avif': '.avif',
  'image/heic': '.heic',
  'image/svg+xml': '.svg',
  'video/mp4': '.mp4',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'audio/mpeg': '.mp3',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'application/postscript': '.eps',
  'image/vnd.adobe.photoshop': '.psd',
}

/** "<title><ext>": the extension from the original's name, else from its sniffed media type. */
export function downloadFilename(title: string, originalFilename: string, mediaType: string): string {
  const fromName = path.extname(originalFilename).toLowerCase()
  const extension = /^\.[a-z0-9]{1,8}$/.test(fromName) ? fromName : (EXTENSION_BY_MEDIA_TYPE[mediaType] ?? '')
  const base =
    title
      // Path separators, characters Windows refuses, and control characters.
      .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\.+/, '')
      .slice(0, 150) || 'download'
  return base.toLowerCase().endsWith(extension) ? base : `${base}${extension}`
}

export async function prepareDownload({
  db,
  storage,
  viewer,
  assetId,
  versionId,
  ipAddress = null,
  expiresInSeconds,
  at = new Date(),
}: PrepareDownloadOptions): Promise<PreparedDownload> {
  const facts = versionId
    ? await requireVersionAccess(db, viewer, assetId, versionId, at)
    : await requireAssetAccess(db, viewer, assetId, at)

  // Without an explicit version: the current one; staff on a not-yet-approved asset get the newest.
  const version = versionId
    ? await db.assetVersion.findFirst({ where: { id: versionId, assetId } })
    : facts.currentVersionId
      ? await db.assetVersion.findFirst({ where: { id: facts.currentVersionId, assetId } })
      : isStaff(viewer.roles)
        ? await db.assetVersion.findFirst({ where: { assetId }, orderBy: { number: 'desc' } })
        : null
  if (!version || version.status === 'failed' || version.status === 'processing') {
    throw new AppError('NOT_FOUND', 'Asset not found')
  }
  const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { title: true } })

  const filename = downloadFilename(asset.title, version.originalFilename, version.mediaType)
  const ttl = Math.max(1, Math.min(MAX_DOWNLOAD_URL_TTL_SECONDS, Math.floor(expiresInSeconds)))

  // Log first: no URL leaves the server without its audit row committed.
  await recordAuditEvent(db, {
    actorId: viewer.userId,
    action: 'asset.download',
    subjectType: 'asset',
    subjectId: assetId,
    detail: {
      versionId: version.id,
      versionNumber: version.number,
      filename,
      organisationId: viewer.organisationId,
    },
    ipAddress,
  })

  const url = await storage.presignDownload(version.storageKey, { filename, expiresInSeconds: ttl })
  return { url, filename, versionId: version.id, versionNumber: version.number, expiresInSeconds: ttl }
}
