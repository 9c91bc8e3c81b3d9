/**
 * Review comments against the real test database: validation, the audit row written
 * with the comment, and the refusals (review ended, no review, not a reviewer).
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getEnv } = await import('~/env.server')
const { createDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { AppError } = await import('~/errors.server')
const { addReviewComment, commentFromForm } = await import('~/review/comments.server')
const fixtures = await import('../support/review-fixtures')

const db = createDb(getEnv().DATABASE_URL)
const storage = getStorage()

let people: Awaited<ReturnType<typeof fixtures.createReviewPeople>>
let adminId: string
const assetIds: string[] = []

/** A version with a review in progress under a one-stage policy of the two reviewers. */
async function versionInReview(): Promise<{ versionId: string; reviewId: string }> {
  const uploaded = await fixtures.createUploadedVersion(db, storage, {
    people,
    bytes: await fixtures.generatePng(64, 48),
    mediaType: 'image/png',
    filename: 'comment-me.png',
  })
  assetIds.push(uploaded.assetId)
  const { reviewId } = await fixtures.openReviewWithSnapshot(db, uploaded.versionId, {
    policyId: null,
    policyName: 'Comments',
    stages: [{ name: 'Brand', reviewerIds: [...people.reviewerIds], quorum: { kind: 'any' }, dueHours: 24 }],
  })
  return { versionId: uploaded.versionId, reviewId }
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  const appError = error as InstanceType<typeof AppError>
  return { code: appError.code, message: appError.message }
}

/** What a refused call must leave behind: nothing. */
async function writtenFor(versionId: string, reviewId: string) {
  return {
    comments: await db.comment.count({ where: { versionId } }),
    audits: await db.auditEvent.count({ where: { action: 'review.comment', subjectId: reviewId } }),
  }
}

beforeAll(async () => {
  people = await fixtures.createReviewPeople(db, 'comments')
  const admin = await db.user.create({
    data: {
      email: `admin-${randomUUID().slice(0, 8)}@example.test`,
      name: 'Comment Admin',
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId: people.organisationId, roles: ['admin'] } },
    },
  })
  adminId = admin.id
})

afterAll(async () => {
  // Assets take their versions, reviews and comments with them.
  if (assetIds.length > 0) await db.asset.deleteMany({ where: { id: { in: assetIds } } })
  await db.$disconnect()
})

describe('addReviewComment', () => {
  it('stores a comment anchored to a region, with its review and an audit row in the same transaction', async () => {
    const { versionId, reviewId } = await versionInReview()
    const [ann] = people.reviewerIds
    const added = await addReviewComment({
      db,
      versionId,
      authorId: ann,
      body: '  Logo\u0000 too close to the edge  ',
      region: { x: 0.123456, y: 0.5, w: 0.25, h: 0.4999999 },
      ipAddress: '203.0.113.9',
    })

    expect(added).toMatchObject({ reviewId, region: { x: 0.1235, y: 0.5, w: 0.25, h: 0.5 } })
    const stored = await db.comment.findUniqueOrThrow({ where: { id: added.commentId } })
    expect(stored).toMatchObject({
      versionId,
      reviewId,
      authorId: ann,
      body: 'Logo too close to the edge',
      region: { x: 0.1235, y: 0.5, w: 0.25, h: 0.5 },
      startMs: null,
      endMs: null,
    })

    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'review.comment', subjectId: reviewId } })
    expect(audit).toMatchObject({ actorId: ann, subjectType: 'review', ipAddress: '203.0.113.9' })
    expect(audit.detail).toMatchObject({ versionId, commentId: added.commentId, region: { x: 0.1235, y: 0.5, w: 0.25, h: 0.5 } })
  })

  it('takes a comment without a region, from an admin too', async () => {
    const { versionId, reviewId } = await versionInReview()
    const added = await addReviewComment({ db, versionId, authorId: adminId, body: 'Colours look right.', region: null })
    expect(added.region).toBeNull()
    const stored = await db.comment.findUniqueOrThrow({ where: { id: added.commentId } })
    expect(stored.region).toBeNull()
    expect(await writtenFor(versionId, reviewId)).toEqual({ comments: 1, audits: 1 })
  })

  it('refuses an empty or too long body and a region outside the image, writing nothing', async () => {
    const { versionId, reviewId } = await versionInReview()
    const [ann] = people.reviewerIds
    const attempt = (body: string, region: unknown = null) => addReviewComment({ db, versionId, authorId: ann, body, region })

    expect(await refusal(attempt(' \u0000 \n '))).toEqual({ code: 'BAD_REQUEST', message: 'Write a comment.' })
    expect((await refusal(attempt('x'.repeat(5001)))).code).toBe('BAD_REQUEST')
    expect((await refusal(attempt('Off the edge', { x: 0.8, y: 0.1, w: 0.3, h: 0.2 }))).message).toMatch(/within the image/)
    expect((await refusal(attempt('Flat', { x: 0.1, y: 0.1, w: 0, h: 0.2 }))).message).toMatch(/width and a height/)
    expect((await refusal(attempt('Negative', { x: -0.1, y: 0.1, w: 0.2, h: 0.2 }))).code).toBe('BAD_REQUEST')
    expect((await refusal(attempt('Not numbers', { x: '0.1', y: 0.1, w: 0.2, h: 0.2 }))).code).toBe('BAD_REQUEST')
    expect(await writtenFor(versionId, reviewId)).toEqual({ comments: 0, audits: 0 })

    // Exactly at the limits is fine.
    await addReviewComment({ db, versionId, authorId: ann, body: 'y'.repeat(5000), region: { x: 0, y: 0, w: 1, h: 1 } })
    expect(await writtenFor(versionId, reviewId)).toEqual({ comments: 1, audits: 1 })
  })

  it('refuses a comment once the review has ended, and on a version without a review', async () => {
    const { versionId, reviewId } = await versionInReview()
    const [ann] = people.reviewerIds
    await db.review.update({ where: { id: reviewId }, data: { status: 'approved', endedAt: new Date() } })
    expect(await refusal(addReviewComment({ db, versionId, authorId: ann, body: 'Too late', region: null }))).toEqual({
      code: 'CONFLICT',
      message: 'This version has no review in progress, so it takes no more comments.',
    })
    expect(await writtenFor(versionId, reviewId)).toEqual({ comments: 0, audits: 0 })

    const unreviewed = await fixtures.createUploadedVersion(db, storage, {
      people,
      bytes: await fixtures.generatePng(32, 32),
      mediaType: 'image/png',
      filename: 'processing.png',
    })
    assetIds.push(unreviewed.assetId)
    expect((await refusal(addReviewComment({ db, versionId: unreviewed.versionId, authorId: ann, body: 'Early', region: null }))).code).toBe('CONFLICT')
    expect(await db.comment.count({ where: { versionId: unreviewed.versionId } })).toBe(0)
  })

  it('refuses someone whose role does not grant version:review, a disabled reviewer, and unknown ids', async () => {
    const { versionId, reviewId } = await versionInReview()
    // The uploader and the outsider are librarians.
    expect(await refusal(addReviewComment({ db, versionId, authorId: people.uploaderId, body: 'I uploaded it', region: null }))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only reviewers can comment on a review.',
    })
    expect((await refusal(addReviewComment({ db, versionId, authorId: people.outsiderId, body: 'Me too', region: null }))).code).toBe('FORBIDDEN')

    const [, bob] = people.reviewerIds
    await db.user.update({ where: { id: bob }, data: { disabledAt: new Date() } })
    try {
      expect((await refusal(addReviewComment({ db, versionId, authorId: bob, body: 'Disabled', region: null }))).code).toBe('FORBIDDEN')
    } finally {
      await db.user.update({ where: { id: bob }, data: { disabledAt: null } })
    }
    expect((await refusal(addReviewComment({ db, versionId, authorId: randomUUID(), body: 'Who?', region: null }))).code).toBe('FORBIDDEN')
    expect((await refusal(addReviewComment({ db, versionId: randomUUID(), authorId: bob, body: 'Where?', region: null }))).code).toBe('NOT_FOUND')
    expect(await writtenFor(versionId, reviewId)).toEqual({ comments: 0, audits: 0 })
  })
})

describe('commentFromForm', () => {
  const form = (entries: Record<string, string>) => {
    const formData = new FormData()
    for (const [key, value] of Object.entries(entries)) formData.set(key, value)
    return formData
  }

  it('reads the region from the four form fields, or none when they are empty', async () => {
    const { versionId } = await versionInReview()
    const [ann] = people.reviewerIds
    const withRegion = await commentFromForm({
      db,
      authorId: ann,
      versionId,
      formData: form({ body: 'Crop tighter', regionX: '0.1000', regionY: '0.2000', regionW: '0.3000', regionH: '0.4000' }),
    })
    expect(withRegion.ok).toBe(true)
    const without = await commentFromForm({
      db,
      authorId: ann,
      versionId,
      formData: form({ body: 'Overall fine', regionX: '', regionY: '', regionW: '', regionH: '' }),
    })
    expect(without.ok).toBe(true)
    const stored = await db.comment.findMany({ where: { versionId }, orderBy: { createdAt: 'asc' }, select: { body: true, region: true } })
    expect(stored).toEqual([
      { body: 'Crop tighter', region: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } },
      { body: 'Overall fine', region: null },
    ])
  })

  it('returns field errors for the form and refusals as a form error, keeping what was typed', async () => {
    const { versionId } = await versionInReview()
    const [ann] = people.reviewerIds

    const empty = await commentFromForm({ db, authorId: ann, versionId, formData: form({ body: '   ' }) })
    expect(empty).toMatchObject({ ok: false, status: 400, fieldErrors: { body: 'Write a comment.' } })

    const partial = await commentFromForm({ db, authorId: ann, versionId, formData: form({ body: 'Here', regionX: '0.1', regionY: '0.1' }) })
    expect(partial).toMatchObject({ ok: false, status: 400, fieldErrors: { region: expect.stringMatching(/Mark it again/) } })

    const outside = await commentFromForm({
      db,
      authorId: ann,
      versionId,
      formData: form({ body: 'Here', regionX: '0.9', regionY: '0.1', regionW: '0.2', regionH: '0.1' }),
    })
    expect(outside).toMatchObject({ ok: false, status: 400, fieldErrors: { region: expect.stringMatching(/within the image/) }, values: { body: 'Here' } })

    const librarian = await commentFromForm({ db, authorId: people.uploaderId, versionId, formData: form({ body: 'Let me in' }) })
    expect(librarian).toMatchObject({ ok: false, status: 403, formError: 'Only reviewers can comment on a review.', values: { body: 'Let me in' } })

    expect(await db.comment.count({ where: { versionId } })).toBe(0)
  })
})
