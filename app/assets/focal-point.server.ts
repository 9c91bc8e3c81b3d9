/**
 * Setting (or clearing) a version's focal point: the spot every crop keeps in frame
 * (~/domain/focal-crop). Stored on the version as fractions of the image as people see
 * it, audited in the same transaction. Renditions that crop are keyed by the point, so
 * the next request for a cropping preset makes a fresh file; nothing is re-rendered here.
 */
import { appendAuditEvent } from '~/audit.server'
import type { Db } from '~/db.server'
import { FocalPointSchema, type FocalPoint } from '~/domain/focal-crop'
import { AppError } from '~/errors.server'

export type SetFocalPointOptions = {
  db: Db
  assetId: string
  versionId: string
  /** Null clears it (crops centre again). */
  focal: FocalPoint | null
  actorId: string
  ipAddress?: string | null
}

export type SetFocalPointResult = { versionNumber: number; focal: FocalPoint | null; changed: boolean }

/** NOT_FOUND for a version of another asset; CONFLICT for an archived asset or a version that is not an image. */
export async function setFocalPoint({ db, assetId, versionId, focal, actorId, ipAddress = null }: SetFocalPointOptions): Promise<SetFocalPointResult> {
  const point = focal === null ? null : FocalPointSchema.parse(focal)
  return db.$transaction(async (tx) => {
    const version = await tx.assetVersion.findFirst({
      where: { id: versionId, assetId },
      select: { id: true, number: true, mediaType: true, focalX: true, focalY: true, asset: { select: { status: true } } },
    })
    if (!version) throw new AppError('NOT_FOUND', 'Asset not found')
    if (version.asset.status === 'archived') throw new AppError('CONFLICT', 'This asset is archived; restore it before changing its focal point.')
    if (!version.mediaType.startsWith('image/')) throw new AppError('CONFLICT', 'A focal point can be set on images only.')
    const before = version.focalX !== null && version.focalY !== null ? { x: version.focalX, y: version.focalY } : null
    if (before?.x === point?.x && before?.y === point?.y) return { versionNumber: version.number, focal: point, changed: false }
    await tx.assetVersion.update({ where: { id: version.id }, data: { focalX: point?.x ?? null, focalY: point?.y ?? null } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'version.focal_point',
      subjectType: 'version',
      subjectId: version.id,
      detail: { versionNumber: version.number, focal: point, previous: before },
      ipAddress,
    })
    return { versionNumber: version.number, focal: point, changed: true }
  })
}
