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
