import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signWebhookBody, verifyWebhookSignature, WebhookManifestSchema } from '~/distribution/webhook-signature'

const secret = 'a-signing-secret-of-some-length'
const body = JSON.stringify({ event: 'asset.published', deliveryId: 'd-1' })
const sentAt = 1_800_000_000

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 in the t=…,v1=… form', () => {
    const expected = createHmac('sha256', secret).update(`${sentAt}.${body}`).digest('hex')
    expect(signWebhookBody(secret, body, sentAt)).toBe(`t=${sentAt},v1=${expected}`)
  })

  it('accepts the body it signed, within the tolerance', () => {
    const header = signWebhookBody(secret, body, sentAt)
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt })).toEqual({ valid: true })
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt + 299 })).toEqual({ valid: true })
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt - 10 })).toEqual({ valid: true })
  })

  it('refuses a tampered body', () => {
    const header = signWebhookBody(secret, body, sentAt)
    const result = verifyWebhookSignature({ secret, body: body.replace('d-1', 'd-2'), header, nowSeconds: sentAt })
    expect(result).toEqual({ valid: false, reason: 'The signature does not match the body' })
  })

  it('refuses a signature made with another secret', () => {
    const header = signWebhookBody('another-secret-entirely', body, sentAt)
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt }).valid).toBe(false)
  })

  it('refuses a timestamp moved to make a replay look fresh', () => {
    const header = signWebhookBody(secret, body, sentAt).replace(`t=${sentAt}`, `t=${sentAt + 1000}`)
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt + 1000 })).toEqual({
      valid: false,
      reason: 'The signature does not match the body',
    })
  })

  it('refuses a stale or future timestamp, with its own tolerance too', () => {
    const header = signWebhookBody(secret, body, sentAt)
    const stale = verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt + 301 })
    expect(stale).toEqual({ valid: false, reason: 'The signature timestamp is more than 300 s from now' })
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt - 301 }).valid).toBe(false)
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt + 30, toleranceSeconds: 10 }).valid).toBe(false)
  })

  it('uses the clock when no time is given', () => {
    const now = Math.floor(Date.now() / 1000)
    expect(verifyWebhookSignature({ secret, body, header: signWebhookBody(secret, body, now) })).toEqual({ valid: true })
    expect(verifyWebhookSignature({ secret, body, header: signWebhookBody(secret, body, now - 3600) }).valid).toBe(false)
  })

  it('accepts any of several v1 signatures, for secret rotation', () => {
    const v1 = signWebhookBody(secret, body, sentAt).split(',v1=')[1]
    const other = signWebhookBody('the-previous-secret-value', body, sentAt).split(',v1=')[1]
    const header = `t=${sentAt},v1=${other},v1=${v1}`
    expect(verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt })).toEqual({ valid: true })
  })

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without a timestamp', `v1=${'a'.repeat(64)}`],
    ['without a signature', `t=${sentAt}`],
    ['with a short signature', `t=${sentAt},v1=abc`],
    ['with a non-hex signature', `t=${sentAt},v1=${'z'.repeat(64)}`],
    ['with a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
    ['with two timestamps', `t=${sentAt},t=${sentAt},v1=${'a'.repeat(64)}`],
    ['that is not key=value', 'garbage'],
  ])('refuses a header %s', (_label, header) => {
    const result = verifyWebhookSignature({ secret, body, header, nowSeconds: sentAt })
    expect(result.valid).toBe(false)
  })

  it('refuses a repeated header', () => {
    const header = signWebhookBody(secret, body, sentAt)
    expect(verifyWebhookSignature({ secret, body, header: [header, header], nowSeconds: sentAt })).toEqual({
      valid: false,
      reason: 'The signature header is repeated',
    })
  })
})

describe('webhook manifests', () => {
  const published = {
    event: 'asset.published',
    deliveryId: 'd-1',
    sentAt: '2027-01-01T10:00:00.000Z',
    channel: { id: 'c-1', name: 'Press site' },
    asset: { id: 'a-1', title: 'Harbour sunrise', versionId: 'v-2', versionNumber: 2 },
    file: {
      url: 'http://127.0.0.1:8333/damson/renditions/v-2/web.jpg?X-Amz-Signature=abc',
      filename: 'harbour-sunrise.jpg',
      mediaType: 'image/jpeg',
      bytes: 1234,
      sha256: 'a'.repeat(64),
      expiresAt: '2027-01-01T10:15:00.000Z',
    },
    rights: { summary: 'Web use in Germany', usableUntil: '2027-12-31T22:59:00.000Z' },
    replaces: 'ref-1',
    reason: null,
  }

  it('parses a publication and a takedown', () => {
    expect(WebhookManifestSchema.parse(published)).toEqual(published)
    const takedown = {
      ...published,
      event: 'asset.taken_down',
      asset: { id: 'a-1', title: null, versionId: null, versionNumber: null },
      file: null,
      rights: null,
      reason: 'The rights expired',
    }
    expect(WebhookManifestSchema.parse(takedown)).toEqual(takedown)
  })

  it('refuses a publication without a file', () => {
    expect(WebhookManifestSchema.safeParse({ ...published, file: null }).success).toBe(false)
  })
})
