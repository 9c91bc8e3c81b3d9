/**
 * sharp (libvips) behind one small module: sniffing, inspecting and rendering
 * images. Every decode passes a pixel limit (decompression bombs) and fails on
 * corrupt or truncated data instead of rendering garbage.
 */
import { fileTypeFromBuffer } from 'file-type'
import sharp, { type Metadata, type Sharp } from 'sharp'
import {
  RENDITION_PRESETS,
  orientedSize,
  renditionSize,
  type RenditionPreset,
  type RenditionPresetName,
} from '~/domain/rendition-presets'

/** How many leading bytes `sniffMediaType` needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100

export type MediaErrorCode = 'corrupt' | 'too_many_pixels' | 'unsupported_type'

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

/** The type the bytes say they are (never the client's word); null when unrecognised. */
export async function sniffMediaType(firstBytes: Uint8Array): Promise<SniffedType | null> {
  const result = await fileTypeFromBuffer(firstBytes.subarray(0, SNIFF_BYTES))
  return result ? { mime: result.mime, ext: result.ext } : null
}

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
  hasExif: boolean
  hasIcc: boolean
  hasXmp: boolean
  hasIptc: boolean
}

export type InspectOptions = { maxPixels: number }

/**
 * Reads the header, enforces the pixel limit, then decodes the image once (shrunk
 * on load where the format allows) so truncated or corrupt data is caught here
 * rather than in a rendition.
 */
export async function inspectImage(buffer: Buffer, { maxPixels }: InspectOptions): Promise<ImageInfo> {
  const header = await readHeader(buffer, maxPixels)
  const { width, height } = header

  try {
    // A full decode at low resolution: libvips reads every byte, so truncation shows.
    await sharp(buffer, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true })
      .resize({ width: 64, height: 64, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer()
  } catch (error) {
    throw toMediaError(error, { width, height, maxPixels })
  }

  const display = orientedSize({ width, height }, header.orientation)
  return {
    width,
    height,
    displayWidth: display.width,
    displayHeight: display.height,
    format: header.format,
    metadata: toImageMetadata(header, width, height),
  }
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
export async function makeRendition(buffer: Buffer, presetName: RenditionPresetName, options: InspectOptions): Promise<Rendition> {
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
  buffer: Buffer,
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
async function readHeader(buffer: Buffer, maxPixels: number): Promise<Header> {
  let header: Metadata
  try {
    header = await sharp(buffer, { limitInputPixels: maxPixels, failOn: 'error' }).metadata()
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      const unlimited = await sharp(buffer, { limitInputPixels: false }).metadata().catch(() => undefined)
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
