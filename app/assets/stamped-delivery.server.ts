/**
 * Stamped copies: what a recipient actually downloads. The original stays as
 * uploaded; each delivery gets a copy with the rights that hold for that recipient
 * written into its metadata (~/media/rights-metadata.server).
 *
 * Copies are stored beside the originals under `stamped/<versionId>/<hash>.<ext>`,
 * the hash covering the stamp itself. The same terms for the same version give the
 * same key, so a copy is made once and reused; when grants change, the stamp and so
 * the key change, and the next download makes a fresh copy. Access checks and the
 * audit row are the caller's (download.server.ts); this module does no authorisation.
 *
 * Old copies are not deleted here: they are unreachable without a presigned URL,
 * and a lifecycle rule on the `stamped/` prefix (or housekeeping) can expire them.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { DbOrTx } from '~/db.server'
import { buildRightsStamp, type RightsStamp, type StampRecipient } from '~/domain/rights-stamp'
import { getEnv } from '~/env.server'
import { AppError } from '~/errors.server'
import { canCarryRightsStamp, RightsStampError, stampRightsMetadata } from '~/media/rights-metadata.server'
import type { Storage } from '~/storage.server'

/** Bump when the way stamps are written changes, so stored copies are made afresh. */
export const STAMP_FORMAT_VERSION = 1

/** A partner organisation, or partners in general (brand staff downloading). */
export type DeliveryRecipient = { kind: 'partner'; organisationId: string } | { kind: 'all-partners' }

export type StampedDownloadOptions = {
  db: DbOrTx
  storage: Storage
  assetId: string
  versionId: string
  recipient: DeliveryRecipient
  at?: Date
  /** Base of the rights-page link; PUBLIC_URL by default. */
  publicUrl?: string
}

export type StampedCopy = {
  key: string
  /** The name the browser saves it under ("<title><ext>"). */
  filename: string
  mediaType: string
  stamp: RightsStamp
  /** Whether an existing copy was reused rather than made now. */
  reused: boolean
}

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

export function stampedCopyKey(versionId: string, stamp: RightsStamp, extension: string): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ format: STAMP_FORMAT_VERSION, stamp }))
    .digest('hex')
  return `stamped/${versionId}/${digest}${extension}`
}

/**
 * The stamped copy of a version's original for `recipient`, made now or reused.
 * Throws NOT_FOUND for an unknown version, and RightsStampError when the file
 * cannot carry the stamp (checked on the sniffed type before fetching the original).
 */
export async function stampedDownload({
  db,
  storage,
  assetId,
  versionId,
  recipient,
  at = new Date(),
  publicUrl = getEnv().PUBLIC_URL,
}: StampedDownloadOptions): Promise<StampedCopy> {
  const version = await db.assetVersion.findFirst({
    where: { id: versionId, assetId },
    select: {
      id: true,
      number: true,
      storageKey: true,
      mediaType: true,
      originalFilename: true,
      asset: { select: { id: true, title: true, ownerOrganisation: { select: { name: true } }, rightsGrants: true } },
    },
  })
  if (!version) throw new AppError('NOT_FOUND', 'Asset not found')
  if (!canCarryRightsStamp(version.mediaType)) {
    throw new RightsStampError('unsupported_format', `Files of type ${version.mediaType} cannot carry their usage rights in embedded metadata`)
  }

  const stamp = buildRightsStamp({
    asset: { id: version.asset.id, title: version.asset.title },
    versionNumber: version.number,
    owner: version.asset.ownerOrganisation.name,
    grants: version.asset.rightsGrants,
    recipient: await stampRecipient(db, recipient),
    publicUrl,
    at,
  })
  const filename = downloadFilename(version.asset.title, version.originalFilename, version.mediaType)
  const key = stampedCopyKey(version.id, stamp, path.extname(filename))
  const copy = { key, filename, mediaType: version.mediaType, stamp }
  if (await storage.exists(key)) return { ...copy, reused: true }

  const directory = await mkdtemp(path.join(os.tmpdir(), 'damson-delivery-'))
  try {
    // Through temporary files, not memory: originals may be hundreds of megabytes.
    const original = path.join(directory, `original${path.extname(filename)}`)
    const stamped = path.join(directory, `stamped${path.extname(filename)}`)
    const { body } = await storage.getStream(version.storageKey)
    await pipeline(body, createWriteStream(original))
    await stampRightsMetadata({ sourcePath: original, targetPath: stamped, stamp })
    await storage.putStream(key, createReadStream(stamped), version.mediaType)
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
  return { ...copy, reused: false }
}

async function stampRecipient(db: DbOrTx, recipient: DeliveryRecipient): Promise<StampRecipient> {
  if (recipient.kind === 'all-partners') return recipient
  const organisation = await db.organisation.findUnique({ where: { id: recipient.organisationId }, select: { name: true } })
  if (!organisation) throw new AppError('NOT_FOUND', 'Asset not found')
  return { kind: 'organisation', organisationId: recipient.organisationId, name: organisation.name }
}

/** JSON with object keys sorted, so equal stamps always hash alike. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  )
}
