/**
 * Ingest activities. The media ones (inspectOriginal, makeRenditions) run on the
 * media task queue with capped concurrency; indexAsset and markVersionFailed run on
 * the orchestration queue. Every one is idempotent: a retry after a crash at any
 * point converges on the same rows and objects.
 */
import type { Db } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { INGEST_RENDITION_PRESETS, isRenditionPresetName, type RenditionPresetName } from '~/domain/rendition-presets'
import { MediaError, inspectImage, isSupportedImage, renderPresets, sniffMediaType, SNIFF_BYTES } from '~/media.server'
import { reindexAsset } from '~/search.server'
import { storageKeys, type Storage } from '~/storage.server'
import { FailureType, heartbeat, nonRetryable, withHeartbeat, type SearchClient } from './support'

export type IngestActivityDeps = {
  db: Db
  storage: Storage
  /** Search client; the process-wide one when omitted. */
  search?: SearchClient
  /** Largest image accepted, in pixels (MAX_IMAGE_PIXELS). */
  maxImagePixels: number
}

export type InspectOriginalResult = { mediaType: string; width: number; height: number }
export type MadeRendition = { preset: RenditionPresetName; storageKey: string; width: number | null; height: number | null; bytes: number; reused: boolean }

export function createIngestActivities({ db, storage, search, maxImagePixels }: IngestActivityDeps) {
  async function loadVersion(versionId: string) {
    const version = await db.assetVersion.findUnique({
      where: { id: versionId },
      select: { id: true, assetId: true, storageKey: true, status: true },
    })
    if (!version) throw nonRetryable(FailureType.notFound, `Version ${versionId} does not exist`)
    return version
  }

  async function readOriginal(storageKey: string): Promise<Buffer> {
    return withHeartbeat({ step: 'download' }, () => storage.getBuffer(storageKey))
  }

  return {
    /**
     * Checks the original is an image this slice supports (by its bytes), inspects it
     * under the pixel limit and stores size and technical metadata on the version.
     * A bad file fails non-retryably with a message for the uploader.
     */
    async inspectOriginal({ versionId }: { versionId: string }): Promise<InspectOriginalResult> {
      const version = await loadVersion(versionId)
      const original = await readOriginal(version.storageKey)

      const sniffed = await sniffMediaType(original.subarray(0, SNIFF_BYTES))
      if (!sniffed || !isSupportedImage(sniffed.mime)) {
        const what = sniffed ? `${sniffed.mime} files` : 'This kind of file'
        throw nonRetryable(FailureType.media, `${what} cannot be processed yet; upload a JPEG, PNG, WebP, GIF, TIFF or AVIF image`, {
          code: 'unsupported_type',
        })
      }

      const info = await withHeartbeat({ step: 'inspect' }, () => inspectImage(original, { maxPixels: maxImagePixels })).catch(
        (error: unknown) => {
          if (error instanceof MediaError) throw nonRetryable(FailureType.media, error.message, { code: error.code })
          throw error
        },
      )

      await db.assetVersion.update({
        where: { id: versionId },
        data: { mediaType: sniffed.mime, width: info.displayWidth, height: info.displayHeight, metadata: info.metadata },
      })
      return { mediaType: sniffed.mime, width: info.displayWidth, height: info.displayHeight }
    },

    /**
     * Makes the ingest renditions (thumbnail, preview, web) into S3 and records them.
     * Renditions already recorded with their object present are kept, so a retry
     * only makes what is missing. The original is read once and decoded once for all
     * the missing presets (renderPresets); their objects are written concurrently.
     */
    async makeRenditions({ versionId }: { versionId: string }): Promise<MadeRendition[]> {
      const version = await loadVersion(versionId)
      const existing = await db.rendition.findMany({ where: { versionId, preset: { in: [...INGEST_RENDITION_PRESETS] } } })
      const kept = new Map<RenditionPresetName, MadeRendition>()
      await Promise.all(
        existing.map(async (row) => {
          if (!isRenditionPresetName(row.preset) || !(await storage.exists(row.storageKey))) return
          kept.set(row.preset, { preset: row.preset, storageKey: row.storageKey, width: row.width, height: row.height, bytes: Number(row.bytes), reused: true })
        }),
      )
      const missing = INGEST_RENDITION_PRESETS.filter((preset) => !kept.has(preset))
      if (missing.length === 0) return inIngestOrder([...kept.values()])

      const original = await readOriginal(version.storageKey)
      const renditions = await withHeartbeat({ step: 'render', presets: missing }, () =>
        renderPresets(original, missing, { maxPixels: maxImagePixels }),
      ).catch((error: unknown) => {
        if (error instanceof MediaError) throw nonRetryable(FailureType.media, error.message, { code: error.code })
        throw error
      })

      const made = await withHeartbeat({ step: 'store', presets: missing }, () =>
        Promise.all(
          renditions.map(async (rendition): Promise<MadeRendition> => {
            const { preset } = rendition
            const storageKey = storageKeys.rendition(versionId, preset, rendition.extension)
            await storage.putBuffer(storageKey, rendition.data, rendition.mediaType)
            const fields = {
              storageKey,
              mediaType: rendition.mediaType,
              bytes: rendition.data.length,
              width: rendition.width,
              height: rendition.height,
            }
            await db.rendition.upsert({
              where: { versionId_preset: { versionId, preset } },
              create: { versionId, preset, ...fields },
              update: fields,
            })
            heartbeat({ step: 'rendered', preset })
            return { preset, storageKey, width: rendition.width, height: rendition.height, bytes: rendition.data.length, reused: false }
          }),
        ),
      )
      return inIngestOrder([...kept.values(), ...made])
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
}

function inIngestOrder(renditions: MadeRendition[]): MadeRendition[] {
  const order = (rendition: MadeRendition) => INGEST_RENDITION_PRESETS.indexOf(rendition.preset)
  return [...renditions].sort((a, b) => order(a) - order(b))
}

export type IngestActivities = ReturnType<typeof createIngestActivities>
/** The activities registered on the media task queue. */
export type MediaActivities = Pick<IngestActivities, 'inspectOriginal' | 'makeRenditions'>
