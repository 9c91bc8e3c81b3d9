import type { EmailStatus } from '~/generated/prisma/enums'
import { Badge, type BadgeTone } from '../ui/badge'

const STATUS_STYLE: Record<EmailStatus, { tone: BadgeTone; label: string }> = {
  queued: { tone: 'info', label: 'Queued' },
  sent: { tone: 'success', label: 'Sent' },
  failed: { tone: 'danger', label: 'Failed' },
}

export function emailStatusLabel(status: EmailStatus): string {
  return STATUS_STYLE[status].label
}

export function EmailStatusBadge({ status }: { status: EmailStatus }) {
  const { tone, label } = STATUS_STYLE[status]
  return (
    <Badge tone={tone}>
      <span aria-hidden className="size-1.5 rounded-full bg-current opacity-70" />
      {label}
    </Badge>
  )
}

/**
 * The stored HTML part, made safe to show: the iframe that holds it is sandboxed
 * (no scripts, no same-origin, no navigation), and this policy also stops it from
 * loading anything remote (tracking pixels, fonts) while an admin looks at it.
 */
export function emailPreviewDocument(html: string): string {
  // The policy must sit in <head>: put it first, after our own doctype (the email's own is dropped).
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`
  return `<!doctype html>${csp}${html.replace(/^\s*<!doctype[^>]*>/i, '')}`
}

/** Fixed locale and zone so server and browser render the same text. */
export function formatOutboxTime(iso: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`
}
