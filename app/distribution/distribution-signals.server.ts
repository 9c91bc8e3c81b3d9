/**
 * Tells distribution workflows that something they act on changed. Each asset × channel
 * has one workflow (`distribution-${channelId}-${assetId}`), started by the first signal
 * (signal-with-start). Call after the change has committed: the workflow reads the
 * database, so it must find the change there.
 */
import type { Client } from '@temporalio/client'
import type { DbOrTx } from '~/db.server'
import { channelScopeCovers } from '~/domain/distribution'
import { getEnv } from '~/env.server'
import { getTemporalClient } from '~/temporal.server'
import { distributionAssetFacts, distributionAssetSelect } from './distribution-facts.server'
import { distributeAsset, distributionChangedSignal, type DistributionCause } from '../../workflows/distribution'

export function distributionWorkflowId(channelId: string, assetId: string): string {
  return `distribution-${channelId}-${assetId}`
}

/**
 * Distribution workflows and their activities have a task queue (and worker slots) of
 * their own beside the orchestration queue, so a burst of other work (a hundred rights
 * windows expiring at once) never keeps a takedown waiting for a free slot.
 */
export function distributionTaskQueueFor(orchestrationTaskQueue: string): string {
  return `${orchestrationTaskQueue}-distribution`
}

export type SignalOptions = {
  /** Temporal client; the process-wide one by default. */
  client?: Client
  /** The orchestration task queue (TEMPORAL_TASK_QUEUE by default); distribution runs beside it. */
  taskQueue?: string
  mediaTaskQueue?: string
}

export async function signalDistribution(
  { assetId, channelId, cause }: { assetId: string; channelId: string; cause: DistributionCause },
  { client, taskQueue, mediaTaskQueue }: SignalOptions = {},
): Promise<void> {
  const env = getEnv()
  const temporal = client ?? (await getTemporalClient())
  await temporal.workflow.signalWithStart(distributeAsset, {
    workflowId: distributionWorkflowId(channelId, assetId),
    taskQueue: distributionTaskQueueFor(taskQueue ?? env.TEMPORAL_TASK_QUEUE),
    args: [{ assetId, channelId, mediaTaskQueue: mediaTaskQueue ?? env.TEMPORAL_MEDIA_TASK_QUEUE }],
    signal: distributionChangedSignal,
    signalArgs: [cause],
  })
}

/**
 * The channels an asset's change concerns: every channel it has a distribution record
 * on (live, failed, held or taken down), and every enabled channel that publishes by
 * itself and whose scope takes the asset in.
 */
export async function channelsConcerning(db: DbOrTx, assetId: string): Promise<string[]> {
  const asset = await db.asset.findUnique({
    where: { id: assetId },
    select: { ...distributionAssetSelect, distributions: { select: { channelId: true } } },
  })
  if (!asset) return []
  const facts = distributionAssetFacts(asset)
  const automatic = await db.channel.findMany({
    where: { enabled: true, autoPublish: true },
    select: { id: true, enabled: true, autoPublish: true, rightsChannel: true, scopeFolders: true, scopeCollectionIds: true, scopeTags: true },
  })
  const ids = new Set(asset.distributions.map((row) => row.channelId))
  for (const channel of automatic) if (channelScopeCovers(channel, facts)) ids.add(channel.id)
  return [...ids]
}

/** Signals every distribution an asset's change concerns (see channelsConcerning). Returns how many. */
export async function signalDistributionsOfAsset(
  db: DbOrTx,
  { assetId, cause }: { assetId: string; cause: DistributionCause },
  options: SignalOptions = {},
): Promise<number> {
  const channelIds = await channelsConcerning(db, assetId)
  for (const channelId of channelIds) await signalDistribution({ assetId, channelId, cause }, options)
  return channelIds.length
}

/**
 * The assets a channel's change concerns: those with a record on it, and (when it
 * publishes by itself) every active approved asset its scope takes in.
 */
export async function assetsConcerning(db: DbOrTx, channelId: string): Promise<string[]> {
  const channel = await db.channel.findUnique({
    where: { id: channelId },
    select: { autoPublish: true, scopeFolders: true, scopeCollectionIds: true, scopeTags: true, distributions: { select: { assetId: true } } },
  })
  if (!channel) return []
  const ids = new Set(channel.distributions.map((row) => row.assetId))
  if (channel.autoPublish) {
    const inScope = await db.asset.findMany({
      where: {
        status: 'active',
        currentVersionId: { not: null },
        OR: [
          ...channel.scopeFolders.flatMap((folder) => {
            const trimmed = folder.replace(/\/+$/, '')
            // "/" (or "") covers every folder.
            return trimmed === '' ? [{ folderPath: { startsWith: '/' } }] : [{ folderPath: trimmed }, { folderPath: { startsWith: `${trimmed}/` } }]
          }),
          ...(channel.scopeCollectionIds.length > 0 ? [{ collectionItems: { some: { collectionId: { in: channel.scopeCollectionIds } } } }] : []),
          ...(channel.scopeTags.length > 0 ? [{ tags: { hasSome: channel.scopeTags } }] : []),
        ],
      },
      select: { id: true },
    })
    for (const asset of inScope) ids.add(asset.id)
  }
  return [...ids]
}

export async function signalDistributionsOfChannel(
  db: DbOrTx,
  { channelId, cause, onProgress }: { channelId: string; cause: DistributionCause; onProgress?: (done: number, total: number) => void },
  options: SignalOptions = {},
): Promise<number> {
  const assetIds = await assetsConcerning(db, channelId)
  for (const [index, assetId] of assetIds.entries()) {
    await signalDistribution({ assetId, channelId, cause }, options)
    onProgress?.(index + 1, assetIds.length)
  }
  return assetIds.length
}
