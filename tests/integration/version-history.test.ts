/**
 * Versions over an asset's life, against the real stack (PostgreSQL, S3, Typesense,
 * the test stack's Temporal with the Damson workers in-process on queues of their
 * own): rollback to an earlier approved version, the promotion guard that keeps a
 * newer live version, and new versions uploaded while partners keep seeing the
 * approved one — including a newer upload withdrawing an older version's review.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssetSearchDocument } from '~/search.server'
import type { DamsonWorkers } from '../../workers/main'
import type { IngestVersionResult } from '../../workflows/ingest'
import type { ReviewOutcome } from '../../workflows/review'
import { startInProcessWorkers, type InProcessWorkers } from '../support/in-process-workers'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
// Each test file has its own process (forks pool), so this runtime is ours alone.
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-history')

const { getEnv } = await import('~/env.server')
const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { ASSETS_COLLECTION, createSearchClient, ensureSearchCollections } = await import('~/search.server')
const { uploadAsset, uploadNewVersion, receiveNewVersion } = await import('~/assets/upload.server')
const { promoteVersion } = await import('~/assets/promote-version.server')
const { rollbackToVersion } = await import('~/assets/rollback-version.server')
const { requireAssetAccess, requireVersionAccess } = await import('~/assets/access.server')
const { browseAssets, parseBrowseQuery } = await import('~/portal/browse.server')
const { submitReviewDecision } = await import('~/review/decide.server')
const { withdrawReview } = await import('~/review/withdraw-review.server')
const { getLibraryAssetDetail } = await import('~/library/asset-detail.server')
const { AppError } = await import('~/errors.server')
const fixtures = await import('../support/review-fixtures')

type CurrentUser = import('~/auth.server').CurrentUser
type Viewer = import('~/domain/asset-access').Viewer
type ReviewPeople = import('../support/review-fixtures').ReviewPeople

// The process-wide client: the upload path starts ingests and withdraws reviews through getDb()/getTemporalClient().
const env = getEnv()
const db = getDb()
const storage = getStorage()
const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)

let testEnv: TestWorkflowEnvironment
let workflowBundle: WorkflowBundle
let workers: DamsonWorkers
let inProcess: InProcessWorkers | undefined
let people: ReviewPeople
let uploader: CurrentUser
let adminId: string
let partner: Viewer

/** A random lowercase word, so searches in the shared index only match this run's assets. */
function word(length = 10): string {
  const letters = 'bcdfghjklmnpqrstvwxz'
  return Array.from(randomBytes(length), (byte) => letters[byte % letters.length]).join('')
}

beforeAll(async () => {
  await ensureSearchCollections(search)
  inProcess = await startInProcessWorkers({ env, db, storage, search })
  ;({ testEnv, workflowBundle, workers } = inProcess)

  people = await fixtures.createReviewPeople(db, 'history')
  const organisation = await db.organisation.findUniqueOrThrow({ where: { id: people.organisationId } })
  const uploaderRow = await db.user.findUniqueOrThrow({ where: { id: people.uploaderId } })
  uploader = {
    id: uploaderRow.id,
    email: uploaderRow.email,
    name: uploaderRow.name,
    roles: ['librarian'],
    organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind },
    viewer: { userId: uploaderRow.id, roles: ['librarian'], organisationId: organisation.id },
  }
  adminId = (
    await db.user.create({
      data: {
        email: `admin-${randomUUID().slice(0, 8)}@history.test`,
        name: 'History Admin',
        passwordHash: 'not-used',
        memberships: { create: { organisationId: organisation.id, roles: ['admin'] } },
      },
    })
  ).id
  const partnerOrg = await db.organisation.create({
    data: { name: `Partner ${word(6)}`, slug: `partner-history-${randomUUID().slice(0, 8)}`, kind: 'partner' },
  })
  partner = { userId: `partner-${randomUUID()}`, roles: ['partner'], organisationId: partnerOrg.id }
})

afterAll(async () => {
  await inProcess?.stop()
  await db.$disconnect()
})

// ───────────────────────────── helpers

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  const appError = error as InstanceType<typeof AppError>
  return { code: appError.code, message: appError.message }
}

async function searchDocument(assetId: string): Promise<AssetSearchDocument> {
  return search.collections<AssetSearchDocument>(ASSETS_COLLECTION).documents(assetId).retrieve()
}

const snapshot = () => ({
  policyId: null,
  policyName: 'History test',
  stages: [{ name: 'Brand', reviewerIds: [...people.reviewerIds], quorum: { kind: 'any' as const }, dueHours: 24 }],
})

/** A version stored and in review under a snapshot of our own (no workflow: the test promotes it itself). */
async function versionInReview(assetId?: string): Promise<{ assetId: string; versionId: string; reviewId: string }> {
  const uploaded = await fixtures.createUploadedVersion(db, storage, {
    people,
    assetId,
    bytes: await fixtures.generatePng(64, 48),
    mediaType: 'image/png',
    filename: `v-${word(4)}.png`,
  })
  const { reviewId } = await fixtures.openReviewWithSnapshot(db, uploaded.versionId, snapshot())
  return { ...uploaded, reviewId }
}

/** An asset whose versions 1…count were each approved in turn (the last one is current). */
async function approvedVersions(count: number): Promise<{ assetId: string; versionIds: string[] }> {
  const versionIds: string[] = []
  let assetId: string | undefined
  for (let index = 0; index < count; index += 1) {
    const version = await versionInReview(assetId)
    assetId = version.assetId
    const promoted = await promoteVersion({ db, search, versionId: version.versionId, reviewId: version.reviewId, promotedById: people.reviewerIds[0] })
    expect(promoted.promoted).toBe(true)
    versionIds.push(version.versionId)
  }
  return { assetId: assetId!, versionIds }
}

async function ingestResult(versionId: string): Promise<IngestVersionResult> {
  return (await testEnv.client.workflow.getHandle(`ingest-${versionId}`).result()) as IngestVersionResult
}

async function approveThroughReview(versionId: string): Promise<ReviewOutcome> {
  await submitReviewDecision({ versionId, reviewerId: people.reviewerIds[0], decision: 'approve', client: testEnv.client })
  return (await testEnv.client.workflow.getHandle(`review-${versionId}`).result()) as ReviewOutcome
}

async function partnerSees(titleWord: string): Promise<string[]> {
  const result = await browseAssets({ db, viewer: partner, query: parseBrowseQuery(new URL(`http://damson.test/portal?q=${titleWord}`)) })
  return result.assets.map((asset) => asset.versionId)
}

async function* once(buffer: Uint8Array): AsyncGenerator<Uint8Array> {
  yield buffer
}

function newVersionRequest(file: { bytes: Uint8Array; name: string; type: string } | null): Request {
  const form = new FormData()
  if (file) form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name)
  return new Request('http://damson.test/library/assets/x/versions/new', { method: 'POST', body: form })
}

// ───────────────────────────── rollback

describe('rollbackToVersion', () => {
  it('makes an earlier approved version current again, audits it, reindexes it and tells the uploader; a repeat changes nothing', async () => {
    const { assetId, versionIds } = await approvedVersions(2)
    const [v1, v2] = versionIds as [string, string]
    expect(await searchDocument(assetId)).toMatchObject({ current_version_id: v2 })
    const before = new Date()

    const result = await rollbackToVersion({ db, search, assetId, versionId: v1, actorId: adminId, reason: '  Version 2 has the old legal line  ' })
    expect(result).toEqual({
      assetId,
      versionId: v1,
      versionNumber: 1,
      rolledBack: true,
      previousVersionId: v2,
      previousVersionNumber: 2,
      reindexed: true,
    })

    const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { currentVersionId: true } })
    expect(asset.currentVersionId).toBe(v1)
    const rolledBack = await db.assetVersion.findUniqueOrThrow({ where: { id: v1 } })
    expect(rolledBack).toMatchObject({ status: 'approved', promotedById: adminId })
    expect(rolledBack.promotedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000)
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v2 } })).toMatchObject({ status: 'superseded' })

    const events = await db.auditEvent.findMany({ where: { action: 'version.rollback', subjectId: assetId } })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      actorId: adminId,
      subjectType: 'asset',
      detail: { fromVersionId: v2, toVersionId: v1, fromVersionNumber: 2, toVersionNumber: 1, reason: 'Version 2 has the old legal line' },
    })
    expect(await searchDocument(assetId)).toMatchObject({ has_current: true, current_version_id: v1 })

    const notices = await db.notification.findMany({ where: { userId: people.uploaderId, kind: 'version_rolled_back', link: { contains: assetId } } })
    expect(notices).toHaveLength(1)
    expect(notices[0]!.title).toMatch(/rolled back to version 1/)
    expect(notices[0]!.body).toMatch(/Reason: Version 2 has the old legal line/)
    expect(await db.notification.count({ where: { userId: adminId, kind: 'version_rolled_back' } })).toBe(0)

    // The same rollback again (a double-submitted form): nothing changes, and it says so.
    const again = await rollbackToVersion({ db, search, assetId, versionId: v1, actorId: adminId, reason: 'again' })
    expect(again).toMatchObject({ rolledBack: false, versionId: v1, previousVersionId: null })
    expect(await db.auditEvent.count({ where: { action: 'version.rollback', subjectId: assetId } })).toBe(1)
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v1 } })).toMatchObject({ promotedAt: rolledBack.promotedAt })
    expect(await db.notification.count({ where: { userId: people.uploaderId, kind: 'version_rolled_back', link: { contains: assetId } } })).toBe(1)

    // Rolling forward to the newer approved version works the same way.
    expect(await rollbackToVersion({ db, search, assetId, versionId: v2, actorId: adminId, reason: 'Legal line fixed after all' })).toMatchObject({
      rolledBack: true,
      previousVersionId: v1,
    })
    expect(await db.asset.findUniqueOrThrow({ where: { id: assetId } })).toMatchObject({ currentVersionId: v2 })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v1 } })).toMatchObject({ status: 'superseded' })
    expect(await searchDocument(assetId)).toMatchObject({ current_version_id: v2 })
    expect(await db.auditEvent.count({ where: { action: 'version.rollback', subjectId: assetId } })).toBe(2)

    // The library page offers the rollback on v1 only (v2 is current).
    const detail = await getLibraryAssetDetail({ db, assetId })
    expect(detail.versions.map((version) => [version.number, version.isCurrent, version.canRollBackTo])).toEqual([
      [2, true, false],
      [1, false, true],
    ])
  })

  it('refuses versions never approved, rejected, failed or still in review, versions of another asset, and an empty reason', async () => {
    const { assetId, versionIds } = await approvedVersions(1)
    const [v1] = versionIds as [string]
    const other = await approvedVersions(1)

    // v2: its review was withdrawn by a newer upload (superseded, but never approved).
    const withdrawn = await versionInReview(assetId)
    await db.review.update({ where: { id: withdrawn.reviewId }, data: { status: 'cancelled', endedAt: new Date(), outcomeReason: 'Withdrawn' } })
    await db.assetVersion.update({ where: { id: withdrawn.versionId }, data: { status: 'superseded' } })
    // v3: rejected in review.
    const rejected = await versionInReview(assetId)
    await db.review.update({ where: { id: rejected.reviewId }, data: { status: 'rejected', endedAt: new Date(), outcomeReason: 'Off-brand' } })
    await db.assetVersion.update({ where: { id: rejected.versionId }, data: { status: 'rejected' } })
    // v4: processing failed.
    const failed = await fixtures.createUploadedVersion(db, storage, {
      people,
      assetId,
      bytes: await fixtures.generateTruncatedJpeg(),
      mediaType: 'image/jpeg',
      filename: 'broken.jpg',
    })
    await db.assetVersion.update({ where: { id: failed.versionId }, data: { status: 'failed', failureReason: 'The file is corrupt or truncated' } })
    // v5: still in review.
    const inReview = await versionInReview(assetId)

    const attempt = (versionId: string, reason = 'Going back') => rollbackToVersion({ db, search, assetId, versionId, actorId: adminId, reason })
    expect(await rejection(attempt(withdrawn.versionId))).toEqual({ code: 'CONFLICT', message: 'Version 2 cannot be made current: it was never approved.' })
    expect(await rejection(attempt(rejected.versionId))).toEqual({ code: 'CONFLICT', message: 'Version 3 cannot be made current: it was rejected in review.' })
    expect(await rejection(attempt(failed.versionId))).toEqual({ code: 'CONFLICT', message: 'Version 4 cannot be made current: its processing failed.' })
    expect(await rejection(attempt(inReview.versionId))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/^Version 5 cannot be made current: it is still in review/) })
    expect(await rejection(attempt(other.versionIds[0]!))).toEqual({ code: 'NOT_FOUND', message: 'That version is not a version of this asset.' })
    expect(await rejection(attempt('no-such-version'))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await rejection(attempt(v1, '   '))).toEqual({ code: 'BAD_REQUEST', message: 'Give a reason for the rollback' })

    // Nothing moved.
    expect(await db.asset.findUniqueOrThrow({ where: { id: assetId } })).toMatchObject({ currentVersionId: v1 })
    expect(await db.asset.findUniqueOrThrow({ where: { id: other.assetId } })).toMatchObject({ currentVersionId: other.versionIds[0] })
    expect(await db.auditEvent.count({ where: { action: 'version.rollback', subjectId: { in: [assetId, other.assetId] } } })).toBe(0)
    const statuses = await db.assetVersion.findMany({ where: { assetId }, orderBy: { number: 'asc' }, select: { status: true } })
    expect(statuses.map((version) => version.status)).toEqual(['approved', 'superseded', 'rejected', 'failed', 'in_review'])
    const detail = await getLibraryAssetDetail({ db, assetId })
    expect(detail.versions.every((version) => !version.canRollBackTo)).toBe(true)
  })
})

// ───────────────────────────── the promotion guard

describe('promoteVersion with a newer version current', () => {
  it('supersedes an older version approved late instead of replacing the newer current one', async () => {
    const v1 = await versionInReview()
    const v2 = await versionInReview(v1.assetId)
    const [ann] = people.reviewerIds

    expect(await promoteVersion({ db, search, versionId: v2.versionId, reviewId: v2.reviewId, promotedById: ann })).toMatchObject({ promoted: true })
    const late = await promoteVersion({ db, search, versionId: v1.versionId, reviewId: v1.reviewId, promotedById: ann })
    expect(late).toEqual({ assetId: v1.assetId, promoted: false, previousVersionId: null, reason: 'newer_version_current' })

    expect(await db.asset.findUniqueOrThrow({ where: { id: v1.assetId } })).toMatchObject({ currentVersionId: v2.versionId })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v2.versionId } })).toMatchObject({ status: 'approved' })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v1.versionId } })).toMatchObject({ status: 'superseded', promotedAt: null })
    expect(await db.review.findUniqueOrThrow({ where: { id: v1.reviewId } })).toMatchObject({ status: 'approved' })
    expect(await searchDocument(v1.assetId)).toMatchObject({ current_version_id: v2.versionId })
    const events = await db.auditEvent.findMany({ where: { action: 'version.promote', subjectId: v1.versionId } })
    expect(events).toHaveLength(1)
    expect(events[0]!.detail).toMatchObject({
      promoted: false,
      outcome: 'superseded',
      currentVersionId: v2.versionId,
      reason: 'Approved, but version 2 is newer and stays current',
    })

    // A retry (the activity ran twice) changes nothing and writes nothing.
    expect(await promoteVersion({ db, search, versionId: v1.versionId, reviewId: v1.reviewId, promotedById: ann })).toMatchObject({
      promoted: false,
      reason: 'newer_version_current',
    })
    expect(await db.auditEvent.count({ where: { action: 'version.promote', subjectId: v1.versionId } })).toBe(1)
    expect(await fixtures.countAuditEvents(db, 'review.end', v1.reviewId)).toBe(1)

    // Promoting the current version twice still changes nothing.
    expect(await promoteVersion({ db, search, versionId: v2.versionId, reviewId: v2.reviewId, promotedById: ann })).toMatchObject({
      promoted: false,
      reason: 'already_current',
    })
    expect(await db.auditEvent.count({ where: { action: 'version.promote', subjectId: v2.versionId } })).toBe(1)

    // Its review ended approved, so an admin may still roll back to it.
    expect(await rollbackToVersion({ db, search, assetId: v1.assetId, versionId: v1.versionId, actorId: adminId, reason: 'Prefer the first cut' })).toMatchObject({
      rolledBack: true,
      previousVersionId: v2.versionId,
    })
  })
})

// ───────────────────────────── new versions through the pipeline

describe('uploading new versions', () => {
  it('keeps v1 live for partners while v2 is reviewed, promotes v2 on approval, and a newer upload withdraws an older review', async () => {
    const titleWord = word()
    const v1 = await uploadAsset({
      db,
      storage,
      uploader,
      file: { stream: once(await fixtures.generatePng(900, 600)), filename: 'launch-v1.png', declaredType: 'image/png' },
      title: `Launch ${titleWord}`,
    })
    expect(await ingestResult(v1.versionId)).toMatchObject({ status: 'in_review' })
    expect(await approveThroughReview(v1.versionId)).toMatchObject({ status: 'approved' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: v1.assetId } })).toMatchObject({ currentVersionId: v1.versionId })
    expect(await partnerSees(titleWord)).toEqual([v1.versionId])

    // v2 through the route's form reader (what POST /library/assets/:id/versions/new calls).
    const v2Bytes = await fixtures.generatePng(1000, 700)
    const received = await receiveNewVersion({
      request: newVersionRequest({ bytes: v2Bytes, name: 'launch-v2.png', type: 'image/png' }),
      db,
      storage,
      uploader,
      assetId: v1.assetId,
    })
    if (!received.ok) throw new Error(`v2 was refused: ${received.message}`)
    expect(received).toMatchObject({ assetId: v1.assetId, versionNumber: 2, filename: 'launch-v2.png', withdrawnVersionIds: [] })
    const v2 = received
    expect(await ingestResult(v2.versionId)).toMatchObject({ status: 'in_review' })

    // While v2 is in review, partners still get v1, and only v1.
    expect(await db.asset.findUniqueOrThrow({ where: { id: v1.assetId } })).toMatchObject({ currentVersionId: v1.versionId })
    await requireAssetAccess(db, partner, v1.assetId)
    await requireVersionAccess(db, partner, v1.assetId, v1.versionId)
    expect((await rejection(requireVersionAccess(db, partner, v1.assetId, v2.versionId))).code).toBe('NOT_FOUND')
    expect(await partnerSees(titleWord)).toEqual([v1.versionId])
    expect(await searchDocument(v1.assetId)).toMatchObject({ current_version_id: v1.versionId })

    expect(await approveThroughReview(v2.versionId)).toMatchObject({ status: 'approved' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: v1.assetId } })).toMatchObject({ currentVersionId: v2.versionId })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v1.versionId } })).toMatchObject({ status: 'superseded' })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v2.versionId } })).toMatchObject({ status: 'approved' })
    expect(await partnerSees(titleWord)).toEqual([v2.versionId])
    expect((await rejection(requireVersionAccess(db, partner, v1.assetId, v1.versionId))).code).toBe('NOT_FOUND')

    // v3 goes to review; v4 uploaded while v3 is in review withdraws v3's review.
    const v3 = await uploadNewVersion({
      db,
      storage,
      uploader,
      assetId: v1.assetId,
      file: { stream: once(await fixtures.generatePng(1100, 700)), filename: 'launch-v3.png' },
    })
    expect(v3).toMatchObject({ versionNumber: 3, withdrawnVersionIds: [] })
    expect(await ingestResult(v3.versionId)).toMatchObject({ status: 'in_review' })

    const v4 = await uploadNewVersion({
      db,
      storage,
      uploader,
      assetId: v1.assetId,
      file: { stream: once(await fixtures.generatePng(1200, 700)), filename: 'launch-v4.png' },
    })
    expect(v4).toMatchObject({ versionNumber: 4, withdrawnVersionIds: [v3.versionId] })
    const withdrawnOutcome = (await testEnv.client.workflow.getHandle(`review-${v3.versionId}`).result()) as ReviewOutcome
    expect(withdrawnOutcome).toMatchObject({ status: 'withdrawn', decidedBy: uploader.id })
    expect(await db.assetVersion.findUniqueOrThrow({ where: { id: v3.versionId } })).toMatchObject({ status: 'superseded', promotedAt: null })
    expect(await db.review.findUniqueOrThrow({ where: { workflowId: `review-${v3.versionId}` } })).toMatchObject({ status: 'cancelled' })
    expect((await rejection(submitReviewDecision({ versionId: v3.versionId, reviewerId: people.reviewerIds[0], decision: 'approve', client: testEnv.client }))).code).toBe(
      'CONFLICT',
    )

    // v4 is reviewed on its own; v2 stays live; v3 can never be rolled back to.
    expect(await ingestResult(v4.versionId)).toMatchObject({ status: 'in_review' })
    expect(await db.asset.findUniqueOrThrow({ where: { id: v1.assetId } })).toMatchObject({ currentVersionId: v2.versionId })
    expect(await partnerSees(titleWord)).toEqual([v2.versionId])
    expect(await rejection(rollbackToVersion({ db, search, assetId: v1.assetId, versionId: v3.versionId, actorId: adminId, reason: 'x' }))).toEqual({
      code: 'CONFLICT',
      message: 'Version 3 cannot be made current: it was never approved.',
    })
    const detail = await getLibraryAssetDetail({ db, assetId: v1.assetId })
    expect(detail.versions.map((version) => [version.number, version.status, version.isCurrent, version.canRollBackTo])).toEqual([
      [4, 'in_review', false, false],
      [3, 'superseded', false, false],
      [2, 'approved', true, false],
      [1, 'superseded', false, true],
    ])

    // Withdrawing a review that has ended finds nothing running.
    expect(await withdrawReview({ versionId: v3.versionId, actorId: null, reason: 'again', client: testEnv.client })).toEqual({ signalled: false })

    // The workflow histories replay against the current workflow code.
    for (const workflowId of [`review-${v2.versionId}`, `review-${v3.versionId}`]) {
      const history = await testEnv.client.workflow.getHandle(workflowId).fetchHistory()
      await Worker.runReplayHistory({ workflowBundle }, history, workflowId)
    }
  })

  it('refuses a new version that is too large, not an image, empty or missing, storing nothing', async () => {
    const { assetId } = await approvedVersions(1)
    const count = () => db.assetVersion.count({ where: { assetId } })
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
    const receive = (file: Parameters<typeof newVersionRequest>[0], maxBytes?: number) =>
      receiveNewVersion({ request: newVersionRequest(file), db, storage, uploader, assetId, maxBytes })

    expect(await receive({ bytes: pdf, name: 'photo.jpg', type: 'image/jpeg' })).toEqual({
      ok: false,
      filename: 'photo.jpg',
      status: 415,
      message: 'photo.jpg is a PDF document, but its name says a JPEG image (.jpg). Rename it to .pdf if it is meant to be a PDF document, or choose the right file.',
    })
    const big = await fixtures.generatePng(300, 300)
    expect(await receive({ bytes: Buffer.concat([big, randomBytes(64 * 1024)]), name: 'big.png', type: 'image/png' }, 32 * 1024)).toEqual({
      ok: false,
      filename: 'big.png',
      status: 413,
      message: 'big.png is larger than the 32 KB limit.',
    })
    expect(await receive({ bytes: new Uint8Array(0), name: 'empty.png', type: 'image/png' })).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^empty\.png is empty/) })
    expect(await receive(null)).toEqual({ ok: false, filename: null, status: 400, message: 'Choose an image to upload as the new version.' })
    expect(await count()).toBe(1)
    expect(await db.auditEvent.count({ where: { action: 'asset.upload', subjectId: assetId } })).toBe(0)

    const missing = await receiveNewVersion({
      request: newVersionRequest({ bytes: await fixtures.generatePng(20, 20), name: 'x.png', type: 'image/png' }),
      db,
      storage,
      uploader,
      assetId: 'no-such-asset',
    })
    expect(missing).toMatchObject({ ok: false, status: 404, message: 'Asset not found' })
  })
})
