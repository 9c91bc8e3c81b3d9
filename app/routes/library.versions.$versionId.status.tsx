/**
 * JSON for the upload page's poller: where a version is in its processing, and why
 * it failed if it did. Staff only; the upload page's script is its only client.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { getDb } from '~/db.server'

const ParamsSchema = z.object({ versionId: z.string().min(1).max(64) })

export type VersionStatusPayload = {
  versionId: string
  assetId: string
  number: number
  status: string
  failureReason: string | null
  /** Present once the ingest made a thumbnail. */
  thumbnailUrl: string | null
}

const noStore = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, 'library:view-all')
  const parsed = ParamsSchema.safeParse(params)
  if (!parsed.success) return Response.json({ error: 'Version not found' }, { status: 404, headers: noStore })

  const version = await getDb().assetVersion.findUnique({
    where: { id: parsed.data.versionId },
    select: {
      id: true,
      assetId: true,
      number: true,
      status: true,
      failureReason: true,
      renditions: { where: { preset: 'thumbnail' }, select: { id: true } },
    },
  })
  if (!version) return Response.json({ error: 'Version not found' }, { status: 404, headers: noStore })

  const payload: VersionStatusPayload = {
    versionId: version.id,
    assetId: version.assetId,
    number: version.number,
    status: version.status,
    failureReason: version.failureReason,
    thumbnailUrl:
      version.renditions.length > 0 ? `/assets/${version.assetId}/versions/${version.id}/renditions/thumbnail` : null,
  }
  return Response.json(payload, { headers: noStore })
}
