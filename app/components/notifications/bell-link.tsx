import { Link } from '@remix-run/react'
import { cn } from '../ui/cn'

export function BellIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.6} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M6 10a6 6 0 1 1 12 0c0 4.5 1.5 6 2 6.5H4c.5-.5 2-2 2-6.5Z" />
      <path d="M10 19.5a2 2 0 0 0 4 0" />
    </svg>
  )
}

/** The accessible name says the count in words; the badge only shows it. */
export function notificationsLinkLabel(unread: number): string {
  if (unread === 0) return 'Notifications, none unread'
  return `Notifications, ${unread} unread`
}

/** The header's bell: a link to /notifications with the unread count on it (99+ past 99). */
export function NotificationsBellLink({ unread, active }: { unread: number; active?: boolean }) {
  return (
    <Link
      to="/notifications"
      aria-label={notificationsLinkLabel(unread)}
      aria-current={active ? 'page' : undefined}
      title={notificationsLinkLabel(unread)}
      className={cn(
        'relative grid size-9 place-items-center rounded-full transition-colors',
        active ? 'bg-damson-50 text-damson-700' : 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900',
      )}
    >
      <BellIcon className="size-5" />
      {unread > 0 ? (
        <span
          aria-hidden
          className="absolute -top-0.5 -right-0.5 grid h-[18px] min-w-[18px] place-items-center rounded-full bg-damson-600 px-1 text-[11px] leading-none font-semibold text-white ring-2 ring-white"
        >
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </Link>
  )
}
