/**
 * Real deliveries through the three destination drivers: into the test stack's channel
 * bucket with the channel identity's own keys, to a webhook receiver running in this
 * test (which verifies the signature and fetches the presigned file), and into a
 * temporary folder. Each is published, replaced, repeated and taken down, and the
 * destination's refusals come back as DestinationError in words people can act on.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FolderDestinationSchema, S3DestinationSchema, WebhookDestinationSchema } from '~/domain/channel-destination'
import {
  verifyWebhookSignature,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WebhookManifestSchema,
  type WebhookManifest,
} from '~/distribution/webhook-signature'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getStorage, Storage } = await import('~/storage.server')
const { getEnv } = await import('~/env.server')
const { publishToDestination, takeDownFromDestination, listAtDestination, DestinationError } = await import('~/distribution/destinations.server')

type DestinationChannel = import('~/distribution/destinations.server').DestinationChannel
type DeliveryFile = import('~/distribution/destinations.server').DeliveryFile
type PublishToDestination = import('~/distribution/destinations.server').PublishToDestination
type FolderDestination = import('~/domain/channel-destination').FolderDestination

const run = randomUUID().slice(0, 8)
const storage = getStorage()
const env = getEnv()

function sha256(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

type Fixture = { file: DeliveryFile; bytes: Buffer }
let version1: Fixture
let version2: Fixture

async function storeJpeg(name: string, colour: { r: number; g: number; b: number }): Promise<Fixture> {
  const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).jpeg({ quality: 80 }).toBuffer()
  const storageKey = `tests/channel-destinations/${run}/${name}`
  await storage.putBuffer(storageKey, bytes, 'image/jpeg')
  return { bytes, file: { storageKey, filename: name, mediaType: 'image/jpeg', bytes: bytes.length, sha256: sha256(bytes) } }
}

function publication(channel: DestinationChannel, assetId: string, fixture: Fixture, versionNumber: number, previousRef: string | null = null): PublishToDestination {
  return {
    channel,
    asset: { id: assetId, title: 'Harbour sunrise', versionId: `version-${versionNumber}-${run}`, versionNumber },
    file: fixture.file,
    rights: { summary: 'Web use in Germany and Austria until 31 December 2027', usableUntil: '2027-12-31T22:59:00.000Z' },
    previousRef,
    deliveryId: `delivery-${channel.id}-${assetId}-v${versionNumber}`,
  }
}

const folders: string[] = []

beforeAll(async () => {
  version1 = await storeJpeg('harbour-sunrise-v1.jpg', { r: 200, g: 80, b: 40 })
  version2 = await storeJpeg('harbour-sunrise-v2.jpg', { r: 30, g: 90, b: 200 })
})

afterAll(async () => {
  await storage.delete(version1.file.storageKey)
  await storage.delete(version2.file.storageKey)
  for (const folder of folders) await rm(folder, { recursive: true, force: true })
})

describe('S3 destination', () => {
  const endpoint = env.LOCAL_CHANNEL_S3_ENDPOINT
  const bucket = env.LOCAL_CHANNEL_S3_BUCKET
  const accessKeyId = env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID
  const secretAccessKey = env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY
  if (!endpoint || !bucket || !accessKeyId || !secretAccessKey) throw new Error('The test stack sets LOCAL_CHANNEL_S3_*; restart it with the current scripts')

  const prefix = `tests/${run}`
  const destination = S3DestinationSchema.parse({ kind: 's3', endpoint, bucket, prefix, accessKeyId })
  const channel: DestinationChannel = { id: `channel-s3-${run}`, name: 'Press bucket', destination, secrets: { secretAccessKey } }
  /** Reads the channel bucket the way the channel's owner would, with the same keys. */
  const channelBucket = new Storage({ endpoint, region: 'us-east-1', accessKeyId, secretAccessKey, bucket, forcePathStyle: true })
  const assetId = `asset-${run}`

  afterAll(async () => {
    await takeDownFromDestination({ channel, assetId, externalRef: null, reason: 'test clean-up', deliveryId: 'clean-up' }, { storage })
  })

  it('streams the file into the bucket under prefix/asset/filename, with its metadata', async () => {
    const { externalRef } = await publishToDestination(publication(channel, assetId, version1, 1), { storage })

    expect(externalRef).toBe(`${prefix}/${assetId}/harbour-sunrise-v1.jpg`)
    const stored = await channelBucket.getBuffer(externalRef)
    expect(sha256(stored)).toBe(version1.file.sha256)
    expect(stored.equals(version1.bytes)).toBe(true)
    const head = await channelBucket.client.send(new HeadObjectCommand({ Bucket: bucket, Key: externalRef }))
    expect(head.ContentType).toBe('image/jpeg')
    expect(head.Metadata).toMatchObject({
      'damson-version': `version-1-${run}`,
      'damson-sha256': version1.file.sha256,
      'damson-delivery': `delivery-${channel.id}-${assetId}-v1`,
    })
  })

  it('leaves exactly one object when the same delivery is repeated', async () => {
    const input = publication(channel, assetId, version1, 1)
    const first = await publishToDestination(input, { storage })
    const again = await publishToDestination(input, { storage })
    expect(again).toEqual(first)
    expect(await listAtDestination(channel, assetId, { storage })).toEqual([first.externalRef])
  })

  it('replaces the previous version, and a copy a crash left behind, with the new one', async () => {
    await channelBucket.putBuffer(`${prefix}/${assetId}/.left-by-a-crash.jpg`, Buffer.from('stale'), 'image/jpeg')
    const previous = `${prefix}/${assetId}/harbour-sunrise-v1.jpg`

    const { externalRef } = await publishToDestination(publication(channel, assetId, version2, 2, previous), { storage })

    expect(externalRef).toBe(`${prefix}/${assetId}/harbour-sunrise-v2.jpg`)
    expect(await listAtDestination(channel, assetId, { storage })).toEqual([externalRef])
    expect(sha256(await channelBucket.getBuffer(externalRef))).toBe(version2.file.sha256)
  })

  it('takes down everything under the asset’s prefix, and again finds nothing to do', async () => {
    const takedown = { channel, assetId, externalRef: `${prefix}/${assetId}/harbour-sunrise-v2.jpg`, reason: 'Rights expired', deliveryId: `takedown-${run}` }

    expect(await takeDownFromDestination(takedown, { storage })).toEqual({ removed: 1 })
    expect(await listAtDestination(channel, assetId, { storage })).toEqual([])
    expect(await takeDownFromDestination(takedown, { storage })).toEqual({ removed: 0 })
  })

  it('reports a wrong secret key as the keys being refused, and writes nothing', async () => {
    const otherAsset = `asset-wrong-key-${run}`
    // The same channel with a changed secret: the cached client must not keep the old, working keys.
    const withWrongKey: DestinationChannel = { ...channel, secrets: { secretAccessKey: `${secretAccessKey}-wrong` } }

    const failure = publishToDestination(publication(withWrongKey, otherAsset, version1, 1), { storage })
    await expect(failure).rejects.toBeInstanceOf(DestinationError)
    await expect(failure).rejects.toThrow(/S3 refused the keys: SignatureDoesNotMatch/)
    expect(await listAtDestination(channel, otherAsset, { storage })).toEqual([])
  })

  it('refuses the channel identity on the main bucket (AccessDenied), and writes nothing there', async () => {
    const mainBucket: DestinationChannel = {
      id: `channel-main-${run}`,
      name: 'Trying the main bucket',
      destination: S3DestinationSchema.parse({ kind: 's3', endpoint, bucket: env.S3_BUCKET, prefix, accessKeyId }),
      secrets: { secretAccessKey },
    }

    const failure = publishToDestination(publication(mainBucket, assetId, version1, 1), { storage })
    await expect(failure).rejects.toBeInstanceOf(DestinationError)
    await expect(failure).rejects.toThrow(/AccessDenied/)
    expect(await storage.exists(`${prefix}/${assetId}/harbour-sunrise-v1.jpg`)).toBe(false)
  })

  it('says so when the secret key is missing', async () => {
    const withoutSecret: DestinationChannel = { ...channel, id: `channel-no-secret-${run}`, secrets: {} }
    await expect(publishToDestination(publication(withoutSecret, assetId, version1, 1), { storage })).rejects.toThrow(/no S3 secret access key/)
  })
})

type Received = { headers: IncomingHttpHeaders; manifest: WebhookManifest; fetched: { bytes: number; sha256: string } | null }
type ReceiverMode = 'accept' | 'accept-without-reference' | 'fail' | 'gone'

/** A receiver as a customer would write one: check the signature, parse, fetch the file, answer a reference. */
function startReceiver(signingSecret: string) {
  const state = { secret: signingSecret, mode: 'accept' as ReceiverMode, received: [] as Received[], refused: [] as string[] }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8')
        const check = verifyWebhookSignature({ secret: state.secret, body, header: request.headers[WEBHOOK_SIGNATURE_HEADER] })
        if (!check.valid) {
          state.refused.push(check.reason)
          response.writeHead(401, { 'content-type': 'text/plain' }).end(check.reason)
          return
        }
        const manifest = WebhookManifestSchema.parse(JSON.parse(body))
        let fetched: Received['fetched'] = null
        if (manifest.file) {
          const download = await fetch(manifest.file.url)
          const bytes = Buffer.from(await download.arrayBuffer())
          fetched = { bytes: bytes.length, sha256: sha256(bytes) }
        }
        state.received.push({ headers: request.headers, manifest, fetched })
        if (state.mode === 'fail') {
          response.writeHead(500, { 'content-type': 'text/plain' }).end('The database is on fire')
        } else if (state.mode === 'gone') {
          response.writeHead(410).end()
        } else if (state.mode === 'accept-without-reference') {
          response.writeHead(204).end()
        } else {
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reference: `cms-${manifest.deliveryId}` }))
        }
      })().catch((error: unknown) => {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : 'bad request')
      })
    })
  })
  return { state, server }
}

describe('webhook destination', () => {
  const signingSecret = `signing-secret-${run}-0123456789`
  const receiver = startReceiver(signingSecret)
  let channel: DestinationChannel
  const assetId = `asset-webhook-${run}`
  const deps = { storage, downloadUrlTtlSeconds: 600 }

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))
    const { port } = receiver.server.address() as AddressInfo
    channel = {
      id: `channel-webhook-${run}`,
      name: 'Press site',
      destination: WebhookDestinationSchema.parse({ kind: 'webhook', url: `http://127.0.0.1:${port}/hooks/damson?token=t0ken` }),
      secrets: { signingSecret },
    }
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()))
  })

  function lastReceived(): Received {
    const last = receiver.state.received.at(-1)
    if (!last) throw new Error('The receiver got nothing')
    return last
  }

  it('posts a signed manifest whose download link the receiver fetches, and keeps its reference', async () => {
    receiver.state.mode = 'accept'
    const before = Date.now()
    const input = publication(channel, assetId, version1, 1, 'cms-earlier')

    const { externalRef } = await publishToDestination(input, deps)

    expect(externalRef).toBe(`cms-${input.deliveryId}`)
    const { headers, manifest, fetched } = lastReceived()
    expect(receiver.state.refused).toEqual([])
    expect(headers['content-type']).toBe('application/json')
    expect(headers[WEBHOOK_DELIVERY_HEADER]).toBe(input.deliveryId)
    expect(headers[WEBHOOK_EVENT_HEADER]).toBe('asset.published')
    expect(manifest).toMatchObject({
      event: 'asset.published',
      deliveryId: input.deliveryId,
      channel: { id: channel.id, name: 'Press site' },
      asset: { id: assetId, title: 'Harbour sunrise', versionId: `version-1-${run}`, versionNumber: 1 },
      file: { filename: 'harbour-sunrise-v1.jpg', mediaType: 'image/jpeg', bytes: version1.file.bytes, sha256: version1.file.sha256 },
      rights: input.rights,
      replaces: 'cms-earlier',
      reason: null,
    })
    expect(fetched).toEqual({ bytes: version1.file.bytes, sha256: version1.file.sha256 })
    if (!manifest.file) throw new Error('A publication carries a file')
    expect(new URL(manifest.file.url).searchParams.get('X-Amz-Expires')).toBe('600')
    const expiresIn = Date.parse(manifest.file.expiresAt) - Date.parse(manifest.sentAt)
    expect(expiresIn).toBe(600_000)
    expect(Date.parse(manifest.sentAt)).toBeGreaterThanOrEqual(before - 1000)
  })

  it('sends the same delivery id when a delivery is repeated', async () => {
    receiver.state.mode = 'accept'
    const input = publication(channel, assetId, version1, 1)
    await publishToDestination(input, deps)
    await publishToDestination(input, deps)
    const [first, second] = receiver.state.received.slice(-2).map((received) => received.manifest.deliveryId)
    expect(first).toBe(input.deliveryId)
    expect(second).toBe(input.deliveryId)
  })

  it('uses the delivery id as the reference when the receiver answers none', async () => {
    receiver.state.mode = 'accept-without-reference'
    const input = publication(channel, assetId, version2, 2)
    expect(await publishToDestination(input, deps)).toEqual({ externalRef: input.deliveryId })
  })

  it('reports a receiver’s 500 with its status and what it said', async () => {
    receiver.state.mode = 'fail'
    const failure = publishToDestination(publication(channel, assetId, version1, 1), deps)
    await expect(failure).rejects.toBeInstanceOf(DestinationError)
    await expect(failure).rejects.toThrow('Webhook answered 500 Internal Server Error: The database is on fire')
  })

  it('reports the receiver refusing the signature (401) when it holds another secret', async () => {
    receiver.state.mode = 'accept'
    receiver.state.secret = 'the-receiver-has-another-secret'
    const received = receiver.state.received.length
    try {
      const failure = publishToDestination(publication(channel, assetId, version1, 1), deps)
      await expect(failure).rejects.toBeInstanceOf(DestinationError)
      await expect(failure).rejects.toThrow(/Webhook answered 401 Unauthorized: The signature does not match the body/)
    } finally {
      receiver.state.secret = signingSecret
    }
    expect(receiver.state.received).toHaveLength(received)
  })

  it('refuses to send unsigned when the channel has no signing secret', async () => {
    const unsigned: DestinationChannel = { ...channel, secrets: {} }
    await expect(publishToDestination(publication(unsigned, assetId, version1, 1), deps)).rejects.toThrow(/no webhook signing secret/)
  })

  it('posts a takedown naming what it replaces and why; 410 counts as already gone', async () => {
    receiver.state.mode = 'accept'
    const takedown = { channel, assetId, externalRef: 'cms-123', reason: 'The rights expired', deliveryId: `takedown-${run}` }

    expect(await takeDownFromDestination(takedown, deps)).toEqual({ removed: 1 })
    const { headers, manifest, fetched } = lastReceived()
    expect(headers[WEBHOOK_EVENT_HEADER]).toBe('asset.taken_down')
    expect(manifest).toMatchObject({
      event: 'asset.taken_down',
      deliveryId: `takedown-${run}`,
      asset: { id: assetId },
      file: null,
      rights: null,
      replaces: 'cms-123',
      reason: 'The rights expired',
    })
    expect(fetched).toBeNull()

    receiver.state.mode = 'gone'
    expect(await takeDownFromDestination(takedown, deps)).toEqual({ removed: 0 })
    receiver.state.mode = 'fail'
    await expect(takeDownFromDestination(takedown, deps)).rejects.toThrow(/Webhook answered 500/)
  })

  it('reports a receiver that cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const nowhere: DestinationChannel = {
      ...channel,
      destination: WebhookDestinationSchema.parse({ kind: 'webhook', url: `http://127.0.0.1:${port}/hooks` }),
    }

    const failure = publishToDestination(publication(nowhere, assetId, version1, 1), deps)
    await expect(failure).rejects.toBeInstanceOf(DestinationError)
    await expect(failure).rejects.toThrow(/could not be reached: ECONNREFUSED/)
  })

  it('cannot be listed', async () => {
    expect(await listAtDestination(channel, assetId, deps)).toBeNull()
  })
})

describe('folder destination', () => {
  let folderRoot: string
  const destination = FolderDestinationSchema.parse({ kind: 'folder', path: 'press/web' })
  const channel: DestinationChannel = { id: `channel-folder-${run}`, name: 'Web folder', destination, secrets: {} }
  const assetId = `asset-folder-${run}`

  beforeAll(async () => {
    folderRoot = await mkdtemp(path.join(os.tmpdir(), 'damson-channel-folder-'))
    folders.push(folderRoot)
  })

  it('writes the file under path/asset/filename, and repeating it changes nothing', async () => {
    const deps = { storage, folderRoot }
    const { externalRef } = await publishToDestination(publication(channel, assetId, version1, 1), deps)

    expect(externalRef).toBe(`press/web/${assetId}/harbour-sunrise-v1.jpg`)
    expect((await readFile(path.join(folderRoot, externalRef))).equals(version1.bytes)).toBe(true)

    expect(await publishToDestination(publication(channel, assetId, version1, 1), deps)).toEqual({ externalRef })
    expect(await listAtDestination(channel, assetId, deps)).toEqual([externalRef])
  })

  it('replaces the previous version and clears partial files a crash left', async () => {
    const deps = { storage, folderRoot }
    const directory = path.join(folderRoot, 'press/web', assetId)
    const staging = path.join(folderRoot, 'press/web', '.damson-staging')
    await mkdir(staging, { recursive: true })
    await writeFile(path.join(staging, `${assetId}.partial-deadbeef`), 'half a file')
    await writeFile(path.join(staging, 'another-asset.partial-cafe'), 'being written for another asset')

    const { externalRef } = await publishToDestination(publication(channel, assetId, version2, 2, `press/web/${assetId}/harbour-sunrise-v1.jpg`), deps)

    expect(await readdir(directory)).toEqual(['harbour-sunrise-v2.jpg'])
    // This asset's leftovers go; another asset's delivery in progress is left alone.
    expect(await readdir(staging)).toEqual(['another-asset.partial-cafe'])
    expect((await readFile(path.join(folderRoot, externalRef))).equals(version2.bytes)).toBe(true)
  })

  it('delivers nothing when the stored bytes are not the ones recorded', async () => {
    const deps = { storage, folderRoot }
    const otherAsset = `asset-folder-mismatch-${run}`
    const input = publication(channel, otherAsset, version1, 1)
    const mismatched = { ...input, file: { ...input.file, sha256: version2.file.sha256 } }

    await expect(publishToDestination(mismatched, deps)).rejects.toThrow(/not the recorded/)
    expect(await listAtDestination(channel, otherAsset, deps)).toEqual([])
  })

  it('takes the asset’s folder down', async () => {
    const deps = { storage, folderRoot }
    const takedown = { channel, assetId, externalRef: `press/web/${assetId}/harbour-sunrise-v2.jpg`, reason: 'Unpublished', deliveryId: `takedown-${run}` }

    expect(await takeDownFromDestination(takedown, deps)).toEqual({ removed: 1 })
    await expect(stat(path.join(folderRoot, 'press/web', assetId))).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await takeDownFromDestination(takedown, deps)).toEqual({ removed: 0 })
  })

  it('refuses a folder outside the root, also through a symbolic link', async () => {
    const deps = { storage, folderRoot }
    // Built by hand: the schema refuses "..", the driver must refuse it on its own too.
    const escaping: FolderDestination = { kind: 'folder', path: '../outside' }
    const outside = path.resolve(folderRoot, '../outside')
    const failure = publishToDestination(publication({ ...channel, destination: escaping }, assetId, version1, 1), deps)
    await expect(failure).rejects.toBeInstanceOf(DestinationError)
    await expect(failure).rejects.toThrow(/outside the channel folder root/)
    await expect(stat(outside)).rejects.toMatchObject({ code: 'ENOENT' })

    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'damson-channel-elsewhere-'))
    folders.push(elsewhere)
    await symlink(elsewhere, path.join(folderRoot, 'linked'))
    const linked = FolderDestinationSchema.parse({ kind: 'folder', path: 'linked' })
    await expect(publishToDestination(publication({ ...channel, destination: linked }, assetId, version1, 1), deps)).rejects.toThrow(/through a link/)
    expect(await readdir(elsewhere)).toEqual([])
  })

  // A file where the folder should be fails for root too (EACCES would not: root writes anywhere).
  it('reports a folder it cannot write to, and writes nothing', async () => {
    const deps = { storage, folderRoot }
    await writeFile(path.join(folderRoot, 'blocked'), 'not a folder')
    const blocked = FolderDestinationSchema.parse({ kind: 'folder', path: 'blocked' })
    await expect(publishToDestination(publication({ ...channel, destination: blocked }, assetId, version1, 1), deps)).rejects.toThrow(
      /Folder blocked.* could not be written: ENOTDIR/,
    )
    expect(await readFile(path.join(folderRoot, 'blocked'), 'utf8')).toBe('not a folder')
  })
})
