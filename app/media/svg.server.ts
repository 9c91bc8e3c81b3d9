/**
 * SVG is XML that can run script and load other files, so an SVG is parsed strictly
 * (saxes, streaming) before it is stored, and refused whole if anything in it could
 * run or reach outside the file: <script>, on… event attributes, <foreignObject>
 * (HTML inside), a DOCTYPE (entities can expand or read files), javascript: URLs, a
 * linked stylesheet, and any href, src or url(…) that is not a fragment of the same
 * file (#id) or an embedded raster image (data:image/png and the like). Nothing is
 * rewritten: a refused file is the uploader's to fix, and an accepted one is stored
 * as it came. Accepted SVGs are still never served inline (see renditions.server.ts).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import { AppError } from '~/errors.server'

/** Why an SVG was refused; the message completes "<name> …". */
export class SvgRefusal extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SvgRefusal'
  }
}

export function isSvgRefusal(error: unknown): error is SvgRefusal {
  return error instanceof SvgRefusal
}

const REFUSAL_TAIL = 'Damson takes SVGs only when nothing in them can run or load other files.'

/** Elements that run code or embed another document. */
const FORBIDDEN_ELEMENTS: Readonly<Record<string, string>> = {
  script: 'a script (<script>)',
  foreignobject: 'embedded HTML (<foreignObject>)',
  iframe: 'an embedded page (<iframe>)',
  embed: 'an embedded object (<embed>)',
  object: 'an embedded object (<object>)',
  handler: 'a script handler (<handler>)',
  listener: 'an event listener (<listener>)',
}

/** data: URLs of raster images are self-contained and cannot run; data:image/svg+xml could. */
const RASTER_DATA_URL = /^data:image\/(png|jpeg|jpg|gif|webp|avif)[;,]/i

/** Limits that keep a hostile file from exhausting the parser (nobody's logo comes close). */
const MAX_ELEMENTS = 500_000
const MAX_DEPTH = 512

export type SvgInspector = {
  /** Feeds the next bytes; throws SvgRefusal as soon as something unsafe is seen. */
  write(chunk: Uint8Array): void
  /** Ends the document; throws SvgRefusal if it is incomplete or has no <svg> root. */
  end(): void
}

/**
 * A streaming check of one SVG document: feed it the bytes as they arrive (they
 * need not be held whole), then `end()`. UTF-8 only (as good as every SVG is).
 */
export function createSvgInspector(): SvgInspector {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true })
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let refusal: SvgRefusal | null = null
  let sawRoot = false
  let elements = 0
  let depth = 0
  let inStyle = 0

  const refuse = (what: string): never => {
    refusal ??= new SvgRefusal(`is an SVG drawing that contains ${what}. ${REFUSAL_TAIL}`)
    throw refusal
  }

  parser.on('error', (error) => {
    refusal ??= new SvgRefusal(`is not a well-formed SVG drawing (${cleanParserMessage(error.message)}).`)
    throw refusal
  })
  parser.on('doctype', () => refuse('a DOCTYPE declaration (entities can expand without end or read other files)'))
  parser.on('processinginstruction', (pi) => {
    if (pi.target.toLowerCase() === 'xml-stylesheet') refuse('a link to an outside stylesheet (<?xml-stylesheet?>)')
  })
  // Namespaces are not resolved (an undeclared xlink: prefix is common and harmless); names are
  // compared by their local part, so <svg:script> and xlink:href are caught like <script> and href.
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name)
    if (!sawRoot) {
      if (name !== 'svg') {
        refusal ??= new SvgRefusal(`is an XML file whose root is <${tag.name}>, not an SVG drawing.`)
        throw refusal
      }
      sawRoot = true
    }
    if (++elements > MAX_ELEMENTS) refuse(`more than ${MAX_ELEMENTS.toLocaleString('en-GB')} elements`)
    if (++depth > MAX_DEPTH) refuse(`elements nested more than ${MAX_DEPTH} deep`)
    const forbidden = FORBIDDEN_ELEMENTS[name]
    if (forbidden) refuse(forbidden)
    if (name === 'style') inStyle++
    for (const [attribute, value] of Object.entries(tag.attributes)) checkAttribute(name, attribute, value, refuse)
  })
  parser.on('closetag', (tag) => {
    depth--
    if (localName(tag.name) === 'style') inStyle--
  })
  const checkStyleText = (text: string) => {
    if (inStyle > 0) checkCss(text, 'a <style> element', refuse)
  }
  parser.on('text', checkStyleText)
  parser.on('cdata', checkStyleText)

  const feed = (text: string) => {
    if (refusal) throw refusal
    try {
      parser.write(text)
    } catch (error) {
      if (error instanceof SvgRefusal) throw error
      refusal ??= new SvgRefusal(`is not a well-formed SVG drawing (${cleanParserMessage(error instanceof Error ? error.message : String(error))}).`)
      throw refusal
    }
  }

  return {
    write(chunk) {
      let text: string
      try {
        text = decoder.decode(chunk, { stream: true })
      } catch {
        refusal ??= new SvgRefusal('is an SVG drawing that is not UTF-8 text. Save it as UTF-8 and upload it again.')
        throw refusal
      }
      feed(text)
    },
    end() {
      let rest: string
      try {
        rest = decoder.decode()
      } catch {
        refusal ??= new SvgRefusal('is an SVG drawing that is not UTF-8 text. Save it as UTF-8 and upload it again.')
        throw refusal
      }
      if (rest) feed(rest)
      if (refusal) throw refusal
      try {
        parser.close()
      } catch (error) {
        if (error instanceof SvgRefusal) throw error
        throw new SvgRefusal(`is not a well-formed SVG drawing (${cleanParserMessage(error instanceof Error ? error.message : String(error))}).`)
      }
      if (!sawRoot) throw new SvgRefusal('is not an SVG drawing: it has no <svg> element.')
    },
  }
}

/** Checks a whole SVG held in memory; throws SvgRefusal when it is refused. */
export function assertSafeSvg(svg: Uint8Array): void {
  const inspector = createSvgInspector()
  inspector.write(svg)
  inspector.end()
}

function localName(qualified: string): string {
  return (qualified.split(':').pop() ?? qualified).toLowerCase()
}

function checkAttribute(element: string, attributeName: string, value: string, refuse: (what: string) => never): void {
  const name = localName(attributeName)
  const attribute = { name: attributeName }
  if (name.startsWith('on')) refuse(`an event handler (${attribute.name}="…" on <${element}>)`)
  if (/^\s*(javascript|vbscript)\s*:/i.test(value.replace(/[\u0000-\u0020]+/g, ''))) refuse(`a script URL (${attribute.name} on <${element}>)`)
  if (name === 'href' || name === 'src') {
    if (!isLocalReference(value)) refuse(`a reference to outside content (${attribute.name}="${shorten(value)}" on <${element}>)`)
  }
  // <set attributeName="href" to="…"> and the like would change a link after the check.
  if (name === 'attributename' && /^(\w+:)?(href|src)$|^on/i.test(value.trim())) refuse(`an animation of ${value.trim()} on <${element}>`)
  if (name === 'style' || value.includes('url(') || /@import/i.test(value)) checkCss(value, `the ${attribute.name} attribute of <${element}>`, refuse)
}

function checkCss(css: string, where: string, refuse: (what: string) => never): void {
  if (/@import/i.test(css)) refuse(`an @import of another stylesheet (in ${where})`)
  if (/expression\s*\(/i.test(css)) refuse(`a CSS expression (in ${where})`)
  for (const match of css.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/gis)) {
    const target = match[2] ?? ''
    if (!isLocalReference(target)) refuse(`a reference to outside content (url(${shorten(target)}) in ${where})`)
  }
}

/** A fragment of the same document (#id) or an embedded raster image. */
function isLocalReference(value: string): boolean {
  const trimmed = value.trim()
  return trimmed.startsWith('#') || RASTER_DATA_URL.test(trimmed)
}

function shorten(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim()
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine
}

/** saxes prefixes its messages with a position ("1:23: …"); keep them, drop file names. */
function cleanParserMessage(message: string): string {
  return message.replace(/^undefined:/, '').replace(/\s+/g, ' ').trim()
}

/** Whether the first bytes of a file look like an SVG document (an XML prolog, comments or a DOCTYPE, then <svg). */
export function looksLikeSvg(head: Uint8Array): boolean {
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 4096)).replace(/^\uFEFF/, '')
  // Skip the prolog: XML declaration, processing instructions, comments, a DOCTYPE, white space.
  for (;;) {
    text = text.trimStart()
    if (text.startsWith('<?')) {
      const end = text.indexOf('?>')
      if (end < 0) return false
      text = text.slice(end + 2)
    } else if (text.startsWith('<!--')) {
      const end = text.indexOf('-->')
      if (end < 0) return false
      text = text.slice(end + 3)
    } else if (/^<!DOCTYPE/i.test(text)) {
      // An SVG with a DOCTYPE is still an SVG (and is refused for the DOCTYPE by the inspector).
      return /^<!DOCTYPE\s+(\w+:)?svg\b/i.test(text)
    } else {
      return /^<(\w+:)?svg[\s>/]/i.test(text)
    }
  }
}

/**
 * The upload's check of an SVG as its bytes stream to storage: a refusal becomes the
 * uploader's 415 naming the file, so the upload is stopped and nothing is kept.
 */
export function svgUploadCheck(name: string): SvgInspector {
  const inspector = createSvgInspector()
  const asUploadError = (error: unknown): unknown =>
    error instanceof SvgRefusal ? new AppError('UNSUPPORTED_MEDIA_TYPE', `${name} ${error.message}`) : error
  return {
    write(chunk) {
      try {
        inspector.write(chunk)
      } catch (error) {
        throw asUploadError(error)
      }
    },
    end() {
      try {
        inspector.end()
      } catch (error) {
        throw asUploadError(error)
      }
    },
  }
}
