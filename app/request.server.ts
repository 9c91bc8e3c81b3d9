/**
 * Facts about the incoming request that sit behind a reverse proxy.
 *
 * remix-serve builds the Fetch `Request` from Express without `trust proxy` and gives
 * loaders no socket address (it passes no load context), so the client's address is
 * only known from the `X-Forwarded-For` header set by the proxy in front of Damson.
 * Run remix-serve behind a proxy that sets (and overwrites) that header: a client
 * talking to remix-serve directly can write whatever it likes there.
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
