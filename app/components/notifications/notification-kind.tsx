import type { NotificationKind } from '~/generated/prisma/enums'
import { cn } from '../ui/cn'

type KindStyle = { label: string; className: string; path: string }

// One small icon per kind; the path is drawn in a 24×24 box.
const KIND_STYLE: Record<NotificationKind, KindStyle> = {
  review_requested: { label: 'Review requested', className: 'bg-damson-50 text-damson-700', path: 'M4 13l2.5-7h11L20 13M4 13v6h16v-6M4 13h4.5l1 2h5l1-2H20' },
  review_reminder: { label: 'Reminder', className: 'bg-sky-50 text-sky-700', path: 'M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z' },
  review_escalated: { label: 'Escalated', className: 'bg-amber-50 text-amber-700', path: 'M12 9v4M12 17h.01M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z' },
  version_approved: { label: 'Approved', className: 'bg-emerald-50 text-emerald-700', path: 'M5 12.5l4.5 4.5L19 7.5' },
  version_rejected: { label: 'Rejected', className: 'bg-red-50 text-red-700', path: 'M6 6l12 12M18 6 6 18' },
  version_changes_requested: { label: 'Changes requested', className: 'bg-amber-50 text-amber-800', path: 'M4 20h4L19 9l-4-4L4 16v4ZM13.5 6.5l4 4' },
  version_rolled_back: { label: 'Rolled back', className: 'bg-zinc-100 text-zinc-700', path: 'M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11' },
  rights_expiring: { label: 'Rights expiring', className: 'bg-amber-50 text-amber-700', path: 'M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z' },
  rights_expired: { label: 'Rights ended', className: 'bg-red-50 text-red-700', path: 'M5.6 5.6l12.8 12.8M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z' },
  takedown_notice: { label: 'Takedown notice', className: 'bg-red-50 text-red-700', path: 'M12 9v4M12 17h.01M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z' },
}

export function notificationKindLabel(kind: NotificationKind): string {
  return KIND_STYLE[kind].label
}

export function NotificationKindIcon({ kind, className }: { kind: NotificationKind; className?: string }) {
  const style = KIND_STYLE[kind]
  return (
    <span className={cn('grid size-9 shrink-0 place-items-center rounded-full', style.className, className)}>
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden className="size-[18px]">
        <path d={style.path} />
      </svg>
    </span>
  )
}
