/**
 * Facts about the incoming request that a proxy may set.
 *
 * server.mjs guarantees X-Forwarded-For: it writes the socket address there
 * (overwriting anything the client sent) unless TRUST_PROXY says a reverse proxy
 * in front sets it. 'unknown' only appears when the app runs under another server.
 */

/** Used when no proxy told us the client's address. */
export const UNKNOWN_CLIENT_IP = 'unknown'

/** The client's address: the first entry of X-Forwarded-For, else `'unknown'`. */
export function getClientIp(request: Request): string {
  const forwardedFor = request.headers.get('x-forwarded-for')
  const first = forwardedFor?.split(',')[0]?.trim()
  if (first) return first.slice(0, 64)
  const realIp = request.headers.get('x-real-ip')?.trim()
  if (realIp) return realIp.slice(0, 64)
  return UNKNOWN_CLIENT_IP
}

/** The browser's User-Agent, bounded so it cannot bloat the sessions table. */
export function getUserAgent(request: Request): string | null {
  return request.headers.get('user-agent')?.slice(0, 512) ?? null
}

function firstHeaderValue(request: Request, name: string): string | null {
  const value = request.headers.get(name)?.split(',')[0]?.trim()
  return value ? value : null
}

/** `https:` or `http:` as the browser saw it (X-Forwarded-Proto wins over the URL). */
export function getRequestProtocol(request: Request): 'http:' | 'https:' {
  const forwarded = firstHeaderValue(request, 'x-forwarded-proto')?.toLowerCase()
  if (forwarded === 'https' || forwarded === 'http') return `${forwarded}:`
  return new URL(request.url).protocol === 'https:' ? 'https:' : 'http:'
}

export function isHttpsRequest(request: Request): boolean {
  return getRequestProtocol(request) === 'https:'
}

/**
 * The origin the browser addressed (`https://brand.example.com`), honouring
 * X-Forwarded-Host and X-Forwarded-Proto from the proxy.
 */
export function getRequestOrigin(request: Request): string {
  const url = new URL(request.url)
  const host = firstHeaderValue(request, 'x-forwarded-host') ?? url.host
  try {
    return new URL(`${getRequestProtocol(request)}//${host}`).origin
  } catch {
    return url.origin
  }
}
