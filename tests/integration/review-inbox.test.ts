/**
 * The review inbox derives who is waited on from the policy snapshot and the
 * decisions recorded; the decision form turns workflow refusals into form errors.
 * Review rows are written directly (the review workflow has its own tests), except
 * for the live state, which is read from a real review workflow on the test stack.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { Client, Connection } from '@temporalio/client'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DamsonWorkers } from '../../workers/main'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
// Each test file has its own process (forks pool), so this runtime is ours alone.
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-review-inbox')

const { getEnv } = await import('~/env.server')
const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { createSearchClient } = await import('~/search.server')
const { currentStageState, decideFromForm, getReviewDetail, listReviewInbox } = await import('~/review/inbox.server')
const { readLiveReviewState } = await import('~/review/review-state.server')
const { openVersionDiff } = await import('~/review/version-diff.server')
const { AppError } = await import('~/errors.server')
const { bundleDamsonWorkflows, createDamsonWorkers } = await import('../../workers/main')
const { reviewVersion } = await import('../../workflows/review')
type ReviewPolicySnapshot = import('~/domain/review-policy').ReviewPolicySnapshot
type ReadLiveReviewStateOptions = import('~/review/review-state.server').ReadLiveReviewStateOptions

const db = getDb()
const run = randomBytes(4).toString('hex')

let alice: { id: string }
let bob: { id: string }
let admin: { id: string }
let versionId: string
let assetId: string

beforeAll(async () => {
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-inbox-${run}`, kind: 'brand' } })
  const makeUser = (name: string, roles: ('reviewer' | 'admin' | 'librarian')[]) =>
    db.user.create({
      data: {
        email: `${name.toLowerCase()}-${run}@example.test`,
        name,
        passwordHash: 'x',
        memberships: { create: { organisationId: brand.id, roles } },
      },
    })
  alice = await makeUser('Alice', ['reviewer'])
  bob = await makeUser('Bob', ['reviewer'])
  admin = await makeUser('Ada', ['admin'])
  const asset = await db.asset.create({
    data: { title: `Spring mailer ${run}`, kind: 'image', ownerOrganisationId: brand.id, createdById: admin.id },
  })
  assetId = asset.id
  const version = await db.assetVersion.create({
    data: {
      assetId: asset.id,
      number: 1,
      storageKey: `originals/${asset.id}/x`,
      sha256: randomBytes(32).toString('hex'),
      bytes: 10n,
      mediaType: 'image/png',
      originalFilename: 'a.png',
      status: 'in_review',
      uploadedById: admin.id,
    },
  })
  versionId = version.id
  const snapshot: ReviewPolicySnapshot = {
    policyId: null,
    policyName: 'Two-step',
    stages: [
      { name: 'Brand', reviewerIds: [alice.id, bob.id], quorum: { kind: 'all' }, dueHours: 24 },
      { name: 'Legal', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 48 },
    ],
  }
  const review = await db.review.create({
    data: {
      versionId,
      workflowId: `review-${versionId}`,
      policyName: 'Two-step',
      policySnapshot: snapshot,
      startedAt: new Date(Date.now() - 30 * 3_600_000),
    },
  })
  await db.reviewDecision.create({ data: { reviewId: review.id, stageIndex: 0, reviewerId: alice.id, decision: 'approve' } })
})

/** More assets made by the tests below, deleted with their versions, reviews and comments. */
const moreAssetIds: string[] = []

afterAll(async () => {
  // The asset takes its version, review and decisions with it; users and the organisation stay.
  if (assetId) await db.asset.delete({ where: { id: assetId } })
  if (moreAssetIds.length > 0) await db.asset.deleteMany({ where: { id: { in: moreAssetIds } } })
})

/** An image asset with one version in review under `snapshot`, its review started `startedHoursAgo`. */
async function reviewRows(options: { title: string; snapshot: ReviewPolicySnapshot; startedHoursAgo: number; workflowId?: string }) {
  const brandId = (await db.membership.findFirstOrThrow({ where: { userId: admin.id } })).organisationId
  const asset = await db.asset.create({ data: { title: `${options.title} ${run}`, kind: 'image', ownerOrganisationId: brandId, createdById: admin.id } })
  moreAssetIds.push(asset.id)
  const version = await db.assetVersion.create({
    data: {
      assetId: asset.id,
      number: 1,
      storageKey: `originals/${asset.id}/x`,
      sha256: randomBytes(32).toString('hex'),
      bytes: 10n,
      mediaType: 'image/png',
      originalFilename: 'a.png',
      status: 'in_review',
      uploadedById: admin.id,
    },
  })
  const review = await db.review.create({
    data: {
      versionId: version.id,
      workflowId: options.workflowId ?? `review-${version.id}`,
      policyName: options.snapshot.policyName,
      policySnapshot: options.snapshot,
      startedAt: new Date(Date.now() - options.startedHoursAgo * 3_600_000),
    },
  })
  return { assetId: asset.id, versionId: version.id, reviewId: review.id }
}

describe('inbox', () => {
  it('lists the review for the pending reviewer only, overdue after dueHours', async () => {
    const forBob = await listReviewInbox({ db, user: { id: bob.id, roles: ['reviewer'] }, tab: 'mine' })
    const item = forBob.items.find((entry) => entry.versionId === versionId)
    expect(item).toMatchObject({ stageName: 'Brand', stageIndex: 0, stageCount: 2, overdue: true, awaitingMe: true })
    expect(item?.pendingReviewers).toEqual(['Bob'])
    expect(item?.dueLabel).toMatch(/^Overdue by/)

    const forAlice = await listReviewInbox({ db, user: { id: alice.id, roles: ['reviewer'] }, tab: 'mine' })
    expect(forAlice.items.map((entry) => entry.versionId)).not.toContain(versionId)
    // Alice is named in the policy, so "All open" shows it to her.
    const aliceAll = await listReviewInbox({ db, user: { id: alice.id, roles: ['reviewer'] }, tab: 'all' })
    expect(aliceAll.items.map((entry) => entry.versionId)).toContain(versionId)

    const adminAll = await listReviewInbox({ db, user: { id: admin.id, roles: ['admin'] }, tab: 'all' })
    expect(adminAll.seesEverything).toBe(true)
    expect(adminAll.items.map((entry) => entry.versionId)).toContain(versionId)
  })

  it('derives the next stage’s start from the last decision of the stage before', () => {
    const startedAt = new Date('2027-01-01T00:00:00Z')
    const decided = new Date('2027-01-02T06:00:00Z')
    const state = currentStageState(
      {
        policySnapshot: {
          policyId: null,
          policyName: 'p',
          stages: [
            { name: 'A', reviewerIds: ['u1'], quorum: { kind: 'any' }, dueHours: 24 },
            { name: 'B', reviewerIds: ['u2', 'u3'], quorum: { kind: 'count', count: 1 }, dueHours: 12 },
          ],
        },
        currentStage: 1,
        startedAt,
        decisions: [{ stageIndex: 0, reviewerId: 'u1', createdAt: decided }],
      },
      new Date('2027-01-02T12:00:00Z'),
    )
    expect(state?.startedAt.toISOString()).toBe(decided.toISOString())
    expect(state?.dueAt.toISOString()).toBe('2027-01-02T18:00:00.000Z')
    expect(state?.overdue).toBe(false)
    expect(state?.pendingReviewerIds).toEqual(['u2', 'u3'])
  })
})

describe('review page and decision form', () => {
  const viewer = (id: string) => ({ userId: id, roles: ['reviewer'] as const, organisationId: 'brand' })

  it('says who may decide', async () => {
    const forBob = await getReviewDetail({ db, viewer: viewer(bob.id), versionId })
    expect(forBob.eligibility).toEqual({ canDecide: true })
    expect(forBob.review?.decisions.map((decision) => decision.reviewer)).toEqual(['Alice'])
    const forAlice = await getReviewDetail({ db, viewer: viewer(alice.id), versionId })
    expect(forAlice.eligibility).toMatchObject({ canDecide: false, reason: expect.stringMatching(/already decided/) })
  })

  it('requires a comment to reject, and shows workflow refusals as a form error', async () => {
    const calls: unknown[] = []
    const form = (entries: Record<string, string>) => {
      const data = new FormData()
      for (const [key, value] of Object.entries(entries)) data.set(key, value)
      return data
    }
    const missingComment = await decideFromForm({
      db,
      viewer: viewer(bob.id),
      versionId,
      formData: form({ decision: 'reject', comment: '  ' }),
      submit: async (input) => {
        calls.push(input)
        return undefined as never
      },
    })
    expect(missingComment).toMatchObject({ ok: false, status: 400, fieldErrors: { comment: expect.any(String) } })
    expect(calls).toHaveLength(0)

    const refused = await decideFromForm({
      db,
      viewer: viewer(alice.id),
      versionId,
      formData: form({ decision: 'approve' }),
      submit: async () => {
        throw new AppError('CONFLICT', 'You have already decided at this stage')
      },
    })
    expect(refused).toMatchObject({ ok: false, status: 409, formError: 'You have already decided at this stage' })

    const accepted = await decideFromForm({
      db,
      viewer: viewer(bob.id),
      versionId,
      formData: form({ decision: 'request_changes', comment: 'Logo too small' }),
      submit: async (input) => {
        calls.push(input)
        return undefined as never
      },
    })
    expect(accepted).toEqual({ ok: true, decision: 'request_changes' })
    // The review is open in the database, so the decision may wait for its workflow to start.
    expect(calls).toEqual([{ versionId, reviewerId: bob.id, decision: 'request_changes', comment: 'Logo too small', reviewIsOpen: true }])
  })
})

describe('inbox tabs', () => {
  let overdueVersion: string
  let soonVersion: string
  let laterVersion: string

  beforeAll(async () => {
    overdueVersion = versionId
    const single = (name: string, reviewerIds: string[], dueHours: number): ReviewPolicySnapshot => ({
      policyId: null,
      policyName: 'Single',
      stages: [{ name, reviewerIds, quorum: { kind: 'any' }, dueHours }],
    })
    // Due in 4 h: due soon. Due in 72 h: neither soon nor overdue, and only Alice's.
    soonVersion = (await reviewRows({ title: 'Soon', snapshot: single('Brand', [bob.id], 24), startedHoursAgo: 20 })).versionId
    laterVersion = (await reviewRows({ title: 'Later', snapshot: single('Legal', [alice.id], 72), startedHoursAgo: 0 })).versionId
  })

  const ids = (items: { versionId: string }[]) => items.map((item) => item.versionId)
  const ours = (items: { versionId: string }[]) => ids(items).filter((id) => [overdueVersion, soonVersion, laterVersion].includes(id))

  it('filters mine, due soon, overdue and all, most urgent first, with counts that match', async () => {
    const bobUser = { id: bob.id, roles: ['reviewer'] as const }
    const tabs = ['mine', 'due-soon', 'overdue', 'all'] as const
    const inboxes = Object.fromEntries(await Promise.all(tabs.map(async (tab) => [tab, await listReviewInbox({ db, user: bobUser, tab })] as const)))

    expect(ours(inboxes.mine!.items)).toEqual([overdueVersion, soonVersion])
    expect(ours(inboxes['due-soon']!.items)).toEqual([soonVersion])
    expect(ours(inboxes.overdue!.items)).toEqual([overdueVersion])
    expect(ours(inboxes.all!.items)).toEqual([overdueVersion, soonVersion, laterVersion])

    for (const tab of tabs) {
      const inbox = inboxes[tab]!
      expect(inbox.tab).toBe(tab)
      // Every tab reports every count, and the chosen tab's count is its length.
      expect(inbox.counts).toEqual(inboxes.all!.counts)
      expect(inbox.counts[tab]).toBe(inbox.items.length)
      const dueTimes = inbox.items.map((item) => item.dueAt)
      expect(dueTimes).toEqual([...dueTimes].sort())
    }

    const soon = inboxes['due-soon']!.items.find((item) => item.versionId === soonVersion)
    expect(soon).toMatchObject({ dueSoon: true, overdue: false, awaitingMe: true, stageIndex: 0, stageCount: 1, stageName: 'Brand', pendingReviewers: ['Bob'] })
    expect(soon?.dueLabel).toBe('Due in 4 h')
    for (const item of inboxes['due-soon']!.items) {
      expect(item.overdue).toBe(false)
      expect(new Date(item.dueAt).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000)
    }
    for (const item of inboxes.overdue!.items) expect(item.overdue).toBe(true)
    const later = inboxes.all!.items.find((item) => item.versionId === laterVersion)
    expect(later).toMatchObject({ dueSoon: false, overdue: false, awaitingMe: false, pendingReviewers: ['Alice'] })
  })

  it('shows every review in progress to reviewers and admins, and only their own to anyone else', async () => {
    const forAlice = await listReviewInbox({ db, user: { id: alice.id, roles: ['reviewer'] }, tab: 'all' })
    expect(forAlice.seesEverything).toBe(true)
    expect(ours(forAlice.items)).toEqual([overdueVersion, soonVersion, laterVersion])

    // Not reachable through the page (its guard asks for version:review), but the use case stays narrow.
    const forLibrarian = await listReviewInbox({ db, user: { id: alice.id, roles: ['librarian'] }, tab: 'all' })
    expect(forLibrarian.seesEverything).toBe(false)
    expect(ours(forLibrarian.items)).toEqual([overdueVersion, laterVersion])
  })

  it('reads an unknown tab as "mine"', async () => {
    const { InboxTabSchema } = await import('~/review/inbox.server')
    expect(InboxTabSchema.parse('nonsense')).toBe('mine')
    expect(InboxTabSchema.parse('due-soon')).toBe('due-soon')
  })
})

describe('review page detail', () => {
  const viewer = (id: string, roles: ('reviewer' | 'admin')[] = ['reviewer']) => ({ userId: id, roles, organisationId: 'brand' })

  it('numbers comments in order, with their regions, and lists the asset’s versions', async () => {
    const rows = await reviewRows({
      title: 'Commented',
      snapshot: { policyId: null, policyName: 'P', stages: [{ name: 'Brand', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 24 }] },
      startedHoursAgo: 1,
    })
    const at = (seconds: number) => new Date(Date.now() - 60_000 + seconds * 1000)
    await db.comment.createMany({
      data: [
        { versionId: rows.versionId, reviewId: rows.reviewId, authorId: alice.id, body: 'First, on the logo', region: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 }, createdAt: at(1) },
        { versionId: rows.versionId, reviewId: rows.reviewId, authorId: bob.id, body: 'Second, overall', createdAt: at(2) },
        // Stored JSON is never trusted: a region that is not one shows as none.
        { versionId: rows.versionId, reviewId: rows.reviewId, authorId: bob.id, body: 'Third', region: { x: 5 }, createdAt: at(3) },
      ],
    })

    const detail = await getReviewDetail({ db, viewer: viewer(bob.id), versionId: rows.versionId })
    expect(detail.comments.map(({ number, author, body, region }) => ({ number, author, body, region }))).toEqual([
      { number: 1, author: 'Alice', body: 'First, on the logo', region: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } },
      { number: 2, author: 'Bob', body: 'Second, overall', region: null },
      { number: 3, author: 'Bob', body: 'Third', region: null },
    ])
    expect(detail.commenting).toEqual({ allowed: true })
    expect(detail.eligibility).toEqual({ canDecide: true })
    expect(detail.history).toEqual([expect.objectContaining({ id: rows.versionId, number: 1, status: 'in_review', isThis: true, isCurrent: false })])
    expect(detail.comparison).toMatchObject({ view: 'single', canCompare: false, canDiff: false, diffUrl: null })
    // Rows without a running workflow: the recorded state, saying why.
    expect(detail.review).toMatchObject({ source: 'database', liveNote: expect.stringMatching(/could not be found/) })
    expect(detail.review?.stage).toMatchObject({ index: 0, count: 1, name: 'Brand', pendingReviewers: ['Bob'], remindedAt: null, escalatedAt: null })
  })

  it('uses the reminder and escalation rows of the current stage when the workflow cannot be asked', async () => {
    const rows = await reviewRows({
      title: 'Escalated',
      snapshot: { policyId: null, policyName: 'P', stages: [{ name: 'Brand', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 10 }] },
      startedHoursAgo: 25,
    })
    const { appendAuditEvent } = await import('~/audit.server')
    await db.$transaction(async (tx) => {
      await appendAuditEvent(tx, { actorId: null, action: 'review.reminder', subjectType: 'review', subjectId: rows.reviewId, detail: { versionId: rows.versionId, stageIndex: 0 } })
      await appendAuditEvent(tx, { actorId: null, action: 'review.escalation', subjectType: 'review', subjectId: rows.reviewId, detail: { versionId: rows.versionId, stageIndex: 0 } })
      // Another stage's reminder does not count.
      await appendAuditEvent(tx, { actorId: null, action: 'review.reminder', subjectType: 'review', subjectId: rows.reviewId, detail: { versionId: rows.versionId, stageIndex: 1 } })
    })
    const detail = await getReviewDetail({ db, viewer: viewer(bob.id), versionId: rows.versionId })
    const stage = detail.review?.stage
    expect(stage?.overdue).toBe(true)
    expect(stage?.remindedAt).not.toBeNull()
    expect(stage?.escalatedAt).not.toBeNull()
    expect(stage?.escalationDueAt).toBeNull()
  })

  it('shows an ended review’s outcome from the rows, without asking the workflow, and takes no comments or decisions', async () => {
    const rows = await reviewRows({
      title: 'Rejected',
      snapshot: { policyId: null, policyName: 'P', stages: [{ name: 'Brand', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 24 }] },
      startedHoursAgo: 2,
    })
    await db.reviewDecision.create({ data: { reviewId: rows.reviewId, stageIndex: 0, reviewerId: bob.id, decision: 'reject', comment: 'Off-brand colours' } })
    await db.review.update({ where: { id: rows.reviewId }, data: { status: 'rejected', outcomeReason: 'Off-brand colours', endedAt: new Date() } })

    const asked: ReadLiveReviewStateOptions[] = []
    const detail = await getReviewDetail({
      db,
      viewer: viewer(bob.id),
      versionId: rows.versionId,
      readLiveState: (options) => {
        asked.push(options)
        return readLiveReviewState(options)
      },
    })
    expect(asked).toEqual([])
    expect(detail.review).toMatchObject({ status: 'rejected', outcomeReason: 'Off-brand colours', source: 'database', liveNote: null, stage: null })
    expect(detail.review?.stages[0]).toMatchObject({ state: 'done', reviewers: [{ name: 'Bob', decision: 'reject', comment: 'Off-brand colours' }] })
    expect(detail.eligibility).toEqual({ canDecide: false, reason: 'This review has ended.' })
    expect(detail.commenting).toMatchObject({ allowed: false })
  })
})

/** A webp preview of a flat picture with an optional yellow block, stored as the version's preview rendition. */
async function storePreview(versionId: string, block: { left: number; top: number; width: number; height: number } | null) {
  const base = sharp({ create: { width: 160, height: 100, channels: 3, background: { r: 30, g: 90, b: 170 } } })
  const composed = block
    ? base.composite([{ input: await sharp({ create: { width: block.width, height: block.height, channels: 3, background: { r: 250, g: 220, b: 0 } } }).png().toBuffer(), left: block.left, top: block.top }])
    : base
  // Lossless, so the changed share is exact.
  const bytes = await composed.webp({ lossless: true }).toBuffer()
  const storageKey = `renditions/${versionId}/preview.webp`
  await getStorage().putBuffer(storageKey, bytes, 'image/webp')
  await db.rendition.create({ data: { versionId, preset: 'preview', storageKey, mediaType: 'image/webp', bytes: bytes.length, width: 160, height: 100 } })
}

describe('comparing with the approved version', () => {
  let approvedId: string
  let reviewedId: string
  let comparedAssetId: string

  beforeAll(async () => {
    const rows = await reviewRows({
      title: 'Compared',
      snapshot: { policyId: null, policyName: 'P', stages: [{ name: 'Brand', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 24 }] },
      startedHoursAgo: 1,
    })
    comparedAssetId = rows.assetId
    approvedId = rows.versionId
    // Version 1 becomes the approved one; version 2 is under review.
    await db.assetVersion.update({ where: { id: approvedId }, data: { status: 'approved', promotedAt: new Date() } })
    await db.review.update({ where: { id: rows.reviewId }, data: { status: 'approved', endedAt: new Date() } })
    await db.asset.update({ where: { id: comparedAssetId }, data: { currentVersionId: approvedId } })
    const second = await db.assetVersion.create({
      data: {
        assetId: comparedAssetId,
        number: 2,
        storageKey: `originals/${comparedAssetId}/y`,
        sha256: randomBytes(32).toString('hex'),
        bytes: 10n,
        mediaType: 'image/png',
        originalFilename: 'b.png',
        status: 'in_review',
        uploadedById: admin.id,
      },
    })
    reviewedId = second.id
    await db.review.create({
      data: {
        versionId: reviewedId,
        workflowId: `review-${reviewedId}`,
        policyName: 'P',
        policySnapshot: { policyId: null, policyName: 'P', stages: [{ name: 'Brand', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 24 }] },
      },
    })
    await storePreview(approvedId, null)
    await storePreview(reviewedId, { left: 20, top: 10, width: 40, height: 25 })
  })

  it('offers side by side and differences, and measures the changed share in the diff view', async () => {
    const detail = await getReviewDetail({ db, viewer: { userId: bob.id, roles: ['reviewer'], organisationId: 'brand' }, versionId: reviewedId, view: 'diff' })
    expect(detail.current).toMatchObject({ id: approvedId, number: 1, previewWidth: 160, previewHeight: 100 })
    expect(detail.comparison).toMatchObject({ view: 'diff', canCompare: true, canDiff: true, diffUrl: `/reviews/${reviewedId}/diff`, diffError: null })
    expect(detail.comparison.changedFraction).toBeCloseTo((40 * 25) / (160 * 100), 10)
    expect(detail.history.map((entry) => [entry.number, entry.status, entry.isCurrent, entry.isThis])).toEqual([
      [2, 'in_review', false, true],
      [1, 'approved', true, false],
    ])

    const sideBySide = await getReviewDetail({ db, viewer: { userId: bob.id, roles: ['reviewer'], organisationId: 'brand' }, versionId: reviewedId, view: 'side-by-side' })
    expect(sideBySide.comparison).toMatchObject({ view: 'side-by-side', changedFraction: null })
  })

  it('serves the diff PNG with an ETag, and nothing when the client already has it', async () => {
    const viewerOf = { userId: bob.id, roles: ['reviewer'] as const, organisationId: 'brand' }
    const opened = await openVersionDiff({ db, storage: getStorage(), viewer: viewerOf, versionId: reviewedId })
    expect(opened.diff).not.toBeNull()
    const png = await sharp(opened.diff!.png).metadata()
    expect(png).toMatchObject({ format: 'png', width: 160, height: 100 })
    const again = await openVersionDiff({ db, storage: getStorage(), viewer: viewerOf, versionId: reviewedId, alreadyHas: (etag) => etag === opened.etag })
    expect(again).toEqual({ etag: opened.etag, diff: null })
  })

  it('has nothing to compare for the approved version itself, a version without an approved one, or a non-image', async () => {
    const viewerOf = { userId: bob.id, roles: ['reviewer'] as const, organisationId: 'brand' }
    const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (error instanceof AppError ? error.code : 'other'))
    expect(await code(openVersionDiff({ db, storage: getStorage(), viewer: viewerOf, versionId: approvedId }))).toBe('NOT_FOUND')
    expect(await code(openVersionDiff({ db, storage: getStorage(), viewer: viewerOf, versionId }))).toBe('NOT_FOUND')
    expect(await code(openVersionDiff({ db, storage: getStorage(), viewer: viewerOf, versionId: 'no-such-version' }))).toBe('NOT_FOUND')

    await db.assetVersion.update({ where: { id: reviewedId }, data: { mediaType: 'application/pdf' } })
    try {
      expect(await code(openVersionDiff({ db, storage: getStorage(), viewer: viewerOf, versionId: reviewedId }))).toBe('NOT_FOUND')
      const detail = await getReviewDetail({ db, viewer: viewerOf, versionId: reviewedId, view: 'diff' })
      // Differences are not offered; the page falls back to side by side.
      expect(detail.comparison).toMatchObject({ canCompare: true, canDiff: false, view: 'side-by-side', diffUrl: null })
    } finally {
      await db.assetVersion.update({ where: { id: reviewedId }, data: { mediaType: 'image/png' } })
    }
  })
})

describe('live review state', () => {
  const env = getEnv()
  let testEnv: TestWorkflowEnvironment
  let workers: DamsonWorkers
  let running: Promise<void>
  let silent: Server
  const sockets = new Set<Socket>()

  beforeAll(async () => {
    testEnv = await TestWorkflowEnvironment.createFromExistingServer({ address: env.TEMPORAL_ADDRESS })
    workers = await createDamsonWorkers({
      connection: testEnv.nativeConnection,
      namespace: testEnv.namespace ?? 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      mediaTaskQueue: env.TEMPORAL_MEDIA_TASK_QUEUE,
      db,
      storage: getStorage(),
      search: createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY),
      maxImagePixels: env.MAX_IMAGE_PIXELS,
      workflowBundle: await bundleDamsonWorkflows(),
    })
    running = workers.run()
    await workers.ready()
    // Accepts connections and never answers: a Temporal that hangs.
    silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    workers?.shutdown()
    await running
    await testEnv?.teardown()
    // close() waits for open connections, and the hanging client never lets go of its own.
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent?.close(resolve))
  })

  it('reads the running workflow’s state and shows it on the page', async () => {
    const snapshot: ReviewPolicySnapshot = {
      policyId: null,
      policyName: 'Live two-step',
      stages: [
        { name: 'Brand', reviewerIds: [alice.id, bob.id], quorum: { kind: 'all' }, dueHours: 24 },
        { name: 'Legal', reviewerIds: [bob.id], quorum: { kind: 'any' }, dueHours: 48 },
      ],
    }
    const rows = await reviewRows({ title: 'Live', snapshot, startedHoursAgo: 0 })
    const handle = await testEnv.client.workflow.start(reviewVersion, {
      workflowId: `review-${rows.versionId}`,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      args: [{ reviewId: rows.reviewId, versionId: rows.versionId, snapshot }],
    })
    try {
      const live = await readLiveReviewState({ versionId: rows.versionId, client: testEnv.client, timeoutMs: 10_000 })
      expect(live).toMatchObject({ ok: true, state: { status: 'in_progress', stageIndex: 0, pendingReviewerIds: [alice.id, bob.id], stages: snapshot.stages } })

      const detail = await getReviewDetail({
        db,
        viewer: { userId: alice.id, roles: ['reviewer'], organisationId: 'brand' },
        versionId: rows.versionId,
        readLiveState: (options) => readLiveReviewState({ ...options, client: testEnv.client, timeoutMs: 10_000 }),
      })
      expect(detail.review).toMatchObject({ source: 'workflow', liveNote: null, status: 'in_progress', policyName: 'Live two-step' })
      expect(detail.review?.stage).toMatchObject({ index: 0, count: 2, name: 'Brand', pendingReviewers: ['Alice', 'Bob'], overdue: false, remindedAt: null })
      // The workflow escalates at twice the due time.
      const stage = detail.review!.stage!
      expect(new Date(stage.escalationDueAt!).getTime() - new Date(stage.dueAt).getTime()).toBe(24 * 3_600_000)
      expect(detail.review?.stages.map((entry) => entry.state)).toEqual(['current', 'upcoming'])
      expect(detail.eligibility).toEqual({ canDecide: true })
    } finally {
      await handle.terminate('test over')
    }
  })

  it('says not found for a version without a workflow', async () => {
    expect(await readLiveReviewState({ versionId: `missing-${run}`, client: testEnv.client, timeoutMs: 10_000 })).toEqual({ ok: false, reason: 'not_found' })
  })

  it('falls back to the recorded state, with a note, when Temporal refuses or hangs, within the deadline', async () => {
    const refusing = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) })
    const hanging = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${(silent.address() as { port: number }).port}` }) })
    for (const client of [refusing, hanging]) {
      const started = Date.now()
      const detail = await getReviewDetail({
        db,
        viewer: { userId: bob.id, roles: ['reviewer'], organisationId: 'brand' },
        versionId,
        readLiveState: (options) => readLiveReviewState({ ...options, client, timeoutMs: 800 }),
      })
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(detail.review).toMatchObject({ source: 'database', liveNote: expect.stringMatching(/did not answer/) })
      // The recorded state still says who is pending.
      expect(detail.review?.stage).toMatchObject({ name: 'Brand', pendingReviewers: ['Bob'] })
      expect(detail.eligibility).toEqual({ canDecide: true })
    }
  })
})
