import { describe, expect, it } from 'vitest'
import { prefillDublinCore } from '~/domain/dublin-core'
import { EMPTY_EMBEDDED_METADATA, embeddedMetadataFor, mayViewLocation, parseEmbeddedMetadata, searchableEmbeddedText, type EmbeddedMetadata } from '~/domain/embedded-metadata'
import { ROLES } from '~/domain/roles'

const photo: EmbeddedMetadata = {
  ...EMPTY_EMBEDDED_METADATA,
  cameraMake: 'Canon',
  creator: 'Ann',
  copyright: '© Damson',
  description: 'A beach',
  capturedAt: '2026-06-01T10:20:30.000+01:00',
  keywords: ['summer', 'beach'],
  location: { latitude: 51.5, longitude: -0.12, altitude: 35 },
  groups: { EXIF: { Make: 'Canon', GPSLatitude: 51.5 }, XMP: { Subject: ['summer'] }, QuickTime: { GPSCoordinates: '51.5 -0.12' } },
}

describe('who sees where a file was made', () => {
  it('librarians and admins only', () => {
    expect(ROLES.filter((role) => mayViewLocation([role]))).toEqual(['admin', 'librarian'])
    expect(mayViewLocation(['reviewer', 'librarian'])).toBe(true)
  })

  it('keeps everything for librarians and admins', () => {
    expect(embeddedMetadataFor(['librarian'], photo)).toBe(photo)
    expect(embeddedMetadataFor(['admin'], photo)).toBe(photo)
  })

  it('drops the location and every location tag for everyone else', () => {
    for (const role of ['reviewer', 'legal', 'partner'] as const) {
      const shown = embeddedMetadataFor([role], photo)
      expect(shown.location).toBeNull()
      expect(shown.groups).toEqual({ EXIF: { Make: 'Canon' }, XMP: { Subject: ['summer'] } })
      expect(JSON.stringify(shown)).not.toMatch(/51\.5|GPS/)
      expect(shown.creator).toBe('Ann')
    }
  })

  it('never puts the location in the words search indexes', () => {
    expect(searchableEmbeddedText(photo).join(' ')).not.toMatch(/51\.5/)
  })
})

describe('stored embedded metadata', () => {
  it('reads malformed JSON as empty, never throws', () => {
    expect(parseEmbeddedMetadata(null)).toEqual(EMPTY_EMBEDDED_METADATA)
    expect(parseEmbeddedMetadata({ keywords: 'not a list', location: { latitude: 200, longitude: 0 } })).toMatchObject({ keywords: [], location: null })
    expect(parseEmbeddedMetadata(JSON.parse(JSON.stringify(photo)))).toEqual(photo)
  })
})

describe('Dublin Core prefill', () => {
  it('fills empty elements from the file and never overwrites an entry', () => {
    const filled = prefillDublinCore({ creator: 'Studio X' }, { title: 'Beach', kind: 'image', mediaType: 'image/jpeg', embedded: photo })
    expect(filled).toEqual({
      title: 'Beach',
      creator: 'Studio X',
      rights: '© Damson',
      description: 'A beach',
      subject: 'summer, beach',
      date: '2026-06-01',
      type: 'StillImage',
      format: 'image/jpeg',
    })
  })

  it('gives a file with nothing embedded its title, type and format', () => {
    expect(prefillDublinCore({}, { title: 'Deck', kind: 'document', mediaType: 'application/pdf', embedded: EMPTY_EMBEDDED_METADATA })).toEqual({
      title: 'Deck',
      type: 'Text',
      format: 'application/pdf',
    })
  })
})
