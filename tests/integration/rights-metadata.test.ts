/**
 * Rights travel with the file: the real exiftool writes the stamp into copies of
 * real files generated here (JPEG, PNG, TIFF, WebP, GIF, AVIF, PDF, MP4, MOV, SVG)
 * and reads it back; the source is never touched. Then through the real stack
 * (PostgreSQL, S3): a stamped copy of an approved original is made once, reused,
 * served to a partner by the download path, and the original object is unchanged.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { minimalPdf } from '../support/pdf-fixture'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { getEnv } = await import('~/env.server')
const { AppError } = await import('~/errors.server')
const { getExifTool, endExifTool } = await import('~/media/exiftool.server')
const { stampRightsMetadata, isRightsStampError, embedRightsInSvg } = await import('~/media/rights-metadata.server')
const { stampedDownload } = await import('~/assets/stamped-delivery.server')
const { prepareDownload } = await import('~/assets/download.server')
const { createReviewPeople, createUploadedVersion } = await import('../support/review-fixtures')

type RightsStamp = import('~/domain/rights-stamp').RightsStamp
type RightsStampErrorCode = import('~/media/rights-metadata.server').RightsStampErrorCode
type Viewer = import('~/domain/asset-access').Viewer

const stamp: RightsStamp = {
  rights: '© Damson Demo. Royalty-free licence from Getty Images (ref. 123).',
  usageTerms: '"Harbour sunrise" (version 2) for Acme Agency: Web and print use in Germany and Austria, expires 31 December 2027 at 23:59 CET (Europe/Berlin).',
  webStatement: 'http://localhost:3000/portal/assets/asset-1#rights',
  licenseEndDate: '2027-12-31T22:59:00Z',
  marked: true,
}

let directory: string

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'damson-rights-test-'))
})

afterAll(async () => {
  await endExifTool()
  await rm(directory, { recursive: true, force: true })
})

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Every tag exiftool reads, keyed "Group1:Name" (e.g. "XMP-dc:Rights"). */
async function readTags(file: string): Promise<Map<string, unknown>> {
  const tags = await getExifTool().readRaw(file, { readArgs: ['-G1', '-a'] })
  return new Map<string, unknown>(Object.entries(tags))
}

function expectRights(tags: Map<string, unknown>, expected: RightsStamp = stamp): void {
  expect(tags.get('XMP-dc:Rights')).toBe(expected.rights)
  expect(tags.get('XMP-xmpRights:UsageTerms')).toBe(expected.usageTerms)
  expect(tags.get('XMP-xmpRights:WebStatement')).toBe(expected.webStatement)
  expect(tags.get('XMP-xmpRights:Marked')).toBe(true)
  if (expected.licenseEndDate) {
    // exiftool prints XMP dates its own way: 2027:12:31 22:59:00Z.
    expect(tags.get('XMP-plus:LicenseEndDate')).toBe(expected.licenseEndDate.replace(/^(\d{4})-(\d\d)-(\d\d)T/, '$1:$2:$3 '))
  } else {
    expect(tags.has('XMP-plus:LicenseEndDate')).toBe(false)
  }
}

async function write(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(directory, name)
  await writeFile(file, bytes)
  return file
}

/** Stamps `source` into a new file and checks the source is byte for byte what it was. */
async function stampCopy(source: string, options: { stripOtherMetadata?: boolean; stampToWrite?: RightsStamp } = {}): Promise<string> {
  const before = sha256(await readFile(source))
  const target = path.join(directory, `stamped-${randomUUID().slice(0, 8)}${path.extname(source)}`)
  try {
    await stampRightsMetadata({ sourcePath: source, targetPath: target, stamp: options.stampToWrite ?? stamp, stripOtherMetadata: options.stripOtherMetadata })
  } finally {
    expect(sha256(await readFile(source))).toBe(before)
  }
  return target
}

async function expectStampError(promise: Promise<unknown>, code: RightsStampErrorCode): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => isRightsStampError(error) && error.code === code)
}

function colourImage() {
  return sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 200, g: 60, b: 30 } } })
}

async function pixels(file: string): Promise<Buffer> {
  return sharp(file).raw().toBuffer()
}

/**
 * An ISO-BMFF file of the given brand: ftyp, a movie header and an empty media
 * box. Not playable (no tracks), but the container exiftool edits is the real one.
 */
function minimalIsoMedia(brand: 'isom' | 'qt  '): Buffer {
  const box = (type: string, ...payload: Buffer[]) => {
    const body = Buffer.concat(payload)
    const header = Buffer.alloc(8)
    header.writeUInt32BE(8 + body.length)
    header.write(type, 4, 'latin1')
    return Buffer.concat([header, body])
  }
  const u32 = (value: number) => {
    const bytes = Buffer.alloc(4)
    bytes.writeUInt32BE(value)
    return bytes
  }
  const identity = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32)
  const mvhd = box('mvhd', u32(0), u32(0), u32(0), u32(1000), u32(0), u32(0x00010000), Buffer.from([1, 0, 0, 0]), Buffer.alloc(8), ...identity, Buffer.alloc(24), u32(2))
  const ftyp = brand === 'isom' ? box('ftyp', Buffer.from('isom'), u32(512), Buffer.from('isomiso2mp41')) : box('ftyp', Buffer.from('qt  '), u32(0), Buffer.from('qt  '))
  return Buffer.concat([ftyp, box('moov', mvhd), box('mdat', Buffer.alloc(16))])
}

describe('stampRightsMetadata', () => {
  const rasters = [
    { name: 'JPEG', ext: 'jpg', make: () => colourImage().jpeg().toBuffer(), exif: true, iptc: true },
    { name: 'PNG', ext: 'png', make: () => colourImage().png().toBuffer(), exif: true, iptc: false },
    { name: 'TIFF', ext: 'tif', make: () => colourImage().tiff().toBuffer(), exif: true, iptc: true },
    { name: 'WebP', ext: 'webp', make: () => colourImage().webp({ lossless: true }).toBuffer(), exif: true, iptc: false },
    { name: 'AVIF', ext: 'avif', make: () => colourImage().avif().toBuffer(), exif: true, iptc: false },
    { name: 'GIF', ext: 'gif', make: () => colourImage().gif().toBuffer(), exif: false, iptc: false },
  ]

  for (const format of rasters) {
    it(`writes every rights field into a ${format.name} copy, pixels untouched, source unchanged`, async () => {
      const source = await write(`source.${format.ext}`, await format.make())
      const target = await stampCopy(source)
      const tags = await readTags(target)
      expectRights(tags)
      if (format.exif) expect(tags.get('IFD0:Copyright')).toBe(stamp.rights)
      if (format.iptc) expect(tags.get('IPTC:CopyrightNotice')).toBe(stamp.rights)
      expect((await pixels(target)).equals(await pixels(source))).toBe(true)
    })
  }

  it('writes every rights field into a PDF copy that still reads as a one-page PDF', async () => {
    const source = await write('source.pdf', minimalPdf('Harbour sunrise'))
    const target = await stampCopy(source)
    const tags = await readTags(target)
    expectRights(tags)
    expect(tags.get('PDF:PageCount')).toBe(1)
  })

  for (const [brand, ext, mime] of [['isom', 'mp4', 'video/mp4'], ['qt  ', 'mov', 'video/quicktime']] as const) {
    it(`writes XMP rights and the QuickTime copyright into a ${ext.toUpperCase()} copy`, async () => {
      const source = await write(`source.${ext}`, minimalIsoMedia(brand))
      const target = path.join(directory, `stamped.${ext}`)
      await expect(stampRightsMetadata({ sourcePath: source, targetPath: target, stamp })).resolves.toEqual({ mediaType: mime })
      const tags = await readTags(target)
      expectRights(tags)
      expect(tags.get('ItemList:Copyright')).toBe(stamp.rights)
      expect((await readFile(source)).equals(minimalIsoMedia(brand))).toBe(true)
    })
  }

  it('leaves out plus:LicenseEndDate when the stamp has none', async () => {
    const openEnded: RightsStamp = { ...stamp, licenseEndDate: undefined }
    const source = await write('open-ended.jpg', await colourImage().jpeg().toBuffer())
    expectRights(await readTags(await stampCopy(source, { stampToWrite: openEnded })), openEnded)
  })

  it('cuts the IPTC notice at its 128-byte limit and keeps the full text in XMP and EXIF', async () => {
    const long: RightsStamp = { ...stamp, rights: `© Damson Demo. ${'Rights-managed licence from Studio North (ref. 42). '.repeat(4).trimEnd()}` }
    const tags = await readTags(await stampCopy(await write('long.jpg', await colourImage().jpeg().toBuffer()), { stampToWrite: long }))
    expect(tags.get('XMP-dc:Rights')).toBe(long.rights)
    expect(tags.get('IFD0:Copyright')).toBe(long.rights)
    const notice = String(tags.get('IPTC:CopyrightNotice'))
    expect(Buffer.byteLength(notice)).toBeLessThanOrEqual(128)
    expect(notice.endsWith('…')).toBe(true)
    expect(long.rights.startsWith(notice.slice(0, -1))).toBe(true)
  })

  it('strips camera, GPS and captions but keeps the rights, the ICC profile and the orientation', async () => {
    const source = await write('camera.jpg', await colourImage().withIccProfile('p3').withMetadata({ orientation: 6 }).jpeg().toBuffer())
    await getExifTool().write(
      source,
      { Make: 'Canon', Model: 'EOS R5', GPSLatitude: 51.5072, GPSLongitude: -0.1276, 'XMP-dc:Creator': ['Jane Photographer'], 'XMP-photoshop:City': 'London' } as import('exiftool-vendored').WriteTags,
      { writeArgs: ['-overwrite_original'] },
    )
    const original = await readTags(source)
    expect(original.get('IFD0:Make')).toBe('Canon')
    expect(original.has('GPS:GPSLatitude')).toBe(true)

    const kept = await readTags(await stampCopy(source))
    expect(kept.get('IFD0:Make')).toBe('Canon')
    expect(kept.has('GPS:GPSLatitude')).toBe(true)

    const stripped = await readTags(await stampCopy(source, { stripOtherMetadata: true }))
    expectRights(stripped)
    for (const gone of ['IFD0:Make', 'IFD0:Model', 'GPS:GPSLatitude', 'GPS:GPSLongitude', 'XMP-dc:Creator', 'XMP-photoshop:City']) {
      expect(stripped.has(gone), gone).toBe(false)
    }
    expect([...stripped.keys()].some((key) => key.startsWith('GPS:'))).toBe(false)
    expect(stripped.get('ICC_Profile:ProfileDescription')).toBe(original.get('ICC_Profile:ProfileDescription'))
    expect(stripped.get('IFD0:Orientation')).toBe('Rotate 90 CW')
    expect(stripped.get('IFD0:Copyright')).toBe(stamp.rights)
  })

  it('strips a PNG and a WebP too', async () => {
    for (const ext of ['png', 'webp'] as const) {
      const image = colourImage().withExif({ IFD0: { Make: 'Canon', Model: 'EOS R5' } })
      const source = await write(`camera.${ext}`, await (ext === 'png' ? image.png() : image.webp()).toBuffer())
      expect((await readTags(source)).get('IFD0:Make')).toBe('Canon')
      const stripped = await readTags(await stampCopy(source, { stripOtherMetadata: true }))
      expectRights(stripped)
      expect(stripped.has('IFD0:Make')).toBe(false)
    }
  })

  it('strips an MP4 of its artist, GPS and XMP, keeping the rights', async () => {
    const source = await write('camera.mp4', minimalIsoMedia('isom'))
    await getExifTool().write(
      source,
      { 'ItemList:Artist': 'Jane Filmmaker', 'XMP-dc:Creator': ['Jane Filmmaker'], GPSLatitude: 51.5072, GPSLongitude: -0.1276 } as import('exiftool-vendored').WriteTags,
      { writeArgs: ['-overwrite_original'] },
    )
    const original = await readTags(source)
    expect(original.get('ItemList:Artist')).toBe('Jane Filmmaker')
    expect(original.has('XMP-exif:GPSLatitude')).toBe(true)

    const stripped = await readTags(await stampCopy(source, { stripOtherMetadata: true }))
    expectRights(stripped)
    expect(stripped.get('ItemList:Copyright')).toBe(stamp.rights)
    for (const gone of ['ItemList:Artist', 'XMP-dc:Creator', 'XMP-exif:GPSLatitude', 'XMP-exif:GPSLongitude']) {
      expect(stripped.has(gone), gone).toBe(false)
    }
  })

  it('refuses to "strip" a PDF, whose earlier metadata would stay in the file', async () => {
    const source = await write('strip.pdf', minimalPdf('x'))
    await expectStampError(stampCopy(source, { stripOtherMetadata: true }), 'strip_unsupported')
  })

  it('gives a typed error for corrupt files, whatever their name says', async () => {
    const jpeg = await colourImage().jpeg().toBuffer()
    await expectStampError(stampCopy(await write('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)))), 'corrupt')
    const png = await colourImage().png().toBuffer()
    await expectStampError(stampCopy(await write('truncated.png', png.subarray(0, Math.floor(png.length / 2)))), 'corrupt')
    await expectStampError(stampCopy(await write('broken.pdf', Buffer.from('%PDF-1.4\nno objects, no xref\n%%EOF\n'))), 'corrupt')
  })

  it('gives a typed error for formats that cannot carry the rights', async () => {
    const mp3 = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(64)])
    await expectStampError(stampCopy(await write('song.mp3', mp3)), 'unsupported_format')
    await expectStampError(stampCopy(await write('noise.bin', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 251)))), 'unsupported_format')
    await expectStampError(stampCopy(await write('notes.txt', Buffer.from('just text'))), 'unsupported_format')
  })

  it('never writes over its source', async () => {
    const source = await write('same.jpg', await colourImage().jpeg().toBuffer())
    await expect(stampRightsMetadata({ sourcePath: source, targetPath: source, stamp })).rejects.toThrow(/targetPath must differ/)
  })

  describe('SVG', () => {
    const svg = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [',
      '  <!ENTITY brand "Damson">',
      ']>',
      '<!-- exported by hand -->',
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" data-note="a > b">',
      '  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
      '    <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">Old notice</rdf:li></rdf:Alt></dc:rights>',
      '    <dc:creator><rdf:Seq><rdf:li>Jane Designer</rdf:li></rdf:Seq></dc:creator>',
      '  </rdf:Description></rdf:RDF></metadata>',
      '  <rect width="40" height="20" fill="#c83c1e"/>',
      '</svg>',
      '',
    ].join('\n')

    it('embeds the rights as an XMP packet exiftool reads, the drawing unchanged', async () => {
      const source = await write('logo.svg', Buffer.from(svg))
      const target = await stampCopy(source)
      const tags = await readTags(target)
      expectRights(tags)
      expect(tags.get('XMP-dc:Creator')).toBe('Jane Designer')
      expect((await readFile(target, 'utf8')).startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg')).toBe(true)
      expect((await pixels(target)).equals(await pixels(source))).toBe(true)
    })

    it('strips earlier metadata elements when asked', async () => {
      const target = await stampCopy(await write('strip.svg', Buffer.from(svg)), { stripOtherMetadata: true })
      const tags = await readTags(target)
      expectRights(tags)
      expect(tags.has('XMP-dc:Creator')).toBe(false)
      expect(await readFile(target, 'utf8')).not.toContain('Old notice')
    })

    it('recognises an SVG whose long prolog makes exiftool call it XML, and refuses other XML', async () => {
      const long = `<?xml version="1.0"?>\n<!-- ${'licence text '.repeat(2000)} -->\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n`
      const source = await write('long-prolog.svg', Buffer.from(long))
      const target = await stampCopy(source)
      // exiftool reads this file as XML, not SVG, so read our packet on its own as an .xmp file.
      const stamped = await readFile(target, 'utf8')
      const element = /<metadata xmlns="http:\/\/www\.w3\.org\/2000\/svg" id="damson-rights">([\s\S]*?)<\/metadata>/.exec(stamped)
      expect(element).not.toBeNull()
      expectRights(await readTags(await write('long-prolog.xmp', Buffer.from(element?.[1] ?? ''))))
      // Nothing else changed (the self-closing root now holds the packet); librsvg cannot sniff this file either.
      expect(stamped.replace(element?.[0] ?? '', '')).toBe(long.replace('height="4"/>', 'height="4"></svg>'))
      await expectStampError(stampCopy(await write('feed.xml', Buffer.from('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n'))), 'unsupported_format')
    })

    it('handles a self-closing root and refuses text that is not SVG', () => {
      const stamped = embedRightsInSvg(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), stamp).toString('latin1')
      expect(stamped).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"><metadata .*<\/metadata><\/svg>$/)
      expect(stamped).toContain('&#xA9; Damson Demo.')
      expect(() => embedRightsInSvg(Buffer.from('<html><svg/></html>'), stamp)).toThrow(/no <svg> root/)
      expect(() => embedRightsInSvg(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect/>'), stamp)).toThrow(/no closing/)
    })
  })
})

describe('stampedDownload through PostgreSQL and S3', () => {
  const db = getDb()
  const storage = getStorage()
  const run = randomUUID().slice(0, 8)
  let partnerOrganisationId: string
  let partner: Viewer
  let staff: Viewer
  let assetId: string
  let versionId: string
  let originalKey: string
  let originalBytes: Buffer
  const expiresAt = new Date(Date.now() + 90 * 24 * 3600 * 1000)

  async function originalEtag(): Promise<string | undefined> {
    return (await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: originalKey }))).ETag
  }

  async function objectTags(key: string): Promise<Map<string, unknown>> {
    const file = path.join(directory, `from-s3-${randomUUID().slice(0, 8)}${path.extname(key)}`)
    await writeFile(file, await storage.getBuffer(key))
    return readTags(file)
  }

  beforeAll(async () => {
    const people = await createReviewPeople(db, 'rights-stamp')
    const partnerOrganisation = await db.organisation.create({
      data: { name: `Acme Agency ${run}`, slug: `acme-rights-${run}`, kind: 'partner' },
    })
    partnerOrganisationId = partnerOrganisation.id
    const partnerUser = await db.user.create({
      data: {
        email: `partner-${run}@example.test`,
        name: `Partner ${run}`,
        passwordHash: 'not-a-real-hash',
        memberships: { create: { organisationId: partnerOrganisationId, roles: ['partner'] } },
      },
    })
    partner = { userId: partnerUser.id, roles: ['partner'], organisationId: partnerOrganisationId }
    staff = { userId: people.uploaderId, roles: ['librarian'], organisationId: people.organisationId }

    originalBytes = await colourImage().withExif({ IFD0: { Make: 'Canon', Model: 'EOS R5' } }).jpeg().toBuffer()
    const uploaded = await createUploadedVersion(db, storage, {
      people,
      bytes: originalBytes,
      mediaType: 'image/jpeg',
      filename: 'IMG_0042.JPG',
      title: `Harbour sunrise ${run}`,
    })
    assetId = uploaded.assetId
    versionId = uploaded.versionId
    await db.assetVersion.update({ where: { id: versionId }, data: { status: 'approved', promotedAt: new Date() } })
    await db.asset.update({ where: { id: assetId }, data: { currentVersionId: versionId } })
    originalKey = (await db.assetVersion.findUniqueOrThrow({ where: { id: versionId } })).storageKey
    await db.rightsGrant.create({
      data: {
        assetId,
        licenceType: 'royalty_free',
        licensor: 'Getty Images',
        reference: `GI-${run}`,
        expiresAt,
        timeZone: 'Europe/Berlin',
        createdById: people.uploaderId,
      },
    })
  })

  it('stores a stamped copy carrying the partner’s rights, reuses it, and never changes the original', async () => {
    const etagBefore = await originalEtag()
    const recipient = { kind: 'partner', organisationId: partnerOrganisationId } as const

    const first = await stampedDownload({ db, storage, assetId, versionId, recipient })
    expect(first.reused).toBe(false)
    expect(first.key).toMatch(new RegExp(`^stamped/${versionId}/[0-9a-f]{64}\\.jpg$`))
    expect(first.filename).toBe(`Harbour sunrise ${run}.jpg`)
    expect(first.mediaType).toBe('image/jpeg')

    const tags = await objectTags(first.key)
    expectRights(tags, first.stamp)
    expect(first.stamp.rights).toMatch(new RegExp(`^© Brand rights-stamp-[0-9a-f]{8}\\. Royalty-free licence from Getty Images \\(ref\\. GI-${run}\\)\\.$`))
    expect(first.stamp.usageTerms).toContain(`for Acme Agency ${run}: Any use worldwide, expires`)
    expect(first.stamp.webStatement).toBe(`${getEnv().PUBLIC_URL.replace(/\/+$/, '')}/portal/assets/${assetId}#rights`)
    expect(first.stamp.licenseEndDate).toBe(`${expiresAt.toISOString().slice(0, 19)}Z`)
    expect(tags.get('IFD0:Make')).toBe('Canon') // a download is the original plus its rights, not a stripped copy

    const second = await stampedDownload({ db, storage, assetId, versionId, recipient })
    expect(second).toMatchObject({ key: first.key, reused: true })

    // Partners in general get a copy of their own: the stamp names the recipient.
    const general = await stampedDownload({ db, storage, assetId, versionId, recipient: { kind: 'all-partners' } })
    expect(general.key).not.toBe(first.key)
    expect((await objectTags(general.key)).get('XMP-xmpRights:UsageTerms')).toContain('for all partners:')

    const stored = await storage.getBuffer(originalKey)
    expect(sha256(stored)).toBe(sha256(originalBytes))
    expect(await originalEtag()).toBe(etagBefore)
  })

  it('makes a fresh copy when the grants change', async () => {
    const recipient = { kind: 'partner', organisationId: partnerOrganisationId } as const
    const before = await stampedDownload({ db, storage, assetId, versionId, recipient })
    const grant = await db.rightsGrant.create({
      data: { assetId, licenceType: 'rights_managed', licensor: 'Studio North', channels: ['print'], territories: ['DE'], createdById: staff.userId },
    })
    try {
      const after = await stampedDownload({ db, storage, assetId, versionId, recipient })
      expect(after.key).not.toBe(before.key)
      expect(after.reused).toBe(false)
      expect(after.stamp.licenseEndDate).toBeUndefined() // the new grant has no expiry
      expect((await objectTags(after.key)).get('XMP-xmpRights:UsageTerms')).toContain('Print use in Germany, no expiry.')
    } finally {
      await db.rightsGrant.delete({ where: { id: grant.id } })
    }
  })

  it('serves the partner the stamped copy under the original’s name, audited, the original untouched', async () => {
    const etagBefore = await originalEtag()
    const download = await prepareDownload({ db, storage, viewer: partner, assetId, expiresInSeconds: 60, use: { channel: 'web', territory: 'GB' } })
    expect(download.deliverable).toBe('stamped')
    expect(download.key).toMatch(new RegExp(`^stamped/${versionId}/`))
    const response = await fetch(download.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toContain(`attachment; filename="Harbour sunrise ${run}.jpg"`)
    const file = await write(`downloaded-${run}.jpg`, Buffer.from(await response.arrayBuffer()))
    const tags = await readTags(file)
    expect(tags.get('XMP-dc:Rights')).toContain(`Getty Images (ref. GI-${run})`)
    expect(tags.get('XMP-xmpRights:UsageTerms')).toContain(`for Acme Agency ${run}:`)
    expect((await pixels(file)).equals(await sharp(originalBytes).raw().toBuffer())).toBe(true)

    const event = await db.auditEvent.findFirst({ where: { action: 'asset.download', subjectId: assetId, actorId: partner.userId }, orderBy: { seq: 'desc' } })
    expect(event?.detail).toMatchObject({ versionId, deliverable: 'stamped', objectKey: download.key })
    expect(sha256(await storage.getBuffer(originalKey))).toBe(sha256(originalBytes))
    expect(await originalEtag()).toBe(etagBefore)
  })

  it('refuses partners a file that cannot carry its rights, and hands staff the untouched original', async () => {
    const people = await createReviewPeople(db, 'rights-mp3')
    const mp3 = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(64)])
    const uploaded = await createUploadedVersion(db, storage, { people, bytes: mp3, mediaType: 'audio/mpeg', filename: 'jingle.mp3', title: `Jingle ${run}` })
    await db.assetVersion.update({ where: { id: uploaded.versionId }, data: { status: 'approved' } })
    await db.asset.update({ where: { id: uploaded.assetId }, data: { currentVersionId: uploaded.versionId } })

    const audited = () => db.auditEvent.count({ where: { action: 'asset.download', subjectId: uploaded.assetId } })
    await expect(prepareDownload({ db, storage, viewer: partner, assetId: uploaded.assetId, expiresInSeconds: 60, use: { channel: 'web', territory: 'GB' } })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === 'UNSUPPORTED_MEDIA_TYPE' && /cannot carry its usage rights/.test(error.message),
    )
    expect(await audited()).toBe(0)

    const staffDownload = await prepareDownload({ db, storage, viewer: staff, assetId: uploaded.assetId, expiresInSeconds: 60 })
    expect(staffDownload).toMatchObject({ deliverable: 'original', filename: `Jingle ${run}.mp3` })
    expect(Buffer.from(await (await fetch(staffDownload.url)).arrayBuffer()).equals(mp3)).toBe(true)
    expect(await audited()).toBe(1)
  })
})
