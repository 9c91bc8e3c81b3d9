/**
 * GET /api/v1/assets?q=&kind=&page= — the assets the signed-in viewer may see now,
 * as JSON (~/api/assets.server): the portal's search and database re-check.
 *
 * Every role (portal:browse), with the session cookie. Anonymous: 401 `{ error }`.
 * Search down: 503 `{ error }`. Never cached.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { listApiAssets } from '~/api/assets.server'
import { handleApiErrors, jsonResponse, requireApiUser } from '~/api/json.server'
import { getDb } from '~/db.server'
import { parseBrowseQuery } from '~/portal/browse.server'

export async function loader({ request }: LoaderFunctionArgs) {
  return handleApiErrors(async () => {
    const { user, headers } = await requireApiUser(request)
    const list = await listApiAssets({ db: getDb(), viewer: user.viewer, query: parseBrowseQuery(new URL(request.url)) })
    return jsonResponse(list, 200, headers)
  })
}
