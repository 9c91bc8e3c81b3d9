/**
 * Rows and objects for ingest/review tests: a brand organisation of its own (so the
 * built-in policy's reviewers are exactly the users made here), an uploaded original
 * in S3 and its asset/version rows, and a few generated images.
 */
import { createHash, randomUUID } from 'node:crypto'
import sharp from 'sharp'
import type { Db } from '~/db.server'
import type { Client } from '@temporalio/client'
import type { ReviewPolicySnapshot, ReviewStageSnapshot } from '~/domain/review-policy'
import type { Storage } from '~/storage.server'
import { storageKeys } from '~/storage.server'
import { reviewStateQuery, reviewVersion } from '../../workflows/review'

export type ReviewPeople = {
  organisationId: string
  uploaderId: string
  reviewerIds: [string, string]
  outsiderId: string
}

export async function createReviewPeople(db: Db, tag: string): Promise<ReviewPeople> {
  const unique = `${tag}-${randomUUID().slice(0, 8)}`
  const organisation = await db.organisation.create({
    data: { name: `Brand ${unique}`, slug: `brand-${unique}`, kind: 'brand' },
  })
  const user = async (name: string, roles: ('librarian' | 'reviewer')[]) => {
    const created = await db.user.create({
      data: {
        email: `${name}-${unique}@example.test`,
        name: `${name} ${unique}`,
        passwordHash: 'not-a-real-hash',
        memberships: { create: { organisationId: organisation.id, roles } },
      },
    })
    return created.id
  }
  return {
    organisationId: organisation.id,
    uploaderId: await user('uploader', ['librarian']),
    reviewerIds: [await user('ann', ['reviewer']), await user('bob', ['reviewer'])],
    outsiderId: await user('lib', ['librarian']),
  }
}

export type UploadedVersion = { assetId: string; versionId: string }

/** Puts `bytes` in S3 as an original and creates the rows the upload route would (status processing). */
export async function createUploadedVersion(
  db: Db,
  storage: Storage,
  options: { people: ReviewPeople; bytes: Buffer; mediaType: string; filename: string; assetId?: string; title?: string },
): Promise<UploadedVersion> {
  const assetId =
    options.assetId ??
    (
      await db.asset.create({
        data: {
          title: options.title ?? `Test asset ${randomUUID().slice(0, 8)}`,
          kind: 'image',
          ownerOrganisationId: options.people.organisationId,
          createdById: options.people.uploaderId,
        },
      })
    ).id
  const latest = await db.assetVersion.findFirst({ where: { assetId }, orderBy: { number: 'desc' }, select: { number: true } })
  const versionId = randomUUID()
  const storageKey = storageKeys.original(assetId, versionId)
  await storage.putBuffer(storageKey, options.bytes, options.mediaType)
  await db.assetVersion.create({
    data: {
      id: versionId,
      assetId,
      number: (latest?.number ?? 0) + 1,
      storageKey,
      sha256: createHash('sha256').update(options.bytes).digest('hex'),
      bytes: BigInt(options.bytes.length),
      mediaType: options.mediaType,
      originalFilename: options.filename,
      uploadedById: options.people.uploaderId,
      status: 'processing',
    },
  })
  return { assetId, versionId }
}

export function generatePng(width = 1800, height = 1200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer()
}

export async function generateTruncatedJpeg(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: { r: 240, g: 200, b: 20 } } })
    .jpeg({ quality: 92 })
    .toBuffer()
  return jpeg.subarray(0, Math.floor(jpeg.length / 2))
}

export async function countAuditEvents(db: Db, action: string, subjectId: string): Promise<number> {
  return db.auditEvent.count({ where: { action, subjectId } })
}

/** Two stages: both brand reviewers must approve, then `legal` alone decides. */
export function twoStageSnapshot(brandReviewerIds: [string, string], legalReviewerId: string): ReviewPolicySnapshot {
  return {
    policyId: null,
    policyName: 'Two stages',
    stages: [
      { name: 'Brand', reviewerIds: brandReviewerIds, quorum: { kind: 'all' }, dueHours: 24 },
      { name: 'Legal', reviewerIds: [legalReviewerId], quorum: { kind: 'any' }, dueHours: 24 },
    ],
  }
}

/**
 * Opens a review row for a version under a given snapshot, as openReview would, so a
 * test can start reviewVersion with a policy that is not in the shared database.
 */
export async function openReviewWithSnapshot(
  db: Db,
  versionId: string,
  snapshot: ReviewPolicySnapshot,
): Promise<{ workflowId: string; reviewId: string }> {
  const workflowId = `review-${versionId}`
  await db.assetVersion.update({ where: { id: versionId }, data: { status: 'in_review' } })
  const review = await db.review.create({
    data: { versionId, workflowId, policyName: snapshot.policyName, policySnapshot: snapshot },
  })
  return { workflowId, reviewId: review.id }
}

/**
 * A fresh version of a (new or given) asset under review with `stages`, its
 * `reviewVersion` workflow started on `taskQueue` through `client`.
 */
export async function startReviewOfStages(options: {
  db: Db
  storage: Storage
  client: Client
  taskQueue: string
  people: ReviewPeople
  stages: ReviewStageSnapshot[]
  assetId?: string
}) {
  const { db, storage, client, taskQueue, people, stages, assetId } = options
  const uploaded = await createUploadedVersion(db, storage, {
    people,
    assetId,
    bytes: await generatePng(64, 48),
    mediaType: 'image/png',
    filename: 'stages.png',
  })
  const snapshot: ReviewPolicySnapshot = { policyId: null, policyName: 'Stages under test', stages }
  const { workflowId, reviewId } = await openReviewWithSnapshot(db, uploaded.versionId, snapshot)
  const handle = await client.workflow.start(reviewVersion, {
    workflowId,
    taskQueue,
    args: [{ reviewId, versionId: uploaded.versionId, snapshot }],
  })
  return { ...uploaded, reviewId, handle }
}

export type StartedReview = Awaited<ReturnType<typeof startReviewOfStages>>

/**
 * Waits (in real time) until the workflow has reached `stageIndex` and written that
 * stage's "review requested" notices, so decisions and timers start from there.
 */
export async function reachStage(db: Db, review: StartedReview, stageIndex: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const state = await review.handle.query(reviewStateQuery)
    const notices = await db.notification.count({
      where: { dedupeKey: { startsWith: `review:${review.reviewId}:stage_started:${stageIndex}:` } },
    })
    if (state.stageIndex === stageIndex && notices > 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`review ${review.reviewId} never reached stage ${stageIndex}`)
}
