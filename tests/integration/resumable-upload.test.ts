/**
 * Resumable uploads (tus) through the served app (server.mjs in front of the built
 * Remix app, on the test stack's PostgreSQL, S3 and Temporal), driven by
 * tus-js-client in Node as a browser's Uppy drives it:
 * - an upload cut off halfway resumes from the offset the server reports, sends only
 *   the rest, and the stored version's sha256 is the file's;
 * - only the upload page's roles may upload, and an upload's URL is its creator's alone;
 * - a declared length over the limit, a wrong type (at the first bytes, and at the end
 *   when the bytes came with the creation request) are refused with the reason, leaving
 *   no rows and no objects;
 * - metadata naming an asset makes a new version of it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import net from 'node:net'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import * as tus from 'tus-js-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServedApp, type ServedApp } from '../support/served-app'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
useOwnTaskQueues('resumable')

const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { hashPassword, signIn } = await import('~/auth.server')
const { getTemporalClient } = await import('~/temporal.server')
const { ingestWorkflowId } = await import('~/assets/start-ingest.server')
const { RESUMABLE_UPLOAD_PATH, UploadBatchJsonSchema } = await import('~/library/upload-protocol')

const db = getDb()
const storage = getStorage()
const run = randomUUID().slice(0, 8)
const PASSWORD = `pw-${randomBytes(9).toString('hex')}`
let app: ServedApp
let endpoint: string
let origin: string
let organisationId: string
const cookies: Record<'librarian' | 'otherLibrarian' | 'partner', string> = { librarian: '', otherLibrarian: '', partner: '' }
/** Versions this file stored, whose ingest workflows (no worker polls their queue) are terminated at the end. */
const storedVersionIds: string[] = []

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A small real PNG (what the sniffer reads) followed by noise, `bytes` in all. */
let pngHead: Buffer
function pngHeaded(bytes: number): Buffer {
  return Buffer.concat([pngHead, randomBytes(bytes - pngHead.length)])
}

beforeAll(async () => {
  pngHead = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c84' } }).png().toBuffer()
  const organisation = await db.organisation.create({ data: { name: `Tus brand ${run}`, slug: `tus-brand-${run}`, kind: 'brand' } })
  organisationId = organisation.id
  const partnerOrganisation = await db.organisation.create({ data: { name: `Tus partner ${run}`, slug: `tus-partner-${run}`, kind: 'partner' } })
  const passwordHash = await hashPassword(PASSWORD)
  const people = [
    ['librarian', organisationId, 'librarian'],
    ['otherLibrarian', organisationId, 'librarian'],
    ['partner', partnerOrganisation.id, 'partner'],
  ] as const
  const ip = `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`
  for (const [who, orgId, role] of people) {
    const email = `${who.toLowerCase()}-tus-${run}@upload.test`
    await db.user.create({ data: { email, name: who, passwordHash, memberships: { create: { organisationId: orgId, roles: [role] } } } })
    const result = await signIn({ email, password: PASSWORD, ipAddress: ip, userAgent: 'vitest' })
    if (!result.ok) throw new Error(`sign-in failed: ${result.message}`)
    cookies[who] = result.setCookie.split(';')[0] ?? ''
  }
  app = await startServedApp(`resumable-web-${run}`)
  origin = app.url
  endpoint = `${app.url}${RESUMABLE_UPLOAD_PATH}`
}, 600_000)

afterAll(async () => {
  await app?.stop()
  const temporal = await getTemporalClient()
  for (const versionId of storedVersionIds) {
    await temporal.workflow.getHandle(ingestWorkflowId(versionId)).terminate('test finished').catch(() => undefined)
  }
  await db.$disconnect()
})

// ───────────────────────────── helpers

type Finished = { url: string; status: number; body: string }

/** The headers a signed-in browser sends: its session cookie and the page's origin. */
const browserHeaders = (cookie: string) => ({ cookie, origin })

function upload(file: Buffer, metadata: Record<string, string>, cookie: string, options: Partial<tus.UploadOptions> = {}): { upload: tus.Upload; done: Promise<Finished> } {
  let resolve!: (value: Finished) => void
  let reject!: (error: Error) => void
  const done = new Promise<Finished>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  const tusUpload = new tus.Upload(file, {
    endpoint,
    headers: browserHeaders(cookie),
    metadata,
    retryDelays: [],
    storeFingerprintForResuming: false,
    ...options,
    onSuccess: (payload) => {
      const response = payload.lastResponse
      resolve({ url: tusUpload.url ?? '', status: response.getStatus(), body: response.getBody() })
    },
    onError: (error) => reject(error),
  })
  tusUpload.start()
  return { upload: tusUpload, done }
}

/** The status and message of a refused tus request (tus-js-client's DetailedError). */
function refusalOf(error: unknown): { status: number; body: string } {
  const detailed = error as tus.DetailedError
  return { status: detailed.originalResponse?.getStatus() ?? 0, body: detailed.originalResponse?.getBody() ?? String(error) }
}

async function tusRequest(method: string, url: string, cookie: string | null, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'Tus-Resumable': '1.0.0', origin, ...(cookie ? { cookie } : {}), ...headers },
    body: body ? Buffer.from(body) : undefined,
    redirect: 'manual',
  })
}

async function createUpload(cookie: string | null, length: number, metadata: Record<string, string>): Promise<Response> {
  const encoded = Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',')
  return tusRequest('POST', endpoint, cookie, { 'Upload-Length': String(length), 'Upload-Metadata': encoded })
}

async function objectKeysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix, ContinuationToken: token }))
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}

/** The object and bookkeeping keys of an upload URL `…/<assetId>.<versionId>`. */
function keysOf(url: string): { assetId: string; versionId: string; original: string; info: string } {
  const [assetId, versionId] = (url.split('/').pop() ?? '').split('.') as [string, string]
  const original = `originals/${assetId}/${versionId}`
  return { assetId, versionId, original, info: `uploads/${original}.info` }
}

/** A TCP proxy to `target` that destroys a connection (both ends) once `limit` bytes of its request have passed. */
async function startCuttingProxy(target: URL, limit: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(client).add(upstream)
    let passed = 0
    client.on('data', (chunk: Buffer) => {
      passed += chunk.length
      if (passed > limit) {
        client.destroy()
        upstream.destroy()
        return
      }
      if (!upstream.write(chunk)) client.pause()
    })
    upstream.on('drain', () => client.resume())
    upstream.pipe(client)
    const closeBoth = () => {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth)
      socket.on('close', () => {
        sockets.delete(socket)
        closeBoth()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

// ───────────────────────────── tests

describe('resumable upload through the served app', () => {
  it('resumes an upload cut off halfway from the server’s offset, sends only the rest, and stores the file’s sha256', async () => {
    const file = pngHeaded(40 * 1024 * 1024)
    // The first attempt goes through a proxy that kills both sockets once 20 MiB of the
    // request have passed: the connection drops mid-PATCH, whatever the machine's speed.
    const cutter = await startCuttingProxy(new URL(app.url), 20 * 1024 * 1024)
    const firstTry = upload(file, { filename: 'campaign-hero.png', folderPath: '/tus', tags: 'resumed' }, cookies.librarian, {
      endpoint: `${cutter.url}${RESUMABLE_UPLOAD_PATH}`,
      headers: { cookie: cookies.librarian, origin: cutter.url },
    })
    const cut = await firstTry.done.then(
      () => null,
      (error: unknown) => error,
    )
    await cutter.close()
    expect(cut).not.toBeNull()
    const proxiedUrl = firstTry.upload.url ?? ''
    expect(proxiedUrl).toMatch(new RegExp(`${RESUMABLE_UPLOAD_PATH}/[0-9a-f-]{36}\\.[0-9a-f-]{36}$`))
    const url = `${app.url}${new URL(proxiedUrl).pathname}`

    // The server says how much arrived: some whole S3 parts, not the whole file. (It may
    // still be storing what the cut request carried: ask until the answer settles.)
    let head = await tusRequest('HEAD', url, cookies.librarian)
    for (let settled = false; !settled; ) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      const again = await tusRequest('HEAD', url, cookies.librarian)
      settled = again.headers.get('upload-offset') === head.headers.get('upload-offset')
      head = again
    }
    expect(head.status).toBe(200)
    const offset = Number(head.headers.get('upload-offset'))
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThan(file.length)
    expect(Number(head.headers.get('upload-length'))).toBe(file.length)

    // Resume: the client asks the offset and sends only what is missing.
    const patches: { offset: number }[] = []
    const resumed = upload(file, { filename: 'campaign-hero.png' }, cookies.librarian, {
      uploadUrl: url,
      onBeforeRequest: (request) => {
        if (request.getMethod() === 'PATCH') patches.push({ offset: Number(request.getHeader('Upload-Offset')) })
      },
    })
    const finished = await resumed.done
    expect(patches).toEqual([{ offset }])
    expect(file.length - patches[0]!.offset).toBe(file.length - offset)
    expect(finished.status).toBe(200)

    const batch = UploadBatchJsonSchema.parse(JSON.parse(finished.body))
    expect(batch.error).toBeNull()
    const [outcome] = batch.outcomes
    if (!outcome?.ok) throw new Error(`not stored: ${JSON.stringify(batch)}`)
    storedVersionIds.push(outcome.versionId)
    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: outcome.versionId }, include: { asset: true } })
    expect(version.sha256).toBe(sha256(file))
    expect(Number(version.bytes)).toBe(file.length)
    expect(version.mediaType).toBe('image/png')
    expect(version.originalFilename).toBe('campaign-hero.png')
    expect(version.asset.folderPath).toBe('/tus')
    expect(version.asset.tags).toEqual(['resumed'])
    expect(version.asset.ownerOrganisationId).toBe(organisationId)
    expect(version.storageKey).toBe(keysOf(url).original)
    // The stored object is the file, byte for byte, and the upload's bookkeeping is gone.
    expect(sha256(await storage.getBuffer(version.storageKey))).toBe(sha256(file))
    expect(await storage.exists(keysOf(url).info)).toBe(false)
    // Finished: its URL no longer answers.
    expect((await tusRequest('HEAD', url, cookies.librarian)).status).toBe(404)
  })

  it('makes a new version of the asset the metadata names', async () => {
    const first = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3a6' } }).png().toBuffer()
    const created = await upload(first, { filename: 'logo.png' }, cookies.librarian).done
    const [one] = UploadBatchJsonSchema.parse(JSON.parse(created.body)).outcomes
    if (!one?.ok) throw new Error('version 1 was not stored')
    storedVersionIds.push(one.versionId)

    const second = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a36' } }).jpeg().toBuffer()
    const next = await upload(second, { filename: 'logo-v2.jpg', assetId: one.assetId }, cookies.librarian).done
    const [two] = UploadBatchJsonSchema.parse(JSON.parse(next.body)).outcomes
    if (!two?.ok) throw new Error('version 2 was not stored')
    storedVersionIds.push(two.versionId)
    expect(two.assetId).toBe(one.assetId)
    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: two.versionId } })
    expect(version.number).toBe(2)
    expect(version.sha256).toBe(sha256(second))
    expect(version.mediaType).toBe('image/jpeg')
    expect(await db.asset.count({ where: { id: one.assetId } })).toBe(1)
  })

  it('refuses partners and anonymous visitors before anything is created', async () => {
    const metadata = { filename: 'sneaky.png' }
    const partner = await createUpload(cookies.partner, 1000, metadata)
    expect(partner.status).toBe(403)
    const anonymous = await createUpload(null, 1000, metadata)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.text()).toContain('Sign in to upload')
    // tus-js-client reports the same refusal.
    const refused = await upload(pngHeaded(2048), metadata, cookies.partner).done.then(
      () => null,
      (error: unknown) => refusalOf(error),
    )
    expect(refused?.status).toBe(403)
  })

  it('keeps an upload’s URL to its creator: another user gets 404 for HEAD, PATCH and DELETE', async () => {
    const file = pngHeaded(64 * 1024)
    const created = await createUpload(cookies.librarian, file.length, { filename: 'mine.png' })
    expect(created.status).toBe(201)
    const url = new URL(created.headers.get('location') ?? '', endpoint).toString()

    for (const cookie of [cookies.otherLibrarian, cookies.partner]) {
      expect((await tusRequest('HEAD', url, cookie)).status).toBe(cookie === cookies.partner ? 403 : 404)
    }
    const stranger = await tusRequest('PATCH', url, cookies.otherLibrarian, { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, file)
    expect(stranger.status).toBe(404)
    expect((await tusRequest('DELETE', url, cookies.otherLibrarian)).status).toBe(404)
    // A cross-site page cannot drive it either.
    const crossSite = await fetch(url, { method: 'PATCH', headers: { 'Tus-Resumable': '1.0.0', cookie: cookies.librarian, origin: 'https://evil.example', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: new Uint8Array(file) })
    expect(crossSite.status).toBe(403)

    // Nothing of the stranger's arrived; the owner can still cancel it.
    const head = await tusRequest('HEAD', url, cookies.librarian)
    expect(head.headers.get('upload-offset')).toBe('0')
    expect((await tusRequest('DELETE', url, cookies.librarian)).status).toBe(204)
    expect((await tusRequest('HEAD', url, cookies.librarian)).status).toBe(404)
    expect(await storage.exists(keysOf(url).info)).toBe(false)
  })

  it('refuses a declared length over the limit with the limit in words', async () => {
    const response = await createUpload(cookies.librarian, 6 * 1024 ** 3, { filename: 'feature-film.mov' })
    expect(response.status).toBe(413)
    expect(await response.text()).toContain('feature-film.mov is larger than the 5 GB limit')
    expect(response.headers.get('location')).toBeNull()
  })

  it('refuses bad metadata: no filename, or a collection of another organisation', async () => {
    const nameless = await createUpload(cookies.librarian, 100, { folderPath: '/x' })
    expect(nameless.status).toBe(400)
    expect(await nameless.text()).toContain('needs its filename')
    const elsewhere = await createUpload(cookies.librarian, 100, { filename: 'a.png', collectionId: randomUUID() })
    expect(elsewhere.status).toBe(400)
    expect(await elsewhere.text()).toContain('collection does not exist')
  })

  it('refuses a wrong type at its first bytes, before the rest is sent, leaving nothing', async () => {
    // A program: no upload takes those, whatever the allow-list of kinds.
    const program = Buffer.concat([Buffer.from('7f454c460201010000000000000000000200', 'hex'), randomBytes(12 * 1024 * 1024)])
    const assetsBefore = await db.asset.count({ where: { ownerOrganisationId: organisationId } })
    let sentBeforeRefusal = 0
    const refused = await upload(program, { filename: 'installer.bin' }, cookies.librarian, {
      chunkSize: 4 * 1024 * 1024,
      onProgress: (sent) => {
        sentBeforeRefusal = sent
      },
    }).done.then(
      () => null,
      (error: unknown) => refusalOf(error),
    )
    expect(refused?.status).toBe(415)
    expect(refused?.body).toMatch(/^installer\.bin /)
    // Refused at the first chunk: the rest of the file was never sent.
    expect(sentBeforeRefusal).toBeLessThanOrEqual(4 * 1024 * 1024)
    expect(await db.asset.count({ where: { ownerOrganisationId: organisationId } })).toBe(assetsBefore)
  })

  it('refuses a wrong type at the end when the bytes came with the creation request, and stores nothing', async () => {
    const text = Buffer.from('just some notes, not an image at all\n'.repeat(200))
    const assetsBefore = await db.asset.count({ where: { ownerOrganisationId: organisationId } })
    const originalsBefore = new Set(await objectKeysUnder('originals/'))
    const uploadsBefore = new Set(await objectKeysUnder('uploads/'))
    const refused = await upload(text, { filename: 'notes.png' }, cookies.librarian, { uploadDataDuringCreation: true }).done.then(
      () => null,
      (error: unknown) => refusalOf(error),
    )
    expect(refused?.status).toBe(415)
    expect(refused?.body).toMatch(/^notes\.png /)
    expect(await db.asset.count({ where: { ownerOrganisationId: organisationId } })).toBe(assetsBefore)
    // No original and no bookkeeping of ours remain (other files' uploads may come and go meanwhile).
    const ourVersions = new Set((await db.assetVersion.findMany({ select: { storageKey: true } })).map((version) => version.storageKey))
    const strayOriginals = (await objectKeysUnder('originals/')).filter((key) => !originalsBefore.has(key) && !ourVersions.has(key))
    const strayUploads = (await objectKeysUnder('uploads/')).filter((key) => !uploadsBefore.has(key))
    expect({ strayOriginals, strayUploads }).toEqual({ strayOriginals: [], strayUploads: [] })
  })

  it('refuses GET on an upload URL: originals are read only through the download routes', async () => {
    const response = await fetch(`${endpoint}/${randomUUID()}.${randomUUID()}`, { headers: { cookie: cookies.librarian } })
    expect(response.status).toBe(405)
  })
})
