/**
 * Where uploaded versions are in their processing: for the upload page's result
 * list (several at once) and for its poller's JSON status resource (one at a time).
 * Staff only; the routes check that before calling.
 */
import { findDuplicateCandidate, type DuplicateCandidate } from '~/assets/duplicates.server'
import type { Db } from '~/db.server'
import type { VersionStatus } from '~/generated/prisma/enums'

/** One uploaded version, as the upload page's result list shows it. */
export type UploadedVersionStatus = {
  versionId: string
  assetId: string
  title: string
  filename: string
  status: VersionStatus
  failureReason: string | null
}

export type VersionStatusesOptions = { db: Db; versionIds: readonly string[] }

/** The versions asked for, in the order asked; unknown ids are left out. */
export async function getVersionStatuses({ db, versionIds }: VersionStatusesOptions): Promise<UploadedVersionStatus[]> {
  if (versionIds.length === 0) return []
  const versions = await db.assetVersion.findMany({
    where: { id: { in: [...versionIds] } },
    select: { id: true, assetId: true, status: true, failureReason: true, originalFilename: true, asset: { select: { title: true } } },
  })
  const byId = new Map(versions.map((version) => [version.id, version]))
  return versionIds.flatMap((id): UploadedVersionStatus[] => {
    const version = byId.get(id)
    return version
      ? [
          {
            versionId: version.id,
            assetId: version.assetId,
            title: version.asset.title,
            filename: version.originalFilename,
            status: version.status,
            failureReason: version.failureReason,
          },
        ]
      : []
  })
}

/** The status resource's JSON body (`/library/versions/:versionId/status`). */
export type VersionStatusPayload = {
  versionId: string
  assetId: string
  number: number
  status: string
  failureReason: string | null
  /** Present once the ingest made a thumbnail. */
  thumbnailUrl: string | null
  /** An existing asset this new upload looks like, until the uploader decides (~/assets/duplicates.server). */
  duplicate: DuplicateCandidate | null
}

export type VersionStatusOptions = { db: Db; versionId: string }

/** One version's status, or null when there is no such version. */
export async function getVersionStatus({ db, versionId }: VersionStatusOptions): Promise<VersionStatusPayload | null> {
  const version = await db.assetVersion.findUnique({
    where: { id: versionId },
    select: {
      id: true,
      assetId: true,
      number: true,
      status: true,
      failureReason: true,
      renditions: { where: { preset: 'thumbnail' }, select: { id: true } },
    },
  })
  if (!version) return null
  return {
    versionId: version.id,
    assetId: version.assetId,
    number: version.number,
    status: version.status,
    failureReason: version.failureReason,
    thumbnailUrl:
      version.renditions.length > 0 ? `/assets/${version.assetId}/versions/${version.id}/renditions/thumbnail` : null,
    duplicate: await findDuplicateCandidate({ db, versionId: version.id }),
  }
}
