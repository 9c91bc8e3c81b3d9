/**
 * Near-duplicate detection by perceptual hash: 64-bit DCT hashes (sharp-phash) stored
 * as 16 hex digits, compared by how many bits differ. Pure, so the upload route, the
 * workers and tests agree on what counts as "looks like".
 */

/**
 * Hashes at most this many bits apart are shown as near duplicates. pHash papers and
 * libraries put re-encodes, resizes and light edits under about 10 of 64 bits, and
 * unrelated photos around 32; 8 keeps false matches rare in a large library.
 */
export const NEAR_DUPLICATE_MAX_DISTANCE = 8

const HEX_HASH = /^[0-9a-f]{16}$/

export function isPerceptualHash(value: string): boolean {
  return HEX_HASH.test(value)
}

/** sharp-phash's 64 "0"/"1" characters as 16 lowercase hex digits. */
export function perceptualHashFromBits(bits: string): string {
  if (!/^[01]{64}$/.test(bits)) throw new Error(`Expected 64 bits, got "${bits.slice(0, 80)}"`)
  return BigInt(`0b${bits}`).toString(16).padStart(16, '0')
}

/** The number of bits in which two hashes differ (0–64). */
export function hammingDistance(a: string, b: string): number {
  if (!isPerceptualHash(a) || !isPerceptualHash(b)) throw new Error('Perceptual hashes are 16 hex digits')
  let difference = BigInt(`0x${a}`) ^ BigInt(`0x${b}`)
  let count = 0
  while (difference > 0n) {
    count += Number(difference & 1n)
    difference >>= 1n
  }
  return count
}

export function isNearDuplicate(a: string, b: string): boolean {
  return hammingDistance(a, b) <= NEAR_DUPLICATE_MAX_DISTANCE
}
