/**
 * "Differences" between the version under review and the asset's current approved
 * version: both previews (read from storage through their rendition records) are
 * brought to the same size, compared pixel by pixel, and every pixel that changed
 * by more than a threshold is painted in a strong colour over a dimmed greyscale of
 * the new version. Returns the PNG and the share of pixels that changed.
 */
import sharp from 'sharp'
import { requireVersionAccess } from '~/assets/access.server'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { AppError } from '~/errors.server'
import type { Storage } from '~/storage.server'

/**
 * A pixel counts as changed when one of its channels moved by more than this (of
 * 255). Previews are lossy WebP: below ~24 the compression noise of identical
 * pictures shows up as scattered "changes".
 */
export const DIFF_THRESHOLD = 32
/** The diff is made at the new preview's size, but never larger than this on its longer side. */
export const DIFF_MAX_SIDE = 1600
/** Changed pixels: a hot pink that no dimmed grey can be mistaken for. */
export const DIFF_HIGHLIGHT = { r: 255, g: 0, b: 153 } as const

export type ImageDiff = {
  png: Buffer
  width: number
  height: number
  changedPixels: number
  /** changedPixels / (width × height), from 0 to 1. */
  changedFraction: number
}

export type DiffImagesOptions = { threshold?: number; maxSide?: number }

/** Decodes to 8-bit sRGB, alpha flattened onto white, three channels. */
function toRgb(image: Buffer) {
  return sharp(image, { failOn: 'error' }).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha()
}

/**
 * Compares two images. The result has the size of `after` (fitted inside maxSide);
 * `before` is stretched to exactly that size, so versions exported at another
 * resolution compare like for like.
 */
export async function diffImages(before: Buffer, after: Buffer, options: DiffImagesOptions = {}): Promise<ImageDiff> {
  const threshold = options.threshold ?? DIFF_THRESHOLD
  const maxSide = options.maxSide ?? DIFF_MAX_SIDE

  const next = await toRgb(after)
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const { width, height, channels } = next.info
  const previous = await toRgb(before).resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true })
  if (previous.info.width !== width || previous.info.height !== height || previous.info.channels !== channels) {
    throw new Error('The images could not be brought to the same size')
  }

  const a = previous.data
  const b = next.data
  const out = Buffer.alloc(width * height * 3)
  const pixels = width * height
  // Greyscale sources decode to one channel: read it for r, g and b alike.
  const g = channels >= 3 ? 1 : 0
  const bl = channels >= 3 ? 2 : 0
  let changed = 0
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    const i = pixel * channels
    const o = pixel * 3
    const r1 = b[i]!
    const g1 = b[i + g]!
    const b1 = b[i + bl]!
    const delta = Math.max(Math.abs(r1 - a[i]!), Math.abs(g1 - a[i + g]!), Math.abs(b1 - a[i + bl]!))
    if (delta > threshold) {
      changed += 1
      out[o] = DIFF_HIGHLIGHT.r
      out[o + 1] = DIFF_HIGHLIGHT.g
      out[o + 2] = DIFF_HIGHLIGHT.b
    } else {
      // Rec. 601 luma, dimmed to 24–126 so the highlight stands out against any picture.
      const grey = Math.round(24 + 0.4 * (0.299 * r1 + 0.587 * g1 + 0.114 * b1))
      out[o] = grey
      out[o + 1] = grey
      out[o + 2] = grey
    }
  }

  const png = await sharp(out, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer()
  return { png, width, height, changedPixels: changed, changedFraction: pixels === 0 ? 0 : changed / pixels }
}

// ───────────────────────────── the version under review against the approved one

type PreviewRecord = { id: string; storageKey: string; mediaType: string; createdAt: Date }

export type ComparablePreviews = {
  assetId: string
  version: { id: string; number: number; preview: PreviewRecord }
  approved: { id: string; number: number; preview: PreviewRecord }
  /** Names this exact pair of previews and threshold: the diff never changes while it holds. */
  etag: string
}

export type FindComparablePreviewsOptions = { db: Db; viewer: Viewer; versionId: string; at?: Date }

const isImage = (mediaType: string) => mediaType.startsWith('image/') && mediaType !== 'image/svg+xml'

/**
 * The two previews a diff compares, after the access rule allowed both versions.
 * NOT_FOUND when the version is unknown or hidden, when the asset has no approved
 * version other than this one, or when either is not an image with a preview.
 */
export async function findComparablePreviews({ db, viewer, versionId, at = new Date() }: FindComparablePreviewsOptions): Promise<ComparablePreviews> {
  const version = await db.assetVersion.findUnique({
    where: { id: versionId },
    select: {
      id: true,
      number: true,
      mediaType: true,
      assetId: true,
      asset: { select: { currentVersionId: true } },
      renditions: { where: { preset: 'preview' }, select: { id: true, storageKey: true, mediaType: true, createdAt: true } },
    },
  })
  if (!version) throw new AppError('NOT_FOUND', 'Version not found')
  await requireVersionAccess(db, viewer, version.assetId, version.id, at)

  const approvedId = version.asset.currentVersionId
  if (!approvedId || approvedId === version.id) throw new AppError('NOT_FOUND', 'There is no approved version to compare with')
  await requireVersionAccess(db, viewer, version.assetId, approvedId, at)
  const approved = await db.assetVersion.findFirst({
    where: { id: approvedId, assetId: version.assetId },
    select: {
      id: true,
      number: true,
      mediaType: true,
      renditions: { where: { preset: 'preview' }, select: { id: true, storageKey: true, mediaType: true, createdAt: true } },
    },
  })
  if (!approved) throw new AppError('NOT_FOUND', 'There is no approved version to compare with')

  const newPreview = version.renditions[0]
  const approvedPreview = approved.renditions[0]
  if (!isImage(version.mediaType) || !isImage(approved.mediaType) || !newPreview || !approvedPreview) {
    throw new AppError('NOT_FOUND', 'Only two images with previews can be compared pixel by pixel')
  }
  if (!isImage(newPreview.mediaType) || !isImage(approvedPreview.mediaType)) {
    throw new AppError('NOT_FOUND', 'Only two images with previews can be compared pixel by pixel')
  }

  const stamp = (preview: PreviewRecord) => `${preview.id}.${preview.createdAt.getTime().toString(36)}`
  return {
    assetId: version.assetId,
    version: { id: version.id, number: version.number, preview: newPreview },
    approved: { id: approved.id, number: approved.number, preview: approvedPreview },
    etag: `"diff-${stamp(newPreview)}-${stamp(approvedPreview)}-${DIFF_THRESHOLD}"`,
  }
}

/**
 * Recently made diffs, by ETag. The review page asks for the changed share and the
 * image asks for the pixels, right after each other: one computation serves both.
 * Keys name immutable rendition rows, so an entry is never stale; access is checked
 * before the cache is consulted.
 */
const recent = new Map<string, Promise<ImageDiff>>()
const RECENT_LIMIT = 8

function remember(key: string, make: () => Promise<ImageDiff>): Promise<ImageDiff> {
  const cached = recent.get(key)
  if (cached) {
    // Refresh its place: the map's order is the eviction order.
    recent.delete(key)
    recent.set(key, cached)
    return cached
  }
  const promise = make()
  recent.set(key, promise)
  promise.catch(() => recent.delete(key))
  while (recent.size > RECENT_LIMIT) {
    const oldest = recent.keys().next().value
    if (oldest === undefined) break
    recent.delete(oldest)
  }
  return promise
}

/** Reads both previews from storage and diffs them (or reuses the diff just made for the same pair). */
export function diffComparablePreviews(storage: Storage, previews: ComparablePreviews): Promise<ImageDiff> {
  return remember(previews.etag, async () => {
    const [before, after] = await Promise.all([
      storage.getBuffer(previews.approved.preview.storageKey),
      storage.getBuffer(previews.version.preview.storageKey),
    ])
    return diffImages(before, after)
  })
}

export type OpenVersionDiffOptions = FindComparablePreviewsOptions & {
  storage: Storage
  /** Whether the client already holds the diff with this ETag (If-None-Match): then nothing is computed. */
  alreadyHas?: (etag: string) => boolean
}

export type OpenedVersionDiff = { etag: string; diff: ImageDiff | null }

/**
 * The diff of a version against its asset's approved version, for a viewer allowed
 * to see both; `diff` is null when the client already has it.
 */
export async function openVersionDiff({ storage, alreadyHas, ...options }: OpenVersionDiffOptions): Promise<OpenedVersionDiff> {
  const previews = await findComparablePreviews(options)
  if (alreadyHas?.(previews.etag)) return { etag: previews.etag, diff: null }
  return { etag: previews.etag, diff: await diffComparablePreviews(storage, previews) }
}
