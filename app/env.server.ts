import path from 'node:path'
import { z } from 'zod'

/**
 * The one environment schema, validated when the web server and the worker start.
 * `npm start` and `npm test` fill these in for the embedded services; any of them
 * set by the user points Damson at an external service instead.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface the web server listens on (server.mjs); npm start uses 127.0.0.1. */
  HOST: z.string().default('0.0.0.0'),
  /** Set when a reverse proxy in front sets X-Forwarded-For/-Host/-Proto (server.mjs). */
  TRUST_PROXY: booleanFlag.default(false),
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL'),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'TEMPORAL_ADDRESS must be host:port'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('damson'),
  TEMPORAL_MEDIA_TASK_QUEUE: z.string().min(1).default('damson-media'),
  TYPESENSE_URL: z.string().url('TYPESENSE_URL must be an http(s) URL'),
  TYPESENSE_API_KEY: z.string().min(1, 'TYPESENSE_API_KEY is required with TYPESENSE_URL'),
  S3_ENDPOINT: z.string().url('S3_ENDPOINT must be an http(s) URL'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1, 'S3_ACCESS_KEY_ID is required'),
  S3_SECRET_ACCESS_KEY: z.string().min(1, 'S3_SECRET_ACCESS_KEY is required'),
  S3_BUCKET: z.string().min(3, 'S3_BUCKET is required'),
  S3_FORCE_PATH_STYLE: booleanFlag.default(true),
  /** Endpoint browsers reach S3 at, for presigned download links (defaults to S3_ENDPOINT). */
  S3_PUBLIC_ENDPOINT: z.string().url('S3_PUBLIC_ENDPOINT must be an http(s) URL').optional(),
  /** Largest upload accepted, in bytes (5 GiB: brand video originals are large; images stay bounded by MAX_IMAGE_PIXELS at ingest). */
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024 * 1024),
  /** Most entries a zip upload may list (files, folders and all); more is refused before anything is stored. */
  ZIP_MAX_ENTRIES: z.coerce.number().int().positive().default(10_000),
  /** Most bytes a zip upload's files may expand to, by their declared sizes; also the largest zip accepted. */
  ZIP_MAX_UNCOMPRESSED_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024 * 1024),
  /** Highest uncompressed:compressed ratio of a zip entry over 1 MiB; above it the archive is refused as a zip bomb. */
  ZIP_MAX_RATIO: z.coerce.number().positive().default(100),
  /** Largest image accepted, in pixels (width × height); guards against decompression bombs. */
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(100_000_000),
  /** Lifetime of presigned download URLs, in seconds (the slice requires at most 60). */
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
  /** Optional comma-separated extra origins allowed to post forms (behind a proxy). */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Where people reach Damson; links in emails start with it. */
  PUBLIC_URL: z.string().url('PUBLIC_URL must be an http(s) URL').default('http://localhost:3000'),
  /** smtp(s)://user:pass@host:port; without it emails stay in the outbox (visible to admins). */
  SMTP_URL: z.preprocess(
    // docker-compose passes an unset variable as "": the same as not set.
    (value) => (value === '' ? undefined : value),
    z.string().regex(/^smtps?:\/\/.+/, 'SMTP_URL must be an smtp:// or smtps:// URL').optional(),
  ),
  EMAIL_FROM: z.string().min(3).default('Damson <no-reply@damson.local>'),
  /** 32 bytes as 64 hex digits: encrypts channel destination secrets at rest. Without it, no channel can hold a secret. */
  DAMSON_SECRETS_KEY: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().regex(/^[0-9a-fA-F]{64}$/, 'DAMSON_SECRETS_KEY must be 64 hex digits (openssl rand -hex 32)').optional(),
  ),
  /** Folder channels write under this directory, never outside it. */
  CHANNEL_FOLDER_ROOT: z.string().min(1).default(path.resolve('.data', 'channels')),
  /** ffmpeg for video and audio previews; `npm start` and `npm test` install a pinned one into .tools. */
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  /** tesseract for OCR of images and scanned PDFs. */
  TESSERACT_PATH: z.string().min(1).default('tesseract'),
  /** tesseract's language data folder; unset uses tesseract's own default. */
  TESSDATA_PREFIX: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  /** Lifetime of the download URL in a webhook manifest, in seconds. */
  CHANNEL_DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(900),
  /** The embedded SeaweedFS's channel bucket and its own keys (npm start / npm test), for the demo channel and tests. */
  LOCAL_CHANNEL_S3_ENDPOINT: z.string().url().optional(),
  LOCAL_CHANNEL_S3_BUCKET: z.string().optional(),
  LOCAL_CHANNEL_S3_ACCESS_KEY_ID: z.string().optional(),
  LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY: z.string().optional(),
})

export type Env = z.infer<typeof EnvSchema>

let cached: Env | undefined

/** Parses process.env once; a bad variable stops start-up naming it and what was expected. */
export function getEnv(): Env {
  if (cached) return cached
  const result = EnvSchema.safeParse(process.env)
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
      .join('\n')
    throw new Error(`Invalid environment:\n${problems}`)
  }
  cached = result.data
  return cached
}
