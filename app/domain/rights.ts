/**
 * Rights evaluation: the one rule for what an asset's usage rights allow at an
 * instant. Pure (no I/O, no clock of its own: every instant is passed in), shared by
 * app, workers and workflows.
 *
 * Usability is the union of the grants in force: a use is allowed when some grant
 * covers its organisation, channel and territory and its window is open. Windows are
 * half-open, [startsAt, min(expiresAt, revokedAt)): usable exactly at the start,
 * blocked exactly at the end.
 */
import { WORLDWIDE, isTerritoryCode, territoryName } from './territories'

export { WORLDWIDE } from './territories'

export type RightsGrantTerms = {
  id: string
  /** owned, royalty_free, rights_managed, editorial_only, creative_commons (others are named as written). */
  licenceType: string
  /** The Creative Commons variant ("CC BY-SA 4.0"), or a licensor's name for the tier. */
  licenceVariant?: string | null
  licensor?: string
  reference?: string
  /** Empty: every channel. */
  channels: readonly string[]
  /** ISO 3166-1 alpha-2 codes or "WW"; empty: worldwide. */
  territories: readonly string[]
  /** Empty: every partner organisation. */
  organisationIds: readonly string[]
  startsAt: Date | null
  expiresAt: Date | null
  revokedAt: Date | null
  /** IANA zone the dates were entered in: every date is shown, and counted in days, there. */
  timeZone: string
  /** Days before expiry to warn; 0 or absent: no warning. */
  warnBeforeDays?: number
  /** For staff only; never shown to partners. */
  notes?: string
}

export type IntendedUse = {
  at: Date
  /** The partner organisation using the asset; null for brand staff. */
  organisationId: string | null
  /**
   * The declared channel and territory. Left out, the use is unspecified, and only
   * grants without that restriction cover it: a licence for print in Germany does
   * not make an asset usable for "any use, anywhere".
   */
  channel?: string
  territory?: string
}

/** How to name organisations and channels in sentences; without it the wording stays neutral. */
export type RightsNames = {
  organisation?(id: string): string | undefined
  /** The channel's label as it should read mid-sentence ("print", "social media"). */
  channel?(key: string): string | undefined
}

/** Why a use is refused, for code that needs more than the sentence. */
export type RefusalKind =
  | 'unknown_territory'
  | 'organisation'
  | 'channel'
  | 'territory'
  | 'embargo'
  | 'expired'
  | 'revoked'
  | 'never_in_force'

export type RightsVerdict =
  | {
      allowed: true
      reason: string
      /** Every grant that allows the use now (in the order given). */
      grantIds: string[]
      /** The first instant this use stops being allowed, following overlapping grants; null: never, as recorded. */
      until: Date | null
    }
  | {
      allowed: false
      reason: string
      refusal: RefusalKind
      /** The grant the reason is about, for embargo, expiry and revocation. */
      grantId?: string
    }

// ───────────────────────────── wording

const formatters = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>()

function formattersFor(timeZone: string): { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  let found = formatters.get(timeZone)
  if (!found) {
    try {
      found = {
        date: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }),
        time: new Intl.DateTimeFormat('en-GB', {
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
          timeZone,
          timeZoneName: 'short',
        }),
      }
    } catch {
      // A zone this runtime does not know: say UTC, and say it plainly, rather than fail a read.
      found = formattersFor('UTC')
    }
    formatters.set(timeZone, found)
  }
  return found
}

/** "1 March 2027", the calendar date in the grant's zone. Used for what has already happened. */
export function formatRightsDate(at: Date, timeZone: string): string {
  return formattersFor(timeZone).date.format(at)
}

/** "10:00 CEST on 5 May 2027". Used for what is still to come, where the hour matters. */
export function formatRightsInstant(at: Date, timeZone: string): string {
  const { date, time } = formattersFor(timeZone)
  return `${time.format(at)} on ${date.format(at)}`
}

const conjunction = new Intl.ListFormat('en-GB', { style: 'long', type: 'conjunction' })

/** "web, social and print", without repeats, in the order given. */
function listOf(values: readonly string[]): string {
  return conjunction.format([...new Set(values)])
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)]
}

function channelName(key: string, names: RightsNames | undefined): string {
  return names?.channel?.(key) ?? key.replace(/[_-]+/g, ' ')
}

/** "web and social", for channel keys. */
export function describeChannels(keys: readonly string[], names?: RightsNames): string {
  return listOf(keys.map((key) => channelName(key, names)))
}

/** "Germany, France and Austria", for territory codes. */
export function describeTerritories(codes: readonly string[]): string {
  return listOf(codes.map((code) => territoryName(code)))
}

const LICENCE_KINDS: Readonly<Record<string, string>> = {
  owned: 'owned rights',
  royalty_free: 'royalty-free licence',
  rights_managed: 'rights-managed licence',
  editorial_only: 'editorial-only licence',
}

function licenceKind(grant: RightsGrantTerms): string {
  const variant = grant.licenceVariant?.trim()
  if (grant.licenceType === 'creative_commons') return variant ? `${variant} licence` : 'Creative Commons licence'
  const kind = LICENCE_KINDS[grant.licenceType] ?? `${grant.licenceType.replace(/_/g, ' ')} licence`
  return variant ? `${kind} (${variant})` : kind
}

/** "royalty-free licence from Getty Images (ref. 123)": a grant as a noun phrase, lower case. */
export function describeLicence(grant: RightsGrantTerms): string {
  const licensor = grant.licensor?.trim()
  const reference = grant.reference?.trim()
  return `${licenceKind(grant)}${licensor ? ` from ${licensor}` : ''}${reference ? ` (ref. ${reference})` : ''}`
}

/** "the royalty-free licence …", but "owned rights …" (no article for a plural). */
function theLicence(grant: RightsGrantTerms): string {
  return grant.licenceType === 'owned' ? describeLicence(grant) : `the ${describeLicence(grant)}`
}

// ───────────────────────────── a single grant

function upper(code: string): string {
  return code.toUpperCase()
}

function worldwide(grant: RightsGrantTerms): boolean {
  return grant.territories.length === 0 || grant.territories.some((code) => upper(code) === WORLDWIDE)
}

function coversTerritory(grant: RightsGrantTerms, territory: string | undefined): boolean {
  if (worldwide(grant)) return true
  return territory !== undefined && grant.territories.some((code) => upper(code) === upper(territory))
}

function coversChannel(grant: RightsGrantTerms, channel: string | undefined): boolean {
  if (grant.channels.length === 0) return true
  return channel !== undefined && grant.channels.includes(channel)
}

/** Whether a grant covers every channel and territory (so also a use nobody declared). */
export function coversAnyUse(grant: RightsGrantTerms): boolean {
  return grant.channels.length === 0 && worldwide(grant)
}

function coversOrganisation(grant: RightsGrantTerms, organisationId: string | null): boolean {
  return organisationId === null || grant.organisationIds.length === 0 || grant.organisationIds.includes(organisationId)
}

function coversUse(grant: RightsGrantTerms, use: IntendedUse): boolean {
  return (
    coversOrganisation(grant, use.organisationId) &&
    coversChannel(grant, use.channel) &&
    coversTerritory(grant, use.territory)
  )
}

/** When the grant stops being usable (expiry or revocation, whichever is first); null: never. */
function windowEnd(grant: RightsGrantTerms): Date | null {
  const { expiresAt, revokedAt } = grant
  if (expiresAt && revokedAt) return expiresAt.getTime() <= revokedAt.getTime() ? expiresAt : revokedAt
  return expiresAt ?? revokedAt
}

function windowOpenAt(grant: RightsGrantTerms, at: Date): boolean {
  if (grant.revokedAt && grant.revokedAt.getTime() <= at.getTime()) return false
  if (grant.startsAt && at.getTime() < grant.startsAt.getTime()) return false
  if (grant.expiresAt && at.getTime() >= grant.expiresAt.getTime()) return false
  return true
}

/**
 * Where a grant stands at an instant, whatever it covers. Revocation is reported over
 * expiry once both have passed: it is the later and more deliberate statement.
 */
export type GrantState =
  | { state: 'in_force'; until: Date | null }
  | { state: 'embargoed'; startsAt: Date }
  /** Still before its start, but it expires or is revoked before it starts. */
  | { state: 'never_in_force' }
  | { state: 'expired'; expiredAt: Date }
  | { state: 'revoked'; revokedAt: Date }

export function grantState(grant: RightsGrantTerms, at: Date): GrantState {
  const now = at.getTime()
  if (grant.revokedAt && grant.revokedAt.getTime() <= now) return { state: 'revoked', revokedAt: grant.revokedAt }
  if (grant.expiresAt && grant.expiresAt.getTime() <= now) return { state: 'expired', expiredAt: grant.expiresAt }
  const end = windowEnd(grant)
  if (grant.startsAt && now < grant.startsAt.getTime()) {
    if (end && end.getTime() <= grant.startsAt.getTime()) return { state: 'never_in_force' }
    return { state: 'embargoed', startsAt: grant.startsAt }
  }
  return { state: 'in_force', until: end }
}

// ───────────────────────────── evaluation

function territoryKnown(territory: string | undefined): boolean {
  return territory === undefined || isTerritoryCode(territory)
}

/** evaluateUse(...).allowed, without building sentences: for the bulk questions below. */
function allows(grants: readonly RightsGrantTerms[], use: IntendedUse): boolean {
  if (!territoryKnown(use.territory)) return false
  if (grants.length === 0) return true
  return grants.some((grant) => coversUse(grant, use) && windowOpenAt(grant, use.at))
}

function byId(a: RightsGrantTerms, b: RightsGrantTerms): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The grant's end as a sort key: open-ended sorts last. */
function endKey(grant: RightsGrantTerms): number {
  return windowEnd(grant)?.getTime() ?? Number.POSITIVE_INFINITY
}

/**
 * Whether a use is allowed at an instant, and a sentence saying why, in the grant's
 * own time zone. An asset with no grants at all is brand-owned material with no
 * recorded restriction, and is usable. A declared territory that is not an ISO
 * 3166-1 code (or WW) is refused whatever the grants say: it names no place a
 * licence could cover.
 *
 * Sentences are independent of the order grants are given in. An allowed use cites
 * the allowing grant that lasts longest (then the lowest id) and counts the others.
 * A refusal answers the first of these questions that no grant passes, asking each
 * only of the grants that passed the ones before: is this organisation licensed, for
 * this channel, in this territory, and then, of the grants that would otherwise
 * cover the use, when: the soonest embargo to lift, else the most recent expiry or
 * revocation, else a grant that never takes effect. So a time is only ever quoted
 * from a grant that covers the use, and the reason names what the partner would have
 * to change (or wait for) to be allowed.
 */
export function evaluateUse(grants: readonly RightsGrantTerms[], use: IntendedUse, names?: RightsNames): RightsVerdict {
  if (!territoryKnown(use.territory)) {
    return { allowed: false, reason: `Unknown territory code “${use.territory ?? ''}”`, refusal: 'unknown_territory' }
  }
  if (grants.length === 0) {
    return { allowed: true, reason: 'No usage restrictions are recorded for this asset', grantIds: [], until: null }
  }
  const covering = grants.filter((grant) => coversUse(grant, use))
  const allowing = covering.filter((grant) => windowOpenAt(grant, use.at))
  if (allowing.length === 0) return refuse([...grants].sort(byId), use, names)

  const cited = allowing.reduce((best, grant) =>
    endKey(grant) > endKey(best) || (endKey(grant) === endKey(best) && byId(grant, best) < 0) ? grant : best,
  )
  const citedEnd = windowEnd(cited)
  const others = allowing.length - 1
  const reason =
    `Allowed under ${theLicence(cited)}` +
    (citedEnd ? ` until ${formatRightsInstant(citedEnd, cited.timeZone)}` : '') +
    (others > 0 ? `, and ${others} other ${others === 1 ? 'licence' : 'licences'}` : '')
  return {
    allowed: true,
    reason,
    grantIds: allowing.map((grant) => grant.id),
    until: continuousUntil(covering, use.at),
  }
}

/** The end of the unbroken run of open windows, among grants covering a use, that contains `at`. */
function continuousUntil(covering: readonly RightsGrantTerms[], at: Date): Date | null {
  let end = at.getTime()
  for (;;) {
    let next = end
    for (const grant of covering) {
      if (!windowOpenAt(grant, new Date(end))) continue
      const until = windowEnd(grant)
      if (!until) return null
      next = Math.max(next, until.getTime())
    }
    if (next === end) return new Date(end)
    end = next
  }
}

function refused(reason: string, refusal: RefusalKind, grantId?: string): RightsVerdict {
  return grantId === undefined ? { allowed: false, reason, refusal } : { allowed: false, reason, refusal, grantId }
}

/** See evaluateUse for the order of questions. `grants` is sorted by id, so lists and ties are stable. */
function refuse(grants: readonly RightsGrantTerms[], use: IntendedUse, names: RightsNames | undefined): RightsVerdict {
  const forOrganisation = grants.filter((grant) => coversOrganisation(grant, use.organisationId))
  if (forOrganisation.length === 0) {
    const name = use.organisationId === null ? undefined : names?.organisation?.(use.organisationId)
    return refused(`Not licensed for ${name ?? 'your organisation'}`, 'organisation')
  }

  const forChannel = forOrganisation.filter((grant) => coversChannel(grant, use.channel))
  if (forChannel.length === 0) {
    const reason =
      use.channel !== undefined
        ? `Not licensed for ${channelName(use.channel, names)}`
        : `Licensed only for ${describeChannels(forOrganisation.flatMap((grant) => grant.channels), names)}`
    return refused(reason, 'channel')
  }

  const forTerritory = forChannel.filter((grant) => coversTerritory(grant, use.territory))
  if (forTerritory.length === 0) {
    if (use.territory === undefined) {
      return refused(`Licensed only in ${describeTerritories(forChannel.flatMap((grant) => grant.territories.map(upper)))}`, 'territory')
    }
    const territory = use.territory
    const where = upper(territory) === WORLDWIDE ? 'worldwide' : `in ${territoryName(territory)}`
    // Licensed there, but for other channels: say which part of the use is missing.
    const elsewhereOnly = use.channel !== undefined && forOrganisation.some((grant) => coversTerritory(grant, territory))
    const what = elsewhereOnly && use.channel !== undefined ? ` for ${channelName(use.channel, names)}` : ''
    return refused(`Not licensed${what} ${where}`, 'territory')
  }

  // Every grant left covers the use but is not in force: the answer is about time.
  const states = forTerritory.map((grant) => ({ grant, state: grantState(grant, use.at) }))
  const licence = use.channel !== undefined ? `Licence for ${channelName(use.channel, names)}` : 'Licence'

  const opening = states
    .flatMap(({ grant, state }) => (state.state === 'embargoed' ? [{ grant, startsAt: state.startsAt }] : []))
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || byId(a.grant, b.grant))[0]
  if (opening) {
    return refused(`Embargoed until ${formatRightsInstant(opening.startsAt, opening.grant.timeZone)}`, 'embargo', opening.grant.id)
  }

  const ended = states
    .flatMap(({ grant, state }): { grant: RightsGrantTerms; kind: 'revoked' | 'expired'; at: Date }[] =>
      state.state === 'revoked'
        ? [{ grant, kind: 'revoked', at: state.revokedAt }]
        : state.state === 'expired'
          ? [{ grant, kind: 'expired', at: state.expiredAt }]
          : [],
    )
    // The most recent end is what the person just ran into; at a tie, revocation is the stronger statement.
    .sort(
      (a, b) =>
        b.at.getTime() - a.at.getTime() || (a.kind === b.kind ? 0 : a.kind === 'revoked' ? -1 : 1) || byId(a.grant, b.grant),
    )[0]
  if (ended) {
    return refused(`${licence} ${ended.kind} on ${formatRightsDate(ended.at, ended.grant.timeZone)}`, ended.kind, ended.grant.id)
  }

  return refused(`${licence} never takes effect: it ends before it starts`, 'never_in_force', states[0]?.grant.id)
}

/**
 * Whether a partner browsing (no channel or territory declared) may see the asset at
 * all: some use is allowed to their organisation now, whatever the channels and
 * territories of the grant that allows it. What they may do with it is then shown as
 * the download options (permittedUses) and checked per declared use (evaluateUse).
 * Refusals name the organisation or the time, never a channel or territory.
 */
export function evaluateBrowsing(
  grants: readonly RightsGrantTerms[],
  { organisationId, at }: { organisationId: string | null; at: Date },
  names?: RightsNames,
): RightsVerdict {
  return evaluateUse(grants.map(forAnyUse), { at, organisationId }, names)
}

/** The grant with its channel and territory limits lifted: "is some use allowed?" */
function forAnyUse(grant: RightsGrantTerms): RightsGrantTerms {
  return { ...grant, channels: [], territories: [] }
}

/**
 * A rights channel as a destination (a website, a social account, a print run): the
 * brand's own use, so no organisation restriction applies, and no declared territory,
 * since a published channel reaches every territory; only grants for that channel
 * (or every channel) that are worldwide allow it. Distribution checks with this and
 * channelsLostAt takes down with it, so publishing and takedown always agree.
 */
export function evaluateChannel(
  grants: readonly RightsGrantTerms[],
  channel: string,
  at: Date,
  names?: RightsNames,
): RightsVerdict {
  return evaluateUse(grants, { at, organisationId: null, channel }, names)
}

// ───────────────────────────── what a partner may do

export type UseScope = {
  /** Every channel. */
  anyChannel: boolean
  /** The channels named, when not every channel (empty when anyChannel). */
  channels: string[]
  worldwide: boolean
  /** Upper-case codes, when not worldwide (empty when worldwide). */
  territories: string[]
}

export type PermittedUses = UseScope & {
  /**
   * The exact scopes, one per distinct grant in force, with those another one
   * contains left out. The union above can over-promise a pairing (web from one
   * grant, Japan from another): offer the union, check the chosen use with evaluateUse.
   */
  scopes: UseScope[]
  /** The first instant after `at` at which any of these uses stops being allowed; null: none does, as recorded. */
  until: Date | null
  grantIds: string[]
}

/** What a grant covers, as written (territory codes upper-cased), whatever its window. */
export function grantScope(grant: RightsGrantTerms): UseScope {
  const anyChannel = grant.channels.length === 0
  const everywhere = worldwide(grant)
  return {
    anyChannel,
    channels: anyChannel ? [] : unique(grant.channels),
    worldwide: everywhere,
    territories: everywhere ? [] : unique(grant.territories.map(upper)),
  }
}

/** A grant's scope as uses can declare it: a territory that is not a code names no place. */
function usableScope(grant: RightsGrantTerms): UseScope {
  const scope = grantScope(grant)
  return { ...scope, territories: scope.territories.filter((code) => isTerritoryCode(code)) }
}

function scopeContains(outer: UseScope, inner: UseScope): boolean {
  const channels = outer.anyChannel || (!inner.anyChannel && inner.channels.every((key) => outer.channels.includes(key)))
  const territories =
    outer.worldwide || (!inner.worldwide && inner.territories.every((code) => outer.territories.includes(code)))
  return channels && territories
}

/**
 * Each use a scope stands for, as declared uses: a channel key or undefined (any
 * channel), a territory code or undefined (worldwide). Any channel is its own use,
 * since no list of channel grants adds up to it (channels are open-ended).
 */
function usesOf(scope: UseScope): { channel: string | undefined; territory: string | undefined }[] {
  const channels = scope.anyChannel ? [undefined] : scope.channels
  const territories = scope.worldwide ? [undefined] : scope.territories
  return channels.flatMap((channel) => territories.map((territory) => ({ channel, territory })))
}

/**
 * What an organisation (null: brand staff) may do with the asset at an instant: the
 * union of the grants in force for it, for offering only the download options its
 * rights allow and filling the declared-use form. No grants: everything, for ever.
 */
export function permittedUses(
  grants: readonly RightsGrantTerms[],
  { organisationId, at }: { organisationId: string | null; at: Date },
): PermittedUses {
  if (grants.length === 0) {
    const everything: UseScope = { anyChannel: true, channels: [], worldwide: true, territories: [] }
    return { ...everything, scopes: [everything], until: null, grantIds: [] }
  }
  const inForce = [...grants]
    .sort(byId)
    .filter((grant) => coversOrganisation(grant, organisationId) && windowOpenAt(grant, at))
  const all = inForce.map(usableScope).filter((scope) => usesOf(scope).length > 0)
  // Keep a scope unless another contains it (of two equal ones, the first stays).
  const scopes = all.filter((scope, index) =>
    all.every((other, otherIndex) => otherIndex === index || !scopeContains(other, scope) || (scopeContains(scope, other) && index < otherIndex)),
  )
  const anyChannel = scopes.some((scope) => scope.anyChannel)
  const everywhere = scopes.some((scope) => scope.worldwide)

  const uses = scopes.flatMap(usesOf)
  const lapses = (instant: Date) => uses.some((use) => !allows(grants, { ...use, organisationId, at: instant }))
  const until = rightsChangePoints(grants).find((point) => point.at.getTime() > at.getTime() && lapses(point.at))?.at ?? null

  return {
    anyChannel,
    channels: anyChannel ? [] : unique(scopes.flatMap((scope) => scope.channels)),
    worldwide: everywhere,
    territories: everywhere ? [] : unique(scopes.flatMap((scope) => scope.territories)),
    scopes,
    until,
    grantIds: inForce.map((grant) => grant.id),
  }
}

// ───────────────────────────── what a change takes away

/** A use someone declared, e.g. on the download ledger. */
export type DeclaredUse = { organisationId: string | null; channel: string; territory: string }

/**
 * The declared uses allowed just before `at` (at − 1 ms) and not allowed at `at`:
 * what a takedown notice for the change at `at` is about. The same objects are
 * returned, in the order given, so the caller keeps its ledger ids.
 */
export function usesLostAt<Use extends DeclaredUse>(grants: readonly RightsGrantTerms[], uses: readonly Use[], at: Date): Use[] {
  const before = new Date(at.getTime() - 1)
  const lost = new Map<string, boolean>()
  return uses.filter((use) => {
    const key = JSON.stringify([use.organisationId, use.channel, upper(use.territory)])
    let verdict = lost.get(key)
    if (verdict === undefined) {
      verdict = allows(grants, { ...use, at: before }) && !allows(grants, { ...use, at })
      lost.set(key, verdict)
    }
    return verdict
  })
}

/**
 * The channel keys (without repeats, in the order given) whose evaluateChannel verdict
 * is allowed at at − 1 ms and refused at `at`: the channels to take the asset down from.
 */
export function channelsLostAt(grants: readonly RightsGrantTerms[], channelKeys: readonly string[], at: Date): string[] {
  const before = new Date(at.getTime() - 1)
  return unique(channelKeys).filter(
    (channel) =>
      allows(grants, { at: before, organisationId: null, channel }) && !allows(grants, { at, organisationId: null, channel }),
  )
}

// ───────────────────────────── when things change

export type RightsChangeKind = 'start' | 'warn' | 'expiry' | 'revocation'
export type RightsChangePoint = { at: Date; kind: RightsChangeKind; grantId: string }

const DAY_MS = 86_400_000
const wallClocks = new Map<string, Intl.DateTimeFormat>()

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffset(instant: number, timeZone: string): number {
  let format = wallClocks.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    wallClocks.set(timeZone, format)
  }
  const parts = format.formatToParts(new Date(instant))
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'))
  const wholeSecond = instant - (((instant % 1000) + 1000) % 1000)
  return wall - wholeSecond
}

/**
 * `days` calendar days before an instant, at the same wall-clock time in the zone
 * (30 days before 10:00 CEST is 10:00 CET, not 09:00, across the change to summer
 * time). As JavaScript's Temporal does by default, a wall-clock time the zone skips
 * lands an hour later and one it repeats takes the earlier instant. An unknown zone
 * counts in UTC.
 */
function calendarDaysBefore(instant: Date, days: number, timeZone: string): Date {
  try {
    const at = instant.getTime()
    const wall = at + zoneOffset(at, timeZone) - days * DAY_MS
    // The offsets a day either side: real zones change offset at most once in that span.
    const candidates = [zoneOffset(wall - DAY_MS, timeZone), zoneOffset(wall + DAY_MS, timeZone)].map((offset) => wall - offset)
    const valid = candidates.filter((candidate) => candidate + zoneOffset(candidate, timeZone) === wall)
    return new Date(valid.length > 0 ? Math.min(...valid) : Math.max(...candidates))
  } catch {
    return new Date(instant.getTime() - days * DAY_MS)
  }
}

/** When the expiry warning for a grant falls, if it has one (it may fall before the grant starts). */
export function expiryWarningAt(grant: RightsGrantTerms): Date | null {
  const days = grant.warnBeforeDays ?? 0
  if (!grant.expiresAt || !(days > 0)) return null
  const at = calendarDaysBefore(grant.expiresAt, days, grant.timeZone)
  return at.getTime() < grant.expiresAt.getTime() ? at : null
}

const KIND_ORDER: Record<RightsChangeKind, number> = { start: 0, warn: 1, expiry: 2, revocation: 3 }

/**
 * Every instant at which a grant's state changes (grantState and so evaluateUse are
 * constant between consecutive points), plus expiry warnings, sorted by time, then
 * grant id, then kind. A revocation cancels what it precedes: no warning or expiry
 * at or after revokedAt. Kept even where the verdict itself does not change (a start
 * after the expiry, a revocation after it), because the sentence does.
 */
export function rightsChangePoints(grants: readonly RightsGrantTerms[]): RightsChangePoint[] {
  const points: RightsChangePoint[] = []
  for (const grant of grants) {
    const revokedAt = grant.revokedAt?.getTime() ?? Number.POSITIVE_INFINITY
    if (grant.startsAt) points.push({ at: grant.startsAt, kind: 'start', grantId: grant.id })
    const warnAt = expiryWarningAt(grant)
    if (warnAt && warnAt.getTime() < revokedAt) points.push({ at: warnAt, kind: 'warn', grantId: grant.id })
    if (grant.expiresAt && grant.expiresAt.getTime() < revokedAt) {
      points.push({ at: grant.expiresAt, kind: 'expiry', grantId: grant.id })
    }
    if (grant.revokedAt) points.push({ at: grant.revokedAt, kind: 'revocation', grantId: grant.id })
  }
  return points.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
  )
}

/** The first change point strictly after `after` (others may share its instant), or null. */
export function nextRightsChange(grants: readonly RightsGrantTerms[], after: Date): RightsChangePoint | null {
  return rightsChangePoints(grants).find((point) => point.at.getTime() > after.getTime()) ?? null
}

// ───────────────────────────── the search index

const FAR_FUTURE = Date.UTC(9999, 0, 1)

/**
 * What the search index may promise a partner who has declared no channel or
 * territory: a usable interval and the organisations it holds for (`null`: all).
 * Every grant counts, whatever its channels and territories (as evaluateBrowsing).
 * Grants open to every organisation come first,
 * and their interval is exact for everyone; failing those, the organisation-specific
 * grants give an interval and the organisations whose grants overlap it (the
 * database re-check settles the rest). Where this under-promises, the asset is
 * hidden until the next reindex: it fails closed.
 */
export function unspecifiedUseWindow(
  grants: readonly RightsGrantTerms[],
  at: Date,
): { interval: { from: number; until: number } | null; organisationIds: string[] | null } {
  if (grants.length === 0) return { interval: usableInterval([], at), organisationIds: null }
  // Browsing partners see an asset while any use is allowed to them (evaluateBrowsing).
  const general = grants.map(forAnyUse)
  const forEveryone = general.filter((grant) => grant.organisationIds.length === 0)
  const everyoneInterval = forEveryone.length > 0 ? usableInterval(forEveryone, at) : null
  if (everyoneInterval) return { interval: everyoneInterval, organisationIds: null }
  const specific = general.filter((grant) => grant.organisationIds.length > 0)
  const interval = specific.length > 0 ? usableInterval(specific, at) : null
  if (!interval) return { interval: null, organisationIds: [] }
  const overlapping = specific.filter((grant) => {
    const window = grantWindow(grant)
    return window.from < interval.until && window.until > interval.from
  })
  return { interval, organisationIds: [...new Set(overlapping.flatMap((grant) => grant.organisationIds))] }
}

/** A grant's open window as [from, until) in epoch milliseconds (revocation ends it early). */
function grantWindow(grant: RightsGrantTerms): { from: number; until: number } {
  const from = grant.startsAt?.getTime() ?? 0
  let until = grant.expiresAt?.getTime() ?? FAR_FUTURE
  if (grant.revokedAt) until = Math.min(until, grant.revokedAt.getTime())
  return { from, until }
}

/**
 * The usable interval for the search index: the union of open windows that contains
 * `at` or starts soonest after it, as [from, until) in epoch milliseconds. Null when
 * no grant will ever be usable again. Search filters on these bounds at query time
 * so a window that closes hides the asset without waiting for a reindex.
 */
export function usableInterval(grants: readonly RightsGrantTerms[], at: Date): { from: number; until: number } | null {
  if (grants.length === 0) return { from: 0, until: FAR_FUTURE }
  const windows = grants
    .map(grantWindow)
    .filter((window) => window.until > window.from && window.until > at.getTime())
    .sort((a, b) => a.from - b.from)
  const first = windows[0]
  if (!first) return null
  const merged = { ...first }
  for (const window of windows.slice(1)) {
    if (window.from <= merged.until) merged.until = Math.max(merged.until, window.until)
    else break
  }
  return merged
}
