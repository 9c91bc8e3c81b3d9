/**
 * An asset's share links, as a panel inside the asset page (this is its child route):
 * make a link (expiry, optional password and download limit), see every link with
 * its state now, revoke one. A new link's address is shown once, in the answer to
 * the post that made it; only its hash is stored.
 *
 * GET: library:view-all (admin, librarian, reviewer, legal) — the list.
 * POST: asset:edit (admin, librarian) — intent=create | revoke.
 */
import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { ShareLinkForm, type ShareLinkFormValues } from '~/components/share/share-link-form'
import { formatUtc, ShareLinkList } from '~/components/share/share-link-list'
import { Button, Card, CardBody, CardHeader, CardTitle } from '~/components/ui'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp, getRequestOrigin } from '~/request.server'
import { shareLinkPath } from '~/share/paths'
import { createShareLink, listShareLinks, revokeShareLink, SHARE_LINK_DURATIONS, type ShareLinkFieldErrors } from '~/share/share-links.server'

const ParamsSchema = z.object({ assetId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)
const DEFAULT_HOURS = 7 * 24

// The answer to a create holds the only copy of the link: never cache it.
const NO_STORE = { 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' } as const
export const headers: HeadersFunction = () => NO_STORE

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'library:view-all')
    const { assetId } = ParamsSchema.parse(params)
    const shares = await listShareLinks({ db: getDb(), assetId })
    return data(
      { ...shares, canManage: hasPermission(user.roles, 'asset:edit'), durations: SHARE_LINK_DURATIONS, defaultHours: DEFAULT_HOURS },
      { headers: NO_STORE },
    )
  })
}

type ActionAnswer =
  | { intent: 'create'; created: { url: string; expiresAt: string; passwordProtected: boolean; downloadLimit: number | null } }
  | { intent: 'create'; fieldErrors: ShareLinkFieldErrors; values: ShareLinkFormValues }
  | { intent: 'revoke'; revoked: boolean }
  | { intent: string; error: string }

function answer(body: ActionAnswer, status = 200) {
  return data(body, { status, headers: NO_STORE })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'asset:edit')
    const { assetId } = ParamsSchema.parse(params)
    const form = await request.formData()
    const intent = String(form.get('intent') ?? '')
    const db = getDb()
    const actor = { id: user.id, roles: user.roles }
    const ipAddress = getClientIp(request)
    try {
      if (intent === 'create') {
        const input = {
          expiresInHours: String(form.get('expiresInHours') ?? ''),
          password: String(form.get('password') ?? ''),
          downloadLimit: String(form.get('downloadLimit') ?? ''),
        }
        const result = await createShareLink({ db, assetId, actor, input, ipAddress })
        if (!result.ok) {
          // What was typed goes back into the form (the password too: its maker typed it in the clear).
          return answer({ intent, fieldErrors: result.fieldErrors, values: input }, 400)
        }
        return answer({
          intent,
          created: {
            url: `${getRequestOrigin(request)}${shareLinkPath(result.token)}`,
            expiresAt: result.expiresAt.toISOString(),
            passwordProtected: result.passwordProtected,
            downloadLimit: result.downloadLimit,
          },
        })
      }
      if (intent === 'revoke') {
        const linkId = IdSchema.safeParse(form.get('linkId'))
        if (!linkId.success) return answer({ intent, error: 'Choose a link to revoke.' }, 400)
        const result = await revokeShareLink({ db, assetId, linkId: linkId.data, actor, ipAddress })
        return answer({ intent, revoked: result.revoked })
      }
      return answer({ intent, error: 'Unknown action.' }, 400)
    } catch (error) {
      // Refusals (the asset cannot be linked now, an unknown link) are shown in the panel.
      if (isAppError(error) && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) return answer({ intent, error: error.message }, error.status)
      throw error
    }
  })
}

function CreatedLink({ url, expiresAt, passwordProtected, downloadLimit }: { url: string; expiresAt: string; passwordProtected: boolean; downloadLimit: number | null }) {
  const [copied, setCopied] = useState(false)
  return (
    <div role="status" className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
      <p className="font-medium">Link made. Copy it now: it is not shown again.</p>
      <div className="flex gap-2">
        <input
          readOnly
          value={url}
          aria-label="The new share link"
          onFocus={(event) => event.currentTarget.select()}
          className="block h-9 min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 font-mono text-xs text-zinc-900"
        />
        <Button
          variant="secondary"
          size="sm"
          className="h-9"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => setCopied(true))
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="text-emerald-800">
        Works until {formatUtc(expiresAt)}
        {downloadLimit !== null ? `, for ${downloadLimit} ${downloadLimit === 1 ? 'download' : 'downloads'}` : ''}.
        {passwordProtected ? ' Send the password separately from the link.' : ''}
      </p>
    </div>
  )
}

export default function AssetShareLinks() {
  const { links, eligibility, canManage, durations, defaultHours } = useLoaderData<typeof loader>()
  const acted = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const created = acted && 'created' in acted ? acted.created : null
  const formAnswer = acted && 'fieldErrors' in acted ? acted : null
  const error = acted && 'error' in acted ? acted.error : null
  const active = links.filter((link) => link.state === 'active').length

  return (
    <Card id="share-links" className="scroll-mt-20">
      <CardHeader className="flex items-center justify-between gap-3">
        <CardTitle>Share links</CardTitle>
        <span className="text-sm text-zinc-500">
          {active} active · {links.length} {links.length === 1 ? 'link' : 'links'}
        </span>
      </CardHeader>
      <CardBody className="space-y-4">
        {!eligibility.shareable ? (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            Links to this asset do not open now. {eligibility.reason}
          </p>
        ) : null}
        {error ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {error}
          </p>
        ) : null}
        {created ? <CreatedLink {...created} /> : null}
        {canManage && eligibility.shareable ? (
          <ShareLinkForm
            // A fresh form after each link made.
            key={created?.url ?? 'form'}
            durations={durations}
            values={formAnswer?.values ?? { expiresInHours: String(defaultHours), password: '', downloadLimit: '' }}
            errors={formAnswer?.fieldErrors ?? {}}
            busy={busy}
          />
        ) : null}
        {!canManage ? <p className="text-sm text-zinc-600">Librarians and administrators make and revoke share links.</p> : null}
      </CardBody>
      {links.length > 0 ? (
        <div className="border-t border-zinc-100">
          <ShareLinkList links={links} canManage={canManage} busy={busy} />
        </div>
      ) : (
        <p className="border-t border-zinc-100 px-5 py-4 text-sm text-zinc-500">No links yet.</p>
      )}
    </Card>
  )
}
