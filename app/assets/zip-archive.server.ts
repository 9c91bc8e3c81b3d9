/**
 * Reading an uploaded zip archive safely, entry by entry, from a file on disk.
 *
 * Everything the central directory can tell is checked before a single entry is
 * read, so a hostile archive is refused whole and nothing from it is stored: the
 * number of entries, every name (no absolute paths, drive letters, backslashes or
 * `..` segments), every entry's kind (regular files and folders only: no symbolic
 * links, devices or pipes), encryption, the compression method, each entry's
 * compression ratio and the total uncompressed size. The sizes the directory
 * declares are then enforced while reading: an entry that inflates past its
 * declared size is cut off there (yauzl checks it too; this module counts on its
 * own so the limit and the message do not depend on the library).
 *
 * Neither the archive nor an entry is ever held in memory: yauzl reads the
 * directory record by record (`lazyEntries`) and each entry streams from disk.
 */
import type { Readable } from 'node:stream'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { getEnv } from '~/env.server'
import { AppError } from '~/errors.server'
import { formatSize } from '~/domain/byte-size'

export type ZipLimits = {
  /** Most entries (files, folders and skipped clutter alike) the central directory may list. */
  maxEntries: number
  /** Most bytes the files together may expand to, by their declared sizes. */
  maxUncompressedBytes: number
  /** Highest uncompressed:compressed ratio for entries larger than RATIO_CHECKED_FROM_BYTES. */
  maxRatio: number
}

/**
 * Small entries may compress very well for innocent reasons (a blank 300 KB TIFF),
 * and cannot hurt: the ratio only matters once the expanded size does.
 */
export const RATIO_CHECKED_FROM_BYTES = 1024 * 1024

export function zipLimitsFromEnv(): ZipLimits {
  const env = getEnv()
  return { maxEntries: env.ZIP_MAX_ENTRIES, maxUncompressedBytes: env.ZIP_MAX_UNCOMPRESSED_BYTES, maxRatio: env.ZIP_MAX_RATIO }
}

/** A file inside the archive, as the central directory describes it. */
export type ArchivedFile = {
  /** Folders and filename, slash-separated, without empty or "." segments: "campaigns/summer/hero.jpg". */
  path: string
  /** The folders alone ("campaigns/summer"), "" for a file at the top. */
  folder: string
  /** The last segment of the path ("hero.jpg"). */
  filename: string
  /** The declared uncompressed size; reading never yields more. */
  bytes: number
}

export type ArchivedFileStream = ArchivedFile & { stream: AsyncIterable<Uint8Array> }

/** An opened, checked archive. Close it when done (also after an error). */
export type ZipArchive = {
  /** The files to import, in the archive's order; folders and clutter are already left out. */
  readonly files: readonly ArchivedFile[]
  /** The sum of the files' declared sizes. */
  readonly totalBytes: number
  /** The bytes of one file, inflated as they are read and cut off past the declared size. */
  open(file: ArchivedFile): Promise<AsyncIterable<Uint8Array>>
  /** Each file with its stream, one after another; read each stream before asking for the next. */
  entries(): AsyncGenerator<ArchivedFileStream>
  close(): void
}

/** A file system object type in the high 16 bits of a Unix-made entry's external attributes. */
const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000
/** MS-DOS attribute bit for a folder, in the low byte of the external attributes. */
const DOS_DIRECTORY = 0x10
/** General purpose flag bits: traditional (bit 0) and strong (bit 6) encryption. */
const ENCRYPTED_FLAGS = 0x01 | 0x40
const STORED = 0
const DEFLATED = 8

/** Entries left out without complaint: what macOS Finder and Windows Explorer add to archives. */
function isClutter(segments: readonly string[]): boolean {
  const last = segments[segments.length - 1] ?? ''
  return segments[0] === '__MACOSX' || last === '.DS_Store' || last === 'Thumbs.db' || last === 'desktop.ini'
}

/**
 * Opens `filePath` and checks its whole central directory against `limits`.
 * `archiveName` is the name people know the archive by, for messages.
 * Throws an AppError (400 for unsafe or damaged content, 413 for limits) and keeps
 * nothing open when the archive is refused.
 */
export async function openZipArchive(filePath: string, archiveName: string, limits: ZipLimits = zipLimitsFromEnv()): Promise<ZipArchive> {
  let zip: ZipFile
  try {
    zip = await yauzl.openPromise(filePath, {
      lazyEntries: true,
      autoClose: false,
      // Names are decoded and checked here, with messages of our own; yauzl would
      // silently turn backslashes into slashes.
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: true,
    })
  } catch (error) {
    throw unreadable(archiveName, error)
  }

  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `${archiveName} lists ${zip.entryCount.toLocaleString('en-GB')} entries; a zip archive may hold at most ${limits.maxEntries.toLocaleString('en-GB')}.`,
      )
    }
    const files: ArchivedFile[] = []
    const entries = new Map<ArchivedFile, Entry>()
    let totalBytes = 0
    for (;;) {
      const entry = await nextEntry(zip, archiveName)
      if (!entry) break
      const checked = checkEntry(entry, archiveName, limits)
      if (!checked) continue
      totalBytes += checked.bytes
      if (totalBytes > limits.maxUncompressedBytes) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `${archiveName} expands to more than ${formatSize(limits.maxUncompressedBytes)}, the limit for a zip archive. Split it into smaller archives.`,
        )
      }
      files.push(checked)
      entries.set(checked, entry)
    }

    const open = async (file: ArchivedFile): Promise<AsyncIterable<Uint8Array>> => {
      const entry = entries.get(file)
      if (!entry) throw new Error(`${file.path} is not a file of ${archiveName}`)
      let stream: Readable
      try {
        stream = await zip.openReadStreamPromise(entry)
      } catch (error) {
        throw damagedEntry(archiveName, file, error)
      }
      return cappedAt(stream, archiveName, file)
    }

    return {
      files,
      totalBytes,
      open,
      entries: async function* () {
        for (const file of files) yield { ...file, stream: await open(file) }
      },
      close: () => zip.close(),
    }
  } catch (error) {
    zip.close()
    throw error
  }
}

/** The next central directory record, or null at the end. */
function nextEntry(zip: ZipFile, archiveName: string): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanUp = () => {
      zip.off('entry', onEntry)
      zip.off('end', onEnd)
      zip.off('error', onError)
    }
    const onEntry = (entry: Entry) => {
      cleanUp()
      resolve(entry)
    }
    const onEnd = () => {
      cleanUp()
      resolve(null)
    }
    const onError = (error: unknown) => {
      cleanUp()
      reject(unreadable(archiveName, error))
    }
    zip.on('entry', onEntry)
    zip.on('end', onEnd)
    zip.on('error', onError)
    zip.readEntry()
  })
}

/**
 * The file an entry holds, or null for a folder or clutter; throws for anything
 * unsafe. Runs before any entry is read, so a refusal stores nothing.
 */
function checkEntry(entry: Entry, archiveName: string, limits: ZipLimits): ArchivedFile | null {
  // decodeStrings is off: the raw name, decoded as yauzl would (UTF-8 flag, Info-ZIP
  // Unicode path field, else CP437) but with backslashes kept so they can be refused.
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true)
  const shown = printable(name)
  const refuse = (why: string) => new AppError('BAD_REQUEST', `${archiveName} was refused: ${why}. Nothing from it was stored.`)

  if (name.length === 0) throw refuse('an entry has no name')
  if (name.includes('\\')) throw refuse(`the entry “${shown}” has a backslash in its name, which can smuggle a path out of its folder`)
  if (/^[a-zA-Z]:/.test(name)) throw refuse(`the entry “${shown}” names a drive (an absolute Windows path)`)
  if (name.startsWith('/')) throw refuse(`the entry “${shown}” has an absolute path`)
  const segments = name.split('/')
  if (segments.includes('..')) throw refuse(`the entry “${shown}” climbs out of the archive with “..”`)
  if (/[\u0000-\u001f\u007f]/.test(name)) throw refuse(`the entry “${shown}” has control characters in its name`)

  const unixMode = entry.externalFileAttributes >>> 16
  const type = unixMode & S_IFMT
  const isFolder = name.endsWith('/') || type === S_IFDIR || (type === 0 && (entry.externalFileAttributes & DOS_DIRECTORY) !== 0)
  if (type === S_IFLNK) throw refuse(`the entry “${shown}” is a symbolic link; links are not accepted in archives`)
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    throw refuse(`the entry “${shown}” is not a regular file or folder (a device, pipe or socket)`)
  }
  if ((entry.generalPurposeBitFlag & ENCRYPTED_FLAGS) !== 0) {
    throw refuse(`the entry “${shown}” is encrypted; upload archives without a password`)
  }
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw refuse(`the entry “${shown}” uses compression method ${entry.compressionMethod}; only stored and deflated entries can be read`)
  }
  if (entry.uncompressedSize > RATIO_CHECKED_FROM_BYTES) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1)
    if (ratio > limits.maxRatio) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `${archiveName} was refused: the entry “${shown}” expands ${Math.round(ratio).toLocaleString('en-GB')} times ` +
          `(${formatSize(entry.compressedSize)} to ${formatSize(entry.uncompressedSize)}), more than the ${limits.maxRatio}:1 allowed; ` +
          'it looks like a zip bomb. Nothing from it was stored.',
      )
    }
  }

  if (isFolder) {
    if (entry.uncompressedSize > 0) throw refuse(`the folder entry “${shown}” carries data`)
    return null
  }
  const kept = segments.filter((segment) => segment !== '' && segment !== '.')
  if (kept.length === 0 || isClutter(kept)) return null
  const filename = kept[kept.length - 1]!
  return { path: kept.join('/'), folder: kept.slice(0, -1).join('/'), filename, bytes: entry.uncompressedSize }
}

/**
 * Yields an entry's inflated bytes and stops with an error the moment they pass the
 * size the central directory declared (or end short of it), so the checks made on
 * the declared sizes hold for what is actually read.
 */
async function* cappedAt(stream: Readable, archiveName: string, file: ArchivedFile): AsyncGenerator<Uint8Array> {
  let read = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.byteLength
      if (read > file.bytes) throw inflatesPastDeclared(archiveName, file)
      yield chunk
    }
  } catch (error) {
    if (error instanceof AppError) throw error
    // yauzl counts too (validateEntrySizes) and may notice first.
    if (error instanceof Error && /too many bytes/.test(error.message)) throw inflatesPastDeclared(archiveName, file)
    throw damagedEntry(archiveName, file, error)
  } finally {
    // Reached early when the reader stops (a refused type): release the file handle.
    stream.destroy()
  }
  if (read < file.bytes) throw damagedEntry(archiveName, file, new Error(`ended after ${read} of ${file.bytes} bytes`))
}

function unreadable(archiveName: string, cause: unknown): AppError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  if (/size mismatch/.test(detail)) {
    return new AppError('BAD_REQUEST', `${archiveName} was refused: an entry declares sizes that do not match its data. Nothing from it was stored.`)
  }
  return new AppError('BAD_REQUEST', `${archiveName} could not be read as a zip archive (${detail}). Nothing from it was stored.`)
}

function inflatesPastDeclared(archiveName: string, file: ArchivedFile): AppError {
  return new AppError(
    'BAD_REQUEST',
    `${file.path} in ${archiveName} holds more data than the archive declares (${formatSize(file.bytes)}); it was cut off and not stored.`,
  )
}

function damagedEntry(archiveName: string, file: ArchivedFile, cause: unknown): AppError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new AppError('BAD_REQUEST', `${file.path} in ${archiveName} is damaged and was not stored (${detail}).`)
}

/** A name as it may be shown: control characters made visible, long names shortened. */
function printable(name: string): string {
  const visible = name.replace(/[\u0000-\u001f\u007f]/g, '?')
  return visible.length > 120 ? `${visible.slice(0, 117)}…` : visible
}
