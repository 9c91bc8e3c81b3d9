/**
 * The top of a bar chart's scale: the smallest of 1, 2, 4, 6, 8, 10, 20, 40… at or
 * above `max`, so the top and the half-way gridline are whole numbers (counts have no
 * halves). At least 1, so an empty chart still has a scale.
 */
export function niceCeiling(max: number): number {
  if (!(max > 1)) return 1
  let step = 1
  for (;;) {
    for (const factor of [1, 2, 4, 6, 8]) {
      if (step * factor >= max) return step * factor
    }
    step *= 10
  }
}

/** "3 Nov" for a "YYYY-MM-DD" week start (UTC), the same on server and browser. */
export function shortDay(isoDate: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`))
}
