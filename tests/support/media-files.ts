/**
 * Real, tiny files of every kind the media pipeline takes, made at test time: sharp for
 * still images, ffmpeg (FFMPEG_PATH, the pinned static build) for animation, video and
 * audio, a hand-written PDF, yazl for a Word document. Small on purpose (2 s, 160 × 90)
 * so that the media tests stay fast.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import yazl from 'yazl'

const run = promisify(execFile)

/** Runs ffmpeg to write `name` (its extension picks the container) from `args`, and returns the bytes. */
export async function ffmpegFile(ffmpegPath: string, name: string, args: string[]): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'damson-media-fixture-'))
  try {
    const output = path.join(dir, name)
    await run(ffmpegPath, ['-hide_banner', '-v', 'error', '-y', ...args, output])
    return await readFile(output)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const TEST_PICTURE = ['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=2']
const TONE = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2']

/** Every video and audio format the allow-list promises, 2 s each. */
export async function makeAvFiles(ffmpegPath: string): Promise<Record<string, Buffer>> {
  const av = (name: string, args: string[]) => ffmpegFile(ffmpegPath, name, args)
  const entries = await Promise.all([
    av('clip.mp4', [...TEST_PICTURE, ...TONE, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']).then((b) => ['clip.mp4', b] as const),
    av('clip.mov', [...TEST_PICTURE, ...TONE, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']).then((b) => ['clip.mov', b] as const),
    av('clip.webm', [...TEST_PICTURE, ...TONE, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-c:a', 'libopus', '-shortest']).then((b) => ['clip.webm', b] as const),
    av('tone.mp3', [...TONE, '-c:a', 'libmp3lame', '-b:a', '64k']).then((b) => ['tone.mp3', b] as const),
    av('tone.wav', [...TONE]).then((b) => ['tone.wav', b] as const),
    av('tone.flac', [...TONE]).then((b) => ['tone.flac', b] as const),
    av('tone.ogg', [...TONE, '-c:a', 'libvorbis']).then((b) => ['tone.ogg', b] as const),
    av('tone.aac', [...TONE, '-c:a', 'aac', '-f', 'adts']).then((b) => ['tone.aac', b] as const),
    av('tone.m4a', [...TONE, '-c:a', 'aac']).then((b) => ['tone.m4a', b] as const),
    av('wave.gif', ['-f', 'lavfi', '-i', 'testsrc2=s=120x90:r=5:d=1', '-loop', '0']).then((b) => ['wave.gif', b] as const),
  ])
  return Object.fromEntries(entries)
}

/** A still picture with shapes and two strong colours (so dominant colours have something to find). */
export function pictureSvg(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#1d4ed8"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#f59e0b"/>
  </svg>`
}

/** Every still image format sharp writes: JPEG, PNG, WebP, AVIF, TIFF (320 × 200). */
export async function makeStillImages(): Promise<Record<string, Buffer>> {
  const base = () => sharp(Buffer.from(pictureSvg(320, 200)))
  return {
    'still.jpg': await base().jpeg({ quality: 85 }).toBuffer(),
    'still.png': await base().png().toBuffer(),
    'still.webp': await base().webp().toBuffer(),
    'still.avif': await base().avif({ effort: 0 }).toBuffer(),
    'still.tiff': await base().tiff().toBuffer(),
  }
}

/** An animated WebP of three frames (sharp joins frames into an animation). */
export async function animatedWebp(): Promise<Buffer> {
  const frames = await Promise.all(
    ['#ef4444', '#22c55e', '#3b82f6'].map((colour) => sharp({ create: { width: 90, height: 60, channels: 3, background: colour } }).png().toBuffer()),
  )
  return sharp(frames, { join: { animated: true } }).webp({ loop: 0, delay: [200, 200, 200] }).toBuffer()
}

/** A PDF of `pages` pages, each with a line of text ("Page 1 of the summer brochure" …), written by hand. */
export function multiPagePdf(pages: number): Buffer {
  const objects: string[] = []
  const kids: number[] = []
  objects.push('<< /Type /Catalog /Pages 2 0 R >>')
  objects.push('') // the page tree, filled in below
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>')
  for (let page = 1; page <= pages; page++) {
    const content = `BT /F1 24 Tf 40 700 Td (Page ${page} of the summer brochure) Tj ET`
    objects.push(`<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`)
    const contentId = objects.length
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${contentId} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`)
    kids.push(objects.length)
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`
  let pdf = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(pdf))
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`
  })
  const xref = Buffer.byteLength(pdf)
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(pdf, 'latin1')
}

/** The smallest Word document file-type recognises as one (a zip with word/document.xml). */
export async function minimalDocx(): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  zip.addBuffer(
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    '[Content_Types].xml',
  )
  zip.addBuffer(
    Buffer.from('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Brief</w:t></w:r></w:p></w:body></w:document>'),
    'word/document.xml',
  )
  zip.end()
  const chunks: Buffer[] = []
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A binary glTF (GLB) holding an empty scene: header and one JSON chunk. */
export function minimalGlb(): Buffer {
  const json = Buffer.from(JSON.stringify({ asset: { version: '2.0' }, scenes: [{ nodes: [] }], scene: 0 }).padEnd(64, ' '))
  const header = Buffer.alloc(12)
  header.write('glTF', 0, 'ascii')
  header.writeUInt32LE(2, 4)
  header.writeUInt32LE(12 + 8 + json.length, 8)
  const chunkHeader = Buffer.alloc(8)
  chunkHeader.writeUInt32LE(json.length, 0)
  chunkHeader.write('JSON', 4, 'ascii')
  return Buffer.concat([header, chunkHeader, json])
}
