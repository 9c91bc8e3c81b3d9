/**
 * Channel renditions through the real stack (PostgreSQL, S3) and the real sharp and
 * exiftool, on files generated here: an approved version is rendered into a preset
 * (size, fit, colour profile, watermark, metadata), the usage rights for partners in
 * general are read back out of the stored file, renditions are reused until the
 * preset or the grants change, and files sharp does not render go out as uploaded.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { minimalPdf } from '../support/pdf-fixture'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { getEnv } = await import('~/env.server')
const { isMediaError } = await import('~/media.server')
const { getExifTool, endExifTool } = await import('~/media/exiftool.server')
const { ChannelPresetSchema } = await import('~/domain/channel-preset')
const { renderChannelRendition, channelRenditionKey } = await import('~/distribution/channel-rendition.server')
const { createReviewPeople, createUploadedVersion, generateTruncatedJpeg } = await import('../support/review-fixtures')

type ChannelPreset = import('~/domain/channel-preset').ChannelPreset
type ChannelRendition = import('~/distribution/channel-rendition.server').ChannelRendition
type ReviewPeople = import('../support/review-fixtures').ReviewPeople

const db = getDb()
const storage = getStorage()
const run = randomUUID().slice(0, 8)
const expiresAt = new Date(Date.now() + 90 * 24 * 3600 * 1000)

let directory: string
let people: ReviewPeople
let owner: string
/** The 3000 × 2000 photo with camera and GPS metadata, under a Getty licence. */
let photo: { assetId: string; versionId: string; title: string }

function preset(overrides: Partial<ChannelPreset> = {}): ChannelPreset {
  return ChannelPresetSchema.parse({ format: 'webp', maxWidth: 800, maxHeight: 800, fit: 'inside', ...overrides })
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Puts an original in S3 as an approved, current version of a new asset. */
async function approvedVersion(bytes: Buffer, mediaType: string, filename: string, title = `Channel test ${randomUUID().slice(0, 8)}`) {
  const uploaded = await createUploadedVersion(db, storage, { people, bytes, mediaType, filename, title })
  await db.assetVersion.update({ where: { id: uploaded.versionId }, data: { status: 'approved', promotedAt: new Date() } })
  await db.asset.update({ where: { id: uploaded.assetId }, data: { currentVersionId: uploaded.versionId } })
  return { ...uploaded, title }
}

function render(version: { assetId: string; versionId: string }, channelPreset: ChannelPreset): Promise<ChannelRendition> {
  return renderChannelRendition({ db, storage, assetId: version.assetId, versionId: version.versionId, preset: channelPreset })
}

/** The stored rendition, written to a file named like the key (exiftool looks at extensions). */
async function storedFile(rendition: ChannelRendition): Promise<{ file: string; bytes: Buffer }> {
  const bytes = await storage.getBuffer(rendition.storageKey)
  const file = path.join(directory, `${randomUUID().slice(0, 8)}${path.extname(rendition.storageKey)}`)
  await writeFile(file, bytes)
  return { file, bytes }
}

/** Every tag exiftool reads, keyed "Group1:Name" (e.g. "XMP-dc:Rights"). */
async function readTags(file: string): Promise<Map<string, unknown>> {
  return new Map<string, unknown>(Object.entries(await getExifTool().readRaw(file, { readArgs: ['-G1', '-a'] })))
}

/** The stamp for partners in general on the photo: the Getty grant, in force, with its expiry. */
function expectPhotoRights(tags: Map<string, unknown>): void {
  const rights = `© ${owner}. Royalty-free licence from Getty Images (ref. GI-${run}).`
  expect(tags.get('XMP-dc:Rights')).toBe(rights)
  expect(tags.get('XMP-xmpRights:UsageTerms')).toMatch(
    new RegExp(`^"${escapeRegExp(photo.title)}" \\(version 1\\) for all partners: Any use worldwide, expires `),
  )
  expect(tags.get('XMP-xmpRights:WebStatement')).toBe(`${getEnv().PUBLIC_URL.replace(/\/+$/, '')}/portal/assets/${photo.assetId}#rights`)
  expect(tags.get('XMP-xmpRights:Marked')).toBe(true)
  expect(tags.get('XMP-plus:LicenseEndDate')).toBe(`${expiresAt.toISOString().slice(0, 19).replace(/^(\d{4})-(\d\d)-(\d\d)T/, '$1:$2:$3 ')}Z`)
  expect(tags.get('IFD0:Copyright')).toBe(rights)
}

function cameraAndLocationTags(tags: Map<string, unknown>): string[] {
  return [...tags.keys()].filter((key) => /(^|:)(Make|Model)$|GPS/.test(key))
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Mean absolute difference of two same-sized raw regions, per channel value. */
async function regionDifference(a: string, b: string, region: { left: number; top: number; width: number; height: number }, page = 0): Promise<number> {
  const [first, second] = await Promise.all(
    [a, b].map((file) => sharp(file, { page }).extract(region).removeAlpha().raw().toBuffer()),
  )
  if (!first || !second || first.length !== second.length) throw new Error('regions differ in size')
  let total = 0
  for (let index = 0; index < first.length; index++) total += Math.abs((first[index] ?? 0) - (second[index] ?? 0))
  return total / first.length
}

/** A 3000 × 2000 picture with something to look at (for the attention crop), then camera and GPS tags. */
async function cameraJpeg(): Promise<Buffer> {
  const scene = `<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="2000">
    <rect width="3000" height="2000" fill="#3a6ea5"/>
    <rect y="1300" width="3000" height="700" fill="#2f4f2f"/>
    <circle cx="2200" cy="600" r="300" fill="#ffd23f"/>
  </svg>`
  const file = path.join(directory, 'camera.jpg')
  await sharp(Buffer.from(scene)).jpeg({ quality: 90 }).toFile(file)
  await getExifTool().write(
    file,
    { Make: 'Canon', Model: 'EOS R5', GPSLatitude: 51.5074, GPSLatitudeRef: 'N', GPSLongitude: 0.1278, GPSLongitudeRef: 'W' },
    { writeArgs: ['-overwrite_original'] },
  )
  return readFile(file)
}

/** Three 400 × 300 frames of different colours. */
async function animatedGif(): Promise<Buffer> {
  const frames = await Promise.all(
    [0, 1, 2].map((index) =>
      sharp({ create: { width: 400, height: 300, channels: 4, background: { r: 60 + index * 80, g: 90, b: 160 - index * 40, alpha: 1 } } })
        .png()
        .toBuffer(),
    ),
  )
  return sharp(frames, { join: { animated: true } }).gif({ delay: [200, 200, 200], loop: 0 }).toBuffer()
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'damson-channel-test-'))
  people = await createReviewPeople(db, 'channel-rendition')
  owner = (await db.organisation.findUniqueOrThrow({ where: { id: people.organisationId } })).name
  photo = await approvedVersion(await cameraJpeg(), 'image/jpeg', 'IMG_0042.JPG', `Harbour/sunrise: ${run}`)
  await db.rightsGrant.create({
    data: {
      assetId: photo.assetId,
      licenceType: 'royalty_free',
      licensor: 'Getty Images',
      reference: `GI-${run}`,
      expiresAt,
      timeZone: 'Europe/Berlin',
      createdById: people.uploaderId,
    },
  })
})

afterAll(async () => {
  await endExifTool()
  await rm(directory, { recursive: true, force: true })
})

describe('renderChannelRendition on a photo', () => {
  it('fits it into the box as WebP with only the usage rights for metadata', async () => {
    const rendition = await render(photo, preset({ metadata: 'strip' }))
    expect(rendition).toMatchObject({
      mediaType: 'image/webp',
      filename: `harbour-sunrise-${run}-v1.webp`,
      width: 800,
      height: 533,
      rightsEmbedded: true,
      reused: false,
    })
    expect(rendition.storageKey).toMatch(new RegExp(`^channel-renditions/${photo.versionId}/[0-9a-f]{64}\\.webp$`))
    expect(rendition.renditionKey).toBe(rendition.storageKey)

    const { file, bytes } = await storedFile(rendition)
    expect(rendition.bytes).toBe(bytes.length)
    expect(rendition.sha256).toBe(sha256(bytes))
    const metadata = await sharp(file).metadata()
    expect(metadata).toMatchObject({ format: 'webp', width: 800, height: 533 })

    const tags = await readTags(file)
    expectPhotoRights(tags)
    expect(cameraAndLocationTags(tags)).toEqual([])
    expect(tags.get('ICC_Profile:ProfileDescription')).toBe('sRGB')

    const head = await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: rendition.storageKey }))
    expect(head.ContentType).toBe('image/webp')
    expect(head.Metadata?.sha256).toBe(rendition.sha256)
    const digest = /\/([0-9a-f]{64})\./.exec(rendition.storageKey)?.[1] ?? ''
    const row = await db.rendition.findUniqueOrThrow({
      where: { versionId_preset: { versionId: photo.versionId, preset: `channel:${digest.slice(0, 16)}` } },
    })
    expect(row).toMatchObject({ storageKey: rendition.storageKey, mediaType: 'image/webp', bytes: BigInt(bytes.length), width: 800, height: 533 })
  })

  it('keeps the camera metadata when the preset says so, with the rights written over it', async () => {
    const rendition = await render(photo, preset({ metadata: 'keep' }))
    const tags = await readTags((await storedFile(rendition)).file)
    expect(tags.get('IFD0:Make')).toBe('Canon')
    expect(tags.get('IFD0:Model')).toBe('EOS R5')
    expect(tags.get('GPS:GPSLatitudeRef')).toBe('North')
    expectPhotoRights(tags)
  })

  it('crops to the exact box for cover, and pads to it for contain', async () => {
    const cover = await render(photo, preset({ fit: 'cover', maxWidth: 400, maxHeight: 300 }))
    expect(cover).toMatchObject({ width: 400, height: 300 })
    expect(await sharp((await storedFile(cover)).file).metadata()).toMatchObject({ width: 400, height: 300 })

    const contain = await render(photo, preset({ fit: 'contain', format: 'png', maxWidth: 500, maxHeight: 500 }))
    const metadata = await sharp((await storedFile(contain)).file).metadata()
    expect(metadata).toMatchObject({ format: 'png', width: 500, height: 500, hasAlpha: true })
  })

  it('draws the watermark in the chosen corner and nowhere else', async () => {
    const plain = await render(photo, preset({ format: 'png', maxWidth: 600, maxHeight: 600 }))
    const marked = await render(photo, preset({ format: 'png', maxWidth: 600, maxHeight: 600, watermark: { text: 'Press <only> & “preview”', position: 'bottom-right', opacity: 0.8 } }))
    expect(marked.storageKey).not.toBe(plain.storageKey)
    expect(marked).toMatchObject({ width: 600, height: 400 })
    const [plainFile, markedFile] = [(await storedFile(plain)).file, (await storedFile(marked)).file]
    expect(await regionDifference(plainFile, markedFile, { left: 300, top: 340, width: 300, height: 60 })).toBeGreaterThan(5)
    expect(await regionDifference(plainFile, markedFile, { left: 0, top: 0, width: 300, height: 200 })).toBe(0)
  })

  it('converts to CMYK JPEG with a CMYK profile, and embeds a Display P3 profile', async () => {
    const cmyk = await render(photo, preset({ format: 'jpeg', colourProfile: 'cmyk' }))
    const cmykFile = (await storedFile(cmyk)).file
    expect(await sharp(cmykFile).metadata()).toMatchObject({ format: 'jpeg', space: 'cmyk', channels: 4 })
    const cmykTags = await readTags(cmykFile)
    expect(cmykTags.get('ICC-header:ColorSpaceData')).toBe('CMYK')
    expectPhotoRights(cmykTags)
    expect(cmykTags.get('IPTC:CopyrightNotice')).toBe(`© ${owner}. Royalty-free licence from Getty Images (ref. GI-${run}).`.slice(0, 128))

    const p3 = await render(photo, preset({ colourProfile: 'p3' }))
    const p3File = (await storedFile(p3)).file
    expect((await sharp(p3File).metadata()).icc).toBeDefined()
    // libvips' compact Display P3 profile calls itself "sP3C".
    expect((await readTags(p3File)).get('ICC_Profile:ProfileDescription')).toMatch(/P3/)
  })

  it('reuses a rendition for the same inputs, and makes a new one when the preset or the grants change', async () => {
    const channelPreset = preset({ quality: 70 })
    const first = await render(photo, channelPreset)
    const again = await render(photo, channelPreset)
    expect(again).toEqual({ ...first, reused: true })
    expect(await channelRenditionKey({ db, assetId: photo.assetId, versionId: photo.versionId, preset: channelPreset })).toBe(first.renditionKey)

    const otherQuality = await render(photo, preset({ quality: 71 }))
    expect(otherQuality.renditionKey).not.toBe(first.renditionKey)

    const grant = await db.rightsGrant.create({
      data: { assetId: photo.assetId, licenceType: 'rights_managed', licensor: 'Studio North', channels: ['print'], territories: ['DE'], createdById: people.uploaderId },
    })
    try {
      const keyNow = await channelRenditionKey({ db, assetId: photo.assetId, versionId: photo.versionId, preset: channelPreset })
      expect(keyNow).not.toBe(first.renditionKey)
      const regranted = await render(photo, channelPreset)
      expect(regranted).toMatchObject({ renditionKey: keyNow, reused: false })
      expect((await readTags((await storedFile(regranted)).file)).get('XMP-xmpRights:UsageTerms')).toContain('Print use in Germany, no expiry.')
    } finally {
      await db.rightsGrant.delete({ where: { id: grant.id } })
    }
    expect(await channelRenditionKey({ db, assetId: photo.assetId, versionId: photo.versionId, preset: channelPreset })).toBe(first.renditionKey)
  })
})

describe('renderChannelRendition on other files', () => {
  it('keeps an animated GIF animated as the original and as WebP, watermarking every frame', async () => {
    const gif = await approvedVersion(await animatedGif(), 'image/gif', 'spinner.gif')

    const original = await render(gif, preset({ format: 'original' }))
    expect(original).toMatchObject({ mediaType: 'image/gif', width: 400, height: 300, rightsEmbedded: true })
    const originalFile = (await storedFile(original)).file
    expect((await sharp(originalFile).metadata()).pages).toBe(3)
    expect((await readTags(originalFile)).get('XMP-xmpRights:UsageTerms')).toContain('for all partners:')

    const webp = await render(gif, preset({ maxWidth: 200, maxHeight: 200 }))
    expect(webp).toMatchObject({ mediaType: 'image/webp', width: 200, height: 150 })
    const webpFile = (await storedFile(webp)).file
    expect(await sharp(webpFile).metadata()).toMatchObject({ format: 'webp', pages: 3, width: 200, height: 150 })
    expect((await readTags(webpFile)).get('XMP-dc:Rights')).toMatch(/^© /)

    const marked = await render(gif, preset({ maxWidth: 200, maxHeight: 200, watermark: { text: 'Damson', position: 'centre', opacity: 1 } }))
    const markedFile = (await storedFile(marked)).file
    expect((await sharp(markedFile).metadata()).pages).toBe(3)
    for (const page of [0, 1, 2]) {
      expect(await regionDifference(webpFile, markedFile, { left: 60, top: 65, width: 80, height: 20 }, page)).toBeGreaterThan(5)
    }

    const jpeg = await render(gif, preset({ format: 'jpeg' }))
    expect(await sharp((await storedFile(jpeg)).file).metadata()).toMatchObject({ format: 'jpeg', width: 400, height: 300 })
  })

  it('delivers a PDF as it is, whatever the format, with the rights written in', async () => {
    const pdf = await approvedVersion(minimalPdf('Price list'), 'application/pdf', 'price-list.pdf', `Price list ${run}`)
    const rendition = await render(pdf, preset({ format: 'jpeg', metadata: 'strip' }))
    expect(rendition).toMatchObject({ mediaType: 'application/pdf', filename: `price-list-${run}-v1.pdf`, width: null, height: null, rightsEmbedded: true })
    expect(rendition.storageKey).toMatch(/\.pdf$/)
    const tags = await readTags((await storedFile(rendition)).file)
    expect(tags.get('PDF:PageCount')).toBe(1)
    expect(tags.get('XMP-xmpRights:UsageTerms')).toBe(`"Price list ${run}" (version 1) for all partners: No usage restrictions are recorded; no expiry.`)
    expect(tags.get('XMP-dc:Rights')).toBe(`© ${owner}.`)

    // The pixel settings do not shape a PDF: presets differing only in them share its copy.
    const otherPixels = await render(pdf, preset({ format: 'avif', quality: 40, maxWidth: 100 }))
    expect(otherPixels).toMatchObject({ renditionKey: rendition.renditionKey, reused: true })
  })

  it('delivers a file that cannot carry the rights unchanged, and says so', async () => {
    // An empty zip archive: just the end-of-central-directory record.
    const zip = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)])
    const archive = await approvedVersion(zip, 'application/zip', 'press-kit.zip')
    const rendition = await render(archive, preset())
    expect(rendition).toMatchObject({ mediaType: 'application/zip', rightsEmbedded: false, bytes: zip.length, sha256: sha256(zip) })
    expect(rendition.filename).toMatch(/-v1\.zip$/)
    expect(await render(archive, preset())).toMatchObject({ rightsEmbedded: false, reused: true })
  })

  it('refuses a truncated JPEG with a clear error', async () => {
    const broken = await approvedVersion(await generateTruncatedJpeg(), 'image/jpeg', 'broken.jpg', `Broken ${run}`)
    await expect(render(broken, preset())).rejects.toSatisfy(
      (error: unknown) => isMediaError(error) && error.code === 'corrupt' && error.message.includes(`“Broken ${run}”`),
    )
    expect(await db.rendition.count({ where: { versionId: broken.versionId } })).toBe(0)
  })

  it('refuses an image over the pixel limit', async () => {
    const rendition = renderChannelRendition({ db, storage, assetId: photo.assetId, versionId: photo.versionId, preset: preset({ quality: 12 }), maxImagePixels: 1_000_000 })
    await expect(rendition).rejects.toSatisfy((error: unknown) => isMediaError(error) && error.code === 'too_many_pixels')
  })
})
