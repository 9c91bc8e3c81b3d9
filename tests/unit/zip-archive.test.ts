/**
 * The zip reader against archives built here: a normal tree comes out with the
 * right paths (folders and Finder clutter left out), and each hostile archive is
 * refused before any entry is read, with a message naming what is wrong. An entry
 * whose data inflates past its declared size is cut off while reading.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '~/errors.server'
import { openZipArchive, type ZipLimits } from '~/assets/zip-archive.server'
import { handmadeZip, wellFormedZip, type HandmadeEntry } from '../support/zip-fixtures'

const LIMITS: ZipLimits = { maxEntries: 10_000, maxUncompressedBytes: 20 * 1024 ** 3, maxRatio: 100 }
let folder: string
let written = 0

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'damson-zip-test-'))
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

async function onDisk(bytes: Uint8Array): Promise<string> {
  const file = path.join(folder, `archive-${++written}.zip`)
  await writeFile(file, bytes)
  return file
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** The archive is refused on opening, with this status and message. */
async function expectRefused(bytes: Uint8Array, status: number, message: RegExp, limits: ZipLimits = LIMITS): Promise<void> {
  const file = await onDisk(bytes)
  const error: unknown = await openZipArchive(file, 'upload.zip', limits).then(
    (archive) => {
      archive.close()
      return undefined
    },
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).status).toBe(status)
  expect((error as AppError).message).toMatch(message)
}

const withImage = (entry: HandmadeEntry): HandmadeEntry[] => [{ name: 'fine.jpg', data: randomBytes(2000) }, entry]

describe('openZipArchive', () => {
  it('lists a nested tree with normalised paths, leaving out folders, __MACOSX and .DS_Store, and streams each file', async () => {
    const hero = randomBytes(300_000)
    const logo = randomBytes(5_000)
    const top = Buffer.from('GIF89a top level')
    const file = await onDisk(
      await wellFormedZip([
        { name: 'campaigns/' },
        { name: 'campaigns/summer/' },
        { name: 'campaigns/summer/hero.jpg', data: hero },
        { name: 'campaigns/summer/.DS_Store', data: Buffer.from('finder') },
        { name: 'campaigns/logo.png', data: logo },
        { name: '__MACOSX/campaigns/._logo.png', data: Buffer.from('resource fork') },
        { name: 'top.gif', data: top },
      ]),
    )
    const archive = await openZipArchive(file, 'tree.zip', LIMITS)
    try {
      expect(archive.files).toEqual([
        { path: 'campaigns/summer/hero.jpg', folder: 'campaigns/summer', filename: 'hero.jpg', bytes: hero.byteLength },
        { path: 'campaigns/logo.png', folder: 'campaigns', filename: 'logo.png', bytes: logo.byteLength },
        { path: 'top.gif', folder: '', filename: 'top.gif', bytes: top.byteLength },
      ])
      expect(archive.totalBytes).toBe(hero.byteLength + logo.byteLength + top.byteLength)
      const contents = new Map<string, Buffer>()
      for await (const entry of archive.entries()) contents.set(entry.path, await readAll(entry.stream))
      expect(contents.get('campaigns/summer/hero.jpg')?.equals(hero)).toBe(true)
      expect(contents.get('campaigns/logo.png')?.equals(logo)).toBe(true)
      expect(contents.get('top.gif')?.equals(top)).toBe(true)
    } finally {
      archive.close()
    }
  })

  it('drops "." and empty segments from entry paths', async () => {
    const file = await onDisk(handmadeZip([{ name: './brand//logos/./mark.png', data: Buffer.from('png') }]))
    const archive = await openZipArchive(file, 'dots.zip', LIMITS)
    archive.close()
    expect(archive.files.map((entry) => [entry.path, entry.folder])).toEqual([['brand/logos/mark.png', 'brand/logos']])
  })

  it('refuses a zip bomb (50 MB of zeros deflated) by its compression ratio', async () => {
    const bomb = await wellFormedZip([{ name: 'fine.jpg', data: randomBytes(2000) }, { name: 'zeros.tif', data: Buffer.alloc(50 * 1024 * 1024) }])
    expect(bomb.byteLength).toBeLessThan(200 * 1024)
    await expectRefused(bomb, 413, /^upload\.zip was refused: the entry “zeros\.tif” expands \d[\d,]* times \(.+ to 50 MB\), more than the 100:1 allowed; it looks like a zip bomb\. Nothing from it was stored\.$/)
  })

  it('refuses more entries than the limit before reading any', async () => {
    const entries = Array.from({ length: 11 }, (_, index) => ({ name: `image-${index}.jpg`, data: Buffer.from(`image ${index}`) }))
    await expectRefused(handmadeZip(entries), 413, /^upload\.zip lists 11 entries; a zip archive may hold at most 10\.$/, { ...LIMITS, maxEntries: 10 })
  })

  it('refuses archives whose files together expand past the limit', async () => {
    const entries = [
      { name: 'a.jpg', data: randomBytes(600) },
      { name: 'b.jpg', data: randomBytes(600) },
    ]
    await expectRefused(handmadeZip(entries), 413, /^upload\.zip expands to more than 1000 bytes, the limit for a zip archive\./, {
      ...LIMITS,
      maxUncompressedBytes: 1000,
    })
  })

  it('refuses an entry that climbs out with ../', async () => {
    await expectRefused(handmadeZip(withImage({ name: '../evil.jpg', data: Buffer.from('x') })), 400, /^upload\.zip was refused: the entry “\.\.\/evil\.jpg” climbs out of the archive with “\.\.”\. Nothing from it was stored\.$/)
    await expectRefused(handmadeZip(withImage({ name: 'campaigns/../../evil.jpg', data: Buffer.from('x') })), 400, /climbs out of the archive/)
  })

  it('refuses absolute paths, drive letters and backslash tricks', async () => {
    await expectRefused(handmadeZip(withImage({ name: '/etc/passwd', data: Buffer.from('root:x:0:0') })), 400, /^upload\.zip was refused: the entry “\/etc\/passwd” has an absolute path\./)
    await expectRefused(handmadeZip(withImage({ name: 'C:/Windows/evil.jpg', data: Buffer.from('x') })), 400, /the entry “C:\/Windows\/evil\.jpg” names a drive/)
    await expectRefused(handmadeZip(withImage({ name: '..\\..\\evil.jpg', data: Buffer.from('x') })), 400, /the entry “\.\.\\\.\.\\evil\.jpg” has a backslash in its name/)
  })

  it('refuses a symbolic link entry', async () => {
    await expectRefused(
      handmadeZip(withImage({ name: 'photos/link.jpg', data: Buffer.from('/etc/passwd'), method: 0, unixMode: 0o120777 })),
      400,
      /^upload\.zip was refused: the entry “photos\/link\.jpg” is a symbolic link; links are not accepted in archives\./,
    )
  })

  it('refuses other non-regular entries (a named pipe)', async () => {
    await expectRefused(handmadeZip(withImage({ name: 'pipe', method: 0, unixMode: 0o010644 })), 400, /the entry “pipe” is not a regular file or folder/)
  })

  it('refuses an encrypted entry', async () => {
    await expectRefused(handmadeZip(withImage({ name: 'secret.jpg', data: randomBytes(100), flags: 0x1 })), 400, /^upload\.zip was refused: the entry “secret\.jpg” is encrypted; upload archives without a password\./)
  })

  it('refuses a stored entry whose sizes disagree', async () => {
    await expectRefused(handmadeZip(withImage({ name: 'liar.jpg', data: randomBytes(100), method: 0, declaredSize: 10 })), 400, /an entry declares sizes that do not match its data/)
  })

  it('refuses a file that is not a zip archive', async () => {
    await expectRefused(Buffer.from('PK\u0003\u0004 and then nothing a zip reader can use'), 400, /^upload\.zip could not be read as a zip archive \(.+\)\. Nothing from it was stored\.$/)
  })

  it('cuts off an entry whose data inflates past its declared size', async () => {
    // 1,000 bytes declared (too small for the ratio check), 4 MB of zeros inside.
    const file = await onDisk(handmadeZip([{ name: 'liar.jpg', data: Buffer.alloc(4 * 1024 * 1024), declaredSize: 1000 }]))
    const archive = await openZipArchive(file, 'upload.zip', LIMITS)
    try {
      expect(archive.files).toEqual([{ path: 'liar.jpg', folder: '', filename: 'liar.jpg', bytes: 1000 }])
      let received = 0
      const error: unknown = await (async () => {
        for await (const chunk of await archive.open(archive.files[0]!)) received += chunk.byteLength
      })().then(
        () => undefined,
        (reason: unknown) => reason,
      )
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).message).toBe('liar.jpg in upload.zip holds more data than the archive declares (1000 bytes); it was cut off and not stored.')
      expect(received).toBeLessThanOrEqual(1000)
    } finally {
      archive.close()
    }
  })
})
