/**
 * A share link's preview image: the preview rendition of the asset's current
 * version, streamed after the link's full check at this moment (the same as its
 * page's, including the unlock of a password-protected link). Anything else is the
 * same neutral 404.
 *
 * GET/HEAD: anyone with the token (and the unlock cookie when the link has a password).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from '@remix-run/node'
import { matchesIfNoneMatch, renditionHeaders } from '~/assets/renditions.server'
import { getDb } from '~/db.server'
import { isAppError } from '~/errors.server'
import { findSharePreview, SHARE_LINK_UNAVAILABLE } from '~/share/open-share-link.server'
import { getStorage } from '~/storage.server'

const SHARE_HEADERS = {
  'Cache-Control': 'private, no-cache',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
} as const

function notAvailable(): Response {
  return new Response(SHARE_LINK_UNAVAILABLE, {
    status: 404,
    headers: { ...SHARE_HEADERS, 'Cache-Control': 'private, no-store', 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  try {
    const meta = await findSharePreview({ db: getDb(), token: params.token ?? '', cookieHeader: request.headers.get('Cookie') })
    const headers = renditionHeaders(meta)
    for (const [name, value] of Object.entries(SHARE_HEADERS)) headers.set(name, value)
    if (matchesIfNoneMatch(request, meta.etag)) {
      headers.delete('Content-Length')
      return new Response(null, { status: 304, headers })
    }
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers })
    const object = await getStorage().getStream(meta.storageKey)
    if (object.bytes !== undefined) headers.set('Content-Length', String(object.bytes))
    return new Response(createReadableStreamFromReadable(object.body), { status: 200, headers })
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') return notAvailable()
    // The row exists but the object does not: unavailable, like every other failure.
    if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) return notAvailable()
    throw error
  }
}
