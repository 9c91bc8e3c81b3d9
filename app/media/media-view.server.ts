/**
 * The media viewer's data for one version (app/components/media-viewer/media-view.ts).
 * Callers have already applied the one access rule to this version.
 */
import type { DbOrTx } from '~/db.server'
import { mediaViewOf, type MediaView } from '~/components/media-viewer/media-view'

export async function loadMediaView(db: DbOrTx, assetId: string, versionId: string | null): Promise<MediaView | null> {
  if (!versionId) return null
  const version = await db.assetVersion.findFirst({
    where: { id: versionId, assetId },
    select: {
      mediaType: true,
      width: true,
      height: true,
      durationMs: true,
      pages: true,
      metadata: true,
      asset: { select: { kind: true } },
      renditions: { select: { preset: true } },
    },
  })
  if (!version) return null
  return mediaViewOf({
    assetId,
    versionId,
    kind: version.asset.kind,
    mediaType: version.mediaType,
    width: version.width,
    height: version.height,
    durationMs: version.durationMs,
    pages: version.pages,
    metadata: version.metadata,
    renditions: version.renditions.map((rendition) => rendition.preset),
  })
}
