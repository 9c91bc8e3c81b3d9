/**
 * Ingest renditions against the real stack: an upload through uploadAsset is
 * processed by the ingest workflow (Damson workers in-process on task queues of
 * their own), and gets thumbnail, preview and web renditions in S3 at the sizes the
 * preset module computes, in the presets' formats. A retry of makeRenditions then
 * writes nothing; a rendition whose object went missing is made again, alone.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestVersionResult } from '../../workflows/ingest'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
// Each test file has its own process (forks pool), so this runtime is ours alone.
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-renditions')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { Storage, storageKeys } = await import('~/storage.server')
const { createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { uploadAsset } = await import('~/assets/upload.server')
const { RENDITION_PRESETS, isRenditionPresetName, renditionSize } = await import('~/domain/rendition-presets')
const { createIngestActivities } = await import('../../workers/activities/ingest')
const { toCurrentUser } = await import('~/auth.server')
const fixtures = await import('../support/review-fixtures')
type CurrentUser = import('~/auth.server').CurrentUser

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)

/** A Storage that remembers every object written through it. */
class RecordingStorage extends Storage {
  readonly written: string[] = []
  override async putBuffer(key: string, body: Buffer, contentType: string): Promise<void> {
    this.written.push(key)
    return super.putBuffer(key, body, contentType)
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
  const people = await fixtures.createReviewPeople(db, 'renditions')
  const user = await db.user.findUniqueOrThrow({ where: { id: people.uploaderId }, include: { memberships: { include: { organisation: true } } } })
  const organisation = user.memberships[0]?.organisation
  if (!organisation) throw new Error('The uploader has no organisation')
  uploader = toCurrentUser(user, { roles: ['librarian'], organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind } })
})

afterAll(async () => {
  await inProcess?.stop()
  await db.$disconnect()
})

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 256 * 1024) yield bytes.subarray(offset, offset + 256 * 1024)
}

/** Uploads as the upload route does (which starts the ingest workflow) and waits for the ingest to finish. */
async function uploadAndIngest(bytes: Buffer, filename: string): Promise<{ versionId: string; result: IngestVersionResult }> {
  const { versionId } = await uploadAsset({ db, storage, uploader, file: { stream: chunks(bytes), filename, declaredType: null } })
  const client = inProcess?.testEnv.client
  if (!client) throw new Error('The workers did not start')
  const result = (await client.workflow.getHandle(`ingest-${versionId}`).result()) as IngestVersionResult
  return { versionId, result }
}

/** A photo-like JPEG (gradient and shapes), optionally with an EXIF orientation. */
async function photo(width: number, height: number, orientation?: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#264653"/><stop offset="1" stop-color="#e9c46a"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width / 3}" cy="${height / 2}" r="${height / 4}" fill="#e76f51"/>
  </svg>`
  let image = sharp(Buffer.from(svg))
  if (orientation) image = image.withMetadata({ orientation })
  return image.jpeg({ quality: 90 }).toBuffer()
}

describe('ingest renditions', () => {
  it('gives a new upload thumbnail, preview and web renditions at the preset sizes and formats', async () => {
    // Shot upright: stored 3000 × 2000 with EXIF orientation 6, seen as 2000 × 3000.
    const { versionId, result } = await uploadAndIngest(await photo(3000, 2000, 6), 'upright.jpg')
    expect(result.status).toBe('in_review')

    const rows = await db.rendition.findMany({ where: { versionId }, orderBy: { preset: 'asc' } })
    expect(rows.map((row) => row.preset)).toEqual(['preview', 'thumbnail', 'web'])
    for (const row of rows) {
      if (!isRenditionPresetName(row.preset)) throw new Error(`Unexpected preset ${row.preset}`)
      const preset = RENDITION_PRESETS[row.preset]
      const size = renditionSize(preset, { width: 3000, height: 2000 }, 6)
      expect(row).toMatchObject({ storageKey: storageKeys.rendition(versionId, preset.name, preset.extension), mediaType: preset.mediaType, ...size })

      const stored = await storage.getBuffer(row.storageKey)
      expect(Number(row.bytes)).toBe(stored.length)
      const meta = await sharp(stored).metadata()
      expect(meta).toMatchObject({ format: preset.format, ...size })
      expect(meta.orientation).toBeUndefined()
      expect(meta.exif).toBeUndefined()
    }
    const web = rows.find((row) => row.preset === 'web')
    expect(web).toMatchObject({ width: 1365, height: 2048, mediaType: 'image/jpeg', storageKey: `renditions/${versionId}/web.jpg` })
    expect(await sharp(await storage.getBuffer(web?.storageKey ?? '')).metadata()).toMatchObject({ format: 'jpeg', isProgressive: true })
  })

  it('never enlarges, and puts a transparent PNG on white for the web JPEG', async () => {
    const logo = await sharp({ create: { width: 900, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 300, height: 100, channels: 4, background: { r: 20, g: 90, b: 200, alpha: 1 } } }, left: 300, top: 100 }])
      .png()
      .toBuffer()
    const { versionId } = await uploadAndIngest(logo, 'logo.png')
    const rows = await db.rendition.findMany({ where: { versionId } })
    expect(Object.fromEntries(rows.map((row) => [row.preset, [row.width, row.height, row.mediaType]]))).toEqual({
      thumbnail: [400, 133, 'image/webp'],
      preview: [900, 300, 'image/webp'],
      web: [900, 300, 'image/jpeg'],
    })
    const web = await storage.getBuffer(storageKeys.rendition(versionId, 'web', 'jpg'))
    const { data, info } = await sharp(web).raw().toBuffer({ resolveWithObject: true })
    expect(info.channels).toBe(3)
    expect([...data.subarray(0, 3)].every((value) => value >= 250)).toBe(true)
  })

  it('makes nothing new on a retry with every rendition present, and only what is missing otherwise', async () => {
    const { versionId } = await uploadAndIngest(await photo(2400, 1600), 'retry.jpg')
    const activities = createIngestActivities({ db, storage, search, maxImagePixels: env.MAX_IMAGE_PIXELS })
    const before = await db.rendition.findMany({ where: { versionId }, orderBy: { preset: 'asc' } })
    expect(before).toHaveLength(3)

    storage.written.length = 0
    const again = await activities.makeRenditions({ versionId })
    expect(again.map(({ preset, reused }) => [preset, reused])).toEqual([
      ['thumbnail', true],
      ['preview', true],
      ['web', true],
    ])
    expect(storage.written).toEqual([])
    expect(await db.rendition.findMany({ where: { versionId }, orderBy: { preset: 'asc' } })).toEqual(before)

    // The web object went missing (a bucket restored from an older backup): only it is made again.
    await storage.delete(storageKeys.rendition(versionId, 'web', 'jpg'))
    const repaired = await activities.makeRenditions({ versionId })
    expect(repaired.map(({ preset, reused }) => [preset, reused])).toEqual([
      ['thumbnail', true],
      ['preview', true],
      ['web', false],
    ])
    expect(storage.written).toEqual([storageKeys.rendition(versionId, 'web', 'jpg')])
    expect(repaired.find((rendition) => rendition.preset === 'web')).toMatchObject({ width: 2048, height: 1365 })
    expect(await db.rendition.count({ where: { versionId } })).toBe(3)
  })
})
