/**
 * Review policies through their use cases, and the choice of policy for real assets.
 *
 * Policies are global (the default and kind policies apply to every asset), so this
 * file works in a database of its own on the test stack's PostgreSQL: policies made
 * here must not change the reviews other test files start at the same time.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'
import { createThrowawayDatabase, runTsxScript, stackDatabaseUrl } from '../support/throwaway-database'

loadStackEnv()

const { createDb } = await import('~/db.server')
const { AppError } = await import('~/errors.server')
const {
  createReviewPolicy,
  deleteReviewPolicy,
  getPolicyEditor,
  getReviewPolicy,
  listReviewPolicies,
  submitPolicyForm,
  updateReviewPolicy,
} = await import('~/review/policies.server')
const { resolveReviewPolicySnapshot, BUILT_IN_POLICY_NAME } = await import('~/review/resolve-review-policy.server')
type Db = import('~/db.server').Db
type ReviewPolicyInput = import('~/review/policies.server').ReviewPolicyInput
type ReviewPolicySnapshot = import('~/domain/review-policy').ReviewPolicySnapshot

let database: Awaited<ReturnType<typeof createThrowawayDatabase>>
let db: Db
const run = randomBytes(3).toString('hex')

type People = Record<'ann' | 'bob' | 'ada' | 'lena' | 'dora' | 'rex' | 'uma', { id: string; name: string }>
let people: People
let brandId: string
let pressKitId: string
let summerPicksId: string

beforeAll(async () => {
  database = await createThrowawayDatabase(stackDatabaseUrl('review-policies'), 'damson_policies')
  const deployed = await runTsxScript('scripts/db/migrate.ts', ['deploy'], database.url)
  expect(deployed.code, deployed.output).toBe(0)
  db = createDb(database.url)

  const brand = await db.organisation.create({ data: { name: 'Damson Foods', slug: `brand-${run}`, kind: 'brand' } })
  const partner = await db.organisation.create({ data: { name: 'Agency', slug: `agency-${run}`, kind: 'partner' } })
  brandId = brand.id
  const person = async (name: string, organisationId: string, roles: ('admin' | 'librarian' | 'reviewer' | 'partner')[], disabled = false) => {
    const user = await db.user.create({
      data: {
        email: `${name.toLowerCase().replaceAll(' ', '.')}-${run}@example.test`,
        name,
        passwordHash: 'not-a-real-hash',
        disabledAt: disabled ? new Date() : null,
        memberships: { create: { organisationId, roles } },
      },
      select: { id: true, name: true },
    })
    return user
  }
  people = {
    ann: await person('Ann Reviewer', brand.id, ['reviewer']),
    bob: await person('Bob Reviewer', brand.id, ['reviewer']),
    ada: await person('Ada Admin', brand.id, ['admin']),
    lena: await person('Lena Librarian', brand.id, ['librarian']),
    dora: await person('Dora Disabled', brand.id, ['reviewer'], true),
    // A reviewer role in a partner organisation does not make a brand reviewer.
    rex: await person('Rex Agency', partner.id, ['reviewer']),
    uma: await person('Uma Uploader', brand.id, ['librarian']),
  }
  const collection = (name: string) =>
    db.collection.create({ data: { name, ownerId: people.uma.id, organisationId: brand.id }, select: { id: true } })
  pressKitId = (await collection('Press kit')).id
  summerPicksId = (await collection('Summer picks')).id
})

afterAll(async () => {
  await db?.$disconnect()
  await database?.drop()
})

const actorId = () => people.uma.id

/** A valid one-stage policy applying to `criteria`. */
function policyInput(name: string, criteria: Partial<ReviewPolicyInput> = {}): ReviewPolicyInput {
  return {
    name,
    isDefault: false,
    assetKind: null,
    folderPrefix: null,
    collectionId: null,
    stages: [{ name: 'Brand', reviewerIds: [people.ann.id, people.bob.id], reviewerRole: null, quorum: 'any', dueHours: 48 }],
    ...criteria,
  }
}

async function create(input: ReviewPolicyInput): Promise<string> {
  const result = await createReviewPolicy({ db, actorId: actorId(), input })
  if (!result.ok) throw new Error(`expected the policy to be created: ${JSON.stringify(result.fieldErrors)}`)
  return result.policyId
}

async function auditFor(policyId: string) {
  return db.auditEvent.findMany({ where: { action: 'review.policy_change', subjectId: policyId }, orderBy: { seq: 'asc' } })
}

async function removeAllPolicies(): Promise<void> {
  await db.reviewPolicy.deleteMany({})
}

describe('creating a policy', () => {
  it('stores the criteria, the ordered stages and their reviewers, with an audit event in the same write', async () => {
    const policyId = await create({
      ...policyInput(`Campaign images ${run}`, { assetKind: 'image', folderPrefix: ' campaigns//summer/ ' }),
      stages: [
        { name: ' Brand ', reviewerIds: [people.bob.id, people.ann.id, people.ann.id], reviewerRole: '', quorum: 'count', quorumCount: '2', dueHours: '48' },
        { name: 'Legal', reviewerIds: [], reviewerRole: 'admin', quorum: 'all', quorumCount: '', dueHours: 24 },
      ],
    })

    const stored = await db.reviewPolicy.findUniqueOrThrow({
      where: { id: policyId },
      include: { stages: { orderBy: { position: 'asc' }, include: { reviewers: true } } },
    })
    expect(stored).toMatchObject({ assetKind: 'image', folderPrefix: '/campaigns/summer', collectionId: null, isDefault: false })
    expect(stored.stages.map((stage) => [stage.position, stage.name, stage.quorum, stage.quorumCount, stage.reviewerRole, stage.dueHours])).toEqual([
      [0, 'Brand', 'count', 2, null, 48],
      [1, 'Legal', 'all', null, 'admin', 24],
    ])
    expect(stored.stages[0]?.reviewers.map((reviewer) => reviewer.userId).sort()).toEqual([people.ann.id, people.bob.id].sort())

    const events = await auditFor(policyId)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ actorId: actorId(), subjectType: 'review_policy', detail: { change: 'created' } })
    expect(events[0]?.detail).toMatchObject({ policy: { name: `Campaign images ${run}`, folderPrefix: '/campaigns/summer', stages: [{ name: 'Brand' }, { name: 'Legal' }] } })
  })

  it('lists policies with criteria, stages, reviewer names and how many could review', async () => {
    const policyId = await create({
      ...policyInput(`Press ${run}`, { collectionId: pressKitId }),
      stages: [{ name: 'Brand', reviewerIds: [people.ada.id], reviewerRole: 'reviewer', quorum: 'any', dueHours: 12 }],
    })
    const listed = (await listReviewPolicies({ db })).find((policy) => policy.id === policyId)
    expect(listed).toMatchObject({
      name: `Press ${run}`,
      isDefault: false,
      assetKind: null,
      folderPrefix: null,
      collection: { id: pressKitId, name: 'Press kit' },
      stages: [
        {
          name: 'Brand',
          quorum: { kind: 'any' },
          reviewerRole: 'reviewer',
          dueHours: 12,
          reviewers: [{ id: people.ada.id, name: 'Ada Admin', canReview: true }],
          // Ada by name; Ann and Bob by role (Dora is disabled, Rex is not in the brand).
          possibleReviewerCount: 3,
        },
      ],
    })
    expect(await getReviewPolicy({ db, policyId })).toEqual(listed)
  })

  it('refuses a name another policy has, ignoring case', async () => {
    await create(policyInput(`Duplicate ${run}`, { assetKind: 'audio' }))
    const again = await createReviewPolicy({ db, actorId: actorId(), input: policyInput(`duplicate ${run}`, { assetKind: 'video' }) })
    expect(again).toEqual({ ok: false, fieldErrors: { name: `Another policy is already called “duplicate ${run}”.` } })
  })
})

describe('validation', () => {
  const stage = (overrides: Record<string, unknown> = {}) => ({
    name: 'Brand',
    reviewerIds: [] as string[],
    reviewerRole: 'reviewer',
    quorum: 'any',
    quorumCount: '',
    dueHours: '48',
    ...overrides,
  })

  it.each([
    ['an empty name', { name: '   ' }, 'name', 'Name the policy.'],
    ['a name of 121 characters', { name: 'x'.repeat(121) }, 'name', 'Keep the name to 120 characters.'],
    ['no stages', { stages: [] }, 'stages', 'Add at least one stage.'],
    ['eleven stages', { stages: Array.from({ length: 11 }, () => stage()) }, 'stages', 'A policy has at most 10 stages.'],
    ['a stage without a name', { stages: [stage({ name: '' })] }, 'stages.0.name', 'Name the stage.'],
    ['a stage name of 81 characters', { stages: [stage({ name: 'x'.repeat(81) })] }, 'stages.0.name', 'Keep the stage name to 80 characters.'],
    ['due in 0 hours', { stages: [stage({ dueHours: '0' })] }, 'stages.0.dueHours', 'Give at least 1 hour.'],
    ['due in 721 hours', { stages: [stage({ dueHours: 721 })] }, 'stages.0.dueHours', 'Give at most 720 hours (30 days).'],
    ['due in 1.5 hours', { stages: [stage({ dueHours: '1.5' })] }, 'stages.0.dueHours', 'Give the due time in whole hours.'],
    ['due in "soon" hours', { stages: [stage({ dueHours: 'soon' })] }, 'stages.0.dueHours', 'Give the due time in whole hours.'],
    ['a stage nobody reviews', { stages: [stage({ reviewerRole: '' })] }, 'stages.0.reviewerIds', 'Choose named reviewers, a role, or both.'],
    ['a role that cannot review', { stages: [stage({ reviewerRole: 'librarian' })] }, 'stages.0.reviewerRole', 'Choose the reviewer or admin role, or none.'],
    ['an N-of quorum without N', { stages: [stage({ quorum: 'count', quorumCount: '' })] }, 'stages.0.quorumCount', 'Give the number of approvals needed: a whole number from 1 to 100.'],
    ['an N-of quorum of 0', { stages: [stage({ quorum: 'count', quorumCount: '0' })] }, 'stages.0.quorumCount', 'Give the number of approvals needed: a whole number from 1 to 100.'],
    ['an unknown quorum', { stages: [stage({ quorum: 'most' })] }, 'stages.0.quorum', 'Choose how many reviewers must approve.'],
    ['an unknown kind', { assetKind: 'hologram' }, 'assetKind', 'Choose a kind from the list.'],
    [
      'a default with criteria',
      { isDefault: true, assetKind: 'image' },
      'appliesTo',
      'The default policy covers every asset no other policy matches: leave kind, folder and collection empty.',
    ],
    [
      'a policy that applies to nothing',
      { assetKind: null, folderPrefix: ' / ' },
      'appliesTo',
      'Choose what the policy applies to (a kind, a folder or a collection), or make it the default.',
    ],
  ])('refuses %s and writes nothing', async (_, overrides, field, message) => {
    const name = `Invalid ${randomBytes(3).toString('hex')}`
    const input = { ...policyInput(name, { assetKind: 'document' }), stages: [stage()], ...overrides } as ReviewPolicyInput
    const policiesBefore = await db.reviewPolicy.count()
    const eventsBefore = await db.auditEvent.count()
    const result = await createReviewPolicy({ db, actorId: actorId(), input })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.fieldErrors[field]).toBe(message)
    expect(await db.reviewPolicy.count()).toBe(policiesBefore)
    expect(await db.auditEvent.count()).toBe(eventsBefore)
  })

  it('allows an N-of quorum larger than the reviewers (the quorum rule caps it)', async () => {
    const policyId = await create({ ...policyInput(`Generous ${run}`, { assetKind: 'design' }), stages: [stage({ quorum: 'count', quorumCount: '7' })] })
    expect((await getReviewPolicy({ db, policyId })).stages[0]?.quorum).toEqual({ kind: 'count', count: 7 })
  })

  it('refuses named reviewers who cannot review, naming each', async () => {
    const result = await createReviewPolicy({
      db,
      actorId: actorId(),
      input: {
        ...policyInput(`Wrong people ${run}`, { assetKind: 'other' }),
        stages: [
          stage({ reviewerIds: [people.ann.id] }),
          stage({ name: 'Second', reviewerIds: [people.lena.id, people.dora.id, people.rex.id, 'no-such-user'] }),
        ],
      },
    })
    expect(result).toEqual({
      ok: false,
      fieldErrors: {
        'stages.1.reviewerIds':
          'Lena Librarian cannot review: they hold neither the reviewer nor the admin role in the brand. ' +
          'Dora Disabled cannot review: their account is disabled. ' +
          'Rex Agency cannot review: they hold neither the reviewer nor the admin role in the brand. ' +
          'One of the chosen reviewers no longer exists.',
      },
    })
  })

  it('refuses a collection that does not exist', async () => {
    const result = await createReviewPolicy({ db, actorId: actorId(), input: policyInput(`Ghost ${run}`, { collectionId: 'no-such-collection' }) })
    expect(result).toEqual({ ok: false, fieldErrors: { collectionId: 'That collection no longer exists. Choose another.' } })
  })
})

describe('the default policy', () => {
  beforeAll(removeAllPolicies)

  it('is one policy at a time: making another the default clears the first, audited on both', async () => {
    const first = await create(policyInput(`Default A ${run}`, { isDefault: true }))
    const second = await create(policyInput(`Default B ${run}`, { isDefault: true }))
    expect(await db.reviewPolicy.findMany({ where: { isDefault: true }, select: { id: true } })).toEqual([{ id: second }])
    expect((await auditFor(first)).map((event) => event.detail)).toEqual([
      expect.objectContaining({ change: 'created' }),
      { change: 'default_cleared', name: `Default A ${run}`, newDefaultPolicyId: second },
    ])

    const result = await updateReviewPolicy({ db, actorId: actorId(), policyId: first, input: policyInput(`Default A ${run}`, { isDefault: true }) })
    expect(result).toEqual({ ok: true, policyId: first })
    expect(await db.reviewPolicy.findMany({ where: { isDefault: true }, select: { id: true } })).toEqual([{ id: first }])
    expect((await auditFor(second)).at(-1)?.detail).toEqual({ change: 'default_cleared', name: `Default B ${run}`, newDefaultPolicyId: first })
  })

  it('stays one policy when several are made the default at once', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => createReviewPolicy({ db, actorId: actorId(), input: policyInput(`Racing default ${n} ${run}`, { isDefault: true }) })),
    )
    expect(results.every((result) => result.ok)).toBe(true)
    expect(await db.reviewPolicy.count({ where: { isDefault: true } })).toBe(1)
  })
})

describe('updating and deleting', () => {
  it('replaces the stages wholesale and records what changed', async () => {
    const policyId = await create({
      ...policyInput(`Editable ${run}`, { assetKind: 'video' }),
      stages: [
        { name: 'Brand', reviewerIds: [people.ann.id], reviewerRole: null, quorum: 'any', dueHours: 48 },
        { name: 'Legal', reviewerIds: [people.bob.id], reviewerRole: null, quorum: 'all', dueHours: 24 },
      ],
    })
    const oldStageIds = (await db.reviewStage.findMany({ where: { policyId }, select: { id: true } })).map((stage) => stage.id)

    const result = await updateReviewPolicy({
      db,
      actorId: actorId(),
      policyId,
      input: {
        ...policyInput(`Editable ${run}`, { assetKind: 'video', folderPrefix: '/films' }),
        stages: [{ name: 'Legal', reviewerIds: [people.bob.id, people.ada.id], reviewerRole: null, quorum: 'count', quorumCount: 1, dueHours: 72 }],
      },
    })
    expect(result).toEqual({ ok: true, policyId })

    const stages = await db.reviewStage.findMany({ where: { policyId }, include: { reviewers: true } })
    expect(stages).toHaveLength(1)
    expect(stages[0]).toMatchObject({ position: 0, name: 'Legal', quorum: 'count', quorumCount: 1, dueHours: 72 })
    expect(stages[0]?.reviewers.map((reviewer) => reviewer.userId).sort()).toEqual([people.ada.id, people.bob.id].sort())
    expect(await db.reviewStage.count({ where: { id: { in: oldStageIds } } })).toBe(0)

    const event = (await auditFor(policyId)).at(-1)
    expect(event?.detail).toMatchObject({ change: 'updated', changes: { folderPrefix: { from: null, to: '/films' } } })
    expect(Object.keys((event?.detail as { changes: object }).changes).sort()).toEqual(['folderPrefix', 'stages'])
  })

  it('writes nothing when nothing changed', async () => {
    const input = policyInput(`Unchanged ${run}`, { folderPrefix: '/unchanged' })
    const policyId = await create(input)
    const before = await db.reviewPolicy.findUniqueOrThrow({ where: { id: policyId }, include: { stages: true } })
    expect(await updateReviewPolicy({ db, actorId: actorId(), policyId, input })).toEqual({ ok: true, policyId })
    expect(await auditFor(policyId)).toHaveLength(1)
    expect(await db.reviewPolicy.findUniqueOrThrow({ where: { id: policyId }, include: { stages: true } })).toEqual(before)
  })

  it('validates an update like a create and leaves the policy as it was', async () => {
    const policyId = await create(policyInput(`Kept ${run}`, { folderPrefix: '/kept' }))
    const result = await updateReviewPolicy({
      db,
      actorId: actorId(),
      policyId,
      input: { ...policyInput(`Kept ${run}`, { folderPrefix: '/moved' }), stages: [{ name: 'Brand', reviewerIds: [people.lena.id], reviewerRole: null, quorum: 'any', dueHours: 1 }] },
    })
    expect(result.ok).toBe(false)
    expect((await getReviewPolicy({ db, policyId })).folderPrefix).toBe('/kept')
  })

  it('refuses to update a policy that does not exist', async () => {
    await expect(updateReviewPolicy({ db, actorId: actorId(), policyId: 'missing', input: policyInput('Missing', { assetKind: 'image' }) })).rejects.toSatisfy(
      (error) => error instanceof AppError && error.code === 'NOT_FOUND',
    )
  })

  it('deletes a policy with its stages, audited with what it was', async () => {
    const policyId = await create(policyInput(`Doomed ${run}`, { folderPrefix: '/doomed' }))
    expect(await deleteReviewPolicy({ db, actorId: actorId(), policyId })).toEqual({ name: `Doomed ${run}` })
    expect(await db.reviewPolicy.count({ where: { id: policyId } })).toBe(0)
    expect(await db.reviewStage.count({ where: { policyId } })).toBe(0)
    expect((await auditFor(policyId)).at(-1)?.detail).toMatchObject({ change: 'deleted', policy: { name: `Doomed ${run}`, folderPrefix: '/doomed' } })
    await expect(deleteReviewPolicy({ db, actorId: actorId(), policyId })).rejects.toSatisfy(
      (error) => error instanceof AppError && error.code === 'NOT_FOUND',
    )
  })
})

describe('the editor form', () => {
  function form(fields: [string, string][]): FormData {
    const formData = new FormData()
    for (const [name, value] of fields) formData.append(name, value)
    return formData
  }
  const baseFields = (): [string, string][] => [
    ['name', `Form policy ${run}`],
    ['assetKind', ''],
    ['folderPrefix', '/form/test'],
    ['collectionId', ''],
    ['stages[0].name', 'First'],
    ['stages[0].reviewerIds', people.ann.id],
    ['stages[0].reviewerRole', ''],
    ['stages[0].quorum', 'any'],
    ['stages[0].quorumCount', ''],
    ['stages[0].dueHours', '48'],
    ['stages[1].name', 'Second'],
    ['stages[1].reviewerRole', 'reviewer'],
    ['stages[1].quorum', 'count'],
    ['stages[1].quorumCount', '2'],
    ['stages[1].dueHours', '24'],
  ]

  it('adds, moves and removes stages without saving anything', async () => {
    const policies = await db.reviewPolicy.count()
    const added = await submitPolicyForm({ db, actorId: actorId(), policyId: null, formData: form([...baseFields(), ['intent', 'add-stage']]) })
    expect(added).toMatchObject({ kind: 'editing', status: 200, focus: 'stages[2].name', fieldErrors: {} })
    if (added.kind !== 'editing') return
    expect(added.draft.stages.map((stage) => stage.name)).toEqual(['First', 'Second', ''])

    const moved = await submitPolicyForm({ db, actorId: actorId(), policyId: null, formData: form([...baseFields(), ['intent', 'move-stage-up:1']]) })
    if (moved.kind !== 'editing') throw new Error('expected the draft back')
    expect(moved.draft.stages.map((stage) => [stage.name, stage.reviewerIds, stage.quorumCount])).toEqual([
      ['Second', [], '2'],
      ['First', [people.ann.id], ''],
    ])

    const removed = await submitPolicyForm({ db, actorId: actorId(), policyId: null, formData: form([...baseFields(), ['intent', 'remove-stage:0']]) })
    if (removed.kind !== 'editing') throw new Error('expected the draft back')
    expect(removed.draft.stages.map((stage) => stage.name)).toEqual(['Second'])
    expect(await db.reviewPolicy.count()).toBe(policies)
  })

  it('saves a posted form, and answers field errors with the draft kept', async () => {
    const invalid = await submitPolicyForm({
      db,
      actorId: actorId(),
      policyId: null,
      formData: form([...baseFields().filter(([name]) => name !== 'stages[1].name'), ['stages[1].name', ''], ['intent', 'save']]),
    })
    expect(invalid).toMatchObject({ kind: 'editing', status: 400, fieldErrors: { 'stages.1.name': 'Name the stage.' } })
    if (invalid.kind === 'editing') expect(invalid.draft.folderPrefix).toBe('/form/test')

    const saved = await submitPolicyForm({ db, actorId: actorId(), policyId: null, formData: form([...baseFields(), ['intent', 'save']]) })
    if (saved.kind !== 'saved') throw new Error(`expected a save: ${JSON.stringify(saved)}`)
    const editor = await getPolicyEditor({ db, policyId: saved.policyId })
    expect(editor.draft).toEqual({
      name: `Form policy ${run}`,
      isDefault: false,
      assetKind: '',
      folderPrefix: '/form/test',
      collectionId: '',
      stages: [
        { name: 'First', reviewerIds: [people.ann.id], reviewerRole: '', quorum: 'any', quorumCount: '', dueHours: '48' },
        { name: 'Second', reviewerIds: [], reviewerRole: 'reviewer', quorum: 'count', quorumCount: '2', dueHours: '24' },
      ],
    })

    const deleted = await submitPolicyForm({ db, actorId: actorId(), policyId: saved.policyId, formData: form([['intent', 'delete']]) })
    expect(deleted).toEqual({ kind: 'deleted', name: `Form policy ${run}` })
  })

  it('offers eligible reviewers, and keeps a named reviewer who can no longer review so they can be unticked', async () => {
    const policyId = await create(policyInput(`Lapsed ${run}`, { folderPrefix: '/lapsed' }))
    await db.user.update({ where: { id: people.bob.id }, data: { disabledAt: new Date() } })
    try {
      const editor = await getPolicyEditor({ db, policyId })
      const offered = new Map(editor.reviewers.map((reviewer) => [reviewer.name, reviewer.canReview]))
      expect(offered.get('Ann Reviewer')).toBe(true)
      expect(offered.get('Ada Admin')).toBe(true)
      expect(offered.get('Bob Reviewer')).toBe(false)
      for (const name of ['Lena Librarian', 'Dora Disabled', 'Rex Agency']) expect(offered.has(name)).toBe(false)
    } finally {
      await db.user.update({ where: { id: people.bob.id }, data: { disabledAt: null } })
    }
  })

  it('refuses an unknown intent', async () => {
    await expect(submitPolicyForm({ db, actorId: actorId(), policyId: null, formData: form([['intent', 'launch']]) })).rejects.toSatisfy(
      (error) => error instanceof AppError && error.code === 'BAD_REQUEST',
    )
  })
})

describe('resolveReviewPolicySnapshot', () => {
  let assets: Record<'pressSummerImage' | 'summerHeroImage' | 'oldCampaignImage' | 'rootVideo', string>

  beforeAll(async () => {
    await removeAllPolicies()
    const asset = async (kind: 'image' | 'video', folderPath: string, collectionIds: string[] = []) => {
      const created = await db.asset.create({
        data: {
          title: `${kind} in ${folderPath}`,
          kind,
          folderPath,
          ownerOrganisationId: brandId,
          createdById: people.uma.id,
          collectionItems: { create: collectionIds.map((collectionId) => ({ collectionId })) },
        },
        select: { id: true },
      })
      return created.id
    }
    assets = {
      pressSummerImage: await asset('image', '/campaigns/summer', [summerPicksId, pressKitId]),
      summerHeroImage: await asset('image', '/campaigns/summer/hero'),
      oldCampaignImage: await asset('image', '/campaigns-old'),
      rootVideo: await asset('video', '/'),
    }
  })

  const stage = (name: string, overrides: Partial<ReviewPolicyInput['stages'][number]> = {}) => ({
    name,
    reviewerIds: [people.ann.id],
    reviewerRole: null,
    quorum: 'any',
    dueHours: 48,
    ...overrides,
  })

  it('falls back to the built-in policy (the brand reviewers, any one) when no policy applies', async () => {
    const snapshot = await resolveReviewPolicySnapshot(db, assets.rootVideo)
    expect(snapshot).toEqual({
      policyId: null,
      policyName: BUILT_IN_POLICY_NAME,
      stages: [{ name: BUILT_IN_POLICY_NAME, reviewerIds: [people.ann.id, people.bob.id].sort(), quorum: { kind: 'any' }, dueHours: 48 }],
    })
  })

  it('picks collection over folder over kind over the default', async () => {
    const byDefault = await create({ ...policyInput(`Default ${run}`, { isDefault: true }), stages: [stage('Default stage')] })
    const byKind = await create({ ...policyInput(`Images ${run}`, { assetKind: 'image' }), stages: [stage('Kind stage')] })
    const byFolder = await create({ ...policyInput(`Campaigns ${run}`, { folderPrefix: '/campaigns' }), stages: [stage('Folder stage')] })
    const byLongerFolder = await create({ ...policyInput(`Summer ${run}`, { folderPrefix: '/campaigns/summer' }), stages: [stage('Summer stage')] })
    const byCollection = await create({ ...policyInput(`Press ${run}`, { collectionId: pressKitId }), stages: [stage('Collection stage')] })

    const chosen = async (assetId: string) => (await resolveReviewPolicySnapshot(db, assetId)).policyId
    expect(await chosen(assets.pressSummerImage)).toBe(byCollection)
    expect(await chosen(assets.summerHeroImage)).toBe(byLongerFolder)
    expect(await chosen(assets.oldCampaignImage)).toBe(byKind)
    expect(await chosen(assets.rootVideo)).toBe(byDefault)

    await deleteReviewPolicy({ db, actorId: actorId(), policyId: byCollection })
    expect(await chosen(assets.pressSummerImage)).toBe(byLongerFolder)
    await deleteReviewPolicy({ db, actorId: actorId(), policyId: byLongerFolder })
    expect(await chosen(assets.summerHeroImage)).toBe(byFolder)
    await deleteReviewPolicy({ db, actorId: actorId(), policyId: byDefault })
    expect(await chosen(assets.rootVideo)).toBeNull()
  })

  it('resolves role and named reviewers per stage, leaving out those who cannot review', async () => {
    await removeAllPolicies()
    const policyId = await create({
      ...policyInput(`Two stages ${run}`, { assetKind: 'video' }),
      stages: [
        stage('Brand', { reviewerIds: [people.ada.id], reviewerRole: 'reviewer', quorum: 'count', quorumCount: 2, dueHours: 24 }),
        stage('Sign-off', { reviewerIds: [people.ada.id, people.bob.id], quorum: 'all', dueHours: 8 }),
      ],
    })
    // Bob may be named (he reviews today); disabled later, he drops out of new snapshots.
    await db.user.update({ where: { id: people.bob.id }, data: { disabledAt: new Date() } })
    try {
      expect(await resolveReviewPolicySnapshot(db, assets.rootVideo)).toEqual({
        policyId,
        policyName: `Two stages ${run}`,
        stages: [
          // Ada by name; Ann by role (Bob and Dora are disabled; Rex reviews for another organisation).
          { name: 'Brand', reviewerIds: [people.ada.id, people.ann.id].sort(), quorum: { kind: 'count', count: 2 }, dueHours: 24 },
          { name: 'Sign-off', reviewerIds: [people.ada.id], quorum: { kind: 'all' }, dueHours: 8 },
        ],
      })
    } finally {
      await db.user.update({ where: { id: people.bob.id }, data: { disabledAt: null } })
    }
  })

  it('never changes a stored snapshot when the policy is edited afterwards', async () => {
    await removeAllPolicies()
    const policyId = await create({ ...policyInput(`Snapshot ${run}`, { assetKind: 'video' }), stages: [stage('Before', { dueHours: 10 })] })
    const snapshot = await resolveReviewPolicySnapshot(db, assets.rootVideo)
    const version = await db.assetVersion.create({
      data: {
        assetId: assets.rootVideo,
        number: 1,
        storageKey: `originals/${assets.rootVideo}/v1`,
        sha256: randomBytes(32).toString('hex'),
        bytes: 10n,
        mediaType: 'video/mp4',
        originalFilename: 'film.mp4',
        status: 'in_review',
        uploadedById: people.uma.id,
      },
    })
    const review = await db.review.create({
      data: { versionId: version.id, workflowId: `review-${version.id}`, policyName: snapshot.policyName, policySnapshot: snapshot },
    })

    const edited = await updateReviewPolicy({
      db,
      actorId: actorId(),
      policyId,
      input: { ...policyInput(`Snapshot renamed ${run}`, { assetKind: 'video' }), stages: [stage('After', { reviewerIds: [people.bob.id], dueHours: 99 })] },
    })
    expect(edited.ok).toBe(true)

    const stored = await db.review.findUniqueOrThrow({ where: { id: review.id } })
    expect(stored.policyName).toBe(`Snapshot ${run}`)
    expect(stored.policySnapshot as ReviewPolicySnapshot).toEqual({
      policyId,
      policyName: `Snapshot ${run}`,
      stages: [{ name: 'Before', reviewerIds: [people.ann.id], quorum: { kind: 'any' }, dueHours: 10 }],
    })
    // A review starting now gets the edited policy.
    expect((await resolveReviewPolicySnapshot(db, assets.rootVideo)).stages).toEqual([
      { name: 'After', reviewerIds: [people.bob.id], quorum: { kind: 'any' }, dueHours: 99 },
    ])
  })
})
