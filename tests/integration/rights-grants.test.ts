/**
 * Legal's rights operations against the test stack's PostgreSQL, S3 and Temporal:
 * grants are validated with the form's schema, written with their audit rows in one
 * transaction, and announced to the asset's rights-window workflow (started on a task
 * queue of this file's own, so no worker runs it: the test describes it, then
 * terminates it). Local date-times are read in the grant's zone, across DST.
 */
import { randomBytes } from 'node:crypto'
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv, useOwnTaskQueues } from '../support/stack-env'

loadStackEnv()
// Each test file has its own process (forks pool), so this runtime is ours alone.
Runtime.install({ logger: new DefaultLogger('WARN') })
useOwnTaskQueues('test-rights-grants')

const { getEnv } = await import('~/env.server')
const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { getTemporalClient } = await import('~/temporal.server')
const { AppError } = await import('~/errors.server')
const { createGrant, updateGrant, revokeGrant, extendGrant, listAssetGrants } = await import('~/rights/grants.server')
const { addGrantToAssets, extendGrants, revokeGrants } = await import('~/rights/bulk-grants.server')
const { storeRelease, receiveReleaseUpload, prepareReleaseDownload, RELEASE_MAX_BYTES } = await import('~/rights/releases.server')
const { addRightsChannel, renameRightsChannel, moveRightsChannel, deleteRightsChannel, listRightsChannels } = await import('~/rights/channels.server')
const { getExpiringBoard } = await import('~/rights/expiring-board.server')
type GrantDraft = import('~/rights/grant-terms').GrantDraft

const db = getDb()
const env = getEnv()
const storage = getStorage()
const run = randomBytes(4).toString('hex')

let temporal: Client
let legal: { id: string }
let brandId: string
let partnerId: string
let otherPartnerId: string
const assetIds: string[] = []
const channelKeys: string[] = []
const releaseKeys: string[] = []

async function newAsset(title: string): Promise<string> {
  const asset = await db.asset.create({ data: { title: `${title} ${run}`, kind: 'image', ownerOrganisationId: brandId, createdById: legal.id } })
  assetIds.push(asset.id)
  return asset.id
}

function draft(overrides: Partial<GrantDraft> = {}): GrantDraft {
  return {
    licenceType: 'rights_managed',
    licenceVariant: '',
    licensor: 'Picture Agency',
    reference: `RM-${run}`,
    channels: ['web', 'print'],
    territories: 'de, AT',
    organisationIds: [],
    startsAt: '',
    expiresAt: '2030-06-30T23:59',
    timeZone: 'Europe/Berlin',
    warnBeforeDays: '30',
    notes: '',
    ...overrides,
  }
}

async function expectAppError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as InstanceType<typeof AppError>).code).toBe(code)
  if (message) expect((error as Error).message).toMatch(message)
}

function rightsAudit(assetId: string) {
  return db.auditEvent.findMany({ where: { action: 'rights.change', subjectType: 'asset', subjectId: assetId }, orderBy: { seq: 'asc' } })
}

function detailOf(event: { detail: unknown }): Record<string, unknown> {
  return event.detail as Record<string, unknown>
}

/** The asset's rights-window workflow, as Temporal describes it. */
async function describeRightsWindow(assetId: string) {
  return temporal.workflow.getHandle(`rights-${assetId}`).describe()
}

beforeAll(async () => {
  temporal = await getTemporalClient()
  const brand = await db.organisation.create({ data: { name: `Brand ${run}`, slug: `brand-rights-${run}`, kind: 'brand' } })
  brandId = brand.id
  partnerId = (await db.organisation.create({ data: { name: `Acme ${run}`, slug: `acme-rights-${run}`, kind: 'partner' } })).id
  otherPartnerId = (await db.organisation.create({ data: { name: `Press ${run}`, slug: `press-rights-${run}`, kind: 'partner' } })).id
  legal = await db.user.create({
    data: {
      email: `legal-${run}@rights.test`,
      name: `Lou Legal ${run}`,
      passwordHash: 'not-used',
      memberships: { create: { organisationId: brand.id, roles: ['legal'] } },
    },
  })
})

afterAll(async () => {
  for (const assetId of assetIds) {
    await temporal.workflow
      .getHandle(`rights-${assetId}`)
      .terminate('rights-grants test over')
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error
      })
  }
  for (const key of releaseKeys) await storage.delete(key).catch(() => undefined)
  if (assetIds.length > 0) await db.asset.deleteMany({ where: { id: { in: assetIds } } })
  if (channelKeys.length > 0) await db.rightsChannel.deleteMany({ where: { key: { in: channelKeys } } })
  await temporal.connection.close()
  await db.$disconnect()
})

describe('creating a grant', () => {
  it('refuses invalid terms field by field and writes nothing', async () => {
    const assetId = await newAsset('Invalid terms')
    const result = await createGrant({
      db,
      assetId,
      actorId: legal.id,
      input: draft({
        licenceType: 'creative_commons',
        channels: ['web', 'carrier_pigeon'],
        territories: 'DE, Germany, XX',
        organisationIds: [brandId],
        startsAt: '2030-07-01T00:00',
        expiresAt: '2030-06-30T23:59',
        warnBeforeDays: '400',
        notes: 'n'.repeat(5001),
      }),
    })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.fieldErrors).toMatchObject({
      licenceVariant: expect.stringMatching(/Creative Commons variant/),
      channels: expect.stringMatching(/carrier_pigeon/),
      territories: expect.stringMatching(/“Germany”, “XX” are not territory codes/),
      organisationIds: expect.stringMatching(/partner organisations/),
      expiresAt: 'The expiry must come after the start.',
      warnBeforeDays: 'Give at most 365 days.',
      notes: expect.stringMatching(/5,000 characters/),
    })

    const zone = await createGrant({ db, assetId, actorId: legal.id, input: draft({ timeZone: 'Mars/Olympus_Mons', startsAt: '2030-02-30T10:00' }) })
    expect(zone.ok).toBe(false)
    if (!zone.ok) expect(Object.keys(zone.fieldErrors)).toEqual(['timeZone'])
    const date = await createGrant({ db, assetId, actorId: legal.id, input: draft({ startsAt: '2030-02-30T10:00' }) })
    expect(date.ok).toBe(false)
    if (!date.ok) expect(date.fieldErrors).toEqual({ startsAt: expect.stringMatching(/date and time/) })

    expect(await db.rightsGrant.count({ where: { assetId } })).toBe(0)
    expect(await rightsAudit(assetId)).toHaveLength(0)
  })

  it('stores the terms, converts Berlin wall-clock times across both DST changes, audits, and starts the rights window', async () => {
    const assetId = await newAsset('Berlin DST')
    const result = await createGrant({
      db,
      assetId,
      actorId: legal.id,
      ipAddress: '203.0.113.9',
      input: draft({
        licenceType: 'creative_commons',
        licenceVariant: 'cc by-sa 4.0',
        // 02:30 does not exist on 28 March 2027 in Berlin (clocks jump 02:00 → 03:00): it means 03:30 CEST.
        startsAt: '2027-03-28T02:30',
        // 02:30 happens twice on 31 October 2027: the earlier one, still CEST (UTC+2), counts.
        expiresAt: '2027-10-31T02:30',
        organisationIds: [otherPartnerId, partnerId, partnerId],
        channels: ['print', 'web', 'web'],
        territories: 'de, at, DE',
      }),
    })
    expect(result).toMatchObject({ ok: true, assetId, changed: true, timers: 'planned' })
    if (!result.ok) return

    const grant = await db.rightsGrant.findUniqueOrThrow({ where: { id: result.grantId } })
    expect(grant).toMatchObject({
      licenceType: 'creative_commons',
      licenceVariant: 'CC BY-SA 4.0',
      licensor: 'Picture Agency',
      // In the channels' own order, without repeats.
      channels: ['web', 'print'],
      territories: ['DE', 'AT'],
      organisationIds: [otherPartnerId, partnerId].sort(),
      timeZone: 'Europe/Berlin',
      warnBeforeDays: 30,
      createdById: legal.id,
      revokedAt: null,
    })
    expect(grant.startsAt?.toISOString()).toBe('2027-03-28T01:30:00.000Z')
    expect(grant.expiresAt?.toISOString()).toBe('2027-10-31T00:30:00.000Z')

    // Winter and summer times on ordinary days.
    const winter = await createGrant({ db, assetId, actorId: legal.id, input: draft({ startsAt: '2027-01-15T09:00', expiresAt: '2027-07-15T09:00' }) })
    if (!winter.ok) throw new Error('expected the grant to be stored')
    const stored = await db.rightsGrant.findUniqueOrThrow({ where: { id: winter.grantId } })
    expect(stored.startsAt?.toISOString()).toBe('2027-01-15T08:00:00.000Z')
    expect(stored.expiresAt?.toISOString()).toBe('2027-07-15T07:00:00.000Z')

    const events = await rightsAudit(assetId)
    expect(events).toHaveLength(2)
    expect(events[0]).toMatchObject({ actorId: legal.id, ipAddress: '203.0.113.9' })
    expect(detailOf(events[0]!)).toMatchObject({
      operation: 'create',
      grantId: result.grantId,
      terms: { licenceVariant: 'CC BY-SA 4.0', startsAt: '2027-03-28T01:30:00.000Z', expiresAt: '2027-10-31T00:30:00.000Z', timeZone: 'Europe/Berlin' },
    })

    const described = await describeRightsWindow(assetId)
    expect(described.type).toBe('rightsWindow')
    expect(described.taskQueue).toBe(env.TEMPORAL_TASK_QUEUE)
    expect(described.status.name).toBe('RUNNING')

    // The edit form shows the instants back as they were entered (the gap time moved forward).
    const { grants } = await listAssetGrants({ db, assetId, at: new Date('2027-02-01T00:00:00Z') })
    const view = grants.find((entry) => entry.id === result.grantId)
    expect(view).toMatchObject({ state: 'embargoed', draft: { startsAt: '2027-03-28T03:30', expiresAt: '2027-10-31T02:30', territories: 'DE, AT' } })
  })

  it('keeps the change when Temporal cannot be reached, and says the timers are re-planned later', async () => {
    const assetId = await newAsset('Temporal down')
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) })
    const started = Date.now()
    const result = await createGrant({ db, assetId, actorId: legal.id, input: draft(), temporal: unreachable, timeoutMs: 1_500 })
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(result).toMatchObject({ ok: true, timers: 'deferred' })
    expect(await db.rightsGrant.count({ where: { assetId } })).toBe(1)
    expect(await rightsAudit(assetId)).toHaveLength(1)
    await expect(describeRightsWindow(assetId)).rejects.toBeInstanceOf(WorkflowNotFoundError)
  })
})

describe('changing a grant', () => {
  it('updates with the changed fields in the audit row, and skips a save that changes nothing', async () => {
    const assetId = await newAsset('Update')
    const created = await createGrant({ db, assetId, actorId: legal.id, input: draft() })
    if (!created.ok) throw new Error('expected the grant to be stored')

    const invalid = await updateGrant({ db, grantId: created.grantId, assetId, actorId: legal.id, input: draft({ territories: 'WORLD' }) })
    expect(invalid).toEqual({ ok: false, fieldErrors: { territories: expect.stringMatching(/“WORLD” is not a territory code/) } })

    const updated = await updateGrant({
      db,
      grantId: created.grantId,
      assetId,
      actorId: legal.id,
      input: draft({ territories: 'WW, FR', channels: [], organisationIds: [partnerId] }),
    })
    expect(updated).toMatchObject({ ok: true, changed: true, timers: 'planned' })
    const grant = await db.rightsGrant.findUniqueOrThrow({ where: { id: created.grantId } })
    expect(grant).toMatchObject({ territories: ['WW'], channels: [], organisationIds: [partnerId] })
    const events = await rightsAudit(assetId)
    expect(events).toHaveLength(2)
    expect(detailOf(events[1]!)).toMatchObject({
      operation: 'update',
      grantId: created.grantId,
      changes: {
        territories: { from: ['DE', 'AT'], to: ['WW'] },
        channels: { from: ['web', 'print'], to: [] },
        organisationIds: { from: [], to: [partnerId] },
      },
    })
    expect(Object.keys(detailOf(events[1]!).changes as object).sort()).toEqual(['channels', 'organisationIds', 'territories'])

    const again = await updateGrant({
      db,
      grantId: created.grantId,
      assetId,
      actorId: legal.id,
      input: draft({ territories: 'ww', channels: [], organisationIds: [partnerId] }),
    })
    expect(again).toMatchObject({ ok: true, changed: false })
    expect(await rightsAudit(assetId)).toHaveLength(2)

    // A grant edited from another asset's page is not found there.
    const elsewhere = await newAsset('Elsewhere')
    await expectAppError(updateGrant({ db, grantId: created.grantId, assetId: elsewhere, actorId: legal.id, input: draft() }), 'NOT_FOUND')
  })

  it('extends by calendar days in the grant zone (23:59 stays 23:59 across the change to summer time) and refuses an earlier date', async () => {
    const assetId = await newAsset('Extend')
    const created = await createGrant({ db, assetId, actorId: legal.id, input: draft({ expiresAt: '2031-03-15T23:59' }) })
    if (!created.ok) throw new Error('expected the grant to be stored')
    const before = await db.rightsGrant.findUniqueOrThrow({ where: { id: created.grantId } })
    expect(before.expiresAt?.toISOString()).toBe('2031-03-15T22:59:00.000Z')

    const extended = await extendGrant({ db, grantId: created.grantId, assetId, actorId: legal.id, extension: { days: 30 } })
    expect(extended.timers).toBe('planned')
    const after = await db.rightsGrant.findUniqueOrThrow({ where: { id: created.grantId } })
    // 14 April 2031 23:59 CEST (UTC+2).
    expect(after.expiresAt?.toISOString()).toBe('2031-04-14T21:59:00.000Z')

    await expectAppError(
      extendGrant({ db, grantId: created.grantId, assetId, actorId: legal.id, extension: { until: '2031-04-01T12:00' } }),
      'BAD_REQUEST',
      /later than the current one/,
    )
    await extendGrant({ db, grantId: created.grantId, assetId, actorId: legal.id, extension: { until: '2031-12-31T23:59' } })
    expect((await db.rightsGrant.findUniqueOrThrow({ where: { id: created.grantId } })).expiresAt?.toISOString()).toBe('2031-12-31T22:59:00.000Z')

    const events = (await rightsAudit(assetId)).filter((event) => detailOf(event).operation === 'extend')
    expect(events.map(detailOf)).toEqual([
      expect.objectContaining({ grantId: created.grantId, from: '2031-03-15T22:59:00.000Z', to: '2031-04-14T21:59:00.000Z', days: 30 }),
      expect.objectContaining({ grantId: created.grantId, from: '2031-04-14T21:59:00.000Z', to: '2031-12-31T22:59:00.000Z' }),
    ])

    const open = await createGrant({ db, assetId, actorId: legal.id, input: draft({ expiresAt: '' }) })
    if (!open.ok) throw new Error('expected the grant to be stored')
    await expectAppError(extendGrant({ db, grantId: open.grantId, actorId: legal.id, extension: { days: 30 } }), 'CONFLICT', /no expiry/)
  })

  it('revokes with a reason kept in the audit trail; a revoked grant cannot be revoked, edited or extended', async () => {
    const assetId = await newAsset('Revoke')
    const created = await createGrant({ db, assetId, actorId: legal.id, input: draft() })
    if (!created.ok) throw new Error('expected the grant to be stored')

    await expectAppError(revokeGrant({ db, grantId: created.grantId, assetId, actorId: legal.id, reason: '   ' }), 'BAD_REQUEST', /Say why/)
    const before = Date.now()
    const revoked = await revokeGrant({ db, grantId: created.grantId, assetId, actorId: legal.id, reason: 'Model withdrew consent.' })
    expect(revoked.timers).toBe('planned')
    const grant = await db.rightsGrant.findUniqueOrThrow({ where: { id: created.grantId } })
    expect(grant.revokedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000)
    const events = await rightsAudit(assetId)
    expect(detailOf(events.at(-1)!)).toMatchObject({ operation: 'revoke', grantId: created.grantId, reason: 'Model withdrew consent.' })

    await expectAppError(revokeGrant({ db, grantId: created.grantId, actorId: legal.id, reason: 'again' }), 'CONFLICT', /already revoked/)
    await expectAppError(updateGrant({ db, grantId: created.grantId, actorId: legal.id, input: draft() }), 'CONFLICT', /revoked/)
    await expectAppError(extendGrant({ db, grantId: created.grantId, actorId: legal.id, extension: { days: 30 } }), 'CONFLICT', /revoked/)
    expect(await rightsAudit(assetId)).toHaveLength(events.length)

    const { grants, counts } = await listAssetGrants({ db, assetId })
    expect(grants[0]).toMatchObject({ state: 'revoked', revokeReason: 'Model withdrew consent.' })
    expect(counts.revoked).toBe(1)
    expect((await describeRightsWindow(assetId)).status.name).toBe('RUNNING')
  })
})

describe('bulk grants', () => {
  it('adds one grant per asset of a collection in one transaction, audits each, and signals every asset', async () => {
    const members = [await newAsset('Collection A'), await newAsset('Collection B'), await newAsset('Collection C')]
    const collection = await db.collection.create({
      data: {
        name: `Summer ${run}`,
        ownerId: legal.id,
        organisationId: brandId,
        items: { create: members.map((assetId, position) => ({ assetId, position })) },
      },
    })

    const invalid = await addGrantToAssets({ db, target: { kind: 'collection', collectionId: collection.id }, actorId: legal.id, input: draft({ warnBeforeDays: '-1' }) })
    expect(invalid).toEqual({ ok: false, fieldErrors: { warnBeforeDays: 'Give 0 or more days.' } })

    const result = await addGrantToAssets({
      db,
      target: { kind: 'collection', collectionId: collection.id },
      actorId: legal.id,
      input: draft({ licenceType: 'royalty_free', expiresAt: '2031-01-31T23:59' }),
    })
    expect(result).toMatchObject({ ok: true, created: 3, collection: { id: collection.id }, timers: { signalled: 3, deferred: 0 } })
    if (!result.ok) return
    expect(result.assetIds).toEqual(members)

    const grants = await db.rightsGrant.findMany({ where: { assetId: { in: members } } })
    expect(grants).toHaveLength(3)
    expect(new Set(grants.map((grant) => grant.assetId))).toEqual(new Set(members))
    for (const grant of grants) {
      expect(grant).toMatchObject({ licenceType: 'royalty_free', channels: ['web', 'print'], territories: ['DE', 'AT'], timeZone: 'Europe/Berlin' })
      expect(grant.expiresAt?.toISOString()).toBe('2031-01-31T22:59:00.000Z')
    }
    for (const assetId of members) {
      const events = await rightsAudit(assetId)
      expect(events).toHaveLength(1)
      expect(detailOf(events[0]!)).toMatchObject({ operation: 'create', bulk: { batchId: result.batchId, size: 3, collectionId: collection.id } })
      expect((await describeRightsWindow(assetId)).status.name).toBe('RUNNING')
    }
  })

  it('keeps a bulk change when Temporal is down, without waiting out a timeout per asset', async () => {
    const many = await Promise.all(Array.from({ length: 20 }, (_, index) => newAsset(`Down ${index}`)))
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) })
    const started = Date.now()
    const result = await addGrantToAssets({ db, target: { kind: 'assets', assetIds: many }, actorId: legal.id, input: draft(), temporal: unreachable, timeoutMs: 1_500 })
    // One round of parallel attempts (at most 1.5 s each), then the rest are deferred at once.
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(result).toMatchObject({ ok: true, created: 20, timers: { signalled: 0, deferred: 20 } })
    expect(await db.rightsGrant.count({ where: { assetId: { in: many } } })).toBe(20)
  })

  it('writes nothing at all when one asset of a selection does not exist', async () => {
    const real = [await newAsset('Selection A'), await newAsset('Selection B')]
    await expectAppError(
      addGrantToAssets({ db, target: { kind: 'assets', assetIds: [...real, `missing-${run}`] }, actorId: legal.id, input: draft() }),
      'BAD_REQUEST',
      /No asset has the id missing-/,
    )
    expect(await db.rightsGrant.count({ where: { assetId: { in: real } } })).toBe(0)
    for (const assetId of real) expect(await rightsAudit(assetId)).toHaveLength(0)
  })

  it('extends and revokes a board selection, skipping grants that cannot change', async () => {
    const a = await newAsset('Board A')
    const b = await newAsset('Board B')
    const first = await createGrant({ db, assetId: a, actorId: legal.id, input: draft({ expiresAt: '2031-05-01T12:00' }) })
    const second = await createGrant({ db, assetId: b, actorId: legal.id, input: draft({ expiresAt: '' }) })
    if (!first.ok || !second.ok) throw new Error('expected the grants to be stored')

    const extended = await extendGrants({ db, grantIds: [first.grantId, second.grantId], days: 30, actorId: legal.id })
    expect(extended).toMatchObject({ changed: 1, skipped: [{ grantId: second.grantId, message: expect.stringMatching(/no expiry/) }] })
    expect((await db.rightsGrant.findUniqueOrThrow({ where: { id: first.grantId } })).expiresAt?.toISOString()).toBe('2031-05-31T10:00:00.000Z')

    const revoked = await revokeGrants({ db, grantIds: [first.grantId, second.grantId], reason: 'Campaign cancelled', actorId: legal.id })
    expect(revoked).toMatchObject({ changed: 2, skipped: [], timers: { signalled: 2, deferred: 0 } })
    const again = await revokeGrants({ db, grantIds: [first.grantId], reason: 'twice', actorId: legal.id })
    expect(again).toMatchObject({ changed: 0, skipped: [{ grantId: first.grantId, message: 'Already revoked.' }] })
    expect((await rightsAudit(b)).map((event) => detailOf(event).operation)).toEqual(['create', 'revoke'])
  })
})

describe('the expiring-soon board', () => {
  it('lists expiries and embargo ends in range, filtered by channel and territory', async () => {
    const assetId = await newAsset('Board listing')
    const now = new Date()
    const local = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 16)
    const soon = await createGrant({ db, assetId, actorId: legal.id, input: draft({ timeZone: 'UTC', channels: ['social'], territories: 'JP', expiresAt: local(5) }) })
    const opening = await createGrant({ db, assetId, actorId: legal.id, input: draft({ timeZone: 'UTC', channels: [], territories: '', startsAt: local(20), expiresAt: local(200) }) })
    if (!soon.ok || !opening.ok) throw new Error('expected the grants to be stored')

    const week = await getExpiringBoard({ db, query: { days: 7 }, at: now })
    const mine = (board: typeof week) => board.changes.filter((change) => change.asset.id === assetId).map((change) => `${change.grantId}:${change.kind}`)
    expect(mine(week)).toEqual([`${soon.grantId}:expiry`])
    const month = await getExpiringBoard({ db, query: { days: 30 }, at: now })
    expect(mine(month)).toEqual([`${soon.grantId}:expiry`, `${opening.grantId}:start`])
    expect(month.timeline.buckets.reduce((sum, bucket) => sum + bucket.expiries + bucket.starts, 0)).toBe(month.total)

    // The grant for every channel and worldwide concerns every filter; the social/JP one only its own.
    expect(mine(await getExpiringBoard({ db, query: { days: 30, channel: 'print' }, at: now }))).toEqual([`${opening.grantId}:start`])
    expect(mine(await getExpiringBoard({ db, query: { days: 30, territory: 'JP' }, at: now }))).toHaveLength(2)
    expect(mine(await getExpiringBoard({ db, query: { days: 30, territory: 'FR' }, at: now }))).toEqual([`${opening.grantId}:start`])
  })
})

describe('release documents', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

  async function* chunks(buffer: Buffer, size = 256 * 1024): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size)
  }

  async function objectsUnder(prefix: string): Promise<number> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3')
    const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix }))
    return listed.KeyCount ?? 0
  }

  it('refuses a wrong type and an oversize file, storing nothing, and stores a PDF under releases/<grantId>/', async () => {
    const assetId = await newAsset('Releases')
    const created = await createGrant({ db, assetId, actorId: legal.id, input: draft() })
    if (!created.ok) throw new Error('expected the grant to be stored')
    const { grantId } = created
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toBuffer()

    await expectAppError(
      storeRelease({ db, storage, grantId, kind: 'model', actorId: legal.id, file: { stream: chunks(gif), filename: 'consent.pdf', declaredType: 'application/pdf' } }),
      'UNSUPPORTED_MEDIA_TYPE',
      /consent\.pdf is image\/gif\. Releases must be PDF, JPEG or PNG/,
    )
    await expectAppError(
      storeRelease({ db, storage, grantId, kind: 'model', actorId: legal.id, file: { stream: chunks(Buffer.from('signed by hand')), filename: 'consent.txt' } }),
      'UNSUPPORTED_MEDIA_TYPE',
    )
    const oversize = Buffer.concat([pdf, Buffer.alloc(RELEASE_MAX_BYTES + 1 - pdf.length, 0x20)])
    await expectAppError(
      storeRelease({ db, storage, grantId, kind: 'model', actorId: legal.id, file: { stream: chunks(oversize), filename: 'huge.pdf' } }),
      'PAYLOAD_TOO_LARGE',
      /20 MB/,
    )
    expect(await db.rightsRelease.count({ where: { grantId } })).toBe(0)
    expect(await objectsUnder(`releases/${grantId}/`)).toBe(0)

    const stored = await storeRelease({
      db,
      storage,
      grantId,
      assetId,
      kind: 'property',
      actorId: legal.id,
      file: { stream: chunks(pdf), filename: 'Villa Rosa – property release.pdf', declaredType: 'application/pdf' },
    })
    const release = await db.rightsRelease.findUniqueOrThrow({ where: { id: stored.releaseId } })
    releaseKeys.push(release.storageKey)
    expect(release).toMatchObject({ grantId, kind: 'property', filename: 'Villa Rosa – property release.pdf' })
    expect(release.storageKey).toBe(`releases/${grantId}/${stored.releaseId}-Villa_Rosa_property_release.pdf`)
    expect(await storage.getBuffer(release.storageKey)).toEqual(pdf)
    expect(detailOf((await rightsAudit(assetId)).at(-1)!)).toMatchObject({
      operation: 'release_added',
      grantId,
      releaseId: stored.releaseId,
      mediaType: 'application/pdf',
      bytes: pdf.length,
    })

    // Downloading is audited as a restricted view and answered with a short-lived URL that works.
    const download = await prepareReleaseDownload({ db, storage, releaseId: stored.releaseId, actorId: legal.id, expiresInSeconds: 600 })
    expect(new URL(download.url).searchParams.get('X-Amz-Expires')).toBe('60')
    const response = await fetch(download.url)
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer())).toEqual(pdf)
    const viewed = await db.auditEvent.findFirst({ where: { action: 'asset.view_restricted', subjectId: assetId }, orderBy: { seq: 'desc' } })
    expect(viewed?.detail).toMatchObject({ releaseId: stored.releaseId, kind: 'property' })
  })

  it('reads the multipart form: fields first, then the file streamed; a grant of another asset is not found', async () => {
    const assetId = await newAsset('Release form')
    const created = await createGrant({ db, assetId, actorId: legal.id, input: draft() })
    if (!created.ok) throw new Error('expected the grant to be stored')
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer()
    const post = (fields: Record<string, string>, file: Buffer, name: string) => {
      const form = new FormData()
      for (const [key, value] of Object.entries(fields)) form.append(key, value)
      form.append('file', new Blob([new Uint8Array(file)], { type: 'image/png' }), name)
      return new Request(`http://localhost/library/assets/${assetId}/rights`, { method: 'POST', body: form })
    }

    const good = await receiveReleaseUpload({ request: post({ grantId: created.grantId, kind: 'model' }, png, 'signed.png'), db, storage, assetId, actorId: legal.id })
    expect(good).toMatchObject({ ok: true, grantId: created.grantId, kind: 'model', mediaType: 'image/png', filename: 'signed.png' })
    if (good.ok) releaseKeys.push((await db.rightsRelease.findUniqueOrThrow({ where: { id: good.releaseId } })).storageKey)

    const badKind = await receiveReleaseUpload({ request: post({ grantId: created.grantId, kind: 'pet' }, png, 'signed.png'), db, storage, assetId, actorId: legal.id })
    expect(badKind).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/model or a property/) })

    const otherAsset = await newAsset('Other asset')
    const wrongPage = await receiveReleaseUpload({
      request: post({ grantId: created.grantId, kind: 'model' }, png, 'signed.png'),
      db,
      storage,
      assetId: otherAsset,
      actorId: legal.id,
    })
    expect(wrongPage).toMatchObject({ ok: false, status: 404 })
    expect(await db.rightsRelease.count({ where: { grantId: created.grantId } })).toBe(1)
  })
})

describe('rights channels', () => {
  it('adds, renames and reorders channels; refuses bad keys, duplicates, built-ins and channels in use', async () => {
    const key = `fair_${run}`
    const spare = `spare_${run}`
    channelKeys.push(key, spare)

    expect(await addRightsChannel({ db, actorId: legal.id, input: { key: 'Trade Fair', label: 'Trade fair' } })).toEqual({
      ok: false,
      fieldErrors: { key: expect.stringMatching(/lower-case letters, digits and underscores/) },
    })
    expect(await addRightsChannel({ db, actorId: legal.id, input: { key, label: '  ' } })).toEqual({ ok: false, fieldErrors: { label: 'Give the channel a label.' } })
    expect(await addRightsChannel({ db, actorId: legal.id, input: { key, label: 'Trade fair' } })).toEqual({ ok: true, key })
    expect(await addRightsChannel({ db, actorId: legal.id, input: { key, label: 'Again' } })).toEqual({ ok: false, fieldErrors: { key: expect.stringMatching(/already a channel/) } })
    expect(await addRightsChannel({ db, actorId: legal.id, input: { key: spare, label: 'Spare' } })).toEqual({ ok: true, key: spare })

    const listed = await listRightsChannels({ db })
    expect(listed.at(-1)).toMatchObject({ key: spare, builtIn: false, deleteBlockedBy: null })
    expect(listed.find((channel) => channel.key === 'web')).toMatchObject({ builtIn: true, deleteBlockedBy: 'Built-in channels cannot be deleted.' })

    expect(await renameRightsChannel({ db, actorId: legal.id, key, label: 'Trade fairs & events' })).toEqual({ ok: true, changed: true })
    expect(await moveRightsChannel({ db, actorId: legal.id, key: spare, direction: 'up' })).toEqual({ moved: true })
    const order = (await listRightsChannels({ db })).map((channel) => channel.key)
    expect(order.indexOf(spare)).toBe(order.indexOf(key) - 1)
    expect((await listRightsChannels({ db })).find((channel) => channel.key === key)?.label).toBe('Trade fairs & events')

    // A grant may name the new channel at once; then it cannot be deleted.
    const assetId = await newAsset('Channel user')
    const created = await createGrant({ db, assetId, actorId: legal.id, input: draft({ channels: [key] }) })
    expect(created.ok).toBe(true)
    await expectAppError(deleteRightsChannel({ db, actorId: legal.id, key }), 'CONFLICT', /Named by 1 grant/)
    await expectAppError(deleteRightsChannel({ db, actorId: legal.id, key: 'web' }), 'CONFLICT', /Built-in/)
    await deleteRightsChannel({ db, actorId: legal.id, key: spare })
    expect(await db.rightsChannel.findUnique({ where: { key: spare } })).toBeNull()

    const operations = await db.auditEvent.findMany({
      where: { action: 'rights.change', subjectType: 'rights_channel', subjectId: { in: [key, spare] } },
      orderBy: { seq: 'asc' },
    })
    expect(operations.map((event) => `${event.subjectId === key ? 'key' : 'spare'}:${detailOf(event).operation}`)).toEqual([
      'key:channel_add',
      'spare:channel_add',
      'key:channel_rename',
      'spare:channel_reorder',
      'spare:channel_delete',
    ])
  })
})
