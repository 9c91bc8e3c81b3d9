import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addDaysInZone,
  instantToLocalText,
  isValidTimeZone,
  localTextToInstant,
  parseLocalDateTime,
} from '~/rights/local-time'

const iso = (text: string, zone: string) => localTextToInstant(text, zone)?.toISOString() ?? null

describe('localTextToInstant', () => {
  it('reads ordinary wall-clock times with the offset in force that day', () => {
    expect(iso('2027-01-15T09:00', 'Europe/Berlin')).toBe('2027-01-15T08:00:00.000Z')
    expect(iso('2027-07-15T09:00', 'Europe/Berlin')).toBe('2027-07-15T07:00:00.000Z')
    expect(iso('2027-07-15T09:00', 'America/New_York')).toBe('2027-07-15T13:00:00.000Z')
    expect(iso('2027-07-15T09:00', 'Asia/Kolkata')).toBe('2027-07-15T03:30:00.000Z')
    expect(iso('2027-07-15T09:00', 'UTC')).toBe('2027-07-15T09:00:00.000Z')
    expect(iso('2027-07-15', 'Europe/Berlin')).toBe('2027-07-14T22:00:00.000Z')
  })

  it('moves a time in the spring-forward gap forward by the gap', () => {
    // Berlin, 28 March 2027: 02:00 CET becomes 03:00 CEST.
    expect(iso('2027-03-28T01:59', 'Europe/Berlin')).toBe('2027-03-28T00:59:00.000Z')
    expect(iso('2027-03-28T02:00', 'Europe/Berlin')).toBe('2027-03-28T01:00:00.000Z')
    expect(iso('2027-03-28T02:30', 'Europe/Berlin')).toBe('2027-03-28T01:30:00.000Z')
    expect(iso('2027-03-28T03:00', 'Europe/Berlin')).toBe('2027-03-28T01:00:00.000Z')
    // New York, 14 March 2027: 02:00 EST becomes 03:00 EDT.
    expect(iso('2027-03-14T02:30', 'America/New_York')).toBe('2027-03-14T07:30:00.000Z')
  })

  it('takes the earlier of the two instants in the autumn overlap', () => {
    // Berlin, 31 October 2027: 03:00 CEST becomes 02:00 CET, so 02:00–02:59 happens twice.
    expect(iso('2027-10-31T02:30', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z')
    expect(iso('2027-10-31T01:59', 'Europe/Berlin')).toBe('2027-10-30T23:59:00.000Z')
    expect(iso('2027-10-31T03:00', 'Europe/Berlin')).toBe('2027-10-31T02:00:00.000Z')
    // Lord Howe Island shifts by half an hour.
    expect(iso('2027-04-04T01:45', 'Australia/Lord_Howe')).toBe('2027-04-03T14:45:00.000Z')
  })

  it('refuses text that is not a real local date-time', () => {
    for (const text of ['', '2027-02-30T10:00', '2027-13-01T00:00', '2027-01-01T24:00', '2027-01-01 10:00', '27-01-01T10:00', 'tomorrow']) {
      expect(parseLocalDateTime(text), text).toBeNull()
    }
    expect(parseLocalDateTime('2028-02-29T23:59:30')).toEqual({ year: 2028, month: 2, day: 29, hour: 23, minute: 59, second: 30 })
  })

  it('gives back the entered text for every instant, in any zone (round trip)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'Asia/Tokyo', 'UTC']
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (instant, zone) => {
          const text = instantToLocalText(instant, zone)
          const back = localTextToInstant(text, zone)
          expect(back).not.toBeNull()
          expect(instantToLocalText(back!, zone)).toBe(text)
          // The same minute, or (in an overlap) the earlier reading of it.
          const minute = Math.floor(instant.getTime() / 60_000) * 60_000
          expect(back!.getTime()).toBeLessThanOrEqual(minute)
          expect(minute - back!.getTime()).toBeLessThanOrEqual(60 * 60_000)
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('addDaysInZone', () => {
  it('keeps the wall-clock time across a DST change', () => {
    const expiry = new Date('2031-03-15T22:59:00Z') // 23:59 CET
    expect(addDaysInZone(expiry, 30, 'Europe/Berlin').toISOString()).toBe('2031-04-14T21:59:00.000Z') // 23:59 CEST
    expect(addDaysInZone(expiry, 30, 'UTC').toISOString()).toBe('2031-04-14T22:59:00.000Z')
    expect(addDaysInZone(new Date('2031-10-25T23:00:00Z'), 1, 'Europe/London').toISOString()).toBe('2031-10-27T00:00:00.000Z')
  })
})

describe('isValidTimeZone', () => {
  it('knows IANA zones and refuses anything else', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true)
    expect(isValidTimeZone('UTC')).toBe(true)
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isValidTimeZone('')).toBe(false)
  })
})
