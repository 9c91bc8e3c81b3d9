import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { hammingDistance, isNearDuplicate, perceptualHashFromBits } from '~/domain/perceptual-hash'
import { perceptualHash } from '~/media/perceptual-hash.server'

/** A photo-like test image: soft gradients and a few shapes, seeded so each call is the same. */
async function scene(seed: number, width = 640, height = 480): Promise<Buffer> {
  const shapes = Array.from({ length: 6 }, (_, index) => {
    const x = ((seed * 97 + index * 131) % width) | 0
    const y = ((seed * 53 + index * 71) % height) | 0
    const r = 30 + ((seed * 13 + index * 29) % 90)
    const hue = (seed * 47 + index * 61) % 360
    return `<circle cx="${x}" cy="${y}" r="${r}" fill="hsl(${hue},70%,50%)"/>`
  }).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${seed * 31 % 360},60%,80%)"/><stop offset="1" stop-color="hsl(${seed * 17 % 360},60%,20%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer()
}

describe('perceptual hash', () => {
  it('converts 64 bits to 16 hex digits and counts differing bits', () => {
    expect(perceptualHashFromBits('1'.repeat(64))).toBe('ffffffffffffffff')
    expect(perceptualHashFromBits(`${'0'.repeat(63)}1`)).toBe('0000000000000001')
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64)
    expect(hammingDistance('00000000000000f0', '0000000000000000')).toBe(4)
    expect(() => perceptualHashFromBits('012')).toThrow(/64 bits/)
    expect(() => hammingDistance('xyz', '0000000000000000')).toThrow(/16 hex digits/)
  })

  it('finds a resized, re-encoded copy near and a different picture far', async () => {
    const original = await scene(3)
    const copy = await sharp(original).resize(320).jpeg({ quality: 55 }).toBuffer()
    const other = await scene(11)
    const [a, b, c] = await Promise.all([perceptualHash(original), perceptualHash(copy), perceptualHash(other)])
    expect(isNearDuplicate(a, b)).toBe(true)
    expect(isNearDuplicate(a, c)).toBe(false)
    expect(hammingDistance(a, c)).toBeGreaterThan(hammingDistance(a, b))
  })

  it('refuses bytes that are not an image', async () => {
    await expect(perceptualHash(Buffer.from('not an image'))).rejects.toThrow()
  })
})
