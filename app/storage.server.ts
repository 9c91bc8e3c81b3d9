/**
 * The S3 bucket behind every original, rendition and release. Objects are never
 * public: reads go through an authorised route that streams them or hands out a
 * presigned URL of at most a minute.
 */
import type { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { getEnv, type Env } from '~/env.server'

export type StorageConfig = {
  endpoint: string
  /** Where browsers reach the same bucket, when that differs (e.g. inside Docker). */
  publicEndpoint?: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  bucket: string
  forcePathStyle: boolean
}

export type StoredObject = { body: Readable; bytes: number | undefined; contentType: string | undefined }

export class Storage {
  readonly client: S3Client
  /** Signs URLs for browsers; the same client unless a public endpoint is configured. */
  private readonly signingClient: S3Client
  readonly bucket: string

  constructor(config: StorageConfig) {
    this.bucket = config.bucket
    const clientFor = (endpoint: string) =>
      new S3Client({
        endpoint,
        region: config.region,
        forcePathStyle: config.forcePathStyle,
        credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      })
    this.client = clientFor(config.endpoint)
    this.signingClient = config.publicEndpoint ? clientFor(config.publicEndpoint) : this.client
  }

  /** Streams a body to S3 in multipart chunks, never holding the whole file in memory. */
  async putStream(key: string, body: Readable | ReadableStream<Uint8Array>, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    })
    await upload.done()
  }

  async putBuffer(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    )
  }

  async getStream(key: string, range?: { start: number; end: number }): Promise<StoredObject> {
    const result = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    )
    if (!result.Body) throw new Error(`S3 returned no body for ${key}`)
    return { body: result.Body as Readable, bytes: result.ContentLength, contentType: result.ContentType }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))
    if (!result.Body) throw new Error(`S3 returned no body for ${key}`)
    return Buffer.from(await result.Body.transformToByteArray())
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))
      return true
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey) return false
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))
  }

  /** A short-lived GET URL that makes the browser save the file under its name. */
  /**
   * A short-lived URL that downloads the object as an attachment. Pass the file's media
   * type: types a browser could run script from (SVG, HTML, XML) are then sent as plain
   * bytes, so even a browser that ignores the attachment header never renders them.
   */
  async presignDownload(key: string, options: { filename: string; expiresInSeconds: number; mediaType?: string }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: contentDisposition('attachment', options.filename),
      ...(options.mediaType && ACTIVE_CONTENT_TYPES.has(options.mediaType) ? { ResponseContentType: 'application/octet-stream' } : {}),
    })
    return getSignedUrl(this.signingClient, command, { expiresIn: options.expiresInSeconds })
  }
}

/** Media types a browser would execute script in if it rendered them. */
const ACTIVE_CONTENT_TYPES: ReadonlySet<string> = new Set(['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/xml'])

/** RFC 6266 Content-Disposition with an ASCII fallback and a UTF-8 filename. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

export const storageKeys = {
  original: (assetId: string, versionId: string) => `originals/${assetId}/${versionId}`,
  rendition: (versionId: string, preset: string, extension: string) => `renditions/${versionId}/${preset}.${extension}`,
  healthProbe: () => `health/probe`,
}

const globalForStorage = globalThis as unknown as { damsonStorage?: Storage }

/** A storage client for the bucket the environment names. */
export function createStorageFromEnv(env: Env = getEnv()): Storage {
  return new Storage({
    endpoint: env.S3_ENDPOINT,
    publicEndpoint: env.S3_PUBLIC_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    bucket: env.S3_BUCKET,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
  })
}

/** One storage client per process. */
export function getStorage(): Storage {
  globalForStorage.damsonStorage ??= createStorageFromEnv()
  return globalForStorage.damsonStorage
}
