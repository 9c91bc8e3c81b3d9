/**
 * The expiring-soon board's timeline: upcoming rights changes counted per UTC day (7
 * and 30 days ahead) or per week (90 days), expiries and embargo ends apart. Pure.
 */
export const BOARD_HORIZONS = [7, 30, 90] as const
export type BoardHorizon = (typeof BOARD_HORIZONS)[number]

export type RightsChangeKind = 'expiry' | 'start'

export type TimelineBucket = {
  /** First instant of the bucket, ISO 8601 (a UTC midnight). */
  from: string
  /** First instant after it. */
  until: string
  /** "3 Dec" (a day) or "3–9 Dec" (a week): for tooltips. */
  label: string
  /** "3 Dec": the first day, short enough for the axis. */
  tick: string
  expiries: number
  starts: number
}

export type Timeline = { unit: 'day' | 'week'; buckets: TimelineBucket[]; max: number }

const DAY_MS = 24 * 60 * 60 * 1000

function startOfUtcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) * DAY_MS
}

const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' })
const dayOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', timeZone: 'UTC' })

function label(from: number, until: number, unit: 'day' | 'week'): string {
  if (unit === 'day') return dayLabel.format(from)
  const last = until - DAY_MS
  const sameMonth = new Date(from).getUTCMonth() === new Date(last).getUTCMonth()
  return `${sameMonth ? dayOnly.format(from) : dayLabel.format(from)}–${dayLabel.format(last)}`
}

/**
 * Buckets covering [at, at + horizonDays): whole UTC days from today's, a day each up
 * to 30 days ahead and a week each beyond. Changes outside the range are ignored.
 */
export function bucketRightsChanges(changes: readonly { at: Date; kind: RightsChangeKind }[], at: Date, horizonDays: number): Timeline {
  const unit = horizonDays > 31 ? 'week' : 'day'
  const size = unit === 'day' ? DAY_MS : 7 * DAY_MS
  const end = at.getTime() + horizonDays * DAY_MS
  const first = startOfUtcDay(at.getTime())
  const count = Math.floor((startOfUtcDay(end - 1) - first) / size) + 1
  const buckets: TimelineBucket[] = Array.from({ length: count }, (_, index) => {
    const from = first + index * size
    const until = from + size
    return {
      from: new Date(from).toISOString(),
      until: new Date(until).toISOString(),
      label: label(from, until, unit),
      tick: dayLabel.format(from),
      expiries: 0,
      starts: 0,
    }
  })
  for (const change of changes) {
    const time = change.at.getTime()
    if (time < at.getTime() || time >= end) continue
    const bucket = buckets[Math.floor((time - first) / size)]
    if (!bucket) continue
    if (change.kind === 'expiry') bucket.expiries += 1
    else bucket.starts += 1
  }
  const max = buckets.reduce((highest, bucket) => Math.max(highest, bucket.expiries + bucket.starts), 0)
  return { unit, buckets, max }
}

/** Round steps for the count axis: 0, 1, 2 … or 0, 5, 10 … with at most about five lines. */
export function countTicks(max: number): number[] {
  if (max <= 0) return [0, 1]
  const rough = max / 4
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(rough, 1)))
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude
  const top = Math.ceil(max / step) * step
  return Array.from({ length: top / step + 1 }, (_, index) => index * step)
}
