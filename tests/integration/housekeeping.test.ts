/**
 * Housekeeping against the real stack: the test stack's PostgreSQL and Temporal dev
 * server, with a worker running only the housekeeping workflow in-process on a task
 * queue of its own.
 *
 * Other test files share the database and may leave expired sessions or old attempts
 * behind, so deleted counts are checked as "at least ours"; our own rows are checked
 * one by one.
 */
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { ScheduleDescriptionStartWorkflowAction } from '@temporalio/client'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HousekeepingResult } from '../../workflows/housekeeping'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()
// Each test file has its own process (forks pool), so this runtime is ours alone.
Runtime.install({ logger: new DefaultLogger('WARN') })
const run = randomUUID().slice(0, 8)
const taskQueue = `test-housekeeping-${run}`
// Not the real `housekeeping` id: a worker on the same test stack may own that one.
const scheduleId = `housekeeping-test-${run}`

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { createHousekeepingActivities } = await import('../../workers/activities/housekeeping')
const { ensureHousekeepingSchedule } = await import('../../workers/housekeeping-schedule')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const HOUR_MS = 3600_000

let testEnv: TestWorkflowEnvironment
let worker: Worker
let running: Promise<void>

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createFromExistingServer({ address: env.TEMPORAL_ADDRESS })
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    namespace: testEnv.namespace ?? 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../support/housekeeping-workflows.ts', import.meta.url)),
    activities: createHousekeepingActivities({ db, temporal: testEnv.client, taskQueue }),
  })
  running = worker.run()
})

afterAll(async () => {
  await testEnv?.client.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined)
  if (worker?.getState() === 'RUNNING') worker.shutdown()
  await running
  await testEnv?.teardown()
  await db.$disconnect()
})

function runHousekeeping(): Promise<HousekeepingResult> {
  return testEnv.client.workflow.execute('housekeeping', {
    taskQueue,
    workflowId: `housekeeping-test-${randomUUID()}`,
    args: [],
  })
}

async function seed() {
  const now = Date.now()
  const email = `housekeeping-${run}-${randomUUID().slice(0, 8)}@example.test`
  const user = await db.user.create({ data: { email, name: `Housekeeping ${run}`, passwordHash: 'not-a-real-hash' } })
  const attempt = async (ageMs: number) =>
    (
      await db.signInAttempt.create({
        data: { email, ipAddress: '203.0.113.7', succeeded: false, createdAt: new Date(now - ageMs) },
        select: { id: true },
      })
    ).id
  const session = async (expiresInMs: number) =>
    (
      await db.session.create({
        data: { id: randomUUID(), userId: user.id, expiresAt: new Date(now + expiresInMs) },
        select: { id: true },
      })
    ).id
  return {
    oldAttempts: [await attempt(25 * HOUR_MS), await attempt(30 * 24 * HOUR_MS)],
    // Within a day: one inside the rate-limit window, one well past it but kept.
    freshAttempts: [await attempt(60_000), await attempt(23 * HOUR_MS)],
    expiredSessions: [await session(-60_000), await session(-40 * 24 * HOUR_MS)],
    liveSessions: [await session(HOUR_MS), await session(30 * 24 * HOUR_MS)],
  }
}

async function remainingAttempts(ids: string[]): Promise<string[]> {
  const rows = await db.signInAttempt.findMany({ where: { id: { in: ids } }, select: { id: true } })
  return rows.map((row) => row.id).sort()
}

async function remainingSessions(ids: string[]): Promise<string[]> {
  const rows = await db.session.findMany({ where: { id: { in: ids } }, select: { id: true } })
  return rows.map((row) => row.id).sort()
}

describe('housekeeping workflow', () => {
  it('deletes attempts older than a day and expired sessions, and nothing else', async () => {
    const rows = await seed()

    const result = await runHousekeeping()
    expect(result.signInAttemptsDeleted).toBeGreaterThanOrEqual(rows.oldAttempts.length)
    expect(result.sessionsDeleted).toBeGreaterThanOrEqual(rows.expiredSessions.length)

    expect(await remainingAttempts([...rows.oldAttempts, ...rows.freshAttempts])).toEqual([...rows.freshAttempts].sort())
    expect(await remainingSessions([...rows.expiredSessions, ...rows.liveSessions])).toEqual([...rows.liveSessions].sort())
  })

  it('is idempotent: passes run again (or retried activities) keep the fresh rows and find nothing old', async () => {
    const rows = await seed()
    await runHousekeeping()

    const again = await runHousekeeping()
    expect(again).toEqual({ signInAttemptsDeleted: expect.any(Number), sessionsDeleted: expect.any(Number), rightsWindowsSignalled: expect.any(Number), distributionsSignalled: expect.any(Number) })
    const activities = createHousekeepingActivities({ db, temporal: testEnv.client, taskQueue })
    await activities.pruneSignInAttempts()
    await activities.deleteExpiredSessions()

    expect(await remainingAttempts([...rows.oldAttempts, ...rows.freshAttempts])).toEqual([...rows.freshAttempts].sort())
    expect(await remainingSessions([...rows.expiredSessions, ...rows.liveSessions])).toEqual([...rows.liveSessions].sort())
    expect(await db.signInAttempt.count({ where: { createdAt: { lt: new Date(Date.now() - 24 * HOUR_MS) } } })).toBe(0)
  })
})

/** Our schedule's entries in the schedule list, which is eventually consistent: polled briefly. */
async function listedScheduleIds(): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const ids: string[] = []
    for await (const schedule of testEnv.client.schedule.list()) if (schedule.scheduleId === scheduleId) ids.push(schedule.scheduleId)
    if (ids.length > 0 || attempt >= 20) return ids
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describe('ensureHousekeepingSchedule', () => {
  it('creates one hourly schedule running the workflow on the task queue, and leaves it alone after', async () => {
    expect(await ensureHousekeepingSchedule(testEnv.client, taskQueue, { scheduleId })).toEqual({ scheduleId, created: true })
    expect(await ensureHousekeepingSchedule(testEnv.client, taskQueue, { scheduleId })).toEqual({ scheduleId, created: false })

    expect(await listedScheduleIds()).toEqual([scheduleId])

    const description = await testEnv.client.schedule.getHandle(scheduleId).describe()
    const action = description.action as ScheduleDescriptionStartWorkflowAction
    expect(action).toMatchObject({ type: 'startWorkflow', workflowType: 'housekeeping', taskQueue, workflowId: scheduleId })
    expect(description.spec.intervals?.map((interval) => interval.every)).toEqual([HOUR_MS])
    expect(description.policies.overlap).toBe('SKIP')
    expect(description.state.paused).toBe(false)
  })

  it('starts a housekeeping pass when triggered', async () => {
    await ensureHousekeepingSchedule(testEnv.client, taskQueue, { scheduleId })
    const handle = testEnv.client.schedule.getHandle(scheduleId)
    await handle.trigger()
    let workflowId: string | undefined
    for (let attempt = 0; !workflowId && attempt < 40; attempt++) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId
      if (!workflowId) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(workflowId).toMatch(new RegExp(`^${scheduleId}-`))
    const result = (await testEnv.client.workflow.getHandle(workflowId ?? '').result()) as HousekeepingResult
    expect(result).toEqual({ signInAttemptsDeleted: expect.any(Number), sessionsDeleted: expect.any(Number), rightsWindowsSignalled: expect.any(Number), distributionsSignalled: expect.any(Number) })
  })

  it('signals the rights window of an asset whose grant was edited while Temporal was unreachable', async () => {
    const fixtures = await import('../support/review-fixtures')
    const { getStorage } = await import('~/storage.server')
    const people = await fixtures.createReviewPeople(db, 'reconcile')
    const { assetId } = await fixtures.createUploadedVersion(db, getStorage(), {
      people,
      bytes: await fixtures.generatePng(16, 16),
      mediaType: 'image/png',
      filename: 'reconcile.png',
    })
    // Written without the signal the grants use case would send.
    await db.rightsGrant.create({
      data: { assetId, licenceType: 'owned', createdById: people.uploaderId, expiresAt: new Date(Date.now() + 30 * 24 * HOUR_MS) },
    })
    const window = testEnv.client.workflow.getHandle(`rights-${assetId}`)
    await expect(window.describe()).rejects.toThrow()

    const result = await runHousekeeping()
    expect(result.rightsWindowsSignalled).toBeGreaterThanOrEqual(1)
    const described = await window.describe()
    expect(described.status.name).toBe('RUNNING')
    expect(described.taskQueue).toBe(taskQueue)
    await window.terminate('test over')
  })

  it('signals a distribution left unsettled (a request whose signal was lost)', async () => {
    const fixtures = await import('../support/review-fixtures')
    const { getStorage } = await import('~/storage.server')
    const { distributionWorkflowId } = await import('~/distribution/distribution-signals.server')
    const people = await fixtures.createReviewPeople(db, 'reconcile-distribution')
    const { assetId } = await fixtures.createUploadedVersion(db, getStorage(), {
      people,
      bytes: await fixtures.generatePng(16, 16),
      mediaType: 'image/png',
      filename: 'reconcile.png',
    })
    const channel = await db.channel.create({
      data: { name: `Reconcile ${assetId}`, kind: 'folder', destination: { kind: 'folder', path: 'reconcile' }, preset: {}, rightsChannel: 'web', enabled: false },
    })
    // A publish request recorded an hour ago whose signal never arrived.
    await db.$executeRaw`INSERT INTO "Distribution" (id, "assetId", "channelId", state, "updatedAt") VALUES (${`reconcile-${assetId}`}, ${assetId}, ${channel.id}, 'pending', now() - interval '1 hour')`
    const workflow = testEnv.client.workflow.getHandle(distributionWorkflowId(channel.id, assetId))
    await expect(workflow.describe()).rejects.toThrow()
    // A takedown request for a rights channel the asset is live on nowhere: nothing to do but record it done.
    const request = await db.takedownRequest.create({
      data: { assetId, channel: 'social', reason: 'Rights expired', effectiveAt: new Date(Date.now() - HOUR_MS), dedupeKey: `reconcile-${assetId}` },
    })

    const result = await runHousekeeping()
    expect(result.distributionsSignalled).toBeGreaterThanOrEqual(1)
    const described = await workflow.describe()
    expect(described.status.name).toBe('RUNNING')
    expect(described.taskQueue).toBe(`${taskQueue}-distribution`)
    await workflow.terminate('test over')
    expect(await db.takedownRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: 'done', outcome: 'Not live on any channel' })
  })
})
