import { Form, Link, useLocation } from '@remix-run/react'
import type { ReactNode } from 'react'
import type { RoleName } from '~/domain/roles'
import { NotificationsBellLink } from './notifications/bell-link'
import { cn } from './ui/cn'

/** What the shell shows about the signed-in user (the root loader's public view). */
export type ShellUser = {
  name: string
  email: string
  roles: readonly RoleName[]
  organisation: { name: string }
  /** For the bell in the header. */
  unreadNotifications: number
}

type NavItem = { to: string; label: string; roles: readonly RoleName[] }

const NAV_ITEMS: readonly NavItem[] = [
  { to: '/portal', label: 'Portal', roles: ['admin', 'librarian', 'reviewer', 'legal', 'partner'] },
  { to: '/library', label: 'Library', roles: ['admin', 'librarian', 'reviewer', 'legal'] },
  { to: '/library/upload', label: 'Upload', roles: ['admin', 'librarian'] },
  { to: '/reviews', label: 'Reviews', roles: ['admin', 'reviewer'] },
  { to: '/rights/expiring', label: 'Rights', roles: ['admin', 'legal', 'librarian'] },
  { to: '/admin/review-policies', label: 'Policies', roles: ['admin', 'librarian'] },
  { to: '/admin/channels', label: 'Channels', roles: ['admin', 'librarian'] },
  { to: '/admin/rendition-presets', label: 'Presets', roles: ['admin'] },
  { to: '/admin/metadata-schemas', label: 'Schemas', roles: ['admin'] },
  { to: '/distribution', label: 'Distribution', roles: ['admin', 'librarian', 'legal'] },
  { to: '/admin/outbox', label: 'Outbox', roles: ['admin'] },
]

export function navItemsFor(roles: readonly RoleName[]): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.some((role) => roles.includes(role)))
}

/** The item whose path is the longest prefix of `pathname` (so /library/upload lights Upload, not Library). */
export function activeNavItem(items: readonly NavItem[], pathname: string): NavItem | undefined {
  return items
    .filter((item) => pathname === item.to || pathname.startsWith(`${item.to}/`))
    .sort((a, b) => b.to.length - a.to.length)[0]
}

export function Wordmark({ className, size = 'md' }: { className?: string; size?: 'md' | 'lg' }) {
  return (
    <span className={cn('inline-flex items-center gap-2 font-semibold tracking-tight text-zinc-900', className)}>
      <svg viewBox="0 0 24 24" aria-hidden className={cn('shrink-0', size === 'lg' ? 'size-8' : 'size-6')}>
        <path d="M12 3.2c.9-1 2.3-1.5 3.6-1.2-.4 1.4-1.5 2.5-2.9 2.9" fill="#4f8a3c" />
        <circle cx="12" cy="13.5" r="8" fill="#5b2a86" />
        <ellipse cx="9.2" cy="10.6" rx="2.2" ry="1.5" fill="#fff" opacity=".28" transform="rotate(-30 9.2 10.6)" />
      </svg>
      <span className={size === 'lg' ? 'text-2xl' : 'text-lg'}>Damson</span>
    </span>
  )
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts
  return letters.map((part) => part?.[0]?.toUpperCase() ?? '').join('') || '?'
}

export function AppShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const items = navItemsFor(user.roles)
  const { pathname } = useLocation()
  const active = activeNavItem(items, pathname)
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/90 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
          <Link to="/" className="rounded-md" aria-label="Damson home">
            <Wordmark />
          </Link>
          <nav aria-label="Main" className="hidden h-full items-stretch gap-1 md:flex">
            {items.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                prefetch="intent"
                aria-current={item === active ? 'page' : undefined}
                className={cn(
                  'relative inline-flex items-center px-3 text-sm font-medium transition-colors',
                  item === active
                    ? 'text-damson-700 after:absolute after:inset-x-3 after:bottom-0 after:h-0.5 after:rounded-full after:bg-damson-600'
                    : 'text-zinc-600 hover:text-zinc-900',
                )}
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <NotificationsBellLink
              unread={user.unreadNotifications}
              active={pathname === '/notifications' || pathname.startsWith('/notifications/')}
            />
            <div className="hidden text-right leading-tight sm:block">
              <div className="text-sm font-medium text-zinc-900">{user.name}</div>
              <div className="text-xs text-zinc-500">{user.organisation.name}</div>
            </div>
            <span
              aria-hidden
              className="grid size-8 place-items-center rounded-full bg-damson-100 text-xs font-semibold text-damson-700"
              title={`${user.name} · ${user.organisation.name}`}
            >
              {initials(user.name)}
            </span>
            <Form method="post" action="/logout">
              <button
                type="submit"
                className="h-8 rounded-md px-3 text-sm font-medium text-zinc-600 ring-1 ring-inset ring-zinc-300 transition-colors hover:bg-zinc-50 hover:text-zinc-900"
              >
                Sign out
              </button>
            </Form>
          </div>
        </div>
        {/* Small screens: the same links in a scrolling row under the header. */}
        <nav aria-label="Main" className="flex gap-1 overflow-x-auto border-t border-zinc-100 px-2 py-1.5 md:hidden">
          {items.map((item) => (
            <Link
              key={item.to}
              to={item.to}
              aria-current={item === active ? 'page' : undefined}
              className={cn(
                'shrink-0 rounded-md px-3 py-1.5 text-sm font-medium',
                item === active ? 'bg-damson-50 text-damson-700' : 'text-zinc-600 hover:bg-zinc-100',
              )}
            >
              {item.label}
            </Link>
          ))}
        </nav>
      </header>
      <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6">{children}</main>
    </div>
  )
}
