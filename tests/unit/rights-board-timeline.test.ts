import { describe, expect, it } from 'vitest'
import { bucketRightsChanges, countTicks } from '~/rights/board-timeline'

const at = new Date('2027-03-01T15:30:00Z')
const day = 86_400_000
const after = (ms: number) => new Date(at.getTime() + ms)

describe('bucketRightsChanges', () => {
  it('has one bucket per UTC day touched by the next 7 days, today first', () => {
    const timeline = bucketRightsChanges([], at, 7)
    expect(timeline.unit).toBe('day')
    expect(timeline.buckets.map((bucket) => bucket.label)).toEqual(['1 Mar', '2 Mar', '3 Mar', '4 Mar', '5 Mar', '6 Mar', '7 Mar', '8 Mar'])
    expect(timeline.buckets[0]).toMatchObject({ from: '2027-03-01T00:00:00.000Z', until: '2027-03-02T00:00:00.000Z' })
    expect(timeline.max).toBe(0)
  })

  it('counts expiries and embargo ends apart in their day, and ignores changes out of range', () => {
    const timeline = bucketRightsChanges(
      [
        { at: after(60_000), kind: 'expiry' },
        { at: after(9 * 3_600_000), kind: 'expiry' }, // 00:30 on 2 March
        { at: after(9 * 3_600_000), kind: 'start' },
        { at: after(2 * day), kind: 'start' }, // 15:30 on 3 March
        { at: after(-60_000), kind: 'expiry' }, // already past
        { at: after(7 * day), kind: 'expiry' }, // the range is half-open
      ],
      at,
      7,
    )
    expect(timeline.buckets.slice(0, 4).map(({ expiries, starts }) => [expiries, starts])).toEqual([
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ])
    expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.expiries + bucket.starts, 0)).toBe(4)
    expect(timeline.max).toBe(2)
  })

  it('counts by week for 90 days, labelled with the week’s first and last day', () => {
    const timeline = bucketRightsChanges([{ at: after(89 * day), kind: 'expiry' }], at, 90)
    expect(timeline.unit).toBe('week')
    expect(timeline.buckets).toHaveLength(13)
    expect(timeline.buckets[0]).toMatchObject({ label: '1–7 Mar', tick: '1 Mar' })
    expect(timeline.buckets[4]?.label).toBe('29 Mar–4 Apr')
    expect(timeline.buckets.at(-1)).toMatchObject({ expiries: 1, starts: 0 })
  })

  it('covers 31 days for the 30-day view', () => {
    expect(bucketRightsChanges([], at, 30).buckets).toHaveLength(31)
    // From midnight the range ends exactly at a midnight: no empty bucket after it.
    expect(bucketRightsChanges([], new Date('2027-03-01T00:00:00Z'), 30).buckets).toHaveLength(30)
  })
})

describe('countTicks', () => {
  it('gives round steps that reach the maximum', () => {
    expect(countTicks(0)).toEqual([0, 1])
    expect(countTicks(1)).toEqual([0, 1])
    expect(countTicks(3)).toEqual([0, 1, 2, 3])
    expect(countTicks(7)).toEqual([0, 2, 4, 6, 8])
    expect(countTicks(23)).toEqual([0, 10, 20, 30])
    expect(countTicks(140)).toEqual([0, 50, 100, 150])
  })
})
