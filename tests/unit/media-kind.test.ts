import { describe, expect, it } from 'vitest'
import { acceptAttribute, acceptedFormat, assetKindOf, claimedByName, extensionOf, judgeUpload } from '~/domain/media-kind'

describe('the allow-list', () => {
  it.each([
    ['image/jpeg', 'photo.jpg', 'image'],
    ['image/svg+xml', 'logo.svg', 'image'],
    ['image/heic', 'IMG_0001.HEIC', 'image'],
    ['video/quicktime', 'clip.mov', 'video'],
    ['video/webm', 'clip.webm', 'video'],
    ['audio/mpeg', 'jingle.mp3', 'audio'],
    ['audio/x-m4a', 'voice.m4a', 'audio'],
    ['application/pdf', 'brochure.pdf', 'document'],
    ['application/pdf', 'logo.ai', 'design'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'brief.docx', 'document'],
    ['image/vnd.adobe.photoshop', 'hero.psd', 'design'],
    ['model/gltf-binary', 'bottle.glb', 'design'],
    ['application/x-7z-compressed', 'sources.7z', 'other'],
  ])('takes %s named %s as %s', (mime, name, kind) => {
    const verdict = judgeUpload(mime, name)
    expect(verdict).toMatchObject({ ok: true, kind })
    expect(assetKindOf(mime, name)).toBe(kind)
  })

  it('takes a file whose name has no extension, or one Damson does not know, by its bytes', () => {
    expect(judgeUpload('image/png', 'scan')).toMatchObject({ ok: true, kind: 'image' })
    expect(judgeUpload('audio/wav', 'take-3.final-mix')).toMatchObject({ ok: true, kind: 'audio' })
  })

  it('refuses a file whose extension lies, saying what the bytes are and what the name claims', () => {
    const verdict = judgeUpload('application/pdf', 'photo.jpg')
    expect(verdict.ok).toBe(false)
    if (verdict.ok) return
    expect(verdict.reason).toBe(
      'is a PDF document, but its name says a JPEG image (.jpg). Rename it to .pdf if it is meant to be a PDF document, or choose the right file.',
    )
    expect(judgeUpload('video/mp4', 'song.mp3')).toMatchObject({ ok: false, reason: expect.stringMatching(/^is an MP4 video, but its name says an MP3 audio \(\.mp3\)/) })
  })

  it('accepts the extensions that honestly name a format (jpeg and jpg, tif and tiff, m4a inside mp4)', () => {
    expect(judgeUpload('image/jpeg', 'a.JPEG').ok).toBe(true)
    expect(judgeUpload('image/tiff', 'a.tif').ok).toBe(true)
    expect(judgeUpload('audio/x-m4a', 'a.mp4').ok).toBe(true)
  })

  it('refuses unknown bytes, saying whether they look like text, and what the name claims', () => {
    const text = judgeUpload(null, 'notes.txt', true)
    expect(text).toMatchObject({ ok: false, reason: expect.stringMatching(/^is not a file Damson accepts: its bytes are plain text \(its name says a text file\)\. Damson accepts images/) })
    const binary = judgeUpload(null, 'photo.jpg', false)
    expect(binary).toMatchObject({ ok: false, reason: expect.stringMatching(/its bytes are no file type Damson recognises \(it may be damaged\) \(its name says a JPEG image\)/) })
  })

  it('refuses known types that are not on the list, programs above all, by name', () => {
    expect(judgeUpload('application/x-msdownload', 'invoice.pdf')).toMatchObject({ ok: false, reason: expect.stringMatching(/^is a Windows program, which Damson does not accept \(its name says a PDF document\)/) })
    expect(judgeUpload('image/bmp', 'old.bmp')).toMatchObject({ ok: false, reason: expect.stringMatching(/^is a BMP bitmap, which Damson does not accept/) })
    expect(judgeUpload('application/vnd.ms-word.document.macroenabled.12', 'form.docm').ok).toBe(false)
    expect(judgeUpload('application/zip', 'nested.zip')).toMatchObject({ ok: false, reason: expect.stringMatching(/archives inside archives are not expanded/) })
  })

  it('takes the old Office container only under an Office name', () => {
    expect(judgeUpload('application/x-cfb', 'budget.xls')).toMatchObject({ ok: true, kind: 'document' })
    expect(judgeUpload('application/x-cfb', 'setup.msi').ok).toBe(false)
    expect(judgeUpload('application/x-cfb', 'noextension').ok).toBe(false)
  })

  it('reads extensions and claims', () => {
    expect(extensionOf('Summer.Hero.JPG')).toBe('jpg')
    expect(extensionOf('.profile')).toBe('')
    expect(extensionOf('README')).toBe('')
    expect(claimedByName('a.mov')).toEqual({ extension: 'mov', label: 'QuickTime video' })
    expect(claimedByName('a.unknownext')).toBeNull()
  })

  it('offers every accepted type and extension to the picker', () => {
    const accept = acceptAttribute().split(',')
    expect(accept).toEqual(expect.arrayContaining(['image/svg+xml', '.svg', 'video/mp4', '.mov', 'audio/mpeg', '.pdf', '.docx', '.glb', '.7z']))
    expect(accept).not.toContain('application/x-cfb')
    expect(acceptedFormat('application/x-msdownload')).toBeNull()
  })
})
