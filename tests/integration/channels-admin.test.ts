/**
 * Channel administration through its use cases, on the test stack's PostgreSQL: channels
 * of all three kinds are created and edited; secrets are encrypted at rest, never read
 * back to the editor, kept when left blank and never audited; invalid input comes back
 * as field errors with nothing stored; and every save asks the channel's distributions
 * to re-plan, succeeding even when the workflow service does not answer.
 *
 * The re-plan is a stand-in here (the real one starts a Temporal batch that would act
 * on the test stack's assets); what it is asked, and what a failure of it does, is
 * what this file checks.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { createChannel, updateChannel, loadChannelForEdit, listChannels, submitChannelForm } = await import('~/distribution/channels.server')
const { decryptChannelSecrets } = await import('~/distribution/channel-secrets.server')
const { newChannelDraft } = await import('~/components/channels/channel-form')

type ChannelFormInput = import('~/components/channels/channel-form').ChannelFormInput
type ChannelSaveResult = import('~/distribution/channels.server').ChannelSaveResult
type ReplanChannel = import('~/distribution/channels.server').ReplanChannel

const db = getDb()
const run = randomBytes(4).toString('hex')
const S3_SECRET = `s3-secret-${randomBytes(12).toString('hex')}`
const SIGNING_SECRET = `signing-secret-${randomBytes(12).toString('hex')}`

let actorId: string
let collectionId: string
let organisationId: string
const createdChannelIds: string[] = []
const createdAssetIds: string[] = []

/** Records what it is asked; `failWith` makes it behave like an unreachable workflow service. */
function replanSpy(failWith?: Error): ReplanChannel & { calls: { channelId: string; actorId: string }[] } {
  const calls: { channelId: string; actorId: string }[] = []
  const replan = async (channelId: string, actor: string) => {
    calls.push({ channelId, actorId: actor })
    if (failWith) throw failWith
  }
  return Object.assign(replan, { calls })
}

function s3Input(overrides: Partial<ChannelFormInput> = {}): ChannelFormInput {
  return {
    ...newChannelDraft('web'),
    name: `Press bucket ${run}`,
    kind: 's3',
    s3Endpoint: 'http://127.0.0.1:9000',
    s3Region: 'eu-central-1',
    s3Bucket: 'press-bucket',
    s3Prefix: '/damson/press/',
    s3AccessKeyId: 'AKIAPRESS',
    s3SecretAccessKey: S3_SECRET,
    scopeFolders: '/campaigns/summer\n/press//kits/',
    scopeTags: 'press, Hero , press',
    ...overrides,
  }
}

function webhookInput(overrides: Partial<ChannelFormInput> = {}): ChannelFormInput {
  return {
    ...newChannelDraft('social'),
    name: `Social hook ${run}`,
    kind: 'webhook',
    webhookUrl: 'https://hooks.example.com/damson',
    webhookSigningSecret: SIGNING_SECRET,
    format: 'webp',
    maxWidth: '1080',
    maxHeight: '1080',
    fit: 'cover',
    quality: '80',
    watermarkText: 'Press',
    watermarkPosition: 'top-left',
    watermarkOpacity: '40',
    autoPublish: false,
    ...overrides,
  }
}

function folderInput(overrides: Partial<ChannelFormInput> = {}): ChannelFormInput {
  return { ...newChannelDraft('print'), name: `Print folder ${run}`, kind: 'folder', folderPath: `print/${run}`, format: 'original', ...overrides }
}

async function create(input: ChannelFormInput, replan = replanSpy()): Promise<ChannelSaveResult> {
  const result = await createChannel({ db, input, actorId, ipAddress: '192.0.2.10', replan })
  if (result.ok) createdChannelIds.push(result.channelId)
  return result
}

function channelIdOf(result: ChannelSaveResult): string {
  if (!result.ok) throw new Error(`Expected a saved channel, got ${JSON.stringify(result.fieldErrors)}`)
  return result.channelId
}

async function auditDetails(channelId: string) {
  return db.auditEvent.findMany({ where: { subjectType: 'channel', subjectId: channelId }, orderBy: { seq: 'asc' }, select: { action: true, detail: true, actorId: true } })
}

beforeAll(async () => {
  const organisation = await db.organisation.create({ data: { name: `Channel test brand ${run}`, slug: `channel-brand-${run}`, kind: 'brand' } })
  const actor = await db.user.create({
    data: {
      email: `channel-admin-${run}@example.test`,
      name: 'Channel Admin',
      passwordHash: 'not-a-real-hash',
      memberships: { create: { organisationId: organisation.id, roles: ['librarian'] } },
    },
  })
  actorId = actor.id
  organisationId = organisation.id
  const collection = await db.collection.create({ data: { name: `Press picks ${run}`, ownerId: actor.id, organisationId: organisation.id } })
  collectionId = collection.id
})

afterAll(async () => {
  // Audit rows stay (the chain is append-only); the channels, the asset and the collection go.
  await db.channel.deleteMany({ where: { id: { in: createdChannelIds } } })
  await db.asset.deleteMany({ where: { id: { in: createdAssetIds } } })
  await db.collection.deleteMany({ where: { id: collectionId } })
})

describe('creating channels', () => {
  it('creates an S3 channel with its secret encrypted at rest, audited without it, and asks its distributions to re-plan', async () => {
    const replan = replanSpy()
    const result = await create(s3Input({ scopeCollectionIds: [collectionId] }), replan)
    const channelId = channelIdOf(result)
    expect(result).toMatchObject({ ok: true, replan: 'started' })
    expect(replan.calls).toEqual([{ channelId, actorId }])

    const row = await db.channel.findUniqueOrThrow({ where: { id: channelId } })
    expect(row.kind).toBe('s3')
    expect(row.destination).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-central-1',
      bucket: 'press-bucket',
      prefix: 'damson/press/',
      accessKeyId: 'AKIAPRESS',
      forcePathStyle: true,
    })
    expect(row.scopeFolders).toEqual(['/campaigns/summer', '/press/kits'])
    expect(row.scopeTags).toEqual(['press', 'Hero'])
    expect(row.scopeCollectionIds).toEqual([collectionId])
    expect(row.rightsChannel).toBe('web')

    // At rest: a cipher, not the secret; it opens only under this channel's id.
    expect(row.secretsCipher).toMatch(/^v1\./)
    expect(JSON.stringify(row)).not.toContain(S3_SECRET)
    expect(decryptChannelSecrets(channelId, row.secretsCipher)).toEqual({ secretAccessKey: S3_SECRET })

    const [audit] = await auditDetails(channelId)
    expect(audit).toMatchObject({ action: 'channel.create', actorId })
    expect(JSON.stringify(audit?.detail)).not.toContain(S3_SECRET)
    expect(audit?.detail).toMatchObject({ name: `Press bucket ${run}`, kind: 's3', secrets: ['secretAccessKey'] })
  })

  it('creates a webhook channel and stores its preset in the domain’s shape', async () => {
    const channelId = channelIdOf(await create(webhookInput()))
    const row = await db.channel.findUniqueOrThrow({ where: { id: channelId } })
    expect(row.destination).toEqual({ kind: 'webhook', url: 'https://hooks.example.com/damson' })
    expect(row.preset).toEqual({
      format: 'webp',
      maxWidth: 1080,
      maxHeight: 1080,
      fit: 'cover',
      quality: 80,
      watermark: { text: 'Press', position: 'top-left', opacity: 0.4 },
      colourProfile: 'srgb',
      metadata: 'strip',
    })
    expect(row.autoPublish).toBe(false)
    expect(row.secretsCipher).not.toContain(SIGNING_SECRET)
    expect(decryptChannelSecrets(channelId, row.secretsCipher)).toEqual({ signingSecret: SIGNING_SECRET })
  })

  it('creates a folder channel with no secrets at all', async () => {
    const channelId = channelIdOf(await create(folderInput()))
    const row = await db.channel.findUniqueOrThrow({ where: { id: channelId } })
    expect(row.destination).toEqual({ kind: 'folder', path: `print/${run}` })
    expect(row.secretsCipher).toBeNull()
  })

  it('saves even when the workflow service does not answer, and says the channel catches up later', async () => {
    const replan = replanSpy(new Error('Failed to connect before the deadline'))
    const result = await create(folderInput({ name: `Offline folder ${run}`, folderPath: `offline/${run}` }), replan)
    expect(result).toMatchObject({ ok: true, replan: 'deferred' })
    expect(await db.channel.count({ where: { id: channelIdOf(result) } })).toBe(1)
  })

  it('does not wait for a workflow service that hangs', async () => {
    const hanging: ReplanChannel = () => new Promise<void>(() => undefined)
    const started = Date.now()
    const result = await createChannel({
      db,
      input: folderInput({ name: `Hanging folder ${run}`, folderPath: `hanging/${run}` }),
      actorId,
      replan: hanging,
      replanTimeoutMs: 200,
    })
    if (result.ok) createdChannelIds.push(result.channelId)
    expect(result).toMatchObject({ ok: true, replan: 'deferred' })
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})

describe('reading a channel for the editor', () => {
  it('lists channels with their counts, and never returns a secret', async () => {
    const channelId = channelIdOf(await create(s3Input({ name: `Listed bucket ${run}` })))
    const webhookId = channelIdOf(await create(webhookInput({ name: `Listed hook ${run}` })))

    const s3 = await loadChannelForEdit({ db, channelId })
    expect(s3.hasSecret).toEqual({ secretAccessKey: true, signingSecret: false })
    expect(s3.secretsProblem).toBeNull()
    expect(s3.draft).toMatchObject({ kind: 's3', s3Bucket: 'press-bucket', s3Prefix: 'damson/press/', scopeFolders: '/campaigns/summer\n/press/kits' })
    expect(JSON.stringify(s3)).not.toContain(S3_SECRET)

    const webhook = await loadChannelForEdit({ db, channelId: webhookId })
    expect(webhook.hasSecret).toEqual({ secretAccessKey: false, signingSecret: true })
    expect(webhook.draft).toMatchObject({ watermarkText: 'Press', watermarkOpacity: '40', maxWidth: '1080' })
    expect(JSON.stringify(webhook)).not.toContain(SIGNING_SECRET)

    const listed = (await listChannels({ db })).find((channel) => channel.id === channelId)
    expect(listed).toMatchObject({
      name: `Listed bucket ${run}`,
      destination: 's3://press-bucket/damson/press/ at http://127.0.0.1:9000',
      rightsChannel: { key: 'web', label: 'Web' },
      counts: { live: 0, pending: 0, failed: 0, takenDown: 0 },
    })
    expect(JSON.stringify(await listChannels({ db }))).not.toMatch(new RegExp(`${S3_SECRET}|${SIGNING_SECRET}`))
  })
})

describe('updating channels', () => {
  it('keeps the stored secret when the field is left blank, and audits what changed without secrets', async () => {
    const channelId = channelIdOf(await create(s3Input({ name: `Kept secret ${run}` })))
    const before = await db.channel.findUniqueOrThrow({ where: { id: channelId } })
    const replan = replanSpy()
    const result = await updateChannel({
      db,
      channelId,
      input: s3Input({ name: `Kept secret ${run}`, s3SecretAccessKey: '', quality: '70', scopeTags: 'press' }),
      actorId,
      replan,
    })
    expect(result).toMatchObject({ ok: true, replan: 'started' })
    expect(result.ok && result.changed).toEqual(['preset', 'scopeTags'])
    expect(replan.calls).toHaveLength(1)

    const after = await db.channel.findUniqueOrThrow({ where: { id: channelId } })
    expect(after.secretsCipher).toBe(before.secretsCipher)
    expect(decryptChannelSecrets(channelId, after.secretsCipher)).toEqual({ secretAccessKey: S3_SECRET })

    const update = (await auditDetails(channelId)).find((event) => event.action === 'channel.update')
    expect(update?.detail).toMatchObject({ changed: ['preset', 'scopeTags'], scope: { tags: ['press'] } })
    expect(JSON.stringify(update?.detail)).not.toContain(S3_SECRET)
  })

  it('replaces the secret when a new one is typed, naming only the field in the audit', async () => {
    const channelId = channelIdOf(await create(webhookInput({ name: `New secret ${run}` })))
    const replacement = `replacement-${randomBytes(12).toString('hex')}`
    const result = await updateChannel({ db, channelId, input: webhookInput({ name: `New secret ${run}`, webhookSigningSecret: replacement }), actorId, replan: replanSpy() })
    expect(result.ok && result.changed).toEqual(['signingSecret'])
    const row = await db.channel.findUniqueOrThrow({ where: { id: channelId } })
    expect(decryptChannelSecrets(channelId, row.secretsCipher)).toEqual({ signingSecret: replacement })
    const update = (await auditDetails(channelId)).find((event) => event.action === 'channel.update')
    expect(JSON.stringify(update?.detail)).not.toMatch(new RegExp(`${replacement}|${SIGNING_SECRET}`))
  })

  it('changes nothing, audits nothing and plans nothing when nothing changed; a new name alone needs no re-plan', async () => {
    const channelId = channelIdOf(await create(folderInput({ name: `Same ${run}`, folderPath: `same/${run}` })))
    const replan = replanSpy()
    const same = await updateChannel({ db, channelId, input: folderInput({ name: `Same ${run}`, folderPath: `same/${run}` }), actorId, replan })
    expect(same).toMatchObject({ ok: true, changed: [], replan: 'not-needed' })
    const renamed = await updateChannel({ db, channelId, input: folderInput({ name: `Renamed ${run}`, folderPath: `same/${run}` }), actorId, replan })
    expect(renamed).toMatchObject({ ok: true, changed: ['name'], replan: 'not-needed' })
    expect(replan.calls).toHaveLength(0)
    expect((await auditDetails(channelId)).map((event) => event.action)).toEqual(['channel.create', 'channel.update'])
  })

  it('asks for the secret when the kind changes to one that needs a secret', async () => {
    const channelId = channelIdOf(await create(folderInput({ name: `Kind change ${run}`, folderPath: `kind/${run}` })))
    const result = await updateChannel({ db, channelId, input: webhookInput({ name: `Kind change ${run}`, webhookSigningSecret: '' }), actorId, replan: replanSpy() })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.fieldErrors.webhookSigningSecret).toMatch(/signing secret/)
    expect((await db.channel.findUniqueOrThrow({ where: { id: channelId } })).kind).toBe('folder')
  })

  it('refuses to move the destination while assets are at it', async () => {
    const channelId = channelIdOf(await create(folderInput({ name: `Busy folder ${run}`, folderPath: `busy/${run}` })))
    const asset = await db.asset.create({
      data: { title: `Busy asset ${run}`, kind: 'image', ownerOrganisationId: organisationId, createdById: actorId },
      select: { id: true },
    })
    createdAssetIds.push(asset.id)
    await db.distribution.create({ data: { assetId: asset.id, channelId, state: 'published', externalRef: `busy/${run}/file.jpg` } })
    const moved = await updateChannel({ db, channelId, input: folderInput({ name: `Busy folder ${run}`, folderPath: `elsewhere/${run}` }), actorId, replan: replanSpy() })
    expect(moved.ok).toBe(false)
    expect(!moved.ok && moved.fieldErrors.folderPath).toMatch(/1 asset is at the current destination/)
    // Anything else may still change.
    const disabled = await updateChannel({ db, channelId, input: folderInput({ name: `Busy folder ${run}`, folderPath: `busy/${run}`, enabled: false }), actorId, replan: replanSpy() })
    expect(disabled).toMatchObject({ ok: true, changed: ['enabled'], replan: 'started' })
  })
})

describe('invalid input', () => {
  async function expectRefused(input: ChannelFormInput, field: keyof Extract<ChannelSaveResult, { ok: false }>['fieldErrors'], message: RegExp) {
    const channelsBefore = await db.channel.count()
    const auditsBefore = await db.auditEvent.count({ where: { action: 'channel.create' } })
    const replan = replanSpy()
    const result = await create(input, replan)
    expect(result.ok, `expected a refusal for ${field}`).toBe(false)
    if (result.ok) return
    expect(result.fieldErrors[field]).toMatch(message)
    expect(await db.channel.count()).toBe(channelsBefore)
    expect(await db.auditEvent.count({ where: { action: 'channel.create' } })).toBe(auditsBefore)
    expect(replan.calls).toHaveLength(0)
  }

  it('refuses an endpoint that is no URL', async () => {
    await expectRefused(s3Input({ name: `Bad endpoint ${run}`, s3Endpoint: 'not a url' }), 's3Endpoint', /S3 endpoint URL/)
  })

  it('refuses a webhook URL that is no URL, rather than failing', async () => {
    await expectRefused(webhookInput({ name: `Bad hook ${run}`, webhookUrl: 'hooks dot example' }), 'webhookUrl', /webhook URL/)
  })

  it('refuses plain HTTP to a host other than this machine', async () => {
    await expectRefused(webhookInput({ name: `Plain hook ${run}`, webhookUrl: 'http://hooks.example.com/damson' }), 'webhookUrl', /HTTPS/)
  })

  it('allows plain HTTP to this machine', async () => {
    const result = await create(webhookInput({ name: `Local hook ${run}`, webhookUrl: 'http://127.0.0.1:8787/hook' }))
    expect(result.ok).toBe(true)
  })

  it('refuses a folder that climbs out with ..', async () => {
    await expectRefused(folderInput({ name: `Climbing folder ${run}`, folderPath: 'print/../../etc' }), 'folderPath', /\.\./)
  })

  it('refuses a scope folder that does not start with /', async () => {
    await expectRefused(folderInput({ name: `Bad scope ${run}`, scopeFolders: '/fine\ncampaigns' }), 'scopeFolders', /Line 2 .* must start with “\/”/)
  })

  it('refuses an unknown rights channel', async () => {
    await expectRefused(folderInput({ name: `Unknown rights ${run}`, rightsChannel: `nowhere_${run}` }), 'rightsChannel', /rights channel/)
  })

  it('refuses a collection that does not exist', async () => {
    await expectRefused(folderInput({ name: `Unknown collection ${run}`, scopeCollectionIds: [`missing-${run}`] }), 'scopeCollectionIds', /no longer exists/)
  })

  it('refuses a duplicate name', async () => {
    channelIdOf(await create(folderInput({ name: `Twin ${run}`, folderPath: `twin/${run}` })))
    await expectRefused(folderInput({ name: `  Twin   ${run} `, folderPath: `twin2/${run}` }), 'name', /already called/)
  })

  it('refuses CMYK with WebP', async () => {
    await expectRefused(folderInput({ name: `CMYK webp ${run}`, format: 'webp', colourProfile: 'cmyk' }), 'colourProfile', /CMYK output needs JPEG/)
  })

  it('refuses a missing secret on a new channel, and numbers out of range, in plain words', async () => {
    await expectRefused(s3Input({ name: `No secret ${run}`, s3SecretAccessKey: '   ' }), 's3SecretAccessKey', /secret access key/)
    await expectRefused(folderInput({ name: `Bad numbers ${run}`, maxWidth: 'wide', quality: '101' }), 'maxWidth', /whole pixels from 16 to 16384/)
  })

  it('answers the form with every problem at once, the values to show again, and no secret', async () => {
    const formData = new FormData()
    const input = webhookInput({ name: '', webhookUrl: 'http://hooks.example.com/x', rightsChannel: `nowhere_${run}` })
    for (const [key, value] of Object.entries(input)) {
      if (Array.isArray(value)) for (const item of value) formData.append(key, item)
      else if (typeof value === 'boolean') {
        if (value) formData.set(key, 'on')
      } else if (value !== undefined) formData.set(key, value)
    }
    const outcome = await submitChannelForm({ db, channelId: null, formData, actorId, replan: replanSpy() })
    expect(outcome.kind).toBe('invalid')
    if (outcome.kind !== 'invalid') return
    expect(Object.keys(outcome.fieldErrors).sort()).toEqual(['name', 'rightsChannel', 'webhookUrl'])
    expect(outcome.draft).toMatchObject({ webhookUrl: 'http://hooks.example.com/x', watermarkText: 'Press', format: 'webp', autoPublish: false })
    expect(JSON.stringify(outcome)).not.toContain(SIGNING_SECRET)
  })
})
