/**
 * Which notification links may be followed. A notification's link is data written
 * by workflows; the web page redirects to it and emails make it absolute, so only
 * a path inside Damson is accepted: "/reviews/abc?tab=x". Protocol-relative
 * ("//host"), backslash tricks ("/\host", which browsers read as "//host"),
 * absolute URLs and anything with control characters or whitespace are refused.
 * Pure, shared by the inbox, the email renderer and their tests.
 */
const PROBE_ORIGIN = 'http://damson.invalid'

/** The normalised in-app path, or null when `link` is not one. */
export function inAppPath(link: string | null | undefined): string | null {
  if (!link || link.length > 2000) return null
  if (!link.startsWith('/') || link.startsWith('//')) return null
  // Backslashes become slashes in URL parsing; whitespace and controls hide schemes and hosts.
  if (/[\\\s\u0000-\u001f\u007f]/.test(link)) return null
  let url: URL
  try {
    url = new URL(link, PROBE_ORIGIN)
  } catch {
    return null
  }
  if (url.origin !== PROBE_ORIGIN) return null
  // Dot segments can collapse into a leading "//" ("/.//evil.example" → "//evil.example").
  if (url.pathname.startsWith('//')) return null
  return `${url.pathname}${url.search}${url.hash}`
}

/** `path` under `publicUrl` (which may itself carry a path prefix, e.g. "https://example.com/dam"). */
export function absoluteInAppUrl(path: string, publicUrl: string): string {
  const base = new URL(publicUrl)
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`
}
