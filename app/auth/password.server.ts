/** Password hashing: argon2id with OWASP's minimum recommended parameters. */
import { hash, verify, type Options } from '@node-rs/argon2'

const ARGON2ID = 2 // Algorithm.Argon2id (a const enum, unreachable under isolatedModules)

const OPTIONS: Options = {
  algorithm: ARGON2ID,
  memoryCost: 19_456, // KiB (19 MiB)
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
}

/** Rejects absurd inputs before they reach the hash (argon2 accepts any length). */
export const MAX_PASSWORD_LENGTH = 1024

export async function hashPassword(password: string): Promise<string> {
  if (password.length > MAX_PASSWORD_LENGTH) throw new Error('Password is too long')
  return hash(password, OPTIONS)
}

/** False for a wrong password and for a malformed stored hash alike. */
export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

let dummyHash: Promise<string> | undefined

/**
 * Verifies against a throwaway hash with the same parameters, so a sign-in for an
 * email that has no account takes as long as one with a wrong password.
 */
export async function verifyAgainstDummyHash(password: string): Promise<false> {
  dummyHash ??= hash(crypto.randomUUID(), OPTIONS)
  await verifyPassword(password, await dummyHash)
  return false
}
