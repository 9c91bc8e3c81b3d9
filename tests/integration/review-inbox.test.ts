/**
 * The review inbox derives who is waited on from the policy snapshot and the
 * decisions recorded; the decision form turns workflow refusals into form errors.
 * Review rows are written directly (the review workflow has its own tests).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { currentStageState, decideFromForm, getReviewDetail, listReviewInbox } = await import('~/review/inbox.server')
const { AppError } = await import('~/errors.server')
type ReviewPolicySnapshot = import('~/domain/review-policy').ReviewPolicySnapshot

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

afterAll(async () => {
  // The asset takes its version, review and decisions with it; users and the organisation stay.
  if (assetId) await db.asset.delete({ where: { id: assetId } })
})

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
    expect(calls).toEqual([{ versionId, reviewerId: bob.id, decision: 'request_changes', comment: 'Logo too small' }])
  })
})
