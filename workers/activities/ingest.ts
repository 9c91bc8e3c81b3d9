/**
 * Ingest activities. The media ones (inspectOriginal, makeRenditions) run on the
 * media task queue with capped concurrency and heartbeats; indexAsset and
 * markVersionFailed run on the orchestration queue. Every one is idempotent: a retry
 * after a crash at any point converges on the same rows and objects.
 *
 * The media activities stream the original from S3 to a private temp file (never
 * the whole file in memory: videos are large) and hand its path to sharp, ffmpeg or
 * mupdf; the file is always deleted afterwards. What is made depends on how the
 * format is previewed (app/domain/media-kind.ts):
 * - raster images: thumbnail, preview, web (animated GIF/WebP: animated thumbnail and preview);
 * - SVG: sanitised again, drawn, then the same three;
 * - HEIC: sharp where libvips can decode it, else ffmpeg, else no preview and a note;
 * - video: a poster frame (thumbnail, preview, web) and the preview clip;
 * - audio: a waveform (thumbnail, preview) and the listening copy;
 * - PDF: page 1 (thumbnail, preview, web) and the first 30 pages for the page viewer;
 * - anything else: nothing (the pages show a type icon).
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Context } from '@temporalio/activity'
import sharp from 'sharp'
import type { Db } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { acceptedFormat, judgeUpload, type MediaFormat } from '~/domain/media-kind'
import {
  AUDIO_RENDITION,
  CLIP_RENDITION,
  INGEST_RENDITION_PRESETS,
  PAGE_RENDITION,
  RENDITION_PRESETS,
  WAVEFORM,
  pageRenditionName,
  type RenditionPresetName,
} from '~/domain/rendition-presets'
import type { Prisma } from '~/generated/prisma/client'
import {
  MediaError,
  inspectImage,
  looksLikeText,
  rasteriseSvg,
  renderAnimatedPresets,
  renderPresets,
  sniffMediaType,
  SNIFF_BYTES,
  type ImageInput,
  type ImageMetadata,
  type Rendition,
} from '~/media.server'
import { decodeStill, displaySize, listeningCopy, posterFrame, previewClip, probeMedia, waveform, type MediaStreamsInfo } from '~/media/ffmpeg.server'
import { openPdf } from '~/media/pdf.server'
import { perceptualHash } from '~/media/perceptual-hash.server'
import { createSvgInspector, isSvgRefusal } from '~/media/svg.server'
import { reindexAsset } from '~/search.server'
import { storageKeys, type Storage } from '~/storage.server'
import { FailureType, heartbeat, nonRetryable, withHeartbeat, type SearchClient } from './support'

export type IngestActivityDeps = {
  db: Db
  storage: Storage
  /** Search client; the process-wide one when omitted. */
  search?: SearchClient
  /** Largest image accepted, in pixels (MAX_IMAGE_PIXELS); also the limit for a video frame and all frames of an animation. */
  maxImagePixels: number
}

export type InspectOriginalResult = {
  mediaType: string
  kind: MediaFormat['kind']
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
}
export type MadeRendition = { preset: string; storageKey: string; width: number | null; height: number | null; bytes: number; reused: boolean }

/** The note kept on a HEIC version neither sharp nor ffmpeg could decode here (shown where the preview would be). */
export const HEIC_NO_PREVIEW = 'No preview: this server cannot decode HEIC.'

/** When the poster frame is cut: at 10 % of the video, but no later than 1 s in (titles and fades come first). */
export function posterTime(durationMs: number | null): number {
  if (!durationMs || durationMs <= 0) return 0
  return Math.min(1, (durationMs / 1000) * 0.1)
}

type VersionFacts = {
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
  metadata: Record<string, unknown>
  extractedText?: string
}

export function createIngestActivities({ db, storage, search, maxImagePixels }: IngestActivityDeps) {
  async function loadVersion(versionId: string) {
    const version = await db.assetVersion.findUnique({
      where: { id: versionId },
      select: { id: true, assetId: true, storageKey: true, status: true, mediaType: true, originalFilename: true, metadata: true, pages: true, durationMs: true, perceptualHash: true },
    })
    if (!version) throw nonRetryable(FailureType.notFound, `Version ${versionId} does not exist`)
    return version
  }

  /** Streams the original to a private temp directory, runs `work` on its path, and always deletes it. */
  async function withOriginalFile<T>(storageKey: string, work: (file: string, scratch: string) => Promise<T>): Promise<T> {
    const scratch = await mkdtemp(path.join(tmpdir(), 'damson-ingest-'))
    try {
      const file = path.join(scratch, 'original')
      await withHeartbeat({ step: 'download' }, async () => {
        const object = await storage.getStream(storageKey)
        await pipeline(object.body, createWriteStream(file, { mode: 0o600 }))
      })
      return await work(file, scratch)
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  }

  /** What ffmpeg, sharp and mupdf report about a file of `format`, as the version stores it. */
  async function inspectFile(format: MediaFormat, file: string): Promise<VersionFacts> {
    switch (format.preview) {
      case 'raster': {
        const info = await inspectImage(file, { maxPixels: maxImagePixels })
        return { width: info.displayWidth, height: info.displayHeight, durationMs: null, pages: null, metadata: info.metadata }
      }
      case 'vector': {
        await assertSafeSvgFile(file)
        const drawn = await rasteriseSvg(file, { maxPixels: maxImagePixels })
        const info = await inspectImage(drawn.png, { maxPixels: maxImagePixels })
        const metadata: Record<string, unknown> = { format: 'svg', width: drawn.width, height: drawn.height, vector: true }
        if (info.metadata.dominantColours) metadata.dominantColours = info.metadata.dominantColours
        return { width: drawn.width, height: drawn.height, durationMs: null, pages: null, metadata }
      }
      case 'heic': {
        const source = await heicSource(file)
        if (source.kind === 'none') {
          return { width: source.width, height: source.height, durationMs: null, pages: null, metadata: { format: 'heif', previewUnavailable: HEIC_NO_PREVIEW } }
        }
        const info = await inspectImage(source.input, { maxPixels: maxImagePixels })
        const metadata: ImageMetadata & { decodedBy?: string } = { ...info.metadata, format: 'heif' }
        if (source.kind === 'ffmpeg') metadata.decodedBy = 'ffmpeg'
        return { width: info.displayWidth, height: info.displayHeight, durationMs: null, pages: null, metadata }
      }
      case 'video': {
        const info = await probeMedia(file, { signal: cancellation() })
        if (!info.video) throw new MediaError('corrupt', info.audio ? 'The file has sound but no picture; upload it as audio (MP3, M4A, WAV)' : 'The file has no video stream')
        const shown = displaySize(info.video)
        if (shown.width * shown.height > maxImagePixels) throw new MediaError('too_many_pixels', `The video is ${shown.width} × ${shown.height} pixels, over the pixel limit`)
        return { ...shown, durationMs: info.durationMs, pages: null, metadata: streamMetadata(format, info) }
      }
      case 'audio': {
        const info = await probeMedia(file, { signal: cancellation() })
        if (!info.audio) throw new MediaError('corrupt', 'The file has no sound in it (no audio stream)')
        return { width: null, height: null, durationMs: info.durationMs, pages: null, metadata: streamMetadata(format, info) }
      }
      case 'pdf': {
        const pdf = await openPdf(file)
        try {
          return {
            width: pdf.firstPage.width,
            height: pdf.firstPage.height,
            durationMs: null,
            pages: pdf.pages,
            metadata: { format: 'pdf', pages: pdf.pages, pageWidthPt: pdf.firstPage.width, pageHeightPt: pdf.firstPage.height },
            extractedText: pdf.text(),
          }
        } finally {
          pdf.close()
        }
      }
      case 'none':
        return { width: null, height: null, durationMs: null, pages: null, metadata: { format: format.label } }
    }
  }

  /**
   * Where a HEIC's pixels come from: sharp when its libvips has an HEVC decoder (the
   * prebuilt one has none), else ffmpeg's HEVC decoder, else nowhere (the size from the
   * header, and no preview).
   */
  async function heicSource(file: string): Promise<{ kind: 'sharp' | 'ffmpeg'; input: ImageInput } | { kind: 'none'; width: number | null; height: number | null }> {
    const sharpCan = await sharp(file, { limitInputPixels: maxImagePixels, failOn: 'error' })
      .resize({ width: 8, height: 8, fit: 'inside' })
      .raw()
      .toBuffer()
      .then(() => true)
      .catch(() => false)
    if (sharpCan) return { kind: 'sharp', input: file }
    try {
      const png = await decodeStill(file, 8192, { signal: cancellation(), timeoutMs: 120_000 })
      return { kind: 'ffmpeg', input: png }
    } catch {
      const header = await sharp(file, { limitInputPixels: false }).metadata().catch(() => null)
      if (!header?.width || !header.height) throw new MediaError('corrupt', 'The HEIC file is corrupt or truncated')
      return { kind: 'none', width: header.width, height: header.height }
    }
  }

  return {
    /**
     * Checks the original against the allow-list (by its bytes), inspects it for its
     * kind (pixel limit, SVG safety, streams, pages) and stores size, duration, pages,
     * technical metadata and a PDF's text on the version. A bad file fails
     * non-retryably with a message for the uploader.
     */
    async inspectOriginal({ versionId }: { versionId: string }): Promise<InspectOriginalResult> {
      const version = await loadVersion(versionId)
      return withOriginalFile(version.storageKey, async (file) => {
        const head = await readHead(file)
        const sniffed = await sniffMediaType(head)
        const verdict = judgeUpload(sniffed?.mime ?? null, version.originalFilename, looksLikeText(head))
        if (!verdict.ok || !sniffed) {
          throw nonRetryable(FailureType.media, `${version.originalFilename} ${verdict.ok ? 'is not a file Damson accepts.' : verdict.reason}`, { code: 'unsupported_type' })
        }

        const facts = await withHeartbeat({ step: 'inspect', kind: verdict.format.preview }, () => inspectFile(verdict.format, file)).catch(asActivityFailure)
        await db.assetVersion.update({
          where: { id: versionId },
          data: {
            mediaType: sniffed.mime,
            width: facts.width,
            height: facts.height,
            durationMs: facts.durationMs,
            pages: facts.pages,
            metadata: facts.metadata as Prisma.InputJsonObject,
            ...(facts.extractedText !== undefined ? { extractedText: facts.extractedText } : {}),
          },
        })
        return { mediaType: sniffed.mime, kind: verdict.kind, width: facts.width, height: facts.height, durationMs: facts.durationMs, pages: facts.pages }
      })
    },

    /**
     * Makes the version's renditions (which ones depends on its format, see the top of
     * this file) into S3 and records them, then its perceptual hash. Renditions already
     * recorded with their object present are kept, so a retry only makes what is
     * missing; the original is fetched only when something is. Pictures are decoded
     * once for all the missing presets (renderPresets); objects are written concurrently.
     */
    async makeRenditions({ versionId }: { versionId: string }): Promise<MadeRendition[]> {
      const version = await loadVersion(versionId)
      const format = acceptedFormat(version.mediaType)
      const metadata = isRecord(version.metadata) ? version.metadata : {}
      const plan = renditionPlan(format, metadata, version.pages)
      const wanted = [...plan.pictures, ...plan.media]

      const existing = wanted.length > 0 ? await db.rendition.findMany({ where: { versionId, preset: { in: wanted } } }) : []
      const kept = new Map<string, MadeRendition>()
      await Promise.all(
        existing.map(async (row) => {
          if (!(await storage.exists(row.storageKey))) return
          kept.set(row.preset, { preset: row.preset, storageKey: row.storageKey, width: row.width, height: row.height, bytes: Number(row.bytes), reused: true })
        }),
      )
      const missing = new Set(wanted.filter((name) => !kept.has(name)))
      const made: MadeRendition[] = []
      let thumbnail: Buffer | null = null

      if (missing.size > 0) {
        await withOriginalFile(version.storageKey, async (file, scratch) => {
          const pictures = plan.pictures.filter((name) => missing.has(name))
          if (pictures.length > 0 && format) {
            const rendered = await withHeartbeat({ step: 'render', presets: pictures }, () =>
              renderPictures(format, file, pictures, metadata, version.durationMs),
            ).catch(asActivityFailure)
            thumbnail = rendered.find((rendition) => rendition.preset === 'thumbnail')?.data ?? null
            made.push(...(await withHeartbeat({ step: 'store', presets: pictures }, () => Promise.all(rendered.map((rendition) => storeRendition(versionId, rendition))))))
          }
          if (missing.has(CLIP_RENDITION.name)) {
            const output = path.join(scratch, `clip.${CLIP_RENDITION.extension}`)
            await withHeartbeat({ step: 'clip' }, async () => {
              const info = await probeMedia(file, { signal: cancellation() })
              await previewClip(file, output, { seconds: CLIP_RENDITION.maxSeconds, width: CLIP_RENDITION.maxWidth, hasAudio: info.audio !== null }, { signal: cancellation() })
            }).catch(asActivityFailure)
            made.push(await storeEncoded(versionId, CLIP_RENDITION, output))
          }
          if (missing.has(AUDIO_RENDITION.name)) {
            const output = path.join(scratch, `audio.${AUDIO_RENDITION.extension}`)
            await withHeartbeat({ step: 'audio' }, () => listeningCopy(file, output, { signal: cancellation() })).catch(asActivityFailure)
            made.push(await storeEncoded(versionId, AUDIO_RENDITION, output))
          }
          const pages = plan.media.filter((name) => name.startsWith('page-') && missing.has(name))
          if (pages.length > 0) made.push(...(await renderPages(versionId, file, pages)))
        })
      }

      if (plan.perceptualHash && (version.perceptualHash === null || thumbnail !== null)) {
        const source = thumbnail ?? (await readThumbnail(kept.get('thumbnail') ?? made.find((rendition) => rendition.preset === 'thumbnail')))
        if (source) {
          const hash = await perceptualHash(source)
          await db.assetVersion.update({ where: { id: versionId }, data: { perceptualHash: hash } })
        }
      }

      const order = (rendition: MadeRendition) => wanted.indexOf(rendition.preset)
      return [...kept.values(), ...made].sort((a, b) => order(a) - order(b))
    },

    /** Writes the asset's current state to the search index. */
    async indexAsset({ assetId }: { assetId: string }): Promise<void> {
      await reindexAsset(db, assetId, search)
    },

    /**
     * Marks a version whose processing failed, with the reason for the uploader, and
     * audits it; a second call for a failed version changes nothing.
     */
    async markVersionFailed({ versionId, reason }: { versionId: string; reason: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const changed = await tx.assetVersion.updateMany({
          where: { id: versionId, status: { in: ['processing', 'in_review'] } },
          data: { status: 'failed', failureReason: reason },
        })
        if (changed.count === 0) return
        const version = await tx.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { assetId: true } })
        await appendAuditEvent(tx, {
          actorId: null,
          action: 'version.processing_failed',
          subjectType: 'version',
          subjectId: versionId,
          detail: { assetId: version.assetId, reason },
        })
      })
    },
  }

  /** The picture presets of a version, from the picture its format gives (the image, a drawing, a poster, a waveform, page 1). */
  async function renderPictures(
    format: MediaFormat,
    file: string,
    presets: RenditionPresetName[],
    metadata: Record<string, unknown>,
    durationMs: number | null,
  ): Promise<Rendition[]> {
    const options = { maxPixels: maxImagePixels }
    const largest = Math.max(...presets.map((name) => RENDITION_PRESETS[name].maxWidth))
    switch (format.preview) {
      case 'raster': {
        const frames = typeof metadata.frames === 'number' ? metadata.frames : 1
        if (frames <= 1) return renderPresets(file, presets, options)
        // Animations stay animated in the WebP presets; the web JPEG is the first frame.
        const animated = presets.filter((name) => RENDITION_PRESETS[name].format === 'webp')
        const still = presets.filter((name) => RENDITION_PRESETS[name].format !== 'webp')
        const [moving, stills] = await Promise.all([renderAnimatedPresets(file, animated, options), renderPresets(file, still, options)])
        return [...moving, ...stills]
      }
      case 'vector': {
        await assertSafeSvgFile(file)
        return renderPresets((await rasteriseSvg(file, options)).png, presets, options)
      }
      case 'heic': {
        const source = await heicSource(file)
        return source.kind === 'none' ? [] : renderPresets(source.input, presets, options)
      }
      case 'video':
        return renderPresets(await posterFrame(file, posterTime(durationMs), largest, { signal: cancellation() }), presets, options)
      case 'audio':
        return renderPresets(await waveform(file, WAVEFORM, { signal: cancellation() }), presets, options)
      case 'pdf': {
        const pdf = await openPdf(file)
        try {
          return renderPresets(await pdf.renderPage(0, largest), presets, options)
        } finally {
          pdf.close()
        }
      }
      case 'none':
        return []
    }
  }

  async function renderPages(versionId: string, file: string, names: string[]): Promise<MadeRendition[]> {
    const pdf = await openPdf(file).catch(asActivityFailure)
    try {
      const made: MadeRendition[] = []
      for (const name of names) {
        const page = Number(name.slice('page-'.length))
        const rendition = await withHeartbeat({ step: 'page', page }, async () => {
          const png = await pdf.renderPage(page - 1, PAGE_RENDITION.maxSide)
          const { data, info } = await sharp(png, { limitInputPixels: maxImagePixels }).webp({ quality: PAGE_RENDITION.quality }).toBuffer({ resolveWithObject: true })
          return { data, width: info.width, height: info.height }
        }).catch(asActivityFailure)
        made.push(await storeObject(versionId, name, PAGE_RENDITION, rendition.data, rendition.width, rendition.height))
      }
      return made
    } finally {
      pdf.close()
    }
  }

  async function storeRendition(versionId: string, rendition: Rendition): Promise<MadeRendition> {
    return storeObject(versionId, rendition.preset, rendition, rendition.data, rendition.width, rendition.height)
  }

  /** An encoded clip or listening copy: its size is read back from the file ffmpeg wrote. */
  async function storeEncoded(versionId: string, kind: { name: string; mediaType: string; extension: string }, file: string): Promise<MadeRendition> {
    const info = await probeMedia(file, { signal: cancellation() }).catch(asActivityFailure)
    const size = info.video ? displaySize(info.video) : { width: null, height: null }
    return storeObject(versionId, kind.name, kind, await readFile(file), size.width, size.height)
  }

  async function storeObject(
    versionId: string,
    preset: string,
    type: { mediaType: string; extension: string },
    data: Buffer,
    width: number | null,
    height: number | null,
  ): Promise<MadeRendition> {
    const storageKey = storageKeys.rendition(versionId, preset, type.extension)
    await storage.putBuffer(storageKey, data, type.mediaType)
    const fields = { storageKey, mediaType: type.mediaType, bytes: data.length, width, height }
    await db.rendition.upsert({
      where: { versionId_preset: { versionId, preset } },
      create: { versionId, preset, ...fields },
      update: fields,
    })
    heartbeat({ step: 'rendered', preset })
    return { preset, storageKey, width, height, bytes: data.length, reused: false }
  }

  async function readThumbnail(rendition: MadeRendition | undefined): Promise<Buffer | null> {
    return rendition ? storage.getBuffer(rendition.storageKey) : null
  }
}

/** Which renditions a version gets: picture presets (from one picture) and the others (clip, listening copy, pages). */
export function renditionPlan(
  format: MediaFormat | null,
  metadata: Record<string, unknown>,
  pages: number | null,
): { pictures: RenditionPresetName[]; media: string[]; perceptualHash: boolean } {
  const all = [...INGEST_RENDITION_PRESETS]
  switch (format?.preview) {
    case 'raster':
    case 'vector':
      return { pictures: all, media: [], perceptualHash: true }
    case 'heic':
      return metadata.previewUnavailable ? { pictures: [], media: [], perceptualHash: false } : { pictures: all, media: [], perceptualHash: true }
    case 'video':
      return { pictures: all, media: [CLIP_RENDITION.name], perceptualHash: true }
    case 'audio':
      // Waveforms of different recordings look alike: no perceptual hash, or every song would be a near-duplicate.
      return { pictures: ['thumbnail', 'preview'], media: [AUDIO_RENDITION.name], perceptualHash: false }
    case 'pdf': {
      const count = Math.min(pages ?? 1, PAGE_RENDITION.maxPages)
      return { pictures: all, media: Array.from({ length: count }, (_, index) => pageRenditionName(index + 1)), perceptualHash: true }
    }
    default:
      return { pictures: [], media: [], perceptualHash: false }
  }
}

function streamMetadata(format: MediaFormat, info: MediaStreamsInfo): Record<string, unknown> {
  const metadata: Record<string, unknown> = { format: format.label, container: info.container }
  if (info.durationMs !== null) metadata.durationMs = info.durationMs
  if (info.bitRate !== undefined) metadata.bitRate = info.bitRate
  if (info.video) {
    const shown = displaySize(info.video)
    Object.assign(metadata, { width: shown.width, height: shown.height, videoCodec: info.video.codec })
    if (info.video.profile) metadata.videoProfile = info.video.profile
    if (info.video.pixelFormat) metadata.pixelFormat = info.video.pixelFormat
    if (info.video.frameRate !== undefined) metadata.frameRate = info.video.frameRate
    if (info.video.rotation) metadata.rotation = info.video.rotation
  }
  if (info.audio) {
    metadata.audioCodec = info.audio.codec
    if (info.audio.sampleRate !== undefined) metadata.sampleRate = info.audio.sampleRate
    if (info.audio.channels !== undefined) metadata.channels = info.audio.channels
    if (info.audio.channelLayout) metadata.channelLayout = info.audio.channelLayout
  }
  return metadata
}

/** The SVG is checked again before it is drawn (defence in depth: the upload check may have been older). */
async function assertSafeSvgFile(file: string): Promise<void> {
  const inspector = createSvgInspector()
  try {
    for await (const chunk of createReadStream(file)) inspector.write(chunk as Buffer)
    inspector.end()
  } catch (error) {
    if (isSvgRefusal(error)) throw new MediaError('unsafe', `The file ${error.message}`)
    throw error
  }
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** The activity's cancellation as an AbortSignal (ffmpeg is killed with it); none outside an activity. */
function cancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal
  } catch {
    return undefined
  }
}

/** A bad file fails for good with its reason; anything else (S3, the database) is retried. */
function asActivityFailure(error: unknown): never {
  if (error instanceof MediaError) throw nonRetryable(FailureType.media, error.message, { code: error.code })
  throw error
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export type IngestActivities = ReturnType<typeof createIngestActivities>
/** The activities registered on the media task queue. */
export type MediaActivities = Pick<IngestActivities, 'inspectOriginal' | 'makeRenditions'>

