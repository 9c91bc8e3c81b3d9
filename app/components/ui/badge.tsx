import type { HTMLAttributes } from 'react'
import { cn } from './cn'

export type BadgeTone = 'neutral' | 'accent' | 'info' | 'warning' | 'success' | 'danger'

const tones: Record<BadgeTone, string> = {
  neutral: 'bg-zinc-100 text-zinc-700 ring-zinc-200',
  accent: 'bg-damson-50 text-damson-700 ring-damson-200',
  info: 'bg-sky-50 text-sky-700 ring-sky-200',
  warning: 'bg-amber-50 text-amber-800 ring-amber-200',
  success: 'bg-emerald-50 text-emerald-700 ring-emerald-200',
  danger: 'bg-red-50 text-red-700 ring-red-200',
}

export type BadgeProps = HTMLAttributes<HTMLSpanElement> & { tone?: BadgeTone }

export function Badge({ tone = 'neutral', className, ...props }: BadgeProps) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset',
        tones[tone],
        className,
      )}
      {...props}
    />
  )
}

/** AssetVersion statuses (prisma `VersionStatus`). */
export type VersionStatusName =
  | 'processing'
  | 'in_review'
  | 'approved'
  | 'rejected'
  | 'changes_requested'
  | 'superseded'
  | 'failed'
  | 'awaiting_metadata'

const statusStyle: Record<VersionStatusName, { tone: BadgeTone; label: string }> = {
  processing: { tone: 'info', label: 'Processing' },
  in_review: { tone: 'accent', label: 'In review' },
  approved: { tone: 'success', label: 'Approved' },
  rejected: { tone: 'danger', label: 'Rejected' },
  changes_requested: { tone: 'warning', label: 'Changes requested' },
  superseded: { tone: 'neutral', label: 'Superseded' },
  failed: { tone: 'danger', label: 'Failed' },
  awaiting_metadata: { tone: 'warning', label: 'Needs metadata' },
}

export function isVersionStatusName(value: string): value is VersionStatusName {
  return Object.hasOwn(statusStyle, value)
}

export function StatusBadge({ status, className }: { status: VersionStatusName; className?: string }) {
  const { tone, label } = statusStyle[status]
  return (
    <Badge tone={tone} className={className}>
      <span aria-hidden className="size-1.5 rounded-full bg-current opacity-70" />
      {label}
    </Badge>
  )
}
