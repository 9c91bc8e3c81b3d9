/**
 * Download a model or property release: staff only (library:view-all). The view is
 * audited ('asset.view_restricted') before a presigned S3 URL of at most
 * DOWNLOAD_URL_TTL_SECONDS (≤ 60 s) is handed out with a 302.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { isAppError } from '~/errors.server'
import { toErrorResponse } from '~/http.server'
import { getClientIp } from '~/request.server'
import { prepareReleaseDownload } from '~/rights/releases.server'
import { getStorage } from '~/storage.server'

const ParamsSchema = z.object({ releaseId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'library:view-all')
  const parsed = ParamsSchema.safeParse(params)
  if (!parsed.success) return new Response('Release not found', { status: 404, headers: NO_STORE })
  try {
    const download = await prepareReleaseDownload({
      db: getDb(),
      storage: getStorage(),
      releaseId: parsed.data.releaseId,
      actorId: user.id,
      ipAddress: getClientIp(request),
      expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
    })
    return new Response(null, { status: 302, headers: { ...NO_STORE, Location: download.url } })
  } catch (error) {
    if (!isAppError(error)) throw error
    const response = toErrorResponse(error)
    for (const [name, value] of Object.entries(NO_STORE)) response.headers.set(name, value)
    return response
  }
}
