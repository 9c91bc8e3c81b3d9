/**
 * "A 2 GB upload through the real route with the server's RSS growth recorded": 2 GiB,
 * generated as it is sent (never a file on disk), goes through the served app's
 * resumable upload route (server.mjs in front of the built app, a process of its own)
 * with tus-js-client, while the server's resident memory is sampled from
 * /proc/<pid>/status. The growth (peak during the upload minus idle before it) is
 * printed; it must stay far below what buffering the file would take.
 *
 * The file is a small real PNG followed by noise: accepted by the sniffer, hashed and
 * recorded like any upload. No worker polls this file's task queue, so ingest never
 * reads the 2 GiB back; its workflow is terminated at the end.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import * as tus from 'tus-js-client'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { residentBytes, startServedApp, type ServedApp } from '../support/served-app'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
useOwnTaskQueues('upload-memory')

const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { hashPassword, signIn } = await import('~/auth.server')
const { getTemporalClient } = await import('~/temporal.server')
const { ingestWorkflowId } = await import('~/assets/start-ingest.server')
const { RESUMABLE_CHUNK_BYTES, RESUMABLE_UPLOAD_PATH, UploadBatchJsonSchema } = await import('~/library/upload-protocol')

const TOTAL_BYTES = 2 * 1024 ** 3
/** Buffering the file, or even a few chunks of it, would pass this many times over. */
const GROWTH_LIMIT_BYTES = 256 * 1024 ** 2
const MiB = 1024 * 1024

const db = getDb()
const run = randomUUID().slice(0, 8)
let app: ServedApp
let cookie: string
let versionId: string | null = null

beforeAll(async () => {
  const organisation = await db.organisation.create({ data: { name: `Memory brand ${run}`, slug: `memory-brand-${run}`, kind: 'brand' } })
  const password = `pw-${randomBytes(9).toString('hex')}`
  const email = `librarian-memory-${run}@upload.test`
  await db.user.create({
    data: { email, name: 'Memory Librarian', passwordHash: await hashPassword(password), memberships: { create: { organisationId: organisation.id, roles: ['librarian'] } } },
  })
  const signedIn = await signIn({ email, password, ipAddress: `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`, userAgent: 'vitest' })
  if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.message}`)
  cookie = signedIn.setCookie.split(';')[0] ?? ''
  app = await startServedApp(`upload-memory-web-${run}`)
  if (!app.pid) throw new Error('the memory test needs the served app’s process id (DAMSON_SERVED_APP_PID with DAMSON_SERVED_APP_URL)')
}, 600_000)

afterAll(async () => {
  await app?.stop()
  if (versionId) {
    const temporal = await getTemporalClient()
    await temporal.workflow.getHandle(ingestWorkflowId(versionId)).terminate('memory test finished').catch(() => undefined)
    // The 2 GiB object is only a measurement: remove it with its rows.
    const version = await db.assetVersion.findUnique({ where: { id: versionId }, select: { assetId: true, storageKey: true } })
    if (version) {
      await getStorage().delete(version.storageKey).catch(() => undefined)
      await db.asset.delete({ where: { id: version.assetId } }).catch(() => undefined)
    }
  }
  await db.$disconnect()
})

/** `total` bytes: the PNG, then noise made as the client reads (fresh buffers, like a network stream). */
function generated(png: Buffer, total: number, hash: ReturnType<typeof createHash>): Readable {
  const noise = randomBytes(MiB)
  let sent = 0
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null)
        return
      }
      const chunk = sent === 0 ? png : Buffer.from(noise.subarray(0, Math.min(MiB, total - sent)))
      sent += chunk.length
      hash.update(chunk)
      this.push(chunk)
    },
  })
}

it('takes 2 GiB through the resumable upload route with the server’s memory flat', async () => {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#48c' } }).png().toBuffer()
  const hash = createHash('sha256')
  const source = generated(png, TOTAL_BYTES, hash)

  // Idle: the server has answered requests (sign-in page, a first upload creation) and settled.
  await fetch(`${app.url}/login`)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const idle = await residentBytes(app.pid)
  let peak = idle
  const sampler = setInterval(() => {
    residentBytes(app.pid).then(
      (rss) => (peak = Math.max(peak, rss)),
      () => undefined,
    )
  }, 100)

  const started = Date.now()
  const body = await new Promise<string>((resolve, reject) => {
    const upload = new tus.Upload(source, {
      endpoint: `${app.url}${RESUMABLE_UPLOAD_PATH}`,
      headers: { cookie, origin: app.url },
      metadata: { filename: 'two-gigabytes.png', folderPath: '/memory' },
      uploadSize: TOTAL_BYTES,
      chunkSize: RESUMABLE_CHUNK_BYTES,
      retryDelays: [],
      storeFingerprintForResuming: false,
      onSuccess: ({ lastResponse }) => resolve(lastResponse.getBody()),
      onError: reject,
    })
    upload.start()
  }).finally(() => clearInterval(sampler))
  const seconds = (Date.now() - started) / 1000

  const growth = peak - idle
  console.log(
    `upload-memory: ${TOTAL_BYTES / MiB} MB in ${seconds.toFixed(1)} s (${(TOTAL_BYTES / MiB / seconds).toFixed(0)} MB/s), ` +
      `idle server RSS = ${(idle / MiB).toFixed(0)} MB, peak = ${(peak / MiB).toFixed(0)} MB, growth = ${(growth / MiB).toFixed(0)} MB`,
  )

  const [outcome] = UploadBatchJsonSchema.parse(JSON.parse(body)).outcomes
  if (!outcome?.ok) throw new Error(`the upload was not stored: ${body}`)
  versionId = outcome.versionId
  const version = await db.assetVersion.findUniqueOrThrow({ where: { id: outcome.versionId } })
  expect(Number(version.bytes)).toBe(TOTAL_BYTES)
  expect(version.sha256).toBe(hash.digest('hex'))
  expect(growth).toBeLessThan(GROWTH_LIMIT_BYTES)
}, 300_000)
