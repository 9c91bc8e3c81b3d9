/**
 * Records the workflow histories that tests/unit/workflow-replay.test.ts replays
 * against the current workflow code, so a change that breaks determinism fails
 * `npm test`. Drives each path end to end through the real activities, with the
 * Damson workers in-process on task queues of their own, against a running test
 * stack (`node scripts/test.mjs --services-only`):
 *
 *   npx tsx scripts/record-workflow-histories.ts [--only distribution|rights|ingest]
 *
 * `--only distribution` (or `rights`, or `ingest`) records just those paths, leaving the
 * other fixtures as they are.
 *
 * Writes tests/fixtures/histories/<workflow>-<path>.json (the JSON `temporal
 * workflow show --output json` writes). Re-record only for a deliberate change whose
 * old executions are gone or patched: see tests/fixtures/histories/README.md.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker'
import { historyToJSON } from '../tests/support/history-json'
import { loadStackEnv, useOwnTaskQueues } from '../tests/support/stack-env'
import type { IngestVersionResult } from '../workflows/ingest'
import type { ReviewOutcome } from '../workflows/review'
import type { ReviewStageSnapshot } from '~/domain/review-policy'

const HISTORIES_DIR = fileURLToPath(new URL('../tests/fixtures/histories/', import.meta.url))

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('record-histories')

// Imported after the variables above are set: env.server reads them once.
const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { startIngest } = await import('~/assets/start-ingest.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const { bundleDamsonWorkflows, createDamsonWorkers } = await import('../workers/main')
const { reviewVersion, withdrawSignal } = await import('../workflows/review')
const { createReviewActivities } = await import('../workers/activities/review')
const { createRightsActivities } = await import('../workers/activities/rights')
const { notifyRightsChanged } = await import('~/rights/rights-window.server')
const { grantsChangedSignal, rightsWindow, rightsWindowQuery } = await import('../workflows/rights-window')
const fixtures = await import('../tests/support/review-fixtures')
const { encryptChannelSecrets } = await import('~/distribution/channel-secrets.server')
const { retryDistribution, unpublish } = await import('~/distribution/distribution-actions.server')
const { distributionWorkflowId } = await import('~/distribution/distribution-signals.server')
const { distributionStateQuery } = await import('../workflows/distribution')
const { signalChannelDistributions } = await import('../workflows/channel-distributions')
const { startWebhookReceiver } = await import('../tests/support/webhook-receiver')
const { saveAssetMetadata } = await import('~/metadata/asset-metadata.server')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)

type Recording = { name: string; workflowId: string }

async function main(): Promise<void> {
  await ensureSearchCollections(search)
  const nativeConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS })
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS })
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE })
  const workflowBundle = await bundleDamsonWorkflows()
  const workers = await createDamsonWorkers({
    connection: nativeConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    mediaTaskQueue: env.TEMPORAL_MEDIA_TASK_QUEUE,
    db,
    storage,
    search,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
    workflowBundle,
  })
  const running = workers.run()

  try {
    await Promise.race([workers.ready(), running])
    // Fetch every history first, check it replays, and only then write: a failed
    // run leaves the committed fixtures as they were.
    const files: { file: string; json: string }[] = []
    const keep = async (from: Client, recordings: Recording[]) => {
      for (const { name, workflowId } of recordings) {
        const history = await from.workflow.getHandle(workflowId, firstRunIds.get(workflowId)).fetchHistory()
        await Worker.runReplayHistory({ workflowBundle }, history, workflowId)
        files.push({ file: `${name}.json`, json: historyToJSON(history) })
      }
    }
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null
    if (only !== null && only !== 'distribution' && only !== 'rights' && only !== 'ingest') {
      throw new Error(`--only takes "distribution", "rights" or "ingest", not ${only}`)
    }
    if (only === 'ingest') {
      await keep(client, await driveIngestPaths(client))
      writeHistories(files)
      return
    }
    if (only === null) await keep(client, await drivePaths(client))
    if (only === null) await keep(client, await driveIngestPaths(client))
    if (only !== 'rights') await keep(client, await driveDistributionPaths(client))
    if (only === 'distribution') {
      writeHistories(files)
      return
    }

    // Paths with timers of hours run on the time-skipping test server.
    const testServer = process.env.TEMPORAL_TEST_SERVER_PATH
    if (!testServer) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: the test stack writes it to .data/test/stack.env.json')
    const timeSkipping = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServer } },
    })
    const stagedWorker = await Worker.create({
      connection: timeSkipping.nativeConnection,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      workflowBundle,
      activities: { ...createReviewActivities({ db, search }), ...createRightsActivities({ db, search }) },
    })
    try {
      await stagedWorker.runUntil(async () => {
        if (only !== 'rights') await keep(timeSkipping.client, await driveStagedPaths(timeSkipping))
        await keep(timeSkipping.client, await driveRightsPaths(timeSkipping))
      })
    } finally {
      await timeSkipping.teardown()
    }

    writeHistories(files)
  } finally {
    workers.shutdown()
    await running.catch((error: unknown) => console.error('Worker stopped with an error:', error))
    await connection.close()
    await nativeConnection.close()
    await db.$disconnect()
  }
}

function writeHistories(files: { file: string; json: string }[]): void {
  mkdirSync(HISTORIES_DIR, { recursive: true })
  for (const { file, json } of files) {
    writeFileSync(path.join(HISTORIES_DIR, file), json)
    console.log(`  ${path.relative(process.cwd(), path.join(HISTORIES_DIR, file))} (${(Buffer.byteLength(json) / 1024).toFixed(1)} KiB)`)
  }
  console.log(`Recorded ${files.length} histories.`)
}

/**
 * Distribution: an asset published to a folder channel, replaced by its next version,
 * then unpublished (the workflow ends); a webhook that fails until it is fixed and
 * retried; and a channel's "republish all" batch.
 */
async function driveDistributionPaths(client: Client): Promise<Recording[]> {
  const people = await fixtures.createReviewPeople(db, 'histories-distribution')
  const run = randomUUID().slice(0, 8)
  const folder = `/histories-${run}`
  const secret = `whsec-${randomUUID()}`
  const receiver = await startWebhookReceiver({ secret })
  const preset = { format: 'jpeg', maxWidth: 320, maxHeight: 320, fit: 'inside', quality: 80, watermark: null, colourProfile: 'srgb', metadata: 'strip' } as const
  const channel = async (name: string, kind: 'folder' | 'webhook', destination: Record<string, unknown>, secrets: Record<string, string>) => {
    const created = await db.channel.create({
      data: { name: `${name} ${run}`, kind, destination: { kind, ...destination }, preset, rightsChannel: 'web', scopeFolders: [folder] },
    })
    await db.channel.update({ where: { id: created.id }, data: { secretsCipher: encryptChannelSecrets(created.id, secrets) } })
    return created.id
  }
  const approved = async (assetId?: string) => {
    const uploaded = await fixtures.createUploadedVersion(db, storage, { people, assetId, bytes: await fixtures.generatePng(400, 300), mediaType: 'image/png', filename: 'channel.png' })
    await db.asset.update({ where: { id: uploaded.assetId }, data: { folderPath: folder } })
    if (!assetId) {
      await db.rightsGrant.create({ data: { assetId: uploaded.assetId, licenceType: 'owned', createdById: people.uploaderId } })
    }
    await db.assetVersion.update({ where: { id: uploaded.versionId }, data: { status: 'in_review' } })
    await createReviewActivities({ db, search }).promoteVersion({ versionId: uploaded.versionId, reviewId: `no-review-${run}`, promotedById: people.reviewerIds[0] })
    return uploaded
  }
  const until = async (what: string, probe: () => Promise<boolean>) => {
    for (let attempt = 0; attempt < 600; attempt++) {
      if (await probe()) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`Unexpected outcome, nothing recorded: ${what}`)
  }
  const state = async (assetId: string, channelId: string) =>
    (await db.distribution.findUnique({ where: { assetId_channelId: { assetId, channelId } } }))?.state
  const recordings: Recording[] = []

  try {
    console.log('Published to a folder, replaced by the next version, unpublished…')
    const folderChannel = await channel('History folder', 'folder', { path: `histories-${run}` }, {})
    const first = await approved()
    await until('v1 published', async () => (await state(first.assetId, folderChannel)) === 'published')
    const second = await approved(first.assetId)
    await until('v2 published', async () => (await db.distribution.findUnique({ where: { assetId_channelId: { assetId: first.assetId, channelId: folderChannel } } }))?.liveVersionId === second.versionId)
    await unpublish({ db, assetId: first.assetId, channelId: folderChannel, actorId: people.outsiderId })
    const published = client.workflow.getHandle(distributionWorkflowId(folderChannel, first.assetId))
    await published.result()
    recordings.push({ name: 'distribution-published-replaced-unpublished', workflowId: published.workflowId })

    console.log('A webhook failing until it is fixed and retried…')
    await db.channel.update({ where: { id: folderChannel }, data: { enabled: false } })
    receiver.failing = true
    const webhookChannel = await channel('History webhook', 'webhook', { url: receiver.url }, { signingSecret: secret })
    const failing = await approved()
    await until('webhook failed', async () => (await db.distribution.findUnique({ where: { assetId_channelId: { assetId: failing.assetId, channelId: webhookChannel } } }))?.state === 'failed')
    const failingHandle = client.workflow.getHandle(distributionWorkflowId(webhookChannel, failing.assetId))
    await until('retries ran out', async () => (await failingHandle.query(distributionStateQuery)).failures > 0)
    receiver.failing = false
    await retryDistribution({ db, assetId: failing.assetId, channelId: webhookChannel, actorId: people.outsiderId })
    await until('webhook recovered', async () => (await state(failing.assetId, webhookChannel)) === 'published')
    await unpublish({ db, assetId: failing.assetId, channelId: webhookChannel, actorId: people.outsiderId })
    await failingHandle.result()
    recordings.push({ name: 'distribution-failed-retried', workflowId: failingHandle.workflowId })

    console.log('A channel republished…')
    const batchId = `channel-${webhookChannel}-republish-histories`
    const batch = await client.workflow.start(signalChannelDistributions, {
      workflowId: batchId,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      args: [{ channelId: webhookChannel, cause: { kind: 'republish_requested', actorId: people.outsiderId } }],
    })
    await batch.result()
    recordings.push({ name: 'channel-distributions-republished', workflowId: batchId })
    await until('quiet', async () => (await client.workflow.getHandle(distributionWorkflowId(webhookChannel, failing.assetId)).describe()).status.name !== 'RUNNING')
  } finally {
    await receiver.close()
  }
  return recordings
}

/** Runs every path to its end; returns the workflows whose histories to keep. */
async function drivePaths(client: Client): Promise<Recording[]> {
  const people = await fixtures.createReviewPeople(db, 'histories')
  const [ann, bob] = people.reviewerIds

  const ingest = async (bytes: Buffer, mediaType: string, filename: string) => {
    const uploaded = await fixtures.createUploadedVersion(db, storage, { people, bytes, mediaType, filename })
    const started = await startIngest({ ...uploaded, client })
    const result = (await client.workflow.getHandle(started.workflowId).result()) as IngestVersionResult
    return { ...uploaded, workflowId: started.workflowId, result }
  }
  const decide = (versionId: string, reviewerId: string, decision: 'approve' | 'reject' | 'request_changes', comment?: string) =>
    submitReviewDecision({ versionId, reviewerId, decision, comment, client })
  const outcomeOf = async (versionId: string) => (await client.workflow.getHandle(`review-${versionId}`).result()) as ReviewOutcome

  /** Ingest of a good image up to an open one-stage review, then `decision` by Ann. */
  const reviewed = async (filename: string, decision: 'approve' | 'reject' | 'request_changes', comment?: string) => {
    const ingested = await ingest(await fixtures.generatePng(640, 480), 'image/png', filename)
    expectThat(ingested.result.status === 'in_review', `${filename}: ingest ended ${JSON.stringify(ingested.result)}`)
    await decide(ingested.versionId, ann, decision, comment)
    return { ...ingested, outcome: await outcomeOf(ingested.versionId) }
  }

  const recordings: Recording[] = []

  console.log('Ingest, then a one-stage review approved…')
  const approved = await reviewed('approved.png', 'approve', 'Looks great')
  expectThat(approved.outcome.status === 'approved', `approved: ${JSON.stringify(approved.outcome)}`)
  // ingest-to-review is recorded by driveIngestPaths.
  recordings.push({ name: 'review-approved', workflowId: `review-${approved.versionId}` })

  console.log('A review rejected with a comment…')
  const rejected = await reviewed('rejected.png', 'reject', 'The logo is off-brand')
  expectThat(rejected.outcome.status === 'rejected', `rejected: ${JSON.stringify(rejected.outcome)}`)
  recordings.push({ name: 'review-rejected', workflowId: `review-${rejected.versionId}` })

  console.log('A review with changes requested…')
  const changes = await reviewed('changes.png', 'request_changes', 'Crop tighter')
  expectThat(changes.outcome.status === 'changes_requested', `changes requested: ${JSON.stringify(changes.outcome)}`)
  recordings.push({ name: 'review-changes-requested', workflowId: `review-${changes.versionId}` })

  console.log('A two-stage review, both stages approved…')
  // As tests/integration/review-workflow.test.ts does: the default policy is shared by
  // every test on the stack, so the two-stage snapshot is built here, not in the database.
  const second = await fixtures.createUploadedVersion(db, storage, {
    people,
    assetId: approved.assetId,
    bytes: await fixtures.generatePng(640, 480),
    mediaType: 'image/png',
    filename: 'two-stages.png',
  })
  const snapshot = fixtures.twoStageSnapshot([ann, bob], bob)
  const { workflowId: twoStageId, reviewId: twoStageReviewId } = await fixtures.openReviewWithSnapshot(db, second.versionId, snapshot)
  const twoStage = await client.workflow.start(reviewVersion, {
    workflowId: twoStageId,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    args: [{ reviewId: twoStageReviewId, versionId: second.versionId, snapshot }],
  })
  await decide(second.versionId, ann, 'approve')
  await decide(second.versionId, bob, 'approve', 'Brand is fine')
  await decide(second.versionId, bob, 'approve', 'Cleared by legal')
  const twoStageOutcome = await twoStage.result()
  expectThat(twoStageOutcome.status === 'approved', `two stages: ${JSON.stringify(twoStageOutcome)}`)
  recordings.push({ name: 'review-two-stage-approved', workflowId: twoStageId })

  console.log('Ingest of a corrupt file…')
  const corrupt = await ingest(await fixtures.generateTruncatedJpeg(), 'image/jpeg', 'broken.jpg')
  expectThat(corrupt.result.status === 'failed', `corrupt: ${JSON.stringify(corrupt.result)}`)
  recordings.push({ name: 'ingest-corrupt-file', workflowId: corrupt.workflowId })

  return recordings
}

/**
 * Ingest with describing and the metadata gate: a good image straight to review, and
 * one whose folder's schema has an empty required field, held in awaiting_metadata
 * until the metadata is saved (the `metadataCompleted` signal), then reviewed.
 */
async function driveIngestPaths(client: Client): Promise<Recording[]> {
  const people = await fixtures.createReviewPeople(db, 'histories-ingest')
  const run = randomUUID().slice(0, 8)
  const ingest = async (filename: string, folderPath?: string) => {
    const asset = folderPath
      ? await db.asset.create({
          data: { title: filename, folderPath, kind: 'image', ownerOrganisationId: people.organisationId, createdById: people.uploaderId },
          select: { id: true },
        })
      : null
    const uploaded = await fixtures.createUploadedVersion(db, storage, {
      people,
      assetId: asset?.id,
      bytes: await fixtures.generatePng(640, 480),
      mediaType: 'image/png',
      filename,
    })
    const started = await startIngest({ ...uploaded, client })
    return { ...uploaded, workflowId: started.workflowId }
  }
  const recordings: Recording[] = []

  console.log('Ingest of a good image: inspect, renditions, describe, index, gate passed, review…')
  const plain = await ingest('described.png')
  const plainResult = (await client.workflow.getHandle(plain.workflowId).result()) as IngestVersionResult
  expectThat(plainResult.status === 'in_review', `described: ${JSON.stringify(plainResult)}`)
  recordings.push({ name: 'ingest-to-review', workflowId: plain.workflowId })

  console.log('Ingest held for a required field, then signalled on to review…')
  const folder = `/histories-gated-${run}`
  await db.metadataSchema.create({
    data: { name: `Histories ${run}`, folderPaths: [folder], fields: [{ key: 'campaign', label: 'Campaign', type: 'text', required: true, options: [], help: '' }] },
  })
  const gated = await ingest('gated.png', folder)
  for (let attempt = 0; attempt < 600; attempt++) {
    const { status } = await db.assetVersion.findUniqueOrThrow({ where: { id: gated.versionId }, select: { status: true } })
    if (status === 'awaiting_metadata') break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const saved = await saveAssetMetadata({ db, assetId: gated.assetId, actorId: people.uploaderId, change: { fields: { campaign: 'Histories' } }, client })
  expectThat(saved.ok && saved.signalled === 1, `gated save: ${JSON.stringify(saved)}`)
  const gatedResult = (await client.workflow.getHandle(gated.workflowId).result()) as IngestVersionResult
  expectThat(gatedResult.status === 'in_review', `gated: ${JSON.stringify(gatedResult)}`)
  recordings.push({ name: 'ingest-awaiting-metadata', workflowId: gated.workflowId })
  return recordings
}

/** Multi-stage paths, quorum, reminders and escalation, withdrawal (time-skipping server). */
async function driveStagedPaths(testEnv: TestWorkflowEnvironment): Promise<Recording[]> {
  const people = await fixtures.createReviewPeople(db, 'histories-staged')
  const [ann, bob] = people.reviewerIds
  const cy = people.outsiderId // a librarian: fine for a snapshot built here, which names reviewers directly
  const start = (stages: ReviewStageSnapshot[]) =>
    fixtures.startReviewOfStages({ db, storage, client: testEnv.client, taskQueue: env.TEMPORAL_TASK_QUEUE, people, stages })
  const decide = (versionId: string, reviewerId: string, decision: 'approve' | 'reject' | 'request_changes', comment?: string) =>
    submitReviewDecision({ versionId, reviewerId, decision, comment, client: testEnv.client })
  const stage = (name: string, reviewerIds: string[], quorum: ReviewStageSnapshot['quorum']): ReviewStageSnapshot => ({
    name,
    reviewerIds,
    quorum,
    dueHours: 24,
  })
  const recordings: Recording[] = []

  console.log('Three serial stages, each approved…')
  const serial = await start([stage('Brand', [ann], { kind: 'any' }), stage('Legal', [bob], { kind: 'any' }), stage('Marketing', [cy], { kind: 'any' })])
  for (const [index, reviewer] of [ann, bob, cy].entries()) {
    await fixtures.reachStage(db, serial, index)
    await decide(serial.versionId, reviewer, 'approve')
  }
  expectThat((await serial.handle.result()).status === 'approved', 'serial stages')
  recordings.push({ name: 'review-serial-stages-approved', workflowId: serial.handle.workflowId })

  console.log('A parallel stage passed at 2 of 3…')
  const quorum = await start([stage('Panel', [ann, bob, cy], { kind: 'count', count: 2 })])
  await fixtures.reachStage(db, quorum, 0)
  await Promise.all([decide(quorum.versionId, ann, 'approve'), decide(quorum.versionId, bob, 'approve')])
  expectThat((await quorum.handle.result()).status === 'approved', 'quorum 2 of 3')
  recordings.push({ name: 'review-quorum-2-of-3-approved', workflowId: quorum.handle.workflowId })

  console.log('Rejected in the first of two stages…')
  const midway = await start([stage('Brand', [ann, bob], { kind: 'all' }), stage('Legal', [cy], { kind: 'any' })])
  await fixtures.reachStage(db, midway, 0)
  await decide(midway.versionId, ann, 'approve')
  await decide(midway.versionId, bob, 'reject', 'Wrong logo lock-up')
  expectThat((await midway.handle.result()).status === 'rejected', 'rejected mid-way')
  recordings.push({ name: 'review-rejected-mid-way', workflowId: midway.handle.workflowId })

  console.log('Reminded at the due time, escalated at twice it, then approved…')
  const late = await start([stage('Brand', [ann, bob], { kind: 'all' })])
  await fixtures.reachStage(db, late, 0)
  await decide(late.versionId, ann, 'approve')
  await testEnv.sleep('49h')
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await db.notification.count({ where: { dedupeKey: { startsWith: `review:${late.reviewId}:escalation:` } } })) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await decide(late.versionId, bob, 'approve')
  expectThat((await late.handle.result()).status === 'approved', 'reminded and escalated')
  recordings.push({ name: 'review-reminded-escalated-approved', workflowId: late.handle.workflowId })

  console.log('Withdrawn because a newer version arrived…')
  const withdrawn = await start([stage('Brand', [ann, bob], { kind: 'all' })])
  await fixtures.reachStage(db, withdrawn, 0)
  await decide(withdrawn.versionId, ann, 'approve')
  await withdrawn.handle.signal(withdrawSignal, { actorId: people.uploaderId, reason: 'Version 2 uploaded' })
  expectThat((await withdrawn.handle.result()).status === 'withdrawn', 'withdrawn')
  recordings.push({ name: 'review-withdrawn', workflowId: withdrawn.handle.workflowId })

  return recordings
}

/** Rights windows: warned, re-planned by an edit, expired; and one that continues as new. */
async function driveRightsPaths(testEnv: TestWorkflowEnvironment): Promise<Recording[]> {
  const people = await fixtures.createReviewPeople(db, 'histories-rights')
  const hour = 3_600_000
  const now = await testEnv.currentTimeMs()
  const asset = async (expiresInHours: number, warnBeforeDays: number) => {
    const { assetId } = await fixtures.createUploadedVersion(db, storage, {
      people,
      bytes: await fixtures.generatePng(16, 16),
      mediaType: 'image/png',
      filename: 'rights.png',
    })
    const grant = await db.rightsGrant.create({
      data: { assetId, licenceType: 'royalty_free', createdById: people.uploaderId, expiresAt: new Date(now + expiresInHours * hour), warnBeforeDays },
    })
    return { assetId, grantId: grant.id }
  }
  const planned = async (assetId: string, kind: string) => {
    const handle = testEnv.client.workflow.getHandle(`rights-${assetId}`)
    for (let attempt = 0; attempt < 200; attempt++) {
      if ((await handle.query(rightsWindowQuery)).next?.kind === kind) return handle
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`rights window ${assetId} never planned its ${kind}`)
  }
  const recordings: Recording[] = []

  console.log('A rights window warned, re-planned by an extension, then expired…')
  const extended = await asset(72, 2)
  await notifyRightsChanged({ assetId: extended.assetId, client: testEnv.client, taskQueue: env.TEMPORAL_TASK_QUEUE })
  await planned(extended.assetId, 'warn')
  await testEnv.sleep('25h')
  await planned(extended.assetId, 'expiry')
  await db.rightsGrant.update({ where: { id: extended.grantId }, data: { expiresAt: new Date(now + 96 * hour) } })
  await notifyRightsChanged({ assetId: extended.assetId, client: testEnv.client, taskQueue: env.TEMPORAL_TASK_QUEUE })
  await testEnv.sleep('72h')
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await db.rightsChangeHandled.count({ where: { assetId: extended.assetId, kind: 'expiry' } })) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  expectThat((await db.rightsChangeHandled.count({ where: { assetId: extended.assetId } })) >= 2, 'warned and expired')
  recordings.push({ name: 'rights-window-warned-extended-expired', workflowId: `rights-${extended.assetId}` })

  console.log('A rights window that continues as new…')
  const long = await asset(500, 0)
  const handle = await testEnv.client.workflow.signalWithStart(rightsWindow, {
    workflowId: `rights-${long.assetId}`,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    args: [{ assetId: long.assetId, plansPerRun: 2 }],
    signal: grantsChangedSignal,
    signalArgs: [],
  })
  const firstRun = (await handle.describe()).runId!
  await planned(long.assetId, 'expiry')
  for (let i = 0; i < 3; i++) await handle.signal(grantsChangedSignal)
  for (let attempt = 0; attempt < 200 && (await handle.describe()).runId === firstRun; attempt++) await new Promise((resolve) => setTimeout(resolve, 50))
  recordings.push({ name: 'rights-window-continued-as-new', workflowId: `rights-${long.assetId}` })
  // The first run's history: fetch it by run id (the name above stands for the workflow).
  firstRunIds.set(`rights-${long.assetId}`, firstRun)
  await handle.terminate('recorded')
  return recordings
}

/** Workflows whose history to record is an earlier run's, by workflow id. */
const firstRunIds = new Map<string, string>()

function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Unexpected outcome, nothing recorded: ${message}`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exitCode = 1
})
