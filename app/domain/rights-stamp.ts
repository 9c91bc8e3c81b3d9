/**
 * The rights stamp: what a delivered file says about its own usage rights, written
 * into its embedded metadata (dc:rights, xmpRights:UsageTerms/WebStatement/Marked,
 * plus:LicenseEndDate) so the terms travel with the file wherever it goes.
 *
 * Pure: the same grants, recipient and instant always give the same stamp, so a
 * stamped copy can be stored under a hash of it and reused until the terms change.
 * Whether a use is allowed is decided by `evaluateUse` (./rights); this module only
 * describes the grants a recipient holds, in words a person reads in Photoshop,
 * Lightroom or a file browser.
 */
import { WORLDWIDE, type RightsGrantTerms } from './rights'

/** A grant as the stamp describes it: its terms plus who licensed it and on what basis. */
export type StampGrant = RightsGrantTerms & {
  licenceVariant: string | null
  licensor: string
  reference: string
}

/** Who the file is delivered to: one partner organisation, or partners in general (brand staff). */
export type StampRecipient = { kind: 'organisation'; organisationId: string; name: string } | { kind: 'all-partners' }

export type RightsStamp = {
  /** dc:rights (and EXIF/IPTC/QuickTime copyright): the notice and the licences. */
  rights: string
  /** xmpRights:UsageTerms: channels, territories, embargo and expiry, as sentences. */
  usageTerms: string
  /** xmpRights:WebStatement: the asset's rights page, where the current terms are. */
  webStatement: string
  /**
   * plus:LicenseEndDate, ISO 8601 in UTC without fractions: the earliest end among
   * the grants described. Absent when any of them is open-ended, or none applies.
   */
  licenseEndDate?: string
  /** xmpRights:Marked: the file is rights-managed, not public domain. */
  marked: true
}

export type BuildRightsStampOptions = {
  asset: { id: string; title: string }
  versionNumber: number
  /** The brand organisation holding the copyright notice. */
  owner: string
  /** Every grant on the asset; the ones in force for the recipient are picked here. */
  grants: readonly StampGrant[]
  recipient: StampRecipient
  /** Where people reach Damson (PUBLIC_URL). */
  publicUrl: string
  at: Date
}

const LICENCE_LABELS: Record<string, string> = {
  owned: 'Owned by the brand',
  royalty_free: 'Royalty-free licence',
  rights_managed: 'Rights-managed licence',
  editorial_only: 'Editorial-only licence',
  creative_commons: 'Creative Commons licence',
}

/** The end of a grant's window: its expiry, or an earlier scheduled revocation. */
function endOf(grant: RightsGrantTerms): Date | null {
  const ends = [grant.expiresAt, grant.revokedAt].filter((end): end is Date => end !== null)
  if (ends.length === 0) return null
  return new Date(Math.min(...ends.map((end) => end.getTime())))
}

/**
 * The grants a stamp describes: not ended at `at` (embargoed ones included, since
 * the embargo is part of the terms) and held by the recipient. For partners in
 * general only grants open to every organisation count: a licence for one named
 * partner says nothing about what any other may do.
 */
export function grantsInForceFor<G extends RightsGrantTerms>(grants: readonly G[], recipient: StampRecipient, at: Date): G[] {
  return grants
    .filter((grant) => {
      const end = endOf(grant)
      if (end && end.getTime() <= at.getTime()) return false
      if (grant.organisationIds.length === 0) return true
      return recipient.kind === 'organisation' && grant.organisationIds.includes(recipient.organisationId)
    })
    .sort(byWindowThenId)
}

// A stable order, so the stamp (and the stored copy keyed by its hash) never depends on row order.
function byWindowThenId(a: RightsGrantTerms, b: RightsGrantTerms): number {
  const start = (a.startsAt?.getTime() ?? 0) - (b.startsAt?.getTime() ?? 0)
  if (start !== 0) return start
  const end = (endOf(a)?.getTime() ?? Infinity) - (endOf(b)?.getTime() ?? Infinity)
  if (end !== 0 && !Number.isNaN(end)) return end
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export function buildRightsStamp({
  asset,
  versionNumber,
  owner,
  grants,
  recipient,
  publicUrl,
  at,
}: BuildRightsStampOptions): RightsStamp {
  const covering = grantsInForceFor(grants, recipient, at)
  const recipientName = recipient.kind === 'organisation' ? recipient.name : 'all partners'
  const subject = `"${asset.title}" (version ${versionNumber}) for ${recipientName}:`

  let terms: string
  if (grants.length === 0) {
    // Brand-owned material with no recorded restriction (as evaluateUse treats it).
    terms = 'No usage restrictions are recorded; no expiry.'
  } else if (covering.length === 0) {
    terms = `No licence in force covers this recipient; ask ${owner} before any use.`
  } else {
    terms = covering.map((grant) => describeUse(grant, at)).join(' ')
  }

  const ends = covering.map(endOf)
  const everyGrantEnds = covering.length > 0 && ends.every((end) => end !== null)
  const earliestEnd = everyGrantEnds ? Math.min(...ends.map((end) => end?.getTime() ?? Infinity)) : null

  return {
    rights: [`© ${owner}.`, ...unique(covering.map(describeLicence).filter((line) => line !== null))].join(' '),
    usageTerms: `${subject} ${terms}`,
    webStatement: `${publicUrl.replace(/\/+$/, '')}/portal/assets/${encodeURIComponent(asset.id)}#rights`,
    ...(earliestEnd !== null ? { licenseEndDate: isoSeconds(new Date(earliestEnd)) } : {}),
    marked: true,
  }
}

/** "Royalty-free licence from Getty Images (ref. 123)." — null for the brand's own material. */
function describeLicence(grant: StampGrant): string | null {
  const licensor = grant.licensor.trim()
  const reference = grant.reference.trim()
  if (grant.licenceType === 'owned' && !licensor && !reference) return null
  const variant = grant.licenceVariant?.trim()
  const label =
    grant.licenceType === 'creative_commons' && variant
      ? `${variant} licence`
      : (LICENCE_LABELS[grant.licenceType] ?? `${grant.licenceType.replace(/_/g, '-')} licence`)
  return `${label}${licensor ? ` from ${licensor}` : ''}${reference ? ` (ref. ${reference})` : ''}.`
}

/** "Web and print use in Germany and Austria, embargoed until …, expires …." */
function describeUse(grant: StampGrant, at: Date): string {
  const channels = grant.channels.length === 0 ? 'Any use' : `${capitalise(listOf(grant.channels))} use`
  const territories = grant.territories.length === 0 || grant.territories.includes(WORLDWIDE)
    ? 'worldwide'
    : `in ${listOf(grant.territories.map(territoryName))}`
  const parts = [`${channels} ${territories}`]
  if (grant.licenceType === 'editorial_only') parts.push('editorial use only')
  if (grant.startsAt && grant.startsAt.getTime() > at.getTime()) {
    parts.push(`embargoed until ${formatInstant(grant.startsAt, grant.timeZone)}`)
  }
  const end = endOf(grant)
  parts.push(end ? `expires ${formatInstant(end, grant.timeZone)}` : 'no expiry')
  return `${parts.join(', ')}.`
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' })

function territoryName(code: string): string {
  try {
    return regionNames.of(code.toUpperCase()) ?? code
  } catch {
    return code
  }
}

/** "31 December 2027 at 23:59 CET (Europe/Berlin)": the zone the dates were entered in. */
function formatInstant(at: Date, timeZone: string): string {
  try {
    const formatted = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
      timeZoneName: 'short',
    }).format(at)
    // Abbreviations like "CET" or "GMT+1" are ambiguous on their own; name the zone too.
    return timeZone === 'UTC' ? formatted : `${formatted} (${timeZone})`
  } catch {
    return `${isoSeconds(at)} (UTC)`
  }
}

function isoSeconds(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`
}

function listOf(values: readonly string[]): string {
  const distinct = unique(values)
  if (distinct.length <= 1) return distinct[0] ?? ''
  return `${distinct.slice(0, -1).join(', ')} and ${distinct[distinct.length - 1]}`
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)]
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
