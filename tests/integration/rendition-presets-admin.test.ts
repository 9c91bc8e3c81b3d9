/**
 * Admin rendition presets through the real stack (PostgreSQL, S3, sharp, exiftool): an
 * admin defines a preset; a partner gets an approved, in-rights image in it, cropped
 * around its focal point, made once and then served from S3 untouched; every delivery
 * is a logged download; the access rule hides unapproved and out-of-rights assets
 * (404); editing the preset or moving the focal point makes a new file; bad names and
 * settings are refused with a message per field.
 */
import { randomUUID } from 'node:crypto'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { minimalPdf } from '../support/pdf-fixture'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { endExifTool } = await import('~/media/exiftool.server')
const { AppError } = await import('~/errors.server')
const presets = await import('~/assets/preset-renditions.server')
const { setFocalPoint } = await import('~/assets/focal-point.server')
const { createReviewPeople, createUploadedVersion } = await import('../support/review-fixtures')

type Viewer = import('~/domain/asset-access').Viewer
type ReviewPeople = import('../support/review-fixtures').ReviewPeople

const db = getDb()
const storage = getStorage()
const run = randomUUID().slice(0, 8)
const DAY = 24 * 3600 * 1000
const use = { channel: 'web', territory: 'DE' }

let people: ReviewPeople
let adminId: string
let partner: Viewer
let librarian: Viewer
let presetId: string
const presetName = `square-${run}`
/** 1200 × 600: red in x 0–400, green 400–800, blue 800–1200; focal point in the blue. */
let photo: { assetId: string; versionId: string }

async function expectAppError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error, `expected ${code}`).toBeInstanceOf(AppError)
  expect((error as InstanceType<typeof AppError>).code).toBe(code)
  if (message) expect((error as InstanceType<typeof AppError>).message).toMatch(message)
}

function presetForm(fields: Record<string, string>): FormData {
  const form = new FormData()
  const defaults = { name: presetName, label: 'Social square', format: 'jpeg', maxWidth: '300', maxHeight: '300', fit: 'cover', quality: '80', watermarkText: '', watermarkPosition: 'bottom-right', watermarkOpacity: '50', colourProfile: 'srgb', metadata: 'strip' }
  for (const [name, value] of Object.entries({ ...defaults, ...fields })) form.set(name, value)
  return form
}

async function stripes(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="600">
    <rect width="400" height="600" fill="#ff0000"/><rect x="400" width="400" height="600" fill="#00ff00"/><rect x="800" width="400" height="600" fill="#0000ff"/></svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

async function approved(bytes: Buffer, mediaType: string, filename: string): Promise<{ assetId: string; versionId: string }> {
  const uploaded = await createUploadedVersion(db, storage, { people, bytes, mediaType, filename, title: `Preset test ${run}` })
  await db.assetVersion.update({ where: { id: uploaded.versionId }, data: { status: 'approved', promotedAt: new Date() } })
  await db.asset.update({ where: { id: uploaded.assetId }, data: { currentVersionId: uploaded.versionId } })
  return uploaded
}

function deliver(viewer: Viewer, version: { assetId: string; versionId: string }, name = presetName, declared: typeof use | null = use) {
  return presets.deliverPreset({ db, storage, viewer, assetId: version.assetId, versionId: version.versionId, presetName: name, use: declared, ipAddress: '203.0.113.9', expiresInSeconds: 30 })
}

/** The pixel at (x, y) of a decoded image, as [r, g, b]. */
async function pixel(bytes: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const offset = (y * info.width + x) * info.channels
  return [...data.subarray(offset, offset + 3)]
}

function colour([r, g, b]: number[]): 'red' | 'green' | 'blue' | 'other' {
  if ((r ?? 0) > 200 && (g ?? 0) < 60 && (b ?? 0) < 60) return 'red'
  if ((g ?? 0) > 200 && (r ?? 0) < 60 && (b ?? 0) < 60) return 'green'
  if ((b ?? 0) > 200 && (r ?? 0) < 60 && (g ?? 0) < 60) return 'blue'
  return 'other'
}

async function head(key: string) {
  return storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }))
}

beforeAll(async () => {
  people = await createReviewPeople(db, 'presets')
  adminId = (
    await db.user.create({
      data: { email: `admin-${run}@presets.test`, name: `Preset admin ${run}`, passwordHash: 'not-used', memberships: { create: { organisationId: people.organisationId, roles: ['admin'] } } },
    })
  ).id
  const partnerOrg = await db.organisation.create({ data: { name: `Partner ${run}`, slug: `partner-presets-${run}`, kind: 'partner' } })
  const partnerUser = await db.user.create({
    data: { email: `partner-${run}@presets.test`, name: `Partner ${run}`, passwordHash: 'not-used', memberships: { create: { organisationId: partnerOrg.id, roles: ['partner'] } } },
  })
  partner = { userId: partnerUser.id, roles: ['partner'], organisationId: partnerOrg.id }
  librarian = { userId: people.uploaderId, roles: ['librarian'], organisationId: people.organisationId }
  photo = await approved(await stripes(), 'image/png', 'stripes.png')
  await setFocalPoint({ db, assetId: photo.assetId, versionId: photo.versionId, focal: { x: 0.9, y: 0.5 }, actorId: people.uploaderId })
})

afterAll(async () => {
  await endExifTool()
})

describe('admin presets', () => {
  it('an admin creates a preset, audited; built-in names, bad names, duplicates and incomplete boxes are refused per field', async () => {
    const created = await presets.savePreset({ db, presetId: null, formData: presetForm({}), actorId: adminId, ipAddress: null })
    if (created.kind !== 'saved') throw new Error(`refused: ${JSON.stringify(created.errors)}`)
    presetId = created.presetId
    expect(created).toMatchObject({ created: true, name: presetName })
    const row = await db.renditionPreset.findUniqueOrThrow({ where: { id: presetId } })
    expect(row).toMatchObject({ name: presetName, label: 'Social square', createdById: adminId })
    expect(row.preset).toMatchObject({ format: 'jpeg', maxWidth: 300, maxHeight: 300, fit: 'cover', quality: 80, watermark: null })
    expect(await db.auditEvent.count({ where: { action: 'rendition_preset.create', subjectId: presetId } })).toBe(1)
    expect((await presets.listAdminPresets({ db })).find((preset) => preset.id === presetId)).toMatchObject({
      label: 'Social square',
      description: 'JPEG, cropped to 300 × 300, quality 80, sRGB, metadata stripped',
    })

    const refused = async (fields: Record<string, string>) => {
      const outcome = await presets.savePreset({ db, presetId: null, formData: presetForm(fields), actorId: adminId, ipAddress: null })
      if (outcome.kind !== 'invalid') throw new Error('expected a refusal')
      return outcome.errors
    }
    expect(await refused({ name: 'web' })).toEqual({ name: 'That name belongs to a built-in preset; choose another.' })
    expect(await refused({ name: 'new' })).toEqual({ name: 'That name belongs to a built-in preset; choose another.' })
    expect((await refused({ name: 'Social Square!' })).name).toMatch(/lowercase letters, digits and hyphens/)
    expect(await refused({})).toEqual({ name: `A preset called “${presetName}” already exists; choose another name.` })
    expect(await refused({ name: `other-${run}`, maxHeight: '' })).toEqual({ fit: 'Cover and contain need both a width and a height' })
    expect(await refused({ name: `other-${run}`, quality: 'high', label: ' ' })).toEqual({
      quality: 'Enter a quality from 1 to 100.',
      label: 'Enter a label people will see, e.g. “Social media square”.',
    })
    expect(await refused({ name: `other-${run}`, format: 'png', colourProfile: 'cmyk' })).toEqual({ colourProfile: 'CMYK output needs JPEG' })
    expect(await db.renditionPreset.count({ where: { name: `other-${run}` } })).toBe(0)
  })

  it('gives a partner the approved image cropped around its focal point, once rendered and then from the cache, each time a logged download', async () => {
    const first = await deliver(partner, photo)
    expect(first.reused).toBe(false)
    expect(first.expiresInSeconds).toBe(30)
    expect(first.filename).toBe(`preset-test-${run}-v1-${presetName}.jpg`)
    expect(first.storageKey).toMatch(new RegExp(`^channel-renditions/${photo.versionId}/[0-9a-f]{64}\\.jpg$`))

    const response = await fetch(first.url)
    expect(response.status).toBe(200)
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 300, height: 300 })
    // The crop is x 600–1200 (pushed in from the right edge around x = 1080): green at its left, blue in its middle, never red.
    expect(colour(await pixel(bytes, 5, 150))).toBe('green')
    expect(colour(await pixel(bytes, 150, 150))).toBe('blue')
    expect(colour(await pixel(bytes, 295, 150))).toBe('blue')

    const before = await head(first.storageKey)
    const second = await deliver(partner, photo)
    expect(second).toMatchObject({ reused: true, storageKey: first.storageKey })
    const after = await head(first.storageKey)
    expect(after.ETag).toBe(before.ETag)
    expect(after.LastModified?.getTime()).toBe(before.LastModified?.getTime())
    expect(await db.rendition.findUniqueOrThrow({ where: { versionId_preset: { versionId: photo.versionId, preset: `preset:${presetName}` } } })).toMatchObject({
      storageKey: first.storageKey,
      mediaType: 'image/jpeg',
      width: 300,
      height: 300,
    })

    const records = await db.downloadRecord.findMany({ where: { versionId: photo.versionId, userId: partner.userId } })
    expect(records).toHaveLength(2)
    expect(records.every((record) => record.deliverable === `preset:${presetName}` && record.channel === 'web' && record.territory === 'DE')).toBe(true)
    const events = await db.auditEvent.findMany({ where: { action: 'asset.download', subjectId: photo.assetId, actorId: partner.userId } })
    expect(events).toHaveLength(2)
    expect(events[0]?.detail).toMatchObject({ deliverable: `preset:${presetName}`, objectKey: first.storageKey, channel: 'web', territory: 'DE' })
  })

  it('moving the focal point, or editing the preset, makes a new file on the next request', async () => {
    const before = await deliver(librarian, photo, presetName, null)
    await setFocalPoint({ db, assetId: photo.assetId, versionId: photo.versionId, focal: { x: 0.05, y: 0.5 }, actorId: people.uploaderId })
    const moved = await deliver(librarian, photo, presetName, null)
    expect(moved.reused).toBe(false)
    expect(moved.storageKey).not.toBe(before.storageKey)
    const movedBytes = await storage.getBuffer(moved.storageKey)
    expect(colour(await pixel(movedBytes, 5, 150))).toBe('red')
    expect(colour(await pixel(movedBytes, 295, 150))).toBe('green')
    // Staff without a declared use are recorded as internal use, worldwide.
    expect(await db.downloadRecord.count({ where: { versionId: photo.versionId, userId: librarian.userId, channel: 'internal', territory: 'WW' } })).toBeGreaterThanOrEqual(2)

    const edited = await presets.savePreset({ db, presetId, formData: presetForm({ maxWidth: '200', maxHeight: '100', format: 'webp' }), actorId: adminId, ipAddress: null })
    expect(edited.kind).toBe('saved')
    expect(await db.auditEvent.count({ where: { action: 'rendition_preset.update', subjectId: presetId } })).toBe(1)
    const remade = await deliver(partner, photo)
    expect(remade.reused).toBe(false)
    expect(remade.storageKey).toMatch(/\.webp$/)
    expect(await sharp(await storage.getBuffer(remade.storageKey)).metadata()).toMatchObject({ format: 'webp', width: 200, height: 100 })
    // The old file stays, unreferenced; the row points at the new one.
    expect(await storage.exists(moved.storageKey)).toBe(true)
    expect(await db.rendition.findUniqueOrThrow({ where: { versionId_preset: { versionId: photo.versionId, preset: `preset:${presetName}` } } })).toMatchObject({
      storageKey: remade.storageKey,
    })
  })

  it('hides unapproved and out-of-rights assets from partners (404), asks partners for their use, and refuses unknown presets and non-images', async () => {
    const count = () => db.downloadRecord.count({ where: { userId: partner.userId } })
    const recorded = await count()

    const inReview = await createUploadedVersion(db, storage, { people, bytes: await stripes(), mediaType: 'image/png', filename: 'draft.png' })
    await db.assetVersion.update({ where: { id: inReview.versionId }, data: { status: 'in_review' } })
    await expectAppError(deliver(partner, inReview), 'NOT_FOUND')
    // Staff may have any processed version.
    expect((await deliver(librarian, inReview, presetName, null)).reused).toBe(false)

    const expired = await approved(await stripes(), 'image/png', 'expired.png')
    await db.rightsGrant.create({
      data: { assetId: expired.assetId, licenceType: 'rights_managed', startsAt: new Date(Date.now() - 60 * DAY), expiresAt: new Date(Date.now() - DAY), timeZone: 'UTC', createdById: people.uploaderId },
    })
    await expectAppError(deliver(partner, expired), 'NOT_FOUND')

    // A v2 in review: partners still get v1 (the current one) and never v2.
    const v2 = await createUploadedVersion(db, storage, { people, assetId: photo.assetId, bytes: await stripes(), mediaType: 'image/png', filename: 'v2.png' })
    await db.assetVersion.update({ where: { id: v2.versionId }, data: { status: 'in_review' } })
    await expectAppError(deliver(partner, v2), 'NOT_FOUND')
    expect((await deliver(partner, photo)).reused).toBe(true)

    await expectAppError(deliver(partner, photo, presetName, null), 'BAD_REQUEST', /choose a channel and a territory/)
    await expectAppError(deliver(partner, photo, presetName, { channel: 'no-such-channel', territory: 'DE' }), 'BAD_REQUEST')
    await expectAppError(deliver(partner, photo, 'no-such-preset'), 'NOT_FOUND', /no such preset/)
    await expectAppError(deliver(partner, photo, 'thumbnail'), 'NOT_FOUND')
    await expectAppError(deliver(partner, photo, '../../etc'), 'NOT_FOUND')

    const pdf = await approved(minimalPdf('Brochure'), 'application/pdf', 'brochure.pdf')
    await expectAppError(deliver(partner, pdf), 'CONFLICT', /^Presets apply to images; version 1 is application\/pdf/)
    expect(await presets.presetLinksFor({ db, assetId: pdf.assetId, versionId: pdf.versionId })).toEqual([])
    expect((await presets.presetLinksFor({ db, assetId: photo.assetId, versionId: photo.versionId })).find((link) => link.name === presetName)).toEqual({
      name: presetName,
      label: 'Social square',
      description: 'WEBP, cropped to 200 × 100, quality 80, sRGB, metadata stripped',
      url: `/assets/${photo.assetId}/versions/${photo.versionId}/presets/${presetName}`,
    })

    // Only the one partner delivery above (of v1) was recorded.
    expect(await count()).toBe(recorded + 1)
  })

  it('deleting a preset is audited and its links then answer 404', async () => {
    const other = await presets.savePreset({ db, presetId: null, formData: presetForm({ name: `gone-${run}`, fit: 'inside' }), actorId: adminId, ipAddress: null })
    if (other.kind !== 'saved') throw new Error('refused')
    await deliver(librarian, photo, `gone-${run}`, null)
    await presets.deletePreset({ db, presetId: other.presetId, actorId: adminId, ipAddress: null })
    expect(await db.auditEvent.count({ where: { action: 'rendition_preset.delete', subjectId: other.presetId } })).toBe(1)
    expect(await db.rendition.count({ where: { preset: `preset:gone-${run}` } })).toBe(0)
    await expectAppError(deliver(librarian, photo, `gone-${run}`, null), 'NOT_FOUND')
    await expectAppError(presets.deletePreset({ db, presetId: other.presetId, actorId: adminId, ipAddress: null }), 'NOT_FOUND')
  })
})
