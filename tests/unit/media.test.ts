import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { RENDITION_PRESETS, renditionSize } from '~/domain/rendition-presets'
import { MediaError, inspectImage, isSupportedImage, makeRendition, renderPresets, sniffMediaType } from '~/media.server'

const LIMIT = 100_000_000

/** A solid image with a gradient stripe, so encoders have something to do. */
async function fixture(width: number, height: number, format: 'png' | 'jpeg', withOrientation?: number): Promise<Buffer> {
  let image = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .composite([{ input: Buffer.from(`<svg width="${width}" height="${Math.ceil(height / 4)}"><rect width="100%" height="100%" fill="#2a6"/></svg>`), top: 0, left: 0 }])
  if (withOrientation) image = image.withMetadata({ orientation: withOrientation })
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer()
}

/** A real PNG whose IHDR is rewritten to claim width × height pixels (a decompression-bomb header). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const small = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#fff' } }).png().toBuffer()
  const patched = Buffer.from(small)
  // Signature (8) + length (4) + "IHDR" (4), then width and height; the CRC covers type and data.
  patched.writeUInt32BE(width, 16)
  patched.writeUInt32BE(height, 20)
  patched.writeUInt32BE(crc32(patched.subarray(12, 29)), 29)
  return patched
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

let png: Buffer
let jpeg: Buffer

beforeAll(async () => {
  png = await fixture(1200, 800, 'png')
  jpeg = await fixture(2000, 1000, 'jpeg')
})

describe('sniffMediaType', () => {
  it('recognises images by their bytes', async () => {
    expect(await sniffMediaType(png)).toEqual({ mime: 'image/png', ext: 'png' })
    expect(await sniffMediaType(jpeg.subarray(0, 4100))).toEqual({ mime: 'image/jpeg', ext: 'jpg' })
  })

  it('returns null for a text file, whatever its name', async () => {
    expect(await sniffMediaType(Buffer.from('Just some notes about the summer campaign.\n'))).toBeNull()
  })

  it('knows PDFs are not images', async () => {
    const sniffed = await sniffMediaType(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'))
    expect(sniffed?.mime).toBe('application/pdf')
    expect(isSupportedImage(sniffed?.mime ?? '')).toBe(false)
  })
})

describe('isSupportedImage', () => {
  it('accepts the raster formats of the slice and not SVG', () => {
    for (const mime of ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff', 'image/avif']) {
      expect(isSupportedImage(mime)).toBe(true)
    }
    expect(isSupportedImage('image/svg+xml')).toBe(false)
    expect(isSupportedImage('application/pdf')).toBe(false)
  })
})

describe('inspectImage', () => {
  it('reads size, format and technical metadata', async () => {
    const info = await inspectImage(png, { maxPixels: LIMIT })
    expect(info).toMatchObject({ width: 1200, height: 800, displayWidth: 1200, displayHeight: 800, format: 'png' })
    expect(info.metadata).toMatchObject({ format: 'png', width: 1200, height: 800, hasExif: false, hasIcc: false })
    expect(JSON.parse(JSON.stringify(info.metadata))).toEqual(info.metadata)
  })

  it('reports the size people see for a rotated photo', async () => {
    const rotated = await fixture(400, 300, 'jpeg', 6)
    const info = await inspectImage(rotated, { maxPixels: LIMIT })
    expect(info).toMatchObject({ width: 400, height: 300, displayWidth: 300, displayHeight: 400 })
    expect(info.metadata).toMatchObject({ orientation: 6, hasExif: true })
  })

  it('says a truncated JPEG is corrupt', async () => {
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6))
    const error = await inspectImage(truncated, { maxPixels: LIMIT }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(MediaError)
    expect(error).toMatchObject({ code: 'corrupt', message: 'The file is corrupt or truncated' })
  })

  it('says random bytes are corrupt', async () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)])
    await expect(inspectImage(garbage, { maxPixels: LIMIT })).rejects.toMatchObject({ code: 'corrupt' })
  })

  it('refuses a header claiming 30000 × 30000 pixels before decoding it', async () => {
    await expect(inspectImage(await pngClaiming(30_000, 30_000), { maxPixels: LIMIT })).rejects.toMatchObject({
      code: 'too_many_pixels',
      message: 'The image is 30000 × 30000 pixels; the limit is 100 megapixels',
    })
  })

  it('refuses a real image over a low pixel limit', async () => {
    await expect(inspectImage(jpeg, { maxPixels: 1_500_000 })).rejects.toMatchObject({
      code: 'too_many_pixels',
      message: 'The image is 2000 × 1000 pixels; the limit is 1.5 megapixels',
    })
  })
})

describe('makeRendition', () => {
  it('makes a WebP thumbnail inside 400 × 400 and a preview inside 1600 × 1600', async () => {
    const thumbnail = await makeRendition(jpeg, 'thumbnail', { maxPixels: LIMIT })
    expect(thumbnail).toMatchObject({ preset: 'thumbnail', width: 400, height: 200, mediaType: 'image/webp', extension: 'webp' })
    const meta = await sharp(thumbnail.data).metadata()
    expect(meta).toMatchObject({ format: 'webp', width: 400, height: 200 })

    const preview = await makeRendition(png, 'preview', { maxPixels: LIMIT })
    expect(preview).toMatchObject({ width: 1200, height: 800 }) // never enlarged
  })

  it('applies the EXIF orientation and strips metadata', async () => {
    const rotated = await fixture(800, 600, 'jpeg', 6)
    const thumbnail = await makeRendition(rotated, 'thumbnail', { maxPixels: LIMIT })
    expect(thumbnail).toMatchObject({ width: 300, height: 400 })
    const meta = await sharp(thumbnail.data).metadata()
    expect(meta.orientation).toBeUndefined()
    expect(meta.exif).toBeUndefined()
  })

  it('fails on corrupt input instead of rendering garbage', async () => {
    await expect(makeRendition(jpeg.subarray(0, 3000), 'thumbnail', { maxPixels: LIMIT })).rejects.toMatchObject({
      code: 'corrupt',
    })
  })

  it('enforces the pixel limit', async () => {
    await expect(makeRendition(jpeg, 'preview', { maxPixels: 1_000_000 })).rejects.toMatchObject({ code: 'too_many_pixels' })
  })
})

describe('renderPresets', () => {
  /** A photo-like picture: a gradient with shapes on it, so scaling shows in the pixels. */
  async function photo(width: number, height: number, orientation?: number): Promise<Buffer> {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1d3557"/><stop offset="1" stop-color="#f1faee"/></linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/>
      <circle cx="${width * 0.3}" cy="${height * 0.4}" r="${height * 0.25}" fill="#e63946"/>
      <rect x="${width * 0.6}" y="${height * 0.2}" width="${width * 0.25}" height="${height * 0.5}" fill="#457b9d"/>
    </svg>`
    let image = sharp(Buffer.from(svg))
    if (orientation) image = image.withMetadata({ orientation })
    return image.jpeg({ quality: 92 }).toBuffer()
  }

  /** Mean absolute difference per channel value (0–255) between two encoded images of one size. */
  async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
    const [left, right] = await Promise.all([a, b].map((image) => sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true })))
    expect(left!.info).toMatchObject({ width: right!.info.width, height: right!.info.height, channels: right!.info.channels })
    let total = 0
    for (let index = 0; index < left!.data.length; index += 1) total += Math.abs(left!.data[index]! - right!.data[index]!)
    return total / left!.data.length
  }

  it('makes every preset from one call, at the sizes the preset module computes, in the order asked', async () => {
    const original = await photo(4500, 3000)
    const renditions = await renderPresets(original, ['web', 'thumbnail', 'preview'], { maxPixels: LIMIT })
    expect(renditions.map((rendition) => rendition.preset)).toEqual(['web', 'thumbnail', 'preview'])
    for (const rendition of renditions) {
      const preset = RENDITION_PRESETS[rendition.preset]
      const expected = renditionSize(preset, { width: 4500, height: 3000 })
      expect(rendition).toMatchObject({ ...expected, mediaType: preset.mediaType, extension: preset.extension })
      expect(await sharp(rendition.data).metadata()).toMatchObject({ ...expected, format: preset.format, hasAlpha: false })
    }
    const web = await sharp(renditions[0]!.data).metadata()
    expect(web).toMatchObject({ format: 'jpeg', width: 2048, height: 1365, isProgressive: true, space: 'srgb', chromaSubsampling: '4:2:0' })
  })

  it('looks the same as rendering each preset straight from the original', async () => {
    const original = await photo(4500, 3000)
    const renditions = await renderPresets(original, ['thumbnail', 'preview', 'web'], { maxPixels: LIMIT })
    for (const rendition of renditions) {
      const preset = RENDITION_PRESETS[rendition.preset]
      const direct = sharp(original).resize({ width: rendition.width, height: rendition.height, fit: 'fill' })
      const reference = await (preset.format === 'jpeg' ? direct.jpeg({ quality: preset.quality }) : direct.webp({ quality: preset.quality })).toBuffer()
      expect(await meanDifference(rendition.data, reference)).toBeLessThan(2)
    }
  })

  it('applies the EXIF orientation once, to every preset, and writes no metadata', async () => {
    const renditions = await renderPresets(await photo(3000, 2000, 6), ['thumbnail', 'preview', 'web'], { maxPixels: LIMIT })
    expect(renditions.map(({ width, height }) => [width, height])).toEqual([
      [267, 400],
      [1067, 1600],
      [1365, 2048],
    ])
    for (const rendition of renditions) {
      const meta = await sharp(rendition.data).metadata()
      expect(meta.orientation).toBeUndefined()
      expect(meta.exif).toBeUndefined()
    }
  })

  it('keeps transparency in WebP and puts it on white in the JPEG', async () => {
    const logo = await sharp({ create: { width: 600, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 200, height: 100, channels: 4, background: { r: 200, g: 20, b: 60, alpha: 1 } } }, left: 200, top: 100 }])
      .png()
      .toBuffer()
    const [thumbnail, web] = await renderPresets(logo, ['thumbnail', 'web'], { maxPixels: LIMIT })
    expect(await sharp(thumbnail!.data).metadata()).toMatchObject({ format: 'webp', width: 400, height: 200, hasAlpha: true })
    expect(web).toMatchObject({ width: 600, height: 300 }) // never enlarged
    const { data } = await sharp(web!.data).raw().toBuffer({ resolveWithObject: true })
    expect([...data.subarray(0, 3)].every((value) => value >= 250)).toBe(true)
  })

  it('writes 8-bit sRGB from CMYK and 16-bit originals, in the colours of a direct conversion', async () => {
    const base = sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 40, g: 160, b: 90 } } })
    const cmyk = await base.clone().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer()
    const deep = await base.clone().toColourspace('rgb16').png().toBuffer()
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk')
    expect((await sharp(deep).metadata()).depth).toBe('ushort')
    for (const original of [cmyk, deep]) {
      const [web] = await renderPresets(original, ['web'], { maxPixels: LIMIT })
      const { data, info } = await sharp(web!.data).raw().toBuffer({ resolveWithObject: true })
      expect(info.channels).toBe(3)
      // The colour sharp gives the original when converting it straight (CMYK round trips are not exact).
      const direct = await sharp(original).removeAlpha().toColourspace('srgb').raw().toBuffer()
      const difference = [0, 1, 2].reduce((sum, channel) => sum + Math.abs(data[channel]! - direct[channel]!), 0)
      expect(difference).toBeLessThan(6)
    }
  })

  it('fails on corrupt input and over the pixel limit, and makes nothing for no presets', async () => {
    await expect(renderPresets(jpeg.subarray(0, 3000), ['thumbnail', 'web'], { maxPixels: LIMIT })).rejects.toMatchObject({ code: 'corrupt' })
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6))
    await expect(renderPresets(truncated, ['thumbnail', 'preview', 'web'], { maxPixels: LIMIT })).rejects.toMatchObject({ code: 'corrupt' })
    await expect(renderPresets(jpeg, ['web'], { maxPixels: 1_000_000 })).rejects.toMatchObject({ code: 'too_many_pixels' })
    expect(await renderPresets(jpeg, [], { maxPixels: LIMIT })).toEqual([])
  })
})
