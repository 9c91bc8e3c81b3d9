/**
 * Where a channel delivers: an S3 bucket and prefix (any S3 endpoint, its own keys), a
 * webhook (HTTPS POST of a signed JSON manifest), or a folder on the server. The parts
 * that may be shown live in `Channel.destination`; the secrets (S3 secret key, webhook
 * signing secret) only in `Channel.secretsCipher`, encrypted, and are never shown back.
 */
import { z } from 'zod'

const prefix = z
  .string()
  .trim()
  .max(200)
  .regex(/^[A-Za-z0-9!_.*'()\-/]*$/, 'Use letters, digits and - _ . / only')
  .refine((value) => !value.split('/').includes('..'), 'A prefix cannot contain ..')
  // Stored without a leading slash and with a trailing one (or empty), so keys are `${prefix}${name}`.
  .transform((value) => {
    const trimmed = value.replace(/^\/+/, '').replace(/\/+$/, '')
    return trimmed === '' ? '' : `${trimmed}/`
  })

export const S3DestinationSchema = z.object({
  kind: z.literal('s3'),
  endpoint: z.string().trim().url('Enter the S3 endpoint URL'),
  region: z.string().trim().min(1).max(40).default('us-east-1'),
  bucket: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'Enter a valid bucket name'),
  prefix: prefix.default(''),
  accessKeyId: z.string().trim().min(1, 'Enter the access key id').max(128),
  forcePathStyle: z.boolean().default(true),
})

/** Loopback hosts may use plain HTTP (a receiver on the same machine); everything else needs HTTPS. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)
}

export const WebhookDestinationSchema = z.object({
  kind: z.literal('webhook'),
  url: z
    .string()
    .trim()
    .url('Enter the webhook URL')
    .refine((value) => {
      // The url check above reports unparsable text; this one only judges parsable URLs.
      if (!URL.canParse(value)) return true
      const url = new URL(value)
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    }, 'Webhooks must use HTTPS (plain HTTP only to this machine)'),
})

export const FolderDestinationSchema = z.object({
  kind: z.literal('folder'),
  /** A folder under CHANNEL_FOLDER_ROOT, relative to it. */
  path: z
    .string()
    .trim()
    .min(1, 'Enter a folder')
    .max(200)
    .regex(/^[A-Za-z0-9_.\- /]+$/, 'Use letters, digits, spaces and - _ . / only')
    .refine((value) => !value.split('/').some((segment) => segment === '..' || segment === '.'), 'A folder cannot contain . or ..')
    .transform((value) => value.replace(/^\/+/, '').replace(/\/+$/, '')),
})

export const ChannelDestinationSchema = z.discriminatedUnion('kind', [S3DestinationSchema, WebhookDestinationSchema, FolderDestinationSchema])
export type ChannelDestination = z.infer<typeof ChannelDestinationSchema>
export type S3Destination = z.infer<typeof S3DestinationSchema>
export type WebhookDestination = z.infer<typeof WebhookDestinationSchema>
export type FolderDestination = z.infer<typeof FolderDestinationSchema>

/** The secrets of a destination, stored encrypted: S3's secret key, or a webhook's signing secret. */
export const ChannelSecretsSchema = z.object({
  secretAccessKey: z.string().min(1).max(256).optional(),
  signingSecret: z.string().min(16, 'A signing secret has at least 16 characters').max(256).optional(),
})
export type ChannelSecrets = z.infer<typeof ChannelSecretsSchema>

/** "s3://bucket/prefix at https://…", "POST https://…", "folder press/web": for lists and audit. */
export function describeDestination(destination: ChannelDestination): string {
  switch (destination.kind) {
    case 's3':
      return `s3://${destination.bucket}/${destination.prefix} at ${destination.endpoint}`
    case 'webhook':
      return `POST ${destination.url}`
    case 'folder':
      return `folder ${destination.path}`
  }
}
