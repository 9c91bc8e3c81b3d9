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
  /** What the uploader must do next, e.g. "Needs metadata: fill in Campaign" while awaiting metadata. */
  notice: string | null
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
  const notices = await awaitingMetadataNotices(
    db,
    versions.filter((version) => version.status === 'awaiting_metadata').map((version) => version.id),
  )
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
            notice: notices.get(version.id) ?? null,
          },
        ]
      : []
  })
}

/**
 * The reason recorded when each version was held for metadata (its latest
 * `version.awaiting_metadata` audit event), so the upload list can say which fields to fill in.
 */
async function awaitingMetadataNotices(db: Db, versionIds: readonly string[]): Promise<Map<string, string>> {
  if (versionIds.length === 0) return new Map()
  const events = await db.auditEvent.findMany({
    where: { action: 'version.awaiting_metadata', subjectType: 'version', subjectId: { in: [...versionIds] } },
    orderBy: { seq: 'asc' },
    select: { subjectId: true, detail: true },
  })
  const notices = new Map<string, string>()
  for (const event of events) {
    const reason = typeof event.detail === 'object' && event.detail !== null && 'reason' in event.detail ? event.detail.reason : null
    if (typeof reason === 'string') notices.set(event.subjectId, reason)
  }
  return notices
}

/** The status resource's JSON body (`/library/versions/:versionId/status`). */
export type VersionStatusPayload = {
  versionId: string
  assetId: string
  number: number
  status: string
  failureReason: string | null
  /** What the uploader must do next (see UploadedVersionStatus). */
  notice: string | null
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
    notice: version.status === 'awaiting_metadata' ? ((await awaitingMetadataNotices(db, [version.id])).get(version.id) ?? null) : null,
    thumbnailUrl:
      version.renditions.length > 0 ? `/assets/${version.assetId}/versions/${version.id}/renditions/thumbnail` : null,
    duplicate: await findDuplicateCandidate({ db, versionId: version.id }),
  }
}
