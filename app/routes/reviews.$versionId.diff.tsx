/**
 * The "Differences" image of the review page: pixels that changed between the
 * asset's approved version and this one, as a PNG made on the server. For
 * reviewers and admins who may see both versions; 404 when there is no approved
 * version to compare with or either is not an image.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requirePermission } from '~/auth.server'
import { matchesIfNoneMatch } from '~/assets/renditions.server'
import { getDb } from '~/db.server'
import { isAppError } from '~/errors.server'
import { toErrorResponse } from '~/http.server'
import { openVersionDiff } from '~/review/version-diff.server'
import { getStorage } from '~/storage.server'

export async function loader({ request, params }: LoaderFunctionArgs) {
  try {
    const user = await requirePermission(request, 'version:review')
    const { etag, diff } = await openVersionDiff({
      db: getDb(),
      storage: getStorage(),
      viewer: user.viewer,
      versionId: params.versionId ?? '',
      alreadyHas: (candidate) => matchesIfNoneMatch(request, candidate),
    })
    const headers = new Headers({
      'Content-Type': 'image/png',
      // Revalidated on every view: access is checked again before a 304.
      'Cache-Control': 'private, no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
    })
    if (!diff) return new Response(null, { status: 304, headers })
    headers.set('Content-Length', String(diff.png.length))
    headers.set('X-Changed-Fraction', diff.changedFraction.toFixed(6))
    return new Response(new Uint8Array(diff.png), { status: 200, headers })
  } catch (error) {
    if (isAppError(error)) return toErrorResponse(error)
    throw error
  }
}
