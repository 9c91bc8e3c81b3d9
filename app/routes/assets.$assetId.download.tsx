/**
 * Download an original for a declared use, then 302/303 to a presigned S3 URL that
 * lives at most DOWNLOAD_URL_TTL_SECONDS (≤ 60 s). Every download goes into the
 * ledger with its channel and territory (~/rights/declared-use.server).
 *
 * POST (everyone signed in; same-origin): form fields `channel`, `territory` and, for
 *   staff, `version`. Hidden asset 404; a partner's use outside the rights 403 with the
 *   readable reason as text; bad fields 400; otherwise 303 to the file.
 * GET, brand staff: as before (`?version=ID` optional), recorded as internal use,
 *   worldwide; 302 to the file.
 * GET, partners: a partner must declare a use first, so a plain link 303s to the
 *   asset's portal page and its download form (404 when the asset is hidden).
 *
 * The portal's own form posts to the asset page (so a refusal is shown beside the
 * form); this route serves plain links, the library and non-browser clients.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { requireUser } from '~/auth.server'
import { getDb } from '~/db.server'
import { isStaff } from '~/domain/roles'
import { getEnv } from '~/env.server'
import { NO_STORE_HEADERS, answerUncached, uncachedText } from '~/http.server'
import { declareUsePath, downloadForDeclaredUse } from '~/portal/declared-download.server'
import { getClientIp } from '~/request.server'
import { DeclaredUseSchema } from '~/rights/declared-use.server'
import { getStorage } from '~/storage.server'

const VersionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/)
  .optional()

const DownloadFormSchema = DeclaredUseSchema.extend({
  version: z.preprocess((value) => (value === '' ? undefined : value), VersionIdSchema),
})

export async function loader({ request, params }: LoaderFunctionArgs) {
  return answerUncached(async () => {
    const user = await requireUser(request)
    const search = VersionIdSchema.safeParse(new URL(request.url).searchParams.get('version') ?? undefined)
    if (!search.success) return uncachedText(404, 'Asset not found')
    const assetId = params.assetId ?? ''
    const versionId = search.data ?? null
    if (!isStaff(user.roles)) {
      const location = await declareUsePath({ db: getDb(), viewer: user.viewer, assetId, versionId })
      return new Response(null, { status: 303, headers: { ...NO_STORE_HEADERS, Location: location } })
    }
    const download = await downloadForDeclaredUse({
      db: getDb(),
      storage: getStorage(),
      viewer: user.viewer,
      assetId,
      versionId,
      use: null,
      ipAddress: getClientIp(request),
      expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
    })
    return new Response(null, { status: 302, headers: { ...NO_STORE_HEADERS, Location: download.url } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return answerUncached(async () => {
    const user = await requireUser(request)
    const form = DownloadFormSchema.safeParse(Object.fromEntries(await request.formData()))
    if (!form.success) return uncachedText(400, form.error.issues[0]?.message ?? 'The form is not valid')
    const { channel, territory, version } = form.data
    const download = await downloadForDeclaredUse({
      db: getDb(),
      storage: getStorage(),
      viewer: user.viewer,
      assetId: params.assetId ?? '',
      versionId: version ?? null,
      use: { channel, territory },
      ipAddress: getClientIp(request),
      expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
    })
    return new Response(null, { status: 303, headers: { ...NO_STORE_HEADERS, Location: download.url } })
  })
}
