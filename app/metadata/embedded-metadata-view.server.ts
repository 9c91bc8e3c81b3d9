/**
 * One version's embedded metadata for a viewer who may already see the version (the
 * caller checked access): the portal page and the JSON API. The location rule is
 * applied here, on the server, so a partner's browser never receives coordinates.
 */
import type { Db } from '~/db.server'
import type { RoleName } from '~/domain/roles'
import { toEmbeddedMetadataView } from './asset-metadata.server'
import type { EmbeddedMetadataView } from './metadata-views'

export async function getVersionEmbeddedMetadata({
  db,
  versionId,
  roles,
}: {
  db: Db
  versionId: string
  roles: readonly RoleName[]
}): Promise<EmbeddedMetadataView | null> {
  const version = await db.assetVersion.findUnique({
    where: { id: versionId },
    select: { id: true, number: true, embeddedMetadata: true, extractedText: true },
  })
  return version ? toEmbeddedMetadataView(roles, version) : null
}
