/**
 * Writes a rights stamp (~/domain/rights-stamp) into a copy of a file, so the terms
 * travel with it: XMP dc:rights, xmpRights:UsageTerms/WebStatement/Marked and
 * plus:LicenseEndDate in every format, plus the copyright field that common tools
 * show for the format (EXIF Copyright, IPTC CopyrightNotice, QuickTime ©cpy).
 *
 * The source file is only ever read: work happens on a copy in a temporary directory
 * that is removed afterwards, and the result is copied to `targetPath`.
 *
 * A file that cannot carry the stamp raises RightsStampError rather than coming back
 * unstamped; callers decide whether to refuse the delivery (partners) or hand out
 * the untouched original (brand staff).
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { WriteTags } from 'exiftool-vendored'
import type { RightsStamp } from '~/domain/rights-stamp'
import { getExifTool } from './exiftool.server'

export type RightsStampErrorCode =
  /** The format has no place exiftool (or our SVG writer) can put the rights. */
  | 'unsupported_format'
  /** The file is damaged or is not what its type says. */
  | 'corrupt'
  /** Stripping was asked for where it cannot be done for real (PDF keeps old revisions). */
  | 'strip_unsupported'

export class RightsStampError extends Error {
  constructor(
    readonly code: RightsStampErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'RightsStampError'
  }
}

export function isRightsStampError(error: unknown): error is RightsStampError {
  return error instanceof RightsStampError
}

type CopyrightField = 'exif' | 'iptc' | 'quicktime'

type StampFormat =
  | { carrier: 'exiftool'; label: string; copyright: readonly CopyrightField[]; strippable: boolean }
  | { carrier: 'svg'; label: string }

/**
 * Formats that carry the stamp, keyed by the media type exiftool reads from the
 * bytes. Each was written and read back in tests/integration/rights-metadata.test.ts.
 */
const STAMP_FORMATS: Readonly<Record<string, StampFormat>> = {
  'image/jpeg': { carrier: 'exiftool', label: 'JPEG', copyright: ['exif', 'iptc'], strippable: true },
  'image/tiff': { carrier: 'exiftool', label: 'TIFF', copyright: ['exif', 'iptc'], strippable: true },
  'image/png': { carrier: 'exiftool', label: 'PNG', copyright: ['exif'], strippable: true },
  'image/webp': { carrier: 'exiftool', label: 'WebP', copyright: ['exif'], strippable: true },
  'image/avif': { carrier: 'exiftool', label: 'AVIF', copyright: ['exif'], strippable: true },
  'image/gif': { carrier: 'exiftool', label: 'GIF', copyright: [], strippable: true },
  // exiftool edits PDFs as incremental updates: "deleted" metadata stays in the file.
  'application/pdf': { carrier: 'exiftool', label: 'PDF', copyright: [], strippable: false },
  'video/mp4': { carrier: 'exiftool', label: 'MP4', copyright: ['quicktime'], strippable: true },
  'video/quicktime': { carrier: 'exiftool', label: 'QuickTime', copyright: ['quicktime'], strippable: true },
  // exiftool reads SVG but cannot write it; the packet goes into a <metadata> element.
  'image/svg+xml': { carrier: 'svg', label: 'SVG' },
}

/** Whether files of this (sniffed) media type can carry a rights stamp. */
export function canCarryRightsStamp(mediaType: string): boolean {
  return Object.hasOwn(STAMP_FORMATS, mediaType)
}

export type StampRightsMetadataOptions = {
  sourcePath: string
  targetPath: string
  stamp: RightsStamp
  /**
   * Remove every other piece of metadata (camera, GPS, captions, editing history)
   * first, keeping only what affects how the pixels look (ICC profile, colour space,
   * orientation). For channel presets.
   */
  stripOtherMetadata?: boolean
}

export type StampedFile = { mediaType: string }

export async function stampRightsMetadata({
  sourcePath,
  targetPath,
  stamp,
  stripOtherMetadata = false,
}: StampRightsMetadataOptions): Promise<StampedFile> {
  if (path.resolve(sourcePath) === path.resolve(targetPath)) {
    throw new Error('stampRightsMetadata writes a copy: targetPath must differ from sourcePath')
  }
  const directory = await mkdtemp(path.join(os.tmpdir(), 'damson-stamp-'))
  try {
    // Keep a plausible extension: exiftool falls back on it where content is ambiguous.
    const extension = [targetPath, sourcePath].map((file) => path.extname(file)).find((ext) => /^\.[A-Za-z0-9]{1,8}$/.test(ext)) ?? ''
    const work = path.join(directory, `stamped${extension}`)
    await copyFile(sourcePath, work)

    const mediaType = await detectMediaType(work)
    const format = canCarryRightsStamp(mediaType) ? STAMP_FORMATS[mediaType] : undefined
    if (!format) {
      throw new RightsStampError(
        'unsupported_format',
        `Files of type ${mediaType || 'unknown'} cannot carry their usage rights in embedded metadata`,
      )
    }
    if (format.carrier === 'svg') {
      await writeFile(work, embedRightsInSvg(await readFile(work), stamp, { stripOtherMetadata }))
    } else {
      if (stripOtherMetadata && !format.strippable) {
        throw new RightsStampError(
          'strip_unsupported',
          `Metadata cannot be removed from a ${format.label} for good (earlier revisions stay in the file)`,
        )
      }
      await writeWithExifTool(work, stamp, format, stripOtherMetadata)
    }
    await copyFile(work, targetPath)
    return { mediaType }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

/** The media type exiftool sees in the bytes ('' when it recognises nothing). */
async function detectMediaType(file: string): Promise<string> {
  const tags = await getExifTool().readRaw(file, { readArgs: ['-File:MIMEType'] })
  const mediaType = typeof tags.MIMEType === 'string' ? tags.MIMEType : ''
  // exiftool calls an SVG plain XML when a long prolog (comments, doctype) hides its root.
  if (mediaType === 'application/xml' && hasSvgRoot((await readFile(file)).toString('latin1'))) return 'image/svg+xml'
  return mediaType
}

// Group-qualified names say exactly where each value goes; exiftool-vendored's
// generated tag types only know bare names, hence the one cast below.
type QualifiedTags = { [tag: `${string}:${string}`]: string | boolean }

function rightsTags(stamp: RightsStamp, copyright: readonly CopyrightField[]): QualifiedTags {
  const tags: QualifiedTags = {
    'XMP-dc:Rights': stamp.rights,
    'XMP-xmpRights:UsageTerms': stamp.usageTerms,
    'XMP-xmpRights:WebStatement': stamp.webStatement,
    'XMP-xmpRights:Marked': stamp.marked,
  }
  if (stamp.licenseEndDate) tags['XMP-plus:LicenseEndDate'] = stamp.licenseEndDate
  if (copyright.includes('exif')) tags['EXIF:Copyright'] = stamp.rights
  if (copyright.includes('iptc')) {
    // IPTC IIM caps the notice at 128 bytes and needs UTF-8 declared for "©".
    tags['IPTC:CodedCharacterSet'] = 'UTF8'
    tags['IPTC:CopyrightNotice'] = truncateUtf8(stamp.rights, 128)
  }
  if (copyright.includes('quicktime')) tags['QuickTime:Copyright'] = stamp.rights
  return tags
}

async function writeWithExifTool(
  file: string,
  stamp: RightsStamp,
  format: Extract<StampFormat, { carrier: 'exiftool' }>,
  stripOtherMetadata: boolean,
): Promise<void> {
  const exiftool = getExifTool()
  try {
    if (stripOtherMetadata) {
      // A separate pass: exiftool applies `-all=` in command-line order, and
      // exiftool-vendored puts extra arguments after the tag assignments.
      await exiftool.write(file, {}, {
        writeArgs: ['-all=', '-tagsFromFile', '@', '-ColorSpaceTags', '-Orientation', '-overwrite_original'],
      })
    }
    await exiftool.write(file, rightsTags(stamp, format.copyright) as WriteTags, { writeArgs: ['-overwrite_original'] })
  } catch (error) {
    throw toRightsStampError(error, format.label)
  }
}

function toRightsStampError(error: unknown, label: string): unknown {
  const message = error instanceof Error ? error.message : String(error)
  if (/not yet supported|can't currently write|not supported/i.test(message)) {
    return new RightsStampError('unsupported_format', `exiftool cannot write ${label} files of this kind`, { cause: error })
  }
  // exiftool reports a truncated PNG as "Error writing output file" (so would a full
  // disk be: the cause is kept for the log).
  if (/corrupt|format error|not a valid|truncated|invalid|bad |error reading|error writing output|unexpected end|missing/i.test(message)) {
    return new RightsStampError('corrupt', `The ${label} file is damaged and cannot carry its usage rights`, { cause: error })
  }
  // Anything else (timeouts, a crashed exiftool) is not the file's fault: let it surface.
  return error
}

/** At most `maxBytes` of UTF-8, cut on a character boundary and marked with "…". */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  let result = ''
  for (const character of text) {
    if (Buffer.byteLength(result + character) > maxBytes - Buffer.byteLength('…')) break
    result += character
  }
  return `${result}…`
}

// --- SVG -------------------------------------------------------------------------

/**
 * Inserts the stamp as an RDF/XMP packet in a <metadata> element, the root <svg>'s
 * last child: where an SVG already has metadata, exiftool (and readers like it)
 * take the last packet, so ours is the one they show. The file is handled as bytes (latin1 round-trips them) and the inserted text is
 * pure ASCII with character references, so it fits whatever ASCII-compatible
 * encoding the file declares. With `stripOtherMetadata`, earlier <metadata>
 * elements go; editor data in other namespaces (Inkscape, Illustrator) stays.
 */
export function embedRightsInSvg(bytes: Buffer, stamp: RightsStamp, { stripOtherMetadata = false } = {}): Buffer {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new RightsStampError('unsupported_format', 'UTF-16 SVG files cannot carry their usage rights')
  }
  let svg = bytes.toString('latin1')
  if (stripOtherMetadata) {
    svg = svg.replace(/<((?:[A-Za-z_][\w.-]*:)?metadata)(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*?(?:\/>|>[\s\S]*?<\/\1\s*>)/g, '')
  }
  const root = findRootStartTag(svg)
  const packet = `<metadata xmlns="http://www.w3.org/2000/svg" id="damson-rights">${rightsRdf(stamp)}</metadata>`
  if (root.selfClosing) {
    return Buffer.from(`${svg.slice(0, root.end - 2)}>${packet}</${root.name}>${svg.slice(root.end)}`, 'latin1')
  }
  const close = findRootEndTag(svg, root)
  return Buffer.from(`${svg.slice(0, close)}${packet}${svg.slice(close)}`, 'latin1')
}

/** Where the root's end tag starts: the last `</svg>`, with nothing but comments and space after it. */
function findRootEndTag(svg: string, root: { name: string; end: number }): number {
  const close = svg.lastIndexOf(`</${root.name}`)
  const rest = close < 0 ? '' : svg.slice(close)
  if (close < root.end || !new RegExp(`^</${root.name}\\s*>(?:\\s|<!--[\\s\\S]*?-->)*$`).test(rest)) {
    throw new RightsStampError('corrupt', 'The SVG file has no closing </svg> tag')
  }
  return close
}

function hasSvgRoot(text: string): boolean {
  try {
    findRootStartTag(text)
    return true
  } catch {
    return false
  }
}

/** The root element's start tag, skipping the prolog (declaration, comments, doctype with its internal subset). */
function findRootStartTag(svg: string): { name: string; end: number; selfClosing: boolean } {
  const corrupt = () => new RightsStampError('corrupt', 'The SVG file has no <svg> root element')
  let index = svg.startsWith('\u00ef\u00bb\u00bf') ? 3 : 0 // UTF-8 byte order mark, read as latin1
  for (;;) {
    while (index < svg.length && /\s/.test(svg.charAt(index))) index++
    if (svg.startsWith('<?', index)) index = skipPast(svg, index, '?>')
    else if (svg.startsWith('<!--', index)) index = skipPast(svg, index, '-->')
    else if (svg.startsWith('<!DOCTYPE', index)) index = skipDoctype(svg, index)
    else break
    if (index < 0) throw corrupt()
  }
  const name = /^<((?:[A-Za-z_][\w.-]*:)?svg)(?=[\s/>])/.exec(svg.slice(index, index + 100))?.[1]
  if (!name) throw corrupt()
  // Scan attributes, honouring quotes (a ">" may sit inside an attribute value).
  let quote: string | null = null
  for (let cursor = index + name.length + 1; cursor < svg.length; cursor++) {
    const character = svg.charAt(cursor)
    if (quote) {
      if (character === quote) quote = null
    } else if (character === '"' || character === "'") {
      quote = character
    } else if (character === '>') {
      return { name, end: cursor + 1, selfClosing: svg.charAt(cursor - 1) === '/' }
    }
  }
  throw corrupt()
}

function skipPast(text: string, from: number, terminator: string): number {
  const at = text.indexOf(terminator, from)
  return at < 0 ? -1 : at + terminator.length
}

function skipDoctype(text: string, from: number): number {
  let inSubset = false
  let quote: string | null = null
  for (let cursor = from + '<!DOCTYPE'.length; cursor < text.length; cursor++) {
    const character = text.charAt(cursor)
    if (quote) {
      if (character === quote) quote = null
    } else if (character === '"' || character === "'") quote = character
    else if (character === '[') inSubset = true
    else if (character === ']') inSubset = false
    else if (character === '>' && !inSubset) return cursor + 1
  }
  return -1
}

/** The stamp as RDF/XML: the same properties exiftool writes into the other formats. */
function rightsRdf(stamp: RightsStamp): string {
  const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${xmlText(text)}</rdf:li></rdf:Alt>`
  return [
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about=""',
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"',
    ' xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">',
    `<dc:rights>${alt(stamp.rights)}</dc:rights>`,
    `<xmpRights:UsageTerms>${alt(stamp.usageTerms)}</xmpRights:UsageTerms>`,
    `<xmpRights:WebStatement>${xmlText(stamp.webStatement)}</xmpRights:WebStatement>`,
    `<xmpRights:Marked>${stamp.marked ? 'True' : 'False'}</xmpRights:Marked>`,
    stamp.licenseEndDate ? `<plus:LicenseEndDate>${xmlText(stamp.licenseEndDate)}</plus:LicenseEndDate>` : '',
    '</rdf:Description>',
    '</rdf:RDF>',
  ].join('')
}

/** Escaped XML text in ASCII only: markup characters and everything past U+007E as references. */
function xmlText(text: string): string {
  let result = ''
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0
    if (character === '&') result += '&amp;'
    else if (character === '<') result += '&lt;'
    else if (character === '>') result += '&gt;'
    else if (character === '"') result += '&quot;'
    else if (code < 0x20 && character !== '\t' && character !== '\n' && character !== '\r') continue // not allowed in XML 1.0
    else if (code > 0x7e) result += `&#x${code.toString(16).toUpperCase()};`
    else result += character
  }
  return result
}
