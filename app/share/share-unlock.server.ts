/**
 * The "unlocked" state of a password-protected share link: a short-lived cookie,
 * scoped to that link's path (`/s/<token>`, which also covers its preview), holding
 * `<linkId>.<expiry>.<mac>`.
 *
 * Why a cookie and not the password on every download: the preview image is a
 * separate GET the browser makes on its own, so it cannot carry a password; the
 * cookie lets the page, its preview and the Download button share one unlock.
 *
 * The MAC is HMAC-SHA256 keyed with the link's own argon2 hash, which is secret
 * (database only) and salted per link, so no server-wide secret is needed, a cookie
 * for one link never opens another, and it stops working if the link's password
 * ever changes. The cookie only says "the password was given"; every request still
 * re-checks the link and the asset in full.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { shareLinkPath } from './paths'

export const SHARE_UNLOCK_COOKIE = 'damson_share_unlock'
/** How long an unlock lasts: long enough to look and download, short enough to be forgotten. */
export const SHARE_UNLOCK_SECONDS = 30 * 60

export type UnlockableLink = { id: string; passwordHash: string; expiresAt: Date }

function mac(link: UnlockableLink, expiresAtSeconds: number): string {
  return createHmac('sha256', link.passwordHash).update(`damson-share-unlock\n${link.id}\n${expiresAtSeconds}`).digest('base64url')
}

/** The cookie's value for an unlock made at `at`; it lasts SHARE_UNLOCK_SECONDS, never beyond the link. */
export function unlockValue(link: UnlockableLink, at: Date): { value: string; maxAgeSeconds: number } {
  const nowSeconds = Math.floor(at.getTime() / 1000)
  const until = Math.min(nowSeconds + SHARE_UNLOCK_SECONDS, Math.floor(link.expiresAt.getTime() / 1000))
  return { value: `${link.id}.${until}.${mac(link, until)}`, maxAgeSeconds: Math.max(0, until - nowSeconds) }
}

/** Every value the Cookie header gives SHARE_UNLOCK_COOKIE (several may arrive; any valid one counts). */
function unlockValues(cookieHeader: string | null): string[] {
  if (!cookieHeader) return []
  return cookieHeader
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SHARE_UNLOCK_COOKIE}=`))
    .map((part) => part.slice(SHARE_UNLOCK_COOKIE.length + 1))
}

function verifyValue(link: UnlockableLink, value: string, at: Date): boolean {
  const [id, until, given, ...rest] = value.split('.')
  if (rest.length > 0 || id !== link.id || !until || !given || !/^\d{1,12}$/.test(until)) return false
  const untilSeconds = Number(until)
  if (untilSeconds * 1000 <= at.getTime()) return false
  const expected = Buffer.from(mac(link, untilSeconds))
  const received = Buffer.from(given)
  return expected.length === received.length && timingSafeEqual(expected, received)
}

/** Whether the request's cookies hold a valid, unexpired unlock of this link. */
export function isUnlocked(link: UnlockableLink, cookieHeader: string | null, at: Date): boolean {
  return unlockValues(cookieHeader).some((value) => verifyValue(link, value, at))
}

/** `Set-Cookie` for the unlock: HttpOnly, SameSite=Lax, only under this link's path. */
export function unlockCookieHeader(token: string, unlock: { value: string; maxAgeSeconds: number }, secure: boolean): string {
  const parts = [
    `${SHARE_UNLOCK_COOKIE}=${unlock.value}`,
    `Path=${shareLinkPath(token)}`,
    `Max-Age=${unlock.maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
  ]
  if (secure) parts.push('Secure')
  return parts.join('; ')
}
