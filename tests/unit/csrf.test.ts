import { describe, expect, it } from 'vitest'
import { assertSameOrigin, checkSameOrigin, parseAllowedOrigins } from '~/auth/csrf.server'

function post(url: string, headers: Record<string, string> = {}, method = 'POST'): Request {
  return new Request(url, { method, headers })
}

const none: string[] = []

describe('checkSameOrigin', () => {
  it('lets safe methods through without any header', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(checkSameOrigin(new Request('http://localhost:3000/x', { method }), none)).toEqual({ ok: true })
    }
  })

  it('accepts a POST whose Origin is our own', () => {
    expect(checkSameOrigin(post('http://localhost:3000/login', { Origin: 'http://localhost:3000' }), none).ok).toBe(true)
  })

  it('refuses a POST from a foreign Origin', () => {
    const check = checkSameOrigin(post('http://localhost:3000/login', { Origin: 'https://evil.example' }), none)
    expect(check).toEqual({ ok: false, reason: expect.stringContaining('https://evil.example') })
  })

  it('treats a different port or scheme as a different origin', () => {
    expect(checkSameOrigin(post('http://localhost:3000/x', { Origin: 'http://localhost:3001' }), none).ok).toBe(false)
    expect(checkSameOrigin(post('http://localhost:3000/x', { Origin: 'https://localhost:3000' }), none).ok).toBe(false)
  })

  it('refuses a POST with neither Origin nor Referer', () => {
    expect(checkSameOrigin(post('http://localhost:3000/x'), none).ok).toBe(false)
  })

  it('refuses the opaque "null" origin unless the Referer is ours', () => {
    expect(checkSameOrigin(post('http://localhost:3000/x', { Origin: 'null' }), none).ok).toBe(false)
    expect(
      checkSameOrigin(post('http://localhost:3000/x', { Origin: 'null', Referer: 'http://localhost:3000/form' }), none).ok,
    ).toBe(true)
  })

  it('falls back to the Referer when Origin is absent', () => {
    expect(checkSameOrigin(post('http://localhost:3000/x', { Referer: 'http://localhost:3000/library?q=1' }), none).ok).toBe(true)
    expect(checkSameOrigin(post('http://localhost:3000/x', { Referer: 'https://evil.example/page' }), none).ok).toBe(false)
    expect(checkSameOrigin(post('http://localhost:3000/x', { Referer: 'not a url' }), none).ok).toBe(false)
  })

  it('refuses Sec-Fetch-Site: cross-site even with a matching Origin', () => {
    const request = post('http://localhost:3000/x', { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'cross-site' })
    expect(checkSameOrigin(request, none).ok).toBe(false)
    const sameOrigin = post('http://localhost:3000/x', { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-origin' })
    expect(checkSameOrigin(sameOrigin, none).ok).toBe(true)
  })

  it('honours X-Forwarded-Host and X-Forwarded-Proto from the proxy', () => {
    const behindProxy = post('http://127.0.0.1:3000/login', {
      Origin: 'https://brand.example.com',
      'X-Forwarded-Host': 'brand.example.com',
      'X-Forwarded-Proto': 'https',
    })
    expect(checkSameOrigin(behindProxy, none).ok).toBe(true)
    const wrongProto = post('http://127.0.0.1:3000/login', {
      Origin: 'http://brand.example.com',
      'X-Forwarded-Host': 'brand.example.com',
      'X-Forwarded-Proto': 'https',
    })
    expect(checkSameOrigin(wrongProto, none).ok).toBe(false)
  })

  it('accepts origins listed in ALLOWED_ORIGINS', () => {
    const allowed = parseAllowedOrigins(' https://brand.example.com/ , https://cdn.example.com:8443,not-a-url, ')
    expect(allowed).toEqual(['https://brand.example.com', 'https://cdn.example.com:8443'])
    const request = post('http://127.0.0.1:3000/x', { Origin: 'https://brand.example.com' })
    expect(checkSameOrigin(request, allowed).ok).toBe(true)
    expect(checkSameOrigin(request, none).ok).toBe(false)
  })

  it('checks PUT, PATCH and DELETE too', () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect(checkSameOrigin(post('http://localhost:3000/x', { Origin: 'https://evil.example' }, method), none).ok).toBe(false)
    }
  })
})

describe('assertSameOrigin', () => {
  it('throws a 403 Response with a clear message', async () => {
    let thrown: unknown
    try {
      assertSameOrigin(post('http://localhost:3000/x', { Origin: 'https://evil.example' }), { allowedOrigins: [] })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(Response)
    const response = thrown as Response
    expect(response.status).toBe(403)
    expect(await response.text()).toMatch(/^Cross-site request refused\./)
  })

  it('returns quietly for a same-origin post', () => {
    expect(() =>
      assertSameOrigin(post('http://localhost:3000/x', { Origin: 'http://localhost:3000' }), { allowedOrigins: [] }),
    ).not.toThrow()
  })
})
