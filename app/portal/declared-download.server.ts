/**
 * A download for a declared use, as the portal's form and the download route ask for
 * it: the access rule (hidden asset 404), the declared use (a partner outside the
 * rights 403 with the reason), then prepare the download (access rule, stamped copy, audit row, presigned
 * URL), then write the ledger row and remember the use.
 *
 * Interim: once `checkAndRecordDeclaredUse` runs inside prepareDownload's transaction
 * (with its audit row), this becomes a plain call to prepareDownload with the use.
 */
import { requireAssetAccess, requireVersionAccess } from '~/assets/access.server'
import { prepareDownload, type PreparedDownload } from '~/assets/download.server'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { isStaff } from '~/domain/roles'
import { AppError } from '~/errors.server'
import { authoriseDeclaredUse, checkAndRecordDeclaredUse, STAFF_UNDECLARED_USE, type DeclaredUse } from '~/rights/declared-use.server'
import type { Storage } from '~/storage.server'

export type DownloadForDeclaredUseOptions = {
  db: Db
  storage: Storage
  viewer: Viewer
  assetId: string
  /** A specific version (staff only); null for the current one. */
  versionId: string | null
  /** Null only for brand staff (the library's plain link): recorded as internal use, worldwide. */
  use: DeclaredUse | null
  ipAddress: string | null
  expiresInSeconds: number
  at?: Date
}

export async function downloadForDeclaredUse({
  db,
  storage,
  viewer,
  assetId,
  versionId,
  use,
  ipAddress,
  expiresInSeconds,
  at = new Date(),
}: DownloadForDeclaredUseOptions): Promise<PreparedDownload> {
  if (!use && !isStaff(viewer.roles)) throw new AppError('BAD_REQUEST', 'Say where you will use the file: choose a channel and a territory.')
  const declared = use ?? STAFF_UNDECLARED_USE
  // The one access rule first: a hidden asset is NOT_FOUND, never a 403 that tells it exists.
  if (versionId) await requireVersionAccess(db, viewer, assetId, versionId, at)
  else await requireAssetAccess(db, viewer, assetId, at)
  await authoriseDeclaredUse({ db, viewer, assetId, versionId, ...declared, at })
  const download = await prepareDownload({ db, storage, viewer, assetId, versionId, ipAddress, expiresInSeconds, at })
  await db.$transaction((tx) =>
    checkAndRecordDeclaredUse(tx, {
      viewer,
      assetId,
      versionId: download.versionId,
      use: declared,
      deliverable: 'original',
      ipAddress,
      at,
      remember: use !== null,
    }),
  )
  return download
}

/**
 * Where a partner declares the use of an asset they opened a plain download link for:
 * the asset's portal page, whose form posts the download. A hidden asset (or a version
 * the viewer may not have) is NOT_FOUND, exactly as the download itself would be.
 */
export async function declareUsePath({
  db,
  viewer,
  assetId,
  versionId,
  at = new Date(),
}: {
  db: Db
  viewer: Viewer
  assetId: string
  versionId: string | null
  at?: Date
}): Promise<string> {
  if (versionId) await requireVersionAccess(db, viewer, assetId, versionId, at)
  else await requireAssetAccess(db, viewer, assetId, at)
  return `/portal/assets/${encodeURIComponent(assetId)}#download`
}
