/**
 * Legal's use cases for one asset's rights grants: list, create, update, revoke and
 * extend. There is no delete: a grant that no longer holds is revoked, and the record
 * stays for the audit trail and for partners' takedown notices.
 *
 * Every write is validated with the form's own schema (./grant-terms), written with its
 * 'rights.change' audit row in one transaction (the operation in `detail.operation`),
 * and only then announced to the asset's rights-window workflow. The workflow drives
 * what happens at each change point, but reads never wait for it: if Temporal cannot
 * be reached the change stands and the caller is told the timers are re-planned later.
 */
import type { Client } from '@temporalio/client'
import { appendAuditEvent } from '~/audit.server'
import type { Db, DbOrTx } from '~/db.server'
import { formatRightsInstant } from '~/domain/rights'
import { AppError } from '~/errors.server'
import type { Prisma } from '~/generated/prisma/client'
import { GRANT_STATE_LABELS, grantStateName, relativeTo, type GrantStateName } from './grant-state'
import {
  emptyGrantDraft,
  grantDraftFromTerms,
  grantFieldErrors,
  grantTermsSchema,
  LICENCE_LABELS,
  RevokeReasonSchema,
  type GrantDraft,
  type GrantFieldErrors,
  type GrantTerms,
  type GrantTermsContext,
  type GrantTermsInput,
  type LicenceTypeName,
} from './grant-terms'
import { addDaysInZone, listTimeZones, localTextToInstant } from './local-time'
import { notifyRightsChanged } from './rights-window.server'

// ───────────────────────────── telling the rights-window workflow

/** Whether the asset's rights-window workflow heard about the change. */
export type TimersOutcome = 'planned' | 'deferred'

export const TIMERS_DEFERRED_MESSAGE = 'Saved; timers will be re-planned when the workflow service is back.'

/** Long enough for a healthy server; short enough that a dead one does not hold up legal's form. */
const NOTIFY_TIMEOUT_MS = 5_000
/** Signals in flight at once when a bulk change touches many assets. */
const NOTIFY_CONCURRENCY = 8
/** Failures in a row, with no success, after which the workflow service counts as down. */
const GIVE_UP_AFTER_FAILURES = NOTIFY_CONCURRENCY

export type SignalOptions = {
  /** Temporal client; the process-wide one by default. */
  temporal?: Client
  timeoutMs?: number
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
    // A late failure of the abandoned call must not surface as an unhandled rejection.
    promise.catch(() => undefined)
  }
}

/**
 * Signals each asset's rights-window workflow (starting it if needed), a few at a
 * time. Never throws: the grants are committed already, and read paths evaluate them
 * against the clock without the workflow, so a failure is logged and reported.
 */
export async function signalRightsWindows(
  assetIds: readonly string[],
  options: SignalOptions = {},
): Promise<{ signalled: string[]; failed: string[] }> {
  const signalled: string[] = []
  const failed: string[] = []
  const queue = [...new Set(assetIds)]
  const timeoutMs = options.timeoutMs ?? NOTIFY_TIMEOUT_MS
  // The first few failures with no success mean the service is down: the rest would only
  // wait out their timeouts too (minutes for a large bulk change), so they are deferred at once.
  const giveUp = () => signalled.length === 0 && failed.length >= GIVE_UP_AFTER_FAILURES
  async function work(): Promise<void> {
    for (let assetId = queue.shift(); assetId !== undefined; assetId = queue.shift()) {
      if (giveUp()) {
        failed.push(assetId)
        continue
      }
      try {
        await withTimeout(notifyRightsChanged({ assetId, client: options.temporal }), timeoutMs, `Signalling rights-${assetId}`)
        signalled.push(assetId)
      } catch (error) {
        failed.push(assetId)
        console.error(`Rights of asset ${assetId} changed, but its rights-window workflow could not be signalled; it re-plans when signalled next.`, error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(NOTIFY_CONCURRENCY, queue.length) }, work))
  if (giveUp() && failed.length > GIVE_UP_AFTER_FAILURES) {
    console.error(`The workflow service did not answer; ${failed.length - GIVE_UP_AFTER_FAILURES} more rights-window workflows were not signalled.`)
  }
  return { signalled, failed }
}

async function announce(assetId: string, options: SignalOptions): Promise<TimersOutcome> {
  const { failed } = await signalRightsWindows([assetId], options)
  return failed.length === 0 ? 'planned' : 'deferred'
}

// ───────────────────────────── what a grant may name

export type ChannelOption = { key: string; label: string }
export type PartnerOption = { id: string; name: string }

export type GrantFormOptions = {
  channels: ChannelOption[]
  partners: PartnerOption[]
  timeZones: string[]
}

export async function listChannelOptions(db: DbOrTx): Promise<ChannelOption[]> {
  return db.rightsChannel.findMany({ orderBy: [{ position: 'asc' }, { key: 'asc' }], select: { key: true, label: true } })
}

export async function listPartnerOptions(db: DbOrTx): Promise<PartnerOption[]> {
  return db.organisation.findMany({ where: { kind: 'partner' }, orderBy: { name: 'asc' }, select: { id: true, name: true } })
}

/** The choices the grant form offers. */
export async function getGrantFormOptions({ db }: { db: DbOrTx }): Promise<GrantFormOptions> {
  const [channels, partners] = await Promise.all([listChannelOptions(db), listPartnerOptions(db)])
  return { channels, partners, timeZones: listTimeZones() }
}

export async function loadGrantTermsContext(db: DbOrTx): Promise<GrantTermsContext> {
  const [channels, partners] = await Promise.all([listChannelOptions(db), listPartnerOptions(db)])
  return { channelKeys: channels.map((channel) => channel.key), partnerOrganisationIds: partners.map((partner) => partner.id) }
}

export type ParsedTerms = { ok: true; terms: GrantTerms } | { ok: false; fieldErrors: GrantFieldErrors }

/** Validates posted terms against the schema and what exists now. */
export async function parseGrantTerms(db: DbOrTx, input: GrantTermsInput | GrantDraft): Promise<ParsedTerms> {
  const parsed = grantTermsSchema(await loadGrantTermsContext(db)).safeParse(input)
  return parsed.success ? { ok: true, terms: parsed.data } : { ok: false, fieldErrors: grantFieldErrors(parsed.error) }
}

/**
 * Holds the named channels against a concurrent delete until the transaction ends
 * (the channel admin deletes only channels no grant names, checked under this lock).
 */
export async function lockChannels(tx: DbOrTx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return
  const rows = await tx.$queryRaw<{ key: string }[]>`SELECT "key" FROM "RightsChannel" WHERE "key" = ANY(${[...keys]}) FOR SHARE`
  if (rows.length !== new Set(keys).size) {
    throw new AppError('CONFLICT', 'A chosen channel was deleted a moment ago. Reload the page and choose again.')
  }
}

/** The terms as stored (and as the audit trail records them: instants in ISO 8601). */
export function termsData(terms: GrantTerms) {
  return {
    licenceType: terms.licenceType,
    licenceVariant: terms.licenceVariant,
    licensor: terms.licensor,
    reference: terms.reference,
    channels: terms.channels,
    territories: terms.territories,
    organisationIds: terms.organisationIds,
    startsAt: terms.startsAt,
    expiresAt: terms.expiresAt,
    timeZone: terms.timeZone,
    warnBeforeDays: terms.warnBeforeDays,
    notes: terms.notes,
  } satisfies Prisma.RightsGrantUncheckedUpdateInput
}

type JsonTerms = Record<keyof GrantTerms, Prisma.InputJsonValue | null>

export function termsRecord(terms: GrantTerms): JsonTerms {
  return {
    ...terms,
    startsAt: terms.startsAt?.toISOString() ?? null,
    expiresAt: terms.expiresAt?.toISOString() ?? null,
  }
}

/** "Rights-managed grant, expires 12 Mar 2027, 23:59 CET": a line for the audit trail. */
export function describeGrant(terms: Pick<GrantTerms, 'licenceType' | 'licenceVariant' | 'expiresAt' | 'timeZone'>): string {
  const licence = terms.licenceVariant ?? LICENCE_LABELS[terms.licenceType]
  const expiry = terms.expiresAt ? `expires ${formatRightsInstant(terms.expiresAt, terms.timeZone)}` : 'no expiry'
  return `${licence} grant, ${expiry}`
}

// ───────────────────────────── reading

export type ReleaseView = { id: string; kind: 'model' | 'property'; filename: string; createdAt: string }

export type GrantView = {
  id: string
  licenceType: LicenceTypeName
  licence: string
  licenceVariant: string | null
  licensor: string
  reference: string
  /** Empty: every channel. */
  channels: ChannelOption[]
  /** Empty: worldwide. */
  territories: string[]
  /** Empty: every partner organisation. */
  organisations: PartnerOption[]
  timeZone: string
  startsAt: string | null
  expiresAt: string | null
  /** The instants as read in the grant's zone, e.g. "12 Mar 2027, 09:00 CET". */
  startsAtText: string | null
  expiresAtText: string | null
  warnBeforeDays: number
  notes: string
  state: GrantStateName
  stateLabel: string
  /** "Expires in 12 days", "Opens in 3 days", "Revoked 2 days ago". */
  stateDetail: string | null
  revokedAtText: string | null
  revokeReason: string | null
  createdBy: string
  createdAt: string
  releases: ReleaseView[]
  /** The form's values for editing, dates in the grant's zone. */
  draft: GrantDraft
}

export type AssetRights = {
  asset: { id: string; title: string; folderPath: string }
  grants: GrantView[]
  counts: Record<GrantStateName, number>
}

const grantInclude = {
  createdBy: { select: { name: true } },
  releases: { orderBy: { createdAt: 'asc' }, select: { id: true, kind: true, filename: true, createdAt: true } },
} satisfies Prisma.RightsGrantInclude

type GrantRow = Prisma.RightsGrantGetPayload<{ include: typeof grantInclude }>

export function termsOf(grant: Omit<GrantRow, 'createdBy' | 'releases'>): GrantTerms {
  return {
    licenceType: grant.licenceType,
    licenceVariant: grant.licenceVariant,
    licensor: grant.licensor,
    reference: grant.reference,
    channels: grant.channels,
    territories: grant.territories,
    organisationIds: grant.organisationIds,
    startsAt: grant.startsAt,
    expiresAt: grant.expiresAt,
    timeZone: grant.timeZone,
    warnBeforeDays: grant.warnBeforeDays,
    notes: grant.notes,
  }
}

const whenCreated = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

function stateDetail(grant: GrantRow, state: GrantStateName, at: Date): string | null {
  switch (state) {
    case 'revoked':
      return grant.revokedAt ? `Revoked ${relativeTo(grant.revokedAt, at)}` : null
    case 'expired':
      return grant.expiresAt ? `Expired ${relativeTo(grant.expiresAt, at)}` : null
    case 'embargoed':
      return grant.startsAt ? `Opens ${relativeTo(grant.startsAt, at)}` : null
    default:
      return grant.expiresAt ? `Expires ${relativeTo(grant.expiresAt, at)}` : 'No expiry'
  }
}

export function toGrantView(
  grant: GrantRow,
  at: Date,
  names: { channels: ReadonlyMap<string, string>; organisations: ReadonlyMap<string, string> },
  revokeReason: string | null,
): GrantView {
  const state = grantStateName(grant, at)
  return {
    id: grant.id,
    licenceType: grant.licenceType,
    licence: LICENCE_LABELS[grant.licenceType],
    licenceVariant: grant.licenceVariant,
    licensor: grant.licensor,
    reference: grant.reference,
    // A key whose channel row is gone still shows (as its key), so nothing silently disappears.
    channels: grant.channels.map((key) => ({ key, label: names.channels.get(key) ?? key })),
    territories: grant.territories,
    organisations: grant.organisationIds.map((id) => ({ id, name: names.organisations.get(id) ?? 'Unknown organisation' })),
    timeZone: grant.timeZone,
    startsAt: grant.startsAt?.toISOString() ?? null,
    expiresAt: grant.expiresAt?.toISOString() ?? null,
    startsAtText: grant.startsAt ? formatRightsInstant(grant.startsAt, grant.timeZone) : null,
    expiresAtText: grant.expiresAt ? formatRightsInstant(grant.expiresAt, grant.timeZone) : null,
    warnBeforeDays: grant.warnBeforeDays,
    notes: grant.notes,
    state,
    stateLabel: GRANT_STATE_LABELS[state],
    stateDetail: stateDetail(grant, state, at),
    revokedAtText: grant.revokedAt ? formatRightsInstant(grant.revokedAt, grant.timeZone) : null,
    revokeReason,
    createdBy: grant.createdBy.name,
    createdAt: whenCreated.format(grant.createdAt),
    releases: grant.releases.map((release) => ({
      id: release.id,
      kind: release.kind,
      filename: release.filename,
      createdAt: whenCreated.format(release.createdAt),
    })),
    draft: grantDraftFromTerms(termsOf(grant)),
  }
}

/** The reasons recorded when grants were revoked (kept in the audit trail, not on the grant). */
async function revokeReasons(db: DbOrTx, assetIds: readonly string[], grantIds: readonly string[]): Promise<Map<string, string>> {
  if (grantIds.length === 0) return new Map()
  const events = await db.auditEvent.findMany({
    where: {
      action: 'rights.change',
      subjectType: 'asset',
      subjectId: { in: [...new Set(assetIds)] },
      detail: { path: ['operation'], equals: 'revoke' },
    },
    orderBy: { seq: 'desc' },
    select: { detail: true },
  })
  const wanted = new Set(grantIds)
  const reasons = new Map<string, string>()
  for (const { detail } of events) {
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) continue
    const { grantId, grantIds: many, reason } = detail as Record<string, unknown>
    if (typeof reason !== 'string') continue
    const ids = [grantId, ...(Array.isArray(many) ? many : [])].filter((id): id is string => typeof id === 'string' && wanted.has(id))
    for (const id of ids) if (!reasons.has(id)) reasons.set(id, reason)
  }
  return reasons
}

export async function nameMaps(db: DbOrTx, organisationIds: readonly string[]) {
  const [channels, organisations] = await Promise.all([
    listChannelOptions(db),
    organisationIds.length > 0
      ? db.organisation.findMany({ where: { id: { in: [...new Set(organisationIds)] } }, select: { id: true, name: true } })
      : Promise.resolve([]),
  ])
  return {
    channels: new Map(channels.map((channel) => [channel.key, channel.label])),
    organisations: new Map(organisations.map((organisation) => [organisation.id, organisation.name])),
  }
}

const STATE_ORDER: Record<GrantStateName, number> = { expiring_soon: 0, in_force: 1, embargoed: 2, never_in_force: 3, expired: 4, revoked: 5 }

/** The asset's grants, live ones first (soonest change first), with releases and who recorded them. */
export async function listAssetGrants({ db, assetId, at = new Date() }: { db: DbOrTx; assetId: string; at?: Date }): Promise<AssetRights> {
  const asset = await db.asset.findUnique({ where: { id: assetId }, select: { id: true, title: true, folderPath: true } })
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  const rows = await db.rightsGrant.findMany({ where: { assetId }, include: grantInclude, orderBy: { createdAt: 'asc' } })
  const [names, reasons] = await Promise.all([
    nameMaps(db, rows.flatMap((row) => row.organisationIds)),
    revokeReasons(db, [assetId], rows.filter((row) => row.revokedAt).map((row) => row.id)),
  ])
  const grants = rows
    .map((row) => toGrantView(row, at, names, reasons.get(row.id) ?? null))
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999'))
  const counts: Record<GrantStateName, number> = { in_force: 0, expiring_soon: 0, embargoed: 0, never_in_force: 0, expired: 0, revoked: 0 }
  for (const grant of grants) counts[grant.state] += 1
  return { asset, grants, counts }
}

/** The zone a new grant's form starts in: the one this person used last, else UTC. */
export async function defaultGrantDraft({ db, actorId }: { db: DbOrTx; actorId: string }): Promise<GrantDraft> {
  const last = await db.rightsGrant.findFirst({ where: { createdById: actorId }, orderBy: { createdAt: 'desc' }, select: { timeZone: true } })
  return emptyGrantDraft(last?.timeZone ?? 'UTC')
}

// ───────────────────────────── writing

type AuditContext = { actorId: string; ipAddress?: string | null }

export type GrantWriteResult =
  | { ok: true; grantId: string; assetId: string; changed: boolean; timers: TimersOutcome }
  | { ok: false; fieldErrors: GrantFieldErrors }

export type CreateGrantOptions = AuditContext & SignalOptions & { db: Db; assetId: string; input: GrantTermsInput | GrantDraft }

export async function createGrant({ db, assetId, input, actorId, ipAddress, ...signal }: CreateGrantOptions): Promise<GrantWriteResult> {
  const parsed = await parseGrantTerms(db, input)
  if (!parsed.ok) return parsed
  const { terms } = parsed
  const grantId = await db.$transaction(async (tx) => {
    const asset = await tx.asset.findUnique({ where: { id: assetId }, select: { id: true } })
    if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
    await lockChannels(tx, terms.channels)
    const grant = await tx.rightsGrant.create({ data: { assetId, createdById: actorId, ...termsData(terms) }, select: { id: true } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'asset',
      subjectId: assetId,
      detail: { operation: 'create', grantId: grant.id, terms: termsRecord(terms), outcome: `Created ${describeGrant(terms)}` },
      ipAddress,
    })
    return grant.id
  })
  return { ok: true, grantId, assetId, changed: true, timers: await announce(assetId, signal) }
}

/** Locks the grant's row for the rest of the transaction and reads it. */
async function lockGrant(tx: DbOrTx, grantId: string) {
  await tx.$queryRaw`SELECT 1 FROM "RightsGrant" WHERE "id" = ${grantId} FOR UPDATE`
  const grant = await tx.rightsGrant.findUnique({ where: { id: grantId } })
  if (!grant) throw new AppError('NOT_FOUND', 'Rights grant not found')
  return grant
}

function sameValue(a: Prisma.InputJsonValue | null, b: Prisma.InputJsonValue | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export type UpdateGrantOptions = AuditContext & SignalOptions & {
  db: Db
  grantId: string
  /** When given, the grant must belong to this asset (the page it was edited on). */
  assetId?: string
  input: GrantTermsInput | GrantDraft
}

/** Replaces a live grant's terms; the audit row keeps each changed field's old and new value. */
export async function updateGrant({ db, grantId, assetId, input, actorId, ipAddress, ...signal }: UpdateGrantOptions): Promise<GrantWriteResult> {
  const parsed = await parseGrantTerms(db, input)
  if (!parsed.ok) return parsed
  const { terms } = parsed
  const outcome = await db.$transaction(async (tx) => {
    const grant = await lockGrant(tx, grantId)
    if (assetId && grant.assetId !== assetId) throw new AppError('NOT_FOUND', 'Rights grant not found')
    if (grant.revokedAt) throw new AppError('CONFLICT', 'This grant was revoked and can no longer be changed. Add a new grant instead.')
    const before = termsRecord(termsOf(grant))
    const after = termsRecord(terms)
    const changes: Record<string, { from: Prisma.InputJsonValue | null; to: Prisma.InputJsonValue | null }> = {}
    for (const field of Object.keys(after) as (keyof GrantTerms)[]) {
      if (!sameValue(before[field], after[field])) changes[field] = { from: before[field], to: after[field] }
    }
    if (Object.keys(changes).length === 0) return { assetId: grant.assetId, changed: false }
    await lockChannels(tx, terms.channels)
    await tx.rightsGrant.update({ where: { id: grantId }, data: termsData(terms) })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'asset',
      subjectId: grant.assetId,
      detail: { operation: 'update', grantId, changes, outcome: `Changed ${Object.keys(changes).join(', ')}` },
      ipAddress,
    })
    return { assetId: grant.assetId, changed: true }
  })
  // Nothing changed: the workflow's plan still holds.
  const timers: TimersOutcome = outcome.changed ? await announce(outcome.assetId, signal) : 'planned'
  return { ok: true, grantId, ...outcome, timers }
}

export type GrantActionResult = { grantId: string; assetId: string; timers: TimersOutcome }

export type RevokeGrantOptions = AuditContext & SignalOptions & { db: Db; grantId: string; assetId?: string; reason: string; at?: Date }

/** Ends a grant now; the reason goes into the audit trail. Revoking twice is refused. */
export async function revokeGrant({ db, grantId, assetId, reason, actorId, ipAddress, at, ...signal }: RevokeGrantOptions): Promise<GrantActionResult> {
  const why = RevokeReasonSchema.safeParse(reason)
  if (!why.success) throw new AppError('BAD_REQUEST', why.error.issues[0]?.message ?? 'Say why the grant is revoked.')
  const revokedAt = at ?? new Date()
  const owner = await db.$transaction(async (tx) => {
    const grant = await lockGrant(tx, grantId)
    if (assetId && grant.assetId !== assetId) throw new AppError('NOT_FOUND', 'Rights grant not found')
    if (grant.revokedAt) throw new AppError('CONFLICT', 'This grant is already revoked.')
    await tx.rightsGrant.update({ where: { id: grantId }, data: { revokedAt } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'asset',
      subjectId: grant.assetId,
      detail: { operation: 'revoke', grantId, revokedAt: revokedAt.toISOString(), reason: why.data },
      ipAddress,
    })
    return grant.assetId
  })
  return { grantId, assetId: owner, timers: await announce(owner, signal) }
}

/** How far to extend: by whole days (same local time in the grant's zone) or to a local date-time. */
export type Extension = { days: number } | { until: string }

export const MAX_EXTENSION_DAYS = 3650

/** The new expiry an extension gives a grant, or the reason it cannot. Pure. */
export function extendedExpiry(
  grant: { expiresAt: Date | null; revokedAt: Date | null; timeZone: string },
  extension: Extension,
  at: Date,
): { ok: true; expiresAt: Date } | { ok: false; message: string } {
  if (grant.revokedAt) return { ok: false, message: 'This grant was revoked; add a new grant instead of extending it.' }
  if (!grant.expiresAt) return { ok: false, message: 'This grant has no expiry, so there is nothing to extend.' }
  let expiresAt: Date | null
  if ('days' in extension) {
    if (!Number.isInteger(extension.days) || extension.days < 1 || extension.days > MAX_EXTENSION_DAYS) {
      return { ok: false, message: `Extend by 1 to ${MAX_EXTENSION_DAYS} days.` }
    }
    expiresAt = addDaysInZone(grant.expiresAt, extension.days, grant.timeZone)
  } else {
    expiresAt = localTextToInstant(extension.until, grant.timeZone)
    if (!expiresAt) return { ok: false, message: 'Give the new expiry as a date and time, e.g. 2027-03-28 23:59.' }
  }
  if (expiresAt.getTime() <= grant.expiresAt.getTime()) {
    return { ok: false, message: `The new expiry must be later than the current one (${formatRightsInstant(grant.expiresAt, grant.timeZone)}).` }
  }
  if (expiresAt.getTime() <= at.getTime()) {
    return { ok: false, message: 'The new expiry is still in the past; choose a later date.' }
  }
  return { ok: true, expiresAt }
}

export type ExtendGrantOptions = AuditContext & SignalOptions & { db: Db; grantId: string; assetId?: string; extension: Extension; at?: Date }

/** Moves a grant's expiry later. */
export async function extendGrant({ db, grantId, assetId, extension, actorId, ipAddress, at, ...signal }: ExtendGrantOptions): Promise<GrantActionResult> {
  const now = at ?? new Date()
  const owner = await db.$transaction(async (tx) => {
    const grant = await lockGrant(tx, grantId)
    if (assetId && grant.assetId !== assetId) throw new AppError('NOT_FOUND', 'Rights grant not found')
    const next = extendedExpiry(grant, extension, now)
    if (!next.ok) throw new AppError(grant.revokedAt || !grant.expiresAt ? 'CONFLICT' : 'BAD_REQUEST', next.message)
    await tx.rightsGrant.update({ where: { id: grantId }, data: { expiresAt: next.expiresAt } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'asset',
      subjectId: grant.assetId,
      detail: {
        operation: 'extend',
        grantId,
        from: grant.expiresAt?.toISOString() ?? null,
        to: next.expiresAt.toISOString(),
        ...('days' in extension ? { days: extension.days } : {}),
        outcome: `Extended to ${formatRightsInstant(next.expiresAt, grant.timeZone)}`,
      },
      ipAddress,
    })
    return grant.assetId
  })
  return { grantId, assetId: owner, timers: await announce(owner, signal) }
}

// ───────────────────────────── the asset page's summary

export type AssetRightsSummary = {
  counts: Record<GrantStateName, number>
  total: number
  /** The soonest upcoming start or expiry of a live grant, as a sentence. */
  next: string | null
}

/** Grant counts by state and the next change, for the rights card on the asset page. */
export async function getAssetRightsSummary({ db, assetId, at = new Date() }: { db: DbOrTx; assetId: string; at?: Date }): Promise<AssetRightsSummary> {
  const grants = await db.rightsGrant.findMany({
    where: { assetId },
    select: { startsAt: true, expiresAt: true, revokedAt: true, timeZone: true, warnBeforeDays: true },
  })
  const counts: Record<GrantStateName, number> = { in_force: 0, expiring_soon: 0, embargoed: 0, never_in_force: 0, expired: 0, revoked: 0 }
  let next: { at: Date; text: string } | null = null
  for (const grant of grants) {
    counts[grantStateName(grant, at)] += 1
    if (grant.revokedAt) continue
    for (const [instant, verb] of [
      [grant.startsAt, 'opens'],
      [grant.expiresAt, 'expires'],
    ] as const) {
      if (instant && instant > at && (!next || instant < next.at)) {
        next = { at: instant, text: `A grant ${verb} ${relativeTo(instant, at)} (${formatRightsInstant(instant, grant.timeZone)}).` }
      }
    }
  }
  return { counts, total: grants.length, next: next?.text ?? null }
}
