/**
 * Uploading originals: the bytes stream to S3 (multipart, never held whole in
 * memory) while a sha256 and a byte count are computed on the way through. The
 * media type is sniffed from the first bytes — never taken from the client's
 * Content-Type or the file's name — and anything that is not a supported image is
 * refused before a single byte is stored. Rows and their audit event are written in
 * one transaction only after the object is stored; then the ingest workflow starts.
 */
import { createHash, randomUUID } from 'node:crypto'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type UploadHandler,
} from '@remix-run/node'
import { z } from 'zod'
import { appendAuditEvent } from '~/audit.server'
import type { CurrentUser } from '~/auth.server'
import type { Db, DbOrTx } from '~/db.server'
import { getEnv } from '~/env.server'
import { formatSize } from '~/domain/byte-size'
import { AppError, isAppError } from '~/errors.server'
import { ACCEPTED_TYPES_SENTENCE, assetKindOf, judgeUpload, kindPhrase } from '~/domain/media-kind'
import { looksLikeText, SNIFF_BYTES, sniffMediaType } from '~/media.server'
import { contentCheckFor, type ContentCheck } from '~/media/upload-checks.server'
import { storageKeys, type Storage } from '~/storage.server'
import { signalAwaitingVersions } from '~/metadata/asset-metadata.server'
import { withdrawReview } from '~/review/withdraw-review.server'
import { receiveZipArchive } from './bulk-import.server'
import { startIngest } from './start-ingest.server'

/** What every type refusal ends with: the allow-list in words (app/domain/media-kind.ts). */
export const SUPPORTED_IMAGE_SENTENCE = ACCEPTED_TYPES_SENTENCE

export type UploadSource = {
  /** The file's bytes; consumed exactly once, in order. */
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
  /** The name the client gave; kept for display and downloads, never used to decide the type. */
  filename: string
  /** The Content-Type the client declared; recorded in the audit event only. */
  declaredType?: string | null
}

type CommonUploadOptions = {
  db: Db
  storage: Storage
  uploader: CurrentUser
  file: UploadSource
  /** Largest accepted size in bytes; defaults to MAX_UPLOAD_BYTES. */
  maxBytes?: number
  ipAddress?: string | null
  /**
   * Set when the bytes are already in storage at `storageKeys.original(assetId, versionId)`
   * (a finished resumable upload): `file.stream` reads them back so they are hashed,
   * counted and sniffed under the same rules, and nothing is written again. On a
   * refusal the object stays where it is; the caller removes it.
   */
  storedAs?: StoredAs
}

/** Where a resumable upload left the original, chosen when the upload was created. */
export type StoredAs = { assetId: string; versionId: string }

export type UploadAssetOptions = CommonUploadOptions & {
  /** Defaults to the filename without its extension. */
  title?: string | null
  description?: string | null
  /** Slash-separated folder, e.g. "campaigns/summer-2027"; normalised to "/campaigns/summer-2027". */
  folderPath?: string | null
  tags?: readonly string[] | null
  /**
   * A collection of the uploader's organisation to add the new asset to. The item is
   * written with the version, before ingest starts, because the review policy may be
   * chosen by collection.
   */
  collectionId?: string | null
}

export type UploadNewVersionOptions = CommonUploadOptions & { assetId: string }

export type UploadResult = { assetId: string; versionId: string; versionNumber: number }

export type UploadNewVersionResult = UploadResult & {
  /** Older versions whose running review was told to withdraw (a newer version replaces them). */
  withdrawnVersionIds: string[]
}

/** A new asset (kind image) owned by the uploader's organisation, with version 1 in processing. */
export async function uploadAsset(options: UploadAssetOptions): Promise<UploadResult> {
  const { uploader, file } = options
  const assetId = options.storedAs?.assetId ?? randomUUID()
  const title = normaliseTitle(options.title) ?? titleFromFilename(file.filename)
  const description = withoutNul(options.description ?? '').trim()
  const folderPath = normaliseFolderPath(options.folderPath)
  const tags = normaliseTags(options.tags ?? [])
  const collectionId = options.collectionId || null
  // Checked before a byte is read, so a stale form is refused at once; again in the transaction.
  if (collectionId) await requireUploadCollection(options.db, uploader, collectionId)

  const recorded = await storeThenRecord(options, assetId, async (tx, stored) => {
    await tx.asset.create({
      data: {
        id: assetId,
        title,
        description,
        folderPath,
        kind: assetKindOf(stored.mediaType, file.filename),
        tags,
        ownerOrganisationId: uploader.organisation.id,
        createdById: uploader.id,
      },
    })
    if (collectionId) {
      await requireUploadCollection(tx, uploader, collectionId)
      const last = await tx.collectionItem.findFirst({
        where: { collectionId },
        orderBy: { position: 'desc' },
        select: { position: true },
      })
      await tx.collectionItem.create({ data: { collectionId, assetId, position: (last?.position ?? -1) + 1 } })
    }
    const detail: Record<string, string> = { title, folderPath }
    if (collectionId) detail.collectionId = collectionId
    return { number: 1, detail }
  })
  return { assetId: recorded.assetId, versionId: recorded.versionId, versionNumber: recorded.versionNumber }
}

/**
 * The collections an upload may go into: those of the uploader's organisation
 * (partners' own collections are theirs, and unapproved work never goes there).
 */
async function requireUploadCollection(db: DbOrTx, uploader: CurrentUser, collectionId: string): Promise<void> {
  const collection = await db.collection.findFirst({
    where: { id: collectionId, organisationId: uploader.organisation.id },
    select: { id: true },
  })
  if (!collection) {
    throw new AppError('BAD_REQUEST', 'The chosen collection does not exist (it may have been deleted). Choose another one, or none.')
  }
}

/**
 * A new version (number n + 1, processing) of an existing image asset. The current
 * approved version stays live for partners while the new one is processed and
 * reviewed. Older versions still in review (or processing) are obsolete once a
 * newer one is stored: their reviews are withdrawn.
 */
export async function uploadNewVersion(options: UploadNewVersionOptions): Promise<UploadNewVersionResult> {
  const asset = await options.db.asset.findUnique({
    where: { id: options.assetId },
    select: { id: true, kind: true, status: true },
  })
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  if (options.storedAs && options.storedAs.assetId !== asset.id) throw new Error('storedAs names another asset than the new version is for')
  if (asset.status === 'archived') throw new AppError('CONFLICT', 'This asset is archived; restore it before uploading a new version.')

  const { processingStarted, ...result } = await storeThenRecord(options, asset.id, async (tx, stored) => {
    // A version replaces the file people use, so it must be the same kind (a video stays a video).
    const kind = assetKindOf(stored.mediaType, options.file.filename)
    if (kind !== asset.kind) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${displayFilename(options.file.filename)} is ${kindPhrase(kind)}, but this asset is ${kindPhrase(asset.kind)}: a new version must be ${kindPhrase(asset.kind)} too.`)
    }
    // Lock the asset row so two concurrent uploads cannot take the same number.
    await tx.$executeRaw`SELECT 1 FROM "Asset" WHERE "id" = ${asset.id} FOR UPDATE`
    const latest = await tx.assetVersion.findFirst({
      where: { assetId: asset.id },
      orderBy: { number: 'desc' },
      select: { number: true },
    })
    await tx.asset.update({ where: { id: asset.id }, data: { updatedAt: new Date() } })
    return { number: (latest?.number ?? 0) + 1, detail: {} }
  })

  // A new version that could not even start processing replaces nothing yet.
  const withdrawnVersionIds = processingStarted ? await withdrawOlderReviews(options, result) : []
  return { ...result, withdrawnVersionIds }
}

/**
 * Tells the reviews of older versions still in review or processing to withdraw.
 * The new version is stored either way: a failure here is logged, not thrown (the
 * uploader's upload did succeed), and the review can still be withdrawn by hand.
 */
async function withdrawOlderReviews(options: UploadNewVersionOptions, created: UploadResult): Promise<string[]> {
  const older = await options.db.assetVersion.findMany({
    where: { assetId: created.assetId, number: { lt: created.versionNumber }, status: { in: ['processing', 'in_review'] } },
    orderBy: { number: 'asc' },
    select: { id: true, number: true },
  })
  const withdrawn: string[] = []
  for (const version of older) {
    try {
      const { signalled } = await withdrawReview({
        versionId: version.id,
        actorId: options.uploader.id,
        reason: `Version ${created.versionNumber} was uploaded, so version ${version.number} no longer needs review.`,
      })
      if (signalled) withdrawn.push(version.id)
    } catch (error) {
      console.error(`Could not withdraw the review of version ${version.id} after version ${created.versionId} was uploaded`, error)
    }
  }
  // An older version held for metadata has no review to withdraw: its ingest re-checks, finds
  // the newer version and closes as superseded (it would otherwise wait for its daily re-check).
  await signalAwaitingVersions({ db: options.db, assetIds: [created.assetId] }).catch((error: unknown) => {
    console.error(`Could not tell the versions of asset ${created.assetId} awaiting metadata that version ${created.versionNumber} arrived`, error)
  })
  return withdrawn
}

// ───────────────────────────── the upload form (multipart, streamed)

/** The form's text fields; they come before the file inputs in the form, so they arrive first. */
export const UploadFieldsSchema = z.object({
  title: z.string().trim().max(300, 'Keep the title under 300 characters').optional(),
  description: z.string().trim().max(5000, 'Keep the description under 5,000 characters').optional(),
  folderPath: z.string().trim().max(500, 'Keep the folder path under 500 characters').optional(),
  tags: z
    .string()
    .max(3000, 'Too many tags')
    .optional()
    .transform((value) => (value ?? '').split(',').map((tag) => tag.trim()).filter(Boolean)),
  /** Empty means "no collection" (the select's first option). */
  collectionId: z
    .string()
    .trim()
    .max(64, 'The chosen collection does not exist')
    .optional()
    .transform((value) => value || undefined),
})

export type UploadOutcome =
  | { ok: true; filename: string; title: string; assetId: string; versionId: string }
  | { ok: false; filename: string; status: number; message: string }

export type ReceiveUploadsResult = {
  outcomes: UploadOutcome[]
  /** Set when the request as a whole was refused (too large, malformed); earlier files still count. */
  error: { status: number; message: string } | null
}

/** Text fields are tiny; anything bigger than this in a text part is refused. */
const MAX_TEXT_PART_BYTES = 64 * 1024

/** "Title" for the first file of a form, "Title (2)", "Title (3)" … for the next ones. */
export function numberedTitle(title: string | undefined, index: number): string | undefined {
  if (!title) return undefined
  return index === 0 ? title : `${title} (${index + 1})`
}

/**
 * Reads a multipart upload form as it arrives: text fields into memory (small),
 * each file part streamed straight into `uploadAsset` — nothing is buffered whole.
 * Each file becomes its own asset; a file refused for its content (wrong type,
 * empty) is reported and skipped, and the next file still uploads. A file over the
 * size limit stops the request.
 *
 * A part whose bytes are a zip archive (whatever its name) is expanded instead:
 * each file in it becomes an asset in the form's folder plus its folders in the
 * archive, titled by its own name, with its own outcome (`filename` is its path in
 * the archive). An archive refused as a whole (unsafe, a zip bomb, over a limit)
 * gives one refused outcome under the archive's name and stores nothing.
 */
export async function receiveUploads(options: {
  request: Request
  db: Db
  storage: Storage
  uploader: CurrentUser
  ipAddress?: string | null
  maxBytes?: number
}): Promise<ReceiveUploadsResult> {
  const { request, db, storage, uploader } = options
  const outcomes: UploadOutcome[] = []
  const fields = new Map<string, string>()
  const textHandler = createMemoryUploadHandler({ maxPartSize: MAX_TEXT_PART_BYTES })
  let fileParts = 0
  /** Files uploaded as themselves (not from an archive): they number the form's title. */
  let singleFiles = 0

  const handler: UploadHandler = async (part) => {
    if (part.filename === undefined) {
      const value = await textHandler(part)
      if (typeof value === 'string') fields.set(part.name, value)
      return value
    }
    if (part.name !== 'file' || part.filename === '') {
      // An unexpected file field, or the empty part a browser sends when no file was chosen.
      await drain(part.data)
      return undefined
    }
    const parsed = UploadFieldsSchema.safeParse(Object.fromEntries(fields))
    if (!parsed.success) {
      throw new AppError('BAD_REQUEST', parsed.error.issues.map((issue) => issue.message).join(' '))
    }
    const filename = displayFilename(part.filename)
    // Once per request: a missing collection refuses the whole form, not each file in turn.
    if (fileParts++ === 0 && parsed.data.collectionId) await requireUploadCollection(db, uploader, parsed.data.collectionId)
    const { head, stream } = await peek(part.data, SNIFF_BYTES)
    if ((await sniffMediaType(head))?.mime === 'application/zip') {
      // Spooling the archive reads the part to its end; too large stops the request.
      const expanded = await receiveZipArchive({
        db,
        storage,
        uploader,
        stream,
        archiveName: filename,
        baseFolder: parsed.data.folderPath,
        description: parsed.data.description,
        tags: parsed.data.tags,
        collectionId: parsed.data.collectionId,
        maxBytes: options.maxBytes,
        ipAddress: options.ipAddress,
      })
      outcomes.push(...expanded)
      return undefined
    }
    const index = singleFiles++
    try {
      const result = await uploadAsset({
        db,
        storage,
        uploader,
        file: { stream, filename, declaredType: part.contentType },
        title: numberedTitle(parsed.data.title, index),
        description: parsed.data.description,
        folderPath: parsed.data.folderPath,
        tags: parsed.data.tags,
        collectionId: parsed.data.collectionId,
        maxBytes: options.maxBytes,
        ipAddress: options.ipAddress,
      })
      const title = numberedTitle(parsed.data.title, index) ?? titleFromFilename(filename)
      outcomes.push({ ok: true, filename, title, assetId: result.assetId, versionId: result.versionId })
    } catch (error) {
      // Too large: stop reading (the rest may be huge). Content problems: skip this file only.
      if (!isAppError(error) || error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'UNAVAILABLE') throw error
      outcomes.push({ ok: false, filename, status: error.status, message: error.message })
      await drain(part.data)
    }
    return undefined
  }

  try {
    await parseMultipartFormData(request, handler)
  } catch (error) {
    return { outcomes, error: formError(error) }
  }
  if (outcomes.length === 0) return { outcomes, error: { status: 400, message: 'Choose at least one file to upload.' } }
  return { outcomes, error: null }
}

/** A refused form as status and message; anything else (a bug) is rethrown. */
function formError(error: unknown): { status: number; message: string } {
  if (isAppError(error)) return { status: error.status, message: error.message }
  if (error instanceof Error && error.name === 'MaxPartSizeExceededError') {
    return { status: 413, message: 'A text field in the form is too long.' }
  }
  if (error instanceof TypeError || (error instanceof Error && /malformed multipart/i.test(error.message))) {
    return { status: 400, message: 'The upload form could not be read. Send it as multipart/form-data.' }
  }
  throw error
}

export type NewVersionReceipt =
  | ({ ok: true; filename: string } & UploadNewVersionResult)
  | { ok: false; filename: string | null; status: number; message: string }

/**
 * Reads the new-version form (one file field, `file`) as it arrives and streams the
 * file into `uploadNewVersion`. Every refusal — too large, not an image, empty, no
 * file, an unreadable form — comes back as status and message, with nothing stored.
 */
export async function receiveNewVersion(options: {
  request: Request
  db: Db
  storage: Storage
  uploader: CurrentUser
  assetId: string
  ipAddress?: string | null
  maxBytes?: number
}): Promise<NewVersionReceipt> {
  const { request, db, storage, uploader, assetId } = options
  // Written by the part handler (a closure), read after the parser is done.
  const received: { receipt: NewVersionReceipt | null } = { receipt: null }
  const textHandler = createMemoryUploadHandler({ maxPartSize: MAX_TEXT_PART_BYTES })

  const handler: UploadHandler = async (part) => {
    if (part.filename === undefined) return textHandler(part)
    if (part.name !== 'file' || part.filename === '' || received.receipt !== null) {
      // Another file field, the empty part of an unchosen input, or a second file: not read.
      await drain(part.data)
      return undefined
    }
    const filename = displayFilename(part.filename)
    try {
      const result = await uploadNewVersion({
        db,
        storage,
        uploader,
        assetId,
        file: { stream: part.data, filename, declaredType: part.contentType },
        maxBytes: options.maxBytes,
        ipAddress: options.ipAddress,
      })
      received.receipt = { ok: true, filename, ...result }
    } catch (error) {
      if (!isAppError(error)) throw error
      received.receipt = { ok: false, filename, status: error.status, message: error.message }
      // Too large: stop reading (the rest may be huge). Otherwise let the parser finish the form.
      if (error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'UNAVAILABLE') throw error
      await drain(part.data)
    }
    return undefined
  }

  try {
    await parseMultipartFormData(request, handler)
  } catch (error) {
    const refused = formError(error)
    return { ok: false, filename: received.receipt?.filename ?? null, ...refused }
  }
  return received.receipt ?? { ok: false, filename: null, status: 400, message: 'Choose an image to upload as the new version.' }
}

/**
 * The first `size` bytes of a stream (fewer if it is shorter), and the whole stream
 * again, those bytes first. Closing the returned stream closes the original.
 */
async function peek(data: AsyncIterable<Uint8Array>, size: number): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const iterator = data[Symbol.asyncIterator]()
  const chunks: Uint8Array[] = []
  let bytes = 0
  while (bytes < size) {
    const next = await iterator.next()
    if (next.done) break
    chunks.push(next.value)
    bytes += next.value.byteLength
  }
  const stream: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const chunk = chunks.shift()
        return chunk ? { done: false, value: chunk } : iterator.next()
      },
      return: async () => {
        chunks.length = 0
        return (await iterator.return?.()) ?? { done: true, value: undefined }
      },
    }),
  }
  return { head: Buffer.concat(chunks, bytes), stream }
}

/** Reads and discards the rest of a part so the parser can move on to the next one. */
async function drain(data: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of data) void chunk
}

// ───────────────────────────── the shared pipeline

type StoredOriginal = { storageKey: string; sha256: string; bytes: number; mediaType: string; extension: string }
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]
type BeforeVersion = (tx: Tx, stored: StoredOriginal) => Promise<{ number: number; detail: Record<string, string> }>
/** `processingStarted` is false when the ingest workflow could not be started (the version is marked failed). */
type Recorded = UploadResult & { processingStarted: boolean }

async function storeThenRecord(options: CommonUploadOptions, assetId: string, beforeVersion: BeforeVersion): Promise<Recorded> {
  const { db, storage, uploader, file } = options
  const versionId = options.storedAs?.versionId ?? randomUUID()
  const storageKey = storageKeys.original(assetId, versionId)
  const stored = await streamOriginal({
    storage,
    storageKey,
    file,
    maxBytes: options.maxBytes ?? getEnv().MAX_UPLOAD_BYTES,
    alreadyStored: options.storedAs !== undefined,
  })

  let versionNumber: number
  try {
    versionNumber = await db.$transaction(async (tx) => {
      const { number, detail } = await beforeVersion(tx, stored)
      await tx.assetVersion.create({
        data: {
          id: versionId,
          assetId,
          number,
          storageKey,
          sha256: stored.sha256,
          bytes: BigInt(stored.bytes),
          mediaType: stored.mediaType,
          originalFilename: displayFilename(file.filename),
          status: 'processing',
          uploadedById: uploader.id,
        },
      })
      await appendAuditEvent(tx, {
        actorId: uploader.id,
        action: 'asset.upload',
        subjectType: 'asset',
        subjectId: assetId,
        detail: {
          ...detail,
          versionId,
          versionNumber: number,
          filename: displayFilename(file.filename),
          declaredType: file.declaredType ?? null,
          mediaType: stored.mediaType,
          bytes: stored.bytes,
          sha256: stored.sha256,
        },
        ipAddress: options.ipAddress ?? null,
      })
      return number
    })
  } catch (error) {
    // No rows: the object must not linger either.
    await storage.delete(storageKey).catch(() => undefined)
    throw error
  }

  let processingStarted = true
  try {
    await startIngest({ versionId, assetId })
  } catch (error) {
    processingStarted = false
    // The original and its rows are safe; say plainly that processing did not start.
    console.error(`Could not start ingest for version ${versionId}`, error)
    await db.$transaction(async (tx) => {
      await tx.assetVersion.update({
        where: { id: versionId },
        data: {
          status: 'failed',
          failureReason: 'Processing could not be started (the workflow service did not answer). Upload the file again in a moment.',
        },
      })
      await appendAuditEvent(tx, {
        actorId: uploader.id,
        action: 'version.processing_failed',
        subjectType: 'asset',
        subjectId: assetId,
        detail: { versionId, reason: 'ingest workflow could not be started' },
      })
    })
  }

  return { assetId, versionId, versionNumber, processingStarted }
}

type StreamOriginalOptions = {
  storage: Storage
  storageKey: string
  file: UploadSource
  maxBytes: number
  /** The bytes are already at `storageKey` (see `storedAs`): read and checked, not written. */
  alreadyStored?: boolean
}

/**
 * An original: any image the pipeline can process, at most `maxBytes`. Exported for
 * tests and for the new-version path's reuse.
 */
export async function streamOriginal({ storage, storageKey, file, maxBytes, alreadyStored }: StreamOriginalOptions): Promise<StoredOriginal> {
  const name = displayFilename(file.filename)
  return streamSniffedUpload({
    storage,
    storageKey,
    file,
    maxBytes,
    alreadyStored,
    name,
    refuseType: (sniffed, head) => originalTypeRefusal(sniffed, name, head),
    inspectContent: (sniffed) => contentCheckFor(sniffed, name, { maxPixels: getEnv().MAX_IMAGE_PIXELS }),
    tooLarge: () => tooLarge(name, maxBytes),
  })
}

/**
 * Why an original of the sniffed type is refused (words following its name), or null
 * to take it. The resumable upload route asks this of the first bytes, to refuse
 * before the rest is sent.
 */
export function originalTypeRefusal(sniffed: { mime: string; ext: string } | null, filename = '', head?: Uint8Array): string | null {
  // The bytes decide the type (app/domain/media-kind.ts); the name only must not contradict them.
  const verdict = judgeUpload(sniffed?.mime ?? null, filename, head ? looksLikeText(head) : false)
  return verdict.ok ? null : verdict.reason
}

export type SniffedUploadOptions = {
  storage: Storage
  storageKey: string
  file: UploadSource
  maxBytes: number
  /** The file's name as people see it, for messages. */
  name: string
  /** Why the sniffed type is refused (words following the name), or null to take it. */
  refuseType: (sniffed: { mime: string; ext: string } | null, head: Uint8Array) => string | null
  /** A check of the whole content as it streams (an SVG's markup, an image's pixels), chosen by the sniffed type; it throws to refuse. */
  inspectContent?: (sniffed: { mime: string; ext: string }) => ContentCheck | null
  tooLarge: () => AppError
  /** The bytes are already at `storageKey`: they are read through the same checks and nothing is written. */
  alreadyStored?: boolean
}

/**
 * Peeks the first bytes to sniff the type, then streams head + rest to S3 while
 * hashing and counting. Going over `maxBytes` aborts the upload and removes any
 * partial object; an empty file or a refused type stores nothing.
 */
export async function streamSniffedUpload({ storage, storageKey, file, maxBytes, name, refuseType, tooLarge, alreadyStored = false, inspectContent }: SniffedUploadOptions): Promise<StoredOriginal> {
  const iterator = toAsyncIterable(file.stream)[Symbol.asyncIterator]()

  // 1. Peek: gather at least SNIFF_BYTES (or the whole file, if smaller).
  const head: Uint8Array[] = []
  let headBytes = 0
  let ended = false
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next()
    if (next.done) {
      ended = true
      break
    }
    if (next.value.byteLength === 0) continue
    head.push(next.value)
    headBytes += next.value.byteLength
    if (headBytes > maxBytes) {
      await closeQuietly(iterator)
      throw tooLarge()
    }
  }
  if (headBytes === 0) {
    await closeQuietly(iterator)
    throw new AppError('BAD_REQUEST', `${name} is empty (0 bytes). Choose the file again and re-upload it.`)
  }

  // 2. Sniff: the bytes decide, not the name or the declared type.
  const headBuffer = Buffer.concat(head, headBytes)
  const sniffed = await sniffMediaType(headBuffer.subarray(0, SNIFF_BYTES))
  const refusal = refuseType(sniffed ?? null, headBuffer)
  if (refusal !== null || !sniffed) {
    await closeQuietly(iterator)
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${name} ${refusal ?? 'is not a file type Damson recognises.'}`)
  }

  // 3. Stream head + rest through the hash and the counter into S3.
  const hash = createHash('sha256')
  let bytes = 0
  let limitError: AppError | undefined
  const inspector = inspectContent?.(sniffed) ?? null
  let contentError: unknown
  const inspect = async (step: () => void | Promise<void>) => {
    try {
      await step()
    } catch (error) {
      contentError = error
      throw error
    }
  }
  async function* metered(): AsyncGenerator<Uint8Array> {
    const feed = async function (chunk: Uint8Array): Promise<Uint8Array> {
      bytes += chunk.byteLength
      if (bytes > maxBytes) {
        limitError = tooLarge()
        throw limitError
      }
      hash.update(chunk)
      if (inspector) await inspect(() => inspector.write(chunk))
      return chunk
    }
    yield await feed(headBuffer)
    for (;;) {
      const next = ended ? { done: true as const } : await iterator.next()
      if (next.done) {
        if (inspector) await inspect(() => inspector.end())
        return
      }
      if (next.value.byteLength > 0) yield await feed(next.value)
    }
  }

  const body = Readable.from(metered(), { objectMode: false })
  try {
    if (alreadyStored) {
      for await (const chunk of body) void chunk
    } else {
      await storage.putStream(storageKey, body, sniffed.mime)
    }
  } catch (error) {
    body.destroy()
    await closeQuietly(iterator)
    await inspector?.abort?.()
    // lib-storage aborts the multipart upload (leavePartsOnError: false); a single-part
    // PUT may still have landed, so remove whatever is there. An object that was already
    // stored is the caller's to keep or remove.
    if (!alreadyStored) await storage.delete(storageKey).catch(() => undefined)
    if (limitError) throw limitError
    if (contentError) throw contentError
    if (isAppError(error)) throw error
    console.error(`upload of ${name} to ${storageKey} failed:`, error)
    throw new AppError('UNAVAILABLE', `${name} could not be stored because file storage is unavailable. Try again in a moment.`)
  }

  return { storageKey, sha256: hash.digest('hex'), bytes, mediaType: sniffed.mime, extension: sniffed.ext }
}

// ───────────────────────────── helpers

function toAsyncIterable(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in stream) return stream as AsyncIterable<Uint8Array>
  const reader = (stream as ReadableStream<Uint8Array>).getReader()
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const { done, value } = await reader.read()
        return done ? { done: true, value: undefined } : { done: false, value }
      },
      return: async () => {
        await reader.cancel().catch(() => undefined)
        return { done: true, value: undefined }
      },
    }),
  }
}

async function closeQuietly(iterator: AsyncIterator<Uint8Array>): Promise<void> {
  await iterator.return?.().catch(() => undefined)
}

function tooLarge(name: string, maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `${name} is larger than the ${formatSize(maxBytes)} limit.`)
}

/** The client's name for the file, reduced to its last path segment and made printable. */
export function displayFilename(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f]+/g, '').trim().slice(0, 255)
  return clean || 'upload'
}

/** "Summer launch hero.final.jpg" → "Summer launch hero.final". */
export function titleFromFilename(filename: string): string {
  const base = displayFilename(filename)
  const ext = path.extname(base)
  const stem = ext && ext.length < base.length ? base.slice(0, -ext.length) : base
  return stem.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim() || base
}

/** NUL cannot be stored in PostgreSQL text; it is never meant, so it is dropped. */
function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '')
}

function normaliseTitle(title: string | null | undefined): string | null {
  const trimmed = withoutNul(title ?? '').replace(/\s+/g, ' ').trim()
  return trimmed ? trimmed.slice(0, 300) : null
}

/** "campaigns//summer 2027/" → "/campaigns/summer 2027"; "." and ".." segments are dropped. */
export function normaliseFolderPath(folderPath: string | null | undefined): string {
  const segments = (folderPath ?? '')
    .split(/[/\\]+/)
    .map((segment) => withoutNul(segment).replace(/\s+/g, ' ').trim())
    .filter((segment) => segment && segment !== '.' && segment !== '..')
  return `/${segments.join('/')}`
}

/** Trimmed, case-insensitively de-duplicated, at most 50 tags of 60 characters. */
export function normaliseTags(tags: readonly string[]): string[] {
  const seen = new Map<string, string>()
  for (const raw of tags) {
    const tag = withoutNul(raw).replace(/\s+/g, ' ').trim().slice(0, 60)
    if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag)
  }
  return [...seen.values()].slice(0, 50)
}
