/**
 * Zip archives for tests. Well-formed ones come from yazl, as a real archiver
 * would write them. Hostile ones are written byte by byte (`handmadeZip`): yazl
 * rightly refuses `../` or absolute names, symbolic links, encryption flags and
 * sizes that lie. The hand-made writer does only what the tests need: local
 * headers, data (stored or deflated), the central directory and its end record;
 * no zip64, no data descriptors.
 */
import { crc32, deflateRawSync } from 'node:zlib'
import yazl from 'yazl'

/** A file (with data) or, for a name ending in "/", a folder entry. */
export type WellFormedEntry = { name: string; data?: Uint8Array }

export async function wellFormedZip(entries: readonly WellFormedEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const entry of entries) {
    if (entry.name.endsWith('/')) zip.addEmptyDirectory(entry.name)
    else zip.addBuffer(Buffer.from(entry.data ?? new Uint8Array(0)), entry.name)
  }
  zip.end()
  const chunks: Buffer[] = []
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

export type HandmadeEntry = {
  /** Written exactly as given: may be absolute, climb with `..`, hold backslashes. */
  name: string
  data?: Uint8Array
  /** 8 (deflated, the default) or 0 (stored). */
  method?: 0 | 8
  /** The uncompressed size the headers claim; the data's real size by default. */
  declaredSize?: number
  /** General purpose flags (bit 0: encrypted). */
  flags?: number
  /** Unix mode for the high 16 bits of the external attributes (e.g. 0o120777 for a symlink). */
  unixMode?: number
}

/** Made on Unix (3), spec version 3.0: what Info-ZIP writes. */
const MADE_ON_UNIX = (3 << 8) | 30
const VERSION_NEEDED = 20

export function handmadeZip(entries: readonly HandmadeEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const data = Buffer.from(entry.data ?? new Uint8Array(0))
    const method = entry.method ?? 8
    const body = method === 8 ? deflateRawSync(data) : data
    const checksum = crc32(data)
    const size = entry.declaredSize ?? data.byteLength
    const flags = (entry.flags ?? 0) | 0x800 // names are UTF-8

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(VERSION_NEEDED, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(0, 10) // time
    local.writeUInt16LE((2027 - 1980) << 9 | (1 << 5) | 1, 12) // date
    local.writeUInt32LE(checksum, 14)
    local.writeUInt32LE(body.byteLength, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.byteLength, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, body)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(MADE_ON_UNIX, 4)
    central.writeUInt16LE(VERSION_NEEDED, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(0, 12)
    central.writeUInt16LE((2027 - 1980) << 9 | (1 << 5) | 1, 14)
    central.writeUInt32LE(checksum, 16)
    central.writeUInt32LE(body.byteLength, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.byteLength, 28)
    central.writeUInt16LE(0, 30) // extra
    central.writeUInt16LE(0, 32) // comment
    central.writeUInt16LE(0, 34) // disk
    central.writeUInt16LE(0, 36) // internal attributes
    central.writeUInt32LE(((entry.unixMode ?? (entry.name.endsWith('/') ? 0o040755 : 0o100644)) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)

    offset += local.byteLength + name.byteLength + body.byteLength
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(0, 4)
  end.writeUInt16LE(0, 6)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.byteLength, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(0, 20)
  return Buffer.concat([...locals, directory, end])
}
