/**
 * Describe activities: what a version says about itself, and whether its asset's
 * mandatory metadata is filled in before review.
 *
 * - describeVersion (media queue): ExifTool reads the original (streamed to a private
 *   temp file, never buffered) into `embeddedMetadata`; tesseract reads the preview
 *   rendition of an image, or of a PDF without a text layer, into `extractedText`; the
 *   asset's empty Dublin Core elements are prefilled, and a first upload's keywords
 *   seed its tags.
 * - checkMetadataComplete (orchestration queue): the review gate. A version whose
 *   asset's schema has empty required fields waits as `awaiting_metadata`.
 *
 * Both are idempotent: a retry converges on the same rows.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { appendAuditEvent } from '~/audit.server'
import { normaliseTags } from '~/assets/upload.server'
import type { Db } from '~/db.server'
import { parseStoredDublinCore, prefillDublinCore } from '~/domain/dublin-core'
import type { EmbeddedMetadata } from '~/domain/embedded-metadata'
import { describeMissingFields, missingRequiredFields, parseStoredFields, parseStoredValues, resolveMetadataSchema } from '~/domain/metadata-schema'
import type { Prisma } from '~/generated/prisma/client'
import { readEmbeddedMetadata } from '~/media/embedded-metadata.server'
import { recogniseText } from '~/media/ocr.server'
import type { Storage } from '~/storage.server'
import { FailureType, heartbeat, nonRetryable, withHeartbeat } from './support'

export type DescribeActivityDeps = {
  db: Db
  storage: Storage
  /** OCR; tesseract by default (tests may point at another binary through the env). */
  recognise?: typeof recogniseText
}

/** A PDF whose text layer has fewer letters than this is treated as scanned and OCR'd. */
const SCANNED_PDF_MAX_LETTERS = 40

export type DescribeVersionResult = {
  keywords: number
  hasLocation: boolean
  /** What OCR did: read N characters, skipped (and why), or not applicable. */
  ocr: { characters: number } | { skipped: string } | null
}

export type MetadataCheckResult = { complete: true } | { complete: false; missingFields: string[]; message: string }

/** A safe extension for the temp file (ExifTool recognises some formats by it), or none. */
function extensionOf(filename: string): string {
  const extension = path.extname(filename).toLowerCase()
  return /^\.[a-z0-9]{1,8}$/.test(extension) ? extension : ''
}

function letterCount(text: string): number {
  return (text.match(/\p{L}/gu) ?? []).length
}

export function createDescribeActivities({ db, storage, recognise = recogniseText }: DescribeActivityDeps) {
  /** Streams the original to a private temp file, runs `work` on it, and always removes it. */
  async function withOriginalOnDisk<T>(storageKey: string, filename: string, work: (file: string) => Promise<T>): Promise<T> {
    const directory = await mkdtemp(path.join(tmpdir(), 'damson-describe-'))
    try {
      const file = path.join(directory, `original${extensionOf(filename)}`)
      const { body } = await storage.getStream(storageKey)
      let copied = 0
      let lastBeat = Date.now()
      const progress = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          copied += chunk.length
          if (Date.now() - lastBeat > 5_000) {
            lastBeat = Date.now()
            heartbeat({ step: 'download', bytes: copied })
          }
          callback(null, chunk)
        },
      })
      await pipeline(body, progress, createWriteStream(file, { mode: 0o600 }))
      return await work(file)
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  }

  async function ocrText(versionId: string): Promise<{ text: string } | { skipped: string }> {
    const preview = await db.rendition.findUnique({ where: { versionId_preset: { versionId, preset: 'preview' } }, select: { storageKey: true } })
    if (!preview) return { skipped: 'no preview image' }
    const image = await storage.getBuffer(preview.storageKey)
    try {
      const result = await withHeartbeat({ step: 'ocr' }, () => recognise(image))
      return result.skipped ? { skipped: result.skipped } : { text: result.text }
    } catch (error) {
      // OCR only feeds search: a broken tesseract must not hold the version back from review.
      console.warn(`describeVersion ${versionId}: OCR failed: ${error instanceof Error ? error.message : String(error)}`)
      return { skipped: 'OCR failed' }
    }
  }

  return {
    async describeVersion({ versionId }: { versionId: string }): Promise<DescribeVersionResult> {
      const version = await db.assetVersion.findUnique({
        where: { id: versionId },
        select: {
          id: true,
          number: true,
          storageKey: true,
          mediaType: true,
          originalFilename: true,
          extractedText: true,
          asset: { select: { id: true, title: true, kind: true } },
        },
      })
      if (!version) throw nonRetryable(FailureType.notFound, `Version ${versionId} does not exist`)

      const embedded: EmbeddedMetadata = await withHeartbeat({ step: 'exiftool' }, () =>
        withOriginalOnDisk(version.storageKey, version.originalFilename, (file) => readEmbeddedMetadata(file)),
      )

      // Images are read from their preview; a PDF only when its text layer is (nearly) empty: a scan.
      const isPdf = version.mediaType === 'application/pdf'
      const wantsOcr = version.mediaType.startsWith('image/') || (isPdf && letterCount(version.extractedText) < SCANNED_PDF_MAX_LETTERS)
      const ocr = wantsOcr ? await ocrText(versionId) : null
      const extractedText = ocr && 'text' in ocr ? ocr.text : version.extractedText

      await db.$transaction(async (tx) => {
        // Read inside the transaction: a librarian's edit meanwhile is never overwritten.
        const asset = await tx.asset.findUniqueOrThrow({ where: { id: version.asset.id }, select: { dublinCore: true, tags: true } })
        const dublinCore = prefillDublinCore(parseStoredDublinCore(asset.dublinCore), {
          title: version.asset.title,
          kind: version.asset.kind,
          mediaType: version.mediaType,
          embedded,
        })
        // The first upload's keywords seed the tags (the photographer's words are a good start);
        // later versions leave the tags to librarians, so a removed tag stays removed.
        const tags = version.number === 1 ? normaliseTags([...asset.tags, ...embedded.keywords]) : asset.tags
        await tx.asset.update({
          where: { id: version.asset.id },
          data: { dublinCore: dublinCore as Prisma.InputJsonValue, tags },
        })
        await tx.assetVersion.update({
          where: { id: versionId },
          data: { embeddedMetadata: embedded as unknown as Prisma.InputJsonValue, extractedText },
        })
      })
      return {
        keywords: embedded.keywords.length,
        hasLocation: embedded.location !== null,
        ocr: ocr === null ? null : 'text' in ocr ? { characters: ocr.text.length } : ocr,
      }
    },

    /**
     * The review gate: complete when the asset's schema (if any) has every required
     * field filled. An incomplete version is marked `awaiting_metadata` (audited once);
     * a complete one that was waiting goes back to `processing`, so openReview takes it.
     * A version that is no longer processing or waiting (or has a newer sibling, which
     * openReview supersedes it for) is complete as far as this gate goes.
     */
    async checkMetadataComplete({ versionId }: { versionId: string }): Promise<MetadataCheckResult> {
      const version = await db.assetVersion.findUnique({
        where: { id: versionId },
        select: {
          status: true,
          number: true,
          assetId: true,
          asset: { select: { folderPath: true, kind: true, metadataSchemaId: true, customFields: true } },
        },
      })
      if (!version) throw nonRetryable(FailureType.notFound, `Version ${versionId} does not exist`)
      const reopen = () => db.assetVersion.updateMany({ where: { id: versionId, status: 'awaiting_metadata' }, data: { status: 'processing' } })
      if (version.status !== 'processing' && version.status !== 'awaiting_metadata') return { complete: true }
      const newer = await db.assetVersion.count({ where: { assetId: version.assetId, number: { gt: version.number } } })
      if (newer > 0) {
        await reopen()
        return { complete: true }
      }

      const schemas = await db.metadataSchema.findMany({ select: { id: true, name: true, fields: true, folderPaths: true, assetKinds: true } })
      const schema = resolveMetadataSchema(version.asset, schemas)
      const missing = schema ? missingRequiredFields(parseStoredFields(schema.fields), parseStoredValues(version.asset.customFields)) : []
      if (missing.length === 0) {
        await reopen()
        return { complete: true }
      }

      const missingFields = missing.map((field) => field.label)
      const message = `Needs metadata: fill in ${describeMissingFields(missing)}`
      await db.$transaction(async (tx) => {
        const marked = await tx.assetVersion.updateMany({ where: { id: versionId, status: 'processing' }, data: { status: 'awaiting_metadata' } })
        if (marked.count === 0) return
        await appendAuditEvent(tx, {
          actorId: null,
          action: 'version.awaiting_metadata',
          subjectType: 'version',
          subjectId: versionId,
          detail: { assetId: version.assetId, schema: schema?.name ?? null, missingFields, reason: message },
        })
      })
      return { complete: false, missingFields, message }
    },
  }
}

export type DescribeActivities = ReturnType<typeof createDescribeActivities>
