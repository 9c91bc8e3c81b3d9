import { useRouteLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Wordmark } from '~/components/app-shell'
import { cn } from '~/components/ui'
import type { loader as rootLoader } from '~/root'

/**
 * The frame of every page a share link shows: the wordmark and a centred column, no
 * navigation (the holder is usually not signed in and has nowhere else to go). A
 * signed-in user already has the app's header around it, so the wordmark is left out.
 */
export function ShareFrame({ children, width = 'wide' }: { children: ReactNode; width?: 'narrow' | 'wide' }) {
  const inAppShell = Boolean(useRouteLoaderData<typeof rootLoader>('root')?.user)
  return (
    <div className={cn(!inAppShell && 'min-h-dvh bg-zinc-50')}>
      {inAppShell ? null : (
        <header className="border-b border-zinc-200 bg-white">
          <div className={cn('mx-auto flex h-14 items-center px-4 sm:px-6', width === 'wide' ? 'max-w-6xl' : 'max-w-md')}>
            <Wordmark />
          </div>
        </header>
      )}
      <main className={cn('mx-auto', inAppShell ? 'pb-8' : 'px-4 py-8 sm:px-6 sm:py-12', width === 'wide' ? 'max-w-6xl' : 'max-w-md')}>{children}</main>
    </div>
  )
}

/**
 * The one answer for a link that does not open: expired, revoked, used up, withdrawn
 * or never existing all look the same, on purpose.
 */
export function ShareUnavailable() {
  return (
    <ShareFrame width="narrow">
      <div className="rounded-xl border border-zinc-200 bg-white px-6 py-10 text-center shadow-sm">
        <svg viewBox="0 0 24 24" aria-hidden className="mx-auto mb-4 size-10 text-zinc-300" fill="none" stroke="currentColor" strokeWidth="1.5">
          <path d="M13.2 6.8l1.6-1.6a4 4 0 015.7 5.7l-3 3a4 4 0 01-5.7 0M10.8 17.2l-1.6 1.6a4 4 0 01-5.7-5.7l3-3a4 4 0 015.7 0" strokeLinecap="round" />
          <path d="M4 4l16 16" strokeLinecap="round" />
        </svg>
        <h1 className="text-lg font-semibold text-zinc-900">This link is no longer available</h1>
        <p className="mt-2 text-sm text-zinc-600">If you still need the file, ask the person who sent you the link for a new one.</p>
      </div>
    </ShareFrame>
  )
}
