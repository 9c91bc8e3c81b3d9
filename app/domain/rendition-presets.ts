/**
 * Which rendition a preset produces: its box, format and quality, and the exact
 * output size for a given source. The one implementation, used by the media module
 * (which asks sharp for exactly this size) and by anything that needs to know a
 * rendition's size without decoding an image.
 */

export type RenditionPresetName = 'thumbnail' | 'preview'

export type RenditionPreset = {
  name: RenditionPresetName
  /** The output fits inside this box; smaller sources are never enlarged. */
  maxWidth: number
  maxHeight: number
  format: 'webp'
  mediaType: 'image/webp'
  extension: 'webp'
  quality: number
}

export const RENDITION_PRESETS: Readonly<Record<RenditionPresetName, RenditionPreset>> = {
  thumbnail: {
    name: 'thumbnail',
    maxWidth: 400,
    maxHeight: 400,
    format: 'webp',
    mediaType: 'image/webp',
    extension: 'webp',
    quality: 80,
  },
  preview: {
    name: 'preview',
    maxWidth: 1600,
    maxHeight: 1600,
    format: 'webp',
    mediaType: 'image/webp',
    extension: 'webp',
    quality: 85,
  },
}

/** The renditions every ingested image gets, in the order they are made. */
export const INGEST_RENDITION_PRESETS: readonly RenditionPresetName[] = ['thumbnail', 'preview']

export function isRenditionPresetName(value: string): value is RenditionPresetName {
  return Object.hasOwn(RENDITION_PRESETS, value)
}

export type Size = { width: number; height: number }

/**
 * The size an image shows at once its EXIF orientation is applied: orientations
 * 5–8 are rotated a quarter turn, so width and height swap.
 */
export function orientedSize(size: Size, orientation: number | undefined): Size {
  return orientation !== undefined && orientation >= 5 && orientation <= 8
    ? { width: size.height, height: size.width }
    : { width: size.width, height: size.height }
}

/**
 * Scales `source` to fit inside `box`, keeping the aspect ratio, never enlarging.
 * Each side is rounded to the nearest pixel and is at least 1.
 */
export function fitInside(source: Size, box: { maxWidth: number; maxHeight: number }): Size {
  assertPositiveSize(source)
  if (!(box.maxWidth >= 1 && box.maxHeight >= 1)) throw new RangeError('The box must be at least 1 × 1')
  const scale = Math.min(1, box.maxWidth / source.width, box.maxHeight / source.height)
  if (scale === 1) return { width: source.width, height: source.height }
  return {
    width: clamp(Math.round(source.width * scale), 1, box.maxWidth),
    height: clamp(Math.round(source.height * scale), 1, box.maxHeight),
  }
}

/** The output size of `preset` for a source of `size` shown with `orientation`. */
export function renditionSize(preset: RenditionPreset, size: Size, orientation?: number): Size {
  return fitInside(orientedSize(size, orientation), preset)
}

function assertPositiveSize(size: Size): void {
  const ok = Number.isInteger(size.width) && Number.isInteger(size.height) && size.width >= 1 && size.height >= 1
  if (!ok) throw new RangeError(`Invalid image size ${size.width} × ${size.height}`)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
