/**
 * A share link's page, for whoever holds the link (no sign-in): the asset's preview,
 * title, rights in plain words and a Download button; first a password form when the
 * link has one. Every request re-checks the link and the asset against the clock
 * (~/share/open-share-link.server); a link that does not open, for whatever reason,
 * is the same neutral 404 page.
 *
 * GET: anyone with the token. 200 page or password form; 404 "no longer available".
 * POST (same-origin): intent=unlock (password → 303 back here with the unlock cookie;
 *   wrong 401, too many 429) | intent=download (303 to a presigned URL of the stamped
 *   copy, counted and audited; locked 401 password form; format refused 415; 404).
 * Nothing here is cached or indexed, and no other origin ever gets a referrer (the
 * token is in the URL).
 */
import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { isRouteErrorResponse, useActionData, useLoaderData, useRouteError } from '@remix-run/react'
import { assertSameOrigin } from '~/auth.server'
import { ShareFrame, ShareUnavailable } from '~/components/share/share-frame'
import { SharePasswordForm } from '~/components/share/share-password-form'
import { SharedAsset } from '~/components/share/shared-asset'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { isAppError } from '~/errors.server'
import { getClientIp, isHttpsRequest } from '~/request.server'
import { downloadFromShareLink, getSharePage, isShareLinkUnavailable, unlockShareLink, type SharePage } from '~/share/open-share-link.server'
import { shareLinkPath } from '~/share/paths'
import { unlockCookieHeader } from '~/share/share-unlock.server'
import { getStorage } from '~/storage.server'

/**
 * Pages say `same-origin`, not `no-referrer`: under no-referrer browsers send
 * `Origin: null` with the page's own form posts, which Remix's CSRF check and ours
 * (rightly) refuse. `same-origin` still sends nothing, token included, to any other
 * origin; redirects (to the file on S3) say `no-referrer` outright.
 */
const SHARE_HEADERS = {
  'Cache-Control': 'private, no-store',
  'Referrer-Policy': 'same-origin',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
} as const
const REDIRECT_HEADERS = { ...SHARE_HEADERS, 'Referrer-Policy': 'no-referrer' } as const

// Every answer, page or error, carries these (Remix keeps Set-Cookie on its own).
export const headers: HeadersFunction = () => SHARE_HEADERS

type ShareView =
  | { page: { state: 'unavailable' } }
  | { page: { state: 'locked' }; passwordError: string | null }
  | { page: Extract<SharePage, { state: 'open' }>; downloadError: string | null }

function answer(view: ShareView, status: number) {
  return data(view, { status, headers: SHARE_HEADERS })
}

const UNAVAILABLE: ShareView = { page: { state: 'unavailable' } }

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded?.page.state === 'open' ? `${loaded.page.asset.title} · Shared via Damson` : 'Shared via Damson' },
  { name: 'robots', content: 'noindex, nofollow' },
  { name: 'referrer', content: 'same-origin' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  try {
    const page = await getSharePage({ db: getDb(), token: params.token ?? '', cookieHeader: request.headers.get('Cookie') })
    return page.state === 'locked' ? answer({ page, passwordError: null }, 200) : answer({ page, downloadError: null }, 200)
  } catch (error) {
    if (isShareLinkUnavailable(error)) return answer(UNAVAILABLE, 404)
    throw error
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  // A cross-site form could otherwise spend a link's downloads.
  assertSameOrigin(request)
  const token = params.token ?? ''
  const db = getDb()
  const form = await request.formData()
  const cookieHeader = request.headers.get('Cookie')
  try {
    if (form.get('intent') === 'unlock') {
      const result = await unlockShareLink({ db, token, password: String(form.get('password') ?? ''), ipAddress: getClientIp(request) })
      if (!result.ok) return answer({ page: { state: 'locked' }, passwordError: result.message }, result.status)
      const headers = new Headers(REDIRECT_HEADERS)
      if (result.cookie) headers.append('Set-Cookie', unlockCookieHeader(token, result.cookie, isHttpsRequest(request)))
      return redirect(shareLinkPath(token), { status: 303, headers })
    }
    if (form.get('intent') === 'download') {
      try {
        const download = await downloadFromShareLink({
          db,
          storage: getStorage(),
          token,
          cookieHeader,
          ipAddress: getClientIp(request),
          expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
        })
        return redirect(download.url, { status: 303, headers: REDIRECT_HEADERS })
      } catch (error) {
        if (isAppError(error) && error.code === 'UNAUTHENTICATED') return answer({ page: { state: 'locked' }, passwordError: null }, 401)
        if (isAppError(error) && (error.code === 'UNSUPPORTED_MEDIA_TYPE' || error.code === 'UNAVAILABLE')) {
          // The page again, with the reason by the button (the link itself is fine).
          const page = await getSharePage({ db, token, cookieHeader })
          if (page.state === 'open') return answer({ page, downloadError: error.message }, error.status)
        }
        throw error
      }
    }
    return answer(UNAVAILABLE, 404)
  } catch (error) {
    if (isShareLinkUnavailable(error)) return answer(UNAVAILABLE, 404)
    throw error
  }
}

export default function SharedAssetPage() {
  const loaded = useLoaderData<typeof loader>()
  const acted = useActionData<typeof action>()
  // After a post the action's answer is what the page is about (a wrong password, a refusal).
  const view = acted ?? loaded
  if (view.page.state === 'unavailable') return <ShareUnavailable />
  if (view.page.state === 'locked') return <SharePasswordForm error={'passwordError' in view ? view.passwordError : null} />
  return <SharedAsset {...view.page} downloadError={'downloadError' in view ? view.downloadError : null} />
}

export function ErrorBoundary() {
  const error = useRouteError()
  if (isRouteErrorResponse(error) && error.status === 404) return <ShareUnavailable />
  if (!isRouteErrorResponse(error)) console.error(error)
  return (
    <ShareFrame width="narrow">
      <div className="rounded-xl border border-zinc-200 bg-white px-6 py-10 text-center shadow-sm">
        <h1 className="text-lg font-semibold text-zinc-900">Something went wrong</h1>
        <p className="mt-2 text-sm text-zinc-600">Please try again in a moment.</p>
      </div>
    </ShareFrame>
  )
}
