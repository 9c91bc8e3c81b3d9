/**
 * An asset's rights in plain language: what a partner may do now, for their asset
 * page, or every grant and where it stands, for staff. Built on the same rule as
 * evaluateUse (app/domain/rights), so the page never says more than the check allows.
 */
import {
  describeChannels,
  describeLicence,
  describeTerritories,
  expiryWarningAt,
  formatRightsDate,
  formatRightsInstant,
  grantScope,
  grantState,
  permittedUses,
  type GrantState,
  type RightsGrantTerms,
  type RightsNames,
  type UseScope,
} from './rights'

export type RightsSummaryOptions = {
  /** The partner organisation reading; null for brand staff. */
  organisationId: string | null
  at: Date
  names?: RightsNames
  /**
   * partner: what the reader may do now, from the grants in force for them (never
   * another organisation's grants, nor notes). staff: every grant, including blocked
   * ones and why, whoever it is for (organisationId is then not used). Defaults to
   * staff when organisationId is null, partner otherwise.
   */
  audience?: 'partner' | 'staff'
}

export type LicenceSummary = {
  grantId: string
  state: GrantState['state']
  /** "Royalty-free licence from Getty Images (ref. 123)" */
  title: string
  /** Short lines: "Use on web and social", "In Germany, France and Austria", "Until …", "Editorial use only". */
  lines: string[]
}

export type RightsSummary = {
  /** One line to head the rights panel. */
  headline: string
  /** Every licence's title followed by its lines, ready to list. */
  lines: string[]
  licences: LicenceSummary[]
}

const NO_RESTRICTIONS = 'No usage restrictions are recorded'
const conjunction = new Intl.ListFormat('en-GB', { style: 'long', type: 'conjunction' })

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

function channelsLine(scope: UseScope, names: RightsNames | undefined): string {
  return scope.anyChannel ? 'Use on any channel' : `Use on ${describeChannels(scope.channels, names)}`
}

function territoriesLine(scope: UseScope): string {
  return scope.worldwide ? 'Worldwide' : `In ${describeTerritories(scope.territories)}`
}

function organisationsLine(grant: RightsGrantTerms, names: RightsNames | undefined): string {
  if (grant.organisationIds.length === 0) return 'For every partner organisation'
  const ids = [...new Set(grant.organisationIds)]
  const named = ids.flatMap((id) => {
    const name = names?.organisation?.(id)
    return name === undefined ? [] : [name]
  })
  const unnamed = ids.length - named.length
  const other = named.length > 0 ? 'other ' : ''
  const parts =
    unnamed > 0 ? [...named, plural(unnamed, `${other}partner organisation`, `${other}partner organisations`)] : named
  return `For ${conjunction.format(parts)} only`
}

function endOf(grant: RightsGrantTerms): Date | null {
  const { expiresAt, revokedAt } = grant
  if (expiresAt && revokedAt) return expiresAt.getTime() <= revokedAt.getTime() ? expiresAt : revokedAt
  return expiresAt ?? revokedAt
}

function byId(a: RightsGrantTerms, b: RightsGrantTerms): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function partnerLicence(grant: RightsGrantTerms, names: RightsNames | undefined): LicenceSummary {
  const scope = grantScope(grant)
  const end = endOf(grant)
  const lines = [
    channelsLine(scope, names),
    territoriesLine(scope),
    end ? `Until ${formatRightsInstant(end, grant.timeZone)}` : 'No expiry date',
  ]
  if (grant.licenceType === 'editorial_only') lines.push('Editorial use only')
  return { grantId: grant.id, state: 'in_force', title: capitalise(describeLicence(grant)), lines }
}

function stateLine(grant: RightsGrantTerms, state: GrantState): string {
  switch (state.state) {
    case 'in_force':
      return state.until ? `In force until ${formatRightsInstant(state.until, grant.timeZone)}` : 'In force, no expiry date'
    case 'embargoed':
      return `Starts at ${formatRightsInstant(state.startsAt, grant.timeZone)}`
    case 'never_in_force':
      return 'Never takes effect: it ends before it starts'
    case 'expired':
      return `Expired on ${formatRightsDate(state.expiredAt, grant.timeZone)}`
    case 'revoked':
      return `Revoked on ${formatRightsDate(state.revokedAt, grant.timeZone)}`
  }
}

function staffLicence(grant: RightsGrantTerms, at: Date, names: RightsNames | undefined): LicenceSummary {
  const state = grantState(grant, at)
  const scope = grantScope(grant)
  const lines = [stateLine(grant, state), channelsLine(scope, names), territoriesLine(scope), organisationsLine(grant, names)]
  if (state.state === 'embargoed' || state.state === 'never_in_force') {
    const end = endOf(grant)
    if (end) lines.push(`Until ${formatRightsInstant(end, grant.timeZone)}`)
  }
  const warnAt = expiryWarningAt(grant)
  if (warnAt && (state.state === 'in_force' || state.state === 'embargoed') && (!grant.revokedAt || warnAt < grant.revokedAt)) {
    const days = plural(grant.warnBeforeDays ?? 0, 'day', 'days')
    lines.push(`Expiry warning ${days} before, at ${formatRightsInstant(warnAt, grant.timeZone)}`)
  }
  if (grant.licenceType === 'editorial_only') lines.push('Editorial use only')
  const notes = grant.notes?.trim()
  if (notes) lines.push(`Notes: ${notes}`)
  return { grantId: grant.id, state: state.state, title: capitalise(describeLicence(grant)), lines }
}

/** Staff read grants in force first (soonest to end first), then upcoming, then ended (latest first). */
function staffOrder(at: Date) {
  const rank = (grant: RightsGrantTerms): [number, number] => {
    const state = grantState(grant, at)
    switch (state.state) {
      case 'in_force':
        return [0, state.until?.getTime() ?? Number.POSITIVE_INFINITY]
      case 'embargoed':
        return [1, state.startsAt.getTime()]
      case 'never_in_force':
        return [2, 0]
      case 'expired':
        return [3, -state.expiredAt.getTime()]
      case 'revoked':
        return [3, -state.revokedAt.getTime()]
    }
  }
  return (a: RightsGrantTerms, b: RightsGrantTerms): number => {
    const [ra, ka] = rank(a)
    const [rb, kb] = rank(b)
    return ra - rb || (ka === kb ? 0 : ka < kb ? -1 : 1) || byId(a, b)
  }
}

function flatten(licences: readonly LicenceSummary[]): string[] {
  return licences.flatMap((licence) => [licence.title, ...licence.lines])
}

/**
 * The rights panel for an asset page. Partner headline: "Licensed for use on web and
 * social in Germany until 12:00 CET on 1 March 2027" (the instant any of it first
 * lapses), or, when grants in force allow different things, how many licences apply;
 * "No licence covers any use now" when none does. Staff headline: how many grants are
 * in force.
 */
export function rightsSummary(grants: readonly RightsGrantTerms[], options: RightsSummaryOptions): RightsSummary {
  const { organisationId, at, names } = options
  const audience = options.audience ?? (organisationId === null ? 'staff' : 'partner')
  if (grants.length === 0) return { headline: NO_RESTRICTIONS, lines: [], licences: [] }
  const sorted = [...grants].sort(byId)

  if (audience === 'staff') {
    const licences = [...sorted].sort(staffOrder(at)).map((grant) => staffLicence(grant, at, names))
    const inForce = licences.filter((licence) => licence.state === 'in_force').length
    const headline =
      inForce === 0
        ? 'No licence in force'
        : grants.length === 1
          ? 'The licence is in force'
          : `${inForce} of ${grants.length} licences in force`
    return { headline, lines: flatten(licences), licences }
  }

  const permitted = permittedUses(grants, { organisationId, at })
  const inForce = sorted.filter((grant) => permitted.grantIds.includes(grant.id))
  if (inForce.length === 0) {
    // Only this organisation's own grants are looked at: a partner never learns of another's.
    const upcoming = sorted
      .filter((grant) => organisationId === null || grant.organisationIds.length === 0 || grant.organisationIds.includes(organisationId))
      .flatMap((grant) => {
        const state = grantState(grant, at)
        return state.state === 'embargoed' ? [{ grant, startsAt: state.startsAt }] : []
      })
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || byId(a.grant, b.grant))[0]
    const lines = upcoming ? [`Licensed from ${formatRightsInstant(upcoming.startsAt, upcoming.grant.timeZone)}`] : []
    return { headline: 'No licence covers any use now', lines, licences: [] }
  }

  const licences = inForce.map((grant) => partnerLicence(grant, names))
  const editorial = inForce.every((grant) => grant.licenceType === 'editorial_only')
  const [scope, ...others] = permitted.scopes
  let headline: string
  if (!scope) {
    // In force, but only for territories no use can name: nothing is actually usable.
    headline = 'No licence covers any use now'
  } else if (others.length === 0) {
    const lapsing = permitted.until
    // Say the time in the zone of the grant that ends then.
    const zone = inForce.find((grant) => lapsing && endOf(grant)?.getTime() === lapsing.getTime())?.timeZone ?? inForce[0]?.timeZone ?? 'UTC'
    headline =
      `Licensed for ${editorial ? 'editorial use' : 'use'} ` +
      `${scope.anyChannel ? 'on any channel' : `on ${describeChannels(scope.channels, names)}`} ` +
      `${scope.worldwide ? 'worldwide' : `in ${describeTerritories(scope.territories)}`}` +
      (lapsing ? ` until ${formatRightsInstant(lapsing, zone)}` : '')
  } else {
    headline = `Licensed ${editorial ? 'for editorial use ' : ''}under ${inForce.length} licences with different terms`
  }
  return { headline, lines: flatten(licences), licences }
}
