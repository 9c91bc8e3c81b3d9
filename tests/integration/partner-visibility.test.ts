/**
 * A partner can never reach an unapproved, superseded or expired asset by any read
 * path: direct access, search, renditions, downloads. Runs against the real
 * services (PostgreSQL, Typesense, S3).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage, storageKeys } = await import('~/storage.server')
const { ensureSearchCollections, reindexAsset, searchAssetIds } = await import('~/search.server')
const { filterVisibleAssetIds, requireAssetAccess } = await import('~/assets/access.server')
const { findRendition, openRendition } = await import('~/assets/renditions.server')
const { prepareDownload } = await import('~/assets/download.server')
const { browseAssets, getPortalAsset, parseBrowseQuery } = await import('~/portal/browse.server')
const { AppError } = await import('~/errors.server')
const sharp = (await import('sharp')).default

type Viewer = import('~/domain/asset-access').Viewer

const db = getDb()
const storage = getStorage()

/** A random lowercase word, so searches in the shared index only match this run's assets. */
function word(length = 9): string {
  const letters = 'bcdfghjklmnpqrstvwxz'
  return Array.from(randomBytes(length), (byte) => letters[byte % letters.length]).join('')
}

/** The word with one letter replaced (a one-letter typo), keeping the first letter. */
function typo(source: string): string {
  const index = Math.floor(source.length / 2)
  const replacement = source[index] === 'a' ? 'e' : 'a'
  return source.slice(0, index) + replacement + source.slice(index + 1)
}

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof AppError && error.code === 'NOT_FOUND')
}

const run = word(6)
const secretWord = word()
const approvedWord = word()
const expiringWord = word()

let partner: Viewer
let staff: Viewer
let brandOrgId: string
let librarianId: string
const created: string[] = []

type MadeVersion = { id: string; original: Buffer; thumbnail: Buffer }

async function makeImage(colour: { r: number; g: number; b: number }, width: number, height: number, format: 'webp' | 'png') {
  const image = sharp({ create: { width, height, channels: 3, background: colour } })
  return format === 'webp' ? image.webp().toBuffer() : image.png().toBuffer()
}

async function makeVersion(assetId: string, number: number, status: 'in_review' | 'approved' | 'superseded'): Promise<MadeVersion> {
  const original = await makeImage({ r: 40 * number, g: 120, b: 200 }, 64, 48, 'png')
  const thumbnail = await makeImage({ r: 40 * number, g: 120, b: 200 }, 32, 24, 'webp')
  const version = await db.assetVersion.create({
    data: {
      assetId,
      number,
      storageKey: 'pending',
      sha256: randomBytes(32).toString('hex'),
      bytes: BigInt(original.length),
      mediaType: 'image/png',
      originalFilename: `IMG_${number}.PNG`,
      width: 64,
      height: 48,
      status,
      uploadedById: librarianId,
    },
  })
  const originalKey = storageKeys.original(assetId, version.id)
  await storage.putBuffer(originalKey, original, 'image/png')
  await db.assetVersion.update({ where: { id: version.id }, data: { storageKey: originalKey } })
  for (const preset of ['thumbnail', 'preview'] as const) {
    const key = storageKeys.rendition(version.id, preset, 'webp')
    await storage.putBuffer(key, thumbnail, 'image/webp')
    await db.rendition.create({
      data: { versionId: version.id, preset, storageKey: key, mediaType: 'image/webp', bytes: thumbnail.length, width: 32, height: 24 },
    })
  }
  // The web rendition is a JPEG, as the web preset makes it.
  const web = await sharp(thumbnail).jpeg().toBuffer()
  const webKey = storageKeys.rendition(version.id, 'web', 'jpg')
  await storage.putBuffer(webKey, web, 'image/jpeg')
  await db.rendition.create({
    data: { versionId: version.id, preset: 'web', storageKey: webKey, mediaType: 'image/jpeg', bytes: web.length, width: 32, height: 24 },
  })
  return { id: version.id, original, thumbnail }
}

async function makeAsset(title: string): Promise<string> {
  const asset = await db.asset.create({
    data: {
      title,
      description: `Integration fixture ${run}`,
      kind: 'image',
      tags: ['fixture', run],
      ownerOrganisationId: brandOrgId,
      createdById: librarianId,
      sharedWithAllPartners: true,
    },
  })
  created.push(asset.id)
  return asset.id
}

let secretAssetId: string
let secretVersion: MadeVersion
let approvedAssetId: string
let supersededVersion: MadeVersion
let currentVersion: MadeVersion
let expiringAssetId: string
let expiringVersion: MadeVersion
let expiresAt: Date

beforeAll(async () => {
  await ensureSearchCollections()
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-${run}`, kind: 'brand' } })
  const partnerOrg = await db.organisation.create({ data: { name: `Agency ${run}`, slug: `agency-${run}`, kind: 'partner' } })
  brandOrgId = brand.id
  const librarian = await db.user.create({
    data: {
      email: `librarian-${run}@example.test`,
      name: 'Lena Librarian',
      passwordHash: 'not-used',
      memberships: { create: { organisationId: brand.id, roles: ['librarian'] } },
    },
  })
  librarianId = librarian.id
  const partnerUser = await db.user.create({
    data: {
      email: `partner-${run}@example.test`,
      name: 'Pat Partner',
      passwordHash: 'not-used',
      memberships: { create: { organisationId: partnerOrg.id, roles: ['partner'] } },
    },
  })
  partner = { userId: partnerUser.id, roles: ['partner'], organisationId: partnerOrg.id }
  staff = { userId: librarian.id, roles: ['librarian'], organisationId: brand.id }

  // Unapproved: its only version is in review, no current version.
  secretAssetId = await makeAsset(`Secret launch ${secretWord}`)
  secretVersion = await makeVersion(secretAssetId, 1, 'in_review')

  // Approved: v1 superseded by v2, the current one.
  approvedAssetId = await makeAsset(`Harbour sunrise ${approvedWord}`)
  supersededVersion = await makeVersion(approvedAssetId, 1, 'superseded')
  currentVersion = await makeVersion(approvedAssetId, 2, 'approved')
  await db.asset.update({ where: { id: approvedAssetId }, data: { currentVersionId: currentVersion.id } })

  // Approved; its licence (set in the test) runs out shortly.
  expiringAssetId = await makeAsset(`Festival poster ${expiringWord}`)
  expiringVersion = await makeVersion(expiringAssetId, 1, 'approved')
  await db.asset.update({ where: { id: expiringAssetId }, data: { currentVersionId: expiringVersion.id } })

  for (const id of created) await reindexAsset(db, id)
})

afterAll(async () => {
  // Assets go (and with them versions, renditions, grants); users and orgs stay, as the audit chain refers to them.
  for (const id of created) {
    const versions = await db.assetVersion.findMany({ where: { assetId: id }, include: { renditions: true } })
    for (const version of versions) {
      for (const rendition of version.renditions) await storage.delete(rendition.storageKey).catch(() => undefined)
      await storage.delete(version.storageKey).catch(() => undefined)
    }
    await db.asset.update({ where: { id }, data: { currentVersionId: null } })
    await db.asset.delete({ where: { id } })
    await reindexAsset(db, id)
  }
  // Downloads stamp rights with exiftool's perl processes: end them so the file's process can exit.
  await (await import('~/media/exiftool.server')).endExifTool()
})

async function visibleSearch(viewer: Viewer, query: string, at = new Date()): Promise<string[]> {
  const { ids } = await searchAssetIds(viewer, { query, perPage: 100 }, at)
  return filterVisibleAssetIds(db, viewer, ids, at)
}

describe('direct access', () => {
  it('hides the unapproved asset from the partner as NOT_FOUND and shows the approved one', async () => {
    await expectNotFound(requireAssetAccess(db, partner, secretAssetId))
    await expect(requireAssetAccess(db, partner, approvedAssetId)).resolves.toMatchObject({ id: approvedAssetId })
    // Staff see both.
    await expect(requireAssetAccess(db, staff, secretAssetId)).resolves.toMatchObject({ id: secretAssetId })
  })

  it('shows the partner only the current version on the asset page', async () => {
    const view = await getPortalAsset({ db, viewer: partner, assetId: approvedAssetId })
    expect(view.version.id).toBe(currentVersion.id)
    expect(view.isApproved).toBe(true)
    expect(view.downloadUrl).toBe(`/assets/${approvedAssetId}/download`)
    expect(view.libraryUrl).toBeNull()
    await expectNotFound(getPortalAsset({ db, viewer: partner, assetId: secretAssetId }))
  })
})

describe('search', () => {
  it('never returns the unapproved asset to the partner, even for its exact title', async () => {
    expect(await visibleSearch(partner, `Secret launch ${secretWord}`)).not.toContain(secretAssetId)
    expect(await visibleSearch(partner, secretWord)).toEqual([])
    // The index does hold it: staff find it.
    expect(await visibleSearch(staff, secretWord)).toContain(secretAssetId)
  })

  it('finds the approved asset with a one-letter typo', async () => {
    const misspelt = typo(approvedWord)
    expect(misspelt).not.toBe(approvedWord)
    expect(await visibleSearch(partner, misspelt)).toContain(approvedAssetId)
  })

  it('browses through the portal use case with the same guarantees', async () => {
    const result = await browseAssets({ db, viewer: partner, query: parseBrowseQuery(new URL(`http://x/portal?q=${run}`)) })
    const ids = result.assets.map((asset) => asset.id)
    expect(ids).toContain(approvedAssetId)
    expect(ids).not.toContain(secretAssetId)
    const card = result.assets.find((asset) => asset.id === approvedAssetId)
    expect(card?.versionId).toBe(currentVersion.id)
    expect(card?.thumbnailUrl).toBe(`/assets/${approvedAssetId}/versions/${currentVersion.id}/renditions/thumbnail`)
  })
})

describe('renditions', () => {
  it('streams the current version’s thumbnail to the partner', async () => {
    const opened = await openRendition({ db, storage, viewer: partner, assetId: approvedAssetId, versionId: currentVersion.id, preset: 'thumbnail' })
    expect(opened.contentType).toBe('image/webp')
    const chunks: Buffer[] = []
    for await (const chunk of opened.body) chunks.push(Buffer.from(chunk as Uint8Array))
    expect(Buffer.concat(chunks).equals(currentVersion.thumbnail)).toBe(true)
    expect(opened.etag).toMatch(/^".+"$/)
  })

  it('refuses the unapproved asset, the superseded version, a mismatched asset and unknown presets', async () => {
    await expectNotFound(findRendition({ db, viewer: partner, assetId: secretAssetId, versionId: secretVersion.id, preset: 'thumbnail' }))
    await expectNotFound(findRendition({ db, viewer: partner, assetId: approvedAssetId, versionId: supersededVersion.id, preset: 'preview' }))
    // A visible asset id with another asset's version id.
    await expectNotFound(findRendition({ db, viewer: partner, assetId: approvedAssetId, versionId: secretVersion.id, preset: 'thumbnail' }))
    await expectNotFound(findRendition({ db, viewer: staff, assetId: approvedAssetId, versionId: secretVersion.id, preset: 'thumbnail' }))
    await expectNotFound(findRendition({ db, viewer: partner, assetId: approvedAssetId, versionId: currentVersion.id, preset: 'original' }))
    // Staff may see the superseded one.
    await expect(
      findRendition({ db, viewer: staff, assetId: approvedAssetId, versionId: supersededVersion.id, preset: 'preview' }),
    ).resolves.toMatchObject({ contentType: 'image/webp' })
  })
})

describe('downloads', () => {
  it('refuses the unapproved asset and the superseded version, writing no audit row', async () => {
    const before = await db.auditEvent.count({ where: { action: 'asset.download', actorId: partner.userId } })
    await expectNotFound(prepareDownload({ db, storage, viewer: partner, assetId: secretAssetId, expiresInSeconds: 60 }))
    await expectNotFound(
      prepareDownload({ db, storage, viewer: partner, assetId: secretAssetId, versionId: secretVersion.id, expiresInSeconds: 60 }),
    )
    await expectNotFound(
      prepareDownload({ db, storage, viewer: partner, assetId: approvedAssetId, versionId: supersededVersion.id, expiresInSeconds: 60 }),
    )
    expect(await db.auditEvent.count({ where: { action: 'asset.download', actorId: partner.userId } })).toBe(before)
  })

  it('audits the download, then gives a presigned URL of at most 60 s that serves the original’s pixels with its rights embedded', async () => {
    const download = await prepareDownload({
      db,
      storage,
      viewer: partner,
      assetId: approvedAssetId,
      ipAddress: '203.0.113.7',
      expiresInSeconds: 600,
      use: { channel: 'web', territory: 'GB' },
    })
    expect(download.versionId).toBe(currentVersion.id)
    expect(download.filename).toBe(`Harbour sunrise ${approvedWord}.png`)

    const event = await db.auditEvent.findFirst({
      where: { action: 'asset.download', subjectId: approvedAssetId, actorId: partner.userId },
      orderBy: { seq: 'desc' },
    })
    expect(event).not.toBeNull()
    expect(event?.ipAddress).toBe('203.0.113.7')
    expect(event?.detail).toMatchObject({ versionId: currentVersion.id, versionNumber: 2 })

    const url = new URL(download.url)
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(60)
    expect(url.searchParams.get('response-content-disposition')).toContain('attachment')

    const response = await fetch(download.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toContain(`Harbour sunrise ${approvedWord}.png`)
    // A copy with the rights written in (stamped-delivery.server.ts): the same pixels, rights in XMP.
    const delivered = Buffer.from(await response.arrayBuffer())
    expect(download.deliverable).toBe('stamped')
    expect((await sharp(delivered).raw().toBuffer()).equals(await sharp(currentVersion.original).raw().toBuffer())).toBe(true)
    expect(delivered.toString('latin1')).toContain(`/portal/assets/${approvedAssetId}#rights`)
  })

  it('lets staff download a named older version', async () => {
    const download = await prepareDownload({
      db,
      storage,
      viewer: staff,
      assetId: approvedAssetId,
      versionId: supersededVersion.id,
      expiresInSeconds: 30,
    })
    expect(download.versionNumber).toBe(1)
    expect(new URL(download.url).searchParams.get('X-Amz-Expires')).toBe('30')
  })
})

describe('through the routes, signed in with a real session', () => {
  let cookie: string

  beforeAll(async () => {
    const { hashPassword, signIn } = await import('~/auth.server')
    const password = `pw-${word(12)}`
    await db.user.update({ where: { id: partner.userId }, data: { passwordHash: await hashPassword(password) } })
    const result = await signIn({ email: `partner-${run}@example.test`, password, ipAddress: '198.51.100.4', userAgent: 'vitest' })
    if (!result.ok) throw new Error(`sign-in failed: ${result.message}`)
    cookie = result.setCookie.split(';')[0] ?? ''
  })

  function get(path: string): Request {
    return new Request(`http://localhost${path}`, { headers: { cookie, 'x-forwarded-for': '203.0.113.9' } })
  }

  async function statusOf(call: Promise<Response>): Promise<number> {
    try {
      return (await call).status
    } catch (thrown) {
      if (thrown instanceof Response) return thrown.status
      throw thrown
    }
  }

  it('serves the current thumbnail with cache, ETag and nosniff headers, and 404s the rest', async () => {
    const { loader } = await import('~/routes/assets.$assetId.versions.$versionId.renditions.$preset')
    const call = (assetId: string, versionId: string, preset: string) =>
      loader({ request: get(`/assets/${assetId}/versions/${versionId}/renditions/${preset}`), params: { assetId, versionId, preset }, context: {} })

    const ok = await call(approvedAssetId, currentVersion.id, 'thumbnail')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('image/webp')
    expect(ok.headers.get('cache-control')).toBe('private, no-cache')
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff')
    const etag = ok.headers.get('etag')
    expect(etag).toBeTruthy()
    expect(Buffer.from(await ok.arrayBuffer()).equals(currentVersion.thumbnail)).toBe(true)

    const revalidated = await loader({
      request: new Request(`http://localhost/x`, { headers: { cookie, 'if-none-match': etag ?? '' } }),
      params: { assetId: approvedAssetId, versionId: currentVersion.id, preset: 'thumbnail' },
      context: {},
    })
    expect(revalidated.status).toBe(304)

    const web = await call(approvedAssetId, currentVersion.id, 'web')
    expect(web.status).toBe(200)
    expect(web.headers.get('content-type')).toBe('image/jpeg')

    for (const [assetId, versionId, preset] of [
      [secretAssetId, secretVersion.id, 'thumbnail'],
      [secretAssetId, secretVersion.id, 'web'],
      [approvedAssetId, supersededVersion.id, 'preview'],
      [approvedAssetId, supersededVersion.id, 'web'],
      [approvedAssetId, currentVersion.id, 'original'],
    ] as const) {
      const refused = await call(assetId, versionId, preset)
      expect(refused.status).toBe(404)
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('sends a plain download link to the use form, redirects a declared download to a short-lived URL after recording it, and 404s hidden ones', async () => {
    const route = await import('~/routes/assets.$assetId.download')
    // A partner must say where the file will be used: the link leads to the form.
    const plainLink = await route.loader({ request: get(`/assets/${approvedAssetId}/download`), params: { assetId: approvedAssetId }, context: {} })
    expect(plainLink.status).toBe(303)
    expect(plainLink.headers.get('location')).toBe(`/portal/assets/${approvedAssetId}#download`)

    const declared = new Request(`http://localhost/assets/${approvedAssetId}/download`, {
      method: 'POST',
      headers: { cookie, 'x-forwarded-for': '203.0.113.9', origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel: 'social', territory: 'FR' }),
    })
    const response = await route.action({ request: declared, params: { assetId: approvedAssetId }, context: {} })
    expect(response.status).toBe(303)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const location = new URL(response.headers.get('location') ?? '')
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(60)
    const event = await db.auditEvent.findFirst({
      where: { action: 'asset.download', subjectId: approvedAssetId, actorId: partner.userId },
      orderBy: { seq: 'desc' },
    })
    expect(event?.ipAddress).toBe('203.0.113.9')
    expect(event?.detail).toMatchObject({ channel: 'social', territory: 'FR' })
    expect(await db.downloadRecord.findFirst({ where: { assetId: approvedAssetId, userId: partner.userId }, orderBy: { createdAt: 'desc' } })).toMatchObject({
      channel: 'social',
      territory: 'FR',
      versionId: currentVersion.id,
    })

    const hidden = await route.loader({ request: get(`/assets/${secretAssetId}/download`), params: { assetId: secretAssetId }, context: {} })
    expect(hidden.status).toBe(404)
    const superseded = await route.loader({
      request: get(`/assets/${approvedAssetId}/download?version=${supersededVersion.id}`),
      params: { assetId: approvedAssetId },
      context: {},
    })
    expect(superseded.status).toBe(404)
  })

  it('renders the portal pages for what the partner may see and 404s the rest', async () => {
    const page = await import('~/routes/portal.assets.$assetId')
    const shown = (await page.loader({ request: get(`/portal/assets/${approvedAssetId}`), params: { assetId: approvedAssetId }, context: {} })) as unknown as {
      data: { asset: { version: { id: string } } }
    }
    expect(shown.data.asset.version.id).toBe(currentVersion.id)
    expect(
      await statusOf(
        page.loader({ request: get(`/portal/assets/${secretAssetId}`), params: { assetId: secretAssetId }, context: {} }) as unknown as Promise<Response>,
      ),
    ).toBe(404)

    const index = await import('~/routes/portal._index')
    const listed = (await index.loader({ request: get(`/portal?q=${secretWord}`), params: {}, context: {} })) as unknown as {
      data: { assets: { id: string }[] }
    }
    expect(listed.data.assets).toEqual([])
  })

  it('keeps partners out of the review inbox', async () => {
    const inbox = await import('~/routes/reviews._index')
    expect(await statusOf(inbox.loader({ request: get('/reviews'), params: {}, context: {} }) as unknown as Promise<Response>)).toBe(403)
  })
})

describe('rights expiry', () => {
  it('hides an asset from search and direct access the moment its licence has expired', async () => {
    expiresAt = new Date(Date.now() + 1_500)
    await db.rightsGrant.create({
      data: { assetId: expiringAssetId, licenceType: 'rights_managed', licensor: 'Studio', expiresAt, createdById: librarianId },
    })
    await reindexAsset(db, expiringAssetId)

    // Still licensed: visible everywhere.
    expect(Date.now()).toBeLessThan(expiresAt.getTime())
    expect(await visibleSearch(partner, expiringWord)).toContain(expiringAssetId)
    await expect(requireAssetAccess(db, partner, expiringAssetId)).resolves.toMatchObject({ id: expiringAssetId })

    // One second after expiry, with no reindex and no worker involved.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() + 1_000 - Date.now())))
    expect(await visibleSearch(partner, expiringWord)).not.toContain(expiringAssetId)
    const raw = await searchAssetIds(partner, { query: expiringWord }, new Date())
    expect(raw.ids).not.toContain(expiringAssetId)
    await expectNotFound(requireAssetAccess(db, partner, expiringAssetId))
    await expectNotFound(getPortalAsset({ db, viewer: partner, assetId: expiringAssetId }))
    await expectNotFound(
      findRendition({ db, viewer: partner, assetId: expiringAssetId, versionId: expiringVersion.id, preset: 'thumbnail' }),
    )
    await expectNotFound(prepareDownload({ db, storage, viewer: partner, assetId: expiringAssetId, expiresInSeconds: 60 }))
  })
})
