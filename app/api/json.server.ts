/**
 * HTTP plumbing for the JSON API (/api/v1/…): the session guard answering in JSON,
 * and every answer, success or error, as `application/json` that no cache keeps.
 *
 * Scripts and integrations use the same session cookie as the browser, so the same
 * user, roles and access rule apply; what differs is only the shape of a refusal:
 * an anonymous call is a 401 `{ "error": … }`, never a redirect to the login page,
 * whatever the Accept header says.
 */
import { getCurrentUserWithHeaders, type CurrentUser } from '~/auth.server'
import { hasPermission } from '~/domain/roles'
import { isAppError } from '~/errors.server'

const API_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'private, no-store',
  'X-Content-Type-Options': 'nosniff',
} as const

/** A JSON answer; `extra` (e.g. a refreshed session cookie) is appended. */
export function jsonResponse(body: unknown, status = 200, extra?: Headers): Response {
  const headers = new Headers(API_HEADERS)
  extra?.forEach((value, name) => headers.append(name, value))
  return new Response(JSON.stringify(body), { status, headers })
}

export function jsonError(status: number, message: string, extra?: Headers): Response {
  return jsonResponse({ error: message }, status, extra)
}

/** A refusal carrying its response: thrown by guards, answered by handleApiErrors. */
class ApiRefusal extends Error {
  constructor(readonly response: Response) {
    super(`API refusal ${response.status}`)
  }
}

export type ApiUser = { user: CurrentUser; headers: Headers }

/**
 * The signed-in user (and the Set-Cookie headers a refreshed or cleared session
 * needs); 401 JSON for nobody, 403 JSON without portal:browse.
 */
export async function requireApiUser(request: Request): Promise<ApiUser> {
  const { user, headers } = await getCurrentUserWithHeaders(request)
  if (!user) throw new ApiRefusal(jsonError(401, 'Sign in to continue', headers))
  if (!hasPermission(user.roles, 'portal:browse')) throw new ApiRefusal(jsonError(403, 'You do not have access to this', headers))
  return { user, headers }
}

/** Runs an API loader: AppErrors become `{ error }` with their status; bugs stay 500s (logged, not described). */
export async function handleApiErrors(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof ApiRefusal) return error.response
    if (isAppError(error)) return jsonError(error.status, error.message)
    console.error('API request failed:', error)
    return jsonError(500, 'Something went wrong')
  }
}
