/**
 * Cross-site request protection for form posts.
 *
 * Session cookies are SameSite=Lax, which already keeps them off cross-site POSTs in
 * current browsers; this check is the second lock. A mutation must come from a page
 * of our own origin (or one listed in ALLOWED_ORIGINS): browsers always send `Origin`
 * on cross-origin POSTs and cannot be made to forge it or `X-Forwarded-*` from a form.
 */
import { getEnv } from '~/env.server'
import { getRequestOrigin } from '~/request.server'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export type OriginCheck = { ok: true } | { ok: false; reason: string }

function originOf(value: string): string | null {
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return url.origin
  } catch {
    return null
  }
}

/** ALLOWED_ORIGINS from the environment, normalised to origins. */
export function configuredAllowedOrigins(): string[] {
  return parseAllowedOrigins(getEnv().ALLOWED_ORIGINS)
}

export function parseAllowedOrigins(value: string | undefined): string[] {
  if (!value) return []
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => originOf(entry))
    .filter((origin): origin is string => origin !== null)
}

/** The decision alone, for callers that want to render it themselves. */
export function checkSameOrigin(request: Request, allowedOrigins: readonly string[]): OriginCheck {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return { ok: true }

  if (request.headers.get('sec-fetch-site')?.toLowerCase() === 'cross-site') {
    return { ok: false, reason: 'This form was sent from another site.' }
  }

  const originHeader = request.headers.get('origin')
  const refererHeader = request.headers.get('referer')
  let claimed: string | null
  if (originHeader !== null && originHeader !== 'null') {
    claimed = originOf(originHeader)
  } else if (refererHeader) {
    claimed = originOf(refererHeader)
  } else {
    return { ok: false, reason: 'The request did not say which page sent it (no Origin or Referer header).' }
  }
  if (claimed === null) return { ok: false, reason: 'The request came from an unrecognised origin.' }

  if (claimed === getRequestOrigin(request) || allowedOrigins.includes(claimed)) return { ok: true }
  return { ok: false, reason: `Requests from ${claimed} are not accepted.` }
}

/**
 * Throws a 403 Response unless a mutation (anything but GET/HEAD/OPTIONS) comes from
 * our own origin. `allowedOrigins` defaults to ALLOWED_ORIGINS from the environment.
 */
export function assertSameOrigin(request: Request, options: { allowedOrigins?: readonly string[] } = {}): void {
  const check = checkSameOrigin(request, options.allowedOrigins ?? configuredAllowedOrigins())
  if (!check.ok) {
    throw new Response(`Cross-site request refused. ${check.reason}`, {
      status: 403,
      statusText: 'Forbidden',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
}
