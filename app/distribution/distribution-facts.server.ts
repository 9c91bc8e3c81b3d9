/**
 * What the distribution rule (~/domain/distribution) needs to know about an asset, read
 * the same way by the workflow's activities, the dashboard and the signalling.
 */
import type { Prisma } from '~/generated/prisma/client'
import type { DistributionAssetFacts } from '~/domain/distribution'

export const distributionAssetSelect = {
  status: true,
  currentVersionId: true,
  folderPath: true,
  tags: true,
  collectionItems: { select: { collectionId: true } },
} satisfies Prisma.AssetSelect

type DistributionAssetRow = Prisma.AssetGetPayload<{ select: typeof distributionAssetSelect }>

export function distributionAssetFacts(asset: DistributionAssetRow): DistributionAssetFacts {
  return {
    status: asset.status,
    currentVersionId: asset.currentVersionId,
    folderPath: asset.folderPath,
    tags: asset.tags,
    collectionIds: asset.collectionItems.map((item) => item.collectionId),
  }
}
