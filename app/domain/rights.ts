/**
 * Rights evaluation: the one rule for what an asset's usage rights allow at an
 * instant. Pure (no I/O, no clock of its own), shared by app, workers and workflows.
 */
export type RightsGrantTerms = {
  id: string
  licenceType: string
  /** Empty: every channel. */
  channels: readonly string[]
  /** ISO 3166-1 alpha-2 codes or "WW"; empty: worldwide. */
  territories: readonly string[]
  /** Empty: every partner organisation. */
  organisationIds: readonly string[]
  startsAt: Date | null
  expiresAt: Date | null
  revokedAt: Date | null
  timeZone: string
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

export type RightsVerdict = { allowed: true; reason: string; grantIds: string[] } | { allowed: false; reason: string }

export const WORLDWIDE = 'WW'

function formatInstant(at: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
      timeZoneName: 'short',
    }).format(at)
  } catch {
    return at.toISOString()
  }
}

function windowOpenAt(grant: RightsGrantTerms, at: Date): boolean {
  if (grant.revokedAt && grant.revokedAt.getTime() <= at.getTime()) return false
  if (grant.startsAt && at.getTime() < grant.startsAt.getTime()) return false
  if (grant.expiresAt && at.getTime() >= grant.expiresAt.getTime()) return false
  return true
}

function worldwide(grant: RightsGrantTerms): boolean {
  return grant.territories.length === 0 || grant.territories.includes(WORLDWIDE)
}

function coversTerritory(grant: RightsGrantTerms, territory: string | undefined): boolean {
  if (worldwide(grant)) return true
  return territory !== undefined && grant.territories.includes(territory.toUpperCase())
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

/**
 * Usability is the union of the grants in force. An asset with no grants at all is
 * brand-owned material with no recorded restriction, and is usable.
 */
export function evaluateUse(grants: readonly RightsGrantTerms[], use: IntendedUse): RightsVerdict {
  if (grants.length === 0) {
    return { allowed: true, reason: 'No usage restrictions are recorded for this asset.', grantIds: [] }
  }
  const allowing = grants.filter(
    (grant) =>
      windowOpenAt(grant, use.at) &&
      coversOrganisation(grant, use.organisationId) &&
      coversChannel(grant, use.channel) &&
      coversTerritory(grant, use.territory),
  )
  if (allowing.length > 0) {
    return { allowed: true, reason: 'Licensed for this use.', grantIds: allowing.map((grant) => grant.id) }
  }
  return { allowed: false, reason: explainRefusal(grants, use) }
}

/** "web, print and social", without repeats. */
function listOf(values: readonly string[]): string {
  const unique = [...new Set(values)]
  if (unique.length <= 1) return unique[0] ?? ''
  return `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`
}

/** The most useful single reason, checked in the order a person would ask. */
function explainRefusal(grants: readonly RightsGrantTerms[], use: IntendedUse): string {
  const forOrganisation = grants.filter((grant) => coversOrganisation(grant, use.organisationId))
  if (forOrganisation.length === 0) return 'Not licensed for your organisation.'
  const forChannel = forOrganisation.filter((grant) => coversChannel(grant, use.channel))
  if (forChannel.length === 0) {
    if (use.channel) return `Not licensed for ${use.channel} use.`
    return `Licensed only for ${listOf(forOrganisation.flatMap((grant) => grant.channels))} use.`
  }
  const forTerritory = forChannel.filter((grant) => coversTerritory(grant, use.territory))
  if (forTerritory.length === 0) {
    if (use.territory) return `Not licensed in ${use.territory.toUpperCase()}.`
    return `Licensed only in ${listOf(forChannel.flatMap((grant) => grant.territories))}.`
  }
  const revoked = forTerritory.filter((grant) => grant.revokedAt && grant.revokedAt.getTime() <= use.at.getTime())
  if (revoked.length === forTerritory.length) return 'The licence was revoked.'
  const live = forTerritory.filter((grant) => !revoked.includes(grant))
  const embargoed = live
    .filter((grant) => grant.startsAt && use.at.getTime() < grant.startsAt.getTime())
    .sort((a, b) => (a.startsAt?.getTime() ?? 0) - (b.startsAt?.getTime() ?? 0))
  const nextOpening = embargoed[0]
  if (nextOpening?.startsAt) {
    return `Embargoed until ${formatInstant(nextOpening.startsAt, nextOpening.timeZone)}.`
  }
  const expired = live
    .filter((grant) => grant.expiresAt && grant.expiresAt.getTime() <= use.at.getTime())
    .sort((a, b) => (b.expiresAt?.getTime() ?? 0) - (a.expiresAt?.getTime() ?? 0))
  const lastExpiry = expired[0]
  if (lastExpiry?.expiresAt) {
    return `Licence expired on ${formatInstant(lastExpiry.expiresAt, lastExpiry.timeZone)}.`
  }
  return 'No licence in force.'
}

const FAR_FUTURE = Date.UTC(9999, 0, 1)

/**
 * What the search index may promise a partner who has declared no channel or
 * territory: a usable interval and the organisations it holds for (`null`: all).
 * Only grants covering any use count. Grants open to every organisation come first,
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
  const general = grants.filter(coversAnyUse)
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
