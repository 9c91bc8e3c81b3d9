import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CENTRE,
  coverGeometry,
  focalCrop,
  focalPointOf,
  FocalPointPercentSchema,
  objectPosition,
  type CropRect,
  type FocalPoint,
  type Size,
} from '~/domain/focal-crop'

const size = (max: number) => fc.record({ width: fc.integer({ min: 1, max }), height: fc.integer({ min: 1, max }) })
const fraction = fc.double({ min: 0, max: 1, noNaN: true })
const focal = fc.record({ x: fraction, y: fraction })

function contains(crop: CropRect, point: { x: number; y: number }): boolean {
  return point.x >= crop.left && point.x <= crop.left + crop.width && point.y >= crop.top && point.y <= crop.top + crop.height
}

function inside(crop: CropRect, image: Size): boolean {
  return (
    Number.isInteger(crop.left) &&
    Number.isInteger(crop.top) &&
    crop.left >= 0 &&
    crop.top >= 0 &&
    crop.width >= 1 &&
    crop.height >= 1 &&
    crop.left + crop.width <= image.width &&
    crop.top + crop.height <= image.height
  )
}

describe('focalCrop', () => {
  it('takes the largest crop of the box’s shape, centred on the focal point', () => {
    // A 3000 × 2000 landscape into a square: full height, centred on a point at 80% across.
    expect(focalCrop({ width: 3000, height: 2000 }, { width: 500, height: 500 }, { x: 0.6, y: 0.3 })).toEqual({ left: 800, top: 0, width: 2000, height: 2000 })
    // Into a wide banner: full width, the point a fifth of the way down.
    expect(focalCrop({ width: 3000, height: 2000 }, { width: 1500, height: 500 }, { x: 0.5, y: 0.2 })).toEqual({ left: 0, top: 0, width: 3000, height: 1000 })
    expect(focalCrop({ width: 3000, height: 2000 }, { width: 1500, height: 500 }, { x: 0.5, y: 0.6 })).toEqual({ left: 0, top: 700, width: 3000, height: 1000 })
  })

  it('pushes the crop back inside at the edges', () => {
    expect(focalCrop({ width: 3000, height: 2000 }, { width: 1, height: 1 }, { x: 0, y: 0 })).toEqual({ left: 0, top: 0, width: 2000, height: 2000 })
    expect(focalCrop({ width: 3000, height: 2000 }, { width: 1, height: 1 }, { x: 1, y: 1 })).toEqual({ left: 1000, top: 0, width: 2000, height: 2000 })
    expect(focalCrop({ width: 2000, height: 3000 }, { width: 1, height: 1 }, { x: 0.5, y: 0.95 })).toEqual({ left: 0, top: 1000, width: 2000, height: 2000 })
  })

  it('crops around the centre without a focal point, and not at all when the shapes match', () => {
    expect(focalCrop({ width: 3000, height: 2000 }, { width: 100, height: 100 })).toEqual({ left: 500, top: 0, width: 2000, height: 2000 })
    expect(focalCrop({ width: 1600, height: 900 }, { width: 16, height: 9 }, { x: 0.1, y: 0.9 })).toEqual({ left: 0, top: 0, width: 1600, height: 900 })
  })

  it('refuses sizes that are not whole positive pixels and focal points off the image', () => {
    expect(() => focalCrop({ width: 0, height: 10 }, { width: 1, height: 1 })).toThrow(RangeError)
    expect(() => focalCrop({ width: 10, height: 10 }, { width: 1.5, height: 1 })).toThrow(RangeError)
    expect(() => focalCrop({ width: 10, height: 10 }, { width: 1, height: 1 }, { x: 1.2, y: 0.5 })).toThrow(/on the image/)
    expect(() => focalCrop({ width: 10, height: 10 }, { width: 1, height: 1 }, { x: Number.NaN, y: 0.5 })).toThrow()
  })

  it('for any image, box and focal point: the crop stays inside the image, keeps the point, has the box’s shape and is centred when it can be', () => {
    fc.assert(
      fc.property(size(20_000), size(4_000), focal, (image, box, point) => {
        const crop = focalCrop(image, box, point)
        expect(inside(crop, image)).toBe(true)
        const focalPixel = { x: point.x * image.width, y: point.y * image.height }
        expect(contains(crop, focalPixel)).toBe(true)
        // The largest such crop: one side is the image's whole side.
        expect(crop.width === image.width || crop.height === image.height).toBe(true)
        // Its shape is the box's, to within the rounding of one side (and at least a pixel, at most the image).
        const within = (side: number, ideal: number, extent: number) => Math.abs(side - Math.min(extent, Math.max(1, ideal))) <= 0.5 + 1e-9
        if (crop.width === image.width) expect(within(crop.height, (image.width * box.height) / box.width, image.height)).toBe(true)
        else expect(within(crop.width, (image.height * box.width) / box.height, image.width)).toBe(true)
        // Centred on the point unless an edge is in the way.
        const centre = { x: crop.left + crop.width / 2, y: crop.top + crop.height / 2 }
        if (crop.left > 0 && crop.left + crop.width < image.width) expect(Math.abs(centre.x - focalPixel.x)).toBeLessThanOrEqual(0.5)
        if (crop.top > 0 && crop.top + crop.height < image.height) expect(Math.abs(centre.y - focalPixel.y)).toBeLessThanOrEqual(0.5)
        // When an edge is in the way, the crop touches it.
        if (Math.abs(centre.x - focalPixel.x) > 0.5) expect(crop.left === 0 || crop.left + crop.width === image.width).toBe(true)
        if (Math.abs(centre.y - focalPixel.y) > 0.5) expect(crop.top === 0 || crop.top + crop.height === image.height).toBe(true)
      }),
      { numRuns: 5_000 },
    )
  })
})

describe('coverGeometry', () => {
  it('scales the crop to the box, never up', () => {
    expect(coverGeometry({ width: 3000, height: 2000 }, { width: 600, height: 600 }, { x: 0.6, y: 0.5 })).toEqual({
      crop: { left: 800, top: 0, width: 2000, height: 2000 },
      output: { width: 600, height: 600 },
    })
    // A 300 × 200 image into 600 × 600: the square crop, at its own size.
    expect(coverGeometry({ width: 300, height: 200 }, { width: 600, height: 600 }, CENTRE)).toEqual({
      crop: { left: 50, top: 0, width: 200, height: 200 },
      output: { width: 200, height: 200 },
    })
  })

  it('for any image and box: the output fits the box and is never larger than the crop', () => {
    fc.assert(
      fc.property(size(20_000), size(4_000), focal, (image, box, point) => {
        const { crop, output } = coverGeometry(image, box, point)
        expect(inside(crop, image)).toBe(true)
        expect(output.width).toBeGreaterThanOrEqual(1)
        expect(output.height).toBeGreaterThanOrEqual(1)
        expect(output.width).toBeLessThanOrEqual(Math.min(box.width, crop.width))
        expect(output.height).toBeLessThanOrEqual(Math.min(box.height, crop.height))
        // A crop at least as large as the box fills it exactly.
        if (crop.width >= box.width && crop.height >= box.height) expect(output).toEqual(box)
      }),
      { numRuns: 3_000 },
    )
  })
})

describe('the focal point’s forms', () => {
  it('reads percentages from the form as fractions, and refuses what is off the image or not a number', () => {
    expect(FocalPointPercentSchema.parse({ x: '25', y: '75.5' })).toEqual({ x: 0.25, y: 0.755 })
    expect(FocalPointPercentSchema.parse({ x: '0', y: '100' })).toEqual({ x: 0, y: 1 })
    expect(FocalPointPercentSchema.parse({ x: '33.333333', y: '1' })).toEqual({ x: 0.3333, y: 0.01 })
    for (const bad of [{ x: '-1', y: '5' }, { x: '5', y: '100.1' }, { x: 'left', y: '5' }, { x: '5' }, { x: 'Infinity', y: '5' }, { x: '', y: '5' }, { x: '5', y: '  ' }]) {
      const parsed = FocalPointPercentSchema.safeParse(bad)
      expect(parsed.success).toBe(false)
      expect(parsed.error?.issues[0]?.message).toMatch(/percentage from 0 to 100/)
    }
  })

  it('reads stored columns only when both are set and on the image', () => {
    expect(focalPointOf(0.2, 0.7)).toEqual({ x: 0.2, y: 0.7 })
    expect(focalPointOf(null, 0.7)).toBeNull()
    expect(focalPointOf(0.2, undefined)).toBeNull()
    expect(focalPointOf(1.5, 0.5)).toBeNull()
  })

  it('gives CSS object-position', () => {
    expect(objectPosition({ x: 0.25, y: 0.755 } satisfies FocalPoint)).toBe('25% 75.5%')
    expect(objectPosition(null)).toBe('50% 50%')
  })
})
