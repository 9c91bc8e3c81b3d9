/**
 * Every media kind through the real pipeline: files made at test time (sharp, ffmpeg,
 * a hand-written PDF, yazl, tar) plus one committed HEIC are uploaded with uploadAsset
 * and processed by the ingest workflow (Damson workers in-process on task queues of
 * their own). Each gets the right kind, renditions that decode as what they claim
 * (animations still animated, the clip an H.264 MP4, the listening copy AAC, PDF
 * pages), and the technical metadata of its kind.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { animatedWebp, makeAvFiles, makeStillImages, minimalDocx, minimalGlb, multiPagePdf } from '../support/media-files'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-media-kinds')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { Storage } = await import('~/storage.server')
const { createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { uploadAsset } = await import('~/assets/upload.server')
const { parseFfmpegInfo } = await import('~/media/ffmpeg.server')
const { toCurrentUser } = await import('~/auth.server')
const fixtures = await import('../support/review-fixtures')
type CurrentUser = import('~/auth.server').CurrentUser

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
const storage = new Storage({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  bucket: env.S3_BUCKET,
  forcePathStyle: env.S3_FORCE_PATH_STYLE,
})
const exec = promisify(execFile)

let inProcess: InProcessWorkers | undefined
let uploader: CurrentUser

type Ingested = {
  versionId: string
  kind: string
  version: { mediaType: string; width: number | null; height: number | null; durationMs: number | null; pages: number | null; metadata: Record<string, unknown>; extractedText: string; perceptualHash: string | null; status: string }
  renditions: Map<string, { mediaType: string; width: number | null; height: number | null; bytes: Buffer }>
}

const ingested = new Map<string, Ingested>()

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) yield bytes.subarray(offset, offset + 64 * 1024)
}

/** Processed: renditions made and the version moved on (to review, or to wait for mandatory metadata). */
const PROCESSED = ['in_review', 'awaiting_metadata']

/**
 * Waits until ingest has taken the version past processing. Not the workflow's result:
 * a metadata schema another test left for a kind (say every video) parks the workflow
 * until its fields are filled in, after the renditions this file checks were made.
 */
async function waitUntilProcessed(versionId: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 180_000; await new Promise((resolve) => setTimeout(resolve, 250))) {
    const { status } = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { status: true } })
    if (status !== 'processing') return
  }
  throw new Error(`Version ${versionId} is still processing`)
}

async function uploadAndIngest(filename: string, bytes: Buffer): Promise<Ingested> {
  const { assetId, versionId } = await uploadAsset({ db, storage, uploader, file: { stream: chunks(bytes), filename, declaredType: null } })
  await waitUntilProcessed(versionId)
  const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { kind: true } })
  const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })
  const rows = await db.rendition.findMany({ where: { versionId } })
  const renditions = new Map(
    await Promise.all(
      rows.map(async (row) => [row.preset, { mediaType: row.mediaType, width: row.width, height: row.height, bytes: await storage.getBuffer(row.storageKey) }] as const),
    ),
  )
  return {
    versionId,
    kind: asset.kind,
    version: { ...version, metadata: version.metadata as Record<string, unknown> },
    renditions,
  }
}

function get(name: string): Ingested {
  const found = ingested.get(name)
  if (!found) throw new Error(`${name} was not ingested`)
  return found
}

/** What ffmpeg reads from a rendition's bytes. */
async function probeBytes(bytes: Buffer, extension: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'damson-probe-'))
  try {
    const file = path.join(dir, `probe.${extension}`)
    await writeFile(file, bytes)
    const { stderr } = await exec(env.FFMPEG_PATH, ['-hide_banner', '-i', file]).catch((error: { stderr: string }) => error)
    return parseFfmpegInfo(stderr)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function tarArchive(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'damson-tar-'))
  try {
    await writeFile(path.join(dir, 'notes.txt'), 'Source files for the summer campaign.\n')
    await exec('tar', ['-cf', path.join(dir, 'sources.tar'), '-C', dir, 'notes.txt'])
    return await readFile(path.join(dir, 'sources.tar'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

beforeAll(async () => {
  await ensureSearchCollections(search)
  inProcess = await startInProcessWorkers({ env, db, storage, search })
  const people = await fixtures.createReviewPeople(db, 'media-kinds')
  const user = await db.user.findUniqueOrThrow({ where: { id: people.uploaderId }, include: { memberships: { include: { organisation: true } } } })
  const organisation = user.memberships[0]?.organisation
  if (!organisation) throw new Error('The uploader has no organisation')
  uploader = toCurrentUser(user, { roles: ['librarian'], organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind } })

  const files: Record<string, Buffer> = {
    ...(await makeStillImages()),
    ...(await makeAvFiles(env.FFMPEG_PATH)),
    'flag.webp': await animatedWebp(),
    'logo.svg': Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="#0f766e"/><circle cx="25" cy="25" r="20" fill="#fde047"/></svg>',
    ),
    'photo.heic': await readFile(new URL('../fixtures/media/photo.heic', import.meta.url)),
    'brochure.pdf': multiPagePdf(3),
    'brief.docx': await minimalDocx(),
    'bottle.glb': minimalGlb(),
    'sources.tar': await tarArchive(),
  }
  const results = await Promise.all(Object.entries(files).map(async ([name, bytes]) => [name, await uploadAndIngest(name, bytes)] as const))
  for (const [name, result] of results) ingested.set(name, result)
}, 240_000)

afterAll(async () => {
  await inProcess?.stop()
  await db.$disconnect()
})

describe('still images', () => {
  it.each([
    ['still.jpg', 'image/jpeg', 'jpeg'],
    ['still.png', 'image/png', 'png'],
    ['still.webp', 'image/webp', 'webp'],
    ['still.avif', 'image/avif', 'heif'],
    ['still.tiff', 'image/tiff', 'tiff'],
  ])('%s becomes an image with three renditions, its size, colour space and dominant colours', async (name, mediaType, format) => {
    const { kind, version, renditions } = get(name)
    expect(PROCESSED).toContain(version.status)
    expect(kind).toBe('image')
    expect(version).toMatchObject({ mediaType, width: 320, height: 200 })
    expect(version.metadata).toMatchObject({ format, space: 'srgb' })
    const colours = version.metadata.dominantColours as string[]
    expect(colours[0]).toMatch(/^#[0-9a-f]{6}$/)
    // The blue background covers most of the picture.
    const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(colours[0]?.slice(at, at + 2) ?? '', 16))
    expect(b).toBeGreaterThan(150)
    expect(r).toBeLessThan(80)
    expect(g).toBeLessThan(120)
    expect([...renditions.keys()].sort()).toEqual(['preview', 'thumbnail', 'web'])
    expect(await sharp(renditions.get('thumbnail')?.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 200 })
    expect(await sharp(renditions.get('web')?.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 200 })
    expect(version.perceptualHash).toMatch(/^[0-9a-f]{16}$/)
  })

  it('keeps an animated GIF animated in thumbnail and preview, and the web JPEG still', async () => {
    const { kind, version, renditions } = get('wave.gif')
    expect(kind).toBe('image')
    expect(version.metadata).toMatchObject({ format: 'gif', frames: 5, framesInPreview: 5 })
    const thumbnail = await sharp(renditions.get('thumbnail')?.bytes, { animated: true }).metadata()
    expect(thumbnail).toMatchObject({ format: 'webp', pages: 5, width: 120, pageHeight: 90 })
    expect(renditions.get('thumbnail')).toMatchObject({ width: 120, height: 90 })
    expect((await sharp(renditions.get('preview')?.bytes, { animated: true }).metadata()).pages).toBe(5)
    const web = await sharp(renditions.get('web')?.bytes).metadata()
    expect(web).toMatchObject({ format: 'jpeg', width: 120, height: 90 })
    expect(web.pages ?? 1).toBe(1)
  })

  it('keeps an animated WebP animated, with its frame delays', async () => {
    const { version, renditions } = get('flag.webp')
    expect(version.metadata).toMatchObject({ format: 'webp', frames: 3 })
    const thumbnail = await sharp(renditions.get('thumbnail')?.bytes, { animated: true }).metadata()
    expect(thumbnail).toMatchObject({ pages: 3, delay: [200, 200, 200] })
  })

  it('draws an SVG at the size its presets need, from its nominal 100 × 50', async () => {
    const { kind, version, renditions } = get('logo.svg')
    expect(kind).toBe('image')
    expect(version).toMatchObject({ mediaType: 'image/svg+xml', width: 100, height: 50 })
    expect(version.metadata).toMatchObject({ format: 'svg', vector: true })
    // Vector art is drawn sharp at the preset's size rather than enlarged from 100 px.
    expect(renditions.get('thumbnail')).toMatchObject({ width: 400, height: 200, mediaType: 'image/webp' })
    expect(await sharp(renditions.get('preview')?.bytes).metadata()).toMatchObject({ format: 'webp', width: 1600, height: 800 })
    const { data } = await sharp(renditions.get('thumbnail')?.bytes).raw().toBuffer({ resolveWithObject: true })
    // #0f766e in the corner (WebP is lossy: within a few levels).
    ;[15, 118, 110].forEach((level, channel) => expect(Math.abs((data[channel] ?? 0) - level)).toBeLessThanOrEqual(4))
  })

  it('previews a HEIC photo through ffmpeg, since this sharp has no HEVC decoder', async () => {
    const { kind, version, renditions } = get('photo.heic')
    expect(PROCESSED).toContain(version.status)
    expect(kind).toBe('image')
    expect(version).toMatchObject({ mediaType: 'image/heic', width: 320, height: 240 })
    expect(version.metadata).toMatchObject({ format: 'heif', decodedBy: 'ffmpeg' })
    expect(await sharp(renditions.get('thumbnail')?.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 })
    expect(version.perceptualHash).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe('video', () => {
  it.each([
    ['clip.mp4', 'video/mp4', 'h264'],
    ['clip.mov', 'video/quicktime', 'h264'],
    ['clip.webm', 'video/webm', 'vp9'],
  ])('%s gets a poster, a preview clip, its duration, size and codecs', async (name, mediaType, videoCodec) => {
    const { kind, version, renditions } = get(name)
    expect(PROCESSED).toContain(version.status)
    expect(kind).toBe('video')
    expect(version).toMatchObject({ mediaType, width: 160, height: 90 })
    expect(version.durationMs).toBeGreaterThanOrEqual(1900)
    expect(version.durationMs).toBeLessThanOrEqual(2100)
    expect(version.metadata).toMatchObject({ videoCodec, frameRate: 25, width: 160, height: 90 })
    expect(version.metadata.audioCodec).toMatch(/aac|opus/)

    expect([...renditions.keys()].sort()).toEqual(['clip', 'preview', 'thumbnail', 'web'])
    // The poster is never enlarged past the video's own size.
    expect(await sharp(renditions.get('web')?.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 160, height: 90 })
    const clip = renditions.get('clip')
    expect(clip).toMatchObject({ mediaType: 'video/mp4', width: 160, height: 90 })
    const clipInfo = await probeBytes(clip?.bytes ?? Buffer.alloc(0), 'mp4')
    expect(clipInfo?.video).toMatchObject({ codec: 'h264', width: 160, height: 90 })
    expect(clipInfo?.audio?.codec).toBe('aac')
    // +faststart: the index (moov) comes before the media data (mdat).
    const bytes = clip?.bytes ?? Buffer.alloc(0)
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'))
    expect(version.perceptualHash).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe('audio', () => {
  it.each([
    ['tone.mp3', 'audio/mpeg', 'mp3'],
    ['tone.wav', 'audio/wav', 'pcm_s16le'],
    ['tone.flac', 'audio/flac', 'flac'],
    ['tone.ogg', 'audio/ogg', 'vorbis'],
    ['tone.aac', 'audio/aac', 'aac'],
    ['tone.m4a', 'audio/x-m4a', 'aac'],
  ])('%s gets a waveform, a listening copy, its duration and codec', async (name, mediaType, audioCodec) => {
    const { kind, version, renditions } = get(name)
    expect(PROCESSED).toContain(version.status)
    expect(kind).toBe('audio')
    expect(version.mediaType).toBe(mediaType)
    expect(version.durationMs).toBeGreaterThanOrEqual(1900)
    expect(version.durationMs).toBeLessThanOrEqual(2200)
    expect(version.metadata).toMatchObject({ audioCodec, sampleRate: 44100, channels: 1 })
    expect([...renditions.keys()].sort()).toEqual(['audio', 'preview', 'thumbnail'])
    expect(await sharp(renditions.get('preview')?.bytes).metadata()).toMatchObject({ format: 'webp', width: 1600, height: 400 })
    const listening = await probeBytes(renditions.get('audio')?.bytes ?? Buffer.alloc(0), 'm4a')
    expect(listening?.audio?.codec).toBe('aac')
    expect(renditions.get('audio')?.mediaType).toBe('audio/mp4')
    // Waveforms of different recordings look alike: no perceptual hash for sound.
    expect(version.perceptualHash).toBeNull()
  })
})

describe('PDF', () => {
  it('gets its page count, its text for search, page 1 as the preview and every page for the viewer', async () => {
    const { kind, version, renditions } = get('brochure.pdf')
    expect(PROCESSED).toContain(version.status)
    expect(kind).toBe('document')
    expect(version).toMatchObject({ mediaType: 'application/pdf', pages: 3, width: 595, height: 842 })
    expect(version.extractedText).toContain('Page 1 of the summer brochure')
    expect(version.extractedText).toContain('Page 3 of the summer brochure')
    expect([...renditions.keys()].sort()).toEqual(['page-1', 'page-2', 'page-3', 'preview', 'thumbnail', 'web'])
    expect(await sharp(renditions.get('web')?.bytes).metadata()).toMatchObject({ format: 'jpeg', height: 2048 })
    expect(await sharp(renditions.get('page-2')?.bytes).metadata()).toMatchObject({ format: 'webp', height: 1600 })
    expect(version.perceptualHash).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe('everything else', () => {
  it.each([
    ['brief.docx', 'document', 'Word document'],
    ['bottle.glb', 'design', 'glTF 3D model'],
    ['sources.tar', 'other', 'tar archive'],
  ])('%s is taken as a %s with its format and no preview', async (name, kind, format) => {
    const found = get(name)
    expect(PROCESSED).toContain(found.version.status)
    expect(found.kind).toBe(kind)
    expect(found.version.metadata).toMatchObject({ format })
    expect(found.renditions.size).toBe(0)
    expect(found.version.perceptualHash).toBeNull()
  })
})
