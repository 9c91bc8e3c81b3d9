import { describe, expect, it } from 'vitest'
import { hashPassword, verifyAgainstDummyHash, verifyPassword } from '~/auth/password.server'

describe('password hashing', () => {
  it('round-trips with argon2id', async () => {
    const hash = await hashPassword('correct horse battery staple')
    expect(hash.startsWith('$argon2id$')).toBe(true)
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true)
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false)
  })

  it('salts each hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')])
    expect(a).not.toBe(b)
  })

  it('treats a malformed stored hash as a wrong password', async () => {
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false)
  })

  it('refuses overlong passwords without hashing them', async () => {
    const hash = await hashPassword('short')
    expect(await verifyPassword('x'.repeat(5000), hash)).toBe(false)
    await expect(hashPassword('x'.repeat(5000))).rejects.toThrow()
  })

  it('fails the dummy verification every time', async () => {
    expect(await verifyAgainstDummyHash('whatever')).toBe(false)
  })
})
