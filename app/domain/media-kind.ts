/**
 * What Damson accepts, by the type sniffed from a file's bytes: the one allow-list.
 * Each accepted format says which asset kind it makes, how people call it, which
 * type icon stands for it, which file-name extensions honestly name it, and how the
 * media pipeline previews it. Pure: the upload check, the zip and CLI imports (through
 * the same upload function), the ingest activities and the pages all read this table.
 */

export type AssetKind = 'image' | 'video' | 'audio' | 'document' | 'design' | 'other'

/** The type icon a file without a picture of its own is shown with (app/components/type-icon.tsx). */
export type TypeIconId = 'image' | 'video' | 'audio' | 'pdf' | 'document' | 'spreadsheet' | 'presentation' | 'design' | 'model' | 'archive' | 'file'

/**
 * How the media pipeline previews a format:
 * - raster: decoded by sharp (animated GIF and WebP stay animated in thumbnail and preview);
 * - vector: SVG, sanitised, then rasterised by sharp;
 * - heic: an image libvips may not be able to decode here (prebuilt sharp has no HEVC decoder);
 * - video / audio: ffmpeg; pdf: mupdf;
 * - none: a type icon and the metadata that can be read.
 */
export type PreviewMethod = 'raster' | 'vector' | 'heic' | 'video' | 'audio' | 'pdf' | 'none'

export type MediaFormat = {
  mime: string
  /** What people call it, e.g. "JPEG image". */
  label: string
  kind: AssetKind
  icon: TypeIconId
  preview: PreviewMethod
  /** Extensions (lower case, no dot) a file of this format may carry; the first is the usual one. */
  extensions: readonly string[]
}

function format(mime: string, label: string, kind: AssetKind, icon: TypeIconId, preview: PreviewMethod, extensions: readonly string[]): MediaFormat {
  return { mime, label, kind, icon, preview, extensions }
}

/** Accepted formats, keyed by the MIME type file-type (or the SVG check) reports. */
const ACCEPTED: readonly MediaFormat[] = [
  // Images
  format('image/jpeg', 'JPEG image', 'image', 'image', 'raster', ['jpg', 'jpeg', 'jpe', 'jfif']),
  format('image/png', 'PNG image', 'image', 'image', 'raster', ['png']),
  // file-type calls a PNG with an animation chunk APNG; libvips shows its first frame.
  format('image/apng', 'PNG image', 'image', 'image', 'raster', ['png', 'apng']),
  format('image/webp', 'WebP image', 'image', 'image', 'raster', ['webp']),
  format('image/gif', 'GIF image', 'image', 'image', 'raster', ['gif']),
  format('image/tiff', 'TIFF image', 'image', 'image', 'raster', ['tif', 'tiff']),
  format('image/avif', 'AVIF image', 'image', 'image', 'raster', ['avif']),
  format('image/svg+xml', 'SVG drawing', 'image', 'image', 'vector', ['svg']),
  format('image/heic', 'HEIC photo', 'image', 'image', 'heic', ['heic', 'heif', 'hif']),
  format('image/heif', 'HEIF photo', 'image', 'image', 'heic', ['heif', 'heic', 'hif']),
  // Video
  format('video/mp4', 'MP4 video', 'video', 'video', 'video', ['mp4', 'm4v']),
  format('video/x-m4v', 'MP4 video', 'video', 'video', 'video', ['m4v', 'mp4']),
  format('video/quicktime', 'QuickTime video', 'video', 'video', 'video', ['mov', 'qt']),
  format('video/webm', 'WebM video', 'video', 'video', 'video', ['webm']),
  format('video/matroska', 'Matroska video', 'video', 'video', 'video', ['mkv']),
  format('video/vnd.avi', 'AVI video', 'video', 'video', 'video', ['avi']),
  format('video/ogg', 'Ogg video', 'video', 'video', 'video', ['ogv', 'ogg']),
  // Audio
  format('audio/mpeg', 'MP3 audio', 'audio', 'audio', 'audio', ['mp3']),
  format('audio/wav', 'WAV audio', 'audio', 'audio', 'audio', ['wav', 'wave']),
  format('audio/flac', 'FLAC audio', 'audio', 'audio', 'audio', ['flac']),
  format('audio/ogg', 'Ogg audio', 'audio', 'audio', 'audio', ['ogg', 'oga', 'opus']),
  format('audio/opus', 'Opus audio', 'audio', 'audio', 'audio', ['opus', 'ogg']),
  format('audio/aac', 'AAC audio', 'audio', 'audio', 'audio', ['aac']),
  format('audio/x-m4a', 'AAC audio (M4A)', 'audio', 'audio', 'audio', ['m4a', 'mp4']),
  format('audio/mp4', 'AAC audio (M4A)', 'audio', 'audio', 'audio', ['m4a', 'm4b', 'mp4']),
  format('audio/aiff', 'AIFF audio', 'audio', 'audio', 'audio', ['aif', 'aiff']),
  // Documents (Illustrator files are PDFs inside: the .ai name makes them design files)
  format('application/pdf', 'PDF document', 'document', 'pdf', 'pdf', ['pdf', 'ai']),
  format('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'Word document', 'document', 'document', 'none', ['docx']),
  format('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Excel spreadsheet', 'document', 'spreadsheet', 'none', ['xlsx']),
  format('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'PowerPoint presentation', 'document', 'presentation', 'none', ['pptx']),
  format('application/vnd.oasis.opendocument.text', 'OpenDocument text', 'document', 'document', 'none', ['odt']),
  format('application/vnd.oasis.opendocument.spreadsheet', 'OpenDocument spreadsheet', 'document', 'spreadsheet', 'none', ['ods']),
  format('application/vnd.oasis.opendocument.presentation', 'OpenDocument presentation', 'document', 'presentation', 'none', ['odp']),
  format('application/vnd.apple.pages', 'Pages document', 'document', 'document', 'none', ['pages']),
  format('application/vnd.apple.numbers', 'Numbers spreadsheet', 'document', 'spreadsheet', 'none', ['numbers']),
  format('application/vnd.apple.keynote', 'Keynote presentation', 'document', 'presentation', 'none', ['key']),
  format('application/rtf', 'Rich Text document', 'document', 'document', 'none', ['rtf']),
  // Word, Excel and PowerPoint before 2007 share one container (CFB); only those names are accepted.
  format('application/x-cfb', 'Office document (97–2003)', 'document', 'document', 'none', ['doc', 'xls', 'ppt']),
  // Design
  format('image/vnd.adobe.photoshop', 'Photoshop document', 'design', 'design', 'none', ['psd', 'psb']),
  format('application/postscript', 'PostScript / Illustrator file', 'design', 'design', 'none', ['ai', 'ps', 'eps']),
  format('application/eps', 'EPS file', 'design', 'design', 'none', ['eps', 'epsf', 'ai']),
  format('application/x-indesign', 'InDesign document', 'design', 'design', 'none', ['indd', 'indt']),
  // 3D models
  format('model/gltf-binary', 'glTF 3D model', 'design', 'model', 'none', ['glb']),
  format('model/stl', 'STL 3D model', 'design', 'model', 'none', ['stl']),
  format('model/3mf', '3MF 3D model', 'design', 'model', 'none', ['3mf']),
  format('application/x-ft-fbx', 'FBX 3D model', 'design', 'model', 'none', ['fbx']),
  format('application/x-blender', 'Blender file', 'design', 'model', 'none', ['blend']),
  format('application/vnd.sketchup.skp', 'SketchUp model', 'design', 'model', 'none', ['skp']),
  // Archives (a zip is expanded into assets by the upload, not stored as one)
  format('application/x-7z-compressed', '7-Zip archive', 'other', 'archive', 'none', ['7z']),
  format('application/x-rar-compressed', 'RAR archive', 'other', 'archive', 'none', ['rar']),
  format('application/x-tar', 'tar archive', 'other', 'archive', 'none', ['tar']),
  format('application/gzip', 'gzip archive', 'other', 'archive', 'none', ['gz', 'tgz']),
  format('application/x-bzip2', 'bzip2 archive', 'other', 'archive', 'none', ['bz2', 'tbz2']),
  format('application/x-xz', 'xz archive', 'other', 'archive', 'none', ['xz', 'txz']),
  format('application/zstd', 'Zstandard archive', 'other', 'archive', 'none', ['zst']),
]

const BY_MIME: ReadonlyMap<string, MediaFormat> = new Map(ACCEPTED.map((entry) => [entry.mime, entry]))

/** The accepted format for a sniffed MIME type, or null when Damson does not take it. */
export function acceptedFormat(mime: string): MediaFormat | null {
  return BY_MIME.get(mime) ?? null
}

/**
 * Types file-type recognises that Damson refuses, with the words for what they are.
 * They matter for the refusal message (and for spotting a name that lies).
 */
const REFUSED: Readonly<Record<string, { label: string; extensions: readonly string[] }>> = {
  'application/zip': { label: 'ZIP archive', extensions: ['zip'] },
  'application/x-msdownload': { label: 'Windows program', extensions: ['exe', 'dll'] },
  'application/x-elf': { label: 'program', extensions: ['elf', 'so'] },
  'application/x-mach-binary': { label: 'macOS program', extensions: [] },
  'application/x-sh': { label: 'shell script', extensions: ['sh'] },
  'application/java-archive': { label: 'Java archive', extensions: ['jar'] },
  'application/vnd.android.package-archive': { label: 'Android app', extensions: ['apk'] },
  'application/x-apple-diskimage': { label: 'disk image', extensions: ['dmg'] },
  'application/x-iso9660-image': { label: 'disk image', extensions: ['iso'] },
  'application/wasm': { label: 'WebAssembly program', extensions: ['wasm'] },
  'application/x-sqlite3': { label: 'SQLite database', extensions: ['sqlite', 'db'] },
  'application/xml': { label: 'XML file', extensions: ['xml'] },
  'application/vnd.ms-word.document.macroenabled.12': { label: 'Word document with macros', extensions: ['docm'] },
  'application/vnd.ms-excel.sheet.macroenabled.12': { label: 'Excel spreadsheet with macros', extensions: ['xlsm'] },
  'application/vnd.ms-powerpoint.presentation.macroenabled.12': { label: 'PowerPoint presentation with macros', extensions: ['pptm'] },
  'image/bmp': { label: 'BMP bitmap', extensions: ['bmp'] },
  'image/x-icon': { label: 'icon file', extensions: ['ico', 'cur'] },
  'image/jxl': { label: 'JPEG XL image', extensions: ['jxl'] },
  'image/jp2': { label: 'JPEG 2000 image', extensions: ['jp2'] },
  'image/x-adobe-dng': { label: 'DNG raw photo', extensions: ['dng'] },
  'image/x-canon-cr2': { label: 'Canon raw photo', extensions: ['cr2'] },
  'image/x-nikon-nef': { label: 'Nikon raw photo', extensions: ['nef'] },
  'image/x-sony-arw': { label: 'Sony raw photo', extensions: ['arw'] },
  'font/ttf': { label: 'font', extensions: ['ttf'] },
  'font/otf': { label: 'font', extensions: ['otf'] },
  'font/woff': { label: 'web font', extensions: ['woff'] },
  'font/woff2': { label: 'web font', extensions: ['woff2'] },
}

/** Extensions people recognise that name no binary format file-type can see: what the name claims. */
const TEXT_EXTENSIONS: Readonly<Record<string, string>> = {
  txt: 'text file',
  csv: 'CSV file',
  md: 'text file',
  html: 'web page',
  htm: 'web page',
  js: 'script',
  json: 'JSON file',
  xml: 'XML file',
}

/** What a file name's extension claims it is, or null for no (or an unknown) extension. */
export function claimedByName(filename: string): { extension: string; label: string } | null {
  const extension = extensionOf(filename)
  if (!extension) return null
  const accepted = ACCEPTED.find((entry) => entry.extensions[0] === extension) ?? ACCEPTED.find((entry) => entry.extensions.includes(extension))
  if (accepted) return { extension, label: accepted.label }
  const refused = Object.values(REFUSED).find((entry) => entry.extensions.includes(extension))
  if (refused) return { extension, label: refused.label }
  const text = TEXT_EXTENSIONS[extension]
  return text ? { extension, label: text } : null
}

/** "Summer.Hero.JPG" → "jpg"; "" when there is none. */
export function extensionOf(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? ''
  const dot = base.lastIndexOf('.')
  return dot > 0 && dot < base.length - 1 ? base.slice(dot + 1).toLowerCase() : ''
}

/** The sentence every type refusal ends with. */
export const ACCEPTED_TYPES_SENTENCE =
  'Damson accepts images (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG, HEIC), video (MP4, MOV, WebM), audio (MP3, WAV, FLAC, Ogg, AAC), ' +
  'PDF and Office documents, design files (Photoshop, Illustrator, EPS, InDesign), 3D models (glTF, STL, FBX) and archives (ZIP, 7z, RAR, tar, gzip).'

export type UploadVerdict =
  | { ok: true; format: MediaFormat; kind: AssetKind }
  | { ok: false; reason: string }

/**
 * Whether an upload is taken, from the type its bytes were sniffed as (null when
 * nothing was recognised) and the name the client gave. The bytes decide what the
 * file is; the name is only checked not to contradict them: a PDF called photo.jpg
 * is refused, so nobody downloads "a photo" that opens as something else. A name
 * without an extension, or with one Damson does not know, is no claim at all.
 * `reason` completes a sentence that starts with the file's name.
 */
export function judgeUpload(sniffedMime: string | null, filename: string, bytesLookLikeText = false): UploadVerdict {
  const claim = claimedByName(filename)
  const named = claim ? ` (its name says ${article(claim.label)} ${claim.label})` : ''
  if (!sniffedMime) {
    const what = bytesLookLikeText ? 'plain text' : 'no file type Damson recognises (it may be damaged)'
    return { ok: false, reason: `is not a file Damson accepts: its bytes are ${what}${named}. ${ACCEPTED_TYPES_SENTENCE}` }
  }
  if (sniffedMime === 'application/zip') {
    return { ok: false, reason: 'is a ZIP archive inside another upload. Upload it on its own and Damson expands it into assets; archives inside archives are not expanded.' }
  }
  const accepted = acceptedFormat(sniffedMime)
  if (!accepted) {
    const label = REFUSED[sniffedMime]?.label ?? describeUnknown(sniffedMime)
    return { ok: false, reason: `is ${article(label)} ${label}, which Damson does not accept${named}. ${ACCEPTED_TYPES_SENTENCE}` }
  }
  // Legacy Office files share their container with installers and mail stores: only the three names are taken.
  if (accepted.mime === 'application/x-cfb' && !(claim && accepted.extensions.includes(claim.extension))) {
    return {
      ok: false,
      reason: `is a Microsoft compound file that is not named as a Word, Excel or PowerPoint document (.doc, .xls, .ppt)${named}. ${ACCEPTED_TYPES_SENTENCE}`,
    }
  }
  if (claim && !accepted.extensions.includes(claim.extension)) {
    return {
      ok: false,
      reason:
        `is ${article(accepted.label)} ${accepted.label}, but its name says ${article(claim.label)} ${claim.label} (.${claim.extension}). ` +
        `Rename it to .${accepted.extensions[0]} if it is meant to be ${article(accepted.label)} ${accepted.label}, or choose the right file.`,
    }
  }
  return { ok: true, format: accepted, kind: assetKindFor(accepted, filename) }
}

/** The asset kind of an accepted file: its format's, except that Illustrator files (PDF or PostScript inside) are design files. */
export function assetKindFor(accepted: MediaFormat, filename: string): AssetKind {
  return extensionOf(filename) === 'ai' ? 'design' : accepted.kind
}

function describeUnknown(mime: string): string {
  if (mime.startsWith('video/')) return `video format Damson cannot play (${mime})`
  if (mime.startsWith('audio/')) return `audio format Damson cannot play (${mime})`
  if (mime.startsWith('image/')) return `${mime.slice('image/'.length).toUpperCase()} image`
  if (mime.startsWith('font/')) return 'font'
  return `${mime} file`
}

function article(label: string): 'a' | 'an' {
  return /^[aeiou]/i.test(label) || /^(MP3|MP4|SVG|STL|FBX|HEIC|HEIF|RTF|XML|MKV|AVI|AIFF|AAC|EPS|OpenDocument)\b/.test(label) ? 'an' : 'a'
}

/** The label to show for a stored media type ("MP4 video"); the bare type when it is not in the table. */
export function formatLabel(mime: string): string {
  return acceptedFormat(mime)?.label ?? mime
}

/** The icon for a stored media type; a generic file icon for anything else. */
export function typeIconFor(mime: string): TypeIconId {
  return acceptedFormat(mime)?.icon ?? 'file'
}

/** The MIME types and extensions for the upload pickers' accept attribute (the server sniffs whatever comes). */
export function acceptAttribute(): string {
  const tokens = new Set<string>()
  for (const entry of ACCEPTED) {
    if (entry.mime !== 'application/x-cfb') tokens.add(entry.mime)
    for (const extension of entry.extensions) tokens.add(`.${extension}`)
  }
  return [...tokens].join(',')
}

/** The asset kind of a stored file from its (sniffed) type and name; 'other' for a type outside the table. */
export function assetKindOf(mime: string, filename: string): AssetKind {
  const accepted = acceptedFormat(mime)
  return accepted ? assetKindFor(accepted, filename) : 'other'
}

const KIND_PHRASES: Readonly<Record<AssetKind, string>> = {
  image: 'an image',
  video: 'a video',
  audio: 'an audio file',
  document: 'a document',
  design: 'a design file',
  other: 'a file of another kind (an archive)',
}

/** "a video", "an image" …, for sentences about an asset's kind. */
export function kindPhrase(kind: AssetKind): string {
  return KIND_PHRASES[kind]
}

const KIND_ICONS: Readonly<Record<AssetKind, TypeIconId>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'document',
  design: 'design',
  other: 'file',
}

/** The icon for an asset kind, where the exact format is not at hand (lists). */
export function typeIconForKind(kind: AssetKind): TypeIconId {
  return KIND_ICONS[kind]
}
