/**
 * Rights expiry, measured through the real app (`npm run bench:rights`, which brings up a
 * stack of its own with scripts/bench/with-bench-stack.mjs):
 *
 * 1. Expiry to blocked, on every surface a partner can reach: the asset page, search,
 *    the thumbnail URL, the download, a share link and the JSON API. An approved asset
 *    gets a grant expiring EXPIRY_LEAD_MS ahead; each surface is polled as the partner
 *    (every POLL_MS) until it refuses; the latency is refusal time minus the expiry.
 *    Repeated RUNS times; the worst is reported. Baseline in the same run: one request
 *    to each surface, so the latencies read against the cost of a single probe.
 * 2. Windows held: WINDOWS assets, each with a grant expiring somewhere in a 5-minute
 *    span, each with its rights-window workflow started on the dev server. Reports how
 *    many were running when the first expiry came due, then checks every asset is
 *    refused to the partner 2 s after its expiry, and how long the workflows took to
 *    carry out each expiry (durable timer lag).
 *
 *   npm run bench:rights [-- --runs 20 --windows 10000]
 *
 * Last line: `rights: expiry-to-blocked worst = A ms, windows held = N`.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Client, Connection } from '@temporalio/client'
import { createDb } from '~/db.server'
import { signIn as signInAs } from './web-session'
import { getEnv } from '~/env.server'
import { createSearchClient, reindexAsset } from '~/search.server'
import { grantsChangedSignal, rightsWindow } from '../../workflows/rights-window'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    windows: { type: 'string', default: '10000' },
    span: { type: 'string', default: '300' },
  },
})
const RUNS = Math.max(1, Number(values.runs))
const WINDOWS = Math.max(1, Number(values.windows))
const SPAN_MS = Number(values.span) * 1000
const EXPIRY_LEAD_MS = 2_000
const POLL_MS = 20

const webUrl = process.env.BENCH_WEB_URL
if (!webUrl) throw new Error('Run through `npm run bench:rights` (BENCH_WEB_URL is set there)')
const env = getEnv()
const db = createDb(env.DATABASE_URL)
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)

const signIn = (email: string) => signInAs(webUrl!, email)

type Probe = { name: string; refused: () => Promise<boolean> }

async function status(path: string, cookie: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (cookie) headers.set('Cookie', cookie)
  if (init.method === 'POST') headers.set('Origin', webUrl!)
  const response = await fetch(`${webUrl}${path}`, { ...init, headers, redirect: 'manual' })
  await response.arrayBuffer()
  return response
}

/** Every surface a partner (or a share-link holder) can reach the asset by. */
function surfaces(asset: { id: string; title: string; versionId: string; shareToken: string }, partner: string): Probe[] {
  const refusedBy = (response: Response) => response.status === 404 || response.status === 403
  return [
    { name: 'asset page', refused: async () => refusedBy(await status(`/portal/assets/${asset.id}`, partner)) },
    {
      name: 'search',
      refused: async () => {
        const response = await fetch(`${webUrl}/api/v1/assets?q=${encodeURIComponent(asset.title)}`, { headers: { Cookie: partner, Accept: 'application/json' } })
        const body = (await response.json()) as { assets?: { id: string }[] }
        return response.ok && !(body.assets ?? []).some((found) => found.id === asset.id)
      },
    },
    { name: 'thumbnail', refused: async () => refusedBy(await status(`/assets/${asset.id}/versions/${asset.versionId}/renditions/thumbnail`, partner)) },
    {
      name: 'download',
      refused: async () =>
        refusedBy(
          await status(`/assets/${asset.id}/download`, partner, {
            method: 'POST',
            body: new URLSearchParams({ channel: 'web', territory: 'DE' }),
          }),
        ),
    },
    { name: 'share link', refused: async () => refusedBy(await status(`/s/${asset.shareToken}`, null)) },
    { name: 'api', refused: async () => refusedBy(await status(`/api/v1/assets/${asset.id}`, partner, { headers: { Accept: 'application/json' } })) },
  ]
}

async function approvedAssets(count: number) {
  const assets = await db.asset.findMany({
    // Assets without grants of their own (the seed licenses a few), so one expiring grant decides.
    where: { currentVersionId: { not: null }, sharedWithAllPartners: true, status: 'active', rightsGrants: { none: {} } },
    select: { id: true, title: true, currentVersionId: true, createdById: true },
    take: count,
    orderBy: { createdAt: 'asc' },
  })
  if (assets.length === 0) throw new Error('No approved assets: the seed should have made some')
  return assets
}

async function shareLinkFor(assetId: string, createdById: string): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db.shareLink.create({
    data: {
      assetId,
      createdById,
      tokenHash: createHash('sha256').update(token).digest('hex'),
      expiresAt: new Date(Date.now() + 24 * 3_600_000),
    },
  })
  return token
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

async function expiryToBlocked(partner: string): Promise<{ worst: number; bySurface: Map<string, number[]>; baseline: Map<string, number[]> }> {
  const legal = await db.user.findFirstOrThrow({ where: { email: 'legal@damson.test' }, select: { id: true } })
  const pool = await approvedAssets(RUNS)
  const bySurface = new Map<string, number[]>()
  const baseline = new Map<string, number[]>()
  let worst = 0
  for (let run = 0; run < RUNS; run++) {
    const picked = pool[run % pool.length]!
    const asset = { id: picked.id, title: picked.title, versionId: picked.currentVersionId!, shareToken: await shareLinkFor(picked.id, picked.createdById) }
    const probes = surfaces(asset, partner)
    // Before: every surface serves the asset (otherwise the measurement would be meaningless).
    for (const probe of probes) {
      const started = performance.now()
      if (await probe.refused()) throw new Error(`run ${run + 1}: ${probe.name} refuses the asset before its grant expires`)
      baseline.set(probe.name, [...(baseline.get(probe.name) ?? []), performance.now() - started])
    }
    const expiresAt = new Date(Date.now() + EXPIRY_LEAD_MS)
    const grant = await db.rightsGrant.create({
      data: { assetId: asset.id, licenceType: 'rights_managed', licensor: 'Bench', createdById: legal.id, expiresAt },
    })
    await reindexAsset(db, asset.id, search)

    const latencies = await Promise.all(
      probes.map(async (probe) => {
        // Wait for the expiry, then poll until the surface refuses.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now())))
        for (;;) {
          if (await probe.refused()) return { name: probe.name, ms: Date.now() - expiresAt.getTime() }
          if (Date.now() - expiresAt.getTime() > 30_000) return { name: probe.name, ms: Number.POSITIVE_INFINITY }
          await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        }
      }),
    )
    for (const { name, ms } of latencies) {
      bySurface.set(name, [...(bySurface.get(name) ?? []), ms])
      worst = Math.max(worst, ms)
    }
    console.log(`  run ${String(run + 1).padStart(2)}/${RUNS}: ${latencies.map(({ name, ms }) => `${name} ${ms} ms`).join(', ')}`)

    // The asset is usable again for the next run.
    await db.rightsGrant.delete({ where: { id: grant.id } })
    await reindexAsset(db, asset.id, search)
  }
  return { worst, bySurface, baseline }
}

async function windowsHeld(partner: string): Promise<{ held: number; late: number; lagP95: number; lagMax: number; probed: number }> {
  const brand = await db.organisation.findFirstOrThrow({ where: { kind: 'brand' }, select: { id: true } })
  const legal = await db.user.findFirstOrThrow({ where: { email: 'legal@damson.test' }, select: { id: true } })
  const template = await db.assetVersion.findFirstOrThrow({ where: { status: 'approved' }, select: { storageKey: true, sha256: true, bytes: true } })
  const run = randomUUID().slice(0, 8)
  // Every window must be started (and planned) before the first expiry: the dev server
  // (SQLite) starts about 30 a second here while the worker plans them.
  const firstDue = Date.now() + 60_000 + WINDOWS * 40
  const assets = Array.from({ length: WINDOWS }, (_, index) => ({
    id: randomUUID(),
    versionId: randomUUID(),
    expiresAt: new Date(firstDue + Math.floor((index / WINDOWS) * SPAN_MS)),
  }))

  console.log(`windows: creating ${WINDOWS} approved assets with grants expiring over ${SPAN_MS / 1000} s…`)
  for (let from = 0; from < assets.length; from += 1000) {
    const batch = assets.slice(from, from + 1000)
    await db.$transaction(async (tx) => {
      await tx.asset.createMany({
        data: batch.map((asset, index) => ({ id: asset.id, title: `Window ${run} ${from + index}`, kind: 'image', ownerOrganisationId: brand.id, createdById: legal.id })),
      })
      await tx.assetVersion.createMany({
        data: batch.map((asset) => ({
          id: asset.versionId,
          assetId: asset.id,
          number: 1,
          storageKey: template.storageKey,
          sha256: template.sha256,
          bytes: template.bytes,
          mediaType: 'image/jpeg',
          originalFilename: 'window.jpg',
          uploadedById: legal.id,
          status: 'approved',
        })),
      })
      await tx.$executeRaw`UPDATE "Asset" SET "currentVersionId" = v."id" FROM "AssetVersion" v WHERE v."assetId" = "Asset"."id" AND "Asset"."title" LIKE ${`Window ${run} %`} AND "Asset"."currentVersionId" IS NULL`
      await tx.rightsGrant.createMany({
        data: batch.map((asset) => ({ assetId: asset.id, licenceType: 'royalty_free' as const, licensor: 'Bench', createdById: legal.id, expiresAt: asset.expiresAt })),
      })
    })
  }

  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS })
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE })
  console.log(`windows: starting ${WINDOWS} rights-window workflows…`)
  const started = Date.now()
  let next = 0
  let done = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < assets.length) {
        const asset = assets[next++]!
        await client.workflow.signalWithStart(rightsWindow, {
          workflowId: `rights-${asset.id}`,
          taskQueue: env.TEMPORAL_TASK_QUEUE,
          args: [{ assetId: asset.id }],
          signal: grantsChangedSignal,
          signalArgs: [],
        })
        if (++done % 2000 === 0) console.log(`  ${done} started`)
      }
    }),
  )
  console.log(`windows: ${WINDOWS} started in ${((Date.now() - started) / 1000).toFixed(1)} s; first expiry in ${((firstDue - Date.now()) / 1000).toFixed(0)} s`)
  if (Date.now() > firstDue) throw new Error('starting the windows took longer than the lead time; lower --windows or raise the lead')

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstDue - Date.now() - 1000)))
  const held = (await client.workflow.count(`WorkflowType = "rightsWindow" AND ExecutionStatus = "Running" AND WorkflowId STARTS_WITH "rights-"`)).count
  console.log(`windows: ${held} rights windows running as the first expiry comes due`)

  // Every asset, as it falls due: the partner must be refused 2 s after its expiry (through
  // the JSON API, the cheapest surface; the others answer the same, see the first part).
  let late = 0
  let probed = 0
  let worstCheckDelay = 0
  let cursor = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (cursor < assets.length) {
        const asset = assets[cursor++]!
        const checkAt = asset.expiresAt.getTime() + 2_000
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, checkAt - Date.now())))
        const response = await status(`/api/v1/assets/${asset.id}`, partner, { headers: { Accept: 'application/json' } })
        worstCheckDelay = Math.max(worstCheckDelay, Date.now() - checkAt)
        probed++
        if (response.status !== 404) late++
      }
    }),
  )
  console.log(`windows: every asset checked 2 s after its expiry (each check answered within ${worstCheckDelay} ms of that moment)`)
  // Let the last timers fire, then read how late each workflow carried its expiry out.
  await new Promise((resolve) => setTimeout(resolve, 10_000))
  const lags = (
    await db.$queryRaw<{ lag: number }[]>`SELECT EXTRACT(EPOCH FROM ("handledAt" - "at")) * 1000 AS lag FROM "RightsChangeHandled" h JOIN "Asset" a ON a."id" = h."assetId" WHERE a."title" LIKE ${`Window ${run} %`} AND h."kind" = 'expiry'`
  ).map((row) => Number(row.lag))
  console.log(`windows: ${lags.length}/${WINDOWS} expiries carried out by their workflows; lag p50 ${percentile(lags, 50).toFixed(0)} ms, p95 ${percentile(lags, 95).toFixed(0)} ms, max ${Math.max(0, ...lags).toFixed(0)} ms`)
  await connection.close()
  return { held, late, lagP95: percentile(lags, 95), lagMax: Math.max(0, ...lags), probed }
}

async function main(): Promise<void> {
  const partner = await signIn('partner@acme.test')
  console.log(`bench:rights: ${RUNS} expiry runs over 6 surfaces, then ${WINDOWS} windows expiring over ${SPAN_MS / 1000} s`)
  const { worst, bySurface, baseline } = await expiryToBlocked(partner)
  for (const [name, values] of bySurface) {
    const base = baseline.get(name) ?? [0]
    console.log(`  ${name.padEnd(11)} expiry-to-blocked p50 ${percentile(values, 50)} ms, worst ${Math.max(...values)} ms (one request: p50 ${percentile(base, 50).toFixed(0)} ms)`)
  }
  const windows = await windowsHeld(partner)
  console.log(`windows: ${windows.probed} assets checked 2 s after their expiry, ${windows.late} still served`)
  console.log(`rights: expiry-to-blocked worst = ${worst} ms, windows held = ${windows.held}`)
}

try {
  await main()
} finally {
  await db.$disconnect()
}
