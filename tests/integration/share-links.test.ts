/**
 * Share links against the test stack's PostgreSQL and S3: making, validating and
 * revoking links (audited), and opening them through the use cases and routes —
 * password, download limit under concurrency, expiry, revocation and rights that
 * ended a second ago all end in the same neutral 404.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage, storageKeys } = await import('~/storage.server')
const { AppError } = await import('~/errors.server')
const { createShareLink, listShareLinks, revokeShareLink, hashShareToken } = await import('~/share/share-links.server')
const { getSharePage, unlockShareLink, findSharePreview, downloadFromShareLink, isShareLinkUnavailable, SHARE_LINK_UNAVAILABLE } = await import(
  '~/share/open-share-link.server'
)
const { SHARE_UNLOCK_COOKIE } = await import('~/share/share-unlock.server')
const { stampedDownload } = await import('~/assets/stamped-delivery.server')
const sharp = (await import('sharp')).default

type Actor = { id: string; roles: ('admin' | 'librarian' | 'reviewer' | 'legal' | 'partner')[] }

const db = getDb()
const storage = getStorage()
const run = randomBytes(4).toString('hex')

let brandId: string
let otherPartnerOrgId: string
let librarian: Actor
let reviewer: Actor
const assetIds: string[] = []
const objectKeys: string[] = []
const linkIds: string[] = []

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as InstanceType<typeof AppError>).code).toBe(code)
}

/** The neutral answer: NOT_FOUND with the one message, whatever the reason. */
async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(isShareLinkUnavailable(error)).toBe(true)
  expect((error as Error).message).toBe(SHARE_LINK_UNAVAILABLE)
}

/** An approved asset with a PNG original and a preview rendition in S3. */
async function approvedAsset(title: string, options: { sharedWithAllPartners?: boolean; approved?: boolean } = {}): Promise<{ assetId: string; versionId: string }> {
  const asset = await db.asset.create({
    data: {
      title: `${title} ${run}`,
      kind: 'image',
      ownerOrganisationId: brandId,
      createdById: librarian.id,
      sharedWithAllPartners: options.sharedWithAllPartners ?? true,
      ...(options.sharedWithAllPartners === false ? { shares: { create: { organisationId: otherPartnerOrgId } } } : {}),
    },
  })
  assetIds.push(asset.id)
  const original = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 40, b: 130 } } }).png().toBuffer()
  const preview = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 90, g: 40, b: 130 } } }).webp().toBuffer()
  const version = await db.assetVersion.create({
    data: {
      assetId: asset.id,
      number: 1,
      storageKey: 'pending',
      sha256: createHash('sha256').update(original).digest('hex'),
      bytes: BigInt(original.length),
      mediaType: 'image/png',
      originalFilename: 'poster.png',
      width: 64,
      height: 48,
      status: options.approved === false ? 'in_review' : 'approved',
      uploadedById: librarian.id,
    },
  })
  const originalKey = storageKeys.original(asset.id, version.id)
  const previewKey = storageKeys.rendition(version.id, 'preview', 'webp')
  await storage.putBuffer(originalKey, original, 'image/png')
  await storage.putBuffer(previewKey, preview, 'image/webp')
  objectKeys.push(originalKey, previewKey)
  await db.assetVersion.update({ where: { id: version.id }, data: { storageKey: originalKey } })
  await db.rendition.create({
    data: { versionId: version.id, preset: 'preview', storageKey: previewKey, mediaType: 'image/webp', bytes: preview.length, width: 32, height: 24 },
  })
  if (options.approved !== false) await db.asset.update({ where: { id: asset.id }, data: { currentVersionId: version.id } })
  return { assetId: asset.id, versionId: version.id }
}

/** A link made through the use case; returns its token and id. */
async function makeLink(assetId: string, input: { expiresInHours?: number | string; password?: string; downloadLimit?: number | string } = {}) {
  const result = await createShareLink({ db, assetId, actor: librarian, input: { expiresInHours: 24, ...input }, ipAddress: '198.51.100.20' })
  if (!result.ok) throw new Error(`link refused: ${JSON.stringify(result.fieldErrors)}`)
  linkIds.push(result.linkId)
  return result
}

function shareAuditCount(action: string, assetId: string): Promise<number> {
  return db.auditEvent.count({ where: { action, subjectType: 'asset', subjectId: assetId } })
}

function downloadsOf(linkId: string) {
  return db.auditEvent.findMany({ where: { action: 'asset.download', detail: { path: ['shareLinkId'], equals: linkId } } })
}

beforeAll(async () => {
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-share-${run}`, kind: 'brand' } })
  const other = await db.organisation.create({ data: { name: `Agency ${run}`, slug: `agency-share-${run}`, kind: 'partner' } })
  brandId = brand.id
  otherPartnerOrgId = other.id
  const user = async (name: string, roles: Actor['roles']): Promise<Actor> => {
    const created = await db.user.create({
      data: {
        email: `${name}-share-${run}@example.test`,
        name: `${name} ${run}`,
        passwordHash: 'not-used',
        memberships: { create: { organisationId: brand.id, roles } },
      },
    })
    return { id: created.id, roles }
  }
  librarian = await user('librarian', ['librarian'])
  reviewer = await user('reviewer', ['reviewer'])
})

afterAll(async () => {
  // Stamped copies live under stamped/<versionId>/; the originals and previews are listed.
  const versions = await db.assetVersion.findMany({ where: { assetId: { in: assetIds } }, select: { id: true } })
  const stamped = await db.auditEvent.findMany({ where: { action: 'asset.download', subjectId: { in: assetIds } }, select: { detail: true } })
  for (const event of stamped) {
    const key = (event.detail as { objectKey?: unknown }).objectKey
    if (typeof key === 'string' && versions.some((version) => key.startsWith(`stamped/${version.id}/`))) objectKeys.push(key)
  }
  for (const key of new Set(objectKeys)) await storage.delete(key).catch(() => undefined)
  await db.signInAttempt.deleteMany({ where: { email: { in: linkIds.map((id) => `share-link:${id}`) } } })
  for (const id of assetIds) {
    await db.asset.update({ where: { id }, data: { currentVersionId: null } })
    await db.asset.delete({ where: { id } })
  }
  await (await import('~/media/exiftool.server')).endExifTool()
})

describe('making links', () => {
  it('makes a link whose token is shown once and stored only as its SHA-256, with an audit row', async () => {
    const { assetId } = await approvedAsset('Harbour')
    const before = await shareAuditCount('share_link.create', assetId)
    const created = await makeLink(assetId, { expiresInHours: 48, password: 'correct horse', downloadLimit: '3' })
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(created.token, 'base64url')).toHaveLength(32)

    const row = await db.shareLink.findUniqueOrThrow({ where: { id: created.linkId } })
    expect(row.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'))
    expect(row.tokenHash).toBe(hashShareToken(created.token))
    expect(JSON.stringify(row)).not.toContain(created.token)
    expect(row.passwordHash).toMatch(/^\$argon2id\$/)
    expect(row.downloadLimit).toBe(3)
    expect(row.assetId).toBe(assetId)
    expect(row.collectionId).toBeNull()
    expect(Math.abs(row.expiresAt.getTime() - row.createdAt.getTime() - 48 * 3_600_000)).toBeLessThan(1000)

    expect(await shareAuditCount('share_link.create', assetId)).toBe(before + 1)
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'share_link.create', subjectId: assetId }, orderBy: { seq: 'desc' } })
    expect(event.actorId).toBe(librarian.id)
    expect(event.detail).toMatchObject({ shareLinkId: created.linkId, passwordProtected: true, downloadLimit: 3 })
    expect(JSON.stringify(event.detail)).not.toContain('correct horse')

    const listed = await listShareLinks({ db, assetId })
    expect(listed.eligibility).toEqual({ shareable: true })
    expect(listed.links).toEqual([expect.objectContaining({ id: created.linkId, state: 'active', passwordProtected: true, downloadLimit: 3, downloadCount: 0 })])
  })

  it('validates the expiry (1 hour to 90 days), the password and the limit', async () => {
    const { assetId } = await approvedAsset('Validation')
    const attempt = (input: { expiresInHours?: number | string; password?: string; downloadLimit?: number | string }) =>
      createShareLink({ db, assetId, actor: librarian, input: { expiresInHours: 24, ...input } })
    expect(await attempt({ expiresInHours: 0 })).toMatchObject({ ok: false, fieldErrors: { expiresInHours: expect.any(String) } })
    expect(await attempt({ expiresInHours: 90 * 24 + 1 })).toMatchObject({ ok: false, fieldErrors: { expiresInHours: expect.any(String) } })
    expect(await attempt({ expiresInHours: '' })).toMatchObject({ ok: false, fieldErrors: { expiresInHours: expect.any(String) } })
    expect(await attempt({ expiresInHours: '1.5' })).toMatchObject({ ok: false, fieldErrors: { expiresInHours: expect.any(String) } })
    expect(await attempt({ password: 'short' })).toMatchObject({ ok: false, fieldErrors: { password: expect.any(String) } })
    expect(await attempt({ downloadLimit: 0 })).toMatchObject({ ok: false, fieldErrors: { downloadLimit: expect.any(String) } })
    expect(await attempt({ downloadLimit: 'many' })).toMatchObject({ ok: false, fieldErrors: { downloadLimit: expect.any(String) } })
    expect(await db.shareLink.count({ where: { assetId } })).toBe(0)

    // The bounds themselves, an empty password and an empty limit are fine.
    const shortest = await makeLink(assetId, { expiresInHours: 1, password: '', downloadLimit: '' })
    const longest = await makeLink(assetId, { expiresInHours: '2160' })
    const rows = await db.shareLink.findMany({ where: { id: { in: [shortest.linkId, longest.linkId] } } })
    expect(rows.every((row) => row.passwordHash === null && row.downloadLimit === null)).toBe(true)
  })

  it('lets only asset editors make and revoke links', async () => {
    const { assetId } = await approvedAsset('Editors only')
    await expectCode(createShareLink({ db, assetId, actor: reviewer, input: { expiresInHours: 24 } }), 'FORBIDDEN')
    const { linkId } = await makeLink(assetId)
    await expectCode(revokeShareLink({ db, assetId, linkId, actor: reviewer }), 'FORBIDDEN')
    expect(await db.shareLink.count({ where: { assetId } })).toBe(1)
  })

  it('refuses assets a link could not show, saying why', async () => {
    const unapproved = await approvedAsset('Unapproved', { approved: false })
    await expectCode(createShareLink({ db, assetId: unapproved.assetId, actor: librarian, input: { expiresInHours: 24 } }), 'CONFLICT')

    const named = await approvedAsset('Named partners', { sharedWithAllPartners: false })
    const refusal = createShareLink({ db, assetId: named.assetId, actor: librarian, input: { expiresInHours: 24 } })
    await expect(refusal).rejects.toThrow(/named partner organisations only/)

    const oneOrg = await approvedAsset('One organisation licence')
    await db.rightsGrant.create({
      data: { assetId: oneOrg.assetId, licenceType: 'rights_managed', organisationIds: [otherPartnerOrgId], createdById: librarian.id },
    })
    await expect(createShareLink({ db, assetId: oneOrg.assetId, actor: librarian, input: { expiresInHours: 24 } })).rejects.toThrow(
      /licences are for named partner organisations only/,
    )

    const expired = await approvedAsset('Expired licence')
    await db.rightsGrant.create({
      data: { assetId: expired.assetId, licenceType: 'royalty_free', expiresAt: new Date(Date.now() - 60_000), createdById: librarian.id },
    })
    await expect(createShareLink({ db, assetId: expired.assetId, actor: librarian, input: { expiresInHours: 24 } })).rejects.toThrow(/expired/)

    await expectCode(createShareLink({ db, assetId: `missing-${run}`, actor: librarian, input: { expiresInHours: 24 } }), 'NOT_FOUND')
    const listed = await listShareLinks({ db, assetId: named.assetId })
    expect(listed.eligibility).toMatchObject({ shareable: false })
    expect(await db.shareLink.count({ where: { assetId: { in: [unapproved.assetId, named.assetId, oneOrg.assetId, expired.assetId] } } })).toBe(0)
  })

  it('revokes once, audited, and the link stops opening at once', async () => {
    const { assetId } = await approvedAsset('Revoked')
    const { token, linkId } = await makeLink(assetId)
    await expect(getSharePage({ db, token, cookieHeader: null })).resolves.toMatchObject({ state: 'open' })

    const before = await shareAuditCount('share_link.revoke', assetId)
    await expect(revokeShareLink({ db, assetId, linkId, actor: librarian, ipAddress: '198.51.100.21' })).resolves.toEqual({ revoked: true })
    await expect(revokeShareLink({ db, assetId, linkId, actor: librarian })).resolves.toEqual({ revoked: false })
    expect(await shareAuditCount('share_link.revoke', assetId)).toBe(before + 1)
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'share_link.revoke', subjectId: assetId }, orderBy: { seq: 'desc' } })
    expect(event.detail).toMatchObject({ shareLinkId: linkId })
    expect(event.ipAddress).toBe('198.51.100.21')

    // Another asset's id does not reach this link.
    const other = await approvedAsset('Other asset')
    await expectCode(revokeShareLink({ db, assetId: other.assetId, linkId, actor: librarian }), 'NOT_FOUND')

    await expectUnavailable(getSharePage({ db, token, cookieHeader: null }))
    await expectUnavailable(findSharePreview({ db, token, cookieHeader: null }))
    await expectUnavailable(downloadFromShareLink({ db, storage, token, cookieHeader: null, expiresInSeconds: 60 }))
    expect((await listShareLinks({ db, assetId })).links[0]).toMatchObject({ id: linkId, state: 'revoked' })
  })
})

describe('opening links', () => {
  it('shows the asset with its rights, streams the preview and delivers a stamped copy, audited with the link', async () => {
    const { assetId, versionId } = await approvedAsset('Open')
    await db.rightsGrant.create({
      data: {
        assetId,
        licenceType: 'royalty_free',
        licensor: 'Picture Desk',
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
        createdById: librarian.id,
      },
    })
    // A grant for one named organisation is not the link holder's, and is not described to them.
    await db.rightsGrant.create({
      data: { assetId, licenceType: 'rights_managed', licensor: `Secret Agency ${run}`, organisationIds: [otherPartnerOrgId], createdById: librarian.id },
    })
    const { token, linkId } = await makeLink(assetId, { downloadLimit: 5 })

    const page = await getSharePage({ db, token, cookieHeader: null })
    if (page.state !== 'open') throw new Error('expected the page to open')
    expect(page.asset.title).toBe(`Open ${run}`)
    expect(page.owner).toBe(`Brand ${run}`)
    expect(page.preview?.url).toBe(`/s/${token}/preview`)
    expect(page.rights.headline).toMatch(/^Licensed for use on any channel worldwide until /)
    expect(JSON.stringify(page.rights)).toContain('Picture Desk')
    expect(JSON.stringify(page)).not.toContain('Secret Agency')
    expect(page.downloadsLeft).toBe(5)
    expect(page.canDownload).toBe(true)

    const preview = await findSharePreview({ db, token, cookieHeader: null })
    expect(preview.contentType).toBe('image/webp')
    expect(preview.storageKey).toBe(storageKeys.rendition(versionId, 'preview', 'webp'))

    const download = await downloadFromShareLink({ db, storage, token, cookieHeader: null, ipAddress: '203.0.113.40', expiresInSeconds: 600 })
    expect(download.key.startsWith(`stamped/${versionId}/`)).toBe(true)
    expect(new URL(download.url).pathname.endsWith(download.key)).toBe(true)
    expect(Number(new URL(download.url).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(60)
    expect(download.downloadsLeft).toBe(4)
    const fetched = await fetch(download.url)
    expect(fetched.status).toBe(200)
    expect(fetched.headers.get('content-disposition')).toContain(`Open ${run}.png`)

    const events = await downloadsOf(linkId)
    expect(events).toHaveLength(1)
    expect(events[0]?.actorId).toBeNull()
    expect(events[0]?.subjectId).toBe(assetId)
    expect(events[0]?.ipAddress).toBe('203.0.113.40')
    expect(events[0]?.detail).toMatchObject({ via: 'share_link', shareLinkId: linkId, versionId, objectKey: download.key, downloadCount: 1 })
    expect((await db.shareLink.findUniqueOrThrow({ where: { id: linkId } })).downloadCount).toBe(1)
  })

  it('asks for the password first, refuses a wrong one, and opens page, preview and download with the unlock', async () => {
    const { assetId } = await approvedAsset('Protected')
    const { token, linkId } = await makeLink(assetId, { password: 'open sesame' })
    const other = await makeLink(assetId, { password: 'open sesame' })

    await expect(getSharePage({ db, token, cookieHeader: null })).resolves.toEqual({ state: 'locked' })
    // Locked: the preview is unavailable, like every other failure, and a download asks for the password.
    await expectUnavailable(findSharePreview({ db, token, cookieHeader: null }))
    await expectCode(downloadFromShareLink({ db, storage, token, cookieHeader: null, expiresInSeconds: 60 }), 'UNAUTHENTICATED')

    const wrong = await unlockShareLink({ db, token, password: 'open sesame!', ipAddress: '203.0.113.41' })
    expect(wrong).toEqual({ ok: false, status: 401, message: 'That password is not right.' })

    const right = await unlockShareLink({ db, token, password: 'open sesame', ipAddress: '203.0.113.41' })
    if (!right.ok || !right.cookie) throw new Error('expected an unlock cookie')
    const cookieHeader = `${SHARE_UNLOCK_COOKIE}=${right.cookie.value}`
    await expect(getSharePage({ db, token, cookieHeader })).resolves.toMatchObject({ state: 'open' })
    await expect(findSharePreview({ db, token, cookieHeader })).resolves.toMatchObject({ contentType: 'image/webp' })
    const download = await downloadFromShareLink({ db, storage, token, cookieHeader, expiresInSeconds: 60 })
    expect(download.key.startsWith('stamped/')).toBe(true)
    expect(await downloadsOf(linkId)).toHaveLength(1)

    // The unlock of one link opens no other, even with the same password.
    await expect(getSharePage({ db, token: other.token, cookieHeader })).resolves.toEqual({ state: 'locked' })
  })

  it('limits wrong passwords per link', async () => {
    const { assetId } = await approvedAsset('Guessing')
    const { token } = await makeLink(assetId, { password: 'the real one' })
    const limits = { windowMs: 15 * 60_000, perEmail: 2, perIp: 100 }
    const ipAddress = `203.0.113.${50 + (randomBytes(1)[0] ?? 0) % 100}`
    expect(await unlockShareLink({ db, token, password: 'guess one', ipAddress, limits })).toMatchObject({ ok: false, status: 401 })
    expect(await unlockShareLink({ db, token, password: 'guess two', ipAddress, limits })).toMatchObject({ ok: false, status: 401 })
    // Refused before the password is even checked, the right one included.
    expect(await unlockShareLink({ db, token, password: 'the real one', ipAddress: '203.0.113.250', limits })).toMatchObject({ ok: false, status: 429 })
  })

  it('gives the last download to exactly one of two downloads at once', async () => {
    const { assetId } = await approvedAsset('Last one')
    const { token, linkId } = await makeLink(assetId, { downloadLimit: 1 })
    // Make the stamped copy beforehand, so both requests reuse it and reach the count together.
    const version = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { currentVersionId: true } })
    await stampedDownload({ db, storage, assetId, versionId: version.currentVersionId ?? '', recipient: { kind: 'all-partners' } })

    const results = await Promise.allSettled([
      downloadFromShareLink({ db, storage, token, cookieHeader: null, expiresInSeconds: 60 }),
      downloadFromShareLink({ db, storage, token, cookieHeader: null, expiresInSeconds: 60 }),
    ])
    const fulfilled = results.filter((result) => result.status === 'fulfilled')
    const rejected = results.filter((result) => result.status === 'rejected')
    expect(fulfilled).toHaveLength(1)
    expect(rejected).toHaveLength(1)
    expect(isShareLinkUnavailable(rejected[0]?.status === 'rejected' ? rejected[0].reason : null)).toBe(true)
    expect((await db.shareLink.findUniqueOrThrow({ where: { id: linkId } })).downloadCount).toBe(1)
    expect(await downloadsOf(linkId)).toHaveLength(1)

    // Used up: the link is gone for every purpose.
    await expectUnavailable(getSharePage({ db, token, cookieHeader: null }))
    await expectUnavailable(downloadFromShareLink({ db, storage, token, cookieHeader: null, expiresInSeconds: 60 }))
    expect((await listShareLinks({ db, assetId })).links[0]).toMatchObject({ state: 'used_up', downloadCount: 1 })
  })

  it('stops at the instant the link expires', async () => {
    const { assetId } = await approvedAsset('Expiring link')
    const { token, linkId, expiresAt } = await makeLink(assetId, { expiresInHours: 1 })
    await expect(getSharePage({ db, token, cookieHeader: null, at: new Date(expiresAt.getTime() - 1) })).resolves.toMatchObject({ state: 'open' })
    await expectUnavailable(getSharePage({ db, token, cookieHeader: null, at: expiresAt }))

    // And by the real clock: a link that expired a second ago.
    await db.shareLink.update({ where: { id: linkId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    await expectUnavailable(getSharePage({ db, token, cookieHeader: null }))
    await expectUnavailable(findSharePreview({ db, token, cookieHeader: null }))
    await expectUnavailable(downloadFromShareLink({ db, storage, token, cookieHeader: null, expiresInSeconds: 60 }))
    expect(await downloadsOf(linkId)).toHaveLength(0)
  })

  it('closes the moment the asset’s rights have ended, with nothing else changed', async () => {
    const { assetId } = await approvedAsset('Rights ending')
    const grant = await db.rightsGrant.create({
      data: { assetId, licenceType: 'rights_managed', licensor: 'Studio', expiresAt: new Date(Date.now() + 86_400_000), createdById: librarian.id },
    })
    const { token, linkId } = await makeLink(assetId, { password: 'rights test' })
    const unlocked = await unlockShareLink({ db, token, password: 'rights test', ipAddress: '203.0.113.42' })
    if (!unlocked.ok || !unlocked.cookie) throw new Error('expected an unlock cookie')
    const cookieHeader = `${SHARE_UNLOCK_COOKIE}=${unlocked.cookie.value}`
    await expect(getSharePage({ db, token, cookieHeader })).resolves.toMatchObject({ state: 'open' })

    // The licence ended a second ago (no reindex, no worker, the link untouched).
    await db.rightsGrant.update({ where: { id: grant.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    await expectUnavailable(getSharePage({ db, token, cookieHeader }))
    await expectUnavailable(findSharePreview({ db, token, cookieHeader }))
    await expectUnavailable(downloadFromShareLink({ db, storage, token, cookieHeader, expiresInSeconds: 60 }))
    await expectUnavailable(unlockShareLink({ db, token, password: 'rights test', ipAddress: '203.0.113.42' }))
    expect(await downloadsOf(linkId)).toHaveLength(0)
    expect((await listShareLinks({ db, assetId })).eligibility).toMatchObject({ shareable: false, reason: expect.stringMatching(/expired/) })
  })

  it('answers unknown and malformed tokens the same way', async () => {
    await expectUnavailable(getSharePage({ db, token: randomBytes(32).toString('base64url'), cookieHeader: null }))
    await expectUnavailable(getSharePage({ db, token: 'not-a-token', cookieHeader: null }))
    await expectUnavailable(findSharePreview({ db, token: '../../etc/passwd', cookieHeader: null }))
  })
})

describe('through the routes', () => {
  function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Request {
    return new Request(`http://localhost${path}`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost', 'X-Forwarded-For': '203.0.113.60', ...headers },
    })
  }

  it('renders the page with a same-origin referrer policy, no-store and noindex, and the neutral 404 for a dead link', async () => {
    const route = await import('~/routes/s.$token')
    const { assetId } = await approvedAsset('Route page')
    const { token, linkId } = await makeLink(assetId)
    const headers = new Headers(route.headers({} as Parameters<typeof route.headers>[0]))
    // Not no-referrer: that makes browsers send `Origin: null` with the page's own posts.
    expect(headers.get('referrer-policy')).toBe('same-origin')
    expect(headers.get('cache-control')).toBe('private, no-store')
    expect(headers.get('x-robots-tag')).toContain('noindex')

    const open = (await route.loader({ request: new Request(`http://localhost/s/${token}`), params: { token }, context: {} })) as unknown as {
      data: { page: { state: string } }
      init: { status: number; headers: Record<string, string> }
    }
    expect(open.data.page.state).toBe('open')
    expect(open.init.status).toBe(200)
    expect(open.init.headers['Referrer-Policy']).toBe('same-origin')

    await revokeShareLink({ db, assetId, linkId, actor: librarian })
    const gone = (await route.loader({ request: new Request(`http://localhost/s/${token}`), params: { token }, context: {} })) as unknown as {
      data: { page: { state: string } }
      init: { status: number }
    }
    expect(gone.data.page).toEqual({ state: 'unavailable' })
    expect(gone.init.status).toBe(404)
  })

  it('unlocks with a cookie scoped to the link, downloads by redirecting to the stamped copy, and refuses cross-site posts', async () => {
    const route = await import('~/routes/s.$token')
    const previewRoute = await import('~/routes/s.$token.preview')
    const { assetId, versionId } = await approvedAsset('Route download')
    const { token, linkId } = await makeLink(assetId, { password: 'route password' })
    const path = `/s/${token}`

    const unlocked = (await route.action({ request: post(path, { intent: 'unlock', password: 'route password' }), params: { token }, context: {} })) as Response
    expect(unlocked.status).toBe(303)
    expect(unlocked.headers.get('location')).toBe(path)
    expect(unlocked.headers.get('referrer-policy')).toBe('no-referrer')
    const setCookie = unlocked.headers.get('set-cookie') ?? ''
    expect(setCookie).toContain(`Path=${path};`)
    expect(setCookie).toContain('HttpOnly')
    const cookie = setCookie.split(';')[0] ?? ''

    const preview = await previewRoute.loader({ request: new Request(`http://localhost${path}/preview`, { headers: { cookie } }), params: { token }, context: {} })
    expect(preview.status).toBe(200)
    expect(preview.headers.get('content-type')).toBe('image/webp')
    expect(preview.headers.get('cache-control')).toBe('private, no-cache')
    expect(preview.headers.get('x-robots-tag')).toContain('noindex')
    expect(preview.headers.get('referrer-policy')).toBe('no-referrer')
    const lockedPreview = await previewRoute.loader({ request: new Request(`http://localhost${path}/preview`), params: { token }, context: {} })
    expect(lockedPreview.status).toBe(404)
    expect(await lockedPreview.text()).toBe(SHARE_LINK_UNAVAILABLE)

    const crossSite = route.action({
      request: post(path, { intent: 'download' }, { cookie, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }),
      params: { token },
      context: {},
    })
    await expect(crossSite).rejects.toSatisfy((thrown: unknown) => thrown instanceof Response && thrown.status === 403)
    expect(await downloadsOf(linkId)).toHaveLength(0)

    const downloaded = (await route.action({ request: post(path, { intent: 'download' }, { cookie }), params: { token }, context: {} })) as Response
    expect(downloaded.status).toBe(303)
    expect(downloaded.headers.get('referrer-policy')).toBe('no-referrer')
    const location = new URL(downloaded.headers.get('location') ?? '')
    expect(decodeURIComponent(location.pathname)).toContain(`/stamped/${versionId}/`)
    const events = await downloadsOf(linkId)
    expect(events).toHaveLength(1)
    expect(events[0]?.ipAddress).toBe('203.0.113.60')
  })
})
