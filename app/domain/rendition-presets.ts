/**
 * Which rendition a preset produces: its box, format and quality, and the exact
 * output size for a given source. The one implementation, used by the media module
 * (which asks sharp for exactly this size) and by anything that needs to know a
 * rendition's size without decoding an image.
 */

export type RenditionPresetName = 'thumbnail' | 'preview' | 'web'

/** The box every preset shares: the output fits inside it; smaller sources are never enlarged. */
type PresetBox = {
  name: RenditionPresetName
  maxWidth: number
  maxHeight: number
  quality: number
}

export type WebpRenditionPreset = PresetBox & {
  format: 'webp'
  mediaType: 'image/webp'
  extension: 'webp'
}

export type JpegRenditionPreset = PresetBox & {
  format: 'jpeg'
  mediaType: 'image/jpeg'
  extension: 'jpg'
  /** Progressive scans: a large image embedded on a page shows whole and sharpens as it loads. */
  progressive: boolean
  /** mozjpeg's trellis quantisation and scan search: smaller files for several times the encode time. */
  mozjpeg: boolean
}

export type RenditionPreset = WebpRenditionPreset | JpegRenditionPreset

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
  // What partners embed in their own pages, mails and CMSs: JPEG because everything
  // they publish with reads it (WebP is still not accepted everywhere), 2048 px to
  // cover a full-width image on a high-density screen, quality 82 as is usual for
  // photos on the web. Progressive, because such a file is mostly seen loading on a
  // page: it shows whole at once and sharpens. mozjpeg off: its trellis quantisation
  // makes smaller files but took three to four times as long to encode a 2048 px
  // rendition here (about 90 ms against 25 ms), and every upload pays for this one.
  web: {
    name: 'web',
    maxWidth: 2048,
    maxHeight: 2048,
    format: 'jpeg',
    mediaType: 'image/jpeg',
    extension: 'jpg',
    quality: 82,
    progressive: true,
    mozjpeg: false,
  },
}

/** The renditions every ingested image gets. */
export const INGEST_RENDITION_PRESETS: readonly RenditionPresetName[] = ['thumbnail', 'preview', 'web']

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
export function renditionSize(preset: Pick<RenditionPreset, 'maxWidth' | 'maxHeight'>, size: Size, orientation?: number): Size {
  return fitInside(orientedSize(size, orientation), preset)
}

function assertPositiveSize(size: Size): void {
  const ok = Number.isInteger(size.width) && Number.isInteger(size.height) && size.width >= 1 && size.height >= 1
  if (!ok) throw new RangeError(`Invalid image size ${size.width} × ${size.height}`)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

// ───────────────────────────── renditions that are not a picture at a preset size

/**
 * The short preview clip of a video: the first 10 s, at most 480 px wide, H.264/AAC MP4
 * with its index first (+faststart) so the player starts before it has loaded. Low
 * resolution on purpose: it is for recognising the footage, the original is for use.
 */
export const CLIP_RENDITION = { name: 'clip', mediaType: 'video/mp4', extension: 'mp4', maxWidth: 480, maxSeconds: 10 } as const

/** What the audio player plays: AAC at 128 kb/s in M4A, which every browser plays (FLAC, WAV and Ogg are not everywhere). */
export const AUDIO_RENDITION = { name: 'audio', mediaType: 'audio/mp4', extension: 'm4a' } as const

/**
 * Pages of a PDF for the page viewer, made at ingest (see workers/activities/ingest.ts):
 * the first 30 pages, WebP inside 1600 × 1600 like the preview.
 */
export const PAGE_RENDITION = { mediaType: 'image/webp', extension: 'webp', maxSide: 1600, quality: 85, maxPages: 30 } as const

/** The waveform an audio file is shown by (thumbnail and preview are made from it). */
export const WAVEFORM = { width: 1600, height: 400, colour: '#264653' } as const

export type PageRenditionName = `page-${number}`
export type MediaRenditionName = typeof CLIP_RENDITION.name | typeof AUDIO_RENDITION.name | PageRenditionName

/** "page-3" for page 3 (1-based). */
export function pageRenditionName(page: number): PageRenditionName {
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`Invalid page ${page}`)
  return `page-${page}`
}

/** The page a "page-N" name stands for, or null. */
export function pageOfRendition(name: string): number | null {
  const match = /^page-([1-9]\d{0,4})$/.exec(name)
  return match?.[1] ? Number(match[1]) : null
}

/** Names the rendition route serves: the built-in presets, the clip, the listening copy and PDF pages. */
export function isServedRenditionName(value: string): value is RenditionPresetName | MediaRenditionName {
  return isRenditionPresetName(value) || value === CLIP_RENDITION.name || value === AUDIO_RENDITION.name || pageOfRendition(value) !== null
}
