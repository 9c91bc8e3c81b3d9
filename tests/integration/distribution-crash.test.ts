/**
 * The worker dies in the middle of a delivery: the channel's S3 endpoint sits behind a
 * proxy that holds the upload, the worker process is SIGKILLed while it hangs, and a
 * new worker takes the delivery over (after the heartbeat timeout). Exactly one copy
 * ends up at the destination, and the record names it.
 */
import { randomUUID } from 'node:crypto'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy'
import { killAllWorkers, signalGroup, startWorkerProcess } from '../support/worker-process'

loadStackEnv()
const run = randomUUID().slice(0, 8)
const queues = { TEMPORAL_TASK_QUEUE: `test-distribution-crash-${run}`, TEMPORAL_MEDIA_TASK_QUEUE: `test-distribution-crash-media-${run}` }
Object.assign(process.env, queues)

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { getSearchClient, ensureSearchCollections } = await import('~/search.server')
const { encryptChannelSecrets } = await import('~/distribution/channel-secrets.server')
const { createReviewActivities } = await import('../../workers/activities/review')
const fixtures = await import('../support/review-fixtures')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
const search = getSearchClient()
const bucket = env.LOCAL_CHANNEL_S3_BUCKET ?? 'damson-channels'
const prefix = `crash/${run}/`
const channelS3 = new S3Client({
  endpoint: env.LOCAL_CHANNEL_S3_ENDPOINT,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID ?? '', secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY ?? '' },
})
let proxy: StallingProxy

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(async () => {
  await ensureSearchCollections(search)
  proxy = await startStallingProxy(new URL(env.LOCAL_CHANNEL_S3_ENDPOINT ?? ''))
})

afterAll(async () => {
  killAllWorkers()
  await proxy?.close()
  channelS3.destroy()
  await db.$disconnect()
})

describe('worker killed during a delivery', () => {
  it('leaves exactly one copy at the destination, and the record matches it', async () => {
    const people = await fixtures.createReviewPeople(db, 'distribution-crash')
    const channel = await db.channel.create({
      data: {
        name: `Crash CDN ${run}`,
        kind: 's3',
        destination: { kind: 's3', endpoint: proxy.url, region: 'us-east-1', bucket, prefix, accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID, forcePathStyle: true },
        preset: { format: 'jpeg', maxWidth: 800, maxHeight: 800, fit: 'inside', quality: 80, watermark: null, colourProfile: 'srgb', metadata: 'strip' },
        rightsChannel: 'web',
        scopeFolders: [`/crash-${run}`],
      },
    })
    await db.channel.update({
      where: { id: channel.id },
      data: { secretsCipher: encryptChannelSecrets(channel.id, { secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY ?? '' }) },
    })

    const first = startWorkerProcess({ ...process.env, ...queues })
    await first.ready
    proxy.stalled = true

    const bytes = await sharp({ create: { width: 1400, height: 900, channels: 3, background: { r: 150, g: 30, b: 90 } } }).jpeg().toBuffer()
    const { assetId, versionId } = await fixtures.createUploadedVersion(db, storage, { people, bytes, mediaType: 'image/jpeg', filename: 'plum.jpg', title: 'Plum crate' })
    await db.asset.update({ where: { id: assetId }, data: { folderPath: `/crash-${run}` } })
    await db.rightsGrant.create({
      data: { assetId, licenceType: 'owned', channels: [], territories: [], organisationIds: [], timeZone: 'UTC', createdById: people.uploaderId },
    })
    await db.assetVersion.update({ where: { id: versionId }, data: { status: 'in_review' } })
    await createReviewActivities({ db, search }).promoteVersion({ versionId, reviewId: `no-review-${run}`, promotedById: people.reviewerIds[0] })

    // The delivery is under way and its upload hangs at the proxy: kill the worker there.
    await waitFor('the delivery to hang', async () => (await db.distribution.findUnique({ where: { assetId_channelId: { assetId, channelId: channel.id } } }))?.state === 'publishing' && proxy.held() > 0)
    signalGroup(first.process, 'SIGKILL')
    await first.closed
    proxy.stalled = false

    const second = startWorkerProcess({ ...process.env, ...queues })
    await second.ready
    const row = await waitFor('the delivery to complete on the second worker', async () => {
      const current = await db.distribution.findUnique({ where: { assetId_channelId: { assetId, channelId: channel.id } } })
      return current?.state === 'published' ? current : null
    })

    const listed = await channelS3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${assetId}/` }))
    const keys = (listed.Contents ?? []).map((object) => object.Key)
    expect(keys).toEqual([`${prefix}${assetId}/plum-crate-v1.jpg`])
    expect(row).toMatchObject({ externalRef: keys[0], liveVersionId: versionId, error: null })
    expect(await db.distributionEvent.count({ where: { assetId, kind: 'published' } })).toBe(1)
    expect(await fixtures.countAuditEvents(db, 'distribution.publish', assetId)).toBe(1)

    signalGroup(second.process, 'SIGTERM')
    await second.closed
  })
})
