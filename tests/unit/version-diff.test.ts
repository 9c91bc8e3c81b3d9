/**
 * The pixel diff with real sharp on generated images: a known rectangle differs, so
 * the changed share is known exactly (PNG is lossless).
 */
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { DIFF_HIGHLIGHT, DIFF_THRESHOLD, diffImages } from '~/review/version-diff.server'

type Rect = { left: number; top: number; width: number; height: number }

/** A flat image with one rectangle of another colour painted on it. */
async function picture(width: number, height: number, rect?: Rect & { colour: { r: number; g: number; b: number } }): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 110, b: 190 } } })
  if (!rect) return base.png().toBuffer()
  const patch = await sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: rect.colour } }).png().toBuffer()
  return base.composite([{ input: patch, left: rect.left, top: rect.top }]).png().toBuffer()
}

async function pixelAt(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
  const i = (y * info.width + x) * info.channels
  return [data[i]!, data[i + 1]!, data[i + 2]!]
}

const yellow = { r: 250, g: 210, b: 20 }

describe('diffImages', () => {
  it('finds exactly the rectangle that changed and paints it over a dimmed greyscale', async () => {
    const before = await picture(200, 100)
    const after = await picture(200, 100, { left: 50, top: 30, width: 40, height: 20, colour: yellow })
    const diff = await diffImages(before, after)

    expect(diff.width).toBe(200)
    expect(diff.height).toBe(100)
    expect(diff.changedPixels).toBe(40 * 20)
    expect(diff.changedFraction).toBeCloseTo(800 / 20_000, 10)

    const metadata = await sharp(diff.png).metadata()
    expect(metadata).toMatchObject({ format: 'png', width: 200, height: 100 })
    expect(await pixelAt(diff.png, 60, 35)).toEqual([DIFF_HIGHLIGHT.r, DIFF_HIGHLIGHT.g, DIFF_HIGHLIGHT.b])
    const [r, g, b] = await pixelAt(diff.png, 5, 5)
    expect(r).toBe(g)
    expect(g).toBe(b)
    // Dimmed: darker than the greyscale of the original blue would be.
    const luma = 0.299 * 40 + 0.587 * 110 + 0.114 * 190
    expect(r).toBeLessThan(luma)
  })

  it('gives 0 for identical images', async () => {
    const image = await picture(120, 80, { left: 10, top: 10, width: 30, height: 30, colour: yellow })
    const diff = await diffImages(image, Buffer.from(image))
    expect(diff.changedPixels).toBe(0)
    expect(diff.changedFraction).toBe(0)
  })

  it('ignores changes at or below the threshold', async () => {
    const before = await picture(100, 100)
    const after = await picture(100, 100, {
      left: 0,
      top: 0,
      width: 50,
      height: 100,
      colour: { r: 40 + DIFF_THRESHOLD, g: 110, b: 190 },
    })
    expect((await diffImages(before, after)).changedPixels).toBe(0)
    expect((await diffImages(before, after, { threshold: DIFF_THRESHOLD - 1 })).changedPixels).toBe(50 * 100)
  })

  it('compares versions exported at different sizes at the new version’s size', async () => {
    // The same picture at twice the resolution, with the rectangle scaled too.
    const before = await picture(400, 200, { left: 100, top: 60, width: 80, height: 40, colour: yellow })
    const after = await picture(200, 100)
    const diff = await diffImages(before, after)
    expect(diff.width).toBe(200)
    expect(diff.height).toBe(100)
    // Resampling softens the rectangle's edges by about a pixel.
    expect(diff.changedFraction).toBeGreaterThan(0.035)
    expect(diff.changedFraction).toBeLessThan(0.046)

    const same = await diffImages(await picture(400, 200), await picture(200, 100))
    expect(same.changedFraction).toBe(0)
  })

  it('stretches another aspect ratio onto the new version and caps the size', async () => {
    const diff = await diffImages(await picture(300, 300), await picture(2400, 1200), { maxSide: 600 })
    expect(diff.width).toBe(600)
    expect(diff.height).toBe(300)
    expect(diff.changedFraction).toBe(0)
  })

  it('handles greyscale and transparent images alongside colour ones', async () => {
    const grey = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .greyscale()
      .png()
      .toBuffer()
    const transparent = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer()
    // Transparent flattens onto white: every pixel differs from mid grey.
    const diff = await diffImages(grey, transparent)
    expect(diff.changedFraction).toBe(1)
    expect((await diffImages(grey, grey)).changedFraction).toBe(0)
  })

  it('refuses bytes that are not an image', async () => {
    await expect(diffImages(Buffer.from('not an image'), await picture(10, 10))).rejects.toThrow()
  })
})
