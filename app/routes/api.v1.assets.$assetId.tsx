/**
 * GET /api/v1/assets/:assetId — one asset the signed-in viewer may see now, as JSON
 * (~/api/assets.server), with its rights in plain words and links to its renditions.
 *
 * Every role (portal:browse), with the session cookie. Hidden or missing: 404
 * `{ error }` alike (never 403). Anonymous: 401 `{ error }`. Never cached.
 */
import type { LoaderFunctionArgs } from '@remix-run/node'
import { getApiAsset } from '~/api/assets.server'
import { handleApiErrors, jsonError, jsonResponse, requireApiUser } from '~/api/json.server'
import { getDb } from '~/db.server'

const ASSET_ID = /^[A-Za-z0-9_-]{1,64}$/

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleApiErrors(async () => {
    const { user, headers } = await requireApiUser(request)
    const assetId = params.assetId ?? ''
    if (!ASSET_ID.test(assetId)) return jsonError(404, 'Asset not found', headers)
    const asset = await getApiAsset({ db: getDb(), viewer: user.viewer, assetId })
    return jsonResponse(asset, 200, headers)
  })
}
