/**
 * Channel distribution, measured on a stack of its own (`npm run bench:distribution`,
 * through scripts/bench/with-bench-stack.mjs: the real worker process, Temporal,
 * PostgreSQL, SeaweedFS):
 *
 * 1. ASSETS approved assets go out to two channels: an S3 prefix on the local channel
 *    bucket (own keys, WebP 1600) and a webhook receiver on loopback (JPEG 1080 square,
 *    signature checked, file fetched from the manifest's URL). Each asset's review is a
 *    real `reviewVersion` workflow; a reviewer's approval (the `decide` update) is sent
 *    at RATE per second. Approve-to-live = the distribution record's publishedAt minus
 *    the moment the approval was sent, per asset × channel.
 * 2. Half the assets then have their grant's expiry moved to EXPIRY_LEAD_MS from now (all
 *    at the same instant), as a grant edit does (commit, then signal). Expiry-to-takedown
 *    = removedAt minus the expiry, per asset × channel; the worst is reported.
 * 3. Duplicates: objects at the S3 prefix beyond one per live asset (or any for a
 *    taken-down one), deliveries the webhook received twice, and files the receiver still
 *    holds for a taken-down asset.
 *
 * Baseline in the same run: the same two deliveries done directly (render from S3,
 * S3 put / webhook POST) for a few assets, without workflows, so the latencies read
 * against the work itself.
 *
 *   npm run bench:distribution [-- --assets 200 --rate 2]
 *
 * Last line: `distribution: approve-to-live p95 = A ms, expiry-to-takedown worst = B ms, duplicates = D`.
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { Client, Connection } from '@temporalio/client'
import sharp from 'sharp'
import { createDb } from '~/db.server'
import { ChannelDestinationSchema } from '~/domain/channel-destination'
import type { ChannelPreset } from '~/domain/channel-preset'
import type { ReviewPolicySnapshot } from '~/domain/review-policy'
import { getEnv } from '~/env.server'
import { renderChannelRendition } from '~/distribution/channel-rendition.server'
import { encryptChannelSecrets } from '~/distribution/channel-secrets.server'
import { publishToDestination, type DestinationChannel } from '~/distribution/destinations.server'
import { submitReviewDecision } from '~/review/decide.server'
import { notifyRightsChanged } from '~/rights/rights-window.server'
import { createStorageFromEnv, storageKeys } from '~/storage.server'
import { startWebhookReceiver } from '../../tests/support/webhook-receiver'
import { reviewStateQuery, reviewVersion } from '../../workflows/review'

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: '200' },
    rate: { type: 'string', default: '2' },
  },
})
const ASSETS = Math.max(2, Number(values.assets))
const RATE = Math.max(0.1, Number(values.rate))
const EXPIRY_LEAD_MS = 20_000
const BASELINE_SAMPLES = 5

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = createStorageFromEnv(env)
const run = randomUUID().slice(0, 8)
const folder = `/bench-distribution-${run}`
const secret = `whsec-${randomUUID()}`
const bucket = env.LOCAL_CHANNEL_S3_BUCKET
const prefix = `bench/${run}/`
if (!env.LOCAL_CHANNEL_S3_ENDPOINT || !bucket || !env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID || !env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY) {
  throw new Error('Run through `npm run bench:distribution`: the local channel bucket (LOCAL_CHANNEL_S3_*) comes with its stack')
}
const channelS3 = new S3Client({
  endpoint: env.LOCAL_CHANNEL_S3_ENDPOINT,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID, secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY },
})

const cdnPreset: ChannelPreset = { format: 'webp', maxWidth: 1600, maxHeight: 1600, fit: 'inside', quality: 80, watermark: null, colourProfile: 'srgb', metadata: 'strip' }
const socialPreset: ChannelPreset = { format: 'jpeg', maxWidth: 1080, maxHeight: 1080, fit: 'cover', quality: 85, watermark: null, colourProfile: 'srgb', metadata: 'strip' }

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

function log(line: string): void {
  console.log(`  ${line}`)
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function photo(index: number): Promise<Buffer> {
  // A 2400 × 1600 photo-like JPEG: a gradient with noise, different for every asset.
  const width = 2400
  const height = 1600
  const noise = await sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).raw().toBuffer()
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .composite([{ input: { create: { width, height, channels: 4, background: { r: (index * 37) % 255, g: (index * 91) % 255, b: 160, alpha: 0.6 } } } }])
    .jpeg({ quality: 85 })
    .toBuffer()
}

async function main(): Promise<void> {
  console.log(`Distribution: ${ASSETS} assets to an S3 channel and a webhook channel, approvals at ${RATE}/s`)
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS })
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE })
  const receiver = await startWebhookReceiver({ secret })

  const admin = await db.user.findUniqueOrThrow({ where: { email: 'admin@damson.test' }, include: { memberships: true } })
  const reviewer = await db.user.findUniqueOrThrow({ where: { email: 'reviewer@damson.test' } })
  const organisationId = admin.memberships[0]!.organisationId

  const channel = async (name: string, kind: 's3' | 'webhook', destination: Record<string, unknown>, secrets: Record<string, string>, rightsChannel: string, preset: ChannelPreset) => {
    const created = await db.channel.create({
      data: { name: `${name} ${run}`, kind, destination: { kind, ...destination }, preset, rightsChannel, scopeFolders: [folder] },
    })
    await db.channel.update({ where: { id: created.id }, data: { secretsCipher: encryptChannelSecrets(created.id, secrets) } })
    return created
  }
  const cdn = await channel(
    'Bench CDN',
    's3',
    { endpoint: env.LOCAL_CHANNEL_S3_ENDPOINT, region: 'us-east-1', bucket, prefix, accessKeyId: env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID, forcePathStyle: true },
    { secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY! },
    'web',
    cdnPreset,
  )
  const social = await channel('Bench social', 'webhook', { url: receiver.url }, { signingSecret: secret }, 'social', socialPreset)
  const channelIds = [cdn.id, social.id]

  // Assets with a grant for web and social, each version waiting in a one-stage review.
  const snapshot: ReviewPolicySnapshot = {
    policyId: null,
    policyName: 'Bench review',
    stages: [{ name: 'Brand', reviewerIds: [reviewer.id], quorum: { kind: 'any' }, dueHours: 24 }],
  }
  const assets: { assetId: string; versionId: string; grantId: string }[] = []
  const prepared = Date.now()
  for (let index = 0; index < ASSETS; index++) {
    const bytes = await photo(index)
    const asset = await db.asset.create({
      data: { title: `Bench photo ${index + 1}`, kind: 'image', folderPath: folder, ownerOrganisationId: organisationId, createdById: admin.id },
    })
    const versionId = randomUUID()
    const storageKey = storageKeys.original(asset.id, versionId)
    await storage.putBuffer(storageKey, bytes, 'image/jpeg')
    await db.assetVersion.create({
      data: {
        id: versionId,
        assetId: asset.id,
        number: 1,
        storageKey,
        sha256: 'bench',
        bytes: BigInt(bytes.length),
        mediaType: 'image/jpeg',
        originalFilename: `bench-${index + 1}.jpg`,
        uploadedById: admin.id,
        status: 'in_review',
        width: 2400,
        height: 1600,
      },
    })
    const grant = await db.rightsGrant.create({
      data: { assetId: asset.id, licenceType: 'owned', channels: ['web', 'social'], createdById: admin.id },
    })
    const review = await db.review.create({ data: { versionId, workflowId: `review-${versionId}`, policyName: snapshot.policyName, policySnapshot: snapshot } })
    await client.workflow.start(reviewVersion, {
      workflowId: `review-${versionId}`,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      args: [{ reviewId: review.id, versionId, snapshot }],
    })
    assets.push({ assetId: asset.id, versionId, grantId: grant.id })
    if ((index + 1) % 50 === 0) log(`prepared ${index + 1}/${ASSETS} assets with open reviews`)
  }
  for (const { versionId } of assets) {
    await waitFor('reviews open', async () => (await client.workflow.getHandle(`review-${versionId}`).query(reviewStateQuery)).pendingReviewerIds.length > 0, 60_000)
  }
  log(`prepared in ${((Date.now() - prepared) / 1000).toFixed(1)} s`)

  // Baseline: the two deliveries done directly, no workflow (render from S3, then put / POST).
  const baseline: number[] = []
  const baselineAsset = assets[0]!
  for (let sample = 0; sample < BASELINE_SAMPLES; sample++) {
    const started = performance.now()
    for (const [channelRow, preset] of [[cdn, { ...cdnPreset, quality: 79 - sample }], [social, { ...socialPreset, quality: 84 - sample }]] as const) {
      const rendition = await renderChannelRendition({ db, storage, assetId: baselineAsset.assetId, versionId: baselineAsset.versionId, preset })
      const destination: DestinationChannel = {
        id: channelRow.id,
        name: channelRow.name,
        destination: ChannelDestinationSchema.parse(channelRow.destination),
        secrets: channelRow.kind === 's3' ? { secretAccessKey: env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY! } : { signingSecret: secret },
      }
      await publishToDestination(
        {
          channel: {
            ...destination,
            id: `baseline-${channelRow.id}`,
            destination: destination.destination.kind === 's3' ? { ...destination.destination, prefix: `baseline/${run}/` } : destination.destination,
          },
          asset: { id: `baseline-${run}`, title: 'Baseline', versionId: baselineAsset.versionId, versionNumber: 1 },
          file: rendition,
          rights: { summary: 'Baseline', usableUntil: null },
          previousRef: null,
          deliveryId: `baseline-${run}-${sample}-${channelRow.id}`,
        },
        { storage },
      )
    }
    baseline.push(performance.now() - started)
  }
  const baselineMs = percentile(baseline, 50)
  log(`baseline: render + deliver to both channels directly, p50 = ${baselineMs.toFixed(0)} ms`)

  // 1. Approvals at RATE per second; each asset goes live on both channels.
  const approvedAt = new Map<string, number>()
  const approvals: Promise<unknown>[] = []
  const approving = Date.now()
  for (const [index, { versionId, assetId }] of assets.entries()) {
    const due = approving + (index * 1000) / RATE
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())))
    approvedAt.set(assetId, Date.now())
    approvals.push(submitReviewDecision({ versionId, reviewerId: reviewer.id, decision: 'approve', client }))
  }
  await Promise.all(approvals)
  await waitFor(
    'every asset live on both channels',
    async () => (await db.distribution.count({ where: { channelId: { in: channelIds }, state: 'published' } })) >= ASSETS * 2,
    10 * 60_000,
  )
  const live = await db.distribution.findMany({ where: { channelId: { in: channelIds } }, select: { assetId: true, channelId: true, publishedAt: true } })
  const approveToLive = live.map((row) => row.publishedAt!.getTime() - approvedAt.get(row.assetId)!)
  const a = percentile(approveToLive, 95)
  log(`approve-to-live over ${approveToLive.length} deliveries: p50 = ${percentile(approveToLive, 50)} ms, p95 = ${a} ms, max = ${Math.max(...approveToLive)} ms`)

  // 2. Half the assets' rights expire at one instant.
  const expiring = assets.slice(0, Math.floor(ASSETS / 2))
  const expiresAt = new Date(Date.now() + EXPIRY_LEAD_MS)
  await db.rightsGrant.updateMany({ where: { id: { in: expiring.map((asset) => asset.grantId) } }, data: { expiresAt } })
  for (const { assetId } of expiring) await notifyRightsChanged({ assetId, client })
  log(`${expiring.length} grants expire at ${expiresAt.toISOString()}`)
  const expiringIds = expiring.map((asset) => asset.assetId)
  await waitFor(
    'expired assets taken down from both channels',
    async () => (await db.distribution.count({ where: { assetId: { in: expiringIds }, state: 'removed' } })) >= expiring.length * 2,
    EXPIRY_LEAD_MS + 5 * 60_000,
  )
  const removed = await db.distribution.findMany({ where: { assetId: { in: expiringIds } }, select: { removedAt: true } })
  const expiryToTakedown = removed.map((row) => row.removedAt!.getTime() - expiresAt.getTime())
  const b = Math.max(...expiryToTakedown)
  log(`expiry-to-takedown over ${expiryToTakedown.length} takedowns: p50 = ${percentile(expiryToTakedown, 50)} ms, worst = ${b} ms, earliest = ${Math.min(...expiryToTakedown)} ms`)

  // 3. Duplicates at the destinations.
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await channelS3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''))
    token = page.NextContinuationToken
  } while (token)
  const perAsset = new Map<string, number>()
  for (const key of keys) {
    const assetId = key.slice(prefix.length).split('/')[0]!
    perAsset.set(assetId, (perAsset.get(assetId) ?? 0) + 1)
  }
  const expiredSet = new Set(expiringIds)
  let s3Extra = 0
  for (const { assetId } of assets) s3Extra += Math.max(0, (perAsset.get(assetId) ?? 0) - (expiredSet.has(assetId) ? 0 : 1))
  const stillHeld = expiringIds.filter((assetId) => receiver.holdings.has(assetId)).length
  const missing = assets.filter(({ assetId }) => !expiredSet.has(assetId) && (!receiver.holdings.has(assetId) || perAsset.get(assetId) !== 1)).length
  const duplicates = s3Extra + receiver.duplicates() + stillHeld
  log(`S3: ${keys.length} objects for ${ASSETS - expiring.length} live assets (${s3Extra} extra); webhook: ${receiver.received.length} deliveries, ${receiver.duplicates()} repeated, ${stillHeld} still held after takedown; ${missing} live assets missing somewhere`)
  log(`ratios to the direct baseline (${baselineMs.toFixed(0)} ms): approve-to-live p95 ${(a / baselineMs).toFixed(1)}x, expiry-to-takedown worst ${(b / baselineMs).toFixed(1)}x`)

  await receiver.close()
  channelS3.destroy()
  await connection.close()
  await db.$disconnect()
  console.log(`distribution: approve-to-live p95 = ${a} ms, expiry-to-takedown worst = ${b} ms, duplicates = ${duplicates}`)
  if (missing > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
