/**
 * A webhook receiver on loopback, as a channel's CMS would run it: checks the
 * signature, parses the manifest, fetches the file from the manifest's short-lived
 * URL and checks its sha256, and keeps one copy per asset (a publication replaces the
 * asset's copy, a takedown removes it). Counts deliveries it received more than once
 * (same delivery id), so tests and the benchmark can see duplicates.
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WebhookManifestSchema, type WebhookManifest } from '~/distribution/webhook-signature'

export type ReceivedDelivery = { manifest: WebhookManifest; receivedAt: number; fetched: { bytes: number; sha256: string } | null }

export type WebhookReceiver = {
  url: string
  /** Every accepted request, in order. */
  received: ReceivedDelivery[]
  /** What the receiver holds per asset id: the last published file. */
  holdings: Map<string, { versionId: string; sha256: string; deliveryId: string }>
  /** Requests refused for a bad signature, with the reason. */
  refused: string[]
  /** Accepted requests whose delivery id had been accepted before. */
  duplicates: () => number
  /** Answer 500 to everything while true (a destination that fails). */
  failing: boolean
  close(): Promise<void>
}

export async function startWebhookReceiver({ secret }: { secret: string }): Promise<WebhookReceiver> {
  const seen = new Set<string>()
  let duplicates = 0
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    holdings: new Map(),
    refused: [],
    duplicates: () => duplicates,
    failing: false,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      void (async () => {
        if (receiver.failing) {
          response.writeHead(500, { 'content-type': 'text/plain' }).end('Receiver is down for maintenance')
          return
        }
        const body = Buffer.concat(chunks).toString('utf8')
        const check = verifyWebhookSignature({ secret, body, header: request.headers[WEBHOOK_SIGNATURE_HEADER] })
        if (!check.valid) {
          receiver.refused.push(check.reason)
          response.writeHead(401, { 'content-type': 'text/plain' }).end(check.reason)
          return
        }
        const manifest = WebhookManifestSchema.parse(JSON.parse(body))
        let fetched: ReceivedDelivery['fetched'] = null
        if (manifest.file) {
          const download = await fetch(manifest.file.url)
          if (!download.ok) {
            response.writeHead(502, { 'content-type': 'text/plain' }).end(`Could not fetch the file: ${download.status}`)
            return
          }
          const bytes = Buffer.from(await download.arrayBuffer())
          fetched = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
          if (fetched.sha256 !== manifest.file.sha256) {
            response.writeHead(422, { 'content-type': 'text/plain' }).end('The file does not match its sha256')
            return
          }
        }
        if (seen.has(manifest.deliveryId)) duplicates++
        seen.add(manifest.deliveryId)
        receiver.received.push({ manifest, receivedAt: Date.now(), fetched })
        if (manifest.event === 'asset.published' && fetched) {
          receiver.holdings.set(manifest.asset.id, { versionId: manifest.asset.versionId, sha256: fetched.sha256, deliveryId: manifest.deliveryId })
        } else if (manifest.event === 'asset.taken_down') {
          receiver.holdings.delete(manifest.asset.id)
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reference: `cms-${manifest.asset.id}` }))
      })().catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The webhook receiver has no TCP address')
  receiver.url = `http://127.0.0.1:${address.port}/hooks/damson`
  return receiver
}
