/**
 * Declared use against the real test database (and S3 for the one full download):
 * a partner's use outside the grants is refused with the readable reason and leaves
 * no ledger row; a covered use is recorded with its fields and remembered; brand
 * staff are recorded but never refused; another organisation's partner is refused by
 * the rights, and by the access rule (404, not 403) on the download path itself.
 * Organisations, users and assets are this file's own; other tests share the database.
 */
import { createHash, randomBytes } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage, storageKeys } = await import('~/storage.server')
const { endExifTool } = await import('~/media/exiftool.server')
const { AppError } = await import('~/errors.server')
const declared = await import('~/rights/declared-use.server')
const { declareUsePath, downloadForDeclaredUse } = await import('~/portal/declared-download.server')

type Viewer = import('~/domain/asset-access').Viewer

const db = getDb()
const storage = getStorage()
const run = randomBytes(4).toString('hex')
const HOUR = 3_600_000

let acme: Viewer
let bolt: Viewer
let legal: Viewer
let brandId: string
/** Web and social in GB and DE, for Acme only. */
let restrictedAssetId: string
let restrictedVersionId: string
/** Any use, for Acme only: visible to Acme in the portal, hidden from Bolt. */
let openAssetId: string
let openVersionId: string
let otherAssetVersionId: string
const assetIds: string[] = []
const storedKeys: string[] = []

async function expectAppError(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error, `expected ${code}`).toBeInstanceOf(AppError)
  expect((error as InstanceType<typeof AppError>).code).toBe(code)
  if (message !== undefined) expect((error as InstanceType<typeof AppError>).message).toMatch(message)
}

async function person(organisationId: string, role: 'partner' | 'legal', organisationKind: string): Promise<Viewer> {
  const user = await db.user.create({
    data: {
      email: `${role}-${organisationKind}-${run}@example.test`,
      name: `${role} ${organisationKind} ${run}`,
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId, roles: [role] } },
    },
  })
  return { userId: user.id, roles: [role], organisationId }
}

/** An approved asset whose current version's original is a real PNG in S3. */
async function approvedAsset(title: string): Promise<{ assetId: string; versionId: string }> {
  const png = await sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 90, g: 40, b: 130 } } })
    .png()
    .toBuffer()
  const asset = await db.asset.create({
    data: { title: `${title} ${run}`, kind: 'image', ownerOrganisationId: brandId, createdById: legal.userId, sharedWithAllPartners: true },
  })
  assetIds.push(asset.id)
  const version = await db.assetVersion.create({
    data: {
      assetId: asset.id,
      number: 1,
      storageKey: 'pending',
      sha256: createHash('sha256').update(png).digest('hex'),
      bytes: BigInt(png.length),
      mediaType: 'image/png',
      originalFilename: 'poster.png',
      width: 48,
      height: 32,
      status: 'approved',
      uploadedById: legal.userId,
      promotedAt: new Date(),
    },
  })
  const key = storageKeys.original(asset.id, version.id)
  await storage.putBuffer(key, png, 'image/png')
  storedKeys.push(key)
  await db.assetVersion.update({ where: { id: version.id }, data: { storageKey: key } })
  await db.asset.update({ where: { id: asset.id }, data: { currentVersionId: version.id } })
  return { assetId: asset.id, versionId: version.id }
}

async function grant(assetId: string, terms: { channels?: string[]; territories?: string[]; organisationIds?: string[] }) {
  await db.rightsGrant.create({
    data: {
      assetId,
      licenceType: 'rights_managed',
      licensor: 'Studio North',
      channels: terms.channels ?? [],
      territories: terms.territories ?? [],
      organisationIds: terms.organisationIds ?? [],
      startsAt: new Date(Date.now() - 24 * HOUR),
      expiresAt: new Date(Date.now() + 30 * 24 * HOUR),
      timeZone: 'Europe/Berlin',
      createdById: legal.userId,
    },
  })
}

beforeAll(async () => {
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-use-${run}`, kind: 'brand' } })
  brandId = brand.id
  const acmeOrg = await db.organisation.create({ data: { name: `Acme ${run}`, slug: `acme-use-${run}`, kind: 'partner' } })
  const boltOrg = await db.organisation.create({ data: { name: `Bolt ${run}`, slug: `bolt-use-${run}`, kind: 'partner' } })
  legal = await person(brand.id, 'legal', 'brand')
  acme = await person(acmeOrg.id, 'partner', 'acme')
  bolt = await person(boltOrg.id, 'partner', 'bolt')

  ;({ assetId: restrictedAssetId, versionId: restrictedVersionId } = await approvedAsset('Harbour at dusk'))
  await grant(restrictedAssetId, { channels: ['web', 'social'], territories: ['GB', 'DE'], organisationIds: [acme.organisationId] })

  ;({ assetId: openAssetId, versionId: openVersionId } = await approvedAsset('Market morning'))
  await grant(openAssetId, { organisationIds: [acme.organisationId] })

  otherAssetVersionId = (await approvedAsset('Unrelated')).versionId
})

afterAll(async () => {
  for (const key of storedKeys) await storage.delete(key).catch(() => undefined)
  await db.asset.updateMany({ where: { id: { in: assetIds } }, data: { currentVersionId: null } })
  await db.asset.deleteMany({ where: { id: { in: assetIds } } })
  await endExifTool()
})

function ledgerRows(assetId: string) {
  return db.downloadRecord.findMany({ where: { assetId }, orderBy: { createdAt: 'asc' } })
}

describe('a partner declaring a use the grants do not cover', () => {
  it('is refused with the readable reason, for a channel and for a territory', async () => {
    const base = { db, viewer: acme, assetId: restrictedAssetId, versionId: restrictedVersionId }
    await expectAppError(declared.authoriseDeclaredUse({ ...base, channel: 'print', territory: 'GB' }), 'FORBIDDEN', 'Not licensed for print')
    await expectAppError(declared.authoriseDeclaredUse({ ...base, channel: 'out_of_home', territory: 'DE' }), 'FORBIDDEN', 'Not licensed for out of home')
    await expectAppError(declared.authoriseDeclaredUse({ ...base, channel: 'web', territory: 'jp' }), 'FORBIDDEN', 'Not licensed in Japan')
    await expectAppError(declared.authoriseDeclaredUse({ ...base, channel: 'web', territory: 'WW' }), 'FORBIDDEN', 'Not licensed worldwide')
  })

  it('is refused inside the download transaction too, and nothing is written', async () => {
    const before = await db.downloadRecord.count({ where: { assetId: restrictedAssetId } })
    await expectAppError(
      db.$transaction((tx) =>
        declared.checkAndRecordDeclaredUse(tx, {
          viewer: acme,
          assetId: restrictedAssetId,
          versionId: restrictedVersionId,
          use: { channel: 'print', territory: 'DE' },
        }),
      ),
      'FORBIDDEN',
      'Not licensed for print',
    )
    expect(await db.downloadRecord.count({ where: { assetId: restrictedAssetId } })).toBe(before)
    expect(await declared.declaredUseDefaults(db, acme.userId)).toBeNull()
  })

  it('cannot name a channel that does not exist, a territory that is not a code, or another asset’s version', async () => {
    const base = { db, viewer: acme, assetId: restrictedAssetId, versionId: restrictedVersionId }
    await expectAppError(declared.authoriseDeclaredUse({ ...base, channel: `billboard-${run}`, territory: 'GB' }), 'BAD_REQUEST')
    await expectAppError(declared.authoriseDeclaredUse({ ...base, channel: 'web', territory: 'XX' }), 'BAD_REQUEST')
    await expectAppError(declared.authoriseDeclaredUse({ ...base, versionId: otherAssetVersionId, channel: 'web', territory: 'GB' }), 'NOT_FOUND')
  })
})

describe('a partner declaring a covered use', () => {
  it('is recorded in the ledger with the declared use and remembered as the default', async () => {
    const at = new Date()
    await expect(
      declared.authoriseDeclaredUse({ db, viewer: acme, assetId: restrictedAssetId, versionId: restrictedVersionId, channel: 'social', territory: 'de', at }),
    ).resolves.toMatchObject({ allowed: true, covered: true })
    const result = await db.$transaction((tx) =>
      declared.checkAndRecordDeclaredUse(tx, {
        viewer: acme,
        assetId: restrictedAssetId,
        versionId: restrictedVersionId,
        use: { channel: 'social', territory: 'de' },
        ipAddress: '203.0.113.7',
        at,
      }),
    )
    expect(result.covered).toBe(true)
    const rows = await ledgerRows(restrictedAssetId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      id: result.downloadRecordId,
      assetId: restrictedAssetId,
      versionId: restrictedVersionId,
      userId: acme.userId,
      organisationId: acme.organisationId,
      channel: 'social',
      territory: 'DE',
      deliverable: 'original',
      ipAddress: '203.0.113.7',
      createdAt: at,
    })
    expect(await declared.declaredUseDefaults(db, acme.userId)).toEqual({ channel: 'social', territory: 'DE' })

    // The next declared use replaces the default.
    await db.$transaction((tx) =>
      declared.checkAndRecordDeclaredUse(tx, { viewer: acme, assetId: restrictedAssetId, versionId: restrictedVersionId, use: { channel: 'web', territory: 'GB' } }),
    )
    expect(await declared.declaredUseDefaults(db, acme.userId)).toEqual({ channel: 'web', territory: 'GB' })
    expect(await ledgerRows(restrictedAssetId)).toHaveLength(2)
  })
})

describe('brand staff', () => {
  it('declare a use outside the grants and are recorded, not refused (organisation left empty)', async () => {
    const decision = await declared.authoriseDeclaredUse({
      db,
      viewer: legal,
      assetId: restrictedAssetId,
      versionId: restrictedVersionId,
      channel: 'print',
      territory: 'JP',
    })
    expect(decision).toMatchObject({ allowed: true, covered: false, reason: 'Not licensed for print' })
    const result = await db.$transaction((tx) =>
      declared.checkAndRecordDeclaredUse(tx, { viewer: legal, assetId: restrictedAssetId, versionId: restrictedVersionId, use: { channel: 'print', territory: 'JP' } }),
    )
    expect(result.covered).toBe(false)
    const row = await db.downloadRecord.findUniqueOrThrow({ where: { id: result.downloadRecordId } })
    expect(row).toMatchObject({ userId: legal.userId, organisationId: null, channel: 'print', territory: 'JP' })
    expect(await declared.declaredUseDefaults(db, legal.userId)).toEqual({ channel: 'print', territory: 'JP' })
  })

  it('downloading without declaring is recorded as internal use worldwide, and not remembered', async () => {
    const result = await db.$transaction((tx) =>
      declared.checkAndRecordDeclaredUse(tx, {
        viewer: legal,
        assetId: restrictedAssetId,
        versionId: restrictedVersionId,
        use: declared.STAFF_UNDECLARED_USE,
        remember: false,
      }),
    )
    const row = await db.downloadRecord.findUniqueOrThrow({ where: { id: result.downloadRecordId } })
    expect(row).toMatchObject({ channel: 'internal', territory: 'WW', organisationId: null })
    expect(await declared.declaredUseDefaults(db, legal.userId)).toEqual({ channel: 'print', territory: 'JP' })
  })
})

describe('a partner of another organisation, when the grant names organisations', () => {
  it('is refused by the rights with the reason', async () => {
    await expectAppError(
      declared.authoriseDeclaredUse({ db, viewer: bolt, assetId: restrictedAssetId, versionId: restrictedVersionId, channel: 'web', territory: 'GB' }),
      'FORBIDDEN',
      'Not licensed for your organisation',
    )
  })

  it('gets NOT_FOUND on the download path (the access rule hides the asset), and no row', async () => {
    const before = await db.downloadRecord.count({ where: { assetId: openAssetId } })
    await expectAppError(
      downloadForDeclaredUse({
        db,
        storage,
        viewer: bolt,
        assetId: openAssetId,
        versionId: null,
        use: { channel: 'web', territory: 'GB' },
        ipAddress: null,
        expiresInSeconds: 30,
      }),
      'NOT_FOUND',
    )
    await expectAppError(declareUsePath({ db, viewer: bolt, assetId: openAssetId, versionId: null }), 'NOT_FOUND')
    expect(await db.downloadRecord.count({ where: { assetId: openAssetId } })).toBe(before)
  })
})

describe('the whole download for a declared use', () => {
  it('hands out a presigned URL of the current version and writes the ledger row', async () => {
    expect(await declareUsePath({ db, viewer: acme, assetId: openAssetId, versionId: null })).toBe(`/portal/assets/${openAssetId}#download`)
    const download = await downloadForDeclaredUse({
      db,
      storage,
      viewer: acme,
      assetId: openAssetId,
      versionId: null,
      use: { channel: 'print', territory: 'FR' },
      ipAddress: '198.51.100.4',
      expiresInSeconds: 30,
    })
    storedKeys.push(download.key)
    expect(download.versionId).toBe(openVersionId)
    const file = await fetch(download.url)
    expect(file.status).toBe(200)
    const rows = await ledgerRows(openAssetId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ userId: acme.userId, organisationId: acme.organisationId, versionId: openVersionId, channel: 'print', territory: 'FR', ipAddress: '198.51.100.4' })
    expect(await declared.declaredUseDefaults(db, acme.userId)).toEqual({ channel: 'print', territory: 'FR' })
  })

  it('refuses a partner without a declared use', async () => {
    await expectAppError(
      downloadForDeclaredUse({ db, storage, viewer: acme, assetId: openAssetId, versionId: null, use: null, ipAddress: null, expiresInSeconds: 30 }),
      'BAD_REQUEST',
    )
  })
})

describe('through the routes, signed in with real sessions', () => {
  const cookies = new Map<string, string>()

  beforeAll(async () => {
    const { hashPassword, signIn } = await import('~/auth.server')
    for (const viewer of [acme, bolt, legal]) {
      const password = `pw-${randomBytes(8).toString('hex')}`
      const user = await db.user.update({ where: { id: viewer.userId }, data: { passwordHash: await hashPassword(password) } })
      const result = await signIn({ email: user.email, password, ipAddress: '198.51.100.4', userAgent: 'vitest' })
      if (!result.ok) throw new Error(`sign-in failed: ${result.message}`)
      cookies.set(viewer.userId, result.setCookie.split(';')[0] ?? '')
    }
  })

  function request(viewer: Viewer, path: string, form?: Record<string, string>): Request {
    const headers = { cookie: cookies.get(viewer.userId)!, 'x-forwarded-for': '203.0.113.9' }
    if (!form) return new Request(`http://localhost${path}`, { headers })
    return new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { ...headers, origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    })
  }

  /** A loader/action's Response, thrown or returned. */
  async function responseOf(call: Promise<unknown>): Promise<Response> {
    try {
      const result = await call
      if (result instanceof Response) return result
      throw new Error(`expected a Response, got ${JSON.stringify(result).slice(0, 200)}`)
    } catch (thrown) {
      if (thrown instanceof Response) return thrown
      throw thrown
    }
  }

  it('sends a partner’s plain download link to the asset page to declare a use, and 404s a hidden asset', async () => {
    const { loader } = await import('~/routes/assets.$assetId.download')
    const before = await db.downloadRecord.count({ where: { assetId: openAssetId } })
    const response = await responseOf(loader({ request: request(acme, `/assets/${openAssetId}/download`), params: { assetId: openAssetId }, context: {} }))
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`/portal/assets/${openAssetId}#download`)
    expect(await db.downloadRecord.count({ where: { assetId: openAssetId } })).toBe(before)
    // Licensed to Acme only: the access rule hides it from Bolt, so no form and no hint that it exists.
    const hidden = await responseOf(loader({ request: request(bolt, `/assets/${restrictedAssetId}/download`), params: { assetId: restrictedAssetId }, context: {} }))
    expect(hidden.status).toBe(404)
  })

  it('delivers a partner’s posted declared use and records it with the client address', async () => {
    const { action } = await import('~/routes/assets.$assetId.download')
    const response = await responseOf(
      action({ request: request(acme, `/assets/${openAssetId}/download`, { channel: 'social', territory: 'it' }), params: { assetId: openAssetId }, context: {} }),
    )
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('location') ?? '')
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(60)
    const row = await db.downloadRecord.findFirstOrThrow({ where: { assetId: openAssetId, userId: acme.userId }, orderBy: { createdAt: 'desc' } })
    expect(row).toMatchObject({ channel: 'social', territory: 'IT', organisationId: acme.organisationId, ipAddress: '203.0.113.9' })

    const refused = await responseOf(
      action({ request: request(acme, `/assets/${openAssetId}/download`, { channel: 'web', territory: 'XX' }), params: { assetId: openAssetId }, context: {} }),
    )
    expect(refused.status).toBe(400)
  })

  it('keeps a staff GET working, recorded as internal use worldwide', async () => {
    const { loader } = await import('~/routes/assets.$assetId.download')
    const response = await responseOf(loader({ request: request(legal, `/assets/${openAssetId}/download`), params: { assetId: openAssetId }, context: {} }))
    expect(response.status).toBe(302)
    const row = await db.downloadRecord.findFirstOrThrow({ where: { assetId: openAssetId, userId: legal.userId }, orderBy: { createdAt: 'desc' } })
    expect(row).toMatchObject({ channel: 'internal', territory: 'WW', organisationId: null })
  })

  it('the portal page’s form: fields missing answer 400 with the field named, a good use redirects to the file', async () => {
    const page = await import('~/routes/portal.assets.$assetId')
    const missing = await page.action({
      request: request(acme, `/portal/assets/${openAssetId}`, { intent: 'download', channel: '', territory: 'DE' }),
      params: { assetId: openAssetId },
      context: {},
    })
    expect(missing).toMatchObject({ init: { status: 400 }, data: { fieldErrors: { channel: 'Choose a channel.' }, use: { channel: '', territory: 'DE' } } })

    const delivered = await responseOf(
      page.action({
        request: request(acme, `/portal/assets/${openAssetId}`, { intent: 'download', channel: 'email', territory: 'DE' }),
        params: { assetId: openAssetId },
        context: {},
      }),
    )
    expect(delivered.status).toBe(303)
    expect(await declared.declaredUseDefaults(db, acme.userId)).toEqual({ channel: 'email', territory: 'DE' })

    // The page preselects that use next time.
    const loaded = (await page.loader({ request: request(acme, `/portal/assets/${openAssetId}`), params: { assetId: openAssetId }, context: {} })) as unknown as {
      data: { downloadForm: { selected: { channel: string; territory: string } }; partnerAccess: unknown }
    }
    expect(loaded.data.downloadForm.selected).toEqual({ channel: 'email', territory: 'DE' })
    expect(loaded.data.partnerAccess).toBeNull()
  })

  it('shows staff why partner organisations cannot see the asset', async () => {
    // Shared with two named organisations (the shared database holds many partner organisations).
    const { assetId } = await approvedAsset('Shared with two')
    await db.asset.update({
      where: { id: assetId },
      data: { sharedWithAllPartners: false, shares: { create: [{ organisationId: acme.organisationId }, { organisationId: bolt.organisationId }] } },
    })
    await grant(assetId, { organisationIds: [acme.organisationId] })
    const page = await import('~/routes/portal.assets.$assetId')
    const loaded = (await page.loader({ request: request(legal, `/portal/assets/${assetId}`), params: { assetId }, context: {} })) as unknown as {
      data: { partnerAccess: { groups: { reason: string | null; organisations: string[] }[]; notShown: number; sharedWithAllPartners: boolean } }
    }
    expect(loaded.data.partnerAccess).toEqual({
      groups: [
        { reason: 'Not licensed for their organisation', organisations: [`Bolt ${run}`] },
        { reason: null, organisations: [`Acme ${run}`] },
      ],
      notShown: 0,
      sharedWithAllPartners: false,
    })
  })
})
