import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
  type ShouldRevalidateFunction,
} from '@remix-run/react'
import type { ReactNode } from 'react'
import { getCurrentUserWithHeaders } from '~/auth.server'
import { AppShell, Wordmark, type ShellUser } from '~/components/app-shell'
import { buttonClasses } from '~/components/ui/button'
import { getDb } from '~/db.server'
import { countUnreadNotifications } from '~/notifications/inbox.server'
import stylesheet from '~/tailwind.css?url'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction = () => [{ title: 'Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  // Also refreshes (or clears) the session cookie when lucia asks for it.
  const { user, headers } = await getCurrentUserWithHeaders(request)
  const publicUser: ShellUser | null = user
    ? {
        name: user.name,
        email: user.email,
        roles: user.roles,
        organisation: { name: user.organisation.name },
        // Read on every navigation too (see shouldRevalidate), so the bell follows
        // "mark as read" and new notices without client state.
        unreadNotifications: await countUnreadNotifications(getDb(), user.id),
      }
    : null
  return data({ user: publicUser }, { headers })
}

/**
 * Remix skips the root loader on plain navigations; re-running it keeps the bell's
 * unread count current as the user moves around (one indexed count per navigation).
 */
export const shouldRevalidate: ShouldRevalidateFunction = () => true

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="h-full">
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  )
}

function Frame({ user, children }: { user: ShellUser | null | undefined; children: ReactNode }) {
  if (user) return <AppShell user={user}>{children}</AppShell>
  return <div className="min-h-dvh">{children}</div>
}

export default function App() {
  const { user } = useLoaderData<typeof loader>()
  return (
    <Frame user={user}>
      <Outlet />
    </Frame>
  )
}

const ERROR_COPY: Record<number, { title: string; body: string }> = {
  401: { title: 'Please sign in', body: 'You need to sign in to see this page.' },
  403: { title: 'No access', body: 'You do not have access to this page.' },
  404: { title: 'Page not found', body: 'We could not find what you were looking for.' },
  429: { title: 'Slow down', body: 'Too many requests. Please wait a moment and try again.' },
}

export function ErrorBoundary() {
  const error = useRouteError()
  // The root loader may be the thing that failed; then there is no user to show.
  const rootData = useRouteLoaderData<typeof loader>('root')
  const status = isRouteErrorResponse(error) ? error.status : 500
  const copy = ERROR_COPY[status] ?? { title: 'Something went wrong', body: 'An unexpected error occurred. Please try again.' }
  // A thrown Response's text is written for users (guards, AppError); the router's own
  // messages ("Error: No route matches…") and anything from a 5xx are not.
  const detail =
    isRouteErrorResponse(error) && typeof error.data === 'string' && error.data.trim() && status < 500 && !error.data.startsWith('Error:')
      ? error.data
      : null
  if (!isRouteErrorResponse(error)) console.error(error)

  return (
    <Frame user={rootData?.user}>
      <div className={rootData?.user ? 'py-10' : 'grid min-h-dvh place-items-center px-4'}>
        <div className="mx-auto max-w-md text-center">
          {rootData?.user ? null : <Wordmark className="mb-8 justify-center" />}
          <p className="text-sm font-semibold text-damson-600">{status}</p>
          <h1 className="mt-2 text-2xl font-semibold tracking-tight text-zinc-900">{copy.title}</h1>
          <p className="mt-2 text-sm text-zinc-600">{detail ?? copy.body}</p>
          <div className="mt-6 flex justify-center gap-3">
            <Link to="/" className={buttonClasses({ variant: 'primary' })}>
              Go to your home page
            </Link>
          </div>
        </div>
      </div>
    </Frame>
  )
}
