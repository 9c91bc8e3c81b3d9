/**
 * What should be at a channel's destination for one asset, now: the one rule the
 * distribution workflow acts on (workers/activities/distribution.ts) and the dashboard
 * explains. Pure: the caller reads the facts, this decides.
 *
 * Something is live at a channel only while all of these hold: the asset is active and
 * has an approved current version; the channel is enabled; the rights allow the
 * channel's rights channel now (evaluateChannel — the same check takedown uses); and
 * the asset is wanted there: a librarian published it by hand, or the channel
 * publishes by itself and the asset is in its scope. A librarian's unpublish holds it
 * off until they publish again.
 */
import { evaluateChannel, nextRightsChange, type RightsGrantTerms, type RightsNames } from './rights'
import { folderPrefixCovers } from './review-policy'

export type DistributionAssetFacts = {
  status: 'active' | 'archived'
  currentVersionId: string | null
  folderPath: string
  tags: readonly string[]
  collectionIds: readonly string[]
}

export type DistributionChannelFacts = {
  enabled: boolean
  autoPublish: boolean
  rightsChannel: string
  scopeFolders: readonly string[]
  scopeCollectionIds: readonly string[]
  scopeTags: readonly string[]
}

export type DistributionRecordFacts = {
  held: boolean
  releasedVersionId: string | null
  liveVersionId: string | null
}

export type DistributionFacts = {
  asset: DistributionAssetFacts
  channel: DistributionChannelFacts
  /** The asset × channel record; null when there has never been one. */
  record: DistributionRecordFacts | null
  grants: readonly RightsGrantTerms[]
  at: Date
  names?: RightsNames
}

export type DistributionDecision = (
  | { action: 'publish'; versionId: string }
  /** Nothing may be live: remove whatever is (a no-op when nothing is). */
  | { action: 'take-down' }
) & {
  /** Why, in words for the dashboard and the audit trail. */
  reason: string
  /** The next instant the answer may change by itself (a grant starting or ending); null if none. */
  recheckAt: Date | null
}

/** Whether a channel's scope (folders, collections, tags; any match) takes in the asset. */
export function channelScopeCovers(channel: DistributionChannelFacts, asset: DistributionAssetFacts): boolean {
  if (channel.scopeFolders.some((folder) => folderPrefixCovers(folder, asset.folderPath))) return true
  if (channel.scopeCollectionIds.some((id) => asset.collectionIds.includes(id))) return true
  return channel.scopeTags.some((tag) => asset.tags.includes(tag))
}

export function decideDistribution({ asset, channel, record, grants, at, names }: DistributionFacts): DistributionDecision {
  const next = nextRightsChange(grants, at)
  const recheckAt = next ? next.at : null
  const takeDown = (reason: string): DistributionDecision => ({ action: 'take-down', reason, recheckAt })

  if (asset.status !== 'active') return takeDown('The asset is archived')
  if (!asset.currentVersionId) return takeDown('No version of the asset is approved')
  if (!channel.enabled) return takeDown('The channel is disabled')
  if (record?.held) return takeDown('Unpublished by a librarian')

  const verdict = evaluateChannel(grants, channel.rightsChannel, at, names)
  if (!verdict.allowed) return takeDown(verdict.reason)

  if (channel.autoPublish && channelScopeCovers(channel, asset)) {
    return { action: 'publish', versionId: asset.currentVersionId, reason: 'In the channel’s scope', recheckAt }
  }
  if (record?.releasedVersionId) {
    return { action: 'publish', versionId: record.releasedVersionId, reason: 'Published by a librarian', recheckAt }
  }
  return takeDown(channel.autoPublish ? 'Not in the channel’s scope' : 'Waiting for a librarian to publish it')
}
