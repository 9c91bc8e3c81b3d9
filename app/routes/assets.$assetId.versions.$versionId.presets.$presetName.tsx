/**
 * A version in an admin rendition preset, made on first request and cached in S3
 * (~/assets/preset-renditions.server), then a redirect to a presigned URL that lives
 * at most DOWNLOAD_URL_TTL_SECONDS (≤ 60 s). The same authorisation as downloads: the
 * one access rule for the version (hidden or unknown: 404), the declared use against
 * the rights (outside them: 403 with the reason), the ledger and the audit chain.
 *
 * GET, brand staff: recorded as internal use, worldwide (or `?channel=&territory=`); 302.
 * GET, partners: `?channel=&territory=` declares the use; 302. Without it, 303 to the
 *   asset's portal page, whose preset form declares it (404 when the asset is hidden).
 * POST (everyone signed in; same-origin): form fields `channel`, `territory`; 303.
 * An unknown preset 404; a version that is not an image 409; bad fields 400.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/auth.server'
import { adminPresetExists, deliverPreset } from '~/assets/preset-renditions.server'
import { getDb } from '~/db.server'
import { isStaff } from '~/domain/roles'
import { getEnv } from '~/env.server'
import { NO_STORE_HEADERS, answerUncached, uncachedText } from '~/http.server'
import { declareUsePath } from '~/portal/declared-download.server'
import { getClientIp } from '~/request.server'
import { DeclaredUseSchema, type DeclaredUse } from '~/rights/declared-use.server'
import { getStorage } from '~/storage.server'

function deliver(request: Request, params: LoaderFunctionArgs['params'], viewer: Parameters<typeof deliverPreset>[0]['viewer'], use: DeclaredUse | null) {
  return deliverPreset({
    db: getDb(),
    storage: getStorage(),
    viewer,
    assetId: params.assetId ?? '',
    versionId: params.versionId ?? '',
    presetName: params.presetName ?? '',
    use,
    ipAddress: getClientIp(request),
    expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
  })
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  return answerUncached(async () => {
    const user = await requireUser(request)
    const search = new URL(request.url).searchParams
    const declared = search.has('channel') || search.has('territory')
    const use = declared ? DeclaredUseSchema.safeParse({ channel: search.get('channel') ?? '', territory: search.get('territory') ?? '' }) : null
    if (use && !use.success) return uncachedText(400, use.error.issues[0]?.message ?? 'The declared use is not valid')
    if (!use && !isStaff(user.roles)) {
      // An unknown preset is 404 for everyone, before the partner is asked to declare a use for it.
      if (!(await adminPresetExists(getDb(), params.presetName ?? ''))) return uncachedText(404, 'There is no such preset.')
      const location = await declareUsePath({ db: getDb(), viewer: user.viewer, assetId: params.assetId ?? '', versionId: params.versionId ?? '' })
      return new Response(null, { status: 303, headers: { ...NO_STORE_HEADERS, Location: location.replace(/#download$/, '#presets') } })
    }
    const delivered = await deliver(request, params, user.viewer, use?.data ?? null)
    return new Response(null, { status: 302, headers: { ...NO_STORE_HEADERS, Location: delivered.url } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return answerUncached(async () => {
    const user = await requireUser(request)
    const form = DeclaredUseSchema.safeParse(Object.fromEntries(await request.formData()))
    if (!form.success) return uncachedText(400, form.error.issues[0]?.message ?? 'The form is not valid')
    const delivered = await deliver(request, params, user.viewer, form.data)
    return new Response(null, { status: 303, headers: { ...NO_STORE_HEADERS, Location: delivered.url } })
  })
}
