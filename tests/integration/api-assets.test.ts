/**
 * The JSON API's asset reads against the test stack's PostgreSQL and Typesense: a
 * partner gets only approved, in-rights assets shared with them (by search and by
 * id), an expired grant hides an asset at once, staff see everything, and the routes
 * answer JSON (401 for nobody, 404 for hidden and missing alike), never cached.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { ensureSearchCollections, reindexAsset } = await import('~/search.server')
const { listApiAssets, getApiAsset } = await import('~/api/assets.server')
const { parseBrowseQuery } = await import('~/portal/browse.server')
const { AppError } = await import('~/errors.server')

type Viewer = import('~/domain/asset-access').Viewer

const db = getDb()

/** A random lowercase word, so searches in the shared index only match this file's assets. */
function word(length = 10): string {
  const letters = 'bcdfghjklmnpqrstvwxz'
  return Array.from(randomBytes(length), (byte) => letters[byte % letters.length]).join('')
}

const run = word()
let partner: Viewer
let partnerEmail: string
let staff: Viewer
let brandId: string
let librarianId: string
let otherOrgId: string
const assetIds: string[] = []
const ids = {} as Record<'open' | 'unapproved' | 'otherOrgOnly' | 'ownOrgOnly' | 'licensedForUs' | 'licensedForOthers' | 'archived' | 'expiring', string>

async function makeAsset(
  label: string,
  options: { approved?: boolean; sharedWith?: string[]; archived?: boolean } = {},
): Promise<string> {
  const asset = await db.asset.create({
    data: {
      title: `${label} ${run}`,
      description: `API fixture ${label}`,
      kind: 'image',
      tags: [run, label.toLowerCase()],
      ownerOrganisationId: brandId,
      createdById: librarianId,
      status: options.archived ? 'archived' : 'active',
      sharedWithAllPartners: options.sharedWith === undefined,
      ...(options.sharedWith ? { shares: { create: options.sharedWith.map((organisationId) => ({ organisationId })) } } : {}),
    },
  })
  assetIds.push(asset.id)
  const version = await db.assetVersion.create({
    data: {
      assetId: asset.id,
      number: 1,
      storageKey: `originals/${asset.id}/fixture`,
      sha256: randomBytes(32).toString('hex'),
      bytes: BigInt(1234),
      mediaType: 'image/png',
      originalFilename: `${label}.png`,
      width: 640,
      height: 480,
      status: options.approved === false ? 'in_review' : 'approved',
      uploadedById: librarianId,
    },
  })
  await db.rendition.create({
    data: { versionId: version.id, preset: 'thumbnail', storageKey: `renditions/${version.id}/thumbnail.webp`, mediaType: 'image/webp', bytes: 10, width: 32, height: 24 },
  })
  if (options.approved !== false) await db.asset.update({ where: { id: asset.id }, data: { currentVersionId: version.id } })
  return asset.id
}

async function listIds(viewer: Viewer, at = new Date()): Promise<string[]> {
  const list = await listApiAssets({ db, viewer, query: parseBrowseQuery(new URL(`http://x/api/v1/assets?q=${run}`)), at })
  return list.assets.map((asset) => asset.id)
}

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof AppError && error.code === 'NOT_FOUND')
}

beforeAll(async () => {
  await ensureSearchCollections()
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-api-${run}`, kind: 'brand' } })
  const ours = await db.organisation.create({ data: { name: `Agency ${run}`, slug: `agency-api-${run}`, kind: 'partner' } })
  const other = await db.organisation.create({ data: { name: `Other ${run}`, slug: `other-api-${run}`, kind: 'partner' } })
  brandId = brand.id
  otherOrgId = other.id
  const librarian = await db.user.create({
    data: {
      email: `librarian-api-${run}@example.test`,
      name: 'Lena Librarian',
      passwordHash: 'not-used',
      memberships: { create: { organisationId: brand.id, roles: ['librarian'] } },
    },
  })
  librarianId = librarian.id
  partnerEmail = `partner-api-${run}@example.test`
  const partnerUser = await db.user.create({
    data: { email: partnerEmail, name: 'Pat Partner', passwordHash: 'not-used', memberships: { create: { organisationId: ours.id, roles: ['partner'] } } },
  })
  partner = { userId: partnerUser.id, roles: ['partner'], organisationId: ours.id }
  staff = { userId: librarian.id, roles: ['librarian'], organisationId: brand.id }

  ids.open = await makeAsset('Open')
  ids.unapproved = await makeAsset('Unapproved', { approved: false })
  ids.otherOrgOnly = await makeAsset('Theirs', { sharedWith: [other.id] })
  ids.ownOrgOnly = await makeAsset('Ours', { sharedWith: [ours.id] })
  ids.licensedForUs = await makeAsset('Licensed for us')
  ids.licensedForOthers = await makeAsset('Licensed for others')
  ids.archived = await makeAsset('Archived', { archived: true })
  ids.expiring = await makeAsset('Expiring')
  await db.rightsGrant.createMany({
    data: [
      { assetId: ids.licensedForUs, licenceType: 'rights_managed', licensor: 'Studio', organisationIds: [ours.id], createdById: librarianId },
      { assetId: ids.licensedForOthers, licenceType: 'rights_managed', licensor: 'Studio', organisationIds: [other.id], createdById: librarianId },
    ],
  })
  for (const id of assetIds) await reindexAsset(db, id)
})

afterAll(async () => {
  for (const id of assetIds) {
    await db.asset.update({ where: { id }, data: { currentVersionId: null } })
    await db.asset.delete({ where: { id } })
    await reindexAsset(db, id)
  }
})

describe('listing and reading assets', () => {
  it('gives a partner only approved, active, in-rights assets shared with them', async () => {
    const listed = await listIds(partner)
    expect(new Set(listed)).toEqual(new Set([ids.open, ids.ownOrgOnly, ids.licensedForUs, ids.expiring]))
    for (const hidden of [ids.unapproved, ids.otherOrgOnly, ids.licensedForOthers, ids.archived]) {
      await expectNotFound(getApiAsset({ db, viewer: partner, assetId: hidden }))
    }
    await expectNotFound(getApiAsset({ db, viewer: partner, assetId: `missing-${run}` }))
  })

  it('describes an asset with its current version, rights headline and links', async () => {
    const list = await listApiAssets({ db, viewer: partner, query: parseBrowseQuery(new URL(`http://x/api/v1/assets?q=${run}`)) })
    const item = list.assets.find((asset) => asset.id === ids.licensedForUs)
    const version = await db.asset.findUniqueOrThrow({ where: { id: ids.licensedForUs }, select: { currentVersionId: true } })
    expect(item).toEqual({
      id: ids.licensedForUs,
      title: `Licensed for us ${run}`,
      description: 'API fixture Licensed for us',
      kind: 'image',
      tags: [run, 'licensed for us'],
      currentVersion: { id: version.currentVersionId, number: 1, mediaType: 'image/png', width: 640, height: 480 },
      rights: { headline: 'Licensed for use on any channel worldwide' },
      links: {
        self: `/api/v1/assets/${ids.licensedForUs}`,
        page: `/portal/assets/${ids.licensedForUs}`,
        library: null,
        thumbnail: `/assets/${ids.licensedForUs}/versions/${version.currentVersionId}/renditions/thumbnail`,
        preview: null,
        download: `/assets/${ids.licensedForUs}/download`,
      },
    })
    expect(list.page).toBe(1)
    expect(list.found).toBe(4)
    expect(list.links).toEqual({ self: `/api/v1/assets?q=${run}`, next: null, prev: null })

    const one = await getApiAsset({ db, viewer: partner, assetId: ids.licensedForUs })
    expect(one.rights.licences).toEqual([expect.objectContaining({ title: 'Rights-managed licence from Studio' })])
    // Another organisation's licence is never described to a partner.
    expect(JSON.stringify(await getApiAsset({ db, viewer: partner, assetId: ids.open }))).not.toContain(otherOrgId)
  })

  it('gives staff every asset, approved or not, with the staff headline', async () => {
    expect(new Set(await listIds(staff))).toEqual(new Set(assetIds))
    const unapproved = await getApiAsset({ db, viewer: staff, assetId: ids.unapproved })
    expect(unapproved.currentVersion).toBeNull()
    expect(unapproved.links).toMatchObject({ thumbnail: null, download: null, library: `/library/assets/${ids.unapproved}` })
    const forOthers = await getApiAsset({ db, viewer: staff, assetId: ids.licensedForOthers })
    expect(forOthers.rights.headline).toBe('The licence is in force')
  })

  it('drops an asset from the list and 404s it by id the moment its grant has expired', async () => {
    const expiresAt = new Date(Date.now() + 1_500)
    await db.rightsGrant.create({ data: { assetId: ids.expiring, licenceType: 'royalty_free', expiresAt, createdById: librarianId } })
    await reindexAsset(db, ids.expiring)
    expect(await listIds(partner)).toContain(ids.expiring)
    await expect(getApiAsset({ db, viewer: partner, assetId: ids.expiring })).resolves.toMatchObject({ id: ids.expiring })

    // A second after expiry, with no reindex and no worker.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() + 1_000 - Date.now())))
    expect(await listIds(partner)).not.toContain(ids.expiring)
    await expectNotFound(getApiAsset({ db, viewer: partner, assetId: ids.expiring }))
    // Staff still see it.
    expect(await listIds(staff)).toContain(ids.expiring)
  })
})

describe('through the routes', () => {
  let cookie: string

  beforeAll(async () => {
    const { hashPassword, signIn } = await import('~/auth.server')
    const password = `pw-${word(12)}`
    await db.user.update({ where: { id: partner.userId }, data: { passwordHash: await hashPassword(password) } })
    const result = await signIn({ email: partnerEmail, password, ipAddress: '198.51.100.30', userAgent: 'vitest' })
    if (!result.ok) throw new Error(`sign-in failed: ${result.message}`)
    cookie = result.setCookie.split(';')[0] ?? ''
  })

  function get(path: string, headers: Record<string, string> = {}): Request {
    return new Request(`http://localhost${path}`, { headers })
  }

  async function json(response: Response): Promise<unknown> {
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    return response.json()
  }

  it('answers anonymous calls with 401 JSON, whatever they accept, never a redirect', async () => {
    const list = await import('~/routes/api.v1.assets._index')
    const one = await import('~/routes/api.v1.assets.$assetId')
    for (const accept of ['application/json', 'text/html', '*/*']) {
      const response = await list.loader({ request: get('/api/v1/assets', { accept }), params: {}, context: {} })
      expect(response.status).toBe(401)
      expect(await json(response)).toEqual({ error: 'Sign in to continue' })
    }
    const response = await one.loader({ request: get(`/api/v1/assets/${ids.open}`), params: { assetId: ids.open }, context: {} })
    expect(response.status).toBe(401)
    expect(await json(response)).toEqual({ error: 'Sign in to continue' })
  })

  it('lists and reads for the signed-in partner, 404 JSON for hidden and missing alike', async () => {
    const list = await import('~/routes/api.v1.assets._index')
    const one = await import('~/routes/api.v1.assets.$assetId')
    const listed = await list.loader({ request: get(`/api/v1/assets?q=${run}`, { cookie }), params: {}, context: {} })
    expect(listed.status).toBe(200)
    const body = (await json(listed)) as { assets: { id: string }[] }
    expect(body.assets.map((asset) => asset.id)).toContain(ids.open)
    expect(body.assets.map((asset) => asset.id)).not.toContain(ids.unapproved)

    const shown = await one.loader({ request: get(`/api/v1/assets/${ids.open}`, { cookie }), params: { assetId: ids.open }, context: {} })
    expect(shown.status).toBe(200)
    expect(await json(shown)).toMatchObject({ id: ids.open, title: `Open ${run}` })

    for (const assetId of [ids.unapproved, ids.otherOrgOnly, `missing-${run}`, 'not/an id']) {
      const hidden = await one.loader({ request: get(`/api/v1/assets/${encodeURIComponent(assetId)}`, { cookie }), params: { assetId }, context: {} })
      expect(hidden.status).toBe(404)
      expect(await json(hidden)).toEqual({ error: 'Asset not found' })
    }
  })
})
