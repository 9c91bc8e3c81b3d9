/**
 * Channel distribution through the real stack: the workers run in this process (own
 * task queues) against the test stack's Temporal, PostgreSQL and SeaweedFS. Three
 * channels — an S3 prefix on the local channel bucket with its own keys, a webhook
 * receiver on loopback, a folder — get an asset when its version is approved, the new
 * rendition and not the old one when the next version is approved, lose it when the
 * rights for their channel end (the others keep it), and recover from failing
 * destinations once they are fixed. Delivered files carry the rights in their metadata.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
useOwnTaskQueues('test-distribution')
const folderRoot = await mkdtemp(path.join(os.tmpdir(), 'damson-channel-folders-'))
process.env.CHANNEL_FOLDER_ROOT = folderRoot

const { getEnv } = await import('~/env.server')
const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { getSearchClient, ensureSearchCollections } = await import('~/search.server')
const { getExifTool, endExifTool } = await import('~/media/exiftool.server')
const { encryptChannelSecrets } = await import('~/distribution/channel-secrets.server')
const { retryDistribution, unpublish, publishNow, republishChannel } = await import('~/distribution/distribution-actions.server')
const { distributionWorkflowId } = await import('~/distribution/distribution-signals.server')
const { distributionStateQuery } = await import('../../workflows/distribution')
const { notifyRightsChanged } = await import('~/rights/rights-window.server')
const { createReviewActivities } = await import('../../workers/activities/review')
const { startInProcessWorkers } = await import('../support/in-process-workers')
const { startWebhookReceiver } = await import('../support/webhook-receiver')
const { startStallingProxy } = await import('../support/stalling-proxy')
const fixtures = await import('../support/review-fixtures')

type InProcessWorkers = import('../support/in-process-workers').InProcessWorkers
type WebhookReceiver = import('../support/webhook-receiver').WebhookReceiver
type ChannelPreset = import('~/domain/channel-preset').ChannelPreset

const env = getEnv()
const db = getDb()
const storage = getStorage()
const search = getSearchClient()
const run = randomUUID().slice(0, 8)
const folder = `/distribution-${run}`
const signingSecret = `whsec-${randomUUID()}`
const channelBucket = env.LOCAL_CHANNEL_S3_BUCKET ?? 'damson-channels'
const channelS3 = new S3Client({
  endpoint: env.LOCAL_CHANNEL_S3_ENDPOINT,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID ?? '', secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY ?? '' },
})

let workers: InProcessWorkers
let receiver: WebhookReceiver
let people: Awaited<ReturnType<typeof fixtures.createReviewPeople>>
const channels = { s3: '', webhook: '', folder: '' }

const stripPreset: ChannelPreset = {
  format: 'jpeg',
  maxWidth: 640,
  maxHeight: 640,
  fit: 'inside',
  quality: 80,
  watermark: null,
  colourProfile: 'srgb',
  metadata: 'strip',
}

async function createChannel(input: {
  name: string
  kind: 's3' | 'webhook' | 'folder'
  destination: Record<string, unknown>
  secrets: Record<string, string>
  rightsChannel: string
  preset?: ChannelPreset
}): Promise<string> {
  const channel = await db.channel.create({
    data: {
      name: `${input.name} ${run}`,
      kind: input.kind,
      destination: { kind: input.kind, ...input.destination },
      preset: input.preset ?? stripPreset,
      rightsChannel: input.rightsChannel,
      scopeFolders: [folder],
    },
  })
  await db.channel.update({ where: { id: channel.id }, data: { secretsCipher: encryptChannelSecrets(channel.id, input.secrets) } })
  return channel.id
}

async function cameraJpeg(colour: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1000, channels: 3, background: colour } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Plumcam', Model: 'P-1', Copyright: 'Original photographer' } })
    .toBuffer()
}

type GrantTerms = { channels: string[]; expiresAt?: Date }

/**
 * An uploaded version approved through the review activity that promotes versions, as the
 * last stage does; `grants` are recorded first (as legal would before approval), so the
 * first delivery already carries them.
 */
async function approvedVersion(options: { assetId?: string; colour: { r: number; g: number; b: number }; title?: string; grants?: GrantTerms[] }) {
  const uploaded = await fixtures.createUploadedVersion(db, storage, {
    people,
    assetId: options.assetId,
    title: options.title,
    bytes: await cameraJpeg(options.colour),
    mediaType: 'image/jpeg',
    filename: 'harbour.jpg',
  })
  await db.asset.update({ where: { id: uploaded.assetId }, data: { folderPath: `${folder}/campaign` } })
  for (const terms of options.grants ?? []) await grant(uploaded.assetId, terms)
  await db.assetVersion.update({ where: { id: uploaded.versionId }, data: { status: 'in_review', width: 1600, height: 1000 } })
  await createReviewActivities({ db, search }).promoteVersion({ versionId: uploaded.versionId, reviewId: `no-review-${run}`, promotedById: people.reviewerIds[0] })
  return uploaded
}

async function grant(assetId: string, terms: GrantTerms) {
  await db.rightsGrant.create({
    data: {
      assetId,
      licenceType: 'owned',
      channels: terms.channels,
      territories: [],
      organisationIds: [],
      expiresAt: terms.expiresAt ?? null,
      timeZone: 'UTC',
      createdById: people.uploaderId,
    },
  })
  await notifyRightsChanged({ assetId })
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function distributionOf(assetId: string, channelId: string) {
  return db.distribution.findUnique({ where: { assetId_channelId: { assetId, channelId } } })
}

async function s3Keys(assetId: string): Promise<string[]> {
  const listed = await channelS3.send(new ListObjectsV2Command({ Bucket: channelBucket, Prefix: `runs/${run}/${assetId}/` }))
  return (listed.Contents ?? []).map((object) => object.Key ?? '')
}

async function s3Object(key: string): Promise<Buffer> {
  const object = await channelS3.send(new GetObjectCommand({ Bucket: channelBucket, Key: key }))
  return Buffer.from(await object.Body!.transformToByteArray())
}

async function folderFiles(assetId: string): Promise<string[]> {
  return readdir(path.join(folderRoot, `press-${run}`, assetId)).catch(() => [])
}

async function readTags(file: string): Promise<Map<string, unknown>> {
  return new Map<string, unknown>(Object.entries(await getExifTool().readRaw(file, { readArgs: ['-G1', '-a'] })))
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

beforeAll(async () => {
  await ensureSearchCollections(search)
  workers = await startInProcessWorkers({ env: getEnv(), db, storage, search })
  receiver = await startWebhookReceiver({ secret: signingSecret })
  people = await fixtures.createReviewPeople(db, 'distribution')
  channels.s3 = await createChannel({
    name: 'Website CDN',
    kind: 's3',
    destination: {
      endpoint: env.LOCAL_CHANNEL_S3_ENDPOINT,
      region: 'us-east-1',
      bucket: channelBucket,
      prefix: `runs/${run}/`,
      accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID,
      forcePathStyle: true,
    },
    secrets: { secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY ?? '' },
    rightsChannel: 'web',
  })
  channels.webhook = await createChannel({ name: 'Social CMS', kind: 'webhook', destination: { url: receiver.url }, secrets: { signingSecret }, rightsChannel: 'social' })
  channels.folder = await createChannel({
    name: 'Print folder',
    kind: 'folder',
    destination: { path: `press-${run}` },
    secrets: {},
    rightsChannel: 'print',
    preset: { ...stripPreset, format: 'original', metadata: 'keep' },
  })
})

afterAll(async () => {
  await workers?.stop()
  await receiver?.close()
  await endExifTool()
  channelS3.destroy()
  await rm(folderRoot, { recursive: true, force: true })
})

describe('distribution to channels', () => {
  it('publishes an approved version to every channel and replaces it with the next approved one', async () => {
    const v1 = await approvedVersion({ colour: { r: 200, g: 40, b: 40 }, title: 'Harbour sunrise', grants: [{ channels: [] }] })
    const { assetId } = v1

    for (const channelId of Object.values(channels)) {
      await waitFor(`v1 live on ${channelId}`, async () => {
        const row = await distributionOf(assetId, channelId)
        return row?.state === 'published' && row.liveVersionId === v1.versionId
      })
    }
    expect(await s3Keys(assetId)).toEqual([`runs/${run}/${assetId}/harbour-sunrise-v1.jpg`])
    expect(await folderFiles(assetId)).toEqual(['harbour-sunrise-v1.jpg'])
    expect(receiver.holdings.get(assetId)?.versionId).toBe(v1.versionId)

    const v2 = await approvedVersion({ assetId, colour: { r: 40, g: 40, b: 200 } })
    for (const channelId of Object.values(channels)) {
      await waitFor(`v2 live on ${channelId}`, async () => {
        const row = await distributionOf(assetId, channelId)
        return row?.state === 'published' && row.liveVersionId === v2.versionId
      })
    }
    // The destination holds the new rendition, and only it.
    const keys = await s3Keys(assetId)
    expect(keys).toEqual([`runs/${run}/${assetId}/harbour-sunrise-v2.jpg`])
    const delivered = await s3Object(keys[0]!)
    const s3Row = await distributionOf(assetId, channels.s3)
    expect(s3Row?.externalRef).toBe(keys[0])
    const rendition = await db.rendition.findFirstOrThrow({ where: { versionId: v2.versionId, storageKey: s3Row?.liveRenditionKey ?? '' } })
    expect(sha256(delivered)).toBe(sha256(await storage.getBuffer(rendition.storageKey)))
    const pixels = await sharp(delivered).resize(1, 1).raw().toBuffer()
    expect(pixels[2]).toBeGreaterThan(pixels[0]! + 100) // blue: version 2, not the red version 1
    expect(await sharp(delivered).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 400 })

    expect(await folderFiles(assetId)).toEqual(['harbour-sunrise-v2.jpg'])
    // The folder channel delivers the original, so its bytes are version 2's original plus the rights.
    const folderBytes = await readFile(path.join(folderRoot, `press-${run}`, assetId, 'harbour-sunrise-v2.jpg'))
    expect((await sharp(folderBytes).metadata()).width).toBe(1600)

    const published = receiver.received.filter((delivery) => delivery.manifest.asset.id === assetId && delivery.manifest.event === 'asset.published')
    expect([...new Set(published.map((delivery) => delivery.manifest.asset.versionNumber))]).toEqual([1, 2])
    const latest = published.at(-1)
    expect(latest?.manifest.asset.versionNumber).toBe(2)
    expect(latest?.manifest.replaces).toBe(`cms-${assetId}`)
    expect(latest?.fetched?.sha256).toBe(latest?.manifest.file?.sha256)
    expect(receiver.refused).toEqual([])

    // Version 2 went out once per channel (version 1 may have gone out twice: once before the
    // grant was recorded, once more with the grant's terms written into the file).
    expect(await db.distributionEvent.count({ where: { assetId, kind: 'published', versionId: v2.versionId } })).toBe(3)
    const publications = await db.distributionEvent.count({ where: { assetId, kind: 'published' } })
    expect(await db.auditEvent.count({ where: { subjectId: assetId, action: 'distribution.publish' } })).toBe(publications)
  })

  it('writes the rights into delivered files, also when the preset strips other metadata', async () => {
    const { assetId } = await approvedVersion({ colour: { r: 90, g: 160, b: 60 }, title: 'Orchard rows', grants: [{ channels: [], expiresAt: new Date('2031-03-01T12:00:00Z') }] })
    const row = await waitFor('live on S3 and folder', async () => {
      const [s3, folderRow] = await Promise.all([distributionOf(assetId, channels.s3), distributionOf(assetId, channels.folder)])
      return s3?.state === 'published' && folderRow?.state === 'published' ? s3 : null
    })
    const directory = await mkdtemp(path.join(os.tmpdir(), 'damson-delivered-'))
    try {
      const stripped = path.join(directory, 'stripped.jpg')
      await writeFile(stripped, await s3Object(row.externalRef ?? ''))
      const strippedTags = await readTags(stripped)
      expect(String(strippedTags.get('XMP-dc:Rights'))).toMatch(/©/)
      expect(String(strippedTags.get('XMP-xmpRights:UsageTerms'))).toMatch(/2031/)
      expect(strippedTags.get('IFD0:Make')).toBeUndefined()
      expect(strippedTags.get('IFD0:Model')).toBeUndefined()

      const kept = path.join(folderRoot, `press-${run}`, assetId, 'orchard-rows-v1.jpg')
      const keptTags = await readTags(kept)
      expect(keptTags.get('IFD0:Make')).toBe('Plumcam')
      expect(String(keptTags.get('XMP-xmpRights:UsageTerms'))).toMatch(/2031/)
    } finally {
      await rm(directory, { recursive: true, force: true })
    }

    // A grant edit changes the rights text: the live file is refreshed after a grace period
    // (folding further edits in), or at once when a librarian republishes the channel.
    const published = row.publishedAt!.getTime()
    await db.rightsGrant.updateMany({ where: { assetId }, data: { expiresAt: new Date('2032-06-30T12:00:00Z') } })
    await notifyRightsChanged({ assetId })
    const handle = workers.testEnv.client.workflow.getHandle(distributionWorkflowId(channels.s3, assetId))
    const deferred = await waitFor('the refresh to be deferred', async () => {
      const state = await handle.query(distributionStateQuery)
      return state.lastPlan !== null && Date.parse(state.lastPlan.plannedAt) > published && state.wakeAt !== null ? state : null
    })
    expect(Date.parse(deferred.wakeAt!) - Date.now()).toBeGreaterThan(30_000)
    expect((await distributionOf(assetId, channels.s3))?.publishedAt?.getTime()).toBe(published)

    await republishChannel({ db, channelId: channels.s3, actorId: people.outsiderId })
    const refreshed = await waitFor('republished', async () => {
      const current = await distributionOf(assetId, channels.s3)
      return current?.state === 'published' && current.publishedAt!.getTime() > published ? current : null
    })
    const again = await mkdtemp(path.join(os.tmpdir(), 'damson-delivered-'))
    try {
      await writeFile(path.join(again, 'refreshed.jpg'), await s3Object(refreshed.externalRef ?? ''))
      expect(String((await readTags(path.join(again, 'refreshed.jpg'))).get('XMP-xmpRights:UsageTerms'))).toMatch(/2032/)
    } finally {
      await rm(again, { recursive: true, force: true })
    }
  })

  it('takes the asset down from a channel whose rights expire, and the other channels keep it', async () => {
    const expiresAt = new Date(Date.now() + 10_000)
    const { assetId, versionId } = await approvedVersion({
      colour: { r: 250, g: 200, b: 20 },
      title: 'Jam jar',
      grants: [{ channels: ['web', 'print'] }, { channels: ['social'], expiresAt }],
    })
    for (const channelId of Object.values(channels)) {
      await waitFor(`live on ${channelId}`, async () => (await distributionOf(assetId, channelId))?.state === 'published')
    }
    expect(receiver.holdings.get(assetId)?.versionId).toBe(versionId)

    const removed = await waitFor('taken down from social', async () => {
      const row = await distributionOf(assetId, channels.webhook)
      return row?.state === 'removed' ? row : null
    })
    expect(removed.removedAt!.getTime()).toBeGreaterThanOrEqual(expiresAt.getTime())
    expect(removed.removedAt!.getTime() - expiresAt.getTime()).toBeLessThan(5_000)
    expect(removed.removalReason).toMatch(/expired/i)
    expect(receiver.holdings.has(assetId)).toBe(false)
    const takedown = receiver.received.find((delivery) => delivery.manifest.asset.id === assetId && delivery.manifest.event === 'asset.taken_down')
    expect(takedown?.manifest.reason).toMatch(/expired/i)

    // The other channels keep theirs (re-delivered with the rights that hold now, since the
    // stamp written into each file no longer lists the expired grant).
    for (const channelId of [channels.s3, channels.folder]) {
      await waitFor(`still live on ${channelId}`, async () => (await distributionOf(assetId, channelId))?.state === 'published')
    }
    expect(await s3Keys(assetId)).toHaveLength(1)
    expect(await folderFiles(assetId)).toHaveLength(1)

    // The rights engine's takedown request for social is carried out by distribution.
    const request = await waitFor('takedown request done', () =>
      db.takedownRequest.findFirst({ where: { assetId, channel: 'social', status: 'done' } }),
    )
    expect(request.outcome).toMatch(/Social CMS/)
    expect(await db.auditEvent.count({ where: { subjectId: assetId, action: 'distribution.takedown' } })).toBe(1)
  })

  it('unpublishes by hand and publishes again by hand, audited', async () => {
    const { assetId } = await approvedVersion({ colour: { r: 10, g: 10, b: 10 }, title: 'Night market' })
    await grant(assetId, { channels: [] })
    await waitFor('live on S3', async () => (await distributionOf(assetId, channels.s3))?.state === 'published')

    await unpublish({ db, assetId, channelId: channels.s3, actorId: people.outsiderId })
    await waitFor('unpublished', async () => (await distributionOf(assetId, channels.s3))?.state === 'removed')
    expect(await s3Keys(assetId)).toEqual([])
    expect((await distributionOf(assetId, channels.s3))?.removalReason).toBe('Unpublished by a librarian')

    await publishNow({ db, assetId, channelId: channels.s3, actorId: people.outsiderId })
    const row = await waitFor('published again', async () => {
      const current = await distributionOf(assetId, channels.s3)
      return current?.state === 'published' ? current : null
    })
    expect(row.publishedById).toBe(people.outsiderId)
    expect(await s3Keys(assetId)).toHaveLength(1)
    const requests = await db.auditEvent.findMany({ where: { subjectId: assetId, action: 'distribution.request' }, orderBy: { seq: 'asc' } })
    expect(requests.map((event) => (event.detail as { request: string }).request)).toEqual(['unpublish', 'publish'])
  })

  it('retries a failing webhook, shows it failed with the reason, and recovers once it answers again', async () => {
    receiver.failing = true
    const { assetId, versionId } = await approvedVersion({ colour: { r: 120, g: 0, b: 120 }, title: 'Plum poster' })
    await grant(assetId, { channels: [] })
    const failed = await waitFor('webhook failure recorded after retries', async () => {
      const row = await distributionOf(assetId, channels.webhook)
      return row?.state === 'failed' && row.failedAttempts >= 2 ? row : null
    })
    expect(failed.error).toMatch(/500/)
    expect(await db.distributionEvent.count({ where: { assetId, channelId: channels.webhook, kind: 'failed' } })).toBe(1)

    receiver.failing = false
    await retryDistribution({ db, assetId, channelId: channels.webhook, actorId: people.outsiderId })
    const recovered = await waitFor('webhook recovered', async () => {
      const row = await distributionOf(assetId, channels.webhook)
      return row?.state === 'published' ? row : null
    })
    expect(recovered).toMatchObject({ error: null, failedAttempts: 0, liveVersionId: versionId })
    expect(receiver.holdings.get(assetId)?.versionId).toBe(versionId)
  })

  it('shows S3 with wrong keys as failed with the reason, and recovers when the keys are fixed', async () => {
    const badChannel = await createChannel({
      name: 'Wrong keys',
      kind: 's3',
      destination: {
        endpoint: env.LOCAL_CHANNEL_S3_ENDPOINT,
        region: 'us-east-1',
        bucket: channelBucket,
        prefix: `runs/${run}/wrong-keys/`,
        accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID,
        forcePathStyle: true,
      },
      secrets: { secretAccessKey: 'not-the-secret' },
      rightsChannel: 'web',
    })
    const { assetId, versionId } = await approvedVersion({ colour: { r: 0, g: 200, b: 200 }, title: 'Teal tile' })
    await grant(assetId, { channels: [] })
    const failed = await waitFor('S3 failure recorded', async () => {
      const row = await distributionOf(assetId, badChannel)
      return row?.state === 'failed' && row.failedAttempts >= 2 ? row : null
    })
    expect(failed.error).toMatch(/SignatureDoesNotMatch|signature/i)

    await db.channel.update({
      where: { id: badChannel },
      data: { secretsCipher: encryptChannelSecrets(badChannel, { secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY ?? '' }) },
    })
    await retryDistribution({ db, assetId, channelId: badChannel, actorId: people.outsiderId })
    const recovered = await waitFor('S3 recovered', async () => {
      const row = await distributionOf(assetId, badChannel)
      return row?.state === 'published' ? row : null
    })
    expect(recovered.liveVersionId).toBe(versionId)
    const listed = await channelS3.send(new ListObjectsV2Command({ Bucket: channelBucket, Prefix: `runs/${run}/wrong-keys/${assetId}/` }))
    expect(listed.Contents?.map((object) => object.Key)).toEqual([recovered.externalRef])
    await db.channel.update({ where: { id: badChannel }, data: { enabled: false } })
  })

  it('withdraws a delivery that was still on its way when the rights ended', async () => {
    const proxy = await startStallingProxy(new URL(env.LOCAL_CHANNEL_S3_ENDPOINT ?? ''))
    try {
      const slowChannel = await createChannel({
        name: 'Slow CDN',
        kind: 's3',
        destination: {
          endpoint: proxy.url,
          region: 'us-east-1',
          bucket: channelBucket,
          prefix: `runs/${run}/slow/`,
          accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID,
          forcePathStyle: true,
        },
        secrets: { secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY ?? '' },
        rightsChannel: 'web',
      })
      proxy.stalled = true
      const { assetId } = await approvedVersion({ colour: { r: 220, g: 120, b: 0 }, title: 'Late delivery' })
      const expiresAt = new Date(Date.now() + 6_000)
      await grant(assetId, { channels: ['web'], expiresAt })
      await waitFor('the delivery to hang', async () => (await distributionOf(assetId, slowChannel))?.state === 'publishing' && proxy.held() > 0)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now() + 500)))
      proxy.release()

      const row = await waitFor('withdrawn', async () => {
        const current = await distributionOf(assetId, slowChannel)
        return current?.state === 'removed' ? current : null
      })
      expect(row.externalRef).toBeNull()
      const listed = await channelS3.send(new ListObjectsV2Command({ Bucket: channelBucket, Prefix: `runs/${run}/slow/${assetId}/` }))
      expect(listed.Contents ?? []).toEqual([])
      expect(await db.distributionEvent.count({ where: { assetId, channelId: slowChannel, kind: 'published' } })).toBe(0)
      await db.channel.update({ where: { id: slowChannel }, data: { enabled: false } })
    } finally {
      await proxy.close()
    }
  })
})
