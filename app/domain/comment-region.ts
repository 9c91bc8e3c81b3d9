/**
 * A review comment's anchor on an image: a rectangle given as fractions of the
 * image's width and height ({ x, y, w, h }, origin top left), so it stays on the
 * same spot whatever size the image is shown at. The one implementation of what a
 * valid region is: the page that draws regions and the server that stores them
 * both use it.
 */

export type CommentRegion = { x: number; y: number; w: number; h: number }

/** Longest review comment, in characters (the form and the server enforce the same). */
export const MAX_REVIEW_COMMENT_LENGTH = 5000

export type RegionPoint = { x: number; y: number }

/** Stored precision: a ten-thousandth of a side is below a pixel of any preview we make. */
export const REGION_PRECISION = 10_000
/** Smallest side, as a fraction, of a region drawn or resized on the page (a click is not a region). */
export const MIN_REGION_SIDE = 0.01
/** Float noise tolerated in x + w ≤ 1 before a region counts as reaching outside the image. */
const EPSILON = 1e-9

export type RegionCheck = { ok: true; region: CommentRegion } | { ok: false; message: string }

const KEYS = ['x', 'y', 'w', 'h'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Checks a region from outside (a form, stored JSON) and returns it normalised:
 * rounded to REGION_PRECISION, with x + w and y + h never above 1. Refuses
 * anything that is not four finite numbers within [0, 1], with a width and height
 * above 0, and that does not lie inside the image.
 */
export function checkCommentRegion(value: unknown): RegionCheck {
  if (!isRecord(value)) return { ok: false, message: 'The region must have x, y, w and h.' }
  const numbers: number[] = []
  for (const key of KEYS) {
    const field = value[key]
    if (typeof field !== 'number' || !Number.isFinite(field)) {
      return { ok: false, message: 'The region must have x, y, w and h as numbers.' }
    }
    numbers.push(field)
  }
  const [x = NaN, y = NaN, w = NaN, h = NaN] = numbers
  if (numbers.some((number) => number < 0 || number > 1)) {
    return { ok: false, message: 'The region must lie within the image (fractions from 0 to 1).' }
  }
  if (w <= 0 || h <= 0) return { ok: false, message: 'The region must have a width and a height.' }
  if (x + w > 1 + EPSILON || y + h > 1 + EPSILON) {
    return { ok: false, message: 'The region must lie within the image.' }
  }

  // Round on an integer grid so the bound holds exactly: xi + wi ≤ PRECISION.
  const xi = Math.round(x * REGION_PRECISION)
  const yi = Math.round(y * REGION_PRECISION)
  const wi = Math.min(Math.round(w * REGION_PRECISION), REGION_PRECISION - xi)
  const hi = Math.min(Math.round(h * REGION_PRECISION), REGION_PRECISION - yi)
  if (wi <= 0 || hi <= 0) return { ok: false, message: 'The region is too small.' }
  return {
    ok: true,
    region: { x: xi / REGION_PRECISION, y: yi / REGION_PRECISION, w: wi / REGION_PRECISION, h: hi / REGION_PRECISION },
  }
}

/** A stored region, or null when the JSON is not one (stored JSON is never trusted blindly). */
export function readCommentRegion(json: unknown): CommentRegion | null {
  if (json === null || json === undefined) return null
  const checked = checkCommentRegion(json)
  return checked.ok ? checked.region : null
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0
}

/**
 * The rectangle spanned by two corners of a drag (in any order; points outside the
 * image are pulled onto its edge), or null when it is thinner than MIN_REGION_SIDE.
 */
export function regionFromCorners(a: RegionPoint, b: RegionPoint): CommentRegion | null {
  const left = Math.min(clamp01(a.x), clamp01(b.x))
  const right = Math.max(clamp01(a.x), clamp01(b.x))
  const top = Math.min(clamp01(a.y), clamp01(b.y))
  const bottom = Math.max(clamp01(a.y), clamp01(b.y))
  if (right - left < MIN_REGION_SIDE || bottom - top < MIN_REGION_SIDE) return null
  return { x: left, y: top, w: right - left, h: bottom - top }
}

/** A square-ish region in the middle of the image: where "Mark a region" starts from. */
export function centredRegion(side = 0.3): CommentRegion {
  const size = Math.min(1, Math.max(MIN_REGION_SIDE, side))
  return { x: (1 - size) / 2, y: (1 - size) / 2, w: size, h: size }
}

/** Moves a region by (dx, dy), stopping at the image's edges; its size never changes. */
export function moveRegion(region: CommentRegion, dx: number, dy: number): CommentRegion {
  const w = Math.min(1, Math.max(MIN_REGION_SIDE, region.w))
  const h = Math.min(1, Math.max(MIN_REGION_SIDE, region.h))
  return {
    x: Math.min(1 - w, Math.max(0, region.x + dx)),
    y: Math.min(1 - h, Math.max(0, region.y + dy)),
    w,
    h,
  }
}

/**
 * Grows or shrinks a region from its top-left corner by (dw, dh), never below
 * MIN_REGION_SIDE and never past the right or bottom edge.
 */
export function resizeRegion(region: CommentRegion, dw: number, dh: number): CommentRegion {
  const x = Math.min(1 - MIN_REGION_SIDE, Math.max(0, region.x))
  const y = Math.min(1 - MIN_REGION_SIDE, Math.max(0, region.y))
  return {
    x,
    y,
    w: Math.min(1 - x, Math.max(MIN_REGION_SIDE, region.w + dw)),
    h: Math.min(1 - y, Math.max(MIN_REGION_SIDE, region.h + dh)),
  }
}

/** "35 % from the left, 20 % from the top, 30 % × 25 %": for screen readers and the form. */
export function describeRegion(region: CommentRegion): string {
  const pct = (value: number) => `${Math.round(value * 100)} %`
  return `${pct(region.x)} from the left, ${pct(region.y)} from the top, ${pct(region.w)} wide, ${pct(region.h)} high`
}
