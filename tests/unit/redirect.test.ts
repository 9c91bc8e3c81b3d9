import { describe, expect, it } from 'vitest'
import { safeRedirectPath } from '~/auth/redirect'

describe('safeRedirectPath', () => {
  it.each([
    ['/library', '/library'],
    ['/library/abc?tab=rights#history', '/library/abc?tab=rights#history'],
    ['/portal?q=summer%20launch', '/portal?q=summer%20launch'],
    ['/%2F%2Fevil.com', '/%2F%2Fevil.com'],
  ])('keeps the same-site path %s', (input, expected) => {
    expect(safeRedirectPath(input, '/home')).toBe(expected)
  })

  it.each([
    ['https://evil.com'],
    ['http://evil.com/library'],
    ['//evil.com'],
    ['///evil.com'],
    ['/\\evil.com'],
    ['\\\\evil.com'],
    ['/\t/evil.com'],
    ['/\n/evil.com'],
    ['javascript:alert(1)'],
    ['library'],
    [''],
    [' /library'],
    ['/' + 'a'.repeat(3000)],
  ])('refuses %j', (input) => {
    expect(safeRedirectPath(input, '/home')).toBe('/home')
  })

  it('refuses what is not a string', () => {
    expect(safeRedirectPath(null, '/home')).toBe('/home')
    expect(safeRedirectPath(undefined, '/home')).toBe('/home')
    expect(safeRedirectPath(['/library'], '/home')).toBe('/home')
  })

  it('defaults the fallback to /', () => {
    expect(safeRedirectPath('https://evil.com')).toBe('/')
  })
})
