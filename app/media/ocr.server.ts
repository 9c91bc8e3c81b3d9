/**
 * OCR with tesseract (TESSERACT_PATH, TESSDATA_PREFIX; English and German), run on
 * a preview-sized image, never on a huge original: the ingest passes the `preview`
 * rendition (1600 px), which tesseract reads in a second or three here.
 *
 * The image is normalised to a greyscale PNG in a private temp directory (tesseract's
 * WebP support depends on how leptonica was built) and the directory is always removed.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { getEnv } from '~/env.server'

export const OCR_LANGUAGES = 'eng+deu'
/** Text kept per version: enough for search, bounded for the row and the index. */
export const OCR_TEXT_LIMIT = 100_000
const OCR_TIMEOUT_MS = 60_000
/** Below this an image holds no readable text worth the run (icons, thumbnails). */
const MIN_SIDE_PX = 64

export type OcrResult = { text: string; skipped: null } | { text: ''; skipped: 'too_small' }

export type OcrOptions = { tesseractPath?: string; tessdataPrefix?: string; timeoutMs?: number }

/** Collapses tesseract's layout whitespace into readable lines and drops lines of lone symbols. */
export function tidyOcrText(raw: string): string {
  return raw
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => /[\p{L}\p{N}]{2,}/u.test(line))
    .join('\n')
    .slice(0, OCR_TEXT_LIMIT)
}

/** The text in an image (any format sharp reads), or why it was not read. */
export async function recogniseText(image: Buffer, options: OcrOptions = {}): Promise<OcrResult> {
  const env = getEnv()
  const input = sharp(image, { limitInputPixels: 40_000_000 })
  const { width = 0, height = 0 } = await input.metadata()
  if (Math.min(width, height) < MIN_SIDE_PX) return { text: '', skipped: 'too_small' }
  const png = await input.flatten({ background: '#ffffff' }).greyscale().png().toBuffer()

  const directory = await mkdtemp(path.join(tmpdir(), 'damson-ocr-'))
  try {
    const file = path.join(directory, 'page.png')
    await writeFile(file, png, { mode: 0o600 })
    const tessdataPrefix = options.tessdataPrefix ?? env.TESSDATA_PREFIX
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        options.tesseractPath ?? env.TESSERACT_PATH,
        [file, 'stdout', '-l', OCR_LANGUAGES, '--psm', '3'],
        {
          timeout: options.timeoutMs ?? OCR_TIMEOUT_MS,
          maxBuffer: 8 * 1024 * 1024,
          // One thread: the media worker already runs two activities on a small machine.
          env: { ...process.env, OMP_THREAD_LIMIT: '1', ...(tessdataPrefix ? { TESSDATA_PREFIX: tessdataPrefix } : {}) },
        },
        (error, out, stderr) => {
          if (error) reject(new Error(`tesseract failed: ${error.killed ? 'timed out' : (stderr.trim().split('\n').at(-1) ?? error.message)}`))
          else resolve(out)
        },
      )
    })
    return { text: tidyOcrText(stdout), skipped: null }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
