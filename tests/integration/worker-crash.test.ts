/**
 * The worker process dies while a review is open: the approval still lands, once.
 * Runs `npx tsx workers/main.ts` as a child (its own process group, so SIGKILL
 * takes tsx's node child with it) on task queues of its own.
 */
import { randomUUID } from 'node:crypto'
import { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestVersionResult } from '../../workflows/ingest'
import { loadStackEnv } from '../support/stack-env'
import { killAllWorkers, signalGroup, startWorkerProcess } from '../support/worker-process'

loadStackEnv()
const run = randomUUID().slice(0, 8)
const queues = { TEMPORAL_TASK_QUEUE: `test-crash-${run}`, TEMPORAL_MEDIA_TASK_QUEUE: `test-crash-media-${run}` }
Object.assign(process.env, queues)

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { startIngest } = await import('~/assets/start-ingest.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const fixtures = await import('../support/review-fixtures')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
let client: Client

const startWorker = () => startWorkerProcess({ ...process.env, ...queues })

beforeAll(async () => {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS })
  client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE })
})

afterAll(async () => {
  killAllWorkers()
  await client?.connection.close()
  await db.$disconnect()
})

describe('worker crash during a review', () => {
  it('promotes exactly once after the worker is killed and replaced', async () => {
    const people = await fixtures.createReviewPeople(db, 'crash')
    const first = startWorker()
    await first.ready
    expect(first.output().match(/worker ready/g)).toHaveLength(1)

    const { assetId, versionId } = await fixtures.createUploadedVersion(db, storage, {
      people,
      bytes: await fixtures.generatePng(1024, 768),
      mediaType: 'image/png',
      filename: 'crash.png',
    })
    const { workflowId } = await startIngest({ versionId, assetId, client })
    const ingested = (await client.workflow.getHandle(workflowId).result()) as IngestVersionResult
    expect(ingested.status).toBe('in_review')
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })).toMatchObject({ status: 'in_review' })

    signalGroup(first.process, 'SIGKILL')
    await first.closed

    // The update waits for a worker: send it, then bring one back.
    const [ann] = people.reviewerIds
    const decision = submitReviewDecision({ versionId, reviewerId: ann, decision: 'approve', client })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const second = startWorker()
    await second.ready

    expect(await decision).toMatchObject({ decision: 'approve', stageIndex: 0 })
    expect(await client.workflow.getHandle(`review-${versionId}`).result()).toMatchObject({ status: 'approved' })

    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })).toMatchObject({ status: 'approved' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: assetId } })).toMatchObject({ currentVersionId: versionId })
    expect(await fixtures.countAuditEvents(db, 'version.promote', versionId)).toBe(1)
    expect(await db.reviewDecision.count({ where: { review: { versionId } } })).toBe(1)

    // SIGTERM drains both workers and ends the process cleanly.
    signalGroup(second.process, 'SIGTERM')
    await second.closed
    expect(second.output()).toMatch(/SIGTERM received/)
    expect(second.output()).toMatch(/Damson worker stopped/)
  })

  it('continues a two-stage review when a worker returns after dying between the stages', async () => {
    const people = await fixtures.createReviewPeople(db, 'crash-stages')
    const [ann, bob] = people.reviewerIds
    const first = startWorker()
    await first.ready

    const review = await fixtures.startReviewOfStages({
      db,
      storage,
      client,
      taskQueue: queues.TEMPORAL_TASK_QUEUE,
      people,
      stages: fixtures.twoStageSnapshot([ann, bob], bob).stages,
    })
    await fixtures.reachStage(db, review, 0)
    await submitReviewDecision({ versionId: review.versionId, reviewerId: ann, decision: 'approve', client })
    await submitReviewDecision({ versionId: review.versionId, reviewerId: bob, decision: 'approve', client })
    await fixtures.reachStage(db, review, 1)

    signalGroup(first.process, 'SIGKILL')
    await first.closed

    const decision = submitReviewDecision({ versionId: review.versionId, reviewerId: bob, decision: 'approve', comment: 'Legal is fine', client })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const second = startWorker()
    await second.ready
    expect(await decision).toMatchObject({ decision: 'approve', stageIndex: 1, stageName: 'Legal' })
    expect(await review.handle.result()).toMatchObject({ status: 'approved', decidedBy: bob })

    expect(await db.asset.findUniqueOrThrow({ where: { id: review.assetId } })).toMatchObject({ currentVersionId: review.versionId })
    expect(await db.review.findUniqueOrThrow({ where: { id: review.reviewId } })).toMatchObject({ status: 'approved', currentStage: 1 })
    expect(await db.reviewDecision.count({ where: { reviewId: review.reviewId } })).toBe(3)
    expect(await fixtures.countAuditEvents(db, 'version.promote', review.versionId)).toBe(1)
    // Bob was asked once per stage, and the uploader told once, across the crash.
    const notices = await db.notification.findMany({ where: { dedupeKey: { startsWith: `review:${review.reviewId}:` } } })
    expect(notices.filter((notice) => notice.userId === bob && notice.kind === 'review_requested')).toHaveLength(2)
    expect(notices.filter((notice) => notice.kind === 'version_approved').map((notice) => notice.userId)).toEqual([people.uploaderId])

    signalGroup(second.process, 'SIGTERM')
    await second.closed
  })
})
