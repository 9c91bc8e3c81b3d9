/**
 * The rights-window workflow on Temporal's time-skipping test server, with the real
 * rights activities writing to the test stack's PostgreSQL and Typesense: embargo
 * then open, warning then expiry (takedown notices to the partners in the download
 * ledger, takedown requests for channels), extension before expiry, an expiry moved
 * into the past, revocation, overlapping grants, and continue-as-new keeping the plan.
 * Grant instants are set on the test server's clock, which skips while a test waits.
 */
import { randomUUID } from 'node:crypto'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-rights')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { notifyRightsChanged, rightsWindowWorkflowId } = await import('~/rights/rights-window.server')
const { createRightsActivities } = await import('../../workers/activities/rights')
const { bundleDamsonWorkflows } = await import('../../workers/main')
const { grantsChangedSignal, rightsWindow, rightsWindowQuery } = await import('../../workflows/rights-window')
const fixtures = await import('../support/review-fixtures')

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
const HOUR = 3_600_000

let testEnv: TestWorkflowEnvironment
let worker: Worker
let running: Promise<void>
let people: Awaited<ReturnType<typeof fixtures.createReviewPeople>>
let legalId: string
/** Two partner organisations with one user each. */
let acme: { organisationId: string; userId: string }
let bolt: { organisationId: string; userId: string }

beforeAll(async () => {
  await ensureSearchCollections(search)
  const testServer = process.env.TEMPORAL_TEST_SERVER_PATH
  if (!testServer) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run through `npm test`')
  testEnv = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } })
  worker = await Worker.create({
    connection: testEnv.nativeConnection,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    workflowBundle: await bundleDamsonWorkflows(),
    activities: createRightsActivities({ db, search, publicUrl: 'https://damson.example' }),
  })
  running = worker.run()
  people = await fixtures.createReviewPeople(db, 'rights')
  legalId = await member(people.organisationId, 'legal')
  acme = await partner('acme')
  bolt = await partner('bolt')
}, 180_000)

afterAll(async () => {
  worker?.shutdown()
  await running
  await testEnv?.teardown()
  await db.$disconnect()
})

async function member(organisationId: string, role: 'legal' | 'partner'): Promise<string> {
  const user = await db.user.create({
    data: {
      email: `${role}-${randomUUID().slice(0, 8)}@example.test`,
      name: `${role} ${randomUUID().slice(0, 4)}`,
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId, roles: [role] } },
    },
  })
  return user.id
}

async function partner(name: string) {
  const slug = `${name}-${randomUUID().slice(0, 8)}`
  const organisation = await db.organisation.create({ data: { name: `${name} ${slug}`, slug, kind: 'partner' } })
  return { organisationId: organisation.id, userId: await member(organisation.id, 'partner') }
}

const serverNow = async () => new Date(await testEnv.currentTimeMs())
const hoursFrom = (at: Date, hours: number) => new Date(at.getTime() + hours * HOUR)

/** An asset with one version and grants (instants relative to the test server's clock). */
async function assetWithGrants(grants: Partial<Parameters<typeof db.rightsGrant.create>[0]['data']>[]) {
  const { assetId, versionId } = await fixtures.createUploadedVersion(db, storage, {
    people,
    bytes: await fixtures.generatePng(32, 32),
    mediaType: 'image/png',
    filename: 'rights.png',
  })
  const ids: string[] = []
  for (const grant of grants) {
    const created = await db.rightsGrant.create({
      data: { assetId, licenceType: 'royalty_free', licensor: 'Stock Co', createdById: legalId, timeZone: 'Europe/Berlin', warnBeforeDays: 0, ...grant } as Parameters<typeof db.rightsGrant.create>[0]['data'],
    })
    ids.push(created.id)
  }
  return { assetId, versionId, grantIds: ids }
}

async function download(assetId: string, versionId: string, who: { organisationId: string; userId: string }, channel: string, territory: string) {
  await db.downloadRecord.create({ data: { assetId, versionId, userId: who.userId, organisationId: who.organisationId, channel, territory } })
}

const startWindow = (assetId: string) =>
  notifyRightsChanged({ assetId, client: testEnv.client, taskQueue: env.TEMPORAL_TASK_QUEUE })

const handledKinds = async (assetId: string) =>
  (await db.rightsChangeHandled.findMany({ where: { assetId }, orderBy: { at: 'asc' } })).map((row) => row.kind)

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The workflow has planned and is waiting for `nextKind` (or for nothing when null). */
async function waitUntilPlanned(assetId: string, nextKind: string | null): Promise<void> {
  const handle = testEnv.client.workflow.getHandle(rightsWindowWorkflowId(assetId))
  await waitFor(async () => {
    const state = await handle.query(rightsWindowQuery)
    return state.plannedAt !== null && (state.next?.kind ?? null) === nextKind
  }, `a plan waiting for ${nextKind ?? 'nothing'}`)
}

describe('rights window (time-skipping server, real activities)', () => {
  it('opens an embargoed asset at the start and records it', async () => {
    const now = await serverNow()
    const { assetId } = await assetWithGrants([{ startsAt: hoursFrom(now, 10) }])
    await startWindow(assetId)
    await waitUntilPlanned(assetId, 'start')
    expect(await handledKinds(assetId)).toEqual([])
    await testEnv.sleep('11h')
    await waitFor(async () => (await handledKinds(assetId)).includes('start'), 'the start')
    expect(await fixtures.countAuditEvents(db, 'rights.start', assetId)).toBe(1)
    await waitUntilPlanned(assetId, null)
  })

  it('warns legal and the owner before expiry, then expires: takedown notices and channel takedown requests', async () => {
    const now = await serverNow()
    const { assetId, versionId } = await assetWithGrants([{ expiresAt: hoursFrom(now, 72), warnBeforeDays: 2, channels: ['web', 'print'] }])
    await download(assetId, versionId, acme, 'web', 'DE')
    await download(assetId, versionId, acme, 'print', 'FR')
    await download(assetId, versionId, bolt, 'print', 'US')
    await startWindow(assetId)
    await waitUntilPlanned(assetId, 'warn')

    await testEnv.sleep('25h') // past the warning (72 h − 48 h)
    await waitFor(async () => (await handledKinds(assetId)).includes('warn'), 'the warning')
    const warned = await db.notification.findMany({ where: { kind: 'rights_expiring', link: `/library/assets/${assetId}/rights` } })
    expect(warned.map((notice) => notice.userId).sort()).toEqual([legalId, people.uploaderId].sort())
    expect(await db.takedownNotice.count({ where: { assetId } })).toBe(0)

    await testEnv.sleep('48h') // past the expiry
    await waitFor(async () => (await handledKinds(assetId)).includes('expiry'), 'the expiry')
    const notices = await db.takedownNotice.findMany({ where: { assetId }, orderBy: { userId: 'asc' } })
    expect(notices.map((notice) => notice.userId).sort()).toEqual([acme.userId, bolt.userId].sort())
    const acmeNotice = notices.find((notice) => notice.userId === acme.userId)!
    expect(acmeNotice.channels.sort()).toEqual(['print', 'web'])
    expect(acmeNotice.versionId).toBe(versionId)
    expect(await db.notification.count({ where: { kind: 'takedown_notice', id: { in: notices.map((notice) => notice.notificationId!) } } })).toBe(2)
    const requests = await db.takedownRequest.findMany({ where: { assetId }, orderBy: { channel: 'asc' } })
    expect(requests.map((request) => request.channel)).toEqual(['print', 'web'])
    expect(await fixtures.countAuditEvents(db, 'rights.warn', assetId)).toBe(1)
    expect(await fixtures.countAuditEvents(db, 'rights.expire', assetId)).toBe(1)
  })

  it('extended before expiry: nothing expires at the old time, and it expires at the new one', async () => {
    const now = await serverNow()
    const { assetId, versionId, grantIds } = await assetWithGrants([{ expiresAt: hoursFrom(now, 10) }])
    await download(assetId, versionId, acme, 'web', 'DE')
    await startWindow(assetId)
    await waitUntilPlanned(assetId, 'expiry')
    await testEnv.sleep('5h')
    await db.rightsGrant.update({ where: { id: grantIds[0]! }, data: { expiresAt: hoursFrom(now, 30) } })
    await startWindow(assetId)
    await waitFor(async () => {
      const state = await testEnv.client.workflow.getHandle(rightsWindowWorkflowId(assetId)).query(rightsWindowQuery)
      return state.next?.at === hoursFrom(now, 30).toISOString()
    }, 're-planned expiry')
    await testEnv.sleep('7h') // 12 h: past the old expiry
    expect(await handledKinds(assetId)).toEqual([])
    expect(await db.takedownNotice.count({ where: { assetId } })).toBe(0)
    await testEnv.sleep('20h') // 32 h
    await waitFor(async () => (await handledKinds(assetId)).includes('expiry'), 'the new expiry')
    expect(await db.takedownNotice.count({ where: { assetId } })).toBe(1)
  })

  it('an expiry moved into the past is handled at once', async () => {
    const now = await serverNow()
    const { assetId, versionId, grantIds } = await assetWithGrants([{ expiresAt: hoursFrom(now, 100) }])
    await download(assetId, versionId, bolt, 'social', 'GB')
    await startWindow(assetId)
    await waitUntilPlanned(assetId, 'expiry')
    await db.rightsGrant.update({ where: { id: grantIds[0]! }, data: { expiresAt: hoursFrom(now, -1) } })
    await startWindow(assetId)
    await waitFor(async () => (await handledKinds(assetId)).includes('expiry'), 'the expiry')
    expect(await db.takedownNotice.findMany({ where: { assetId } })).toMatchObject([{ userId: bolt.userId, channels: ['social'], territories: ['GB'] }])
  })

  it('revocation blocks and notifies; a grant still in force for other uses keeps those', async () => {
    const now = await serverNow()
    const { assetId, versionId, grantIds } = await assetWithGrants([
      { channels: ['print'] },
      { channels: ['web'], expiresAt: hoursFrom(now, 1000) },
    ])
    await download(assetId, versionId, acme, 'web', 'DE')
    await download(assetId, versionId, bolt, 'print', 'US')
    await startWindow(assetId)
    await waitUntilPlanned(assetId, 'expiry')
    await db.rightsGrant.update({ where: { id: grantIds[0]! }, data: { revokedAt: now } })
    await startWindow(assetId)
    await waitFor(async () => (await handledKinds(assetId)).includes('revocation'), 'the revocation')
    // Only the print use lost its grant; the web grant still covers Acme.
    expect((await db.takedownNotice.findMany({ where: { assetId } })).map((notice) => notice.userId)).toEqual([bolt.userId])
    expect((await db.takedownRequest.findMany({ where: { assetId } })).map((request) => request.channel)).toEqual(['print'])
    expect(await fixtures.countAuditEvents(db, 'rights.revoke', assetId)).toBe(1)
  })

  it('overlapping grants: the first expiry takes down nothing still covered by the other', async () => {
    const now = await serverNow()
    const { assetId, versionId } = await assetWithGrants([
      { expiresAt: hoursFrom(now, 5) },
      { expiresAt: hoursFrom(now, 15), territories: ['DE'] },
    ])
    await download(assetId, versionId, acme, 'web', 'DE')
    await download(assetId, versionId, bolt, 'web', 'US')
    await startWindow(assetId)
    await waitUntilPlanned(assetId, 'expiry')
    await testEnv.sleep('6h')
    await waitFor(async () => (await handledKinds(assetId)).length === 1, 'the first expiry')
    expect((await db.takedownNotice.findMany({ where: { assetId } })).map((notice) => notice.userId)).toEqual([bolt.userId])
    await testEnv.sleep('10h')
    await waitFor(async () => (await handledKinds(assetId)).length === 2, 'the second expiry')
    expect((await db.takedownNotice.findMany({ where: { assetId }, orderBy: { sentAt: 'asc' } })).map((notice) => notice.userId)).toEqual([bolt.userId, acme.userId])
  })

  it('continues as new and keeps the plan', async () => {
    const now = await serverNow()
    const { assetId } = await assetWithGrants([{ expiresAt: hoursFrom(now, 50) }])
    const handle = await testEnv.client.workflow.signalWithStart(rightsWindow, {
      workflowId: rightsWindowWorkflowId(assetId),
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      args: [{ assetId, plansPerRun: 2 }],
      signal: grantsChangedSignal,
      signalArgs: [],
    })
    const firstRun = (await handle.describe()).runId
    await waitUntilPlanned(assetId, 'expiry')
    for (let i = 0; i < 3; i++) await handle.signal(grantsChangedSignal)
    await waitFor(async () => (await handle.describe()).runId !== firstRun, 'continue-as-new')
    await waitUntilPlanned(assetId, 'expiry')
    await testEnv.sleep('51h')
    await waitFor(async () => (await handledKinds(assetId)).includes('expiry'), 'the expiry after continue-as-new')
    expect(await fixtures.countAuditEvents(db, 'rights.expire', assetId)).toBe(1)
  })
})
