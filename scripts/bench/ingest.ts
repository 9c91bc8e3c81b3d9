/**
 * Bulk ingest, measured on a stack of its own (`npm run bench:ingest`, through
 * scripts/bench/with-bench-stack.mjs: the web server and the worker as `npm start` runs them).
 *
 * FILES mixed files (photos, graphics, animated and still GIFs, SVGs, PDFs, MP4 and WebM
 * clips, MP3/WAV/FLAC audio, Word documents) are zipped into one archive, which a librarian
 * uploads through the real upload route (the page's zip answer: one outcome per file).
 * The clock runs from the start of the upload until every stored file's ingest is over:
 * its previews made and its review opened (or it failed with a reason, which is counted
 * and listed).
 *
 * For reading the figure, the same run also times the floor for the photos alone:
 * Damson's renderPresets over the JPEGs from local disk, with the media worker's
 * concurrency and no S3, database or workflow.
 *
 *   npm run bench:ingest [-- --files 1000]
 *
 * Fixtures are kept in .data/bench-fixtures/ingest/ (outside .data/bench, which the bench
 * launcher wipes), so a second run skips making them.
 *
 * Last line: `ingest: N files/s`.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import sharp from 'sharp'
import yazl from 'yazl'
import { createDb } from '~/db.server'
import { INGEST_RENDITION_PRESETS } from '~/domain/rendition-presets'
import { getEnv } from '~/env.server'
import { UPLOAD_ARCHIVE_HEADER, UPLOAD_OUTCOMES_ELEMENT_ID, UploadBatchJsonSchema } from '~/library/upload-protocol'
import { renderPresets } from '~/media.server'
import { minimalPdf } from '../../tests/support/pdf-fixture'
import { signIn } from './web-session'

const execFileAsync = promisify(execFile)

const { values } = parseArgs({ options: { files: { type: 'string', default: '1000' } } })
const FILES = Math.floor(Number(values.files))
if (!(FILES >= 20)) throw new Error(`--files must be a whole number of at least 20, not ${values.files}`)

const webUrl = process.env.BENCH_WEB_URL
if (!webUrl) throw new Error('Run through `npm run bench:ingest` (BENCH_WEB_URL is set there)')
const env = getEnv()
const db = createDb(env.DATABASE_URL)

/** The media worker runs two activities at a time (workers/main.ts). */
const CONCURRENCY = 2
/** Bump when a generator changes, so cached fixtures from an older one are not reused. */
const FIXTURE_GENERATION = 'v1'
const FIXTURE_DIR = path.resolve('.data/bench-fixtures/ingest', `${FIXTURE_GENERATION}-${FILES}`)
const TIMEOUT_MS = 60 * 60 * 1000
const POLL_MS = 1000

/** The mix, as shares of FILES; photos take what the others leave. */
const MIX = [
  { kind: 'png', share: 0.1 },
  { kind: 'gif', share: 0.02 },
  { kind: 'animated-gif', share: 0.02 },
  { kind: 'svg', share: 0.02 },
  { kind: 'pdf', share: 0.04 },
  { kind: 'mp4', share: 0.03 },
  { kind: 'webm', share: 0.01 },
  { kind: 'mp3', share: 0.02 },
  { kind: 'wav', share: 0.01 },
  { kind: 'flac', share: 0.01 },
  { kind: 'docx', share: 0.02 },
] as const
type FixtureKind = (typeof MIX)[number]['kind'] | 'jpeg'

function log(line: string): void {
  console.log(`  ${line}`)
}

function plan(): FixtureKind[] {
  const kinds: FixtureKind[] = []
  for (const { kind, share } of MIX) for (let i = 0; i < Math.max(1, Math.round(FILES * share)); i += 1) kinds.push(kind)
  while (kinds.length < FILES) kinds.push('jpeg')
  return kinds.slice(0, FILES)
}

/** A photo-like scene: light gradient, shapes and grain, different for every index. */
function sceneSvg(index: number, width: number, height: number): string {
  const hue = (index * 47) % 360
  const circles = Array.from({ length: 5 }, (_, n) => {
    const x = (index * 131 + n * 211) % width
    const y = (index * 71 + n * 157) % height
    return `<circle cx="${x}" cy="${y}" r="${40 + ((index + n * 37) % 160)}" fill="hsl(${(hue + n * 60) % 360},65%,55%)" fill-opacity="0.8"/>`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},50%,80%)"/><stop offset="1" stop-color="hsl(${(hue + 140) % 360},50%,25%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${circles}
    <text x="40" y="${height - 60}" font-size="64" font-family="sans-serif" fill="#fff">Campaign ${index}</text></svg>`
}

async function photo(index: number): Promise<Buffer> {
  const width = 3000
  const height = 2000
  const grain = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 12 } } })
    .png()
    .toBuffer()
  return sharp(Buffer.from(sceneSvg(index, width, height)))
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: 88 })
    .toBuffer()
}

async function ffmpeg(args: string[]): Promise<void> {
  await execFileAsync(env.FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-y', ...args])
}

function docx(index: number): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  const add = (name: string, text: string) => zip.addBuffer(Buffer.from(text), name)
  add(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  )
  add(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  )
  add(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Brief ${index}</w:t></w:r></w:p></w:body></w:document>`,
  )
  zip.end()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk))
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
    zip.outputStream.on('error', reject)
  })
}

/** Writes fixture `index` of `kind` into `dir`; returns its file name. */
async function makeFixture(dir: string, index: number, kind: FixtureKind): Promise<string> {
  const base = `file-${String(index).padStart(4, '0')}`
  const out = (extension: string) => path.join(dir, `${base}.${extension}`)
  switch (kind) {
    case 'jpeg':
      await writeFile(out('jpg'), await photo(index))
      return `${base}.jpg`
    case 'png':
      await sharp(Buffer.from(sceneSvg(index, 1600, 1000))).ensureAlpha(0.9).png().toFile(out('png'))
      return `${base}.png`
    case 'gif':
      await sharp(Buffer.from(sceneSvg(index, 800, 600))).gif().toFile(out('gif'))
      return `${base}.gif`
    case 'animated-gif': {
      const frames = await Promise.all([0, 1, 2, 3].map((frame) => sharp(Buffer.from(sceneSvg(index + frame * 7, 320, 240))).raw().toBuffer()))
      await sharp(Buffer.concat(frames), { raw: { width: 320, height: 240 * 4, channels: 4, pageHeight: 240 } })
        .gif({ delay: [200, 200, 200, 200], loop: 0 })
        .toFile(out('gif'))
      return `${base}.gif`
    }
    case 'svg':
      await writeFile(out('svg'), sceneSvg(index, 1200, 800))
      return `${base}.svg`
    case 'pdf':
      await writeFile(out('pdf'), minimalPdf(`Brand guidelines ${index}`))
      return `${base}.pdf`
    case 'mp4':
      await ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=640x360:rate=25:duration=3`, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', out('mp4')])
      return `${base}.mp4`
    case 'webm':
      await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=3`, '-c:v', 'libvpx-vp9', '-b:v', '300k', '-deadline', 'realtime', out('webm')])
      return `${base}.webm`
    case 'mp3':
      await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${220 + (index % 20) * 20}:duration=5`, '-c:a', 'libmp3lame', '-b:a', '128k', out('mp3')])
      return `${base}.mp3`
    case 'wav':
      await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${330 + (index % 20) * 10}:duration=4`, out('wav')])
      return `${base}.wav`
    case 'flac':
      await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${550 + (index % 20) * 10}:duration=4`, out('flac')])
      return `${base}.flac`
    case 'docx':
      await writeFile(out('docx'), await docx(index))
      return `${base}.docx`
  }
}

/** Runs `work` for indexes 0…count-1, at most `concurrency` at a time. */
async function forEachIndex(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < count) {
      const index = next
      next += 1
      await work(index)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
}

/** The fixtures and the zip of them, made once and kept. */
async function ensureFixtures(): Promise<{ dir: string; names: string[]; zipPath: string }> {
  const zipPath = path.join(FIXTURE_DIR, 'mixed.zip')
  const filesDir = path.join(FIXTURE_DIR, 'files')
  if (existsSync(zipPath)) {
    const names = (await readdir(filesDir)).sort()
    log(`reusing ${names.length} fixtures in ${path.relative(process.cwd(), FIXTURE_DIR)}`)
    return { dir: filesDir, names, zipPath }
  }
  const kinds = plan()
  const partial = `${FIXTURE_DIR}.partial`
  await rm(partial, { recursive: true, force: true })
  await mkdir(path.join(partial, 'files'), { recursive: true })
  const started = Date.now()
  const names: string[] = new Array(kinds.length)
  let made = 0
  await forEachIndex(kinds.length, CONCURRENCY, async (index) => {
    names[index] = await makeFixture(path.join(partial, 'files'), index, kinds[index]!)
    made += 1
    if (made % 100 === 0 || made === kinds.length) log(`made ${made}/${kinds.length} fixtures`)
  })
  // Folders in the archive become asset folders: spread the files over a small tree.
  const zip = new yazl.ZipFile()
  names.forEach((name, index) => {
    zip.addFile(path.join(partial, 'files', name), `campaign-${index % 5}/${kinds[index]}/${name}`, { compress: !/\.(jpg|mp4|webm|mp3|flac|docx|gif|png)$/.test(name) })
  })
  zip.end()
  await new Promise<void>((resolve, reject) => {
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk))
    zip.outputStream.on('error', reject)
    zip.outputStream.on('end', () => {
      writeFile(path.join(partial, 'mixed.zip'), Buffer.concat(chunks)).then(resolve, reject)
    })
  })
  await rm(FIXTURE_DIR, { recursive: true, force: true })
  await rename(partial, FIXTURE_DIR)
  log(`made ${names.length} fixtures in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return { dir: filesDir, names: names.sort(), zipPath }
}

async function uploadZip(zipPath: string, cookie: string): Promise<string[]> {
  const bytes = await readFile(zipPath)
  const form = new FormData()
  form.set('folderPath', '/bench-ingest')
  form.set('file', new Blob([new Uint8Array(bytes)], { type: 'application/zip' }), 'mixed.zip')
  const response = await fetch(`${webUrl}/library/upload`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { Cookie: cookie, Origin: webUrl!, Accept: 'application/json', [UPLOAD_ARCHIVE_HEADER]: String(bytes.length) },
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`the zip upload answered ${response.status}: ${text.slice(0, 500)}`)
  // A zip is answered with the upload page, its outcomes in a JSON island (see UPLOAD_OUTCOMES_ELEMENT_ID).
  const island = new RegExp(`<script type="application/json" id="${UPLOAD_OUTCOMES_ELEMENT_ID}">([\\s\\S]*?)</script>`).exec(text)
  if (!island?.[1]) throw new Error(`the zip upload's answer carries no outcomes: ${text.slice(0, 300)}`)
  const batch = UploadBatchJsonSchema.parse(JSON.parse(island[1]))
  const refused = batch.outcomes.filter((outcome) => !outcome.ok)
  if (refused.length > 0) {
    log(`${refused.length} files were refused at upload:`)
    for (const outcome of refused.slice(0, 20)) log(`  ${JSON.stringify(outcome)}`)
  }
  return batch.outcomes.flatMap((outcome) => (outcome.ok ? [outcome.versionId] : []))
}

/** Waits until no version of `versionIds` is still processing; returns the statuses. */
async function waitForIngest(versionIds: string[], startedAt: number): Promise<Map<string, number>> {
  const deadline = Date.now() + TIMEOUT_MS
  let lastLogged = 0
  for (;;) {
    const counts = await db.assetVersion.groupBy({ by: ['status'], where: { id: { in: versionIds } }, _count: { _all: true } })
    const byStatus = new Map(counts.map((row) => [row.status as string, row._count._all]))
    const processing = byStatus.get('processing') ?? 0
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now()
      log(`${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${versionIds.length - processing}/${versionIds.length} ingested`)
    }
    if (processing === 0) return byStatus
    if (Date.now() > deadline) throw new Error(`timed out with ${processing} versions still processing`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** The floor for the photos: renderPresets from local disk, with the worker's concurrency. */
async function photoFloor(dir: string, names: string[]): Promise<{ files: number; seconds: number }> {
  const photos = names.filter((name) => name.endsWith('.jpg'))
  const started = Date.now()
  await forEachIndex(photos.length, CONCURRENCY, async (index) => {
    const original = await readFile(path.join(dir, photos[index]!))
    await renderPresets(original, [...INGEST_RENDITION_PRESETS], { maxPixels: env.MAX_IMAGE_PIXELS })
  })
  return { files: photos.length, seconds: (Date.now() - started) / 1000 }
}

async function main(): Promise<void> {
  const { dir, names, zipPath } = await ensureFixtures()
  const zipBytes = (await stat(zipPath)).size
  log(`archive: ${names.length} files, ${(zipBytes / 1024 / 1024).toFixed(0)} MB`)

  const cookie = await signIn(webUrl!, 'librarian@damson.test')
  const startedAt = Date.now()
  const versionIds = await uploadZip(zipPath, cookie)
  const uploadedSeconds = (Date.now() - startedAt) / 1000
  log(`upload answered after ${uploadedSeconds.toFixed(1)} s with ${versionIds.length} files stored`)
  const statuses = await waitForIngest(versionIds, startedAt)
  const seconds = (Date.now() - startedAt) / 1000
  log(`all ingested in ${seconds.toFixed(1)} s: ${[...statuses].map(([status, count]) => `${count} ${status}`).join(', ')}`)

  const failed = await db.assetVersion.findMany({
    where: { id: { in: versionIds }, status: 'failed' },
    select: { originalFilename: true, failureReason: true },
    take: 20,
  })
  for (const version of failed) log(`  failed: ${version.originalFilename}: ${version.failureReason}`)
  const withThumbnail = await db.rendition.count({ where: { versionId: { in: versionIds }, preset: 'thumbnail' } })
  log(`${withThumbnail} of ${versionIds.length} have a thumbnail`)

  const floor = await photoFloor(dir, names)
  log(`floor: renderPresets alone over the ${floor.files} photos from local disk: ${(floor.files / floor.seconds).toFixed(2)} files/s`)
  await db.$disconnect()
  console.log(`ingest: ${(versionIds.length / seconds).toFixed(2)} files/s`)
}

await main()
