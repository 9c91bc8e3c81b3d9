/**
 * Ingest → review → promotion against the real stack: the test stack's Temporal
 * dev server, PostgreSQL, SeaweedFS and Typesense, with the Damson workers running
 * in-process on task queues of their own.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssetSearchDocument } from '~/search.server'
import type { DamsonWorkers } from '../../workers/main'
import type { ReviewOutcome } from '../../workflows/review'
import type { IngestVersionResult } from '../../workflows/ingest'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
// Each test file has its own process (forks pool), so this runtime is ours alone.
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-review')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage, storageKeys } = await import('~/storage.server')
const { ASSETS_COLLECTION, createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { startIngest } = await import('~/assets/start-ingest.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const { promoteVersion } = await import('~/assets/promote-version.server')
const { AppError } = await import('~/errors.server')
const { reviewStateQuery, reviewVersion } = await import('../../workflows/review')
const fixtures = await import('../support/review-fixtures')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)

let testEnv: TestWorkflowEnvironment
let workflowBundle: WorkflowBundle
let workers: DamsonWorkers
let inProcess: InProcessWorkers | undefined
let people: Awaited<ReturnType<typeof fixtures.createReviewPeople>>

beforeAll(async () => {
  await ensureSearchCollections(search)
  inProcess = await startInProcessWorkers({ env, db, storage, search })
  ;({ testEnv, workflowBundle, workers } = inProcess)
  people = await fixtures.createReviewPeople(db, 'review')
})

afterAll(async () => {
  await inProcess?.stop()
  await db.$disconnect()
})

async function ingest(bytes: Buffer, mediaType: string, filename: string, assetId?: string) {
  const uploaded = await fixtures.createUploadedVersion(db, storage, { people, bytes, mediaType, filename, assetId })
  const started = await startIngest({ ...uploaded, client: testEnv.client })
  expect(started).toEqual({ workflowId: `ingest-${uploaded.versionId}`, started: true })
  const result = await testEnv.client.workflow.getHandle(started.workflowId).result() as IngestVersionResult
  return { ...uploaded, result }
}

function decide(versionId: string, reviewerId: string, decision: 'approve' | 'reject' | 'request_changes', comment?: string) {
  return submitReviewDecision({ versionId, reviewerId, decision, comment, client: testEnv.client })
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  const appError = error as InstanceType<typeof AppError>
  return { code: appError.code, message: appError.message }
}

async function searchDocument(assetId: string): Promise<AssetSearchDocument> {
  return search.collections<AssetSearchDocument>(ASSETS_COLLECTION).documents(assetId).retrieve()
}

describe('ingest and one-stage review', () => {
  it('inspects, renders, opens the review and promotes on an eligible approval', async () => {
    const { assetId, versionId, result } = await ingest(await fixtures.generatePng(1800, 1200), 'image/png', 'hero.png')
    expect(result).toMatchObject({ status: 'in_review', reviewWorkflowId: `review-${versionId}` })

    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, include: { renditions: true } })
    expect(version).toMatchObject({ status: 'in_review', width: 1800, height: 1200, mediaType: 'image/png' })
    expect(version.renditions.map((rendition) => [rendition.preset, rendition.width, rendition.height]).sort()).toEqual([
      ['preview', 1600, 1067],
      ['thumbnail', 400, 267],
      ['web', 1800, 1200],
    ])
    expect(await storage.exists(storageKeys.rendition(versionId, 'thumbnail', 'webp'))).toBe(true)
    expect((await searchDocument(assetId)).has_current).toBe(false)

    const review = testEnv.client.workflow.getHandle(`review-${versionId}`)
    const state = await review.query(reviewStateQuery)
    expect(state).toMatchObject({ status: 'in_progress', stageIndex: 0, stageName: 'Brand review', quorum: { kind: 'any' } })
    expect([...state.pendingReviewerIds].sort()).toEqual([...people.reviewerIds].sort())
    expect(new Date(state.dueAt ?? 0).getTime() - Date.now()).toBeGreaterThan(47 * 3600_000)

    expect(await rejection(decide(versionId, people.outsiderId, 'approve'))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You are not a reviewer of the stage "Brand review"',
    })

    const [ann] = people.reviewerIds
    const decided = await decide(versionId, ann, 'approve', 'Looks great')
    expect(decided).toMatchObject({ stageIndex: 0, stageName: 'Brand review', decision: 'approve' })
    const outcome = (await review.result()) as ReviewOutcome
    expect(outcome).toEqual({ status: 'approved', reason: null, decidedBy: ann })

    const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, include: { currentVersion: true } })
    expect(asset.currentVersionId).toBe(versionId)
    expect(asset.currentVersion).toMatchObject({ status: 'approved', promotedById: ann })
    expect(asset.currentVersion?.promotedAt).toBeInstanceOf(Date)
    expect(await db.review.findUniqueOrThrow({ where: { workflowId: `review-${versionId}` } })).toMatchObject({
      status: 'approved',
      outcomeReason: null,
    })
    expect(await db.comment.count({ where: { versionId, body: 'Looks great' } })).toBe(1)
    expect(await searchDocument(assetId)).toMatchObject({ has_current: true, current_version_id: versionId })
    expect(await fixtures.countAuditEvents(db, 'version.promote', versionId)).toBe(1)

    // Promoting the current version again changes nothing and audits nothing.
    const reviewRow = await db.review.findUniqueOrThrow({ where: { workflowId: `review-${versionId}` } })
    expect(await promoteVersion({ db, versionId, reviewId: reviewRow.id, promotedById: ann, search })).toMatchObject({
      promoted: false,
    })
    expect(await fixtures.countAuditEvents(db, 'version.promote', versionId)).toBe(1)

    // The review is over: late decisions are refused, and starting the ingest again starts nothing.
    expect((await rejection(decide(versionId, people.reviewerIds[1], 'approve'))).code).toBe('CONFLICT')
    expect(await startIngest({ versionId, assetId, client: testEnv.client })).toMatchObject({ started: false })

    // Both histories replay against the current workflow code (what CI does with recorded histories).
    for (const workflowId of [`ingest-${versionId}`, `review-${versionId}`]) {
      const history = await testEnv.client.workflow.getHandle(workflowId).fetchHistory()
      await Worker.runReplayHistory({ workflowBundle }, history, workflowId)
    }
  })

  it('ends a rejected review with the reviewer’s reason and leaves the asset without a current version', async () => {
    const { assetId, versionId, result } = await ingest(await fixtures.generatePng(640, 480), 'image/png', 'draft.png')
    expect(result.status).toBe('in_review')
    const [, bob] = people.reviewerIds

    await decide(versionId, bob, 'reject', 'The logo is off-brand')
    const outcome = (await testEnv.client.workflow.getHandle(`review-${versionId}`).result()) as ReviewOutcome
    expect(outcome).toEqual({ status: 'rejected', reason: 'The logo is off-brand', decidedBy: bob })

    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })).toMatchObject({ status: 'rejected' })
    const review = await db.review.findUniqueOrThrow({ where: { workflowId: `review-${versionId}` } })
    expect(review).toMatchObject({ status: 'rejected', outcomeReason: 'The logo is off-brand' })
    expect(review.endedAt).toBeInstanceOf(Date)
    expect(await fixtures.countAuditEvents(db, 'review.end', review.id)).toBe(1)
    expect(await db.asset.findUniqueOrThrow({ where: { id: assetId } })).toMatchObject({ currentVersionId: null })
    expect(await fixtures.countAuditEvents(db, 'version.promote', versionId)).toBe(0)
  })

  it('marks a corrupt upload failed with a readable reason and opens no review', async () => {
    const { versionId, result } = await ingest(await fixtures.generateTruncatedJpeg(), 'image/jpeg', 'broken.jpg')
    expect(result).toEqual({ status: 'failed', reason: 'The file is corrupt or truncated' })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })).toMatchObject({
      status: 'failed',
      failureReason: 'The file is corrupt or truncated',
    })
    expect(await fixtures.countAuditEvents(db, 'version.processing_failed', versionId)).toBe(1)
    expect(await db.review.count({ where: { versionId } })).toBe(0)
    expect((await rejection(decide(versionId, people.reviewerIds[0], 'approve'))).code).toBe('NOT_FOUND')
  })

  it('refuses a file that is not an image, whatever it claimed to be', async () => {
    const { result } = await ingest(Buffer.from('not an image at all\n'), 'image/png', 'notes.png')
    expect(result.status).toBe('failed')
    if (result.status === 'failed') expect(result.reason).toMatch(/^notes\.png is not a file Damson accepts: its bytes are plain text/)
  })
})

describe('multi-stage review', () => {
  it('walks every stage, refuses duplicate and ineligible decisions, and supersedes the previous version', async () => {
    const [ann, bob] = people.reviewerIds
    // Version 1 through the normal path.
    const first = await ingest(await fixtures.generatePng(800, 600), 'image/png', 'v1.png')
    await decide(first.versionId, ann, 'approve')
    await testEnv.client.workflow.getHandle(`review-${first.versionId}`).result()

    // Version 2 under a two-stage policy: both brand reviewers, then Bob alone.
    const second = await fixtures.createUploadedVersion(db, storage, {
      people,
      assetId: first.assetId,
      bytes: await fixtures.generatePng(800, 600),
      mediaType: 'image/png',
      filename: 'v2.png',
    })
    const snapshot = fixtures.twoStageSnapshot([ann, bob], bob)
    const { workflowId, reviewId } = await fixtures.openReviewWithSnapshot(db, second.versionId, snapshot)
    const handle = await testEnv.client.workflow.start(reviewVersion, {
      workflowId,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      args: [{ reviewId, versionId: second.versionId, snapshot }],
    })

    await decide(second.versionId, ann, 'approve')
    expect(await rejection(decide(second.versionId, ann, 'approve'))).toEqual({
      code: 'CONFLICT',
      message: 'You have already decided in the stage "Brand"',
    })
    expect(await handle.query(reviewStateQuery)).toMatchObject({ stageIndex: 0, pendingReviewerIds: [bob] })

    await decide(second.versionId, bob, 'approve')
    expect((await rejection(decide(second.versionId, ann, 'approve'))).code).toBe('FORBIDDEN')
    const legal = await handle.query(reviewStateQuery)
    expect(legal).toMatchObject({ stageIndex: 1, stageName: 'Legal', pendingReviewerIds: [bob] })
    expect(await db.review.findUniqueOrThrow({ where: { id: reviewId } })).toMatchObject({ currentStage: 1 })

    await decide(second.versionId, bob, 'approve')
    expect(await handle.result()).toEqual({ status: 'approved', reason: null, decidedBy: bob })

    expect(await db.asset.findUniqueOrThrow({ where: { id: first.assetId } })).toMatchObject({
      currentVersionId: second.versionId,
    })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: first.versionId } })).toMatchObject({ status: 'superseded' })
    expect(await db.reviewDecision.count({ where: { reviewId } })).toBe(3)
    expect(await fixtures.countAuditEvents(db, 'version.promote', second.versionId)).toBe(1)
    expect(await searchDocument(first.assetId)).toMatchObject({ current_version_id: second.versionId })
  })
})

describe('activities run twice (as after a crash) write nothing twice', () => {
  it('inspect, renditions, review, decision, close and failure are idempotent', async () => {
    const { createIngestActivities } = await import('../../workers/activities/ingest')
    const { createReviewActivities } = await import('../../workers/activities/review')
    const ingestActivities = createIngestActivities({ db, storage, search, maxImagePixels: env.MAX_IMAGE_PIXELS })
    const reviewActivities = createReviewActivities({ db, search })
    const { assetId, versionId } = await fixtures.createUploadedVersion(db, storage, {
      people,
      bytes: await fixtures.generatePng(900, 300),
      mediaType: 'image/png',
      filename: 'twice.png',
    })

    const inspected = await ingestActivities.inspectOriginal({ versionId })
    expect(await ingestActivities.inspectOriginal({ versionId })).toEqual(inspected)

    const made = await ingestActivities.makeRenditions({ versionId })
    expect(made.every((rendition) => !rendition.reused)).toBe(true)
    const again = await ingestActivities.makeRenditions({ versionId })
    expect(again.every((rendition) => rendition.reused)).toBe(true)
    expect(await db.rendition.count({ where: { versionId } })).toBe(3)

    await ingestActivities.indexAsset({ assetId })
    await ingestActivities.indexAsset({ assetId })

    const opened = await reviewActivities.openReview({ versionId })
    if ('superseded' in opened) throw new Error('a version without a newer one was superseded')
    expect(await reviewActivities.openReview({ versionId })).toEqual(opened)
    expect(opened.snapshot.stages).toHaveLength(1)
    expect(await fixtures.countAuditEvents(db, 'review.start', opened.reviewId)).toBe(1)

    const [ann] = people.reviewerIds
    const decision = { reviewId: opened.reviewId, stageIndex: 0, reviewerId: ann, decision: 'request_changes' as const, comment: 'Crop tighter' }
    const first = await reviewActivities.recordDecision(decision)
    expect(first.recorded).toBe(true)
    expect(await reviewActivities.recordDecision(decision)).toMatchObject({ decisionId: first.decisionId, recorded: false })
    expect(await fixtures.countAuditEvents(db, 'review.decision', opened.reviewId)).toBe(1)
    expect(await db.comment.count({ where: { reviewId: opened.reviewId } })).toBe(1)

    const close = { reviewId: opened.reviewId, versionId, outcome: 'changes_requested' as const, reason: 'Crop tighter', actorId: ann }
    await reviewActivities.closeReview(close)
    await reviewActivities.closeReview(close)
    expect(await fixtures.countAuditEvents(db, 'review.end', opened.reviewId)).toBe(1)
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })).toMatchObject({ status: 'changes_requested' })

    // A version that has left review cannot be promoted by a stray retry.
    await expect(reviewActivities.promoteVersion({ versionId, reviewId: opened.reviewId, promotedById: ann })).rejects.toMatchObject({
      type: 'Conflict',
      nonRetryable: true,
    })

    const other = await fixtures.createUploadedVersion(db, storage, {
      people,
      assetId,
      bytes: await fixtures.generateTruncatedJpeg(),
      mediaType: 'image/jpeg',
      filename: 'broken.jpg',
    })
    await expect(ingestActivities.inspectOriginal({ versionId: other.versionId })).rejects.toMatchObject({
      type: 'MediaError',
      nonRetryable: true,
      message: 'The file is corrupt or truncated',
    })
    await ingestActivities.markVersionFailed({ versionId: other.versionId, reason: 'The file is corrupt or truncated' })
    await ingestActivities.markVersionFailed({ versionId: other.versionId, reason: 'The file is corrupt or truncated' })
    expect(await fixtures.countAuditEvents(db, 'version.processing_failed', other.versionId)).toBe(1)

    // A version whose asset got a newer upload while it was processed is superseded, not reviewed.
    const older = await fixtures.createUploadedVersion(db, storage, { people, assetId, bytes: await fixtures.generatePng(64, 48), mediaType: 'image/png', filename: 'older.png' })
    const newer = await fixtures.createUploadedVersion(db, storage, { people, assetId, bytes: await fixtures.generatePng(64, 48), mediaType: 'image/png', filename: 'newer.png' })
    const { number: newerNumber } = await db.assetVersion.findUniqueOrThrow({ where: { id: newer.versionId } })
    const skipped = await reviewActivities.openReview({ versionId: older.versionId })
    expect(skipped).toEqual({ superseded: true, reason: `Version ${newerNumber} was uploaded while this one was being processed` })
    expect(await reviewActivities.openReview({ versionId: older.versionId })).toEqual(skipped)
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: older.versionId } })).toMatchObject({ status: 'superseded' })
    expect(await db.review.count({ where: { versionId: older.versionId } })).toBe(0)
    expect(await fixtures.countAuditEvents(db, 'version.supersede', older.versionId)).toBe(1)
  })
})
