/**
 * The process's one ExifTool (exiftool-vendored keeps a few long-lived perl
 * processes and feeds them tasks), started on first use and ended on shutdown.
 *
 * The worker calls `endExifTool()` when it stops. The web server does not need to:
 * exiftool-vendored kills its child processes on the process's `exit` event
 * (batch-cluster's cleanupChildProcsOnExit), which server.mjs reaches via
 * process.exit on SIGTERM/SIGINT.
 */
import { ExifTool } from 'exiftool-vendored'

/** Enough for a download and a distribution at once without crowding the media worker. */
const MAX_PROCS = 2
/** Rewriting a large video copies every byte; the library's 20 s default is too tight. */
const TASK_TIMEOUT_MS = 120_000

// On globalThis so Vite's dev-time module reloads do not leave orphaned instances.
const globalForExifTool = globalThis as unknown as { damsonExifTool?: ExifTool }

export function getExifTool(): ExifTool {
  const current = globalForExifTool.damsonExifTool
  if (current && !current.ended) return current
  const created = new ExifTool({ maxProcs: MAX_PROCS, taskTimeoutMillis: TASK_TIMEOUT_MS })
  globalForExifTool.damsonExifTool = created
  return created
}

/** Ends the perl processes; the next `getExifTool()` starts a fresh instance. */
export async function endExifTool(): Promise<void> {
  const current = globalForExifTool.damsonExifTool
  globalForExifTool.damsonExifTool = undefined
  if (current && !current.ended) await current.end()
}
