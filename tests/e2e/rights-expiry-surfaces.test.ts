/**
 * A grant expiring a few seconds ahead, through the served app: once it passes, every
 * surface a partner or a link holder can reach refuses the asset — the asset page,
 * portal search, the search API, the thumbnail URL, the download, a share link and the
 * asset API — and the asset's rights window carries the expiry out (a takedown notice
 * to the partner who downloaded it). Then the same with the worker and the Temporal
 * server that runs the rights window killed and restarted between the grant and its
 * expiry: the read paths refuse on time regardless, and the notice follows, once, when
 * they are back.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startProcess, type ManagedProcess } from '../support/processes'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()
const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { getTemporalClient } = await import('~/temporal.server')
const { startIngest } = await import('~/assets/start-ingest.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const { reindexAsset } = await import('~/search.server')
const { newShareToken, hashShareToken } = await import('~/share/share-links.server')
const { notifyRightsChanged } = await import('~/rights/rights-window.server')
const { rightsWindowQuery } = await import('../../workflows/rights-window')
const fixtures = await import('../support/review-fixtures')

const webUrl = inject('webUrl')
const db = getDb()
const storage = getStorage()
const PASSWORD = 'damson-demo'
const repoRoot = path.resolve(import.meta.dirname, '../..')

let partnerCookie = ''
let partnerUserId = ''
let people: Awaited<ReturnType<typeof fixtures.createReviewPeople>>
const processes: ManagedProcess[] = []

beforeAll(async () => {
  const response = await fetch(`${webUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: webUrl },
    body: new URLSearchParams({ email: 'partner@acme.test', password: PASSWORD, redirectTo: '' }),
  })
  partnerCookie = response.headers.getSetCookie().map((value) => value.split(';')[0]!).find((pair) => /=.+/.test(pair)) ?? ''
  expect(response.status).toBe(302)
  partnerUserId = (await db.user.findUniqueOrThrow({ where: { email: 'partner@acme.test' } })).id
  people = await fixtures.createReviewPeople(db, 'expiry')
})

afterAll(async () => {
  for (const managed of processes.reverse()) await managed.stop('SIGKILL')
})

/** An approved asset, through the real pipeline (the e2e worker ingests it; a reviewer approves). */
async function approvedAsset(title: string): Promise<{ assetId: string; versionId: string }> {
  const uploaded = await fixtures.createUploadedVersion(db, storage, {
    people,
    title,
    bytes: await fixtures.generatePng(400, 300),
    mediaType: 'image/png',
    filename: 'expiring.png',
  })
  const client = await getTemporalClient()
  const { workflowId } = await startIngest({ ...uploaded, client })
  await client.workflow.getHandle(workflowId).result()
  await submitReviewDecision({ versionId: uploaded.versionId, reviewerId: people.reviewerIds[0], decision: 'approve', client, reviewIsOpen: true })
  await expect.poll(async () => (await db.asset.findUniqueOrThrow({ where: { id: uploaded.assetId } })).currentVersionId, { timeout: 30_000 }).toBe(uploaded.versionId)
  return uploaded
}

function partnerRequest(pathname: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('Cookie', partnerCookie)
  if (init.method === 'POST') headers.set('Origin', webUrl)
  return fetch(`${webUrl}${pathname}`, { ...init, headers, redirect: 'manual' })
}

type Surface = { name: string; served: () => Promise<boolean> }

/** Each way to reach the asset; `served` is true while it hands the asset out. */
function surfaces(asset: { assetId: string; versionId: string; title: string; token: string }): Surface[] {
  const ok = async (response: Response) => {
    await response.arrayBuffer()
    return response.status === 200
  }
  return [
    { name: 'asset page', served: async () => ok(await partnerRequest(`/portal/assets/${asset.assetId}`)) },
    {
      name: 'portal search',
      served: async () => (await (await partnerRequest(`/portal?q=${encodeURIComponent(asset.title)}`)).text()).includes(`/portal/assets/${asset.assetId}`),
    },
    {
      name: 'search API',
      served: async () => {
        const body = (await (await partnerRequest(`/api/v1/assets?q=${encodeURIComponent(asset.title)}`, { headers: { Accept: 'application/json' } })).json()) as {
          assets?: { id: string }[]
        }
        return (body.assets ?? []).some((found) => found.id === asset.assetId)
      },
    },
    { name: 'thumbnail', served: async () => ok(await partnerRequest(`/assets/${asset.assetId}/versions/${asset.versionId}/renditions/thumbnail`)) },
    {
      name: 'download',
      served: async () => {
        const response = await partnerRequest(`/assets/${asset.assetId}/download`, { method: 'POST', body: new URLSearchParams({ channel: 'web', territory: 'GB' }) })
        await response.arrayBuffer()
        return response.status === 303 && (response.headers.get('location') ?? '').includes('/stamped/')
      },
    },
    { name: 'share link', served: async () => ok(await fetch(`${webUrl}/s/${asset.token}`, { redirect: 'manual' })) },
    { name: 'asset API', served: async () => ok(await partnerRequest(`/api/v1/assets/${asset.assetId}`, { headers: { Accept: 'application/json' } })) },
  ]
}

/** The asset with a share link, served everywhere, then a grant expiring at `expiresAt`. */
async function expiringAsset(title: string) {
  const asset = await approvedAsset(title)
  const token = newShareToken()
  await db.shareLink.create({
    data: { assetId: asset.assetId, createdById: people.uploaderId, tokenHash: hashShareToken(token), expiresAt: new Date(Date.now() + 3_600_000) },
  })
  const probes = surfaces({ ...asset, title, token })
  for (const surface of probes) expect(await surface.served(), `${surface.name} serves the asset before the expiry`).toBe(true)
  return { ...asset, probes }
}

async function addExpiringGrant(assetId: string, expiresAt: Date): Promise<void> {
  await db.rightsGrant.create({
    data: { assetId, licenceType: 'rights_managed', licensor: 'Harbour Photo Co', createdById: people.uploaderId, expiresAt, timeZone: 'Europe/London' },
  })
  // As legal's edit would: the index learns the window, the rights window re-plans.
  await reindexAsset(db, assetId)
}

/** Polls every surface from the expiry on; returns how long after it each refused. */
async function refusalLatencies(probes: Surface[], expiresAt: Date): Promise<Record<string, number>> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now())))
  const entries = await Promise.all(
    probes.map(async (surface) => {
      while (await surface.served()) {
        if (Date.now() - expiresAt.getTime() > 10_000) return [surface.name, Number.POSITIVE_INFINITY] as const
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return [surface.name, Date.now() - expiresAt.getTime()] as const
    }),
  )
  return Object.fromEntries(entries)
}

async function downloadAsPartner(assetId: string): Promise<void> {
  const response = await partnerRequest(`/assets/${assetId}/download`, { method: 'POST', body: new URLSearchParams({ channel: 'social', territory: 'GB' }) })
  expect(response.status).toBe(303)
}

const takedownNotices = (assetId: string) => db.takedownNotice.findMany({ where: { assetId, userId: partnerUserId } })

describe('rights expiry on every surface', () => {
  it('blocks the asset everywhere within two seconds of the expiry, and the rights window sends the takedown notice', async () => {
    const asset = await expiringAsset(`Harbour expiring ${Date.now()}`)
    await downloadAsPartner(asset.assetId)
    const expiresAt = new Date(Date.now() + 5_000)
    await addExpiringGrant(asset.assetId, expiresAt)
    await notifyRightsChanged({ assetId: asset.assetId })
    for (const surface of asset.probes) expect(await surface.served(), `${surface.name} still serves it before the expiry`).toBe(true)

    const latencies = await refusalLatencies(asset.probes, expiresAt)
    for (const [name, ms] of Object.entries(latencies)) expect(ms, `${name} refused ${ms} ms after the expiry`).toBeLessThan(2_000)

    await expect.poll(async () => (await takedownNotices(asset.assetId)).length, { timeout: 20_000 }).toBe(1)
    const [notice] = await takedownNotices(asset.assetId)
    // Its own download for social, and the probes' for web, both in Great Britain.
    expect(notice).toMatchObject({ versionId: asset.versionId, territories: ['GB'] })
    expect([...notice!.channels].sort()).toEqual(['social', 'web'])
  })

  it('does the same with the worker and the Temporal server killed and restarted between the grant and its expiry', async () => {
    const temporalCli = process.env.TEMPORAL_CLI_PATH
    expect(temporalCli, 'TEMPORAL_CLI_PATH (npm test installs the Temporal CLI in .tools/)').toBeTruthy()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'damson-rights-temporal-'))
    const address = '127.0.0.1:27433'
    const queues = { TEMPORAL_TASK_QUEUE: `rights-restart-${Date.now()}`, TEMPORAL_MEDIA_TASK_QUEUE: `rights-restart-media-${Date.now()}` }
    const startTemporal = () => {
      const managed = startProcess('rights-temporal', temporalCli!, [
        'server', 'start-dev', '--ip', '127.0.0.1', '--port', '27433', '--http-port', '27435', '--headless',
        '--db-filename', path.join(dataDir, 'temporal.sqlite'), '--log-level', 'warn',
      ], process.env)
      processes.push(managed)
      return managed
    }
    const startWorker = () => {
      const managed = startProcess('rights-worker', 'npx', ['tsx', 'workers/main.ts'], { ...process.env, ...queues, TEMPORAL_ADDRESS: address })
      processes.push(managed)
      return managed
    }
    const connect = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const connection = await Connection.connect({ address, connectTimeout: 1_000 })
          const client = new Client({ connection })
          await client.workflowService.getSystemInfo({})
          return { connection, client }
        } catch (error) {
          if (attempt > 60) throw error
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
      }
    }

    try {
      let temporal = startTemporal()
      let { connection, client } = await connect()
      let worker = startWorker()
      await worker.waitForOutput(/worker ready/, 120_000)

      const asset = await expiringAsset(`Harbour restart ${Date.now()}`)
      await downloadAsPartner(asset.assetId)
      const expiresAt = new Date(Date.now() + 20_000)
      await addExpiringGrant(asset.assetId, expiresAt)
      await notifyRightsChanged({ assetId: asset.assetId, client, taskQueue: queues.TEMPORAL_TASK_QUEUE })
      // The window has planned its timer on this server before everything goes down.
      const window = client.workflow.getHandle(`rights-${asset.assetId}`)
      await expect.poll(async () => (await window.query(rightsWindowQuery)).next?.kind, { timeout: 30_000 }).toBe('expiry')

      await worker.stop('SIGKILL')
      await temporal.stop('SIGKILL')
      await connection.close()
      temporal = startTemporal()
      ;({ connection, client } = await connect())

      // With the worker still down, every read path refuses on time by itself.
      const latencies = await refusalLatencies(asset.probes, expiresAt)
      for (const [name, ms] of Object.entries(latencies)) expect(ms, `${name} refused ${ms} ms after the expiry`).toBeLessThan(2_000)
      expect(await takedownNotices(asset.assetId)).toHaveLength(0)

      worker = startWorker()
      await worker.waitForOutput(/worker ready/, 120_000)
      await expect.poll(async () => (await takedownNotices(asset.assetId)).length, { timeout: 60_000 }).toBe(1)
      expect(await db.rightsChangeHandled.count({ where: { assetId: asset.assetId, kind: 'expiry' } })).toBe(1)
      const handle = client.workflow.getHandle(`rights-${asset.assetId}`)
      expect((await handle.describe()).status.name).toBe('RUNNING')
      await handle.terminate('test over')
      await connection.close()
    } finally {
      for (const managed of processes.splice(0).reverse()) await managed.stop('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
