/**
 * Ingest renditions, measured on a stack of its own (`npm run bench:renditions`,
 * through scripts/bench/with-bench-stack.mjs: PostgreSQL, SeaweedFS, the worker idle).
 *
 * FILES generated 24-megapixel JPEGs (6000 × 4000, photo-like: smooth light, shapes,
 * texture, grain; about 10 MB each) are put in S3 with asset and version rows as an upload
 * records them. Then, each timed over all files with the media worker's concurrency:
 *
 * (a) damson: the real rendition path, the `makeRenditions` activity called directly
 *     (read the original from S3, thumbnail + preview + web, write to S3, record rows);
 * (b) sharp: a bare sharp loop over the same files on local disk, each preset read
 *     and resized straight from the file (libvips shrink-on-load), written to local
 *     files: the floor the issue sets;
 * (c) vipsthumbnail (Debian libvips-tools, installed when missing and root): one
 *     process per preset over all files, at most CONCURRENCY processes at once.
 * For reading (a) against its own method, the same files are also rendered from local
 * disk by Damson's renderPresets alone (one decode per file, no S3, no database).
 *
 *   npm run bench:renditions [-- --files 200]
 *
 * The generated files are kept in .data/bench-fixtures/renditions/ (outside
 * .data/bench, which the bench launcher wipes), so a second run skips generating them.
 *
 * Last line: `renditions: damson/sharp = R, damson/vipsthumbnail = V` (V is `n/a`
 * when vipsthumbnail cannot be installed). Goal: R <= 1.25.
 */
import { execFile } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import sharp, { type Sharp } from 'sharp'
import { createDb } from '~/db.server'
import { INGEST_RENDITION_PRESETS, RENDITION_PRESETS, renditionSize, type RenditionPreset } from '~/domain/rendition-presets'
import { getEnv } from '~/env.server'
import { renderPresets } from '~/media.server'
import { createStorageFromEnv, storageKeys } from '~/storage.server'
import { createIngestActivities } from '../../workers/activities/ingest'

const execFileAsync = promisify(execFile)

const { values } = parseArgs({ options: { files: { type: 'string', default: '200' } } })
const FILES = Math.floor(Number(values.files))
if (!(FILES >= 1)) throw new Error(`--files must be a whole number of at least 1, not ${values.files}`)

/** The media worker runs two activities at a time (maxConcurrentActivityTaskExecutions in workers/main.ts). */
const CONCURRENCY = 2
const WIDTH = 6000
const HEIGHT = 4000
/** Bump when the generator changes, so cached fixtures from an older one are not reused. */
const FIXTURE_GENERATION = 'v1'
const FIXTURE_DIR = path.resolve('.data/bench-fixtures/renditions', FIXTURE_GENERATION)
const OUTPUT_DIR = path.resolve('.data/bench/renditions-out')
const PROGRESS_EVERY = Math.max(1, Math.round(FILES / 8))

const env = getEnv()
const db = createDb(env.DATABASE_URL)
const storage = createStorageFromEnv(env)
const presets = INGEST_RENDITION_PRESETS.map((name) => RENDITION_PRESETS[name])

function log(line: string): void {
  console.log(`  ${line}`)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
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
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
}

/** Times one approach over all files, with a progress line every PROGRESS_EVERY files. */
async function timed(label: string, work: (index: number) => Promise<void>, concurrency = CONCURRENCY): Promise<number> {
  let done = 0
  const started = performance.now()
  await forEachIndex(FILES, concurrency, async (index) => {
    await work(index)
    done += 1
    if (done % PROGRESS_EVERY === 0 && done < FILES) log(`${label}: ${done}/${FILES} in ${seconds(performance.now() - started)}`)
  })
  return performance.now() - started
}

/** A small deterministic generator, so fixture N is the same picture on every machine. */
function randomFrom(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * A 6000 × 4000 JPEG that decodes and compresses like a photo: light that varies
 * smoothly across the frame (a small random field, enlarged), forty translucent
 * shapes with hard edges, texture and fine grain over everything, at quality 85.
 */
async function generatePhoto(index: number): Promise<Buffer> {
  const random = randomFrom(index + 1)
  const fieldWidth = 60
  const fieldHeight = 40
  const field = Buffer.alloc(fieldWidth * fieldHeight * 3)
  const from = [random(), random(), random()].map((value) => value * 255)
  const to = [random(), random(), random()].map((value) => value * 255)
  for (let y = 0; y < fieldHeight; y += 1) {
    for (let x = 0; x < fieldWidth; x += 1) {
      const along = (x / fieldWidth + y / fieldHeight) / 2
      for (let channel = 0; channel < 3; channel += 1) {
        const value = (from[channel] ?? 0) * (1 - along) + (to[channel] ?? 0) * along + (random() - 0.5) * 40
        field[(y * fieldWidth + x) * 3 + channel] = Math.max(0, Math.min(255, value))
      }
    }
  }
  const shapes: string[] = []
  for (let shape = 0; shape < 40; shape += 1) {
    const fill = `rgb(${Math.floor(random() * 255)},${Math.floor(random() * 255)},${Math.floor(random() * 255)})`
    const opacity = (0.3 + random() * 0.6).toFixed(2)
    if (random() < 0.5) {
      shapes.push(`<circle cx="${random() * WIDTH}" cy="${random() * HEIGHT}" r="${50 + random() * 700}" fill="${fill}" fill-opacity="${opacity}"/>`)
    } else {
      const [x, y] = [random() * WIDTH, random() * HEIGHT]
      shapes.push(
        `<rect x="${x}" y="${y}" width="${50 + random() * 1500}" height="${50 + random() * 1500}" fill="${fill}" fill-opacity="${opacity}" transform="rotate(${random() * 90} ${x} ${y})"/>`,
      )
    }
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">${shapes.join('')}</svg>`)
  const lit = await sharp(field, { raw: { width: fieldWidth, height: fieldHeight, channels: 3 } })
    .resize(WIDTH, HEIGHT, { kernel: 'cubic' })
    .composite([{ input: svg }])
    .raw()
    .toBuffer()
  // Texture at the scale renditions keep (foliage, fabric, skin): coarse noise, enlarged.
  // Without it a 2048 px rendition of the picture would be a few smooth tens of KB and
  // encoding would cost far less than for a real photo.
  const texture = await sharp({ create: { width: WIDTH / 4, height: HEIGHT / 4, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .extractChannel(0)
    .resize(WIDTH, HEIGHT, { kernel: 'cubic' })
    .raw()
    .toBuffer()
  // Sensor grain; the tile's odd size keeps its repeats from lining up with the JPEG blocks.
  const grain = await sharp({ create: { width: 509, height: 503, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 8 } } })
    .png()
    .toBuffer()
  return sharp(lit, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .composite([
      { input: texture, raw: { width: WIDTH, height: HEIGHT, channels: 1 }, blend: 'soft-light' },
      { input: grain, tile: true, blend: 'soft-light' },
    ])
    .jpeg({ quality: 85 })
    .toBuffer()
}

function fixturePath(index: number): string {
  return path.join(FIXTURE_DIR, `photo-${String(index + 1).padStart(3, '0')}.jpg`)
}

async function ensureFixtures(): Promise<void> {
  await mkdir(FIXTURE_DIR, { recursive: true })
  const missing = Array.from({ length: FILES }, (_, index) => index).filter((index) => !existsSync(fixturePath(index)))
  if (missing.length === 0) {
    log(`${FILES} photos already generated in ${path.relative(process.cwd(), FIXTURE_DIR)}`)
    return
  }
  log(`Generating ${missing.length} of ${FILES} photos (6000 × 4000 JPEG) into ${path.relative(process.cwd(), FIXTURE_DIR)}…`)
  const started = performance.now()
  let done = 0
  await forEachIndex(missing.length, CONCURRENCY, async (position) => {
    const index = missing[position] ?? 0
    const file = fixturePath(index)
    // Written under a temporary name, so an interrupted run never leaves half a fixture.
    const partial = `${file}.${randomUUID().slice(0, 8)}.partial`
    await writeFile(partial, await generatePhoto(index))
    await rename(partial, file)
    done += 1
    if (done % 20 === 0 && done < missing.length) log(`generated ${done}/${missing.length} in ${seconds(performance.now() - started)}`)
  })
  log(`generated ${missing.length} photos in ${seconds(performance.now() - started)}`)
}

type Uploaded = { versionId: string; file: string }

/** Each photo as an upload leaves it: the original in S3, an image asset and version 1 in processing. */
async function uploadPhotos(): Promise<Uploaded[]> {
  const uploader = await db.user.findUniqueOrThrow({ where: { email: 'librarian@damson.test' }, include: { memberships: true } })
  const organisationId = uploader.memberships[0]?.organisationId
  if (!organisationId) throw new Error('The seeded librarian has no organisation')
  const batch = randomUUID().slice(0, 8)
  const uploaded: Uploaded[] = new Array<Uploaded>(FILES)
  const started = performance.now()
  await forEachIndex(FILES, 4, async (index) => {
    const file = fixturePath(index)
    const bytes = await readFile(file)
    const assetId = randomUUID()
    const versionId = randomUUID()
    const storageKey = storageKeys.original(assetId, versionId)
    await storage.putBuffer(storageKey, bytes, 'image/jpeg')
    await db.$transaction(async (tx) => {
      await tx.asset.create({
        data: { id: assetId, title: `Bench photo ${index + 1}`, kind: 'image', folderPath: `/bench-renditions-${batch}`, ownerOrganisationId: organisationId, createdById: uploader.id },
      })
      await tx.assetVersion.create({
        data: {
          id: versionId,
          assetId,
          number: 1,
          storageKey,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          bytes: BigInt(bytes.length),
          mediaType: 'image/jpeg',
          originalFilename: path.basename(file),
          status: 'processing',
          uploadedById: uploader.id,
        },
      })
    })
    uploaded[index] = { versionId, file }
  })
  log(`put ${FILES} originals in S3 with their rows in ${seconds(performance.now() - started)}`)
  return uploaded
}

/** How a bare loop asks sharp for a preset: the box, never enlarged, encoded as the preset says. */
function bareSharp(file: string, preset: RenditionPreset): Sharp {
  const image = sharp(file).autoOrient().resize({ width: preset.maxWidth, height: preset.maxHeight, fit: 'inside', withoutEnlargement: true })
  return preset.format === 'jpeg'
    ? image.jpeg({ quality: preset.quality, progressive: preset.progressive, mozjpeg: preset.mozjpeg })
    : image.webp({ quality: preset.quality })
}

type Vipsthumbnail = { command: string; version: string } | { missing: string }

async function findVipsthumbnail(): Promise<string | null> {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, 'vipsthumbnail')
    if (directory && existsSync(candidate)) return candidate
  }
  return null
}

/** vipsthumbnail from Debian's libvips-tools: installed when missing and we are root, as bootstrap does for Chromium. */
async function ensureVipsthumbnail(): Promise<Vipsthumbnail> {
  let command = await findVipsthumbnail()
  if (!command) {
    if (userInfo().uid !== 0) return { missing: 'vipsthumbnail is not installed and this is not root to install it (sudo apt-get install libvips-tools)' }
    log('Installing vipsthumbnail for the reference figure (apt-get install -y --no-install-recommends libvips-tools)…')
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const install = () => execFileAsync('apt-get', ['install', '-y', '--no-install-recommends', 'libvips-tools'], { env: aptEnv, maxBuffer: 64 * 1024 * 1024 })
    try {
      await install().catch(async () => {
        await execFileAsync('apt-get', ['update'], { env: aptEnv, maxBuffer: 64 * 1024 * 1024 })
        await install()
      })
    } catch (error) {
      const detail = error instanceof Error ? error.message.split('\n').find((line) => /^E:/.test(line)) ?? error.message.split('\n')[0] : String(error)
      return { missing: `could not install libvips-tools (${detail})` }
    }
    command = await findVipsthumbnail()
    if (!command) return { missing: 'apt-get installed libvips-tools but vipsthumbnail is not on PATH' }
  }
  const { stdout } = await execFileAsync(command, ['--vips-version'])
  return { command, version: stdout.trim() }
}

/** vipsthumbnail's output options for a preset: the same quality and, for JPEG, progressive; no metadata. */
function vipsOutput(preset: RenditionPreset): string {
  const options = preset.format === 'jpeg' ? `Q=${preset.quality}${preset.progressive ? ',interlace' : ''},strip` : `Q=${preset.quality},strip`
  return path.join(OUTPUT_DIR, 'vipsthumbnail', `%s-${preset.name}.${preset.extension}[${options}]`)
}

async function main(): Promise<void> {
  console.log(`Renditions: ${FILES} photos of 6000 × 4000, presets ${INGEST_RENDITION_PRESETS.join(' + ')}, concurrency ${CONCURRENCY}`)
  log(`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${sharp.concurrency()} libvips thread(s) per image`)
  await ensureFixtures()
  const uploaded = await uploadPhotos()
  await rm(OUTPUT_DIR, { recursive: true, force: true })
  for (const directory of ['sharp', 'render-presets', 'vipsthumbnail']) await mkdir(path.join(OUTPUT_DIR, directory), { recursive: true })

  // (a) The real path, as the media worker runs it.
  const activities = createIngestActivities({ db, storage, maxImagePixels: env.MAX_IMAGE_PIXELS })
  const expected = presets.map((preset) => ({ preset: preset.name, ...renditionSize(preset, { width: WIDTH, height: HEIGHT }) }))
  let wrongSize = 0
  const damsonMs = await timed('damson', async (index) => {
    const made = await activities.makeRenditions({ versionId: uploaded[index]?.versionId ?? '' })
    const sizes = made.map(({ preset, width, height, reused }) => ({ preset, width, height, reused }))
    if (JSON.stringify(sizes) !== JSON.stringify(expected.map((size) => ({ ...size, reused: false })))) wrongSize += 1
  })
  const recorded = await db.rendition.count({ where: { versionId: { in: uploaded.map((item) => item.versionId) } } })
  log(`damson (S3 → makeRenditions → S3 + rows): ${seconds(damsonMs)}, ${((damsonMs / FILES) * CONCURRENCY).toFixed(0)} ms a file per lane; ${recorded} renditions recorded, ${wrongSize} files with other sizes`)
  if (recorded !== FILES * presets.length || wrongSize > 0) throw new Error('The real path did not record every rendition at the preset sizes')

  // (b) The floor: a bare sharp loop from local disk.
  const sharpMs = await timed('sharp', async (index) => {
    const file = uploaded[index]?.file ?? ''
    for (const preset of presets) {
      await bareSharp(file, preset).toFile(path.join(OUTPUT_DIR, 'sharp', `${path.parse(file).name}-${preset.name}.${preset.extension}`))
    }
  })
  log(`sharp (each preset from the file, shrink-on-load): ${seconds(sharpMs)}`)

  // Damson's own rendering without S3 and the database, for reading (a).
  const renderMs = await timed('renderPresets', async (index) => {
    const file = uploaded[index]?.file ?? ''
    const renditions = await renderPresets(await readFile(file), INGEST_RENDITION_PRESETS, { maxPixels: env.MAX_IMAGE_PIXELS })
    await Promise.all(
      renditions.map((rendition) =>
        writeFile(path.join(OUTPUT_DIR, 'render-presets', `${path.parse(file).name}-${rendition.preset}.${rendition.extension}`), rendition.data),
      ),
    )
  })
  log(`renderPresets (one decode per file, local disk): ${seconds(renderMs)}`)

  // (c) vipsthumbnail for reference: one process per preset over all files.
  const vips = await ensureVipsthumbnail()
  let vipsMs: number | null = null
  if ('missing' in vips) {
    log(`vipsthumbnail: not measured: ${vips.missing}`)
  } else {
    const files = uploaded.map((item) => item.file)
    const started = performance.now()
    await forEachIndex(presets.length, CONCURRENCY, async (position) => {
      const preset = presets[position]
      if (!preset) return
      await execFileAsync(vips.command, ['--size', `${preset.maxWidth}x${preset.maxHeight}`, '-o', vipsOutput(preset), ...files], { maxBuffer: 16 * 1024 * 1024 })
    })
    vipsMs = performance.now() - started
    const written = (await readdir(path.join(OUTPUT_DIR, 'vipsthumbnail'))).length
    log(`vipsthumbnail ${vips.version} (one process per preset, ${CONCURRENCY} at a time): ${seconds(vipsMs)}, ${written} files`)
    if (written !== FILES * presets.length) throw new Error(`vipsthumbnail wrote ${written} files, not ${FILES * presets.length}`)
  }

  // The outputs of the three approaches have the same sizes (sharp's own box rounding may differ by a pixel).
  const sample = path.parse(uploaded[0]?.file ?? '').name
  for (const preset of presets) {
    const sizes = await Promise.all(
      ['sharp', 'render-presets', ...(vipsMs === null ? [] : ['vipsthumbnail'])].map(async (directory) => {
        const meta = await sharp(path.join(OUTPUT_DIR, directory, `${sample}-${preset.name}.${preset.extension}`)).metadata()
        return `${directory} ${meta.width} × ${meta.height} ${meta.format}`
      }),
    )
    log(`${preset.name}: ${sizes.join(', ')}`)
  }

  const r = damsonMs / sharpMs
  const v = vipsMs === null ? 'n/a' : (damsonMs / vipsMs).toFixed(2)
  log(`damson/renderPresets = ${(damsonMs / renderMs).toFixed(2)} (the share of S3 reads, writes and rows)`)
  log(`timings: damson ${seconds(damsonMs)}, sharp ${seconds(sharpMs)}, vipsthumbnail ${vipsMs === null ? 'n/a' : seconds(vipsMs)}`)
  await db.$disconnect()
  console.log(`renditions: damson/sharp = ${r.toFixed(2)}, damson/vipsthumbnail = ${v}`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
