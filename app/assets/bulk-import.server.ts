/**
 * Importing many files at once: a zip archive (from the upload form or the command
 * line) or a folder tree (`npm run import`). The tree becomes the assets' folders:
 * `campaigns/summer/hero.jpg` imported under `/brand` becomes the asset "hero" in
 * `/brand/campaigns/summer`.
 *
 * Each file goes through `uploadAsset`, so it gets the same checks as a single
 * upload (size limit, type sniffed from its bytes, nothing half stored). A refused
 * file is recorded with its reason and the batch goes on; only storage being
 * unavailable stops it, since every later file would fail the same way.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdtemp, opendir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { toCurrentUser, type CurrentUser } from '~/auth.server'
import type { Db } from '~/db.server'
import { hasPermission, PERMISSIONS } from '~/domain/roles'
import { AppError, isAppError } from '~/errors.server'
import { titleFromFilename, uploadAsset, type UploadOutcome } from './upload.server'
import { formatSize } from '~/domain/byte-size'
import { openZipArchive, zipLimitsFromEnv, type ZipLimits } from './zip-archive.server'
import type { Storage } from '~/storage.server'

/** Files imported at the same time: enough to overlap S3 and the database, gentle on a small server. */
export const IMPORT_CONCURRENCY = 2

/** One file of a batch, opened only when its turn comes. */
export type ImportFile = {
  /** Where it sits in the archive or folder, slash-separated: "campaigns/summer/hero.jpg". */
  path: string
  /** Its folders within the archive or folder ("campaigns/summer"), "" at the top. */
  folder: string
  filename: string
  /** Its size as known before reading (declared by the archive, or from the file system). */
  bytes: number
  open(): Promise<AsyncIterable<Uint8Array>>
}

export type ImportProgress = {
  /** Files finished, imported or refused. */
  done: number
  total: number
  /** Bytes of the finished files. */
  bytes: number
  totalBytes: number
  /** The file most recently started. */
  current: string
}

export type ImportOptions = {
  db: Db
  storage: Storage
  uploader: CurrentUser
  /** The folder the tree goes under ("/brand/2027"); the library's root when empty. */
  baseFolder?: string | null
  description?: string | null
  tags?: readonly string[] | null
  collectionId?: string | null
  /** Largest accepted file in bytes; defaults to MAX_UPLOAD_BYTES. */
  maxBytes?: number
  ipAddress?: string | null
  onProgress?: (progress: ImportProgress) => void
}

/**
 * Imports `files` two at a time. The outcomes come back in the files' order, one
 * per file, `filename` being the file's path in the archive or folder.
 */
export async function importFiles(options: ImportOptions & { files: readonly ImportFile[] }): Promise<UploadOutcome[]> {
  const { files, onProgress } = options
  const outcomes: UploadOutcome[] = new Array<UploadOutcome>(files.length)
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0)
  let next = 0
  let done = 0
  let doneBytes = 0
  let current = ''
  /** Set when storage is unavailable: the files not yet started are reported, not tried. */
  let stoppedBy: AppError | null = null
  /** A bug (not an AppError): the batch stops and it is rethrown once both workers are idle. */
  const failures: unknown[] = []

  const report = () => onProgress?.({ done, total: files.length, bytes: doneBytes, totalBytes, current })

  async function work(): Promise<void> {
    while (next < files.length && failures.length === 0) {
      const index = next++
      const file = files[index]!
      if (stoppedBy) {
        outcomes[index] = { ok: false, filename: file.path, status: stoppedBy.status, message: `${file.path} was not imported: ${stoppedBy.message}` }
      } else {
        current = file.path
        report()
        try {
          outcomes[index] = await importOne(options, file)
        } catch (error) {
          if (!isAppError(error)) {
            failures.push(error)
            return
          }
          outcomes[index] = { ok: false, filename: file.path, status: error.status, message: error.message }
          if (error.code === 'UNAVAILABLE') stoppedBy = error
        }
      }
      done += 1
      doneBytes += file.bytes
      report()
    }
  }

  await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, files.length) }, () => work()))
  if (failures.length > 0) throw failures[0]
  return outcomes
}

async function importOne(options: ImportOptions, file: ImportFile): Promise<UploadOutcome> {
  const stream = await file.open()
  const result = await uploadAsset({
    db: options.db,
    storage: options.storage,
    uploader: options.uploader,
    file: { stream, filename: file.filename },
    folderPath: `${options.baseFolder ?? ''}/${file.folder}`,
    description: options.description,
    tags: options.tags,
    collectionId: options.collectionId,
    maxBytes: options.maxBytes,
    ipAddress: options.ipAddress,
  })
  return { ok: true, filename: file.path, title: titleFromFilename(file.filename), assetId: result.assetId, versionId: result.versionId }
}

// ───────────────────────────── a zip archive

/**
 * Imports the files of the zip archive at `archivePath`. The whole archive is
 * checked first (see zip-archive.server): a refused archive throws its AppError and
 * nothing from it is stored.
 */
export async function importArchive(
  options: ImportOptions & { archivePath: string; archiveName: string; limits?: ZipLimits },
): Promise<UploadOutcome[]> {
  const archive = await openZipArchive(options.archivePath, options.archiveName, options.limits)
  try {
    if (archive.files.length === 0) {
      throw new AppError('BAD_REQUEST', `${options.archiveName} holds no files to import (only folders, or nothing at all).`)
    }
    const files: ImportFile[] = archive.files.map((file) => ({ ...file, open: () => archive.open(file) }))
    return await importFiles({ ...options, files })
  } finally {
    archive.close()
  }
}

/**
 * A zip archive arriving in an upload form: spooled to a private temporary file
 * (zip's directory is at its end, so it cannot be read as it streams in), checked
 * and imported. The temporary file is removed whatever happens.
 *
 * A refused archive becomes one refused outcome under its own name; an archive
 * larger than the zip limit throws (PAYLOAD_TOO_LARGE), as the rest of the request
 * may be as large.
 */
export async function receiveZipArchive(
  options: ImportOptions & { stream: AsyncIterable<Uint8Array>; archiveName: string; limits?: ZipLimits },
): Promise<UploadOutcome[]> {
  const limits = options.limits ?? zipLimitsFromEnv()
  const folder = await mkdtemp(path.join(tmpdir(), 'damson-zip-'))
  try {
    const archivePath = path.join(folder, 'upload.zip')
    await spool(options.stream, archivePath, limits.maxUncompressedBytes, options.archiveName)
    try {
      return await importArchive({ ...options, archivePath, limits })
    } catch (error) {
      if (!isAppError(error)) throw error
      return [{ ok: false, filename: options.archiveName, status: error.status, message: error.message }]
    }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

/** Writes the stream to `target` (owner-only), refusing it once it passes `maxBytes`. */
async function spool(stream: AsyncIterable<Uint8Array>, target: string, maxBytes: number, archiveName: string): Promise<void> {
  let written = 0
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.byteLength
      if (written > maxBytes) {
        callback(new AppError('PAYLOAD_TOO_LARGE', `${archiveName} is larger than the ${formatSize(maxBytes)} limit for a zip archive.`))
        return
      }
      callback(null, chunk)
    },
  })
  try {
    await pipeline(Readable.from(stream, { objectMode: false }), limit, createWriteStream(target, { flags: 'wx', mode: 0o600 }))
  } catch (error) {
    if (isAppError(error)) throw error
    // The client going away mid-upload lands here too; either way nothing was stored.
    console.error(`spooling ${archiveName} to ${target} failed:`, error)
    throw new AppError('UNAVAILABLE', `${archiveName} could not be received: the server could not write it to temporary space. Try again in a moment.`)
  }
}

// ───────────────────────────── a folder on disk (the command line)

/** What a folder walk found: the files to import and the entries refused on sight. */
export type FolderListing = { files: ImportFile[]; refused: UploadOutcome[] }

/** Entries left out without comment: what Finder and Explorer leave in folders. */
const FOLDER_CLUTTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '__MACOSX'])

/**
 * Every regular file under `root`, depth first in name order. Symbolic links are
 * never followed (one could lead anywhere on the machine): each is refused with
 * that reason, as are sockets, pipes and devices.
 */
export async function listFolder(root: string): Promise<FolderListing> {
  const files: ImportFile[] = []
  const refused: UploadOutcome[] = []
  async function walk(relative: string): Promise<void> {
    const directory = await opendir(path.join(root, relative))
    const entries = []
    for await (const entry of directory) entries.push(entry)
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (FOLDER_CLUTTER.has(entry.name) || entry.name.startsWith('._')) continue
      const entryPath = relative ? `${relative}/${entry.name}` : entry.name
      if (entry.isSymbolicLink()) {
        refused.push({ ok: false, filename: entryPath, status: 400, message: `${entryPath} is a symbolic link; links are not followed.` })
      } else if (entry.isDirectory()) {
        await walk(entryPath)
      } else if (entry.isFile()) {
        const absolute = path.join(root, entryPath)
        const stats = await lstat(absolute)
        files.push({
          path: entryPath,
          folder: relative,
          filename: entry.name,
          bytes: stats.size,
          open: async () => createReadStream(absolute),
        })
      } else {
        refused.push({ ok: false, filename: entryPath, status: 400, message: `${entryPath} is not a regular file (a device, pipe or socket).` })
      }
    }
  }
  await walk('')
  return { files, refused }
}

/** Imports a folder tree; entries refused on sight come first in the outcomes. */
export async function importFolder(options: ImportOptions & { folderPath: string }): Promise<UploadOutcome[]> {
  const { files, refused } = await listFolder(options.folderPath)
  return [...refused, ...(await importFiles({ ...options, files }))]
}

// ───────────────────────────── the importing user (the command line)

/**
 * The user an import acts as, found by email, under the same rule the upload
 * routes apply (the asset:upload permission of their roles, an active account
 * with an organisation).
 */
export async function findImportingUser(db: Db, email: string): Promise<CurrentUser> {
  const user = await db.user.findFirst({
    where: { email: { equals: email.trim(), mode: 'insensitive' } },
    select: {
      id: true,
      email: true,
      name: true,
      disabledAt: true,
      memberships: {
        orderBy: { createdAt: 'asc' },
        take: 1,
        select: { roles: true, organisation: { select: { id: true, name: true, kind: true } } },
      },
    },
  })
  if (!user) throw new AppError('NOT_FOUND', `No user has the email ${email}.`)
  if (user.disabledAt) throw new AppError('FORBIDDEN', `${user.email} is disabled and cannot import.`)
  const membership = user.memberships[0]
  if (!membership) throw new AppError('FORBIDDEN', `${user.email} does not belong to an organisation yet.`)
  const importer = toCurrentUser(user, membership)
  if (!hasPermission(importer.roles, 'asset:upload')) {
    const allowed = PERMISSIONS['asset:upload'].join(' or ')
    throw new AppError('FORBIDDEN', `${user.email} may not upload (role: ${importer.roles.join(', ') || 'none'}); importing needs the ${allowed} role.`)
  }
  return importer
}
