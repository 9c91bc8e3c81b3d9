import { describe, expect, it } from 'vitest'
import {
  INGEST_RENDITION_PRESETS,
  RENDITION_PRESETS,
  fitInside,
  isRenditionPresetName,
  orientedSize,
  renditionSize,
} from '~/domain/rendition-presets'

describe('presets', () => {
  it('thumbnail fits 400 × 400 as WebP q80; preview 1600 × 1600 as WebP q85', () => {
    expect(RENDITION_PRESETS.thumbnail).toMatchObject({ maxWidth: 400, maxHeight: 400, format: 'webp', mediaType: 'image/webp', extension: 'webp', quality: 80 })
    expect(RENDITION_PRESETS.preview).toMatchObject({ maxWidth: 1600, maxHeight: 1600, format: 'webp', mediaType: 'image/webp', extension: 'webp', quality: 85 })
  })

  it('web fits 2048 × 2048 as a progressive JPEG q82, encoded without mozjpeg', () => {
    expect(RENDITION_PRESETS.web).toEqual({
      name: 'web',
      maxWidth: 2048,
      maxHeight: 2048,
      format: 'jpeg',
      mediaType: 'image/jpeg',
      extension: 'jpg',
      quality: 82,
      progressive: true,
      mozjpeg: false,
    })
  })

  it('every preset is listed under its own name', () => {
    for (const [name, preset] of Object.entries(RENDITION_PRESETS)) expect(preset.name).toBe(name)
  })

  it('ingest makes thumbnail, preview and web', () => {
    expect(INGEST_RENDITION_PRESETS).toEqual(['thumbnail', 'preview', 'web'])
  })

  it('recognises preset names', () => {
    expect(isRenditionPresetName('thumbnail')).toBe(true)
    expect(isRenditionPresetName('preview')).toBe(true)
    expect(isRenditionPresetName('web')).toBe(true)
    expect(isRenditionPresetName('toString')).toBe(false)
    expect(isRenditionPresetName('original')).toBe(false)
    expect(isRenditionPresetName('Web')).toBe(false)
  })
})

describe('fitInside', () => {
  const box = { maxWidth: 400, maxHeight: 400 }

  it.each([
    [{ width: 4000, height: 3000 }, { width: 400, height: 300 }],
    [{ width: 3000, height: 4000 }, { width: 300, height: 400 }],
    [{ width: 1000, height: 1000 }, { width: 400, height: 400 }],
    [{ width: 401, height: 400 }, { width: 400, height: 399 }],
    [{ width: 1001, height: 333 }, { width: 400, height: 133 }],
    [{ width: 20000, height: 10 }, { width: 400, height: 1 }],
    [{ width: 10, height: 20000 }, { width: 1, height: 400 }],
  ])('scales %o down to %o', (source, expected) => {
    expect(fitInside(source, box)).toEqual(expected)
  })

  it('never enlarges', () => {
    expect(fitInside({ width: 120, height: 80 }, box)).toEqual({ width: 120, height: 80 })
    expect(fitInside({ width: 400, height: 400 }, box)).toEqual({ width: 400, height: 400 })
  })

  it('keeps the aspect ratio within a pixel and stays inside the box', () => {
    for (let width = 1; width <= 5000; width += 97) {
      for (let height = 1; height <= 5000; height += 89) {
        const out = fitInside({ width, height }, box)
        expect(out.width).toBeLessThanOrEqual(400)
        expect(out.height).toBeLessThanOrEqual(400)
        expect(out.width).toBeGreaterThanOrEqual(1)
        expect(out.height).toBeGreaterThanOrEqual(1)
        expect(Math.max(out.width, out.height)).toBe(Math.min(400, Math.max(width, height)))
        expect(Math.abs(out.width - (out.height * width) / height)).toBeLessThanOrEqual(1 + width / height)
      }
    }
  })

  it('rejects empty sizes and boxes', () => {
    expect(() => fitInside({ width: 0, height: 10 }, box)).toThrow(RangeError)
    expect(() => fitInside({ width: 10.5, height: 10 }, box)).toThrow(RangeError)
    expect(() => fitInside({ width: 10, height: 10 }, { maxWidth: 0, maxHeight: 10 })).toThrow(RangeError)
  })
})

describe('orientation', () => {
  it('swaps width and height for EXIF orientations 5 to 8 only', () => {
    for (const orientation of [undefined, 1, 2, 3, 4]) {
      expect(orientedSize({ width: 40, height: 30 }, orientation)).toEqual({ width: 40, height: 30 })
    }
    for (const orientation of [5, 6, 7, 8]) {
      expect(orientedSize({ width: 40, height: 30 }, orientation)).toEqual({ width: 30, height: 40 })
    }
  })

  it('renditionSize applies the orientation before fitting', () => {
    expect(renditionSize(RENDITION_PRESETS.preview, { width: 4000, height: 3000 }, 6)).toEqual({ width: 1200, height: 1600 })
    expect(renditionSize(RENDITION_PRESETS.thumbnail, { width: 4000, height: 3000 })).toEqual({ width: 400, height: 300 })
  })
})

describe('web rendition size', () => {
  it.each([
    ['a 24 MP landscape photo', { width: 6000, height: 4000 }, undefined, { width: 2048, height: 1365 }],
    ['the same photo shot upright (EXIF 6)', { width: 6000, height: 4000 }, 6, { width: 1365, height: 2048 }],
    ['a portrait', { width: 4000, height: 6000 }, 1, { width: 1365, height: 2048 }],
    ['a square', { width: 5000, height: 5000 }, undefined, { width: 2048, height: 2048 }],
    ['a panorama', { width: 12000, height: 2000 }, undefined, { width: 2048, height: 341 }],
    ['an image already inside the box (never enlarged)', { width: 1920, height: 1080 }, undefined, { width: 1920, height: 1080 }],
    ['one exactly the box', { width: 2048, height: 1536 }, undefined, { width: 2048, height: 1536 }],
  ])('%s: %o (orientation %s) → %o', (_what, source, orientation, expected) => {
    expect(renditionSize(RENDITION_PRESETS.web, source, orientation)).toEqual(expected)
  })

  it('is never smaller than the preview, which is never smaller than the thumbnail', () => {
    for (const source of [{ width: 6000, height: 4000 }, { width: 1800, height: 1200 }, { width: 300, height: 200 }, { width: 9000, height: 50 }]) {
      const thumbnail = renditionSize(RENDITION_PRESETS.thumbnail, source)
      const preview = renditionSize(RENDITION_PRESETS.preview, source)
      const web = renditionSize(RENDITION_PRESETS.web, source)
      expect(web.width).toBeGreaterThanOrEqual(preview.width)
      expect(web.height).toBeGreaterThanOrEqual(preview.height)
      expect(preview.width).toBeGreaterThanOrEqual(thumbnail.width)
      expect(preview.height).toBeGreaterThanOrEqual(thumbnail.height)
    }
  })
})
