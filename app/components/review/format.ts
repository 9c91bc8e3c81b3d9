/**
 * Display formats shared by the review pages. Fixed locale and zone, so the server
 * and the browser render the same text (no hydration mismatch).
 */

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC'
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`
}

/** "12.4 %", "0.03 %", "< 0.01 %": small changes must not read as none. */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100
  if (percent === 0) return '0 %'
  if (percent < 0.01) return '< 0.01 %'
  const digits = percent < 1 ? 2 : percent < 10 ? 1 : 0
  return `${percent.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} %`
}

export const DECISION_LABEL = { approve: 'Approved', reject: 'Rejected', request_changes: 'Requested changes' } as const
export const DECISION_TONE = { approve: 'success', reject: 'danger', request_changes: 'warning' } as const

export const REVIEW_STATUS_LABEL: Record<string, string> = {
  in_progress: 'In progress',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Changes requested',
  cancelled: 'Withdrawn',
}
