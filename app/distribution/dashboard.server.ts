/**
 * What the distribution pages show, read from the records the distribution workflow
 * keeps: the dashboard (activity over 30 days, every channel at a glance, the rights
 * engine's open takedown requests), one channel's assets by state, and one asset on
 * every channel with why it is, or is not, live there.
 *
 * "Why" is the distribution rule itself (decideDistribution), applied to the facts as
 * they are now: the same answer the workflow acts on. Dates come formatted, in UTC.
 */
import { distributionAssetFacts, distributionAssetSelect } from './distribution-facts.server'
import type { Db, DbOrTx } from '~/db.server'
import { describeDestination } from '~/domain/channel-destination'
import { describeChannelPreset } from '~/domain/channel-preset'
import { channelScopeCovers, decideDistribution } from '~/domain/distribution'
import { evaluateChannel } from '~/domain/rights'
import { AppError } from '~/errors.server'
import { Prisma } from '~/generated/prisma/client'
import type { DistributionState } from '~/generated/prisma/enums'
import { loadRightsChannels, loadUseNames } from '~/rights/declared-use.server'
import { ACTIVITY_DAYS, ACTIVITY_KINDS, activityWindowStart, bucketDistributionActivity, type ActivityChart, type ActivityKind } from './activity-chart'
import { countDistributionsByChannel, storedDestination, storedPreset } from './channels.server'
import { republishProgress } from './distribution-actions.server'
import { describeState, emptyStateCounts, stateGroupOf, STATES_BY_GROUP, type StateCounts, type StateGroup } from './state-groups'

const formatInstant = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
const when = (date: Date) => `${formatInstant.format(date)} UTC`
const whenOrNull = (date: Date | null) => (date ? when(date) : null)

/** Rows each list shows; the page says how many more there are. */
const ROW_LIMIT = 100

type ChannelKindName = 's3' | 'webhook' | 'folder'

type ChannelFacts = {
  id: string
  name: string
  kind: ChannelKindName
  destination: Prisma.JsonValue
  preset: Prisma.JsonValue
  rightsChannel: string
  enabled: boolean
  autoPublish: boolean
}

export type ChannelSummary = {
  id: string
  name: string
  kind: ChannelKindName
  enabled: boolean
  autoPublish: boolean
  rightsChannel: string
  destination: string
  preset: string
}

function summaryOf(channel: ChannelFacts, labels: ReadonlyMap<string, string>): ChannelSummary {
  const destination = storedDestination(channel)
  const preset = storedPreset(channel.preset)
  return {
    id: channel.id,
    name: channel.name,
    kind: channel.kind,
    enabled: channel.enabled,
    autoPublish: channel.autoPublish,
    rightsChannel: labels.get(channel.rightsChannel) ?? channel.rightsChannel,
    destination: destination ? describeDestination(destination) : 'Destination settings no longer valid',
    preset: preset ? describeChannelPreset(preset) : 'Preset no longer valid',
  }
}

async function rightsChannelLabels(db: DbOrTx): Promise<Map<string, string>> {
  return new Map((await loadRightsChannels(db)).map((channel) => [channel.key, channel.label]))
}

// ───────────────────────────── the dashboard

export type ChannelOverview = ChannelSummary & {
  counts: StateCounts
  lastPublication: { at: string; assetId: string; assetTitle: string } | null
}

/** Every channel by name with its counts and its latest publication. */
export async function getChannelsOverview({ db }: { db: DbOrTx }): Promise<ChannelOverview[]> {
  const [channels, counts, labels] = await Promise.all([db.channel.findMany({ orderBy: { name: 'asc' } }), countDistributionsByChannel(db), rightsChannelLabels(db)])
  // One indexed look-up per channel (channelId, at): channels are few, events many.
  const latest = await Promise.all(
    channels.map((channel) =>
      db.distributionEvent.findFirst({ where: { channelId: channel.id, kind: 'published' }, orderBy: { at: 'desc' }, select: { at: true, assetId: true } }),
    ),
  )
  const assetIds = [...new Set(latest.flatMap((event) => (event ? [event.assetId] : [])))]
  const titles = new Map(
    (assetIds.length > 0 ? await db.asset.findMany({ where: { id: { in: assetIds } }, select: { id: true, title: true } }) : []).map((asset) => [asset.id, asset.title]),
  )
  return channels.map((channel, index) => {
    const event = latest[index]
    return {
      ...summaryOf(channel, labels),
      counts: counts.get(channel.id) ?? emptyStateCounts(),
      lastPublication: event ? { at: when(event.at), assetId: event.assetId, assetTitle: titles.get(event.assetId) ?? 'A deleted asset' } : null,
    }
  })
}

export type OpenTakedownRequest = {
  id: string
  assetId: string
  assetTitle: string
  /** The rights channel's label, or "Every channel". */
  channel: string
  reason: string
  effectiveAt: string
  /** Effective already (normally carried out within seconds; older ones are stuck). */
  due: boolean
  /** Channels the asset is still at, among those the request concerns. */
  stillLiveOn: string[]
  /** Why nothing here concerns it (no channel is of its rights channel), or null. */
  noChannel: string | null
}

/** The rights engine's takedown requests not yet carried out, the oldest first. */
export async function getOpenTakedownRequests({ db, now = new Date() }: { db: DbOrTx; now?: Date }): Promise<{ requests: OpenTakedownRequest[]; total: number }> {
  const [requests, total, labels, channels] = await Promise.all([
    db.takedownRequest.findMany({
      where: { status: 'requested' },
      orderBy: [{ effectiveAt: 'asc' }, { createdAt: 'asc' }],
      take: ROW_LIMIT,
      select: { id: true, assetId: true, channel: true, reason: true, effectiveAt: true, asset: { select: { title: true } } },
    }),
    db.takedownRequest.count({ where: { status: 'requested' } }),
    rightsChannelLabels(db),
    db.channel.findMany({ select: { rightsChannel: true } }),
  ])
  const mapped = new Set(channels.map((channel) => channel.rightsChannel))
  const live =
    requests.length === 0
      ? []
      : await db.distribution.findMany({
          where: { assetId: { in: [...new Set(requests.map((request) => request.assetId))] }, externalRef: { not: null } },
          select: { assetId: true, channel: { select: { name: true, rightsChannel: true } } },
        })
  return {
    total,
    requests: requests.map((request) => ({
      id: request.id,
      assetId: request.assetId,
      assetTitle: request.asset.title,
      channel: request.channel === '*' ? 'Every channel' : (labels.get(request.channel) ?? request.channel),
      reason: request.reason,
      effectiveAt: when(request.effectiveAt),
      due: request.effectiveAt.getTime() <= now.getTime(),
      stillLiveOn: live
        .filter((row) => row.assetId === request.assetId && (request.channel === '*' || row.channel.rightsChannel === request.channel))
        .map((row) => row.channel.name),
      noChannel:
        request.channel === '*'
          ? mapped.size === 0
            ? 'There are no channels: nothing to take down here'
            : null
          : mapped.has(request.channel)
            ? null
            : `No channel is for ${labels.get(request.channel) ?? request.channel}: nothing to take down here`,
    })),
  }
}

function isActivityKind(kind: string): kind is ActivityKind {
  return ACTIVITY_KINDS.some((candidate) => candidate === kind)
}

/** Publications, takedowns and failures per UTC day over the last 30 days; one channel's, or every channel's. */
export async function getDistributionActivity({ db, channelId, now = new Date() }: { db: DbOrTx; channelId?: string | null; now?: Date }): Promise<ActivityChart> {
  // "at" is a timestamp without zone holding UTC; comparing with a zone-less literal keeps the session's zone out of it.
  const from = activityWindowStart(now, ACTIVITY_DAYS).toISOString()
  const rows = await db.$queryRaw<{ day: string; kind: string; count: number }[]>`
    SELECT to_char(date_trunc('day', "at"), 'YYYY-MM-DD') AS "day", "kind"::text AS "kind", COUNT(*)::int AS "count"
    FROM "DistributionEvent"
    WHERE "at" >= ${from}::timestamp ${channelId ? Prisma.sql`AND "channelId" = ${channelId}` : Prisma.empty}
    GROUP BY 1, 2`
  const counts = rows.flatMap((row) => {
    const kind = row.kind
    return isActivityKind(kind) ? [{ day: row.day, kind, count: row.count }] : []
  })
  return bucketDistributionActivity(counts, now)
}

export type DistributionDashboard = {
  chart: ActivityChart
  /** The channel the chart is narrowed to, or null for every channel. */
  chartChannel: { id: string; name: string } | null
  channels: ChannelOverview[]
  takedowns: { requests: OpenTakedownRequest[]; total: number }
}

/** The dashboard in one read; `channelId` narrows the chart (an unknown one is ignored). */
export async function getDistributionDashboard({ db, channelId, now = new Date() }: { db: DbOrTx; channelId?: string | null; now?: Date }): Promise<DistributionDashboard> {
  const channels = await getChannelsOverview({ db })
  const chartChannel = channels.find((channel) => channel.id === channelId) ?? null
  const [chart, takedowns] = await Promise.all([getDistributionActivity({ db, channelId: chartChannel?.id ?? null, now }), getOpenTakedownRequests({ db, now })])
  return { chart, chartChannel: chartChannel ? { id: chartChannel.id, name: chartChannel.name } : null, channels, takedowns }
}

// ───────────────────────────── one channel

export type ChannelDistributionRow = {
  assetId: string
  assetTitle: string
  state: DistributionState
  stateLabel: string
  /** The version at the destination; for pending rows, the one due to go out. */
  versionNumber: number | null
  publishedAt: string | null
  publishedBy: string | null
  error: string | null
  failedAttempts: number
  lastAttemptAt: string | null
  removedAt: string | null
  removalReason: string | null
  /** Something is at the destination (a failed replacement leaves the previous file live). */
  live: boolean
  /** Unpublished by a librarian: it stays off until someone publishes it again. */
  held: boolean
}

export type RepublishProgressView = {
  requestedAt: string
  total: number
  delivered: number
  failed: number
  removed: number
  finished: boolean
}

export type ChannelDistributions = {
  channel: ChannelSummary
  counts: StateCounts
  groups: Record<StateGroup, ChannelDistributionRow[]>
  progress: RepublishProgressView | null
}

const GROUP_ORDER: Record<StateGroup, Prisma.DistributionOrderByWithRelationInput[]> = {
  live: [{ publishedAt: 'desc' }],
  pending: [{ updatedAt: 'desc' }],
  failed: [{ lastAttemptAt: 'desc' }],
  takenDown: [{ removedAt: 'desc' }, { updatedAt: 'desc' }],
}

async function listGroup(db: DbOrTx, channelId: string, group: StateGroup): Promise<ChannelDistributionRow[]> {
  const rows = await db.distribution.findMany({
    where: { channelId, state: { in: [...STATES_BY_GROUP[group]] } },
    orderBy: GROUP_ORDER[group],
    take: ROW_LIMIT,
    select: {
      assetId: true,
      state: true,
      externalRef: true,
      held: true,
      releasedVersionId: true,
      publishedAt: true,
      error: true,
      failedAttempts: true,
      lastAttemptAt: true,
      removedAt: true,
      removalReason: true,
      liveVersion: { select: { number: true } },
      publishedBy: { select: { name: true } },
      asset: { select: { title: true, currentVersion: { select: { number: true } }, versions: { select: { id: true, number: true } } } },
    },
  })
  return rows.map((row) => {
    // A pending row names the version due to go out: the one a librarian released, else the current one.
    const due = row.releasedVersionId ? row.asset.versions.find((version) => version.id === row.releasedVersionId) : row.asset.currentVersion
    return {
      assetId: row.assetId,
      assetTitle: row.asset.title,
      state: row.state,
      stateLabel: describeState(row.state),
      versionNumber: row.liveVersion?.number ?? (group === 'pending' ? (due?.number ?? null) : null),
      publishedAt: whenOrNull(row.publishedAt),
      publishedBy: row.publishedBy?.name ?? null,
      error: row.error,
      failedAttempts: row.failedAttempts,
      lastAttemptAt: whenOrNull(row.lastAttemptAt),
      removedAt: whenOrNull(row.removedAt),
      removalReason: row.removalReason,
      live: row.externalRef !== null,
      held: row.held,
    }
  })
}

/** One channel's assets by state (the latest 100 of each), and how the last "republish all" is going. NOT_FOUND when there is no such channel. */
export async function getChannelDistributions({ db, channelId }: { db: Db; channelId: string }): Promise<ChannelDistributions> {
  const channel = await db.channel.findUnique({ where: { id: channelId } })
  if (!channel) throw new AppError('NOT_FOUND', 'Channel not found')
  const [labels, counts, progress, live, pending, failed, takenDown] = await Promise.all([
    rightsChannelLabels(db),
    countDistributionsByChannel(db, [channelId]),
    republishProgressOf(db, channelId),
    listGroup(db, channelId, 'live'),
    listGroup(db, channelId, 'pending'),
    listGroup(db, channelId, 'failed'),
    listGroup(db, channelId, 'takenDown'),
  ])
  return {
    channel: summaryOf(channel, labels),
    counts: counts.get(channelId) ?? emptyStateCounts(),
    groups: { live, pending, failed, takenDown },
    progress,
  }
}

async function republishProgressOf(db: Db, channelId: string): Promise<RepublishProgressView | null> {
  const progress = await republishProgress(db, channelId)
  return progress ? { ...progress, requestedAt: when(progress.requestedAt) } : null
}

// ───────────────────────────── one asset

export type AssetChannelStatus = {
  channelId: string
  channelName: string
  channelEnabled: boolean
  rightsChannel: string
  /** The record's state; null when the asset has never been on the channel. */
  state: DistributionState | null
  group: StateGroup | null
  stateLabel: string
  liveVersionNumber: number | null
  publishedAt: string | null
  publishedBy: string | null
  error: string | null
  failedAttempts: number
  lastAttemptAt: string | null
  removedAt: string | null
  removalReason: string | null
  /** The channel's folders, collections or tags take the asset in. */
  inScope: boolean
  /** The channel does not publish this asset by itself: a librarian publishes it. */
  waitsForLibrarian: boolean
  /** Why it is, or is not, live there, in words (the distribution rule's reason). */
  why: string
  canPublish: boolean
  /** The last attempt failed: try again now rather than after the backoff. */
  canRetry: boolean
  canUnpublish: boolean
}

export type AssetDistribution = {
  channels: AssetChannelStatus[]
  openTakedowns: { id: string; channel: string; reason: string; effectiveAt: string }[]
}

/** The rule's reason after a colon: "Not live: waiting for a librarian to publish it." (an initial like "EU" keeps its capitals). */
function clause(text: string): string {
  const trimmed = text.trim()
  const lowered = /^[A-Z][a-z’']/.test(trimmed) ? trimmed.charAt(0).toLowerCase() + trimmed.slice(1) : trimmed
  return /[.!?]$/.test(lowered) ? lowered : `${lowered}.`
}

/** Every channel for one asset: its state there, and why, by the rule the workflow acts on. NOT_FOUND when there is no such asset. */
export async function getAssetDistribution({ db, assetId, now = new Date() }: { db: DbOrTx; assetId: string; now?: Date }): Promise<AssetDistribution> {
  const [asset, channels, records, names, labels, takedowns] = await Promise.all([
    db.asset.findUnique({
      where: { id: assetId },
      select: {
        ...distributionAssetSelect,
        rightsGrants: { orderBy: { createdAt: 'asc' } },
        versions: { select: { id: true, number: true } },
      },
    }),
    db.channel.findMany({ orderBy: { name: 'asc' } }),
    db.distribution.findMany({
      where: { assetId },
      select: {
        channelId: true,
        state: true,
        held: true,
        releasedVersionId: true,
        liveVersionId: true,
        externalRef: true,
        publishedAt: true,
        error: true,
        failedAttempts: true,
        lastAttemptAt: true,
        removedAt: true,
        removalReason: true,
        publishedBy: { select: { name: true } },
      },
    }),
    loadUseNames(db),
    rightsChannelLabels(db),
    db.takedownRequest.findMany({
      where: { assetId, status: 'requested' },
      orderBy: { effectiveAt: 'asc' },
      select: { id: true, channel: true, reason: true, effectiveAt: true },
    }),
  ])
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  const facts = distributionAssetFacts(asset)
  const versionNumbers = new Map(asset.versions.map((version) => [version.id, version.number]))
  const recordByChannel = new Map(records.map((record) => [record.channelId, record]))

  return {
    openTakedowns: takedowns.map((request) => ({
      id: request.id,
      channel: request.channel === '*' ? 'Every channel' : (labels.get(request.channel) ?? request.channel),
      reason: request.reason,
      effectiveAt: when(request.effectiveAt),
    })),
    channels: channels.map((channel): AssetChannelStatus => {
      const record = recordByChannel.get(channel.id) ?? null
      const decision = decideDistribution({ asset: facts, channel, record, grants: asset.rightsGrants, at: now, names: names.inSentences })
      const live = record?.externalRef != null
      const liveVersionId = live ? (record?.liveVersionId ?? null) : null
      const inScope = channelScopeCovers(channel, facts)
      const rightsAllow = evaluateChannel(asset.rightsGrants, channel.rightsChannel, now, names.inSentences).allowed
      const upToDate = decision.action === 'publish' && live && liveVersionId === decision.versionId
      const why =
        decision.action === 'publish'
          ? upToDate
            ? `Live: ${clause(decision.reason)}`
            : `Due to go out (version ${versionNumbers.get(decision.versionId) ?? '?'}): ${clause(decision.reason)}`
          : live
            ? `Being taken down: ${clause(decision.reason)}`
            : `Not live: ${clause(decision.reason)}`
      return {
        channelId: channel.id,
        channelName: channel.name,
        channelEnabled: channel.enabled,
        rightsChannel: labels.get(channel.rightsChannel) ?? channel.rightsChannel,
        state: record?.state ?? null,
        group: record ? stateGroupOf(record.state) : null,
        stateLabel: record ? describeState(record.state) : 'Never published',
        liveVersionNumber: liveVersionId ? (versionNumbers.get(liveVersionId) ?? null) : null,
        publishedAt: live ? whenOrNull(record?.publishedAt ?? null) : null,
        publishedBy: live ? (record?.publishedBy?.name ?? null) : null,
        error: record?.state === 'failed' ? record.error : null,
        failedAttempts: record?.failedAttempts ?? 0,
        lastAttemptAt: whenOrNull(record?.lastAttemptAt ?? null),
        removedAt: record?.state === 'removed' ? whenOrNull(record.removedAt) : null,
        removalReason: record?.state === 'removed' ? record.removalReason : null,
        inScope,
        waitsForLibrarian: !(channel.autoPublish && inScope),
        why,
        // Publishing by hand helps only where the rule says no for a reason a librarian can lift
        // (held, out of scope, waiting for them): not against the rights, a disabled channel or an archived asset.
        canPublish: decision.action === 'take-down' && asset.status === 'active' && asset.currentVersionId !== null && channel.enabled && rightsAllow,
        canRetry: record?.state === 'failed',
        canUnpublish: live || decision.action === 'publish',
      }
    }),
  }
}
