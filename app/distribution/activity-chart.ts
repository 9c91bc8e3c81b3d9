/**
 * The distribution dashboard's chart: publications, takedowns and failures per UTC day
 * over the last days (30 by default), today last. The database counts events per day
 * and kind (dashboard.server); this lays the counts out on a full run of days, so a
 * quiet day is a zero rather than a gap. Pure, and the same on server and browser.
 */
export const ACTIVITY_DAYS = 30

export const ACTIVITY_KINDS = ['published', 'removed', 'failed'] as const
export type ActivityKind = (typeof ACTIVITY_KINDS)[number]

/** One count from the database: events of one kind on one UTC day ("YYYY-MM-DD"). */
export type ActivityCount = { day: string; kind: ActivityKind; count: number }

export type ActivityDay = {
  /** "YYYY-MM-DD", a UTC day. */
  day: string
  /** "3 Dec": for the axis and the tooltips. */
  label: string
  published: number
  removed: number
  failed: number
}

export type ActivityChart = {
  days: ActivityDay[]
  /** The tallest bar (publications or takedowns; failures are marks, not bars). */
  max: number
  totals: Record<ActivityKind, number>
}

const DAY_MS = 24 * 60 * 60 * 1000
const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' })

/** The UTC day of an instant, "YYYY-MM-DD". */
export function utcDayOf(at: Date): string {
  return at.toISOString().slice(0, 10)
}

/** The first instant of the chart's first day: where the database query starts counting. */
export function activityWindowStart(now: Date, days: number = ACTIVITY_DAYS): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS
  return new Date(today - (days - 1) * DAY_MS)
}

/**
 * `days` UTC days ending with today's (the day `now` falls in), each with its counts.
 * Counts for days outside the window are ignored; several counts for the same day and
 * kind add up.
 */
export function bucketDistributionActivity(counts: readonly ActivityCount[], now: Date, days: number = ACTIVITY_DAYS): ActivityChart {
  const first = activityWindowStart(now, days).getTime()
  const buckets: ActivityDay[] = Array.from({ length: days }, (_, index) => {
    const start = new Date(first + index * DAY_MS)
    return { day: utcDayOf(start), label: dayLabel.format(start), published: 0, removed: 0, failed: 0 }
  })
  const byDay = new Map(buckets.map((bucket) => [bucket.day, bucket]))
  const totals: Record<ActivityKind, number> = { published: 0, removed: 0, failed: 0 }
  for (const { day, kind, count } of counts) {
    const bucket = byDay.get(day)
    if (!bucket || !(count > 0)) continue
    bucket[kind] += count
    totals[kind] += count
  }
  const max = buckets.reduce((highest, bucket) => Math.max(highest, bucket.published, bucket.removed), 0)
  return { days: buckets, max, totals }
}
