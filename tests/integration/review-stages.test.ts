/**
 * The review workflow's paths on Temporal's time-skipping test server
 * (temporal-test-server from PyPI in .tools/), with the real review activities
 * writing to the test stack's PostgreSQL and Typesense: serial stages, N-of-M
 * quorum, rejection mid-way, changes requested then a new version, reminders and
 * escalation on durable timers, the validator, racing approvals, withdrawal.
 * Time skips only while a test waits (`testEnv.sleep`, `result()`), so the 24-hour
 * due times below pass in milliseconds.
 */
import { randomUUID } from 'node:crypto'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReviewStageSnapshot } from '~/domain/review-policy'
import type { StartedReview } from '../support/review-fixtures'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-stages')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { AppError } = await import('~/errors.server')
const { createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const { createReviewActivities } = await import('../../workers/activities/review')
const { bundleDamsonWorkflows } = await import('../../workers/main')
const { reviewStateQuery, withdrawSignal } = await import('../../workflows/review')
const fixtures = await import('../support/review-fixtures')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)

let testEnv: TestWorkflowEnvironment
let worker: Worker
let running: Promise<void>
let people: Awaited<ReturnType<typeof fixtures.createReviewPeople>>
/** Three reviewers (Ann, Bob, Cy) and an admin of the same brand. */
let ann: string, bob: string, cy: string, admin: string

beforeAll(async () => {
  await ensureSearchCollections(search)
  invariantTestServer()
  testEnv = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
  })
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    workflowBundle: await bundleDamsonWorkflows(),
    activities: createReviewActivities({ db, search, publicUrl: 'https://damson.example' }),
  })
  running = worker.run()
  people = await fixtures.createReviewPeople(db, 'stages')
  ;[ann, bob] = people.reviewerIds
  cy = await addMember('cy', ['reviewer'])
  admin = await addMember('admin', ['admin'])
}, 180_000)

afterAll(async () => {
  worker?.shutdown()
  await running
  await testEnv?.teardown()
  await db.$disconnect()
})

function invariantTestServer(): void {
  if (!process.env.TEMPORAL_TEST_SERVER_PATH) {
    throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run through `npm test`, which installs temporal-test-server in .tools/')
  }
}

async function addMember(name: string, roles: ('reviewer' | 'admin')[]): Promise<string> {
  const user = await db.user.create({
    data: {
      email: `${name}-${randomUUID().slice(0, 8)}@example.test`,
      name: `${name} ${randomUUID().slice(0, 4)}`,
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId: people.organisationId, roles } },
    },
  })
  return user.id
}

function stage(name: string, reviewerIds: string[], quorum: ReviewStageSnapshot['quorum'], dueHours = 24): ReviewStageSnapshot {
  return { name, reviewerIds, quorum, dueHours }
}

const startReview = (stages: ReviewStageSnapshot[], assetId?: string) =>
  fixtures.startReviewOfStages({ db, storage, client: testEnv.client, taskQueue: env.TEMPORAL_TASK_QUEUE, people, stages, assetId })

type Review = StartedReview

function decide(review: Review, reviewerId: string, decision: 'approve' | 'reject' | 'request_changes', comment?: string) {
  return submitReviewDecision({ versionId: review.versionId, reviewerId, decision, comment, client: testEnv.client })
}

const stateOf = (review: Review) => review.handle.query(reviewStateQuery)

const reachStage = (review: Review, stageIndex: number) => fixtures.reachStage(db, review, stageIndex)

function noticesOf(review: Review, kind: 'review_requested' | 'review_reminder' | 'review_escalated' | 'version_approved' | 'version_rejected' | 'version_changes_requested') {
  return db.notification.findMany({
    where: { kind, dedupeKey: { startsWith: `review:${review.reviewId}:` } },
    orderBy: { userId: 'asc' },
    include: { email: true },
  })
}

async function expectRejection(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  expect(error).toMatchObject({ code })
  expect((error as Error).message).toMatch(message)
}

describe('review workflow stages (time-skipping server, real activities)', () => {
  it('walks serial stages, telling each stage’s reviewers when it starts, and promotes on the last approval', async () => {
    const review = await startReview([
      stage('Brand', [ann], { kind: 'any' }),
      stage('Legal', [bob], { kind: 'any' }),
      stage('Marketing', [cy], { kind: 'any' }),
    ])
    await reachStage(review, 0)
    await decide(review, ann, 'approve')
    await reachStage(review, 1)
    // Ann is no reviewer of the second stage.
    await expectRejection(decide(review, ann, 'approve'), 'FORBIDDEN', /not a reviewer of the stage "Legal"/)
    await decide(review, bob, 'approve', 'Cleared')
    await reachStage(review, 2)
    expect(await stateOf(review)).toMatchObject({ stageIndex: 2, stageName: 'Marketing', pendingReviewerIds: [cy], stageCount: 3 })
    await decide(review, cy, 'approve')

    expect(await review.handle.result()).toEqual({ status: 'approved', reason: null, decidedBy: cy })
    const requested = await noticesOf(review, 'review_requested')
    expect(requested.map((notice) => notice.userId).sort()).toEqual([ann, bob, cy].sort())
    for (const notice of requested) {
      expect(notice.email).toMatchObject({ status: 'queued' })
      expect(notice.email?.textBody).toContain(`https://damson.example/reviews/${review.versionId}`)
    }
    expect((await noticesOf(review, 'version_approved')).map((notice) => notice.userId)).toEqual([people.uploaderId])
    expect(await db.asset.findUniqueOrThrow({ where: { id: review.assetId } })).toMatchObject({ currentVersionId: review.versionId })
    expect(await db.review.findUniqueOrThrow({ where: { id: review.reviewId } })).toMatchObject({ status: 'approved', currentStage: 2 })
    expect(await fixtures.countAuditEvents(db, 'review.decision', review.reviewId)).toBe(3)
    expect(await fixtures.countAuditEvents(db, 'version.promote', review.versionId)).toBe(1)
  })

  it('passes a parallel stage at 2 of 3 approvals and refuses the third reviewer afterwards', async () => {
    const review = await startReview([stage('Panel', [ann, bob, cy], { kind: 'count', count: 2 })])
    await reachStage(review, 0)
    await decide(review, bob, 'approve')
    expect(await stateOf(review)).toMatchObject({ status: 'in_progress', pendingReviewerIds: [ann, cy].sort() })
    await decide(review, cy, 'approve')
    expect(await review.handle.result()).toMatchObject({ status: 'approved', decidedBy: cy })
    await expectRejection(decide(review, ann, 'approve'), 'CONFLICT', /already ended/)
    expect(await db.reviewDecision.count({ where: { reviewId: review.reviewId } })).toBe(2)
  })

  it('ends at a rejection mid-way: the later stage never starts and the uploader hears why', async () => {
    const review = await startReview([stage('Brand', [ann, bob], { kind: 'all' }), stage('Legal', [cy], { kind: 'any' })])
    await reachStage(review, 0)
    await decide(review, ann, 'approve')
    await decide(review, bob, 'reject', 'Wrong logo lock-up')
    expect(await review.handle.result()).toEqual({ status: 'rejected', reason: 'Wrong logo lock-up', decidedBy: bob })

    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: review.versionId } })).toMatchObject({ status: 'rejected' })
    expect(await db.review.findUniqueOrThrow({ where: { id: review.reviewId } })).toMatchObject({
      status: 'rejected',
      outcomeReason: 'Wrong logo lock-up',
      currentStage: 0,
    })
    expect((await noticesOf(review, 'review_requested')).map((notice) => notice.userId).sort()).toEqual([ann, bob].sort())
    const rejected = await noticesOf(review, 'version_rejected')
    expect(rejected).toHaveLength(1)
    expect(rejected[0]).toMatchObject({ userId: people.uploaderId, body: 'Reason: Wrong logo lock-up' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: review.assetId } })).toMatchObject({ currentVersionId: null })
  })

  it('after changes are requested, a new version starts a fresh review that can pass', async () => {
    const first = await startReview([stage('Brand', [ann], { kind: 'any' })])
    await reachStage(first, 0)
    await decide(first, ann, 'request_changes', 'Crop tighter')
    expect(await first.handle.result()).toMatchObject({ status: 'changes_requested', reason: 'Crop tighter' })
    const notice = (await noticesOf(first, 'version_changes_requested'))[0]
    expect(notice?.body).toContain('Crop tighter')
    expect(notice?.body).toContain('Upload a new version')

    const second = await startReview([stage('Brand', [ann], { kind: 'any' })], first.assetId)
    expect(second.reviewId).not.toBe(first.reviewId)
    await reachStage(second, 0)
    await decide(second, ann, 'approve')
    expect(await second.handle.result()).toMatchObject({ status: 'approved' })

    const versions = await db.assetVersion.findMany({ where: { assetId: first.assetId }, orderBy: { number: 'asc' } })
    expect(versions.map((version) => [version.number, version.status])).toEqual([
      [1, 'changes_requested'],
      [2, 'approved'],
    ])
    expect(await db.asset.findUniqueOrThrow({ where: { id: first.assetId } })).toMatchObject({ currentVersionId: second.versionId })
  })

  it('reminds pending reviewers at the due time and escalates to admins at twice the due time', async () => {
    const review = await startReview([stage('Brand', [ann, bob], { kind: 'all' }, 24)])
    await reachStage(review, 0)
    await decide(review, ann, 'approve')
    const started = await stateOf(review)
    expect(started).toMatchObject({ overdue: false, remindedAt: null, escalatedAt: null })
    expect(Date.parse(started.escalationDueAt!) - Date.parse(started.dueAt!)).toBe(24 * 3_600_000)

    await testEnv.sleep('23h')
    expect(await noticesOf(review, 'review_reminder')).toHaveLength(0)

    await testEnv.sleep('2h') // 25 h: past due
    await waitFor(async () => (await noticesOf(review, 'review_reminder')).length > 0)
    const reminded = await stateOf(review)
    expect(reminded).toMatchObject({ overdue: true, escalatedAt: null })
    expect(reminded.remindedAt).not.toBeNull()
    // Only Bob still owes a decision.
    expect((await noticesOf(review, 'review_reminder')).map((notice) => notice.userId)).toEqual([bob])
    expect(await noticesOf(review, 'review_escalated')).toHaveLength(0)
    expect(await fixtures.countAuditEvents(db, 'review.reminder', review.reviewId)).toBe(1)

    await testEnv.sleep('24h') // 49 h: past twice the due time
    await waitFor(async () => (await noticesOf(review, 'review_escalated')).length > 0)
    const escalated = await noticesOf(review, 'review_escalated')
    expect(escalated.map((notice) => notice.userId)).toEqual([admin])
    expect(escalated[0]?.body).toMatch(/Still pending: bob/)
    expect((await stateOf(review)).escalatedAt).not.toBeNull()
    expect(await fixtures.countAuditEvents(db, 'review.escalation', review.reviewId)).toBe(1)

    // Still decidable after escalation, and nothing is sent twice.
    await decide(review, bob, 'approve')
    expect(await review.handle.result()).toMatchObject({ status: 'approved' })
    expect(await noticesOf(review, 'review_reminder')).toHaveLength(1)
    expect(await noticesOf(review, 'review_escalated')).toHaveLength(1)
  })

  it('settled in time: no reminder and no escalation', async () => {
    const review = await startReview([stage('Brand', [ann], { kind: 'any' }, 24)])
    await reachStage(review, 0)
    await testEnv.sleep('23h')
    await decide(review, ann, 'approve')
    expect(await review.handle.result()).toMatchObject({ status: 'approved' })
    await testEnv.sleep('48h')
    expect(await noticesOf(review, 'review_reminder')).toHaveLength(0)
    expect(await noticesOf(review, 'review_escalated')).toHaveLength(0)
  })

  it('refuses ineligible, duplicate and malformed decisions in the validator, leaving no trace', async () => {
    const review = await startReview([stage('Brand', [ann, bob], { kind: 'all' })])
    await reachStage(review, 0)
    await expectRejection(decide(review, people.outsiderId, 'approve'), 'FORBIDDEN', /not a reviewer/)
    await decide(review, ann, 'approve')
    await expectRejection(decide(review, ann, 'approve'), 'CONFLICT', /already decided/)
    await expectRejection(decide(review, ann, 'reject'), 'CONFLICT', /already decided/)
    await expectRejection(decide(review, bob, 'approve', 'x'.repeat(5001)), 'BAD_REQUEST', /at most 5000/)
    // Rejected updates never reach the history.
    const history = await review.handle.fetchHistory()
    const accepted = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes) ?? []
    expect(accepted).toHaveLength(1)
    expect(await db.reviewDecision.count({ where: { reviewId: review.reviewId } })).toBe(1)
    await decide(review, bob, 'approve')
    expect(await review.handle.result()).toMatchObject({ status: 'approved' })
  })

  it('takes two racing approvals of an all-quorum stage once each, and promotes once', async () => {
    const review = await startReview([stage('Brand', [ann, bob], { kind: 'all' }), stage('Legal', [cy], { kind: 'any' })])
    await reachStage(review, 0)
    const results = await Promise.allSettled([decide(review, ann, 'approve'), decide(review, bob, 'approve')])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled'])
    await reachStage(review, 1)
    await decide(review, cy, 'approve')
    expect(await review.handle.result()).toMatchObject({ status: 'approved' })
    expect(await db.reviewDecision.count({ where: { reviewId: review.reviewId } })).toBe(3)
    expect(await fixtures.countAuditEvents(db, 'version.promote', review.versionId)).toBe(1)
    expect((await noticesOf(review, 'review_requested')).map((notice) => notice.userId).sort()).toEqual([ann, bob, cy].sort())
  })

  it('lets exactly one of two racing decisions settle an any-quorum stage', async () => {
    const review = await startReview([stage('Brand', [ann, bob], { kind: 'any' })])
    await reachStage(review, 0)
    const results = await Promise.allSettled([decide(review, ann, 'reject', 'No'), decide(review, bob, 'approve')])
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    const refused = results.find((result) => result.status === 'rejected')
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ code: 'CONFLICT' })
    const outcome = await review.handle.result()
    expect(await db.reviewDecision.count({ where: { reviewId: review.reviewId } })).toBe(1)
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: review.versionId } })).toMatchObject({
      status: outcome.status === 'approved' ? 'approved' : 'rejected',
    })
  })

  it('is withdrawn by a signal: no promotion, the version superseded, later decisions refused', async () => {
    const review = await startReview([stage('Brand', [ann, bob], { kind: 'all' })])
    await reachStage(review, 0)
    await decide(review, ann, 'approve')
    await review.handle.signal(withdrawSignal, { actorId: people.uploaderId, reason: 'Version 2 uploaded' })
    expect(await review.handle.result()).toEqual({ status: 'withdrawn', reason: 'Version 2 uploaded', decidedBy: people.uploaderId })
    await expectRejection(decide(review, bob, 'approve'), 'CONFLICT', /already ended/)
    expect(await db.review.findUniqueOrThrow({ where: { id: review.reviewId } })).toMatchObject({
      status: 'cancelled',
      outcomeReason: 'Version 2 uploaded',
    })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: review.versionId } })).toMatchObject({ status: 'superseded' })
    expect(await fixtures.countAuditEvents(db, 'review.cancel', review.reviewId)).toBe(1)
    expect(await fixtures.countAuditEvents(db, 'version.promote', review.versionId)).toBe(0)
  })
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the workflow')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
