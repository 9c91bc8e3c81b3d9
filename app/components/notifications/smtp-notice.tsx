import { cn } from '../ui/cn'

/** The loader's `describeSmtp` result (the server address, never its credentials). */
export type SmtpNoticeStatus = { configured: false } | { configured: true; server: string }

/** Whether the outbox is being sent, so an admin knows why messages sit in "Queued". */
export function SmtpNotice({ smtp, queued, className }: { smtp: SmtpNoticeStatus; queued?: number; className?: string }) {
  if (!smtp.configured) {
    return (
      <div role="status" className={cn('mb-5 flex gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900', className)}>
        <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" aria-hidden className="mt-0.5 size-5 shrink-0 text-amber-600">
          <path d="M10 6.5v4.5M10 14h.01M10 2.5a7.5 7.5 0 1 1 0 15 7.5 7.5 0 0 1 0-15Z" />
        </svg>
        <div>
          <p className="font-medium">SMTP not configured: messages are kept here.</p>
          <p className="mt-0.5 text-amber-800">
            Nothing is emailed until SMTP_URL is set (smtp://user:password@host:587) and the worker restarts
            {queued ? `; then the ${queued === 1 ? 'queued message goes' : `${queued} queued messages go`} out.` : '.'}
          </p>
        </div>
      </div>
    )
  }
  return (
    <div role="status" className={cn('mb-5 flex items-center gap-3 rounded-lg border border-zinc-200 bg-white px-4 py-3 text-sm text-zinc-700', className)}>
      <span aria-hidden className="size-2 shrink-0 rounded-full bg-emerald-500" />
      <p>
        Sending through <span className="font-medium text-zinc-900">{smtp.server}</span>. Failed tries are retried at growing intervals (up to an hour apart)
        before a message is marked failed.
      </p>
    </div>
  )
}
