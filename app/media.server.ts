/**
 * sharp (libvips) behind one small module: sniffing, inspecting and rendering
 * images. Every decode passes a pixel limit (decompression bombs) and fails on
 * corrupt or truncated data instead of rendering garbage. Inputs are a buffer or
 * the path of a private temp file (the ingest activities stream large originals
 * to disk rather than hold them in memory).
 */
import { fileTypeFromBuffer } from 'file-type'
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp'
import { looksLikeSvg } from '~/media/svg.server'
import {
  RENDITION_PRESETS,
  orientedSize,
  renditionSize,
  type RenditionPreset,
  type RenditionPresetName,
} from '~/domain/rendition-presets'

/** How many leading bytes `sniffMediaType` needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100

export type MediaErrorCode = 'corrupt' | 'too_many_pixels' | 'unsupported_type' | 'encrypted' | 'unsafe'

/** A problem with the file itself: retrying will not help; the message is for the uploader. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'MediaError'
  }
}

export function isMediaError(error: unknown): error is MediaError {
  return error instanceof MediaError
}

export type SniffedType = { mime: string; ext: string }

/**
 * The type the bytes say they are (never the client's word); null when unrecognised.
 * file-type knows binary formats only, so SVG (text) is recognised here by its root element.
 */
export async function sniffMediaType(firstBytes: Uint8Array): Promise<SniffedType | null> {
  const head = firstBytes.subarray(0, SNIFF_BYTES)
  const result = await fileTypeFromBuffer(head)
  if ((!result || result.mime === 'application/xml') && looksLikeSvg(head)) return { mime: 'image/svg+xml', ext: 'svg' }
  return result ? { mime: result.mime, ext: result.ext } : null
}

/** Whether the first bytes are text (UTF-8 without control characters other than white space), for refusal messages. */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.byteLength === 0) return false
  let text: string
  try {
    // A multi-byte character may be cut at the end of the head: drop up to three bytes.
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head.subarray(0, SNIFF_BYTES)))
  } catch {
    return false
  }
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text)
}

function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  let end = bytes.byteLength
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back] ?? 0
    if ((byte & 0xc0) === 0xc0) return bytes.subarray(0, end - back) // a lead byte whose sequence was cut
    if ((byte & 0x80) === 0) break
  }
  return bytes.subarray(0, end)
}

/** An image to read: its bytes, or the path of a (private, temporary) file holding them. */
export type ImageInput = Buffer | string

const SUPPORTED_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/tiff',
  'image/avif',
])

/** Raster formats this slice inspects and renders. SVG is not rasterised (yet). */
export function isSupportedImage(mime: string): boolean {
  return SUPPORTED_IMAGE_TYPES.has(mime)
}

export type ImageInfo = {
  width: number
  height: number
  /** Frames of an animated GIF or WebP (1 for a still image). */
  frames: number
  /** Width and height once the EXIF orientation is applied (as people see it). */
  displayWidth: number
  displayHeight: number
  format: string
  metadata: ImageMetadata
}

/** Technical metadata worth keeping on the version (JSON-safe: no undefined values). */
export type ImageMetadata = {
  format: string
  width: number
  height: number
  space?: string
  channels?: number
  depth?: string
  density?: number
  hasAlpha?: boolean
  isProgressive?: boolean
  orientation?: number
  pages?: number
  /** Frames of an animation (GIF, WebP), when there is more than one. */
  frames?: number
  /** Frames kept in the animated thumbnail and preview (fewer than `frames` when capped). */
  framesInPreview?: number
  /** Up to five colours that cover most of the picture, most covered first, as #rrggbb. */
  dominantColours?: string[]
  hasExif: boolean
  hasIcc: boolean
  hasXmp: boolean
  hasIptc: boolean
}

export type InspectOptions = { maxPixels: number }

/** Most frames an animated thumbnail or preview keeps (about 10 s at 30 fps); the rest is cut. */
export const MAX_ANIMATION_FRAMES = 300

/**
 * Reads the header, enforces the pixel limit, then decodes the image once (shrunk
 * on load where the format allows) so truncated or corrupt data is caught here
 * rather than in a rendition. The small decoded copy also gives the dominant colours.
 */
export async function inspectImage(input: ImageInput, { maxPixels }: InspectOptions): Promise<ImageInfo> {
  const header = await readHeader(input, maxPixels)
  const { width, height } = header

  let dominantColours: string[]
  try {
    // A full decode at low resolution: libvips reads every byte, so truncation shows.
    const small = await sharp(input, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true })
      .resize({ width: 64, height: 64, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true })
    dominantColours = dominantColoursOf(small.data, small.info.channels)
  } catch (error) {
    throw toMediaError(error, { width, height, maxPixels })
  }

  const display = orientedSize({ width, height }, header.orientation)
  const frames = header.pages && header.pages > 1 && isAnimatable(header.format) ? header.pages : 1
  const metadata = toImageMetadata(header, width, height)
  if (frames > 1) {
    metadata.frames = frames
    metadata.framesInPreview = animationFrames(width, height, frames, maxPixels)
  }
  if (dominantColours.length > 0) metadata.dominantColours = dominantColours
  return { width, height, frames, displayWidth: display.width, displayHeight: display.height, format: header.format, metadata }
}

function isAnimatable(format: string | undefined): boolean {
  return format === 'gif' || format === 'webp'
}

/** Frames an animated rendition keeps: at most MAX_ANIMATION_FRAMES, and never more pixels in all than the limit. */
export function animationFrames(width: number, height: number, frames: number, maxPixels: number): number {
  return Math.max(1, Math.min(frames, MAX_ANIMATION_FRAMES, Math.floor(maxPixels / Math.max(1, width * height))))
}

/**
 * Up to five colours covering most of the picture: pixels are put in 4096 bins (4 bits
 * a channel), and the fullest bins' mean colours are given, fullest first. Bins under
 * 2 % of the pixels are not colours anyone would name.
 */
export function dominantColoursOf(rgb: Buffer, channels: number, count = 5): string[] {
  const bins = new Map<number, { n: number; r: number; g: number; b: number }>()
  const pixels = Math.floor(rgb.length / channels)
  for (let index = 0; index < pixels; index++) {
    const offset = index * channels
    const r = rgb[offset] ?? 0
    const g = rgb[offset + 1] ?? r
    const b = rgb[offset + 2] ?? r
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4)
    const bin = bins.get(key) ?? { n: 0, r: 0, g: 0, b: 0 }
    bin.n++
    bin.r += r
    bin.g += g
    bin.b += b
    bins.set(key, bin)
  }
  const hex = (value: number) => Math.round(value).toString(16).padStart(2, '0')
  return [...bins.values()]
    .filter((bin) => bin.n >= pixels * 0.02)
    .sort((a, b) => b.n - a.n)
    .slice(0, count)
    .map((bin) => `#${hex(bin.r / bin.n)}${hex(bin.g / bin.n)}${hex(bin.b / bin.n)}`)
}

export type Rendition = {
  preset: RenditionPresetName
  data: Buffer
  width: number
  height: number
  mediaType: RenditionPreset['mediaType']
  extension: RenditionPreset['extension']
}

/** JPEG has no transparency: transparent areas become white, as on the page around them. */
const JPEG_BACKGROUND = { r: 255, g: 255, b: 255 }

/**
 * Renders `preset` from an original: auto-rotated by EXIF, scaled to the size the
 * preset module computes, encoded as the preset says, with metadata stripped
 * (sharp writes none unless asked).
 */
export async function makeRendition(buffer: ImageInput, presetName: RenditionPresetName, options: InspectOptions): Promise<Rendition> {
  const [rendition] = await renderPresets(buffer, [presetName], options)
  if (!rendition) throw new Error(`No ${presetName} rendition was made`)
  return rendition
}

/**
 * Renders several presets from one original, decoding it once: the original is
 * decoded straight to the largest size needed (libvips shrinks JPEG and WebP while
 * decoding, so a 24-megapixel photo is never decoded at full size) and auto-rotated,
 * and every smaller preset is scaled from those pixels. Decoding is most of the work for a
 * large JPEG, so this costs about two thirds of rendering each preset from the
 * original. Each output has exactly the size the preset module computes, is encoded
 * as its preset says, and carries no metadata. Renditions come back in the order of
 * `presetNames`.
 */
export async function renderPresets(
  buffer: ImageInput,
  presetNames: readonly RenditionPresetName[],
  { maxPixels }: InspectOptions,
): Promise<Rendition[]> {
  if (presetNames.length === 0) return []
  try {
    const header = await readHeader(buffer, maxPixels)
    const planned = presetNames.map((name) => {
      const preset = RENDITION_PRESETS[name]
      return { preset, size: renditionSize(preset, { width: header.width, height: header.height }, header.orientation) }
    })
    const largest = planned.reduce((a, b) => (area(b.size) > area(a.size) ? b : a)).size

    const decoded = await sharp(buffer, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .resize({ width: largest.width, height: largest.height, fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const raw = { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels }

    return await Promise.all(
      planned.map(async ({ preset, size }) => {
        let image = sharp(decoded.data, { raw })
        if (size.width !== raw.width || size.height !== raw.height) {
          image = image.resize({ width: size.width, height: size.height, fit: 'fill' })
        }
        const { data, info } = await encode(image, preset).toBuffer({ resolveWithObject: true })
        return { preset: preset.name, data, width: info.width, height: info.height, mediaType: preset.mediaType, extension: preset.extension }
      }),
    )
  } catch (error) {
    throw toMediaError(error)
  }
}

/**
 * Animated thumbnail and preview of an animated GIF or WebP: animated WebP at the
 * preset's size, with at most `animationFrames` frames (the rest is cut, so a long
 * or huge animation cannot exhaust memory), each frame's delay kept. Only WebP
 * presets can be animated; the web preset stays a still JPEG (renderPresets).
 */
export async function renderAnimatedPresets(
  input: ImageInput,
  presetNames: readonly RenditionPresetName[],
  { maxPixels }: InspectOptions,
): Promise<Rendition[]> {
  try {
    const header = await readHeader(input, maxPixels)
    const frameHeight = header.pageHeight ?? header.height
    const frames = animationFrames(header.width, frameHeight, header.pages ?? 1, maxPixels)
    return await Promise.all(
      presetNames.map(async (name) => {
        const preset = RENDITION_PRESETS[name]
        if (preset.format !== 'webp') throw new Error(`The ${name} preset cannot be animated`)
        const size = renditionSize(preset, { width: header.width, height: frameHeight })
        const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'error', pages: frames })
          .resize({ width: size.width, height: size.height, fit: 'fill' })
          .webp({ quality: preset.quality, loop: header.loop ?? 0, ...(header.delay ? { delay: header.delay.slice(0, frames) } : {}) })
          .toBuffer({ resolveWithObject: true })
        return { preset: name, data, width: info.width, height: info.pageHeight ?? size.height, mediaType: preset.mediaType, extension: preset.extension }
      }),
    )
  } catch (error) {
    throw toMediaError(error)
  }
}

/** The longest side an SVG is drawn at before the presets are made from it: the largest preset box. */
const SVG_RASTER_SIDE = 2048

/**
 * Draws a (sanitised) SVG as a PNG whose longer side is 2048 px: vector art is drawn
 * at the size the largest preset needs rather than its nominal size, so a 64 px icon
 * still gets a sharp preview. The density is bounded, and the pixel limit applies to
 * the drawing, so a huge declared size cannot exhaust memory.
 */
export async function rasteriseSvg(input: ImageInput, { maxPixels }: InspectOptions): Promise<{ png: Buffer; width: number; height: number }> {
  try {
    const nominal = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata()
    if (!nominal.width || !nominal.height) throw corrupt()
    const density = Math.min(72 * 64, Math.max(1, (72 * SVG_RASTER_SIDE) / Math.max(nominal.width, nominal.height)))
    const png = await sharp(input, { density, limitInputPixels: maxPixels, failOn: 'error' }).png().toBuffer()
    return { png, width: nominal.width, height: nominal.height }
  } catch (error) {
    throw toMediaError(error)
  }
}

function encode(image: Sharp, preset: RenditionPreset): Sharp {
  switch (preset.format) {
    case 'webp':
      return image.webp({ quality: preset.quality })
    case 'jpeg':
      return image.flatten({ background: JPEG_BACKGROUND }).jpeg({ quality: preset.quality, progressive: preset.progressive, mozjpeg: preset.mozjpeg })
  }
}

function area(size: { width: number; height: number }): number {
  return size.width * size.height
}

export function formatPixelLimitMessage(width: number, height: number, maxPixels: number): string {
  return `The image is ${width} × ${height} pixels; the limit is ${formatMegapixels(maxPixels)} megapixels`
}

function formatMegapixels(pixels: number): string {
  const megapixels = pixels / 1_000_000
  return Number.isInteger(megapixels) ? String(megapixels) : megapixels.toFixed(1)
}

type Header = Metadata & { width: number; height: number }

/**
 * Reads the header only (no pixel decode) under the pixel limit. When sharp refuses
 * the image for its size, the header is read once more without the limit, solely
 * to tell the uploader the dimensions.
 */
async function readHeader(buffer: ImageInput, maxPixels: number, options: SharpOptions = {}): Promise<Header> {
  let header: Metadata
  try {
    header = await sharp(buffer, { ...options, limitInputPixels: maxPixels, failOn: 'error' }).metadata()
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      const unlimited = await sharp(buffer, { ...options, limitInputPixels: false }).metadata().catch(() => undefined)
      if (unlimited?.width && unlimited.height) {
        throw new MediaError('too_many_pixels', formatPixelLimitMessage(unlimited.width, unlimited.height, maxPixels))
      }
    }
    throw toMediaError(error)
  }
  const { width, height } = header
  if (!width || !height) throw corrupt()
  assertWithinPixelLimit(width, height, maxPixels)
  return { ...header, width, height }
}

function assertWithinPixelLimit(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new MediaError('too_many_pixels', formatPixelLimitMessage(width, height, maxPixels))
  }
}

function corrupt(): MediaError {
  return new MediaError('corrupt', 'The file is corrupt or truncated')
}

function toMediaError(error: unknown, size?: { width: number; height: number; maxPixels: number }): MediaError {
  if (error instanceof MediaError) return error
  const message = error instanceof Error ? error.message : String(error)
  if (/pixel limit/i.test(message)) {
    return new MediaError(
      'too_many_pixels',
      size ? formatPixelLimitMessage(size.width, size.height, size.maxPixels) : 'The image has too many pixels',
    )
  }
  if (/unsupported image format/i.test(message)) {
    return new MediaError('unsupported_type', 'The file is not an image format Damson can read')
  }
  return corrupt()
}

function toImageMetadata(header: Metadata, width: number, height: number): ImageMetadata {
  const optional = {
    space: header.space,
    channels: header.channels,
    depth: header.depth,
    density: header.density,
    hasAlpha: header.hasAlpha,
    isProgressive: header.isProgressive,
    orientation: header.orientation,
    pages: header.pages,
  }
  const defined = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined))
  return {
    format: header.format,
    width,
    height,
    ...defined,
    hasExif: Boolean(header.exif),
    hasIcc: Boolean(header.icc),
    hasXmp: Boolean(header.xmp),
    hasIptc: Boolean(header.iptc),
  }
}
