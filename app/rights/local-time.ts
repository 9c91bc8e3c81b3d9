/**
 * Wall-clock times in a named zone, as legal enters them ("2027-03-28T02:30" in
 * Europe/Berlin), and the instants they mean. Pure and clock-free: shared by the
 * grant forms, the server and the board.
 *
 * Daylight saving is resolved the way Temporal's "compatible" disambiguation does:
 * a time that falls in the spring-forward gap moves forward by the gap (02:30 → 03:30),
 * and a time that occurs twice in the autumn overlap means the earlier instant.
 */

/** "YYYY-MM-DDTHH:mm" (what `<input type="datetime-local">` posts), seconds optional. */
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/
/** "YYYY-MM-DD" alone means the start of that day. */
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export type LocalDateTime = { year: number; month: number; day: number; hour: number; minute: number; second: number }

const formatters = new Map<string, Intl.DateTimeFormat>()

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** Whether the runtime knows `timeZone` as an IANA zone (or UTC). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false
  try {
    partsFormatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** The wall clock in `timeZone` at `instant`. */
export function wallClockAt(instant: Date, timeZone: string): LocalDateTime {
  const parts = partsFormatter(timeZone).formatToParts(instant)
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value ?? '0')
  return {
    year: value('year'),
    month: value('month'),
    day: value('day'),
    hour: value('hour'),
    minute: value('minute'),
    second: value('second'),
  }
}

function asUtcMillis(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second)
}

/** How far `timeZone` is ahead of UTC at `epochMs`, in milliseconds. */
function offsetAt(epochMs: number, timeZone: string): number {
  const instant = new Date(epochMs)
  return asUtcMillis(wallClockAt(instant, timeZone)) - (epochMs - instant.getUTCMilliseconds())
}

export function parseLocalDateTime(text: string): LocalDateTime | null {
  const full = LOCAL_DATE_TIME.exec(text.trim())
  const dateOnly = full ? null : LOCAL_DATE.exec(text.trim())
  const match = full ?? dateOnly
  if (!match) return null
  const local: LocalDateTime = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: full ? Number(match[4]) : 0,
    minute: full ? Number(match[5]) : 0,
    second: full && match[6] ? Number(match[6]) : 0,
  }
  // Rejects 2027-02-30, 24:00 and the like: the calendar must give the same fields back.
  const roundTrip = new Date(asUtcMillis(local))
  const valid =
    local.year >= 1900 &&
    local.year <= 9999 &&
    roundTrip.getUTCFullYear() === local.year &&
    roundTrip.getUTCMonth() === local.month - 1 &&
    roundTrip.getUTCDate() === local.day &&
    roundTrip.getUTCHours() === local.hour &&
    roundTrip.getUTCMinutes() === local.minute &&
    roundTrip.getUTCSeconds() === local.second
  return valid ? local : null
}

/**
 * The instant a wall-clock time in `timeZone` names. Around a transition the zone's
 * offset differs a day before and a day after; whichever of the two candidate
 * instants reads back as the entered time is the answer (both in an overlap: the
 * earlier; neither in a gap: the time moved forward by the gap).
 */
export function zonedToInstant(local: LocalDateTime, timeZone: string): Date {
  const wall = asUtcMillis(local)
  const day = 24 * 60 * 60 * 1000
  const before = offsetAt(wall - day, timeZone)
  const after = offsetAt(wall + day, timeZone)
  const candidates = [...new Set([wall - before, wall - after])].filter(
    (epochMs) => asUtcMillis(wallClockAt(new Date(epochMs), timeZone)) === wall,
  )
  if (candidates.length > 0) return new Date(Math.min(...candidates))
  // In the gap: read the time with the offset in force before the transition.
  return new Date(wall - before)
}

/** `parseLocalDateTime` then `zonedToInstant`; null for text that is not a valid local time. */
export function localTextToInstant(text: string, timeZone: string): Date | null {
  const local = parseLocalDateTime(text)
  return local ? zonedToInstant(local, timeZone) : null
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/** "YYYY-MM-DDTHH:mm" in `timeZone`: the value a datetime-local input shows for `instant`. */
export function instantToLocalText(instant: Date, timeZone: string): string {
  const local = wallClockAt(instant, timeZone)
  return `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}:${pad(local.minute)}`
}

/**
 * `days` calendar days after `instant`, at the same wall-clock time in `timeZone`:
 * "extend by 30 days" keeps an expiry at 23:59 local even across a DST change.
 */
export function addDaysInZone(instant: Date, days: number, timeZone: string): Date {
  const local = wallClockAt(instant, timeZone)
  const shifted = new Date(Date.UTC(local.year, local.month - 1, local.day + days))
  return zonedToInstant(
    {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: local.hour,
      minute: local.minute,
      second: local.second,
    },
    timeZone,
  )
}

/** The zones offered in forms: the runtime's IANA list, with UTC first. */
export function listTimeZones(): string[] {
  const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...supported.filter((zone) => zone !== 'UTC')]
}
