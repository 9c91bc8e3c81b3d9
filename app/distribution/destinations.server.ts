/**
 * The three ways a channel delivers a file: into an S3 bucket with the channel's own
 * keys, as a signed webhook manifest with a short-lived download link, or into a folder
 * on this server. One interface, so the distribution activities do not care which.
 *
 * Every call is idempotent: the distribution workflow retries with backoff, and a
 * retried or duplicated delivery must leave exactly one copy. S3 and folder deliveries
 * write the file under its final name (an overwrite when it is already there) and then
 * remove everything else in the asset's place, which replaces the previous version and
 * cleans up after a crash. Webhook receivers get the same delivery id on every retry.
 *
 * Failures at the destination throw DestinationError, whose message is for the people
 * who look after the channel. Failures reading our own storage are not the
 * destination's fault and are thrown as they are.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readdir, realpath, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DeleteObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { z } from 'zod'
import type { ChannelDestination, ChannelSecrets, FolderDestination, S3Destination, WebhookDestination } from '~/domain/channel-destination'
import { getEnv } from '~/env.server'
import type { Storage } from '~/storage.server'
import {
  signWebhookBody,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookManifest,
} from './webhook-signature'

export type DeliveryFile = {
  /** Key in our own bucket (Storage). */
  storageKey: string
  filename: string
  mediaType: string
  bytes: number
  sha256: string
}

export type DestinationChannel = { id: string; name: string; destination: ChannelDestination; secrets: ChannelSecrets }

export type PublishToDestination = {
  channel: DestinationChannel
  asset: { id: string; title: string; versionId: string; versionNumber: number }
  file: DeliveryFile
  rights: { summary: string; usableUntil: string | null }
  /** The external reference of what is there now (to replace), or null. */
  previousRef: string | null
  /** Deterministic per (channel, asset, version, rendition): the same delivery retried carries the same id. */
  deliveryId: string
}

export type TakeDownFromDestination = {
  channel: DestinationChannel
  assetId: string
  externalRef: string | null
  reason: string
  deliveryId: string
}

export type DestinationDeps = {
  storage: Storage
  /** Where folder channels write; defaults to CHANNEL_FOLDER_ROOT. */
  folderRoot?: string
  /** Lifetime of the download link in a webhook manifest; defaults to CHANNEL_DOWNLOAD_URL_TTL_SECONDS. */
  downloadUrlTtlSeconds?: number
  fetch?: typeof fetch
  now?: () => Date
}

/** The destination refused or failed a delivery; the message says what it answered, for people to act on. */
export class DestinationError extends Error {
  readonly destinationKind: ChannelDestination['kind']

  constructor(destinationKind: ChannelDestination['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DestinationError'
    this.destinationKind = destinationKind
  }
}

export function isDestinationError(error: unknown): error is DestinationError {
  return error instanceof DestinationError
}

export async function publishToDestination(input: PublishToDestination, deps: DestinationDeps): Promise<{ externalRef: string }> {
  const { destination } = input.channel
  switch (destination.kind) {
    case 's3':
      return publishToS3(input, destination, deps)
    case 'folder':
      return publishToFolder(input, destination, deps)
    case 'webhook':
      return publishToWebhook(input, destination, deps)
  }
}

export async function takeDownFromDestination(input: TakeDownFromDestination, deps: DestinationDeps): Promise<{ removed: number }> {
  const { destination } = input.channel
  switch (destination.kind) {
    case 's3':
      return takeDownFromS3(input, destination)
    case 'folder':
      return takeDownFromFolder(input, destination, deps)
    case 'webhook':
      return takeDownFromWebhook(input, destination, deps)
  }
}

/**
 * What is at the destination for one asset: S3 keys, or folder paths relative to the
 * folder root (the same form as externalRef). Webhooks: null, a receiver cannot be listed.
 * For tests, the dashboard and the benchmark.
 */
export async function listAtDestination(channel: DestinationChannel, assetId: string, deps: DestinationDeps): Promise<string[] | null> {
  const { destination } = channel
  switch (destination.kind) {
    case 's3': {
      const client = s3ClientFor(channel, destination)
      const keys = await listS3Keys(client, destination, assetId)
      return keys.sort()
    }
    case 'folder': {
      const root = folderRootOf(deps)
      const directory = assetDirectoryOf(root, destination, assetId)
      await assertResolvesInsideRoot(root, directory, destination)
      const names = await entriesOf(directory, root)
      return names.map((name) => path.relative(root, path.join(directory, name))).sort()
    }
    case 'webhook':
      return null
  }
}

// ————— shared —————

/** Asset ids and filenames become one path segment (a key part or a file name), never more. */
function assertSingleSegment(kind: ChannelDestination['kind'], what: string, value: string): void {
  if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new DestinationError(kind, `The ${what} "${value}" cannot be used as a name at the destination`)
  }
}

/**
 * Follows our own storage's stream, so a failure reading it mid-delivery is reported as
 * ours and not blamed on the destination (both surface from the same pipeline or upload).
 */
function watchSource(body: Readable): { failure: () => unknown } {
  let failure: unknown
  body.once('error', (error) => {
    failure = error
  })
  return { failure: () => failure }
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 3; current = current.cause, depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code
  }
  return undefined
}

// ————— S3 —————

const MULTIPART_PART_BYTES = 8 * 1024 * 1024

type CachedS3Client = { fingerprint: string; client: S3Client }

/** One client per channel, rebuilt when its endpoint or keys change. */
const s3Clients = new Map<string, CachedS3Client>()

function s3ClientFor(channel: DestinationChannel, destination: S3Destination): S3Client {
  const secretAccessKey = channel.secrets.secretAccessKey
  if (!secretAccessKey) {
    throw new DestinationError('s3', 'The channel has no S3 secret access key: enter it in the channel’s destination settings')
  }
  // A digest, not the secret itself, so the cache key holds nothing worth stealing.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([destination.endpoint, destination.region, destination.forcePathStyle, destination.accessKeyId, secretAccessKey]))
    .digest('hex')
  const cached = s3Clients.get(channel.id)
  if (cached?.fingerprint === fingerprint) return cached.client
  // A delivery still using the old keys may fail when its sockets close; the workflow retries it with the new ones.
  cached?.client.destroy()
  const client = new S3Client({
    endpoint: destination.endpoint,
    region: destination.region,
    forcePathStyle: destination.forcePathStyle,
    credentials: { accessKeyId: destination.accessKeyId, secretAccessKey },
    // The workflow retries with backoff and shows the error meanwhile; piling SDK retries on top only delays that.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000, requestTimeout: 120_000, throwOnRequestTimeout: true },
    // Other S3 implementations than AWS often reject the SDK's newer default checksums; send them only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  s3Clients.set(channel.id, { fingerprint, client })
  return client
}

function s3AssetPrefix(destination: S3Destination, assetId: string): string {
  return `${destination.prefix}${assetId}/`
}

function s3Failure(error: unknown, destination: S3Destination, doing: string): DestinationError {
  const where = `s3://${destination.bucket}/${destination.prefix}`
  if (error instanceof DestinationError) return error
  if (error instanceof S3ServiceException) {
    const detail = `${error.name}: ${error.message}`
    switch (error.name) {
      case 'SignatureDoesNotMatch':
      case 'InvalidAccessKeyId':
        return new DestinationError('s3', `S3 refused the keys: ${detail}`, { cause: error })
      case 'AccessDenied':
        return new DestinationError('s3', `S3 denied access to ${where} for access key ${destination.accessKeyId}: ${detail}`, { cause: error })
      case 'NoSuchBucket':
        return new DestinationError('s3', `S3 at ${destination.endpoint} has no bucket ${destination.bucket}: ${detail}`, { cause: error })
      default:
        return new DestinationError(
          's3',
          `S3 at ${destination.endpoint} failed to ${doing} (HTTP ${error.$metadata.httpStatusCode ?? 'no status'}): ${detail}`,
          { cause: error },
        )
    }
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new DestinationError('s3', `S3 at ${destination.endpoint} did not answer in time while trying to ${doing}`, { cause: error })
  }
  const reason = errorCode(error) ?? (error instanceof Error ? error.message : String(error))
  return new DestinationError('s3', `S3 at ${destination.endpoint} could not be reached to ${doing}: ${reason}`, { cause: error })
}

async function listS3Keys(client: S3Client, destination: S3Destination, assetId: string): Promise<string[]> {
  assertSingleSegment('s3', 'asset id', assetId)
  const keys: string[] = []
  let continuationToken: string | undefined
  try {
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: destination.bucket, Prefix: s3AssetPrefix(destination, assetId), ContinuationToken: continuationToken }),
      )
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key)
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (continuationToken)
  } catch (error) {
    throw s3Failure(error, destination, 'list what is there')
  }
  return keys
}

async function deleteS3Keys(client: S3Client, destination: S3Destination, keys: readonly string[]): Promise<void> {
  // One request per key: an asset's place holds one or two objects, and DeleteObjects
  // needs Content-MD5 handling that not every S3 implementation agrees on.
  for (const key of keys) {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: destination.bucket, Key: key }))
    } catch (error) {
      throw s3Failure(error, destination, `delete ${key}`)
    }
  }
}

async function publishToS3(input: PublishToDestination, destination: S3Destination, deps: DestinationDeps): Promise<{ externalRef: string }> {
  const { asset, file } = input
  assertSingleSegment('s3', 'asset id', asset.id)
  assertSingleSegment('s3', 'file name', file.filename)
  const client = s3ClientFor(input.channel, destination)
  const key = `${s3AssetPrefix(destination, asset.id)}${file.filename}`

  const source = await deps.storage.getStream(file.storageKey)
  const watched = watchSource(source.body)
  const upload = new Upload({
    client,
    params: {
      Bucket: destination.bucket,
      Key: key,
      Body: source.body,
      ContentType: file.mediaType,
      Metadata: { 'damson-version': asset.versionId, 'damson-sha256': file.sha256, 'damson-delivery': input.deliveryId },
    },
    queueSize: 2,
    partSize: MULTIPART_PART_BYTES,
    leavePartsOnError: false,
  })
  try {
    await upload.done()
  } catch (error) {
    source.body.destroy()
    const sourceFailure = watched.failure()
    if (sourceFailure !== undefined) throw sourceFailure
    throw s3Failure(error, destination, `write ${key}`)
  }

  const others = (await listS3Keys(client, destination, asset.id)).filter((existing) => existing !== key)
  await deleteS3Keys(client, destination, others)
  return { externalRef: key }
}

async function takeDownFromS3(input: TakeDownFromDestination, destination: S3Destination): Promise<{ removed: number }> {
  const client = s3ClientFor(input.channel, destination)
  // Everything under the asset's prefix, not only externalRef: a crash may have left a copy we never recorded.
  const keys = await listS3Keys(client, destination, input.assetId)
  await deleteS3Keys(client, destination, keys)
  return { removed: keys.length }
}

// ————— folder —————

const PARTIAL_MARKER = '.partial-'
/** Beside the asset directories of a folder channel; a dot name, so listings of the channel pass it by. */
const STAGING_DIRECTORY = '.damson-staging'

function folderRootOf(deps: DestinationDeps): string {
  return path.resolve(deps.folderRoot ?? getEnv().CHANNEL_FOLDER_ROOT)
}

function isStrictlyInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

/**
 * The asset's directory, refused when it would land outside the root. The destination
 * schema already forbids `..`; this holds even for a destination that skipped it.
 */
function assetDirectoryOf(root: string, destination: FolderDestination, assetId: string): string {
  assertSingleSegment('folder', 'asset id', assetId)
  const directory = path.resolve(root, destination.path, assetId)
  if (!isStrictlyInside(root, directory) || !isStrictlyInside(root, path.resolve(root, destination.path))) {
    throw new DestinationError('folder', `Folder ${destination.path} is outside the channel folder root and is refused`)
  }
  return directory
}

async function realpathOrNull(candidate: string, root: string): Promise<string | null> {
  try {
    return await realpath(candidate)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null
    throw folderFailure(error, root, candidate)
  }
}

/**
 * The same check after symbolic links are followed: the deepest part of the directory
 * that exists already must resolve inside the root. Run before creating anything, since
 * creating through a link would already have written outside.
 */
async function assertResolvesInsideRoot(root: string, directory: string, destination: FolderDestination): Promise<void> {
  const realRoot = await realpathOrNull(root, root)
  // Nothing exists yet: whatever is created below will be plain directories.
  if (realRoot === null) return
  for (let current = directory; ; current = path.dirname(current)) {
    const real = await realpathOrNull(current, root)
    if (real === null) continue
    if (real !== realRoot && !isStrictlyInside(realRoot, real)) {
      throw new DestinationError('folder', `Folder ${destination.path} leads outside the channel folder root (through a link) and is refused`)
    }
    return
  }
}

function folderFailure(error: unknown, root: string, directory: string): DestinationError {
  if (error instanceof DestinationError) return error
  const shown = path.relative(root, directory) || '(the root)'
  const code = errorCode(error)
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DestinationError('folder', `Folder ${shown} is not writable: ${code}`, { cause: error })
    case 'ENOSPC':
    case 'EDQUOT':
      return new DestinationError('folder', `Folder ${shown} has no space left: ${code}`, { cause: error })
    default: {
      const detail = error instanceof Error ? error.message : String(error)
      return new DestinationError('folder', `Folder ${shown} could not be written: ${detail}`, { cause: error })
    }
  }
}

async function entriesOf(directory: string, root: string): Promise<string[]> {
  try {
    return await readdir(directory)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return []
    throw folderFailure(error, root, directory)
  }
}

/** Makes a rename durable: the new directory entry is on disk, not only the file's bytes. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function publishToFolder(input: PublishToDestination, destination: FolderDestination, deps: DestinationDeps): Promise<{ externalRef: string }> {
  const { file } = input
  const root = folderRootOf(deps)
  const directory = assetDirectoryOf(root, destination, input.asset.id)
  assertSingleSegment('folder', 'file name', file.filename)
  const target = path.join(directory, file.filename)

  await assertResolvesInsideRoot(root, directory, destination)
  try {
    await mkdir(directory, { recursive: true })
  } catch (error) {
    throw folderFailure(error, root, directory)
  }

  // Written in the channel folder's staging directory and renamed into place, so readers
  // of the asset's directory only ever see whole files, one per asset.
  const staging = path.join(path.dirname(directory), STAGING_DIRECTORY)
  try {
    await mkdir(staging, { recursive: true })
  } catch (error) {
    throw folderFailure(error, root, staging)
  }
  const partial = path.join(staging, `${input.asset.id}${PARTIAL_MARKER}${randomBytes(6).toString('hex')}`)
  const source = await deps.storage.getStream(file.storageKey)
  const watched = watchSource(source.body)
  const digest = createHash('sha256')
  let written = 0
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      digest.update(chunk)
      written += chunk.length
      callback(null, chunk)
    },
  })
  try {
    await pipeline(source.body, measure, createWriteStream(partial, { flags: 'wx', mode: 0o644, flush: true }))
  } catch (error) {
    await rm(partial, { force: true })
    const sourceFailure = watched.failure()
    if (sourceFailure !== undefined) throw sourceFailure
    throw folderFailure(error, root, directory)
  }

  // What we read must be what was approved and what the manifest would promise; a mismatch never reaches the folder.
  const sha256 = digest.digest('hex')
  if (sha256 !== file.sha256 || written !== file.bytes) {
    await rm(partial, { force: true })
    throw new Error(
      `Stored object ${file.storageKey} is ${written} bytes with sha256 ${sha256}, not the recorded ${file.bytes} bytes with ${file.sha256}; nothing was delivered`,
    )
  }

  try {
    await rename(partial, target)
    await syncDirectory(directory)
    // The previous version goes, and so do this asset's partials left by a crash; only the file just delivered stays.
    for (const name of await entriesOf(directory, root)) {
      if (name !== file.filename) await rm(path.join(directory, name), { recursive: true, force: true })
    }
    for (const name of await entriesOf(staging, root)) {
      if (name.startsWith(`${input.asset.id}${PARTIAL_MARKER}`)) await rm(path.join(staging, name), { force: true })
    }
  } catch (error) {
    await rm(partial, { force: true })
    throw folderFailure(error, root, directory)
  }
  return { externalRef: path.relative(root, target) }
}

async function takeDownFromFolder(input: TakeDownFromDestination, destination: FolderDestination, deps: DestinationDeps): Promise<{ removed: number }> {
  const root = folderRootOf(deps)
  const directory = assetDirectoryOf(root, destination, input.assetId)
  await assertResolvesInsideRoot(root, directory, destination)
  const entries = await entriesOf(directory, root)
  try {
    await rm(directory, { recursive: true, force: true })
  } catch (error) {
    throw folderFailure(error, root, directory)
  }
  return { removed: entries.length }
}

// ————— webhook —————

const WEBHOOK_TIMEOUT_MS = 15_000
/** Enough of an answer for a reference or an error message; the rest is not read. */
const ANSWER_LIMIT_BYTES = 64 * 1024
const SNIPPET_CHARS = 200

const ReceiverAnswerSchema = z.object({ reference: z.string().trim().min(1).max(1000) })

type ReceiverAnswer = { status: number; statusText: string; text: string }

function signingSecretOf(channel: DestinationChannel): string {
  const secret = channel.secrets.signingSecret
  if (!secret) throw new DestinationError('webhook', 'The channel has no webhook signing secret: enter one in the channel’s destination settings')
  return secret
}

/** The URL without its query, which may carry the receiver's own token. */
function shownUrl(destination: WebhookDestination): string {
  const url = new URL(destination.url)
  return `${url.origin}${url.pathname}`
}

async function readAnswerText(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < ANSWER_LIMIT_BYTES) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  if (size >= ANSWER_LIMIT_BYTES) await reader.cancel()
  return new TextDecoder().decode(Buffer.concat(chunks))
}

async function postManifest(destination: WebhookDestination, secret: string, manifest: WebhookManifest, sentAt: Date, deps: DestinationDeps): Promise<ReceiverAnswer> {
  const body = JSON.stringify(manifest)
  const send = deps.fetch ?? fetch
  try {
    const response = await send(destination.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(secret, body, Math.floor(sentAt.getTime() / 1000)),
        [WEBHOOK_DELIVERY_HEADER]: manifest.deliveryId,
        [WEBHOOK_EVENT_HEADER]: manifest.event,
      },
      body,
      // A redirect would resend the signed manifest somewhere the channel does not name.
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
    return { status: response.status, statusText: response.statusText, text: await readAnswerText(response) }
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new DestinationError('webhook', `Webhook ${shownUrl(destination)} did not answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`, { cause: error })
    }
    const reason = errorCode(error) ?? (error instanceof Error ? error.message : String(error))
    throw new DestinationError('webhook', `Webhook ${shownUrl(destination)} could not be reached: ${reason}`, { cause: error })
  }
}

function webhookRefused(answer: ReceiverAnswer): DestinationError {
  const status = `${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`
  const snippet = answer.text.trim().slice(0, SNIPPET_CHARS)
  return new DestinationError('webhook', `Webhook answered ${status}${snippet ? `: ${snippet}` : ''}`)
}

function referenceIn(text: string): string | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // Receivers need not answer JSON; any 2xx is a delivery.
    return null
  }
  const answer = ReceiverAnswerSchema.safeParse(parsed)
  return answer.success ? answer.data.reference : null
}

async function publishToWebhook(input: PublishToDestination, destination: WebhookDestination, deps: DestinationDeps): Promise<{ externalRef: string }> {
  const { channel, asset, file } = input
  const secret = signingSecretOf(channel)
  const sentAt = (deps.now ?? (() => new Date()))()
  const ttlSeconds = deps.downloadUrlTtlSeconds ?? getEnv().CHANNEL_DOWNLOAD_URL_TTL_SECONDS
  const url = await deps.storage.presignDownload(file.storageKey, { filename: file.filename, expiresInSeconds: ttlSeconds })

  const manifest: WebhookManifest = {
    event: 'asset.published',
    deliveryId: input.deliveryId,
    sentAt: sentAt.toISOString(),
    channel: { id: channel.id, name: channel.name },
    asset: { id: asset.id, title: asset.title, versionId: asset.versionId, versionNumber: asset.versionNumber },
    file: {
      url,
      filename: file.filename,
      mediaType: file.mediaType,
      bytes: file.bytes,
      sha256: file.sha256,
      expiresAt: new Date(sentAt.getTime() + ttlSeconds * 1000).toISOString(),
    },
    rights: { summary: input.rights.summary, usableUntil: input.rights.usableUntil },
    replaces: input.previousRef,
    reason: null,
  }
  const answer = await postManifest(destination, secret, manifest, sentAt, deps)
  if (answer.status < 200 || answer.status > 299) throw webhookRefused(answer)
  return { externalRef: referenceIn(answer.text) ?? input.deliveryId }
}

async function takeDownFromWebhook(input: TakeDownFromDestination, destination: WebhookDestination, deps: DestinationDeps): Promise<{ removed: number }> {
  const secret = signingSecretOf(input.channel)
  const sentAt = (deps.now ?? (() => new Date()))()
  const manifest: WebhookManifest = {
    event: 'asset.taken_down',
    deliveryId: input.deliveryId,
    sentAt: sentAt.toISOString(),
    channel: { id: input.channel.id, name: input.channel.name },
    asset: { id: input.assetId, title: null, versionId: null, versionNumber: null },
    file: null,
    rights: null,
    replaces: input.externalRef,
    reason: input.reason,
  }
  const answer = await postManifest(destination, secret, manifest, sentAt, deps)
  // The receiver no longer has it: what a takedown wants, so a retry after a lost answer succeeds.
  if (answer.status === 404 || answer.status === 410) return { removed: 0 }
  if (answer.status < 200 || answer.status > 299) throw webhookRefused(answer)
  return { removed: 1 }
}
