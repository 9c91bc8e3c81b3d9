import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MIN_REGION_SIDE,
  REGION_PRECISION,
  centredRegion,
  checkCommentRegion,
  describeRegion,
  moveRegion,
  readCommentRegion,
  regionFromCorners,
  resizeRegion,
  type CommentRegion,
} from '~/domain/comment-region'

/** What every region the app stores or shows must satisfy. */
function expectInsideImage(region: CommentRegion): void {
  for (const value of [region.x, region.y, region.w, region.h]) {
    expect(value).toBeGreaterThanOrEqual(0)
    expect(value).toBeLessThanOrEqual(1)
  }
  expect(region.w).toBeGreaterThan(0)
  expect(region.h).toBeGreaterThan(0)
  // On the integer grid the bound is exact; in floats it may be off by one ulp.
  expect(Math.round(region.x * REGION_PRECISION) + Math.round(region.w * REGION_PRECISION)).toBeLessThanOrEqual(REGION_PRECISION)
  expect(Math.round(region.y * REGION_PRECISION) + Math.round(region.h * REGION_PRECISION)).toBeLessThanOrEqual(REGION_PRECISION)
  expect(region.x + region.w).toBeLessThanOrEqual(1 + 1e-12)
  expect(region.y + region.h).toBeLessThanOrEqual(1 + 1e-12)
}

const fraction = fc.double({ min: 0, max: 1, noNaN: true })

/** A region inside the image with sides of at least a thousandth (it survives rounding). */
const validRegion = fc
  .record({ x: fraction, y: fraction, w: fraction, h: fraction })
  .map(({ x, y, w, h }) => {
    const rx = x * 0.999
    const ry = y * 0.999
    return { x: rx, y: ry, w: 0.001 + w * (1 - rx - 0.001), h: 0.001 + h * (1 - ry - 0.001) }
  })

describe('checkCommentRegion', () => {
  it('accepts a region inside the image and rounds it to the stored precision', () => {
    expect(checkCommentRegion({ x: 0.123456, y: 0.5, w: 0.25, h: 0.4999999 })).toEqual({
      ok: true,
      region: { x: 0.1235, y: 0.5, w: 0.25, h: 0.5 },
    })
  })

  it('accepts the whole image', () => {
    expect(checkCommentRegion({ x: 0, y: 0, w: 1, h: 1 })).toEqual({ ok: true, region: { x: 0, y: 0, w: 1, h: 1 } })
  })

  it('tolerates float noise at the edge and pulls the side back inside', () => {
    const checked = checkCommentRegion({ x: 0.7, y: 0.1, w: 0.30000000000000004, h: 0.2 })
    expect(checked).toEqual({ ok: true, region: { x: 0.7, y: 0.1, w: 0.3, h: 0.2 } })
  })

  it.each([
    ['not an object', 'region'],
    ['null', null],
    ['an array', [0, 0, 1, 1]],
    ['a missing field', { x: 0, y: 0, w: 1 }],
    ['a string field', { x: '0.1', y: 0, w: 0.5, h: 0.5 }],
    ['NaN', { x: Number.NaN, y: 0, w: 0.5, h: 0.5 }],
    ['Infinity', { x: 0, y: 0, w: Number.POSITIVE_INFINITY, h: 0.5 }],
    ['a negative x', { x: -0.1, y: 0, w: 0.5, h: 0.5 }],
    ['a side above 1', { x: 0, y: 0, w: 1.5, h: 0.5 }],
    ['zero width', { x: 0.2, y: 0.2, w: 0, h: 0.5 }],
    ['zero height', { x: 0.2, y: 0.2, w: 0.5, h: 0 }],
    ['x + w past the right edge', { x: 0.6, y: 0, w: 0.5, h: 0.5 }],
    ['y + h past the bottom edge', { x: 0, y: 0.9, w: 0.5, h: 0.2 }],
    ['a side that rounds to nothing', { x: 0.5, y: 0.5, w: 0.00001, h: 0.5 }],
  ])('refuses %s', (_label, value) => {
    const checked = checkCommentRegion(value)
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.message).toMatch(/region/i)
  })

  it('property: anything at all is either refused or normalised inside the image, never thrown', () => {
    const anything = fc.oneof(
      fc.record({ x: fc.double(), y: fc.double(), w: fc.double(), h: fc.double() }),
      fc.record({ x: fraction, y: fraction, w: fraction, h: fraction }),
      fc.anything(),
    )
    fc.assert(
      fc.property(anything, (value) => {
        const checked = checkCommentRegion(value)
        if (checked.ok) expectInsideImage(checked.region)
      }),
      { numRuns: 2000 },
    )
  })

  it('property: a region inside the image is accepted, moved by at most half a step, and normalising is idempotent', () => {
    fc.assert(
      fc.property(validRegion, (region) => {
        const checked = checkCommentRegion(region)
        expect(checked.ok).toBe(true)
        if (!checked.ok) return
        expectInsideImage(checked.region)
        const step = 1 / REGION_PRECISION
        expect(Math.abs(checked.region.x - region.x)).toBeLessThanOrEqual(step / 2 + 1e-12)
        expect(Math.abs(checked.region.y - region.y)).toBeLessThanOrEqual(step / 2 + 1e-12)
        // A side pulled back at the edge may move by one step more.
        expect(Math.abs(checked.region.w - region.w)).toBeLessThanOrEqual(step * 1.5 + 1e-12)
        expect(Math.abs(checked.region.h - region.h)).toBeLessThanOrEqual(step * 1.5 + 1e-12)
        expect(checkCommentRegion(checked.region)).toEqual(checked)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('readCommentRegion', () => {
  it('reads a stored region and ignores what is not one', () => {
    expect(readCommentRegion({ x: 0.1, y: 0.1, w: 0.2, h: 0.2 })).toEqual({ x: 0.1, y: 0.1, w: 0.2, h: 0.2 })
    expect(readCommentRegion(null)).toBeNull()
    expect(readCommentRegion({ x: 2 })).toBeNull()
  })
})

describe('drawing and moving regions', () => {
  it('spans two corners given in any order, clamped to the image', () => {
    expect(regionFromCorners({ x: 0.8, y: 0.6 }, { x: 0.2, y: 0.1 })).toEqual({ x: 0.2, y: 0.1, w: 0.6000000000000001, h: 0.5 })
    expect(regionFromCorners({ x: -0.5, y: 0.5 }, { x: 1.5, y: 2 })).toEqual({ x: 0, y: 0.5, w: 1, h: 0.5 })
  })

  it('treats a click (no drag) as no region', () => {
    expect(regionFromCorners({ x: 0.5, y: 0.5 }, { x: 0.5, y: 0.5 })).toBeNull()
    expect(regionFromCorners({ x: 0.5, y: 0.5 }, { x: 0.9, y: 0.505 })).toBeNull()
  })

  it('starts "Mark a region" in the centre', () => {
    expect(centredRegion(0.3)).toEqual({ x: 0.35, y: 0.35, w: 0.3, h: 0.3 })
  })

  it('stops moving at the edges and keeps the size', () => {
    const region = { x: 0.1, y: 0.8, w: 0.2, h: 0.15 }
    expect(moveRegion(region, -0.5, 0.5)).toEqual({ x: 0, y: 0.85, w: 0.2, h: 0.15 })
  })

  it('resizes from the top-left corner, within the image and never below the minimum', () => {
    const region = { x: 0.7, y: 0.1, w: 0.2, h: 0.2 }
    expect(resizeRegion(region, 0.5, -0.5)).toEqual({ x: 0.7, y: 0.1, w: 0.30000000000000004, h: MIN_REGION_SIDE })
  })

  it('property: drawn, moved and resized regions always pass the check', () => {
    const point = fc.record({ x: fc.double({ min: -1, max: 2, noNaN: true }), y: fc.double({ min: -1, max: 2, noNaN: true }) })
    const step = fc.double({ min: -1, max: 1, noNaN: true })
    fc.assert(
      fc.property(point, point, step, step, step, step, (a, b, dx, dy, dw, dh) => {
        const drawn = regionFromCorners(a, b)
        if (!drawn) return
        for (const region of [drawn, moveRegion(drawn, dx, dy), resizeRegion(drawn, dw, dh), resizeRegion(moveRegion(drawn, dx, dy), dw, dh)]) {
          expect(region.w).toBeGreaterThanOrEqual(MIN_REGION_SIDE - 1e-12)
          expect(region.h).toBeGreaterThanOrEqual(MIN_REGION_SIDE - 1e-12)
          const checked = checkCommentRegion(region)
          expect(checked.ok).toBe(true)
        }
        const moved = moveRegion(drawn, dx, dy)
        expect(moved.w).toBe(drawn.w)
        expect(moved.h).toBe(drawn.h)
      }),
      { numRuns: 2000 },
    )
  })

  it('describes a region in words', () => {
    expect(describeRegion({ x: 0.35, y: 0.2, w: 0.3, h: 0.25 })).toBe('35 % from the left, 20 % from the top, 30 % wide, 25 % high')
  })
})
