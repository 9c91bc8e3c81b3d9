/**
 * mupdf (WebAssembly) behind one small module: a PDF's page count, its text layer
 * for search, and pages drawn as PNG. Loaded on first use only, so processes that
 * never read a PDF (the web server) do not pay for the WebAssembly module.
 * A damaged, empty or password-protected PDF is a MediaError the uploader can act on.
 */
import { readFile } from 'node:fs/promises'
import { MediaError } from '~/media.server'

type Mupdf = typeof import('mupdf')
type PdfDocument = InstanceType<Mupdf['Document']>

let loading: Promise<Mupdf> | undefined

function loadMupdf(): Promise<Mupdf> {
  loading ??= import('mupdf')
  return loading
}

/** Most characters of text kept for search (about 100 pages of prose); the rest is cut. */
export const MAX_PDF_TEXT_CHARS = 200_000

export type OpenedPdf = {
  pages: number
  /** The first page's size in points (1/72 inch), as it is shown (rotation applied by mupdf's bounds). */
  firstPage: { width: number; height: number }
  /** Draws page `index` (0-based) as PNG with its longer side `maxSide` px (never more than 10 × its size in points). */
  renderPage(index: number, maxSide: number): Promise<Buffer>
  /** The text layer, pages separated by form feeds, at most MAX_PDF_TEXT_CHARS. */
  text(): string
  close(): void
}

/** Opens a PDF from a file path (or bytes). Throws MediaError for a damaged, empty or encrypted file. */
export async function openPdf(input: string | Buffer): Promise<OpenedPdf> {
  const mupdf = await loadMupdf()
  const bytes = typeof input === 'string' ? await readFile(input) : input
  let document: PdfDocument
  try {
    document = mupdf.Document.openDocument(bytes, 'application/pdf')
  } catch (error) {
    throw new MediaError('corrupt', `The PDF is damaged and cannot be read (${shortMessage(error)})`)
  }
  const close = () => document.destroy()
  try {
    if (document.needsPassword()) {
      throw new MediaError('encrypted', 'The PDF is protected by a password. Upload a copy without the password.')
    }
    const pages = document.countPages()
    if (!(pages > 0)) throw new MediaError('corrupt', 'The PDF has no pages (it is damaged or empty)')
    const first = document.loadPage(0)
    const [x0, y0, x1, y1] = first.getBounds()
    first.destroy()
    const width = Math.round((x1 ?? 0) - (x0 ?? 0))
    const height = Math.round((y1 ?? 0) - (y0 ?? 0))
    if (!(width > 0 && height > 0)) throw new MediaError('corrupt', 'The first page of the PDF has no size (the file is damaged)')

    return {
      pages,
      firstPage: { width, height },
      async renderPage(index, maxSide) {
        const page = document.loadPage(index)
        try {
          const [px0, py0, px1, py1] = page.getBounds()
          const longer = Math.max((px1 ?? 0) - (px0 ?? 0), (py1 ?? 0) - (py0 ?? 0))
          if (!(longer > 0)) throw new MediaError('corrupt', `Page ${index + 1} of the PDF has no size`)
          const scale = Math.min(10, maxSide / longer)
          const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true)
          try {
            return Buffer.from(pixmap.asPNG())
          } finally {
            pixmap.destroy()
          }
        } catch (error) {
          if (error instanceof MediaError) throw error
          throw new MediaError('corrupt', `Page ${index + 1} of the PDF cannot be drawn (${shortMessage(error)})`)
        } finally {
          page.destroy()
        }
      },
      text() {
        let text = ''
        for (let index = 0; index < pages && text.length < MAX_PDF_TEXT_CHARS; index++) {
          const page = document.loadPage(index)
          try {
            const structured = page.toStructuredText('preserve-whitespace')
            text += `${index > 0 ? '\f' : ''}${structured.asText()}`
            structured.destroy()
          } catch {
            // A page whose text cannot be read still leaves the others searchable.
          } finally {
            page.destroy()
          }
        }
        // NUL cannot be stored in PostgreSQL text, and other controls are noise for search.
        return text.replace(/[\u0000-\u0008\u000b\u000e-\u001f]/g, ' ').slice(0, MAX_PDF_TEXT_CHARS)
      },
      close,
    }
  } catch (error) {
    close()
    if (error instanceof MediaError) throw error
    throw new MediaError('corrupt', `The PDF is damaged and cannot be read (${shortMessage(error)})`)
  }
}

function shortMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim()
  return message.length > 120 ? `${message.slice(0, 117)}…` : message
}
