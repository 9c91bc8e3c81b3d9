/**
 * The uploader's answer to "looks like X" (~/assets/duplicates.server): add the file as
 * a new version of X, keep both, or skip the upload.
 *
 * POST (same-origin), form fields `decision` (add_as_version | keep_both | skip) and, to
 * add, `existingAssetId`: the version's uploader, or anyone who may edit assets (admin,
 * librarian); others 403. The prompt's script sends `respond=json` and gets the outcome
 * as JSON; a plain form post is redirected (303) to the asset to look at now.
 * Refusals: bad fields 400; unknown upload 404; not a candidate, still processing or
 * already decided otherwise 409 — as JSON or as text.
 */
import { data, redirect, type ActionFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { decideDuplicate, DUPLICATE_DECISIONS } from '~/assets/duplicates.server'
import { requirePermission } from '~/auth.server'
import { getDb } from '~/db.server'
import { isAppError } from '~/errors.server'
import { getClientIp } from '~/request.server'
import { getStorage } from '~/storage.server'

const RecordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)
const FormSchema = z.object({
  decision: z.enum(DUPLICATE_DECISIONS, { error: 'Choose add as new version, keep both or skip.' }),
  existingAssetId: z.preprocess((value) => (value === '' ? undefined : value), RecordId.optional()),
  respond: z.literal('json').optional(),
})

const NO_STORE = { 'Cache-Control': 'no-store' }

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'library:view-all')
  const fields = Object.fromEntries(await request.formData())
  const json = fields.respond === 'json'
  const refuse = (status: number, message: string) =>
    json ? data({ ok: false as const, message }, { status, headers: NO_STORE }) : new Response(message, { status, headers: { ...NO_STORE, 'Content-Type': 'text/plain; charset=utf-8' } })

  const versionId = RecordId.safeParse(params.versionId)
  if (!versionId.success) return refuse(404, 'That upload no longer exists.')
  const form = FormSchema.safeParse(fields)
  if (!form.success) return refuse(400, form.error.issues[0]?.message ?? 'The form is not valid')
  try {
    const outcome = await decideDuplicate({
      db: getDb(),
      storage: getStorage(),
      actor: user,
      versionId: versionId.data,
      decision: form.data.decision,
      existingAssetId: form.data.existingAssetId ?? null,
      ipAddress: getClientIp(request),
    })
    const href = outcome.assetId ? `/library/assets/${outcome.assetId}${outcome.versionId ? `?version=${outcome.versionId}` : ''}` : '/library'
    if (json) return data({ ok: true as const, decision: outcome.decision, message: outcome.message, href }, { headers: NO_STORE })
    return redirect(href, { status: 303, headers: NO_STORE })
  } catch (error) {
    if (isAppError(error)) return refuse(error.status, error.message)
    throw error
  }
}
