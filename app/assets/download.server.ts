/**
 * Downloading an original: authorise with the one access rule, check the declared use
 * (channel and territory) against the rights, make (or reuse) the copy that carries
 * the recipient's rights in its metadata, record the download in the ledger and the
 * audit chain together, and only then hand out a presigned S3 URL of that copy that
 * lives at most a minute. Partners always get the asset's current (approved) version;
 * brand staff may ask for any version of the asset. The original object is never
 * modified (stamped-delivery.server.ts).
 *
 * A file whose format cannot carry its rights is refused to partners (415) rather
 * than delivered unstamped; brand staff get the untouched original instead, since
 * the library must never lock them out of their own files.
 *
 * The presigned URL points at the S3 endpoint itself (S3_ENDPOINT, 127.0.0.1:<port>
 * on the local stack), so the browser must be able to reach that endpoint. Behind a
 * proxy or on another machine, S3_ENDPOINT has to be an address browsers can reach.
 */
import { appendAuditEvent } from '~/audit.server'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { isStaff } from '~/domain/roles'
import { AppError } from '~/errors.server'
import { isRightsStampError, type RightsStampError } from '~/media/rights-metadata.server'
import { authoriseDeclaredUse, checkAndRecordDeclaredUse, STAFF_UNDECLARED_USE, type DeclaredUse } from '~/rights/declared-use.server'
import type { Storage } from '~/storage.server'
import { requireAssetAccess, requireVersionAccess } from './access.server'
import { downloadFilename, stampedDownload, type DeliveryRecipient } from './stamped-delivery.server'

export { downloadFilename }

export type PrepareDownloadOptions = {
  db: Db
  storage: Storage
  viewer: Viewer
  assetId: string
  /** A specific version (staff only; a partner may name only the current version). */
  versionId?: string | null
  ipAddress?: string | null
  /** Lifetime of the presigned URL in seconds; capped at 60. */
  expiresInSeconds: number
  /**
   * Where the file will be used. Partners must declare it; brand staff may leave it out
   * (recorded as internal use, worldwide, and not remembered).
   */
  use?: DeclaredUse | null
  at?: Date
}

export type PreparedDownload = {
  url: string
  filename: string
  versionId: string
  versionNumber: number
  expiresInSeconds: number
  /** The S3 object the URL points at. */
  key: string
  /** A copy carrying the rights, or (staff only, for formats that cannot carry them) the original. */
  deliverable: 'stamped' | 'original'
}

export const MAX_DOWNLOAD_URL_TTL_SECONDS = 60

export async function prepareDownload({
  db,
  storage,
  viewer,
  assetId,
  versionId,
  ipAddress = null,
  expiresInSeconds,
  use = null,
  at = new Date(),
}: PrepareDownloadOptions): Promise<PreparedDownload> {
  const facts = versionId
    ? await requireVersionAccess(db, viewer, assetId, versionId, at)
    : await requireAssetAccess(db, viewer, assetId, at)

  // Without an explicit version: the current one; staff on a not-yet-approved asset get the newest.
  const version = versionId
    ? await db.assetVersion.findFirst({ where: { id: versionId, assetId } })
    : facts.currentVersionId
      ? await db.assetVersion.findFirst({ where: { id: facts.currentVersionId, assetId } })
      : isStaff(viewer.roles)
        ? await db.assetVersion.findFirst({ where: { assetId }, orderBy: { number: 'desc' } })
        : null
  if (!version || version.status === 'failed' || version.status === 'processing') {
    throw new AppError('NOT_FOUND', 'Asset not found')
  }
  const staff = isStaff(viewer.roles)
  if (!use && !staff) throw new AppError('BAD_REQUEST', 'Say where you will use the file: choose a channel and a territory.')
  const declared = use ?? STAFF_UNDECLARED_USE
  // Before the stamped copy is made: a refused partner costs nothing (403 with the reason).
  await authoriseDeclaredUse({ db, viewer, assetId, versionId: version.id, ...declared, at })
  const recipient: DeliveryRecipient = staff ? { kind: 'all-partners' } : { kind: 'partner', organisationId: viewer.organisationId }

  let delivery: { key: string; filename: string; deliverable: 'stamped' | 'original'; notStampedBecause?: string }
  try {
    const stamped = await stampedDownload({ db, storage, assetId, versionId: version.id, recipient, at })
    delivery = { key: stamped.key, filename: stamped.filename, deliverable: 'stamped' }
  } catch (error) {
    if (!isRightsStampError(error)) throw error
    if (!staff) throw refusal(error, version.id)
    const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { title: true } })
    delivery = {
      key: version.storageKey,
      filename: downloadFilename(asset.title, version.originalFilename, version.mediaType),
      deliverable: 'original',
      notStampedBecause: error.code,
    }
  }
  const ttl = Math.max(1, Math.min(MAX_DOWNLOAD_URL_TTL_SECONDS, Math.floor(expiresInSeconds)))

  // Record first: no URL leaves the server without its ledger and audit rows committed.
  // The use is checked again inside the transaction, against the grants as it sees them.
  await db.$transaction(async (tx) => {
    await checkAndRecordDeclaredUse(tx, {
      viewer,
      assetId,
      versionId: version.id,
      use: declared,
      deliverable: 'original',
      ipAddress,
      at,
      remember: use !== null,
    })
    await appendAuditEvent(tx, {
      actorId: viewer.userId,
      action: 'asset.download',
      subjectType: 'asset',
      subjectId: assetId,
      detail: {
        versionId: version.id,
        versionNumber: version.number,
        filename: delivery.filename,
        organisationId: viewer.organisationId,
        channel: declared.channel,
        territory: declared.territory,
        deliverable: delivery.deliverable,
        objectKey: delivery.key,
        ...(delivery.notStampedBecause ? { notStampedBecause: delivery.notStampedBecause } : {}),
      },
      ipAddress,
    })
  })

  const url = await storage.presignDownload(delivery.key, { filename: delivery.filename, expiresInSeconds: ttl, mediaType: version.mediaType })
  return {
    url,
    filename: delivery.filename,
    versionId: version.id,
    versionNumber: version.number,
    expiresInSeconds: ttl,
    key: delivery.key,
    deliverable: delivery.deliverable,
  }
}

/** What a partner is told when the file cannot travel with its rights. */
function refusal(error: RightsStampError, versionId: string): AppError {
  if (error.code === 'corrupt') {
    console.error(`Version ${versionId} could not be stamped with its rights for delivery`, error.cause ?? error)
    return new AppError('UNAVAILABLE', 'This file could not be prepared for download with its usage rights. Please tell the brand team.')
  }
  return new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    'This file type cannot carry its usage rights, so it cannot be downloaded from the portal. Please ask the brand team for another format.',
  )
}
