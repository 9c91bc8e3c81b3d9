/**
 * Resumable uploads: the tus 1.0 protocol (`@tus/server`) with its S3 store
 * (`@tus/s3-store`), so an upload cut off by a dropped connection carries on from
 * the offset the server reports instead of starting over.
 *
 * Bytes stream through: each PATCH is cut into 8 MiB parts (spooled to a temporary
 * file, then sent as one part of an S3 multipart upload), so memory stays flat
 * whatever the file's size. The object lands where the version will point,
 * `originals/<asset>/<version>` (both ids chosen when the upload is created); the
 * upload's bookkeeping (`.info`, and the `.part` holding a tail shorter than an S3
 * part between requests) lives under `uploads/`.
 *
 * Every request is the upload page's: the `asset:upload` permission, and an upload
 * belongs to the user who created it (anyone else gets 404 for its URL). The first
 * bytes are sniffed as they arrive, so a file of the wrong type is refused before
 * the rest is sent; when the last byte is in, the stored object is read back (hashed,
 * counted and sniffed under the same rules as the upload form) and becomes an asset,
 * a new version, or — a zip archive — one asset per file in it. A refused upload
 * leaves nothing behind. Uploads left unfinished expire after a day.
 */
import { randomUUID } from 'node:crypto'
import { S3Store } from '@tus/s3-store'
import { Server, type Upload } from '@tus/server'
import { z } from 'zod'
import { getClientIp } from '~/request.server'
import { requirePermission, type CurrentUser } from '~/auth.server'
import { getDb, type Db } from '~/db.server'
import { formatSize } from '~/domain/byte-size'
import { getEnv, type Env } from '~/env.server'
import { AppError, isAppError } from '~/errors.server'
import { RESUMABLE_CHUNK_BYTES, RESUMABLE_UPLOAD_PATH, UPLOAD_ERROR_HEADER, type UploadBatchJson } from '~/library/upload-protocol'
import { SNIFF_BYTES, sniffMediaType } from '~/media.server'
import { getStorage, storageKeys, type Storage } from '~/storage.server'
import { receiveZipArchive } from './bulk-import.server'
import { displayFilename, originalTypeRefusal, UploadFieldsSchema, uploadAsset, uploadNewVersion, type StoredAs } from './upload.server'

/** An unfinished upload older than this answers 410 Gone and is cleaned away. */
export const RESUMABLE_UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000

/** How often the web process sweeps expired uploads (also once at start). */
const EXPIRY_SWEEP_INTERVAL_MS = 60 * 60 * 1000

/** S3 parts in flight per process: each is a temporary file being sent, so this bounds disk and sockets. */
const CONCURRENT_PART_UPLOADS = 2

/** Where an upload's bookkeeping lives (never under originals/, which holds only stored versions). */
const BOOKKEEPING_PREFIX = 'uploads/'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
/** An upload's URL id: `<assetId>.<versionId>`. */
const URL_ID = new RegExp(`^(${UUID})\\.(${UUID})$`)
/** An upload's id inside the store: the object key of the original. */
const UPLOAD_KEY = new RegExp(`^originals/(${UUID})/(${UUID})$`)

// ───────────────────────────── the store

/**
 * The S3 store with the upload's bookkeeping moved out of originals/ and a way to
 * forget an upload whatever state it is in.
 */
class OriginalsUploadStore extends S3Store {
  protected override infoKey(id: string): string {
    return `${BOOKKEEPING_PREFIX}${id}.info`
  }

  protected override partKey(id: string, isIncomplete = false): string {
    return isIncomplete ? `${BOOKKEEPING_PREFIX}${id}.part` : id
  }

  /** Removes the upload: its multipart upload if unfinished, the object if finished, and its bookkeeping. */
  async discard(id: string): Promise<void> {
    await this.remove(id).catch(() => undefined)
    await this.client.deleteObjects({
      Bucket: this.bucket,
      Delete: { Objects: [{ Key: id }, { Key: this.infoKey(id) }, { Key: this.partKey(id, true) }], Quiet: true },
    })
    await this.clearCache(id)
  }

  /** Removes a finished upload's bookkeeping; the object stays (a version now points at it). */
  async forgetBookkeeping(id: string): Promise<void> {
    await this.client.deleteObjects({
      Bucket: this.bucket,
      Delete: { Objects: [{ Key: this.infoKey(id) }, { Key: this.partKey(id, true) }], Quiet: true },
    })
    await this.clearCache(id)
  }
}

// ───────────────────────────── metadata

/** tus metadata values may be null (a key without a value): the same as absent. */
const present = (metadata: Record<string, string | null> | undefined) =>
  Object.fromEntries(Object.entries(metadata ?? {}).filter((entry): entry is [string, string] => entry[1] !== null))

export const ResumableUploadMetadataSchema = UploadFieldsSchema.extend({
  filename: z
    .string({ error: 'Name the file: the upload metadata needs its filename.' })
    .trim()
    .min(1, 'Name the file: the upload metadata needs its filename.')
    .max(1000, 'Keep the filename under 1,000 characters'),
  /** The type the browser declared; recorded in the audit event only. */
  filetype: z.string().max(255).optional(),
  /** Upload a new version of this asset instead of a new asset. */
  assetId: z.string().regex(new RegExp(`^${UUID}$`), 'The asset to upload a new version of does not exist').optional(),
})
export type ResumableUploadMetadata = z.infer<typeof ResumableUploadMetadataSchema>

function parseMetadata(metadata: Record<string, string | null> | undefined): ResumableUploadMetadata {
  const parsed = ResumableUploadMetadataSchema.safeParse(present(metadata))
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues.map((issue) => issue.message).join(' '))
  return parsed.data
}

/** What the store keeps (strings only); tags go back to the comma-separated form the schema reads. */
function storedMetadata(fields: ResumableUploadMetadata, uploader: CurrentUser): Record<string, string> {
  const stored: Record<string, string> = { filename: fields.filename, uploaderId: uploader.id }
  for (const name of ['filetype', 'title', 'description', 'folderPath', 'collectionId', 'assetId'] as const) {
    const value = fields[name]
    if (value) stored[name] = value
  }
  if (fields.tags.length > 0) stored.tags = fields.tags.join(',')
  return stored
}

function storedAsOf(id: string): StoredAs {
  const match = UPLOAD_KEY.exec(id)
  if (!match) throw new Error(`${id} is not a resumable upload's key`)
  return { assetId: match[1]!, versionId: match[2]! }
}

// ───────────────────────────── the server

type RequestContext = { user: CurrentUser; ipAddress: string }

/** The signed-in uploader of each request in flight (the hooks get the request, not our arguments). */
type RequestContexts = WeakMap<Request, RequestContext>

function contextOf(contexts: RequestContexts, request: Request): RequestContext {
  const context = contexts.get(request)
  if (!context) throw new Error('A resumable upload request reached the tus server without passing the route guard')
  return context
}

/** A refusal the tus server sends as it is: status and a message for people. */
function refusal(status: number, message: string): { status_code: number; body: string } {
  return { status_code: status, body: message }
}

/** Kept together per process (and across a dev server's module reloads): the hooks and the route share `contexts`. */
type ResumableUploads = { server: Server; store: OriginalsUploadStore; contexts: RequestContexts; env: Env; db: Db; storage: Storage }

function createResumableUploads(env: Env, db: Db, storage: Storage): ResumableUploads {
  const contexts: RequestContexts = new WeakMap()
  const store = new OriginalsUploadStore({
    partSize: 8 * 1024 * 1024,
    maxConcurrentPartUploads: CONCURRENT_PART_UPLOADS,
    expirationPeriodInMilliseconds: RESUMABLE_UPLOAD_EXPIRY_MS,
    // Expiry is swept by listing multipart uploads; object tags are not needed (and not every S3 has them).
    useTags: false,
    s3ClientConfig: {
      bucket: env.S3_BUCKET,
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      // Parts go up from temporary files; a checksum computed ahead of the body would read each one twice.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    },
  })
  const largestAccepted = Math.max(env.MAX_UPLOAD_BYTES, env.ZIP_MAX_UNCOMPRESSED_BYTES)

  const server = new Server({
    path: RESUMABLE_UPLOAD_PATH,
    datastore: store,
    // A backstop: each upload's own limit is checked when it is created (with a message that says which).
    maxSize: largestAccepted,
    relativeLocation: true,
    disableTerminationForFinishedUploads: true,
    generateUrl: (_request, { path, id }) => {
      const { assetId, versionId } = storedAsOf(id)
      return `${path}/${assetId}.${versionId}`
    },
    getFileIdFromRequest: (_request, lastPath) => {
      const match = lastPath ? URL_ID.exec(lastPath) : null
      return match ? storageKeys.original(match[1]!, match[2]!) : undefined
    },
    // Creation: the metadata is checked and the ids chosen before anything is stored.
    namingFunction: async (request, metadata) => {
      const { user } = contextOf(contexts, request)
      const fields = parseMetadata(metadata ?? undefined)
      const length = Number(request.headers.get('upload-length'))
      await checkCreation({ db, env, user, fields, length })
      return storageKeys.original(fields.assetId ?? randomUUID(), randomUUID())
    },
    onUploadCreate: async (request, upload) => {
      const { user } = contextOf(contexts, request)
      return { metadata: storedMetadata(parseMetadata(upload.metadata), user) }
    },
    onUploadFinish: async (request, upload) => {
      const batch = await finishUpload({ store, db, storage, env, context: contextOf(contexts, request), upload })
      return { status_code: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(batch) }
    },
    onResponseError: (_request, error) => {
      if (isAppError(error)) return refusal(error.status, error.message)
      if ('status_code' in error) return undefined
      console.error('resumable upload failed:', error)
      return refusal(500, 'The upload could not be stored because of a server error. Try again in a moment.')
    },
  })
  return { server, store, contexts, env, db, storage }
}

/**
 * Refuses at creation what would be refused at the end: bad metadata, a declared
 * length over the limit, a collection or asset that does not exist.
 */
async function checkCreation({ db, env, user, fields, length }: { db: Db; env: Env; user: CurrentUser; fields: ResumableUploadMetadata; length: number }): Promise<void> {
  const name = displayFilename(fields.filename)
  // A zip (by name: only a hint, the bytes decide) may be as large as a zip may be.
  const announcesArchive = !fields.assetId && name.toLowerCase().endsWith('.zip')
  const limit = announcesArchive ? Math.max(env.ZIP_MAX_UNCOMPRESSED_BYTES, env.MAX_UPLOAD_BYTES) : env.MAX_UPLOAD_BYTES
  if (Number.isFinite(length) && length > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `${name} is larger than the ${formatSize(limit)} limit${announcesArchive ? ' for a zip archive' : ''}.`)
  }
  if (length === 0) throw new AppError('BAD_REQUEST', `${name} is empty (0 bytes). Choose the file again and re-upload it.`)
  if (fields.collectionId) {
    const collection = await db.collection.findFirst({ where: { id: fields.collectionId, organisationId: user.organisation.id }, select: { id: true } })
    if (!collection) throw new AppError('BAD_REQUEST', 'The chosen collection does not exist (it may have been deleted). Choose another one, or none.')
  }
  if (fields.assetId) {
    const asset = await db.asset.findUnique({ where: { id: fields.assetId }, select: { status: true } })
    if (!asset) throw new AppError('NOT_FOUND', 'The asset to upload a new version of does not exist.')
    if (asset.status === 'archived') throw new AppError('CONFLICT', 'This asset is archived; restore it before uploading a new version.')
  }
}

/**
 * The last byte is in: the object is read back through the upload pipeline and
 * becomes an asset or a version (or, a zip, one asset per file). The answer is the
 * batch JSON the upload page already reads. Refused: nothing stays, and the
 * reason goes back as the error.
 */
async function finishUpload(options: {
  store: OriginalsUploadStore
  db: Db
  storage: Storage
  env: Env
  context: RequestContext
  upload: Upload
}): Promise<UploadBatchJson> {
  const { store, db, storage, env, context, upload } = options
  const fields = parseMetadata(upload.metadata)
  const storedAs = storedAsOf(upload.id)
  const filename = displayFilename(fields.filename)
  const common = { db, storage, uploader: context.user, ipAddress: context.ipAddress, maxBytes: env.MAX_UPLOAD_BYTES }
  try {
    const sniffed = await sniffMediaType(await readHead(storage, upload.id))
    if (sniffed?.mime === 'application/zip' && !fields.assetId) {
      const archive = await storage.getStream(upload.id)
      const outcomes = await receiveZipArchive({
        ...common,
        stream: archive.body,
        archiveName: filename,
        baseFolder: fields.folderPath,
        description: fields.description,
        tags: fields.tags,
        collectionId: fields.collectionId,
      })
      // Its files are stored on their own; the archive itself is not kept.
      await store.discard(upload.id)
      return { outcomes, error: null }
    }

    const original = await storage.getStream(upload.id)
    const file = { stream: original.body, filename, declaredType: fields.filetype ?? null }
    const result = fields.assetId
      ? await uploadNewVersion({ ...common, file, assetId: fields.assetId, storedAs })
      : await uploadAsset({
          ...common,
          file,
          storedAs,
          title: fields.title,
          description: fields.description,
          folderPath: fields.folderPath,
          tags: fields.tags,
          collectionId: fields.collectionId,
        })
    await store.forgetBookkeeping(upload.id)
    return { outcomes: [{ ok: true, filename, assetId: result.assetId, versionId: result.versionId }], error: null }
  } catch (error) {
    await store.discard(upload.id).catch((cleanup: unknown) => console.error(`could not remove refused upload ${upload.id}:`, cleanup))
    throw error
  }
}

/** The first SNIFF_BYTES of a stored object (fewer if it is shorter). */
async function readHead(storage: Storage, key: string): Promise<Buffer> {
  const { body } = await storage.getStream(key, { start: 0, end: SNIFF_BYTES - 1 })
  const chunks: Buffer[] = []
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** This module's instance: a dev server's reload of it makes a new tus server with the new code. */
const MODULE_INSTANCE = Symbol('resumable-upload.server')

const globalForUploads = globalThis as unknown as {
  damsonResumableUploads?: { uploads: ResumableUploads; module: symbol; sweeper: NodeJS.Timeout }
}

/** One tus server per process; the first call also starts the hourly sweep of expired uploads. */
function getResumableUploads(): ResumableUploads {
  const current = globalForUploads.damsonResumableUploads
  if (current?.module === MODULE_INSTANCE) return current.uploads
  if (current) clearInterval(current.sweeper)
  const uploads = createResumableUploads(getEnv(), getDb(), getStorage())
  const sweep = () => deleteExpiredUploads(uploads).catch((error: unknown) => console.error('sweeping expired resumable uploads failed:', error))
  void sweep()
  const sweeper = setInterval(sweep, EXPIRY_SWEEP_INTERVAL_MS).unref()
  globalForUploads.damsonResumableUploads = { uploads, module: MODULE_INSTANCE, sweeper }
  return uploads
}

/** Removes unfinished uploads older than RESUMABLE_UPLOAD_EXPIRY_MS; returns how many objects went. */
export async function deleteExpiredUploads(uploads: Pick<ResumableUploads, 'server'> = getResumableUploads()): Promise<number> {
  return uploads.server.cleanUpExpiredUploads()
}

// ───────────────────────────── the route

function tusRefusal(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Tus-Resumable': '1.0.0',
      [UPLOAD_ERROR_HEADER]: encodeURIComponent(message),
      'Cache-Control': 'no-store',
    },
  })
}

/** The upload page's guard, answering a tus client with 401 where a browser page would be redirected to sign in. */
async function requireUploader(request: Request): Promise<CurrentUser> {
  try {
    return await requirePermission(request, 'asset:upload')
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status >= 300 && thrown.status < 400) throw tusRefusal(401, 'Sign in to upload.')
    throw thrown
  }
}

/** The store key an upload URL names, or null when it names none. */
function uploadKeyOf(request: Request): string | null {
  const last = new URL(request.url).pathname.split('/').pop() ?? ''
  const match = URL_ID.exec(last)
  return match ? storageKeys.original(match[1]!, match[2]!) : null
}

/**
 * Every request to the tus endpoint: the guard, the owner check for an upload's URL,
 * the early sniff of a first PATCH, then the tus server. GET is refused: originals are
 * read only through the authorised download routes.
 */
export async function handleResumableUpload(request: Request): Promise<Response> {
  if (request.method === 'GET') return tusRefusal(405, 'Uploads are not read back here; open the asset to download it.')
  // A refusal is returned, not thrown: Remix answers a HEAD whose loader throws with a 400.
  const user = await requireUploader(request).catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown
    throw thrown
  })
  if (user instanceof Response) return user
  const uploads = getResumableUploads()
  let forwarded = request

  const key = uploadKeyOf(request)
  if (key && request.method !== 'POST' && request.method !== 'OPTIONS') {
    // Another user's upload (or none): the same 404, so its URL reveals nothing.
    const upload = await uploads.store.getUpload(key).catch((error: unknown) => {
      // Gone (finished, expired, cancelled) or never there: 404 below. Anything else is the store's trouble.
      if (typeof error === 'object' && error !== null && 'status_code' in error && error.status_code === 404) return null
      throw error
    })
    if (!upload || upload.metadata?.uploaderId !== user.id) {
      return afterDraining(request.body?.getReader() ?? null, tusRefusal(404, 'This upload does not exist (it may have finished, expired or been cancelled).'))
    }
    if (request.method === 'PATCH' && request.headers.get('upload-offset') === '0' && upload.offset === 0 && request.body) {
      const early = await sniffFirstBytes(request, upload, uploads)
      if (early instanceof Response) return early
      forwarded = early
    }
  }

  uploads.contexts.set(forwarded, { user, ipAddress: getClientIp(request) })
  return uploads.server.handleWeb(forwarded)
}

/**
 * A refusal sent before the request body was read: the rest of the body (at most one
 * chunk the client sends per request) is read and dropped first, because an HTTP client
 * still sending often misses an answer that arrives before it has finished — the
 * browser would report a lost connection instead of the reason. A longer body is cut
 * off and the connection closed.
 */
async function afterDraining(reader: ReadableStreamDefaultReader<Uint8Array> | null, response: Response): Promise<Response> {
  if (!reader) return response
  let drained = 0
  try {
    for (;;) {
      const next = await reader.read()
      if (next.done) return response
      drained += next.value.byteLength
      if (drained > RESUMABLE_CHUNK_BYTES) break
    }
  } catch {
    // The client went away: nobody reads the answer anyway.
    return response
  }
  await reader.cancel().catch(() => undefined)
  response.headers.set('Connection', 'close')
  return response
}

/**
 * Reads the first bytes of an upload's first PATCH and refuses a type the end would
 * refuse (removing the upload), or hands on a request whose body is those bytes and
 * the rest, still streaming.
 */
async function sniffFirstBytes(request: Request, upload: Upload, uploads: ResumableUploads): Promise<Request | Response> {
  const reader = request.body!.getReader()
  const head: Uint8Array[] = []
  let headBytes = 0
  let ended = false
  while (headBytes < SNIFF_BYTES) {
    const next = await reader.read()
    if (next.done) {
      ended = true
      break
    }
    head.push(next.value)
    headBytes += next.value.byteLength
  }
  const headBuffer = Buffer.concat(head, headBytes)
  const fields = parseMetadata(upload.metadata)
  const name = displayFilename(fields.filename)
  const sniffed = await sniffMediaType(headBuffer.subarray(0, SNIFF_BYTES))
  const isArchive = sniffed?.mime === 'application/zip' && !fields.assetId
  const typeRefusal = isArchive ? null : originalTypeRefusal(sniffed ?? null, name, headBuffer)
  const sizeRefusal = !isArchive && upload.size !== undefined && upload.size > uploads.env.MAX_UPLOAD_BYTES
  if (typeRefusal !== null || sizeRefusal) {
    await uploads.store.discard(upload.id)
    const refused =
      typeRefusal !== null
        ? tusRefusal(415, `${name} ${typeRefusal}`)
        : tusRefusal(413, `${name} is larger than the ${formatSize(uploads.env.MAX_UPLOAD_BYTES)} limit.`)
    return ended ? refused : afterDraining(reader, refused)
  }

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (headBytes > 0) controller.enqueue(headBuffer)
      if (ended) controller.close()
    },
    async pull(controller) {
      const next = await reader.read()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
  return new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal, duplex: 'half' } as RequestInit)
}
