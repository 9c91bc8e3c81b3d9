/**
 * Hostile uploads, each answered with a clear reason and nothing stored (no asset, no
 * version, no object): a decompression-bomb PNG, an SVG with script, an SVG with
 * external references, a truncated JPEG, a file whose extension lies, an empty file,
 * a file over the size limit. They arrive in one batch with good files between them:
 * the good ones are taken, so a bad file never stops the rest. Afterwards a normal
 * upload goes all the way through ingest, and a video that is damaged inside (only
 * ffmpeg can tell) fails its processing with a reason instead of stopping anything.
 * (Hostile zip archives — path traversal, symlinks, zip bombs — are in zip-upload.test.ts.)
 */
import { randomUUID } from 'node:crypto'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestVersionResult } from '../../workflows/ingest'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { makeAvFiles, pictureSvg } from '../support/media-files'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-hostile')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { Storage } = await import('~/storage.server')
const { createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { receiveUploads, uploadAsset } = await import('~/assets/upload.server')
const { toCurrentUser } = await import('~/auth.server')
const fixtures = await import('../support/review-fixtures')
type CurrentUser = import('~/auth.server').CurrentUser
type PutBody = Parameters<import('~/storage.server').Storage['putStream']>[1]

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
const run = randomUUID().slice(0, 8)

/** A Storage that remembers every key an upload started writing to. */
class RecordingStorage extends Storage {
  readonly started: string[] = []
  override async putStream(key: string, body: PutBody, contentType: string): Promise<void> {
    this.started.push(key)
    return super.putStream(key, body, contentType)
  }
}

const storage = new RecordingStorage({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  bucket: env.S3_BUCKET,
  forcePathStyle: env.S3_FORCE_PATH_STYLE,
})

let inProcess: InProcessWorkers | undefined
let uploader: CurrentUser

beforeAll(async () => {
  await ensureSearchCollections(search)
  inProcess = await startInProcessWorkers({ env, db, storage, search })
  const people = await fixtures.createReviewPeople(db, 'hostile')
  const user = await db.user.findUniqueOrThrow({ where: { id: people.uploaderId }, include: { memberships: { include: { organisation: true } } } })
  const organisation = user.memberships[0]?.organisation
  if (!organisation) throw new Error('The uploader has no organisation')
  uploader = toCurrentUser(user, { roles: ['librarian'], organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind } })
}, 120_000)

afterAll(async () => {
  await inProcess?.stop()
  await db.$disconnect()
})

/** A real PNG whose IHDR is rewritten to claim 30000 × 30000 pixels: a decompression bomb's header. */
async function decompressionBombPng(): Promise<Buffer> {
  const small = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#fff' } }).png().toBuffer()
  const patched = Buffer.from(small)
  patched.writeUInt32BE(30_000, 16)
  patched.writeUInt32BE(30_000, 20)
  patched.writeUInt32BE(crc32(patched.subarray(12, 29)), 29)
  return patched
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

async function goodJpeg(): Promise<Buffer> {
  return sharp(Buffer.from(pictureSvg(640, 400))).jpeg({ quality: 85 }).toBuffer()
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

/** Posts files as one upload form, as the library's upload page does, and reads the outcomes. */
async function postBatch(files: { name: string; bytes: Buffer; type: string }[], maxBytes?: number) {
  const form = new FormData()
  form.set('folderPath', `/hostile-${run}`)
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name)
  const request = new Request('http://damson.test/library/upload', { method: 'POST', body: form })
  return receiveUploads({ request, db, storage, uploader, maxBytes })
}

async function expectNothingStoredUnder(keys: string[]): Promise<void> {
  for (const key of keys) {
    expect(await storage.exists(key)).toBe(false)
    expect(await db.assetVersion.count({ where: { storageKey: key } })).toBe(0)
  }
}

describe('hostile uploads', () => {
  it('refuses each hostile file in a batch with its reason, stores nothing of it, and takes the good files around them', async () => {
    const truncatedJpeg = (await goodJpeg()).subarray(0, 3000)
    const hostile = [
      { name: 'bomb.png', bytes: await decompressionBombPng(), type: 'image/png' },
      { name: 'script.svg', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/me")</script></svg>'), type: 'image/svg+xml' },
      { name: 'tracker.svg', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example/pixel.png" width="1" height="1"/></svg>'), type: 'image/svg+xml' },
      { name: 'truncated.jpg', bytes: truncatedJpeg, type: 'image/jpeg' },
      { name: 'photo.jpg', bytes: PDF, type: 'image/jpeg' },
      { name: 'empty.png', bytes: Buffer.alloc(0), type: 'image/png' },
    ]
    const good = await goodJpeg()
    const batch = hostile.flatMap((file, index) => [file, { name: `good-${index}.jpg`, bytes: good, type: 'image/jpeg' }])
    const before = await db.asset.count({ where: { folderPath: `/hostile-${run}` } })
    storage.started.length = 0

    const { outcomes, error } = await postBatch(batch)
    expect(error).toBeNull()
    const refused = Object.fromEntries(outcomes.filter((outcome) => !outcome.ok).map((outcome) => [outcome.filename, outcome.ok ? null : [outcome.status, outcome.message]]))
    expect(refused).toEqual({
      'bomb.png': [400, 'bomb.png is too large an image: The image is 30000 × 30000 pixels; the limit is 100 megapixels. Nothing was stored.'],
      'script.svg': [415, expect.stringMatching(/^script\.svg is an SVG drawing that contains a script \(<script>\)\. Damson takes SVGs only when nothing in them can run or load other files\.$/)],
      'tracker.svg': [415, expect.stringMatching(/^tracker\.svg is an SVG drawing that contains a reference to outside content \(xlink:href="https:\/\/evil\.example\/pixel\.png" on <image>\)/)],
      'truncated.jpg': [400, 'truncated.jpg cannot be read as an image: the file is corrupt or truncated. Nothing was stored.'],
      'photo.jpg': [415, expect.stringMatching(/^photo\.jpg is a PDF document, but its name says a JPEG image \(\.jpg\)\. Rename it to \.pdf/)],
      'empty.png': [400, 'empty.png is empty (0 bytes). Choose the file again and re-upload it.'],
    })
    // Every good file around them was taken.
    expect(outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.filename)).toEqual(hostile.map((_, index) => `good-${index}.jpg`))
    expect(await db.asset.count({ where: { folderPath: `/hostile-${run}` } })).toBe(before + hostile.length)

    // The refused files' objects were started (their checks run as they stream) and removed again.
    const takenVersions = await db.assetVersion.findMany({ where: { asset: { folderPath: `/hostile-${run}` } }, select: { storageKey: true } })
    const taken = new Set(takenVersions.map((version) => version.storageKey))
    const refusedKeys = storage.started.filter((key) => !taken.has(key))
    expect(refusedKeys.length).toBeGreaterThanOrEqual(4)
    await expectNothingStoredUnder(refusedKeys)
  })

  it('stops at a file over the size limit with 413, keeping what came before it and storing nothing of it', async () => {
    const big = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer()
    const small = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#0a0' } }).png().toBuffer()
    expect(big.length).toBeGreaterThan(200 * 1024)
    storage.started.length = 0
    const { outcomes, error } = await postBatch(
      [
        { name: 'small.png', bytes: small, type: 'image/png' },
        { name: 'huge.png', bytes: big, type: 'image/png' },
      ],
      200 * 1024,
    )
    expect(outcomes.map((outcome) => [outcome.filename, outcome.ok])).toEqual([['small.png', true]])
    expect(error).toEqual({ status: 413, message: 'huge.png is larger than the 200 KB limit.' })
    const taken = await db.assetVersion.findMany({ where: { originalFilename: 'small.png', asset: { folderPath: `/hostile-${run}` } }, select: { storageKey: true } })
    await expectNothingStoredUnder(storage.started.filter((key) => !taken.some((version) => version.storageKey === key)))
  })

  it('keeps serving: a normal upload goes through ingest, and a damaged video fails its processing with a reason', async () => {
    const client = inProcess?.testEnv.client
    if (!client) throw new Error('The workers did not start')
    const stream = async function* (bytes: Buffer) {
      yield bytes
    }

    const photo = await uploadAsset({ db, storage, uploader, file: { stream: stream(await goodJpeg()), filename: 'after.jpg' } })
    // Past processing: in review, or waiting for mandatory metadata if some schema covers images.
    for (let waited = 0; (await db.assetVersion.findUniqueOrThrow({ where: { id: photo.versionId } })).status === 'processing'; waited += 250) {
      if (waited > 120_000) throw new Error('after.jpg is still processing')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(['in_review', 'awaiting_metadata']).toContain((await db.assetVersion.findUniqueOrThrow({ where: { id: photo.versionId } })).status)
    expect(await db.rendition.count({ where: { versionId: photo.versionId } })).toBe(3)

    // The MP4 header is intact (so the type is right) but the media data is cut off and zeroed.
    const mp4 = (await makeAvFiles(env.FFMPEG_PATH))['clip.mp4'] ?? Buffer.alloc(0)
    const damaged = Buffer.concat([mp4.subarray(0, 64), Buffer.alloc(4096)])
    const video = await uploadAsset({ db, storage, uploader, file: { stream: stream(damaged), filename: 'damaged.mp4' } })
    const videoResult = (await client.workflow.getHandle(`ingest-${video.versionId}`).result()) as IngestVersionResult
    expect(videoResult.status).toBe('failed')
    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: video.versionId } })
    expect(version.status).toBe('failed')
    expect(version.failureReason).toMatch(/^The file is corrupt or not a format ffmpeg can read \(.+\)$/)
    expect(await db.rendition.count({ where: { versionId: video.versionId } })).toBe(0)
  })
})
