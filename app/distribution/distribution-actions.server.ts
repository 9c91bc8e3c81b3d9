/**
 * What librarians do to distribution by hand: publish now, unpublish, retry a failed
 * delivery, republish a whole channel after its preset changed. Each records the
 * intent in the database (audited) and then signals the workflow that acts on it, so
 * the intent survives even if Temporal is briefly unreachable: the next event, or
 * the hourly reconcile, carries it out. Authorisation is the route's (distribution:publish).
 */
import type { Client } from '@temporalio/client'
import type { Db } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { getEnv } from '~/env.server'
import { AppError } from '~/errors.server'
import { getTemporalClient } from '~/temporal.server'
import { signalChannelDistributions } from '../../workflows/channel-distributions'
import type { DistributionCause } from '../../workflows/distribution'
import { signalDistribution, type SignalOptions } from './distribution-signals.server'

export type DistributionActionInput = {
  db: Db
  assetId: string
  channelId: string
  actorId: string
  ipAddress?: string | null
  signal?: SignalOptions
}

async function requireChannelAndAsset(db: Db, assetId: string, channelId: string) {
  const [asset, channel] = await Promise.all([
    db.asset.findUnique({ where: { id: assetId }, select: { id: true, status: true, currentVersionId: true, title: true } }),
    db.channel.findUnique({ where: { id: channelId }, select: { id: true, name: true, enabled: true } }),
  ])
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  if (!channel) throw new AppError('NOT_FOUND', 'Channel not found')
  return { asset, channel }
}

/**
 * Publishes the asset's current approved version to the channel now, whether or not the
 * channel's scope takes it in or the channel waits for a librarian. Rights still decide:
 * an asset whose rights do not allow the channel stays off it (the dashboard says why).
 */
export async function publishNow({ db, assetId, channelId, actorId, ipAddress, signal }: DistributionActionInput): Promise<void> {
  const { asset, channel } = await requireChannelAndAsset(db, assetId, channelId)
  if (asset.status !== 'active') throw new AppError('CONFLICT', 'This asset is archived; restore it before publishing it.')
  if (!asset.currentVersionId) throw new AppError('CONFLICT', 'This asset has no approved version to publish.')
  if (!channel.enabled) throw new AppError('CONFLICT', `${channel.name} is disabled; enable it before publishing to it.`)
  await db.$transaction(async (tx) => {
    await tx.distribution.upsert({
      where: { assetId_channelId: { assetId, channelId } },
      create: { assetId, channelId, state: 'pending', releasedVersionId: asset.currentVersionId, held: false },
      update: { releasedVersionId: asset.currentVersionId, held: false },
    })
    await appendAuditEvent(tx, {
      actorId,
      ipAddress,
      action: 'distribution.request',
      subjectType: 'asset',
      subjectId: assetId,
      detail: { request: 'publish', channelId, channel: channel.name, versionId: asset.currentVersionId },
    })
  })
  await signalDistribution({ assetId, channelId, cause: { kind: 'publish_requested', actorId } }, signal)
}

/** Takes the asset off the channel and keeps it off until someone publishes it again. */
export async function unpublish({ db, assetId, channelId, actorId, ipAddress, signal }: DistributionActionInput): Promise<void> {
  const { channel } = await requireChannelAndAsset(db, assetId, channelId)
  await db.$transaction(async (tx) => {
    await tx.distribution.upsert({
      where: { assetId_channelId: { assetId, channelId } },
      create: { assetId, channelId, state: 'removed', held: true },
      update: { held: true, releasedVersionId: null },
    })
    await appendAuditEvent(tx, {
      actorId,
      ipAddress,
      action: 'distribution.request',
      subjectType: 'asset',
      subjectId: assetId,
      detail: { request: 'unpublish', channelId, channel: channel.name },
    })
  })
  await signalDistribution({ assetId, channelId, cause: { kind: 'unpublish_requested', actorId } }, signal)
}

/** Tries a failed delivery (or takedown) again now, without waiting for the backoff. */
export async function retryDistribution({ db, assetId, channelId, actorId, ipAddress, signal }: DistributionActionInput): Promise<void> {
  const { channel } = await requireChannelAndAsset(db, assetId, channelId)
  await appendAuditEvent(db, {
    actorId,
    ipAddress,
    action: 'distribution.request',
    subjectType: 'asset',
    subjectId: assetId,
    detail: { request: 'retry', channelId, channel: channel.name },
  })
  await signalDistribution({ assetId, channelId, cause: { kind: 'retry_requested', actorId } }, signal)
}

export type ChannelBatchOptions = { client?: Client; taskQueue?: string }

/** Starts the batch that signals every distribution of a channel (one at a time per channel). */
export async function startChannelBatch(
  { channelId, cause }: { channelId: string; cause: DistributionCause },
  { client, taskQueue }: ChannelBatchOptions = {},
): Promise<void> {
  const temporal = client ?? (await getTemporalClient())
  await temporal.workflow.start(signalChannelDistributions, {
    workflowId: `channel-${channelId}-${cause.kind}-${Date.now()}`,
    taskQueue: taskQueue ?? getEnv().TEMPORAL_TASK_QUEUE,
    args: [{ channelId, cause }],
  })
}

/**
 * Delivers every asset live on the channel again, in the channel's current preset: after
 * the preset changed, or when the destination lost files. Progress is what the
 * distribution records say (see republishProgress).
 */
export async function republishChannel(
  { db, channelId, actorId, ipAddress }: { db: Db; channelId: string; actorId: string; ipAddress?: string | null },
  options: ChannelBatchOptions = {},
): Promise<{ total: number }> {
  const channel = await db.channel.findUnique({ where: { id: channelId }, select: { name: true, enabled: true } })
  if (!channel) throw new AppError('NOT_FOUND', 'Channel not found')
  if (!channel.enabled) throw new AppError('CONFLICT', `${channel.name} is disabled; enable it before republishing.`)
  const total = await db.$transaction(async (tx) => {
    const live = await tx.distribution.count({ where: { channelId, externalRef: { not: null } } })
    await tx.channel.update({
      where: { id: channelId },
      data: { republishRequestedAt: new Date(), republishRequestedById: actorId, republishTotal: live },
    })
    await appendAuditEvent(tx, {
      actorId,
      ipAddress,
      action: 'distribution.request',
      subjectType: 'channel',
      subjectId: channelId,
      detail: { request: 'republish', channel: channel.name, live },
    })
    return live
  })
  await startChannelBatch({ channelId, cause: { kind: 'republish_requested', actorId } }, options)
  return { total }
}

export type RepublishProgress = {
  requestedAt: Date
  total: number
  /** Delivered again since it was asked for. */
  delivered: number
  /** Failed since it was asked for (each with its error on the dashboard). */
  failed: number
  /** Taken down meanwhile (rights ended, unpublished): nothing left to deliver. */
  removed: number
  finished: boolean
}

/** How far the last "republish all" got, from the records; null when there never was one. */
export async function republishProgress(db: Db, channelId: string): Promise<RepublishProgress | null> {
  const channel = await db.channel.findUnique({ where: { id: channelId }, select: { republishRequestedAt: true, republishTotal: true } })
  if (!channel?.republishRequestedAt) return null
  const since = channel.republishRequestedAt
  const [delivered, failed, removed] = await Promise.all([
    db.distribution.count({ where: { channelId, state: 'published', publishedAt: { gte: since } } }),
    // Failed deliveries of assets that were live (and stay so, in the old preset).
    db.distribution.count({ where: { channelId, state: 'failed', lastAttemptAt: { gte: since }, externalRef: { not: null } } }),
    db.distribution.count({ where: { channelId, state: 'removed', removedAt: { gte: since } } }),
  ])
  const settled = delivered + failed + removed
  return { requestedAt: since, total: channel.republishTotal, delivered, failed, removed, finished: settled >= channel.republishTotal }
}
