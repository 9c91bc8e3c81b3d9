/**
 * Duplicates at upload, against the real stack (PostgreSQL, S3, Typesense, the test
 * stack's Temporal with the Damson workers in-process on queues of their own): the
 * same file uploaded twice is an exact match as soon as it is stored; a resized
 * re-encode is a near match once ingest stored its perceptual hash; another
 * organisation's asset is never suggested; and each answer — keep both, skip, add as
 * new version — does what it says to rows, objects, reviews and the search index,
 * audited, and answers a second submit the same way.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { Runtime, DefaultLogger } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssetSearchDocument } from '~/search.server'
import type { IngestVersionResult } from '../../workflows/ingest'
import type { ReviewOutcome } from '../../workflows/review'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-duplicates')

const { getEnv } = await import('~/env.server')
const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { ASSETS_COLLECTION, createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { uploadAsset } = await import('~/assets/upload.server')
const { findDuplicateCandidate, decideDuplicate } = await import('~/assets/duplicates.server')
const { getVersionStatus } = await import('~/library/version-status.server')
const { requireVersionAccess } = await import('~/assets/access.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const { AppError } = await import('~/errors.server')
const fixtures = await import('../support/review-fixtures')

type CurrentUser = import('~/auth.server').CurrentUser
type ReviewPeople = import('../support/review-fixtures').ReviewPeople

const env = getEnv()
const db = getDb()
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
const run = randomUUID().slice(0, 8)

let inProcess: InProcessWorkers | undefined
let people: ReviewPeople
let uploader: CurrentUser
let reviewer: CurrentUser
let photo: Buffer
/** The first upload of the photo: the existing asset every later upload looks like. */
let existing: { assetId: string; versionId: string }
/** Another organisation's asset with the very same bytes, stored before everything else. */
let foreign: { assetId: string; versionId: string }

async function* once(buffer: Uint8Array): AsyncGenerator<Uint8Array> {
  yield buffer
}

/** A photo-like picture: gradients and shapes (perceptual hashes need structure). */
async function scene(seed: number, width = 1200, height = 800): Promise<Buffer> {
  const shapes = Array.from({ length: 7 }, (_, index) => {
    const x = (seed * 97 + index * 151) % width
    const y = (seed * 53 + index * 89) % height
    const r = 60 + ((seed * 13 + index * 37) % 160)
    return `<circle cx="${x}" cy="${y}" r="${r}" fill="hsl(${(seed * 47 + index * 61) % 360},70%,50%)"/>`
  }).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${(seed * 31) % 360},60%,80%)"/><stop offset="1" stop-color="hsl(${(seed * 17) % 360},60%,20%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer()
}

function currentUser(id: string, name: string, email: string, roles: CurrentUser['roles']): CurrentUser {
  return {
    id,
    email,
    name,
    roles,
    organisation: { id: people.organisationId, name: `Brand ${run}`, kind: 'brand' },
    viewer: { userId: id, roles, organisationId: people.organisationId },
  }
}

async function ingested(versionId: string): Promise<IngestVersionResult> {
  return (await inProcess!.testEnv.client.workflow.getHandle(`ingest-${versionId}`).result()) as IngestVersionResult
}

async function upload(bytes: Buffer, filename: string): Promise<{ assetId: string; versionId: string }> {
  const result = await uploadAsset({ db, storage, uploader, file: { stream: once(bytes), filename, declaredType: 'image/jpeg' }, title: `${filename} ${run}` })
  return { assetId: result.assetId, versionId: result.versionId }
}

async function uploadAndIngest(bytes: Buffer, filename: string): Promise<{ assetId: string; versionId: string }> {
  const uploaded = await upload(bytes, filename)
  expect(await ingested(uploaded.versionId)).toMatchObject({ status: 'in_review' })
  return uploaded
}

function decide(versionId: string, decision: 'add_as_version' | 'keep_both' | 'skip', existingAssetId?: string, actor = uploader) {
  return decideDuplicate({ db, storage, actor, versionId, decision, existingAssetId, ipAddress: '203.0.113.7', client: inProcess!.testEnv.client })
}

async function expectAppError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error, `expected ${code}`).toBeInstanceOf(AppError)
  expect((error as InstanceType<typeof AppError>).code).toBe(code)
  if (message) expect((error as InstanceType<typeof AppError>).message).toMatch(message)
}

async function objectKeys(versionId: string): Promise<{ original: string; renditions: string[] }> {
  const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { storageKey: true, renditions: { select: { storageKey: true } } } })
  return { original: version.storageKey, renditions: version.renditions.map((rendition) => rendition.storageKey) }
}

async function inSearchIndex(assetId: string): Promise<boolean> {
  return search
    .collections<AssetSearchDocument>(ASSETS_COLLECTION)
    .documents(assetId)
    .retrieve()
    .then(
      () => true,
      () => false,
    )
}

beforeAll(async () => {
  await ensureSearchCollections(search)
  inProcess = await startInProcessWorkers({ env, db, storage, search })
  people = await fixtures.createReviewPeople(db, 'duplicates')
  const row = await db.user.findUniqueOrThrow({ where: { id: people.uploaderId } })
  uploader = currentUser(row.id, row.name, row.email, ['librarian'])
  const reviewerRow = await db.user.findUniqueOrThrow({ where: { id: people.reviewerIds[0] } })
  reviewer = currentUser(reviewerRow.id, reviewerRow.name, reviewerRow.email, ['reviewer'])

  photo = await scene(7)
  const otherPeople = await fixtures.createReviewPeople(db, 'duplicates-other')
  foreign = await fixtures.createUploadedVersion(db, storage, { people: otherPeople, bytes: photo, mediaType: 'image/jpeg', filename: 'harbour.jpg', title: `Other brand's harbour ${run}` })
  await db.assetVersion.update({ where: { id: foreign.versionId }, data: { status: 'in_review' } })
  existing = await uploadAndIngest(photo, 'harbour.jpg')
})

afterAll(async () => {
  await inProcess?.stop()
})

describe('finding duplicates', () => {
  it('the same file uploaded again is an exact match as soon as it is stored; another organisation’s copy never is', async () => {
    // The first upload only has the other organisation's identical file before it.
    expect(await findDuplicateCandidate({ db, versionId: existing.versionId })).toBeNull()

    const again = await upload(photo, 'harbour-again.jpg')
    const candidate = await findDuplicateCandidate({ db, versionId: again.versionId })
    expect(candidate).toMatchObject({ assetId: existing.assetId, versionId: existing.versionId, versionNumber: 1, title: `harbour.jpg ${run}`, kind: 'exact', distance: 0 })
    expect(candidate?.thumbnailUrl).toBe(`/assets/${existing.assetId}/versions/${existing.versionId}/renditions/thumbnail`)
    expect(candidate?.assetId).not.toBe(foreign.assetId)
    expect(await ingested(again.versionId)).toMatchObject({ status: 'in_review' })
    // The status resource the upload list reads carries it.
    expect((await getVersionStatus({ db, versionId: again.versionId }))?.duplicate).toMatchObject({ assetId: existing.assetId, kind: 'exact' })
  })

  it('a resized re-encode is a near match once ingest stored its hash; an unrelated picture is none', async () => {
    const resized = await sharp(photo).resize(900).jpeg({ quality: 70 }).toBuffer()
    const near = await uploadAndIngest(resized, 'harbour-small.jpg')
    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: near.versionId } })
    expect(version.perceptualHash).toMatch(/^[0-9a-f]{16}$/)
    const candidate = await findDuplicateCandidate({ db, versionId: near.versionId })
    expect(candidate).toMatchObject({ assetId: existing.assetId, kind: 'near' })
    expect(candidate?.distance).toBeLessThanOrEqual(8)

    const unrelated = await uploadAndIngest(await scene(1234), 'forest.jpg')
    expect(await findDuplicateCandidate({ db, versionId: unrelated.versionId })).toBeNull()
  })
})

describe('deciding', () => {
  it('keep both: the prompt goes, audited; a repeat answers the same; another answer afterwards is refused', async () => {
    const copy = await uploadAndIngest(photo, 'harbour-keep.jpg')
    const kept = await decide(copy.versionId, 'keep_both')
    expect(kept).toMatchObject({ decision: 'keep_both', assetId: copy.assetId, removedAssetId: null, repeated: false })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: copy.versionId } })).toMatchObject({ duplicateDecision: 'keep_both', status: 'in_review' })
    expect(await findDuplicateCandidate({ db, versionId: copy.versionId })).toBeNull()
    expect(await db.auditEvent.count({ where: { action: 'version.duplicate_decision', subjectId: copy.versionId } })).toBe(1)
    expect(await decide(copy.versionId, 'keep_both')).toMatchObject({ decision: 'keep_both', repeated: true })
    await expectAppError(decide(copy.versionId, 'skip'), 'CONFLICT', /already decided: Kept both/)
    expect(await db.auditEvent.count({ where: { action: 'version.duplicate_decision', subjectId: copy.versionId } })).toBe(1)
  })

  it('skip: the new asset, its review, rows, objects and search document go; the existing asset is untouched', async () => {
    const copy = await uploadAndIngest(photo, 'harbour-skip.jpg')
    const keys = await objectKeys(copy.versionId)
    expect(keys.renditions.length).toBeGreaterThan(0)
    expect(await inSearchIndex(copy.assetId)).toBe(true)
    const existingVersions = await db.assetVersion.count({ where: { assetId: existing.assetId } })

    const skipped = await decide(copy.versionId, 'skip')
    expect(skipped).toMatchObject({ decision: 'skip', assetId: existing.assetId, removedAssetId: copy.assetId, repeated: false })
    const review = (await inProcess!.testEnv.client.workflow.getHandle(`review-${copy.versionId}`).result()) as ReviewOutcome
    expect(review).toMatchObject({ status: 'withdrawn' })
    expect(await db.asset.findUnique({ where: { id: copy.assetId } })).toBeNull()
    expect(await db.assetVersion.findUnique({ where: { id: copy.versionId } })).toBeNull()
    expect(await db.review.count({ where: { versionId: copy.versionId } })).toBe(0)
    for (const key of [keys.original, ...keys.renditions]) expect(await storage.exists(key), key).toBe(false)
    expect(await inSearchIndex(copy.assetId)).toBe(false)
    expect(await db.assetVersion.count({ where: { assetId: existing.assetId } })).toBe(existingVersions)
    expect(await storage.exists((await objectKeys(existing.versionId)).original)).toBe(true)
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'version.duplicate_decision', subjectId: copy.versionId } })
    expect(event).toMatchObject({ actorId: uploader.id, subjectType: 'version', ipAddress: '203.0.113.7' })
    expect(event.detail).toMatchObject({ decision: 'skip', newAssetId: copy.assetId, removedAssetId: copy.assetId })

    // A double submit finds the decision already made.
    expect(await decide(copy.versionId, 'skip')).toMatchObject({ decision: 'skip', repeated: true, assetId: existing.assetId })
    await expectAppError(decide(copy.versionId, 'keep_both'), 'CONFLICT')
  })

  it('add as new version: the stored file becomes the next version of the existing asset, reviewed while the approved version stays live', async () => {
    // The existing asset's v1 is approved and live for partners.
    await submitReviewDecision({ versionId: existing.versionId, reviewerId: people.reviewerIds[0], decision: 'approve', client: inProcess!.testEnv.client })
    expect(await inProcess!.testEnv.client.workflow.getHandle(`review-${existing.versionId}`).result()).toMatchObject({ status: 'approved' })
    const partnerOrg = await db.organisation.create({ data: { name: `Partner ${run}`, slug: `partner-dup-${run}`, kind: 'partner' } })
    const partner = { userId: `partner-${run}`, roles: ['partner' as const], organisationId: partnerOrg.id }
    await requireVersionAccess(db, partner, existing.assetId, existing.versionId)

    const retouched = await sharp(photo).resize(1000).modulate({ brightness: 1.03 }).jpeg({ quality: 85 }).toBuffer()
    const copy = await uploadAndIngest(retouched, 'harbour-retouched.jpg')
    const keys = await objectKeys(copy.versionId)

    const added = await decide(copy.versionId, 'add_as_version', existing.assetId)
    expect(added).toMatchObject({ decision: 'add_as_version', assetId: existing.assetId, versionNumber: 2, removedAssetId: copy.assetId, repeated: false })
    const v2 = await db.assetVersion.findUniqueOrThrow({ where: { id: added.versionId! } })
    // The same object, not a copy; the new asset's renditions are gone.
    expect(v2).toMatchObject({ assetId: existing.assetId, number: 2, storageKey: keys.original, originalFilename: 'harbour-retouched.jpg', uploadedById: uploader.id })
    expect(await storage.exists(keys.original)).toBe(true)
    for (const key of keys.renditions) expect(await storage.exists(key), key).toBe(false)
    expect(await db.asset.findUnique({ where: { id: copy.assetId } })).toBeNull()

    // It goes through ingest and review; v1 stays live until v2 is approved.
    expect(await ingested(v2.id)).toMatchObject({ status: 'in_review' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: existing.assetId } })).toMatchObject({ currentVersionId: existing.versionId })
    await expectAppError(requireVersionAccess(db, partner, existing.assetId, v2.id), 'NOT_FOUND')
    expect(await db.auditEvent.count({ where: { action: 'asset.upload', subjectId: existing.assetId, detail: { path: ['versionId'], equals: v2.id } } })).toBe(1)

    expect(await decide(copy.versionId, 'add_as_version', existing.assetId)).toMatchObject({ repeated: true, versionId: v2.id })
    expect(await db.assetVersion.count({ where: { assetId: existing.assetId } })).toBe(2)

    await submitReviewDecision({ versionId: v2.id, reviewerId: people.reviewerIds[0], decision: 'approve', client: inProcess!.testEnv.client })
    expect(await inProcess!.testEnv.client.workflow.getHandle(`review-${v2.id}`).result()).toMatchObject({ status: 'approved' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: existing.assetId } })).toMatchObject({ currentVersionId: v2.id })
  })

  it('refuses strangers, assets that are not candidates, later versions and unknown uploads', async () => {
    const copy = await upload(photo, `harbour-refused-${randomBytes(2).toString('hex')}.jpg`)
    await expectAppError(decide(copy.versionId, 'skip', undefined, reviewer), 'FORBIDDEN', /uploader or a librarian/)
    await expectAppError(decide(copy.versionId, 'add_as_version', foreign.assetId), 'CONFLICT', /does not look like this upload/)
    await expectAppError(decide(copy.versionId, 'add_as_version'), 'BAD_REQUEST')
    await expectAppError(decide(existing.versionId, 'skip'), 'CONFLICT', /already has versions/)
    await expectAppError(decide(randomUUID(), 'keep_both'), 'NOT_FOUND')
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: copy.versionId } })).toMatchObject({ duplicateDecision: null })
    expect(await ingested(copy.versionId)).toMatchObject({ status: 'in_review' })
  })
})
