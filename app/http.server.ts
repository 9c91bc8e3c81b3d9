/** The one place AppError becomes an HTTP response (NOT_FOUND → 404, …). */
import { ZodError } from 'zod'
import { isAppError, type AppError } from '~/errors.server'

export function toErrorResponse(error: AppError): Response {
  return new Response(error.message, {
    status: error.status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/**
 * Runs a loader or action body, turning a thrown AppError into a thrown Response the
 * route's error boundary renders, and a failed zod parse of the request into a 400.
 * Anything else (Responses, bugs) passes through.
 *
 *   export const loader = ({ request, params }: LoaderFunctionArgs) =>
 *     handleAppErrors(async () => { ... })
 */
export async function handleAppErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (isAppError(error)) throw toErrorResponse(error)
    if (error instanceof ZodError) {
      throw new Response(error.issues[0]?.message ?? 'The request is not valid', {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      })
    }
    throw error
  }
}

/** Headers for answers that hand out a file or a link to one: never cached, never sniffed, no referrer. */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' } as const

/** A plain-text answer (a refusal's reason) with NO_STORE_HEADERS. */
export function uncachedText(status: number, message: string): Response {
  return new Response(message, { status, headers: { ...NO_STORE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } })
}

/**
 * Runs a resource route that answers with a redirect to a file: a thrown AppError
 * becomes its status with the message, and no answer of it is ever cached.
 */
export async function answerUncached(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run()
  } catch (error) {
    if (isAppError(error)) {
      const response = toErrorResponse(error)
      for (const [name, value] of Object.entries(NO_STORE_HEADERS)) response.headers.set(name, value)
      return response
    }
    throw error
  }
}
