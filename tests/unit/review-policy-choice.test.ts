import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ASSET_KINDS,
  chooseReviewPolicy,
  folderPrefixCovers,
  type ReviewPolicyAssetFacts,
  type ReviewPolicyCriteria,
} from '~/domain/review-policy'

let sequence = 0
/** A policy created `minutesAgo` before a fixed instant, applying to nothing unless told. */
function policy(id: string, criteria: Partial<Omit<ReviewPolicyCriteria, 'id' | 'createdAt'>> & { minutesAgo?: number } = {}): ReviewPolicyCriteria {
  const { minutesAgo = sequence++, ...rest } = criteria
  return {
    id,
    isDefault: false,
    assetKind: null,
    folderPrefix: null,
    collectionId: null,
    createdAt: new Date(Date.UTC(2027, 0, 1) - minutesAgo * 60_000),
    ...rest,
  }
}

const summerImage: ReviewPolicyAssetFacts = { kind: 'image', folderPath: '/campaigns/summer/hero', collectionIds: ['launch', 'press'] }

const chosenId = (candidates: ReviewPolicyCriteria[], asset: ReviewPolicyAssetFacts = summerImage) =>
  chooseReviewPolicy(candidates, asset)?.id ?? null

describe('folderPrefixCovers', () => {
  it.each([
    ['/campaigns', '/campaigns/summer', true],
    ['/campaigns', '/campaigns', true],
    ['/campaigns/', '/campaigns/summer', true],
    ['/campaigns', '/campaigns-old', false],
    ['/campaigns', '/campaigns-old/summer', false],
    ['/campaigns/summer', '/campaigns', false],
    ['/campaigns/summer', '/campaigns/summertime', false],
    ['/Campaigns', '/campaigns/summer', false],
    ['/', '/anything/at/all', true],
    ['/', '/', true],
    ['/a/b', '/a/x/b', false],
  ])('%s covers %s: %s', (prefix, path, expected) => {
    expect(folderPrefixCovers(prefix, path)).toBe(expected)
  })
})

describe('chooseReviewPolicy', () => {
  it('returns null when there are no policies', () => {
    expect(chosenId([])).toBeNull()
  })

  it('returns null when nothing matches and there is no default', () => {
    expect(
      chosenId([
        policy('video', { assetKind: 'video' }),
        policy('old', { folderPrefix: '/campaigns-old' }),
        policy('other-collection', { collectionId: 'archive' }),
      ]),
    ).toBeNull()
  })

  it('ignores a policy with no criteria that is not the default', () => {
    expect(chosenId([policy('inert')])).toBeNull()
  })

  it('uses the default when nothing else matches', () => {
    expect(chosenId([policy('video', { assetKind: 'video' }), policy('default', { isDefault: true })])).toBe('default')
  })

  it('a kind match beats the default', () => {
    expect(chosenId([policy('default', { isDefault: true }), policy('images', { assetKind: 'image' })])).toBe('images')
  })

  it('a folder match beats a kind match', () => {
    expect(chosenId([policy('images', { assetKind: 'image' }), policy('campaigns', { folderPrefix: '/campaigns' })])).toBe('campaigns')
  })

  it('a collection match beats a folder match', () => {
    expect(
      chosenId([policy('summer', { folderPrefix: '/campaigns/summer/hero' }), policy('press', { collectionId: 'press' })]),
    ).toBe('press')
  })

  it('a collection match beats everything below it at once', () => {
    expect(
      chosenId([
        policy('default', { isDefault: true }),
        policy('images', { assetKind: 'image' }),
        policy('campaigns', { folderPrefix: '/campaigns' }),
        policy('launch', { collectionId: 'launch' }),
      ]),
    ).toBe('launch')
  })

  it('matches folder prefixes on whole segments only', () => {
    const old: ReviewPolicyAssetFacts = { kind: 'image', folderPath: '/campaigns-old/2019', collectionIds: [] }
    expect(chosenId([policy('campaigns', { folderPrefix: '/campaigns' }), policy('default', { isDefault: true })], old)).toBe('default')
  })

  it('the longest folder prefix wins, whatever its age', () => {
    expect(
      chosenId([
        policy('summer', { folderPrefix: '/campaigns/summer', minutesAgo: 1 }),
        policy('campaigns', { folderPrefix: '/campaigns', minutesAgo: 100 }),
        policy('hero', { folderPrefix: '/campaigns/summer/hero', minutesAgo: 0 }),
      ]),
    ).toBe('hero')
  })

  it('the longest prefix beats a shorter prefix combined with a kind', () => {
    expect(
      chosenId([
        policy('campaign-images', { folderPrefix: '/campaigns', assetKind: 'image' }),
        policy('summer', { folderPrefix: '/campaigns/summer' }),
      ]),
    ).toBe('summer')
  })

  it('a policy with several criteria must match all of them', () => {
    expect(
      chosenId([
        policy('summer-videos', { folderPrefix: '/campaigns/summer', assetKind: 'video' }),
        policy('press-videos', { collectionId: 'press', assetKind: 'video' }),
        policy('images', { assetKind: 'image' }),
      ]),
    ).toBe('images')
  })

  it('a policy with several criteria ranks by its most specific one', () => {
    // Kind + collection ranks as a collection match, so it beats a pure folder match.
    expect(
      chosenId([
        policy('hero', { folderPrefix: '/campaigns/summer/hero' }),
        policy('press-images', { collectionId: 'press', assetKind: 'image' }),
      ]),
    ).toBe('press-images')
    // Kind + folder ranks as a folder match, so a collection still beats it.
    expect(
      chosenId([
        policy('press', { collectionId: 'press' }),
        policy('summer-images', { folderPrefix: '/campaigns/summer', assetKind: 'image' }),
      ]),
    ).toBe('press')
  })

  it('at the same rank, more criteria matched wins over age', () => {
    expect(
      chosenId([
        policy('press', { collectionId: 'press', minutesAgo: 100 }),
        policy('press-images', { collectionId: 'press', assetKind: 'image', minutesAgo: 1 }),
      ]),
    ).toBe('press-images')
    expect(
      chosenId([
        policy('campaigns', { folderPrefix: '/campaigns', minutesAgo: 100 }),
        policy('campaign-images', { folderPrefix: '/campaigns', assetKind: 'image', minutesAgo: 1 }),
      ]),
    ).toBe('campaign-images')
    expect(
      chosenId([
        policy('press-summer', { collectionId: 'press', folderPrefix: '/campaigns/summer', minutesAgo: 1 }),
        policy('press-summer-images', { collectionId: 'press', folderPrefix: '/campaigns', assetKind: 'image', minutesAgo: 0 }),
      ]),
    ).toBe('press-summer-images')
  })

  it('at the same rank and criteria, the oldest wins', () => {
    expect(
      chosenId([
        policy('launch', { collectionId: 'launch', minutesAgo: 5 }),
        policy('press', { collectionId: 'press', minutesAgo: 50 }),
      ]),
    ).toBe('press')
    expect(
      chosenId([
        policy('images-new', { assetKind: 'image', minutesAgo: 1 }),
        policy('images-old', { assetKind: 'image', minutesAgo: 2 }),
      ]),
    ).toBe('images-old')
    expect(chosenId([policy('default-new', { isDefault: true, minutesAgo: 1 }), policy('default-old', { isDefault: true, minutesAgo: 9 })])).toBe(
      'default-old',
    )
  })

  it('breaks a tie in creation time by id, so the order of the candidates never matters', () => {
    const a = policy('a', { assetKind: 'image', minutesAgo: 3 })
    const b = policy('b', { assetKind: 'image', minutesAgo: 3 })
    expect(chosenId([a, b])).toBe('a')
    expect(chosenId([b, a])).toBe('a')
  })

  it('a default that also names criteria ranks by them when they match and is the default otherwise', () => {
    const defaultForVideos = policy('default-videos', { isDefault: true, assetKind: 'video' })
    const video: ReviewPolicyAssetFacts = { kind: 'video', folderPath: '/', collectionIds: [] }
    expect(chosenId([defaultForVideos, policy('videos', { assetKind: 'video', minutesAgo: 1_000 })], video)).toBe('videos')
    expect(chosenId([defaultForVideos, policy('images', { assetKind: 'image' })], video)).toBe('default-videos')
    expect(chosenId([defaultForVideos, policy('images', { assetKind: 'image' })])).toBe('images')
    expect(chosenId([defaultForVideos])).toBe('default-videos')
  })

  it('a folder prefix of "/" covers every asset, ranking as a folder match', () => {
    expect(chosenId([policy('images', { assetKind: 'image' }), policy('root', { folderPrefix: '/' })])).toBe('root')
  })

  it('an asset in no collection and the root folder gets its kind policy', () => {
    const rootVideo: ReviewPolicyAssetFacts = { kind: 'video', folderPath: '/', collectionIds: [] }
    expect(
      chosenId(
        [policy('press', { collectionId: 'press' }), policy('summer', { folderPrefix: '/campaigns' }), policy('videos', { assetKind: 'video' })],
        rootVideo,
      ),
    ).toBe('videos')
  })

  it('returns the candidate object itself, with whatever else it carries', () => {
    const withStages = { ...policy('images', { assetKind: 'image' }), stages: ['Brand', 'Legal'] }
    expect(chooseReviewPolicy([withStages], summerImage)).toBe(withStages)
  })
})

// ───────────────────────────── properties

// Small vocabularies, so that generated policies often apply to the generated asset.
const COLLECTIONS = ['c1', 'c2', 'c3']
const FOLDER_SEGMENTS = ['a', 'b', 'ab']
const KINDS = ASSET_KINDS.slice(0, 2)

const folderArb = fc.array(fc.constantFrom(...FOLDER_SEGMENTS), { maxLength: 2 }).map((parts) => `/${parts.join('/')}`)

const assetArb: fc.Arbitrary<ReviewPolicyAssetFacts> = fc.record({
  kind: fc.constantFrom(...KINDS),
  folderPath: fc.array(fc.constantFrom(...FOLDER_SEGMENTS), { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
  collectionIds: fc.subarray(COLLECTIONS),
})

const criteriaArb = fc.record({
  isDefault: fc.boolean(),
  assetKind: fc.option(fc.constantFrom(...KINDS), { nil: null }),
  folderPrefix: fc.option(folderArb, { nil: null }),
  collectionId: fc.option(fc.constantFrom(...COLLECTIONS), { nil: null }),
  minute: fc.integer({ min: 0, max: 5 }),
})

const policiesArb = fc
  .array(criteriaArb, { maxLength: 8 })
  .map((list) =>
    list.map(({ minute, ...criteria }, index) => ({ ...criteria, id: `p${index}`, createdAt: new Date(Date.UTC(2027, 0, 1, 0, minute)) })),
  )

/** Whether every criterion the policy names holds for the asset (the default flag aside). */
function criteriaHold(candidate: ReviewPolicyCriteria, asset: ReviewPolicyAssetFacts): boolean {
  const named = [candidate.assetKind, candidate.folderPrefix, candidate.collectionId].some((value) => value !== null)
  return (
    named &&
    (candidate.assetKind === null || candidate.assetKind === asset.kind) &&
    (candidate.folderPrefix === null || folderPrefixCovers(candidate.folderPrefix, asset.folderPath)) &&
    (candidate.collectionId === null || asset.collectionIds.includes(candidate.collectionId))
  )
}

describe('chooseReviewPolicy properties', () => {
  it('adding a policy that does not apply to the asset never changes the choice', () => {
    fc.assert(
      fc.property(policiesArb, criteriaArb, assetArb, (policies, extra, asset) => {
        const { minute, ...criteria } = extra
        const added: ReviewPolicyCriteria = { ...criteria, isDefault: false, id: 'extra', createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)) }
        fc.pre(!criteriaHold(added, asset))
        expect(chooseReviewPolicy([...policies, added], asset)).toBe(chooseReviewPolicy(policies, asset))
      }),
      { numRuns: 500 },
    )
  })

  it('a default wins only when no other policy applies', () => {
    fc.assert(
      fc.property(policiesArb, assetArb, (policies, asset) => {
        const chosen = chooseReviewPolicy(policies, asset)
        const anySpecific = policies.some((candidate) => criteriaHold(candidate, asset))
        if (anySpecific) {
          expect(chosen && criteriaHold(chosen, asset)).toBe(true)
        } else if (policies.some((candidate) => candidate.isDefault)) {
          expect(chosen?.isDefault).toBe(true)
        } else {
          expect(chosen).toBeNull()
        }
      }),
      { numRuns: 500 },
    )
  })

  it('the choice does not depend on the order of the candidates', () => {
    fc.assert(
      fc.property(
        policiesArb.chain((policies) => fc.tuple(fc.constant(policies), fc.shuffledSubarray(policies, { minLength: policies.length, maxLength: policies.length }))),
        assetArb,
        ([policies, shuffled], asset) => {
          expect(chooseReviewPolicy(shuffled, asset)).toBe(chooseReviewPolicy(policies, asset))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('no applicable policy ranks above the chosen one by the stated order', () => {
    const rank = (candidate: ReviewPolicyCriteria, asset: ReviewPolicyAssetFacts) => {
      if (!criteriaHold(candidate, asset)) return 0
      if (candidate.collectionId !== null) return 3
      if (candidate.folderPrefix !== null) return 2
      return 1
    }
    fc.assert(
      fc.property(policiesArb, assetArb, (policies, asset) => {
        const chosen = chooseReviewPolicy(policies, asset)
        if (chosen === null) return
        for (const candidate of policies) expect(rank(candidate, asset)).toBeLessThanOrEqual(rank(chosen, asset))
      }),
      { numRuns: 500 },
    )
  })
})

describe('policy summaries', () => {
  it('reads a policy the way the list shows it', async () => {
    const { describeStages, describeAppliesTo } = await import('~/components/review-policies/policy-summary')
    expect(
      describeStages([
        { name: 'Brand', quorum: { kind: 'any' }, dueHours: 48, possibleReviewerCount: 2 },
        { name: 'Legal', quorum: { kind: 'all' }, dueHours: 24, possibleReviewerCount: 3 },
      ]),
    ).toBe('Brand (any of 2, 48 h) → Legal (all, 24 h)')
    expect(
      describeStages([
        { name: 'Panel', quorum: { kind: 'count', count: 2 }, dueHours: 72, possibleReviewerCount: 5 },
        { name: 'Capped', quorum: { kind: 'count', count: 9 }, dueHours: 1, possibleReviewerCount: 3 },
        { name: 'Empty', quorum: { kind: 'any' }, dueHours: 8, possibleReviewerCount: 0 },
      ]),
    ).toBe('Panel (2 of 5, 72 h) → Capped (all, 1 h) → Empty (nobody can review, 8 h)')
    expect(describeAppliesTo({ isDefault: false, assetKind: 'image', folderPrefix: '/campaigns', collection: { name: 'Press kit' } })).toEqual([
      { label: 'Collection', value: 'Press kit' },
      { label: 'Folder', value: '/campaigns' },
      { label: 'Kind', value: 'Images' },
    ])
  })
})
