/**
 * JSON for the upload page's poller: where a version is in its processing, and why
 * it failed if it did. Staff only; the upload page's script is its only client.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { getDb } from '~/db.server'
import { getVersionStatus } from '~/library/version-status.server'

const ParamsSchema = z.object({ versionId: z.string().min(1).max(64) })

const noStore = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, 'library:view-all')
  const parsed = ParamsSchema.safeParse(params)
  if (!parsed.success) return Response.json({ error: 'Version not found' }, { status: 404, headers: noStore })

  const payload = await getVersionStatus({ db: getDb(), versionId: parsed.data.versionId })
  if (!payload) return Response.json({ error: 'Version not found' }, { status: 404, headers: noStore })
  return Response.json(payload, { headers: noStore })
}
