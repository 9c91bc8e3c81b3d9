/**
 * Model and property releases: the signed documents behind a grant. A release is a
 * PDF, JPEG or PNG of at most 20 MB, its type sniffed from the bytes (never the name
 * or the declared type); it streams to S3 under `releases/<grantId>/<id>-<filename>`
 * while being hashed and counted, and its row and 'rights.change' audit row are
 * written in one transaction once the object is stored. Staff download releases
 * through an audited route that hands out a presigned URL of at most a minute.
 */
import { randomUUID } from 'node:crypto'
import {
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type UploadHandler,
} from '@remix-run/node'
import { z } from 'zod'
import { displayFilename, streamSniffedUpload, type UploadSource } from '~/assets/upload.server'
import { formatSize } from '~/domain/byte-size'
import { appendAuditEvent, recordAuditEvent } from '~/audit.server'
import type { Db, DbOrTx } from '~/db.server'
import { AppError, isAppError } from '~/errors.server'
import type { Storage } from '~/storage.server'

export const RELEASE_MAX_BYTES = 20 * 1024 * 1024
export const RELEASE_KINDS = ['model', 'property'] as const
export type ReleaseKindName = (typeof RELEASE_KINDS)[number]

const RELEASE_TYPES: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' }
/** For the file input's `accept`: a hint to the browser only; the server sniffs. */
export const RELEASE_ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png'

export const ReleaseKindSchema = z.enum(RELEASE_KINDS, { error: 'Choose whether this is a model or a property release.' })

export function releaseStorageKey(grantId: string, releaseId: string, filename: string): string {
  // The display name keeps its characters; the key keeps only what every S3 tool handles.
  const safe = filename.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'release'
  return `releases/${grantId}/${releaseId}-${safe}`
}

export type StoredRelease = {
  releaseId: string
  grantId: string
  assetId: string
  kind: ReleaseKindName
  filename: string
  mediaType: string
  bytes: number
  sha256: string
}

export type StoreReleaseOptions = {
  db: Db
  storage: Storage
  grantId: string
  /** When given, the grant must belong to this asset (the page the form was on). */
  assetId?: string
  kind: ReleaseKindName
  file: UploadSource
  actorId: string
  ipAddress?: string | null
  maxBytes?: number
}

async function requireGrant(db: DbOrTx, grantId: string, assetId: string | undefined): Promise<{ id: string; assetId: string }> {
  const grant = await db.rightsGrant.findUnique({ where: { id: grantId }, select: { id: true, assetId: true } })
  if (!grant || (assetId && grant.assetId !== assetId)) throw new AppError('NOT_FOUND', 'Rights grant not found')
  return grant
}

/** Stores one release for a grant: checked, streamed, recorded and audited. */
export async function storeRelease(options: StoreReleaseOptions): Promise<StoredRelease> {
  const { db, storage, grantId, kind, file, actorId } = options
  const maxBytes = options.maxBytes ?? RELEASE_MAX_BYTES
  // Checked before a byte is read; again in the transaction.
  const grant = await requireGrant(db, grantId, options.assetId)
  const filename = displayFilename(file.filename)
  const releaseId = randomUUID()
  const storageKey = releaseStorageKey(grantId, releaseId, filename)
  const stored = await streamRelease({ storage, storageKey, file, filename, maxBytes })
  try {
    await db.$transaction(async (tx) => {
      await requireGrant(tx, grantId, options.assetId)
      await tx.rightsRelease.create({ data: { id: releaseId, grantId, kind, storageKey, filename } })
      await appendAuditEvent(tx, {
        actorId,
        action: 'rights.change',
        subjectType: 'asset',
        subjectId: grant.assetId,
        detail: {
          operation: 'release_added',
          grantId,
          releaseId,
          kind,
          filename,
          declaredType: file.declaredType ?? null,
          mediaType: stored.mediaType,
          bytes: stored.bytes,
          sha256: stored.sha256,
        },
        ipAddress: options.ipAddress ?? null,
      })
    })
  } catch (error) {
    // No row: the object must not linger either.
    await storage.delete(storageKey).catch(() => undefined)
    throw error
  }
  return { releaseId, grantId, assetId: grant.assetId, kind, filename, ...stored }
}

type StreamReleaseOptions = { storage: Storage; storageKey: string; file: UploadSource; filename: string; maxBytes: number }

/** A release: PDF, JPEG or PNG by its bytes, at most `maxBytes`, streamed to S3 like originals. */
async function streamRelease({ storage, storageKey, file, filename, maxBytes }: StreamReleaseOptions) {
  const stored = await streamSniffedUpload({
    storage,
    storageKey,
    file,
    maxBytes,
    name: filename,
    refuseType: (sniffed) =>
      sniffed && sniffed.mime in RELEASE_TYPES
        ? null
        : `${sniffed ? `is ${sniffed.mime}` : 'is not a file type Damson recognises'}. Releases must be PDF, JPEG or PNG.`,
    tooLarge: () => new AppError('PAYLOAD_TOO_LARGE', `${filename} is larger than the ${formatSize(maxBytes)} limit for releases.`),
  })
  return { mediaType: stored.mediaType, bytes: stored.bytes, sha256: stored.sha256 }
}

async function drain(data: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of data) void chunk
}

// ───────────────────────────── the upload form (multipart, streamed)

export type ReleaseReceipt =
  | ({ ok: true } & StoredRelease)
  | { ok: false; grantId: string | null; status: number; message: string }

const ReleaseFieldsSchema = z.object({
  grantId: z.string({ error: 'Choose the grant the release belongs to.' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'Choose the grant the release belongs to.'),
  kind: ReleaseKindSchema,
})

/** Text fields are tiny; anything bigger in a text part is refused. */
const MAX_TEXT_PART_BYTES = 16 * 1024

/**
 * Reads the release form (`grantId`, `kind`, then `file`) as it arrives and streams
 * the file into `storeRelease`. Every refusal comes back as status and message, with
 * nothing stored.
 */
export async function receiveReleaseUpload(options: {
  request: Request
  db: Db
  storage: Storage
  assetId: string
  actorId: string
  ipAddress?: string | null
  maxBytes?: number
}): Promise<ReleaseReceipt> {
  const fields = new Map<string, string>()
  const received: { receipt: ReleaseReceipt | null } = { receipt: null }
  const textHandler = createMemoryUploadHandler({ maxPartSize: MAX_TEXT_PART_BYTES })

  const handler: UploadHandler = async (part) => {
    if (part.filename === undefined) {
      const value = await textHandler(part)
      if (typeof value === 'string') fields.set(part.name, value)
      return value
    }
    if (part.name !== 'file' || part.filename === '' || received.receipt !== null) {
      await drain(part.data)
      return undefined
    }
    const parsed = ReleaseFieldsSchema.safeParse(Object.fromEntries(fields))
    const grantId = fields.get('grantId') ?? null
    if (!parsed.success) {
      received.receipt = { ok: false, grantId, status: 400, message: parsed.error.issues[0]?.message ?? 'The form is not valid.' }
      await drain(part.data)
      return undefined
    }
    try {
      const stored = await storeRelease({
        db: options.db,
        storage: options.storage,
        grantId: parsed.data.grantId,
        assetId: options.assetId,
        kind: parsed.data.kind,
        file: { stream: part.data, filename: part.filename, declaredType: part.contentType },
        actorId: options.actorId,
        ipAddress: options.ipAddress,
        maxBytes: options.maxBytes,
      })
      received.receipt = { ok: true, ...stored }
    } catch (error) {
      if (!isAppError(error)) throw error
      received.receipt = { ok: false, grantId, status: error.status, message: error.message }
      // Too large: stop reading (the rest may be huge). Otherwise let the parser finish the form.
      if (error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'UNAVAILABLE') throw error
      await drain(part.data)
    }
    return undefined
  }

  try {
    await parseMultipartFormData(options.request, handler)
  } catch (error) {
    if (received.receipt && !received.receipt.ok) return received.receipt
    if (error instanceof Error && error.name === 'MaxPartSizeExceededError') {
      return { ok: false, grantId: fields.get('grantId') ?? null, status: 413, message: 'A text field in the form is too long.' }
    }
    if (error instanceof TypeError || (error instanceof Error && /malformed multipart/i.test(error.message))) {
      return { ok: false, grantId: null, status: 400, message: 'The upload form could not be read. Send it as multipart/form-data.' }
    }
    throw error
  }
  return received.receipt ?? { ok: false, grantId: fields.get('grantId') ?? null, status: 400, message: 'Choose the release document to upload.' }
}

// ───────────────────────────── downloading

export type PreparedReleaseDownload = { url: string; filename: string; assetId: string }

export const MAX_RELEASE_URL_TTL_SECONDS = 60

/**
 * Records the view in the audit chain, then presigns the object for at most a minute.
 * Releases carry personal data (a model's signature, address), so every look counts.
 */
export async function prepareReleaseDownload(options: {
  db: Db
  storage: Storage
  releaseId: string
  actorId: string
  ipAddress?: string | null
  expiresInSeconds: number
}): Promise<PreparedReleaseDownload> {
  const { db, storage, releaseId } = options
  const release = await db.rightsRelease.findUnique({
    where: { id: releaseId },
    select: { id: true, kind: true, filename: true, storageKey: true, grantId: true, grant: { select: { assetId: true } } },
  })
  if (!release) throw new AppError('NOT_FOUND', 'Release not found')
  await recordAuditEvent(db, {
    actorId: options.actorId,
    action: 'asset.view_restricted',
    subjectType: 'asset',
    subjectId: release.grant.assetId,
    detail: { what: 'rights_release', releaseId: release.id, grantId: release.grantId, kind: release.kind, filename: release.filename },
    ipAddress: options.ipAddress ?? null,
  })
  const expiresInSeconds = Math.min(Math.max(1, options.expiresInSeconds), MAX_RELEASE_URL_TTL_SECONDS)
  const url = await storage.presignDownload(release.storageKey, { filename: release.filename, expiresInSeconds })
  return { url, filename: release.filename, assetId: release.grant.assetId }
}
