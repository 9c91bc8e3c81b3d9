/** Where to send people after sign-in: pure, shared by routes and tests. */
import { ROLES, type RoleName } from '~/domain/roles'

const HOME_BY_ROLE: Record<RoleName, string> = {
  admin: '/library',
  librarian: '/library',
  reviewer: '/reviews',
  legal: '/library',
  partner: '/portal',
}

/** A user's landing page; with several roles the most privileged (ROLES order) wins. */
export function homePathFor(roles: readonly RoleName[]): string {
  const role = ROLES.find((candidate) => roles.includes(candidate))
  return role ? HOME_BY_ROLE[role] : '/portal'
}

const PLACEHOLDER_ORIGIN = 'http://damson.invalid'

/**
 * `to` when it is a path on this site, else `fallback`. Guards the login page's
 * `redirectTo` against open redirects: absolute URLs, protocol-relative `//host`,
 * backslash tricks (`/\host`), and control characters are all refused.
 */
export function safeRedirectPath(to: unknown, fallback = '/'): string {
  if (typeof to !== 'string' || to.length === 0 || to.length > 2048) return fallback
  if (!to.startsWith('/') || to.startsWith('//')) return fallback
  // Browsers treat "\" as "/" and drop tabs/newlines, so "/\evil.com" means "//evil.com".
  if (/[\\\u0000-\u001f\u007f]/.test(to)) return fallback
  let url: URL
  try {
    url = new URL(to, PLACEHOLDER_ORIGIN)
  } catch {
    return fallback
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback
  return `${url.pathname}${url.search}${url.hash}`
}
