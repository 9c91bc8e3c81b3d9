/**
 * What a webhook channel sends and how a receiver knows it came from us. The body is a
 * JSON manifest; the `damson-signature` header is `t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256 of `<t>.<raw body>` under the channel's signing secret. Signing the
 * timestamp with the body lets a receiver refuse replays of an old delivery.
 *
 * No server imports, so receivers (and tests) can use the same verifier and schema.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

export const WEBHOOK_SIGNATURE_HEADER = 'damson-signature'
export const WEBHOOK_DELIVERY_HEADER = 'damson-delivery'
export const WEBHOOK_EVENT_HEADER = 'damson-event'

/** How far a signature's timestamp may be from the receiver's clock, by default. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300

const isoDateTime = z.iso.datetime({ offset: true })

const channelPart = z.object({ id: z.string(), name: z.string() })

const publishedManifest = z.object({
  event: z.literal('asset.published'),
  deliveryId: z.string().min(1),
  sentAt: isoDateTime,
  channel: channelPart,
  asset: z.object({ id: z.string(), title: z.string(), versionId: z.string(), versionNumber: z.number().int() }),
  file: z.object({
    /** A presigned GET URL; fetch it before `expiresAt`. */
    url: z.url(),
    filename: z.string().min(1),
    mediaType: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    expiresAt: isoDateTime,
  }),
  rights: z.object({ summary: z.string(), usableUntil: z.string().nullable() }),
  /** The receiver's reference for what this delivery replaces, if anything was there. */
  replaces: z.string().nullable(),
  reason: z.null(),
})

/**
 * A takedown names only the asset: it is sent when nothing may be live, whatever
 * version was, so title and version are not known (null) and there is no file.
 */
const takenDownManifest = z.object({
  event: z.literal('asset.taken_down'),
  deliveryId: z.string().min(1),
  sentAt: isoDateTime,
  channel: channelPart,
  asset: z.object({ id: z.string(), title: z.null(), versionId: z.null(), versionNumber: z.null() }),
  file: z.null(),
  rights: z.null(),
  /** The receiver's reference for what to remove (as it answered when it was published). */
  replaces: z.string().nullable(),
  /** Why it must go, in words (rights expired, unpublished by a librarian, …). */
  reason: z.string(),
})

export const WebhookManifestSchema = z.discriminatedUnion('event', [publishedManifest, takenDownManifest])
export type WebhookManifest = z.infer<typeof WebhookManifestSchema>
export type WebhookEvent = WebhookManifest['event']

function hmacHex(secret: string, body: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex')
}

/** The `damson-signature` header value for a body sent at `timestampSeconds`. */
export function signWebhookBody(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, body, timestampSeconds)}`
}

export type WebhookSignatureCheck = { valid: true } | { valid: false; reason: string }

export type VerifyWebhookSignatureOptions = {
  secret: string
  /** The raw request body, exactly as received (not re-serialised JSON). */
  body: string
  /** The `damson-signature` header; absent or repeated headers are refused. */
  header: string | readonly string[] | null | undefined
  toleranceSeconds?: number
  /** The receiver's clock; defaults to now. */
  nowSeconds?: number
}

export function verifyWebhookSignature({
  secret,
  body,
  header,
  toleranceSeconds = DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1000),
}: VerifyWebhookSignatureOptions): WebhookSignatureCheck {
  if (header === null || header === undefined || header === '') return { valid: false, reason: 'The signature header is missing' }
  if (typeof header !== 'string') return { valid: false, reason: 'The signature header is repeated' }

  let timestamp: number | undefined
  // Several v1 entries are allowed so a sender can sign with an old and a new secret while they rotate.
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const separator = part.indexOf('=')
    if (separator < 1) return { valid: false, reason: 'The signature header is malformed' }
    const key = part.slice(0, separator).trim()
    const value = part.slice(separator + 1).trim()
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return { valid: false, reason: 'The signature header is malformed' }
      timestamp = Number(value)
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { valid: false, reason: 'The signature header is malformed' }
      signatures.push(value)
    }
    // Unknown keys are ignored: room for later schemes beside v1.
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'The signature header is malformed' }

  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { valid: false, reason: `The signature timestamp is more than ${toleranceSeconds} s from now` }
  }

  const expected = Buffer.from(hmacHex(secret, body, timestamp), 'hex')
  // Both sides are 32 bytes (checked by the pattern above), so timingSafeEqual cannot throw.
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected))
  return matches ? { valid: true } : { valid: false, reason: 'The signature does not match the body' }
}
