/**
 * Crops that keep the focal point: the one geometry every cropping preset uses (channel
 * deliveries and admin presets through ~/distribution/channel-rendition.server, and
 * CSS object-position for cropped thumbnails). Pure, so the renderer and the tests
 * agree on exactly which pixels a crop keeps.
 *
 * A focal point is a pair of fractions (0–1) of the image as people see it (EXIF
 * orientation applied): { x: 0, y: 0 } is the top-left corner, { x: 0.5, y: 0.5 } the
 * centre. The crop is the largest rectangle of the box's aspect ratio inside the image,
 * centred on the focal point where the edges allow, pushed inwards where they do not.
 */
import { z } from 'zod'

export type Size = { width: number; height: number }
export type FocalPoint = { x: number; y: number }
/** Whole pixels, in the coordinates of the image as people see it. */
export type CropRect = { left: number; top: number; width: number; height: number }

/** The centre: where a crop goes when nobody set a focal point. */
export const CENTRE: FocalPoint = { x: 0.5, y: 0.5 }

const Fraction = z.number().finite().min(0, 'The focal point must lie on the image').max(1, 'The focal point must lie on the image')
export const FocalPointSchema = z.object({ x: Fraction, y: Fraction })

/**
 * The focal point form's fields: percentages of the width and height (0–100, decimals
 * allowed), as typed without JavaScript or written by the click picker.
 */
const PercentMessage = (axis: 'across' | 'down') => `Enter the ${axis} position as a percentage from 0 to 100`
/** A typed percentage: blank is refused rather than read as 0. */
const percentOf = (axis: 'across' | 'down') =>
  z.preprocess(
    (value) => (typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : Number.NaN),
    z.number({ error: PercentMessage(axis) }).finite(PercentMessage(axis)).min(0, PercentMessage(axis)).max(100, PercentMessage(axis)),
  )
export const FocalPointPercentSchema = z
  .object({ x: percentOf('across'), y: percentOf('down') })
  .transform(({ x, y }): FocalPoint => ({ x: roundFraction(x / 100), y: roundFraction(y / 100) }))

/** Four decimals (a hundredth of a percent) is finer than any screen click; it keeps stored values and cache keys tidy. */
function roundFraction(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

/** Stored columns (focalX, focalY) as a focal point; null unless both are set and valid. */
export function focalPointOf(x: number | null | undefined, y: number | null | undefined): FocalPoint | null {
  if (x === null || x === undefined || y === null || y === undefined) return null
  const parsed = FocalPointSchema.safeParse({ x, y })
  return parsed.success ? parsed.data : null
}

/**
 * The largest crop of `aspect`'s proportions inside `source`, centred on `focal` as far
 * as the image's edges allow. Every side is at least 1 pixel; the crop never leaves the
 * image and always contains the focal point.
 */
export function focalCrop(source: Size, aspect: Size, focal: FocalPoint = CENTRE): CropRect {
  assertPositiveSize(source, 'image')
  assertPositiveSize(aspect, 'box')
  const point = FocalPointSchema.parse(focal)
  const wider = source.width * aspect.height > aspect.width * source.height
  const width = wider ? clamp(Math.round((source.height * aspect.width) / aspect.height), 1, source.width) : source.width
  const height = wider ? source.height : clamp(Math.round((source.width * aspect.height) / aspect.width), 1, source.height)
  return {
    left: place(point.x * source.width, width, source.width),
    top: place(point.y * source.height, height, source.height),
    width,
    height,
  }
}

/**
 * What a `cover` fit into `box` makes of `source`: the focal crop, and the size it is
 * scaled to. Never enlarged: a crop smaller than the box is delivered at its own size.
 */
export function coverGeometry(source: Size, box: Size, focal: FocalPoint = CENTRE): { crop: CropRect; output: Size } {
  const crop = focalCrop(source, box, focal)
  // A crop covering the box fills it exactly (its shape is the box's to within a pixel of rounding).
  if (crop.width >= box.width && crop.height >= box.height) return { crop, output: { width: box.width, height: box.height } }
  const scale = Math.min(1, box.width / crop.width, box.height / crop.height)
  const output = { width: clamp(Math.round(crop.width * scale), 1, box.width), height: clamp(Math.round(crop.height * scale), 1, box.height) }
  return { crop, output }
}

/** The focal point as a CSS object-position, for thumbnails shown cropped by `object-fit: cover`. */
export function objectPosition(focal: FocalPoint | null): string {
  const point = focal ?? CENTRE
  return `${+(point.x * 100).toFixed(2)}% ${+(point.y * 100).toFixed(2)}%`
}

/** The start of a span of `length` centred on `centre`, kept within 0…`extent`. */
function place(centre: number, length: number, extent: number): number {
  return clamp(Math.round(centre - length / 2), 0, extent - length)
}

function assertPositiveSize(size: Size, what: string): void {
  const ok = Number.isInteger(size.width) && Number.isInteger(size.height) && size.width >= 1 && size.height >= 1
  if (!ok) throw new RangeError(`Invalid ${what} size ${size.width} × ${size.height}`)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
