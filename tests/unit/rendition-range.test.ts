import { describe, expect, it } from 'vitest'
import { parseRange, renditionHeaders } from '~/assets/renditions.server'
import { isServedRenditionName } from '~/domain/rendition-presets'

describe('byte ranges of a rendition', () => {
  it('reads the three forms of a single range', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 })
    expect(parseRange('bytes=500-', 1000)).toEqual({ start: 500, end: 999 })
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 })
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 })
  })

  it('serves the whole body for no, malformed or several ranges, and 416 past the end', () => {
    expect(parseRange(null, 1000)).toBeNull()
    expect(parseRange('items=0-1', 1000)).toBeNull()
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeNull()
    expect(parseRange('bytes=9-3', 1000)).toBeNull()
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable')
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable')
  })

  it('sends media inline and anything else as a sandboxed attachment', () => {
    const clip = renditionHeaders({ storageKey: 'k', contentType: 'video/mp4', bytes: 10, etag: '"e"' })
    expect(clip.get('Accept-Ranges')).toBe('bytes')
    expect(clip.get('Content-Disposition')).toBe('inline')
    const other = renditionHeaders({ storageKey: 'k', contentType: 'application/octet-stream', bytes: 10, etag: '"e"' })
    expect(other.get('Content-Disposition')).toBe('attachment')
    expect(other.get('Content-Security-Policy')).toContain('sandbox')
  })

  it('serves the built-in presets, the clip, the listening copy and pages, and nothing else', () => {
    for (const name of ['thumbnail', 'preview', 'web', 'clip', 'audio', 'page-1', 'page-30']) expect(isServedRenditionName(name)).toBe(true)
    for (const name of ['page-0', 'page-01', 'page-x', 'original', '../web', 'preset:social']) expect(isServedRenditionName(name)).toBe(false)
  })
})
