/**
 * Everything the portal's asset page shows around the asset itself: the rights in
 * plain language, the download form (the channels and territories the viewer's
 * rights allow now, preselected from their last declared use), and, for brand staff,
 * why partner organisations can or cannot see the asset.
 *
 * Access is decided by getPortalAsset (the one rule; NOT_FOUND when hidden). The form
 * offers the union of what the grants in force allow; a pairing the union
 * over-promises (web from one grant, Japan from another) is refused on submit with
 * evaluateUse's reason.
 */
import { loadAssetAccessFacts } from '~/assets/access.server'
import type { Db } from '~/db.server'
import { canViewAsset, type Viewer } from '~/domain/asset-access'
import { evaluateUse, permittedUses, type RightsNames } from '~/domain/rights'
import { rightsSummary, type LicenceSummary } from '~/domain/rights-summary'
import { isStaff } from '~/domain/roles'
import { TERRITORY_CODES, territoryName, WORLDWIDE } from '~/domain/territories'
import { presetLinksFor, type PresetLink } from '~/assets/preset-renditions.server'
import { AppError } from '~/errors.server'
import { getVersionEmbeddedMetadata } from '~/metadata/embedded-metadata-view.server'
import type { EmbeddedMetadataView } from '~/metadata/metadata-views'
import { declaredUseDefaults, loadRightsChannels, loadUseNames, type DeclaredUse } from '~/rights/declared-use.server'
import { getPortalAsset, type PortalAssetView } from './browse.server'
import type { MediaView } from '~/components/media-viewer/media-view'
import { loadMediaView } from '~/media/media-view.server'

/** How many partner organisations the staff panel looks at. */
export const PARTNER_ACCESS_LIMIT = 20

export type RightsSummaryView = {
  headline: string
  licences: Pick<LicenceSummary, 'grantId' | 'state' | 'title' | 'lines'>[]
}

export type DownloadFormView = {
  channels: { key: string; label: string }[]
  /** Worldwide first, then countries by name. */
  territories: { code: string; name: string }[]
  /** The last declared use where the options still hold it (each part on its own); empty strings otherwise. */
  selected: { channel: string; territory: string }
  /** Nothing can be declared now (no grant in force for the viewer). */
  nothingPermitted: boolean
  /** Staff are recorded but never refused. */
  forStaff: boolean
}

export type PartnerAccessGroup = {
  /** Null: these organisations can see the asset. */
  reason: string | null
  organisations: string[]
}

export type PartnerAccessView = {
  /** Grouped by reason; the organisations that can see it last. */
  groups: PartnerAccessGroup[]
  /** Partner organisations beyond the first PARTNER_ACCESS_LIMIT, not looked at. */
  notShown: number
  /** Whether the asset is shared with every partner organisation (else only with named ones). */
  sharedWithAllPartners: boolean
}

export type PortalAssetPage = {
  asset: PortalAssetView
  rights: RightsSummaryView
  downloadForm: DownloadFormView
  /** For brand staff only. */
  partnerAccess: PartnerAccessView | null
  /** The shown version's embedded metadata, shaped for the viewer (no location for partners). */
  embeddedMetadata: EmbeddedMetadataView | null
  /** The shown version's viewer: zoomable image, video or audio player, PDF pages, or a type icon. */
  media: MediaView | null
  /** The admin rendition presets the shown version can be downloaded in (images only). */
  presetLinks: PresetLink[]
}

const ALL_TERRITORIES = [...TERRITORY_CODES]
  .map((code) => ({ code: code as string, name: territoryName(code) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'))

export type PortalAssetPageOptions = { db: Db; viewer: Viewer; assetId: string; at?: Date }

export async function getPortalAssetPage({ db, viewer, assetId, at = new Date() }: PortalAssetPageOptions): Promise<PortalAssetPage> {
  const asset = await getPortalAsset({ db, viewer, assetId, at })
  const staff = isStaff(viewer.roles)
  const [grants, names, channels, remembered] = await Promise.all([
    db.rightsGrant.findMany({ where: { assetId } }),
    loadUseNames(db),
    loadRightsChannels(db),
    declaredUseDefaults(db, viewer.userId),
  ])

  // Staff read which partner organisations each grant is for; partners never see other organisations.
  const organisationNames = staff ? await loadOrganisationNames(db, grants.flatMap((grant) => grant.organisationIds)) : new Map<string, string>()
  const summary = rightsSummary(grants, {
    organisationId: staff ? null : viewer.organisationId,
    at,
    names: { ...names.inSentences, organisation: (id) => organisationNames.get(id) },
    audience: staff ? 'staff' : 'partner',
  })

  return {
    asset,
    rights: {
      headline: summary.headline,
      licences: summary.licences.map(({ grantId, state, title, lines }) => ({ grantId, state, title, lines })),
    },
    downloadForm: downloadFormFor({
      staff,
      permitted: permittedUses(grants, { organisationId: staff ? null : viewer.organisationId, at }),
      channels,
      remembered,
    }),
    partnerAccess: staff ? await partnerAccess(db, assetId, at, names.inSentences) : null,
    embeddedMetadata: await getVersionEmbeddedMetadata({ db, versionId: asset.version.id, roles: viewer.roles }),
    media: await loadMediaView(db, assetId, asset.version.id),
    presetLinks: await presetLinksFor({ db, assetId, versionId: asset.version.id }),
  }
}

async function loadOrganisationNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.organisation.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } })
  return new Map(rows.map((row) => [row.id, row.name]))
}

/**
 * The form's options. Partners get what their grants in force allow; staff get every
 * channel and territory, since they are never refused (the ledger records the use).
 */
export function downloadFormFor({
  staff,
  permitted,
  channels,
  remembered,
}: {
  staff: boolean
  permitted: ReturnType<typeof permittedUses>
  channels: readonly { key: string; label: string }[]
  remembered: DeclaredUse | null
}): DownloadFormView {
  const worldwide = { code: WORLDWIDE, name: territoryName(WORLDWIDE) }
  const nothingPermitted = permitted.scopes.length === 0
  let channelOptions: { key: string; label: string }[]
  let territoryOptions: { code: string; name: string }[]
  if (staff) {
    channelOptions = [...channels]
    territoryOptions = [worldwide, ...ALL_TERRITORIES]
  } else if (nothingPermitted) {
    channelOptions = []
    territoryOptions = []
  } else {
    // Channels the grants name that are no longer in the channel list cannot be declared (the check needs a known key).
    channelOptions = permitted.anyChannel ? [...channels] : channels.filter((channel) => permitted.channels.includes(channel.key))
    territoryOptions = permitted.worldwide
      ? [worldwide, ...ALL_TERRITORIES]
      : ALL_TERRITORIES.filter((territory) => permitted.territories.includes(territory.code))
  }
  const channel = remembered && channelOptions.some((option) => option.key === remembered.channel) ? remembered.channel : ''
  const territory = remembered && territoryOptions.some((option) => option.code === remembered.territory) ? remembered.territory : ''
  return {
    channels: channelOptions,
    territories: territoryOptions,
    // A single option needs no choosing.
    selected: {
      channel: channel || (channelOptions.length === 1 ? (channelOptions[0]?.key ?? '') : ''),
      territory: territory || (territoryOptions.length === 1 ? (territoryOptions[0]?.code ?? '') : ''),
    },
    nothingPermitted: !staff && nothingPermitted,
    forStaff: staff,
  }
}

/**
 * For staff: the partner organisations the asset is shared with (every partner
 * organisation when shared with all), the first PARTNER_ACCESS_LIMIT by name, grouped
 * by what the one access rule tells them. Rights refusals name the organisation
 * neutrally ("their organisation"), so organisations with the same reason group.
 */
async function partnerAccess(db: Db, assetId: string, at: Date, names: RightsNames): Promise<PartnerAccessView> {
  const facts = await loadAssetAccessFacts(db, assetId)
  if (!facts) throw new AppError('NOT_FOUND', 'Asset not found')
  const where = facts.sharedWithAllPartners
    ? { kind: 'partner' as const }
    : { kind: 'partner' as const, id: { in: [...facts.sharedOrganisationIds] } }
  const [organisations, total] = await Promise.all([
    db.organisation.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }], take: PARTNER_ACCESS_LIMIT, select: { id: true, name: true } }),
    db.organisation.count({ where }),
  ])

  const groups = new Map<string | null, string[]>()
  for (const organisation of organisations) {
    const viewer: Viewer = { userId: '', roles: ['partner'], organisationId: organisation.id }
    const decision = canViewAsset(viewer, facts, at)
    let reason: string | null = null
    if (!decision.allowed) {
      // When the rights are what hides it, say so in words staff read (channel labels, "their organisation").
      const rights = evaluateUse(facts.rightsGrants, { at, organisationId: organisation.id })
      reason =
        !rights.allowed && rights.reason === decision.reason
          ? evaluateUse(facts.rightsGrants, { at, organisationId: organisation.id }, { ...names, organisation: () => 'their organisation' }).reason
          : decision.reason
    }
    groups.set(reason, [...(groups.get(reason) ?? []), organisation.name])
  }
  return {
    groups: [...groups.entries()]
      .map(([reason, names]) => ({ reason, organisations: names }))
      // Refusals first (largest group first), then who can see it.
      .sort((a, b) => (a.reason === null ? 1 : 0) - (b.reason === null ? 1 : 0) || b.organisations.length - a.organisations.length),
    notShown: Math.max(0, total - organisations.length),
    sharedWithAllPartners: facts.sharedWithAllPartners,
  }
}
