/**
 * Sets or clears a version's focal point (~/assets/focal-point.server), from the focal
 * point card on the library asset page: a click on the picture, or the percentages
 * typed into its form. Answers with a 303 back to the page (`returnTo`, a library asset
 * path); positions that are not percentages from 0 to 100 come back as
 * `?focal=invalid`, which the card explains, with nothing changed.
 *
 * POST (same-origin), fields `intent` (set | clear), `x`, `y` (percent), `returnTo`:
 * asset:edit (admin, librarian). Unknown version 404; archived asset or not an image 409.
 */
import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { setFocalPoint } from '~/assets/focal-point.server'
import { requirePermission } from '~/auth.server'
import { getDb } from '~/db.server'
import { FocalPointPercentSchema } from '~/domain/focal-crop'
import { AppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'

const RecordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)
const IntentSchema = z.enum(['set', 'clear']).catch('set')

/** Only back to a library asset page of this asset; anything else goes to the asset's page. */
function returnPath(value: FormDataEntryValue | null, assetId: string): string {
  const fallback = `/library/assets/${assetId}`
  if (typeof value !== 'string' || !value.startsWith(`${fallback}`) || value.startsWith('//') || /[\\\r\n]/.test(value)) return fallback
  return value.split('#')[0] ?? fallback
}

function withQuery(path: string, name: string, value: string | null): string {
  const url = new URL(path, 'http://damson.invalid')
  if (value === null) url.searchParams.delete(name)
  else url.searchParams.set(name, value)
  return `${url.pathname}${url.search}#focal-point`
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'asset:edit')
    const versionId = RecordId.safeParse(params.versionId)
    if (!versionId.success) throw new AppError('NOT_FOUND', 'Asset not found')
    const version = await getDb().assetVersion.findUnique({ where: { id: versionId.data }, select: { assetId: true } })
    if (!version) throw new AppError('NOT_FOUND', 'Asset not found')
    const form = await request.formData()
    const back = returnPath(form.get('returnTo'), version.assetId)
    const intent = IntentSchema.parse(form.get('intent'))
    const parsed = intent === 'clear' ? null : FocalPointPercentSchema.safeParse({ x: form.get('x') ?? '', y: form.get('y') ?? '' })
    if (parsed && !parsed.success) return redirect(withQuery(back, 'focal', 'invalid'), 303)
    await setFocalPoint({ db: getDb(), assetId: version.assetId, versionId: versionId.data, focal: parsed ? parsed.data : null, actorId: user.id, ipAddress: getClientIp(request) })
    return redirect(withQuery(back, 'focal', null), 303)
  })
}
