/** The collections the upload page offers: those of the uploader's organisation, by name. */
import type { Db } from '~/db.server'

export type UploadCollectionOption = { id: string; name: string }

export async function listUploadCollections({ db, organisationId }: { db: Db; organisationId: string }): Promise<UploadCollectionOption[]> {
  return db.collection.findMany({
    where: { organisationId },
    orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
    select: { id: true, name: true },
    take: 500,
  })
}
