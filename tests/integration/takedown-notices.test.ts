/**
 * Takedown notices as their recipients read them, against the real test database:
 * each person lists only their own (open ones first, with the asset, version and the
 * uses named for people), acknowledging records when, once, and someone else's notice
 * is NOT_FOUND and stays untouched. The staff ledger shows every notice of the asset.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { AppError } = await import('~/errors.server')
const { acknowledgeTakedownNotice, listTakedownNotices } = await import('~/rights/takedown-notices.server')
const { getDownloadLedger } = await import('~/rights/download-ledger.server')

const db = getDb()
const run = randomBytes(4).toString('hex')
const DAY = 86_400_000

let alice: string
let bob: string
let assetId: string
let versionNumber2Id: string
let aliceOld: string
let aliceNew: string
let bobNotice: string

async function user(name: string, organisationId: string): Promise<string> {
  const created = await db.user.create({
    data: {
      email: `${name}-takedown-${run}@example.test`,
      name: `${name} ${run}`,
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId, roles: ['partner'] } },
    },
  })
  return created.id
}

async function notice(userId: string, versionId: string, options: { channels: string[]; territories: string[]; sentAt: Date }): Promise<string> {
  const created = await db.takedownNotice.create({
    data: {
      assetId,
      versionId,
      userId,
      channels: options.channels,
      territories: options.territories,
      reason: `Rights expired: "Summit ${run}"`,
      effectiveAt: new Date(options.sentAt.getTime() - 60_000),
      dedupeKey: `test:${run}:${randomBytes(6).toString('hex')}`,
      sentAt: options.sentAt,
    },
  })
  return created.id
}

beforeAll(async () => {
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-takedown-${run}`, kind: 'brand' } })
  const partner = await db.organisation.create({ data: { name: `Agency ${run}`, slug: `agency-takedown-${run}`, kind: 'partner' } })
  const owner = await db.user.create({
    data: {
      email: `owner-takedown-${run}@example.test`,
      name: 'Owner',
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId: brand.id, roles: ['librarian'] } },
    },
  })
  alice = await user('alice', partner.id)
  bob = await user('bob', partner.id)
  const asset = await db.asset.create({
    data: { title: `Summit ${run}`, kind: 'image', ownerOrganisationId: brand.id, createdById: owner.id },
  })
  assetId = asset.id
  const version = (number: number) =>
    db.assetVersion.create({
      data: {
        assetId,
        number,
        storageKey: `test/${run}/${number}`,
        sha256: randomBytes(32).toString('hex'),
        bytes: 10n,
        mediaType: 'image/png',
        originalFilename: 'summit.png',
        status: number === 1 ? 'superseded' : 'approved',
        uploadedById: owner.id,
      },
    })
  const v1 = await version(1)
  versionNumber2Id = (await version(2)).id
  const now = Date.now()
  aliceOld = await notice(alice, v1.id, { channels: ['print'], territories: ['DE'], sentAt: new Date(now - 3 * DAY) })
  aliceNew = await notice(alice, versionNumber2Id, { channels: ['web', 'social'], territories: ['GB', 'WW'], sentAt: new Date(now - DAY) })
  bobNotice = await notice(bob, versionNumber2Id, { channels: ['web'], territories: ['FR'], sentAt: new Date(now - 2 * DAY) })
  // Alice has acknowledged the older one already.
  await db.takedownNotice.update({ where: { id: aliceOld }, data: { acknowledgedAt: new Date(now - 2 * DAY) } })
})

afterAll(async () => {
  await db.asset.delete({ where: { id: assetId } })
})

describe('listing', () => {
  it('lists only the recipient’s notices, open first, with the asset, version and uses in words', async () => {
    const list = await listTakedownNotices({ db, userId: alice })
    expect(list.notices.map((item) => item.id)).toEqual([aliceNew, aliceOld])
    expect(list.openCount).toBe(1)
    expect(list.truncated).toBe(false)
    expect(list.notices[0]).toMatchObject({
      assetTitle: `Summit ${run}`,
      versionNumber: 2,
      channels: [
        { key: 'web', label: 'Web' },
        { key: 'social', label: 'Social media' },
      ],
      territories: [
        { code: 'GB', name: 'United Kingdom' },
        { code: 'WW', name: 'Worldwide' },
      ],
      reason: `Rights expired: "Summit ${run}"`,
      acknowledgedAt: null,
    })
    expect(list.notices[1]).toMatchObject({ versionNumber: 1, acknowledgedAt: expect.any(String) })

    const bobs = await listTakedownNotices({ db, userId: bob })
    expect(bobs.notices.map((item) => item.id)).toEqual([bobNotice])
  })
})

describe('acknowledging', () => {
  it('records when, and a second acknowledgement keeps the first time', async () => {
    const at = new Date(Date.now() - 5_000)
    const first = await acknowledgeTakedownNotice({ db, userId: alice, noticeId: aliceNew, at })
    expect(first.acknowledgedAt).toEqual(at)
    const again = await acknowledgeTakedownNotice({ db, userId: alice, noticeId: aliceNew })
    expect(again.acknowledgedAt).toEqual(at)
    const stored = await db.takedownNotice.findUniqueOrThrow({ where: { id: aliceNew }, select: { acknowledgedAt: true } })
    expect(stored.acknowledgedAt).toEqual(at)
    expect((await listTakedownNotices({ db, userId: alice })).openCount).toBe(0)
  })

  it('someone else’s notice is NOT_FOUND and stays open', async () => {
    const attempt = acknowledgeTakedownNotice({ db, userId: alice, noticeId: bobNotice })
    await expect(attempt).rejects.toSatisfy((error: unknown) => error instanceof AppError && error.code === 'NOT_FOUND')
    const stored = await db.takedownNotice.findUniqueOrThrow({ where: { id: bobNotice }, select: { acknowledgedAt: true } })
    expect(stored.acknowledgedAt).toBeNull()
  })

  it('an unknown id is NOT_FOUND', async () => {
    await expect(acknowledgeTakedownNotice({ db, userId: alice, noticeId: `missing-${run}` })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === 'NOT_FOUND',
    )
  })
})

describe('the staff ledger', () => {
  it('shows every notice of the asset with its acknowledgement, and counts downloads per week', async () => {
    const at = new Date()
    await db.downloadRecord.createMany({
      data: [
        { assetId, versionId: versionNumber2Id, userId: bob, channel: 'web', territory: 'FR', createdAt: new Date(at.getTime() - 14 * DAY) },
        { assetId, versionId: versionNumber2Id, userId: bob, channel: 'web', territory: 'FR', createdAt: new Date(at.getTime() - 14 * DAY + 1000) },
        { assetId, versionId: versionNumber2Id, userId: alice, channel: 'print', territory: 'DE', createdAt: at },
      ],
    })
    const ledger = await getDownloadLedger({ db, assetId, at, weeks: 4 })
    expect(ledger.totalDownloads).toBe(3)
    expect(ledger.downloads[0]).toMatchObject({ channel: { key: 'print', label: 'Print' }, territory: { code: 'DE', name: 'Germany' }, versionNumber: 2 })
    expect(ledger.perWeek.map((week) => week.count)).toEqual([0, 2, 0, 1])
    const byId = new Map(ledger.notices.map((item) => [item.id, item]))
    expect(byId.get(bobNotice)).toMatchObject({ acknowledgedAt: null, channels: ['Web'], territories: ['France'], versionNumber: 2 })
    expect(byId.get(bobNotice)?.person.organisationName).toBe(`Agency ${run}`)
    expect(byId.get(aliceNew)?.acknowledgedAt).not.toBeNull()
  })
})

describe('the page', () => {
  it('acknowledges through a same-origin post and answers 404 for someone else’s notice', async () => {
    const { hashPassword, signIn } = await import('~/auth.server')
    const password = `pw-${randomBytes(8).toString('hex')}`
    const user = await db.user.update({ where: { id: bob }, data: { passwordHash: await hashPassword(password) } })
    const session = await signIn({ email: user.email, password, ipAddress: '198.51.100.4', userAgent: 'vitest' })
    if (!session.ok) throw new Error(session.message)
    const cookie = session.setCookie.split(';')[0] ?? ''
    const post = (noticeId: string) =>
      new Request('http://localhost/portal/takedowns', {
        method: 'POST',
        headers: { cookie, origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ intent: 'acknowledge', noticeId }),
      })
    const page = await import('~/routes/portal.takedowns')
    const statusOf = async (call: Promise<unknown>) => {
      try {
        const result = await call
        return result instanceof Response ? result.status : 200
      } catch (thrown) {
        if (thrown instanceof Response) return thrown.status
        throw thrown
      }
    }

    expect(await statusOf(page.action({ request: post(aliceOld), params: {}, context: {} }))).toBe(404)
    expect(await statusOf(page.action({ request: post(bobNotice), params: {}, context: {} }))).toBe(303)
    const stored = await db.takedownNotice.findUniqueOrThrow({ where: { id: bobNotice }, select: { acknowledgedAt: true } })
    expect(stored.acknowledgedAt).not.toBeNull()
  })
})
