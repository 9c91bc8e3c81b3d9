/**
 * Download the original: authorise (the one access rule; partners get the current
 * version only, staff may pass `?version=ID`), write the audit row, then 302 to a
 * presigned S3 URL that lives at most DOWNLOAD_URL_TTL_SECONDS (≤ 60 s).
 *
 * The URL's host is S3_ENDPOINT (127.0.0.1:<port> on the local stack), so browsers
 * must be able to reach that endpoint.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { requireUser } from '~/auth.server'
import { prepareDownload } from '~/assets/download.server'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { isAppError } from '~/errors.server'
import { toErrorResponse } from '~/http.server'
import { getClientIp } from '~/request.server'
import { getStorage } from '~/storage.server'

const SearchSchema = z.object({
  version: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
})

export async function loader({ request, params }: LoaderFunctionArgs) {
  const noStore = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' }
  try {
    const user = await requireUser(request)
    const search = SearchSchema.safeParse({ version: new URL(request.url).searchParams.get('version') ?? undefined })
    if (!search.success) return new Response('Asset not found', { status: 404, headers: noStore })
    const download = await prepareDownload({
      db: getDb(),
      storage: getStorage(),
      viewer: user.viewer,
      assetId: params.assetId ?? '',
      versionId: search.data.version,
      ipAddress: getClientIp(request),
      expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
    })
    return new Response(null, { status: 302, headers: { ...noStore, Location: download.url } })
  } catch (error) {
    if (isAppError(error)) {
      const response = toErrorResponse(error)
      for (const [name, value] of Object.entries(noStore)) response.headers.set(name, value)
      return response
    }
    throw error
  }
}
