import { describe, expect, it } from 'vitest'
import { minutesUntilAllowed, SIGN_IN_LIMITS } from '~/auth/rate-limit.server'

const now = new Date('2027-03-01T12:00:00Z')
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000)

describe('minutesUntilAllowed', () => {
  it('waits for the limit-th most recent failure to leave the window', () => {
    // Five failures, newest first: the oldest (10 min ago) leaves the 15-minute window in 5 minutes.
    const failures = [0.5, 1, 2, 5, 10].map(minutesAgo)
    expect(minutesUntilAllowed(failures, 5, SIGN_IN_LIMITS.windowMs, now)).toBe(5)
  })

  it('rounds up and never says zero', () => {
    expect(minutesUntilAllowed([minutesAgo(14.99)], 1, SIGN_IN_LIMITS.windowMs, now)).toBe(1)
    expect(minutesUntilAllowed([minutesAgo(0)], 1, SIGN_IN_LIMITS.windowMs, now)).toBe(15)
    expect(minutesUntilAllowed([], 5, SIGN_IN_LIMITS.windowMs, now)).toBe(1)
  })
})
