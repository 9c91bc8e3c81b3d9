/**
 * Checks of a file's content while it streams into storage, before it becomes an
 * asset: an SVG is parsed strictly for anything that could run or reach outside
 * (svg.server.ts); a raster image is spooled to a private temp file on the way through
 * and decoded once under the pixel limit when the last byte has arrived, so a
 * decompression bomb or a truncated JPEG is refused while the upload can still be
 * undone (the upload removes the object; nothing is stored). Video, audio and PDF are
 * read in full by the ingest activities, which fail the version with the reason.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { acceptedFormat } from '~/domain/media-kind'
import { AppError } from '~/errors.server'
import { formatPixelLimitMessage, inspectImage, isMediaError } from '~/media.server'
import { svgUploadCheck } from './svg.server'

/** A check fed the bytes in order; `write` and `end` throw an AppError to refuse the file. */
export type ContentCheck = {
  write(chunk: Uint8Array): void | Promise<void>
  end(): void | Promise<void>
  /** Releases what the check holds when the upload stops for another reason. */
  abort?(): Promise<void>
}

/** The check for a file of the sniffed type, or null when its content is checked at ingest only. */
export function contentCheckFor(sniffed: { mime: string }, name: string, { maxPixels }: { maxPixels: number }): ContentCheck | null {
  const format = acceptedFormat(sniffed.mime)
  if (format?.preview === 'vector') return svgUploadCheck(name)
  if (format?.preview === 'raster') return spooledImageCheck(name, (file) => inspectImage(file, { maxPixels }).then(() => undefined))
  // HEIC may not be decodable here, but its header still says how many pixels it claims.
  if (format?.preview === 'heic') return spooledImageCheck(name, (file) => assertHeaderWithinLimit(file, name, maxPixels))
  return null
}

function spooledImageCheck(name: string, check: (file: string) => Promise<void>): ContentCheck {
  let spool: { dir: string; file: string; handle: FileHandle } | null = null
  const release = async () => {
    const held = spool
    spool = null
    if (!held) return
    await held.handle.close().catch(() => undefined)
    await rm(held.dir, { recursive: true, force: true })
  }
  return {
    async write(chunk) {
      if (!spool) {
        const dir = await mkdtemp(path.join(tmpdir(), 'damson-upload-'))
        const file = path.join(dir, 'image')
        spool = { dir, file, handle: await open(file, 'wx', 0o600) }
      }
      await spool.handle.write(chunk)
    },
    async end() {
      const held = spool
      if (!held) return
      try {
        await held.handle.close()
        await check(held.file)
      } catch (error) {
        if (isMediaError(error)) {
          const what = error.code === 'too_many_pixels' ? `is too large an image: ${error.message}.` : `cannot be read as an image: ${lowerFirst(error.message)}.`
          throw new AppError('BAD_REQUEST', `${name} ${what} Nothing was stored.`)
        }
        throw error
      } finally {
        spool = null
        await rm(held.dir, { recursive: true, force: true })
      }
    },
    abort: release,
  }
}

async function assertHeaderWithinLimit(file: string, name: string, maxPixels: number): Promise<void> {
  const header = await sharp(file, { limitInputPixels: false }).metadata().catch(() => null)
  if (header?.width && header.height && header.width * header.height > maxPixels) {
    throw new AppError('BAD_REQUEST', `${name} is too large an image: ${formatPixelLimitMessage(header.width, header.height, maxPixels)}. Nothing was stored.`)
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}
