/**
 * JSON for the upload page's poller after a zip: where several versions are in
 * their processing (`?ids=a,b,c`, at most VERSION_STATUS_BATCH_SIZE), in the order
 * asked. Same access rule as the one-version resource beside it: staff who may see
 * the whole library; anyone else is refused before any id is looked up. Unknown ids
 * are left out.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { getDb } from '~/db.server'
import { VERSION_STATUS_BATCH_SIZE, type VersionStatusesJson } from '~/library/upload-protocol'
import { getVersionStatuses } from '~/library/version-status.server'

const QuerySchema = z.object({
  ids: z
    .string()
    .max(VERSION_STATUS_BATCH_SIZE * 65)
    .transform((value) => [...new Set(value.split(',').filter(Boolean))])
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9-]{1,64}$/)).min(1).max(VERSION_STATUS_BATCH_SIZE)),
})

const noStore = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'library:view-all')
  const parsed = QuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!parsed.success) {
    return Response.json({ error: `Ask for 1 to ${VERSION_STATUS_BATCH_SIZE} version ids: ?ids=a,b,c` }, { status: 400, headers: noStore })
  }
  const versions = await getVersionStatuses({ db: getDb(), versionIds: parsed.data.ids })
  const body: VersionStatusesJson = { versions }
  return Response.json(body, { headers: noStore })
}
