import { describe, expect, it } from 'vitest'
import { AppError } from '~/errors.server'
import { handleAppErrors, toErrorResponse } from '~/http.server'

describe('toErrorResponse', () => {
  it.each([
    ['NOT_FOUND', 404],
    ['FORBIDDEN', 403],
    ['BAD_REQUEST', 400],
    ['RATE_LIMITED', 429],
    ['UNAVAILABLE', 503],
  ] as const)('maps %s to %i with the message', async (code, status) => {
    const response = toErrorResponse(new AppError(code, 'Asset not found'))
    expect(response.status).toBe(status)
    expect(await response.text()).toBe('Asset not found')
  })
})

describe('handleAppErrors', () => {
  it('returns the value of a body that succeeds', async () => {
    await expect(handleAppErrors(async () => 42)).resolves.toBe(42)
  })

  it('throws a Response for an AppError', async () => {
    const thrown = await handleAppErrors(async () => {
      throw new AppError('NOT_FOUND', 'No such asset')
    }).catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(Response)
    expect((thrown as Response).status).toBe(404)
  })

  it('passes other errors and Responses through unchanged', async () => {
    const bug = new TypeError('boom')
    await expect(handleAppErrors(async () => Promise.reject(bug))).rejects.toBe(bug)
    const redirect = new Response(null, { status: 302, headers: { Location: '/login' } })
    await expect(handleAppErrors(async () => Promise.reject(redirect))).rejects.toBe(redirect)
  })
})
