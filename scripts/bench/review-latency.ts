/**
 * Review latency through the real web app, as people see it (`npm run bench:review`,
 * which brings up a stack of its own with scripts/bench/with-bench-stack.mjs):
 *
 * - inbox: from an upload's response (the file is stored) until the version is listed
 *   in the first reviewer's inbox page (ingest, renditions, index, review opened);
 * - approval-to-partner: from the approving reviewer's response until the partner's
 *   page for the asset answers 200 (promotion, reindex).
 *
 * Both are polled every POLL_MS through HTTP with each role's session. Baseline, in the
 * same run: how long one render of the inbox and of the partner's asset page takes, so
 * the latencies can be read against what a single page view costs here.
 *
 *   npm run bench:review [-- --reviews 60 --concurrency 1]
 *
 * Last line: `review: inbox p95 = A ms, approval-to-partner p95 = B ms`.
 */
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { createDb } from '~/db.server'
import { signIn as signInAs } from './web-session'

const { values } = parseArgs({
  options: {
    reviews: { type: 'string', default: '60' },
    // One review at a time measures latency. More at once measures it under load, where on a
    // 2-core machine the pollers themselves (one inbox render every 25 ms each) take most of the CPU.
    concurrency: { type: 'string', default: '1' },
  },
})
const REVIEWS = Math.max(50, Number(values.reviews))
const CONCURRENCY = Math.max(1, Number(values.concurrency))
const POLL_MS = 25
const TIMEOUT_MS = 60_000

const webUrl = process.env.BENCH_WEB_URL
const databaseUrl = process.env.DATABASE_URL
if (!webUrl || !databaseUrl) throw new Error('Run through `npm run bench:review` (BENCH_WEB_URL and DATABASE_URL are set there)')
const db = createDb(databaseUrl)

const signIn = (email: string) => signInAs(webUrl!, email)

function request(path: string, cookie: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('Cookie', cookie)
  if (init.method === 'POST') headers.set('Origin', webUrl!)
  return fetch(`${webUrl}${path}`, { ...init, headers, redirect: 'manual' })
}

/** Polls until `check` holds; returns when it first did (ms since epoch). */
async function pollUntil(check: () => Promise<boolean>, what: string): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS
  for (;;) {
    if (await check()) return Date.now()
    if (Date.now() > deadline) throw new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

function uniqueJpeg(index: number): Promise<Buffer> {
  const hue = (index * 47) % 360
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <rect width="100%" height="100%" fill="hsl(${hue},55%,45%)"/>
    <circle cx="${400 + index * 7}" cy="500" r="260" fill="hsl(${(hue + 180) % 360},60%,60%)"/>
    <text x="80" y="160" font-size="96" font-family="sans-serif" fill="#fff">Bench review ${index}</text></svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}

type Sessions = { librarian: string; reviewer: string; partner: string }
type Measured = { inboxMs: number; partnerMs: number }

async function oneReview(index: number, sessions: Sessions): Promise<Measured> {
  const form = new FormData()
  form.set('title', `Bench review ${index}`)
  form.set('folderPath', '/bench')
  form.set('file', new Blob([new Uint8Array(await uniqueJpeg(index))], { type: 'image/jpeg' }), `bench-${index}.jpg`)
  const uploaded = await request('/library/upload', sessions.librarian, { method: 'POST', body: form })
  const uploadedAt = Date.now()
  const location = uploaded.headers.get('location') ?? ''
  const versionId = new URL(location, webUrl).searchParams.get('uploaded')
  if (uploaded.status !== 303 || !versionId) throw new Error(`upload ${index} answered ${uploaded.status} ${location}`)
  const { assetId } = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { assetId: true } })

  const inInboxAt = await pollUntil(async () => {
    const inbox = await request('/reviews', sessions.reviewer)
    return inbox.ok && (await inbox.text()).includes(`/reviews/${versionId}`)
  }, `version ${versionId} in the reviewer's inbox`)

  const decided = await request(`/reviews/${versionId}`, sessions.reviewer, {
    method: 'POST',
    body: new URLSearchParams({ intent: 'decide', decision: 'approve', comment: 'Benchmark approval' }),
  })
  const approvedAt = Date.now()
  if (decided.status !== 302 && decided.status !== 303) throw new Error(`approving ${versionId} answered ${decided.status}: ${(await decided.text()).slice(0, 300)}`)

  const seenAt = await pollUntil(async () => {
    const page = await request(`/portal/assets/${assetId}`, sessions.partner)
    await page.arrayBuffer()
    return page.status === 200
  }, `asset ${assetId} on the partner's page`)

  return { inboxMs: inInboxAt - uploadedAt, partnerMs: seenAt - approvedAt }
}

async function timeRenders(path: string, cookie: string, times: number): Promise<number[]> {
  const durations: number[] = []
  for (let i = 0; i < times; i++) {
    const started = performance.now()
    const response = await request(path, cookie)
    await response.arrayBuffer()
    durations.push(performance.now() - started)
  }
  return durations
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const summary = (values: readonly number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`

async function main(): Promise<void> {
  const sessions: Sessions = {
    librarian: await signIn('librarian@damson.test'),
    reviewer: await signIn('reviewer@damson.test'),
    partner: await signIn('partner@acme.test'),
  }
  console.log(`bench:review: ${REVIEWS} reviews (one-stage default policy), ${CONCURRENCY} at a time, polling every ${POLL_MS} ms`)

  // Warm-up (first renders compile routes and fill caches); not counted.
  await oneReview(0, sessions)

  const results: Measured[] = []
  let next = 1
  const started = Date.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next <= REVIEWS) {
        const index = next++
        const measured = await oneReview(index, sessions)
        results.push(measured)
        console.log(`  review ${String(results.length).padStart(3)}/${REVIEWS}: inbox ${measured.inboxMs} ms, approval-to-partner ${measured.partnerMs} ms`)
      }
    }),
  )
  const elapsed = (Date.now() - started) / 1000

  const [someVersion] = await db.assetVersion.findMany({ where: { status: 'approved' }, take: 1, select: { assetId: true } })
  const inboxRender = await timeRenders('/reviews', sessions.reviewer, 20)
  const partnerRender = someVersion ? await timeRenders(`/portal/assets/${someVersion.assetId}`, sessions.partner, 20) : [0]

  const inbox = results.map((result) => result.inboxMs)
  const partner = results.map((result) => result.partnerMs)
  console.log(`reviews: ${results.length} in ${elapsed.toFixed(1)} s`)
  console.log(`upload to inbox:          ${summary(inbox)}`)
  console.log(`approval to partner:      ${summary(partner)}`)
  console.log(`baseline, inbox render:   ${summary(inboxRender)} (inbox p95 = ${(percentile(inbox, 95) / percentile(inboxRender, 95)).toFixed(1)}x one render)`)
  console.log(`baseline, partner render: ${summary(partnerRender)} (approval-to-partner p95 = ${(percentile(partner, 95) / percentile(partnerRender, 95)).toFixed(1)}x one render)`)
  console.log(`review: inbox p95 = ${percentile(inbox, 95).toFixed(0)} ms, approval-to-partner p95 = ${percentile(partner, 95).toFixed(0)} ms`)
}

try {
  await main()
} finally {
  await db.$disconnect()
}
