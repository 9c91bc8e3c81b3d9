/**
 * A download for a declared use, as the portal's form and the download route ask for
 * it: prepareDownload does the access rule (hidden asset 404), the declared use (a
 * partner outside the rights 403 with the reason), the stamped copy, and the ledger
 * and audit rows in one transaction.
 */
import { requireAssetAccess, requireVersionAccess } from '~/assets/access.server'
import { prepareDownload, type PreparedDownload } from '~/assets/download.server'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import type { DeclaredUse } from '~/rights/declared-use.server'
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
  return prepareDownload({ db, storage, viewer, assetId, versionId, ipAddress, expiresInSeconds, use, at })
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
