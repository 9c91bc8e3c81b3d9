/**
 * A rendition's bytes (thumbnail, preview, web, clip, audio, page-N), streamed from S3
 * after the one access rule allowed this version for the signed-in viewer. Hidden or
 * unknown: 404. A Range request gets 206 with that part only (players seek this way).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/auth.server'
import { findRendition, matchesIfNoneMatch, parseRange, renditionHeaders } from '~/assets/renditions.server'
import { getDb } from '~/db.server'
import { isAppError } from '~/errors.server'
import { toErrorResponse } from '~/http.server'
import { getStorage } from '~/storage.server'

function nosniff(response: Response): Response {
  try {
    response.headers.set('X-Content-Type-Options', 'nosniff')
    return response
  } catch {
    // Immutable headers (a fetched Response): copy it.
    const headers = new Headers(response.headers)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  try {
    const user = await requireUser(request)
    const meta = await findRendition({
      db: getDb(),
      viewer: user.viewer,
      assetId: params.assetId ?? '',
      versionId: params.versionId ?? '',
      preset: params.preset ?? '',
    })
    const headers = renditionHeaders(meta)
    if (matchesIfNoneMatch(request, meta.etag)) {
      headers.delete('Content-Length')
      return new Response(null, { status: 304, headers })
    }
    // A range of an older rendition than the client holds would splice two files together.
    const ifRange = request.headers.get('If-Range')
    const range = ifRange && ifRange.trim() !== meta.etag ? null : parseRange(request.headers.get('Range'), meta.bytes)
    if (range === 'unsatisfiable') {
      headers.set('Content-Range', `bytes */${meta.bytes}`)
      headers.delete('Content-Length')
      return new Response(null, { status: 416, headers })
    }
    if (range) {
      headers.set('Content-Range', `bytes ${range.start}-${range.end}/${meta.bytes}`)
      headers.set('Content-Length', String(range.end - range.start + 1))
      if (request.method === 'HEAD') return new Response(null, { status: 206, headers })
      const part = await getStorage().getStream(meta.storageKey, range)
      return new Response(createReadableStreamFromReadable(part.body), { status: 206, headers })
    }
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers })
    const object = await getStorage().getStream(meta.storageKey)
    if (object.bytes !== undefined) headers.set('Content-Length', String(object.bytes))
    return new Response(createReadableStreamFromReadable(object.body), { status: 200, headers })
  } catch (error) {
    if (isAppError(error)) return nosniff(toErrorResponse(error))
    if (error instanceof Response) throw nosniff(error)
    if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) {
      return nosniff(new Response('Rendition not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }))
    }
    throw error
  }
}
