import { describe, expect, it } from 'vitest'
import { activityWindowStart, bucketDistributionActivity, utcDayOf } from '~/distribution/activity-chart'

// Late in the evening UTC: the chart's days are UTC days, whatever the server's zone.
const now = new Date('2027-03-01T23:30:00Z')

describe('bucketDistributionActivity', () => {
  it('has 30 UTC days ending with today, oldest first, all zero when nothing happened', () => {
    const chart = bucketDistributionActivity([], now)
    expect(chart.days).toHaveLength(30)
    expect(chart.days[0]).toMatchObject({ day: '2027-01-31', label: '31 Jan', published: 0, removed: 0, failed: 0 })
    expect(chart.days[29]).toMatchObject({ day: '2027-03-01', label: '1 Mar' })
    expect(chart.max).toBe(0)
    expect(chart.totals).toEqual({ published: 0, removed: 0, failed: 0 })
  })

  it('puts each count on its day and kind, adds repeats, and ignores days outside the window', () => {
    const chart = bucketDistributionActivity(
      [
        { day: '2027-03-01', kind: 'published', count: 3 },
        { day: '2027-03-01', kind: 'published', count: 2 },
        { day: '2027-03-01', kind: 'removed', count: 1 },
        { day: '2027-02-14', kind: 'failed', count: 4 },
        { day: '2027-01-31', kind: 'removed', count: 2 },
        { day: '2027-01-30', kind: 'published', count: 9 }, // the day before the window
        { day: '2027-03-02', kind: 'published', count: 9 }, // tomorrow
      ],
      now,
    )
    const byDay = new Map(chart.days.map((day) => [day.day, day]))
    expect(byDay.get('2027-03-01')).toMatchObject({ published: 5, removed: 1, failed: 0 })
    expect(byDay.get('2027-02-14')).toMatchObject({ published: 0, removed: 0, failed: 4 })
    expect(byDay.get('2027-01-31')).toMatchObject({ removed: 2 })
    expect(chart.totals).toEqual({ published: 5, removed: 3, failed: 4 })
    // Failures are marks, not bars: the scale follows publications and takedowns.
    expect(chart.max).toBe(5)
  })

  it('takes another length of window', () => {
    const chart = bucketDistributionActivity([{ day: '2027-02-25', kind: 'removed', count: 1 }], now, 7)
    expect(chart.days.map((day) => day.day)).toEqual(['2027-02-23', '2027-02-24', '2027-02-25', '2027-02-26', '2027-02-27', '2027-02-28', '2027-03-01'])
    expect(chart.totals.removed).toBe(1)
  })
})

describe('the window’s edges', () => {
  it('starts at the UTC midnight of the first day', () => {
    expect(activityWindowStart(now).toISOString()).toBe('2027-01-31T00:00:00.000Z')
    expect(activityWindowStart(new Date('2027-03-01T00:00:00Z'), 1).toISOString()).toBe('2027-03-01T00:00:00.000Z')
  })

  it('names an instant’s UTC day', () => {
    expect(utcDayOf(new Date('2027-03-01T23:59:59.999Z'))).toBe('2027-03-01')
    expect(utcDayOf(new Date('2027-03-02T00:30:00+01:00'))).toBe('2027-03-01')
  })
})
