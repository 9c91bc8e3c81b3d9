/**
 * Metadata through the real pipeline (Damson workers in-process, real Temporal,
 * PostgreSQL, S3, Typesense, ExifTool and tesseract):
 * - a JPEG with EXIF/IPTC/XMP written by ExifTool here gets its embedded metadata,
 *   prefilled Dublin Core and seeded tags; librarians see its GPS, a reviewer's portal
 *   page and a partner's API answer do not; its IPTC keyword finds it in search;
 * - an image with large printed words is OCR'd and found by one of them;
 * - a required field of a folder's schema holds a version in awaiting_metadata (not in
 *   review) until the metadata page's save fills it, which signals the ingest on to review;
 * - bulk edit of three assets with a value one of them cannot take saves two and reports one.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestVersionResult } from '../../workflows/ingest'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-metadata')

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { createSearchClient, ensureSearchCollections, searchAssetIds } = await import('~/search.server')
const { uploadAsset } = await import('~/assets/upload.server')
const { toCurrentUser } = await import('~/auth.server')
const { getExifTool } = await import('~/media/exiftool.server')
const { getAssetMetadataPanel, saveAssetMetadata, bulkEditMetadata } = await import('~/metadata/asset-metadata.server')
const { getPortalAssetPage } = await import('~/portal/asset-page.server')
const { getApiAsset } = await import('~/api/assets.server')
const { parseEmbeddedMetadata } = await import('~/domain/embedded-metadata')
const fixtures = await import('../support/review-fixtures')
type CurrentUser = import('~/auth.server').CurrentUser
type Viewer = import('~/domain/asset-access').Viewer

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
const run = randomUUID().slice(0, 8)

let inProcess: InProcessWorkers | undefined
let librarian: CurrentUser
let reviewer: Viewer
let partner: Viewer
let workDir: string

beforeAll(async () => {
  await ensureSearchCollections(search)
  inProcess = await startInProcessWorkers({ env, db, storage, search })
  workDir = await mkdtemp(path.join(tmpdir(), 'damson-metadata-test-'))
  const people = await fixtures.createReviewPeople(db, 'metadata')
  const user = await db.user.findUniqueOrThrow({ where: { id: people.uploaderId }, include: { memberships: { include: { organisation: true } } } })
  const organisation = user.memberships[0]?.organisation
  if (!organisation) throw new Error('The uploader has no organisation')
  librarian = toCurrentUser(user, { roles: ['librarian'], organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind } })
  reviewer = { userId: people.reviewerIds[0], roles: ['reviewer'], organisationId: organisation.id }
  const agency = await db.organisation.create({ data: { name: `Agency ${run}`, slug: `agency-metadata-${run}`, kind: 'partner' } })
  partner = { userId: `partner-${run}`, roles: ['partner'], organisationId: agency.id }
}, 120_000)

afterAll(async () => {
  // Schemas apply library-wide: leave none behind for the other test files.
  await db.metadataSchema.deleteMany({ where: { name: { endsWith: ` ${run}` } } })
  await inProcess?.stop()
  await rm(workDir, { recursive: true, force: true })
  await db.$disconnect()
})

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 256 * 1024) yield bytes.subarray(offset, offset + 256 * 1024)
}

function client() {
  const temporal = inProcess?.testEnv.client
  if (!temporal) throw new Error('The workers did not start')
  return temporal
}

async function upload(bytes: Buffer, filename: string, folderPath = `/metadata-${run}`) {
  return uploadAsset({ db, storage, uploader: librarian, file: { stream: chunks(bytes), filename, declaredType: null }, folderPath })
}

async function ingested(versionId: string): Promise<IngestVersionResult> {
  return (await client().workflow.getHandle(`ingest-${versionId}`).result()) as IngestVersionResult
}

async function waitForStatus(versionId: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { status: true } })
    if (version.status === status) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`Version ${versionId} never reached ${status}`)
}

const staffViewer = (): Viewer => librarian.viewer

/** A photo-like JPEG with EXIF, IPTC and XMP written by ExifTool, as a camera and a photo desk would. */
async function taggedPhoto(keyword: string): Promise<Buffer> {
  const file = path.join(workDir, `tagged-${keyword}.jpg`)
  const base = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#2a6f97' } })
    .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><circle cx="300" cy="300" r="150" fill="#e76f51"/></svg>') }])
    .jpeg({ quality: 85 })
    .toBuffer()
  await writeFile(file, base)
  await getExifTool().write(
    file,
    {
      Make: 'Canon',
      Model: 'EOS R5',
      LensModel: 'RF24-70mm F2.8 L IS USM',
      DateTimeOriginal: '2026:06:01 10:20:30',
      Artist: 'Ann Photographer',
      Copyright: '© Damson Brand 2026',
      'IPTC:Keywords': [keyword, 'beach'],
      'XMP-dc:Subject': [keyword, 'summer launch'],
      'IPTC:By-line': 'Ann Photographer',
      'IPTC:Caption-Abstract': 'Friends on a beach at sunset',
      GPSLatitude: 51.5007,
      GPSLatitudeRef: 'N',
      // exiftool-vendored derives the W/E reference from the sign.
      GPSLongitude: -0.1246,
      GPSLongitudeRef: 'W',
      GPSAltitude: 35,
      GPSAltitudeRef: 0,
    } as never,
    { writeArgs: ['-overwrite_original'] },
  )
  return readFile(file)
}

describe('embedded metadata', () => {
  it('reads EXIF/IPTC/XMP, prefills Dublin Core and tags, shows GPS to librarians only, and indexes keywords', async () => {
    const keyword = `lighthouse${run}`
    const { assetId, versionId } = await upload(await taggedPhoto(keyword), 'beach.jpg')
    expect((await ingested(versionId)).status).toBe('in_review')

    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { embeddedMetadata: true } })
    const embedded = parseEmbeddedMetadata(version.embeddedMetadata)
    expect(embedded).toMatchObject({
      cameraMake: 'Canon',
      cameraModel: 'EOS R5',
      lens: 'RF24-70mm F2.8 L IS USM',
      creator: 'Ann Photographer',
      copyright: '© Damson Brand 2026',
      description: 'Friends on a beach at sunset',
    })
    expect(embedded.capturedAt).toMatch(/^2026-06-01T10:20:30/)
    expect(embedded.keywords).toEqual([keyword, 'beach', 'summer launch'])
    expect(embedded.location?.latitude).toBeCloseTo(51.5007, 4)
    expect(embedded.location?.longitude).toBeCloseTo(-0.1246, 4)
    expect(embedded.location?.altitude).toBe(35)
    expect(Object.keys(embedded.groups)).toEqual(expect.arrayContaining(['EXIF', 'IPTC', 'XMP']))
    // Location lives in one field only: no GPS tag among the raw groups.
    expect(JSON.stringify(embedded.groups)).not.toMatch(/GPS/i)
    expect(JSON.stringify(version.embeddedMetadata).length).toBeLessThan(64 * 1024)

    const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { dublinCore: true, tags: true } })
    expect(asset.dublinCore).toMatchObject({
      creator: 'Ann Photographer',
      rights: '© Damson Brand 2026',
      description: 'Friends on a beach at sunset',
      subject: `${keyword}, beach, summer launch`,
      date: '2026-06-01',
      type: 'StillImage',
      format: 'image/jpeg',
    })
    expect(asset.tags).toEqual(expect.arrayContaining([keyword, 'beach', 'summer launch']))

    // Librarians see the location; a reviewer (staff, not a librarian) does not.
    const panel = await getAssetMetadataPanel({ db, assetId, roles: ['librarian'] })
    expect(panel.embedded?.embedded.location?.latitude).toBeCloseTo(51.5007, 4)
    const reviewerPage = await getPortalAssetPage({ db, viewer: reviewer, assetId })
    expect(reviewerPage.embeddedMetadata?.embedded.creator).toBe('Ann Photographer')
    expect(reviewerPage.embeddedMetadata?.embedded.location).toBeNull()
    expect(JSON.stringify(reviewerPage)).not.toContain('51.5007')

    // A partner, once the version is approved (no grants: no restrictions), gets no location from the API.
    await db.$transaction([
      db.assetVersion.update({ where: { id: versionId }, data: { status: 'approved' } }),
      db.asset.update({ where: { id: assetId }, data: { currentVersionId: versionId } }),
    ])
    const partnerAnswer = await getApiAsset({ db, viewer: partner, assetId })
    expect(partnerAnswer.embeddedMetadata?.keywords).toContain(keyword)
    expect(partnerAnswer.embeddedMetadata?.location).toBeNull()
    expect(JSON.stringify(partnerAnswer)).not.toContain('51.5007')
    const partnerPage = await getPortalAssetPage({ db, viewer: partner, assetId })
    expect(partnerPage.embeddedMetadata?.embedded.location).toBeNull()

    // The keyword finds it, for staff and (approved, shared with all, no grants) for the partner.
    const { reindexAsset } = await import('~/search.server')
    await reindexAsset(db, assetId, search)
    expect((await searchAssetIds(staffViewer(), { query: keyword }, new Date(), search)).ids).toContain(assetId)
    expect((await searchAssetIds(partner, { query: keyword }, new Date(), search)).ids).toContain(assetId)
  }, 120_000)

  it('OCRs an image with printed words and finds it by one of them', async () => {
    const word = `Zephyr${run.replace(/[^a-z]/gi, '').slice(0, 4)}`.toUpperCase()
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="700">
      <rect width="100%" height="100%" fill="#ffffff"/>
      <text x="80" y="260" font-family="DejaVu Sans, Arial, sans-serif" font-size="110" fill="#000000">SUMMER LAUNCH</text>
      <text x="80" y="460" font-family="DejaVu Sans, Arial, sans-serif" font-size="110" fill="#000000">${word}</text>
    </svg>`
    const png = await sharp(Buffer.from(svg)).png().toBuffer()
    const { assetId, versionId } = await upload(png, 'poster.png')
    expect((await ingested(versionId)).status).toBe('in_review')

    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { extractedText: true } })
    expect(version.extractedText).toContain('SUMMER LAUNCH')
    expect(version.extractedText).toContain(word)
    expect((await searchAssetIds(staffViewer(), { query: word }, new Date(), search)).ids).toContain(assetId)
  }, 120_000)
})

describe('mandatory fields gate review', () => {
  it('closes a version held for metadata as superseded as soon as a newer version arrives', async () => {
    const folder = `/gated-newer-${run}`
    await db.metadataSchema.create({
      data: { name: `Newer ${run}`, folderPaths: [folder], fields: [{ key: 'campaign', label: 'Campaign', type: 'text', required: true, options: [], help: '' }] },
    })
    const first = await upload(await fixtures.generatePng(300, 200), 'held.png', folder)
    await waitForStatus(first.versionId, 'awaiting_metadata')
    const { uploadNewVersion } = await import('~/assets/upload.server')
    const second = await uploadNewVersion({
      db,
      storage,
      uploader: librarian,
      assetId: first.assetId,
      file: { stream: chunks(await fixtures.generatePng(310, 200)), filename: 'held-v2.png', declaredType: null },
    })
    // Without the signal it would wait for its daily re-check.
    await waitForStatus(first.versionId, 'superseded')
    expect(await ingested(first.versionId)).toMatchObject({ status: 'superseded' })
    await waitForStatus(second.versionId, 'awaiting_metadata')
  })

  it('holds a version in awaiting_metadata until the required field is filled in, then reviews it', async () => {
    const folder = `/gated-${run}`
    await db.metadataSchema.create({
      data: {
        name: `Campaign ${run}`,
        folderPaths: [folder],
        fields: [
          { key: 'campaign', label: 'Campaign', type: 'text', required: true, options: [], help: '' },
          { key: 'region', label: 'Usage region', type: 'select', required: false, options: ['EU', 'US'], help: '' },
        ],
      },
    })
    const { assetId, versionId } = await upload(await fixtures.generatePng(320, 240), 'gated.png', `${folder}/spring`)
    await waitForStatus(versionId, 'awaiting_metadata')
    expect(await db.review.count({ where: { versionId } })).toBe(0)
    const panel = await getAssetMetadataPanel({ db, assetId, roles: ['librarian'] })
    expect(panel.needsMetadata?.message).toBe('Needs metadata: fill in Campaign')
    // The upload list says the same, for the single and the several-versions status resources.
    const { getVersionStatus, getVersionStatuses } = await import('~/library/version-status.server')
    expect((await getVersionStatus({ db, versionId }))?.notice).toBe('Needs metadata: fill in Campaign')
    expect((await getVersionStatuses({ db, versionIds: [versionId] }))[0]?.notice).toBe('Needs metadata: fill in Campaign')

    // A value that does not fit is refused and nothing changes.
    const refused = await saveAssetMetadata({ db, assetId, actorId: librarian.id, change: { fields: { campaign: 'Spring', region: 'Mars' } }, client: client() })
    expect(refused).toEqual({ ok: false, errors: { region: 'Usage region must be one of: EU, US' } })
    expect((await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { customFields: true } })).customFields).toEqual({})

    const saved = await saveAssetMetadata({ db, assetId, actorId: librarian.id, change: { fields: { campaign: 'Spring 2027', region: 'EU' } }, client: client() })
    expect(saved).toEqual({ ok: true, changed: true, missing: [], signalled: 1 })
    const result = await ingested(versionId)
    expect(result.status).toBe('in_review')
    expect((await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { status: true } })).status).toBe('in_review')
    expect(await fixtures.countAuditEvents(db, 'version.awaiting_metadata', versionId)).toBe(1)
    expect(await fixtures.countAuditEvents(db, 'asset.metadata_change', assetId)).toBe(1)
    expect((await searchAssetIds(staffViewer(), { query: 'Spring 2027' }, new Date(), search)).ids).toContain(assetId)
  }, 120_000)
})

describe('bulk edit', () => {
  it('saves the assets whose schema takes the values and reports the one that does not', async () => {
    const euFolder = `/bulk-eu-${run}`
    const apacFolder = `/bulk-apac-${run}`
    const field = (options: string[]) => [{ key: 'region', label: 'Usage region', type: 'select', required: false, options, help: '' }]
    await db.metadataSchema.create({ data: { name: `Bulk EU ${run}`, folderPaths: [euFolder], fields: field(['EU', 'US']) } })
    await db.metadataSchema.create({ data: { name: `Bulk APAC ${run}`, folderPaths: [apacFolder], fields: field(['APAC']) } })
    const asset = async (folderPath: string, title: string) =>
      db.asset.create({
        data: { title, folderPath, kind: 'image', tags: ['old'], ownerOrganisationId: librarian.organisation.id, createdById: librarian.id },
        select: { id: true },
      })
    const [a, b, c] = [await asset(euFolder, 'Bulk A'), await asset(euFolder, 'Bulk B'), await asset(apacFolder, 'Bulk C')]

    const outcome = await bulkEditMetadata({
      db,
      assetIds: [a.id, b.id, c.id],
      actorId: librarian.id,
      change: { dublinCore: { publisher: 'Damson Brand' }, fields: { region: 'EU' }, tags: { add: ['campaign'], remove: ['old'] } },
      client: client(),
    })
    expect(outcome.saved.map((saved) => saved.assetId)).toEqual([a.id, b.id])
    expect(outcome.refused).toEqual([{ assetId: c.id, title: 'Bulk C', errors: ['Usage region must be one of: APAC'] }])
    for (const id of [a.id, b.id]) {
      const row = await db.asset.findUniqueOrThrow({ where: { id }, select: { dublinCore: true, customFields: true, tags: true } })
      expect(row).toEqual({ dublinCore: { publisher: 'Damson Brand' }, customFields: { region: 'EU' }, tags: ['campaign'] })
      expect(await fixtures.countAuditEvents(db, 'asset.metadata_change', id)).toBe(1)
    }
    const untouched = await db.asset.findUniqueOrThrow({ where: { id: c.id }, select: { dublinCore: true, customFields: true, tags: true } })
    expect(untouched).toEqual({ dublinCore: {}, customFields: {}, tags: ['old'] })
  }, 60_000)
})

describe('form refusals', () => {
  it('refuses a schema form with a bad key, a select without options or a taken name, saving nothing', async () => {
    const { schemaDraftFromForm, saveMetadataSchema } = await import('~/metadata/schemas.server')
    const form = (entries: Record<string, string>) => {
      const formData = new FormData()
      for (const [key, value] of Object.entries(entries)) formData.append(key, value)
      return formData
    }
    const bad = schemaDraftFromForm(form({ name: `Bad ${run}`, 'fields.0.key': 'Bad Key', 'fields.0.label': 'X', 'fields.0.type': 'text', 'fields.1.key': 'region', 'fields.1.label': 'Region', 'fields.1.type': 'select' }))
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.errors['field 1']).toMatch(/lower-case/)
      expect(bad.errors['field 2']).toBe('“Region” needs at least one option')
    }
    const good = schemaDraftFromForm(form({ name: `Taken ${run}`, folderPaths: 'a//b/\n/a/b', assetKinds: 'video', 'fields.0.key': 'campaign', 'fields.0.label': 'Campaign', 'fields.0.type': 'text', 'fields.0.required': 'on' }))
    expect(good).toEqual({
      ok: true,
      draft: { name: `Taken ${run}`, folderPaths: ['/a/b'], assetKinds: ['video'], fields: [{ key: 'campaign', label: 'Campaign', type: 'text', required: true, options: [], help: '' }] },
    })
    if (!good.ok) return
    // Stored for a folder of this run only: a schema on every video would hold other test files' videos for metadata.
    const stored = { ...good.draft, folderPaths: [`/metadata-taken-${run}`], assetKinds: [] }
    await saveMetadataSchema({ db, id: null, draft: stored, actorId: librarian.id })
    await expect(saveMetadataSchema({ db, id: null, draft: stored, actorId: librarian.id })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await db.metadataSchema.count({ where: { name: `Taken ${run}` } })).toBe(1)
  })

  it('refuses an over-long Dublin Core value and an empty bulk edit', async () => {
    const { metadataChangeFromForm, bulkChangeFromForm } = await import('~/metadata/asset-metadata.server')
    const formData = new FormData()
    formData.append('dc.title', 'x'.repeat(2001))
    const parsed = metadataChangeFromForm(formData, [])
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.errors['dc.title']).toBe('At most 2000 characters')
    expect(bulkChangeFromForm(new FormData(), [])).toEqual({ ok: false, errors: { form: 'Fill in at least one value to set, or tags to add or remove' } })
  })
})
