/**
 * `npm run import -- <folder|zip> --as <email> [--folder /base] [--tags a,b]`
 *
 * Imports every file of a folder tree or a zip archive as new assets, acting as the
 * named user (who needs the upload permission, as on the upload page). The tree
 * becomes the asset folders under --folder. Each file is checked as an upload is
 * (size, type sniffed from its bytes); a refused file is listed with its reason and
 * the rest go on. Symbolic links in the folder are never followed.
 *
 * Talks to the services in the environment (DATABASE_URL, S3_*, TEMPORAL_*), or to
 * the local stack `npm start` runs (its .data/dev/stack.env.json). A worker must be
 * running for the new versions to be processed; the import only starts that.
 *
 * Progress: one updating line on a terminal, else a line per 10 %. Exit code 0 when
 * every file was imported, 1 when some were refused, 2 for a wrong invocation (or a
 * user who may not upload), 3 when the import could not run (a service down).
 */
import { existsSync, readFileSync } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { ImportProgress } from '~/assets/bulk-import.server'
import type { UploadOutcome } from '~/assets/upload.server'

const USAGE = 'Usage: npm run import -- <folder|zip> --as <email> [--folder /base] [--tags a,b]'
const EXIT_ALL_IMPORTED = 0
const EXIT_SOME_REFUSED = 1
const EXIT_USAGE = 2
/** The import could not run at all (a service down, a bug): nothing says which files made it. */
const EXIT_FAILED = 3

/** A wrong invocation: the message, then the usage line, exit 2. */
class UsageError extends Error {}

type Invocation = { source: string; email: string; baseFolder: string; tags: string[] }

function readInvocation(argv: string[]): Invocation {
  let parsed: ReturnType<typeof parseInvocation>
  try {
    parsed = parseInvocation(argv)
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'Name the folder or zip archive to import.' : `Import one folder or zip at a time (got ${positionals.join(', ')}).`)
  }
  if (!values.as) throw new UsageError('Say which user the import acts as: --as <email>.')
  return {
    source: path.resolve(positionals[0]!),
    email: values.as,
    baseFolder: values.folder ?? '',
    tags: (values.tags ?? '').split(',').map((tag) => tag.trim()).filter(Boolean),
  }
}

function parseInvocation(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { as: { type: 'string' }, folder: { type: 'string' }, tags: { type: 'string' } },
  })
}

/** `npm start` writes its services' variables here; variables already set win. */
function loadLocalStackEnv(): void {
  const stackEnvFile = path.resolve('.data/dev/stack.env.json')
  if (process.env.DATABASE_URL || !existsSync(stackEnvFile)) return
  for (const [name, value] of Object.entries(JSON.parse(readFileSync(stackEnvFile, 'utf8')) as Record<string, string>)) {
    process.env[name] ??= value
  }
}

async function isZipFile(file: string, sniff: (head: Uint8Array) => Promise<{ mime: string } | null>, size: number): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(size)
    const { bytesRead } = await handle.read(head, 0, size, 0)
    return (await sniff(head.subarray(0, bytesRead)))?.mime === 'application/zip'
  } finally {
    await handle.close()
  }
}

async function main(): Promise<number> {
  const invocation = readInvocation(process.argv.slice(2))
  const sourceStats = await stat(invocation.source).catch(() => null)
  if (!sourceStats) throw new UsageError(`${invocation.source} does not exist.`)

  loadLocalStackEnv()
  const { getEnv } = await import('~/env.server')
  try {
    getEnv()
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : String(error)}\nSet the services' variables, or start the local stack with \`npm start\`.`,
    )
  }
  const { getDb } = await import('~/db.server')
  const { getStorage } = await import('~/storage.server')
  const { findImportingUser, importArchive, importFolder } = await import('~/assets/bulk-import.server')
  const { normaliseFolderPath } = await import('~/assets/upload.server')
  const { formatSize } = await import('~/domain/byte-size')
  const { SNIFF_BYTES, sniffMediaType } = await import('~/media.server')
  const { isAppError } = await import('~/errors.server')

  const db = getDb()
  try {
    const uploader = await findImportingUser(db, invocation.email).catch((error: unknown) => {
      throw isAppError(error) ? new UsageError(error.message) : error
    })
    const isFolder = sourceStats.isDirectory()
    if (!isFolder && !(sourceStats.isFile() && (await isZipFile(invocation.source, sniffMediaType, SNIFF_BYTES)))) {
      throw new UsageError(`${invocation.source} is neither a folder nor a zip archive.`)
    }

    const baseFolder = normaliseFolderPath(invocation.baseFolder)
    const progress = new ProgressLine(formatSize)
    const common = {
      db,
      storage: getStorage(),
      uploader,
      baseFolder,
      tags: invocation.tags,
      onProgress: progress.update,
    }
    let outcomes: UploadOutcome[]
    try {
      outcomes = isFolder
        ? await importFolder({ ...common, folderPath: invocation.source })
        : await importArchive({ ...common, archivePath: invocation.source, archiveName: path.basename(invocation.source) })
    } catch (error) {
      progress.end()
      // The archive as a whole was refused (unsafe, a zip bomb, over a limit): nothing stored.
      if (!isAppError(error)) throw error
      console.error(`refused: ${error.message}`)
      return EXIT_SOME_REFUSED
    }
    progress.end()
    return printSummary(outcomes, baseFolder, isFolder ? 'folder' : 'archive')
  } finally {
    await db.$disconnect()
  }
}

function printSummary(outcomes: readonly UploadOutcome[], baseFolder: string, kind: 'folder' | 'archive'): number {
  const refused = outcomes.filter((outcome): outcome is Extract<UploadOutcome, { ok: false }> => !outcome.ok)
  const imported = outcomes.length - refused.length
  if (outcomes.length === 0) {
    console.log(`The ${kind} holds no files to import.`)
    return EXIT_SOME_REFUSED
  }
  console.log(`Imported ${imported} of ${outcomes.length} ${outcomes.length === 1 ? 'file' : 'files'} into ${baseFolder}.`)
  if (refused.length === 0) return EXIT_ALL_IMPORTED
  console.log(`Refused ${refused.length}:`)
  for (const outcome of refused) console.log(`  ${outcome.filename}: ${outcome.message}`)
  return EXIT_SOME_REFUSED
}

/**
 * `imported 37/120 files (312 MB of 1.1 GB) — campaigns/summer/hero.jpg`: rewritten
 * in place on a terminal; in a log (not a terminal) written once per tenth done.
 */
class ProgressLine {
  private readonly tty = process.stdout.isTTY === true
  private lastTenth = 0
  private drawn = false

  constructor(private readonly formatSize: (bytes: number) => string) {}

  readonly update = (progress: ImportProgress): void => {
    const line =
      `imported ${progress.done}/${progress.total} files ` +
      `(${this.formatSize(progress.bytes)} of ${this.formatSize(progress.totalBytes)}) — ${progress.current}`
    if (this.tty) {
      const width = process.stdout.columns || 120
      const fitted = line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line
      process.stdout.write(`\r${fitted}\x1b[K`)
      this.drawn = true
      return
    }
    const tenth = progress.total === 0 ? 10 : Math.floor((progress.done * 10) / progress.total)
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth
      console.log(line)
    }
  }

  /** Ends the terminal line so what follows starts on its own. */
  end(): void {
    if (this.tty && this.drawn) process.stdout.write('\n')
    this.drawn = false
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`)
      process.exit(EXIT_USAGE)
    }
    console.error(error)
    process.exit(EXIT_FAILED)
  },
)
