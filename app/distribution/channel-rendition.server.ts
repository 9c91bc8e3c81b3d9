/**
 * Channel renditions: an approved version made into what a channel's preset asks for
 * (~/domain/channel-preset), with the usage rights for partners in general written
 * into the file, the way a partner download is stamped (~/assets/stamped-delivery.server).
 *
 * Renditions are stored under `channel-renditions/<versionId>/<digest><ext>`, the
 * digest covering what shapes the file: the render format version, the preset (as
 * far as it applies) and the rights stamp. The same inputs give the same key, so a
 * rendition is made once and reused by every channel sharing the preset; when the
 * grants change, the stamp and so the key change, and the next render makes a fresh
 * file. The Rendition row (preset `channel:<first 16 hex of the digest>`, or the name
 * the caller gives, e.g. `preset:<name>` for an admin preset) records it beside the
 * thumbnail and preview. Access checks and the audit trail are the caller's (the
 * distribution workflow, ~/assets/preset-renditions.server); this module does no
 * authorisation.
 *
 * A `cover` fit crops around the version's focal point (~/domain/focal-crop) when one
 * is set, and the point is then part of the digest: moving it makes a fresh file.
 * Without one, sharp's attention strategy picks the crop, as before.
 *
 * Old renditions are not deleted here: objects are private, and housekeeping (or a
 * lifecycle rule on the prefix) can expire what no channel serves any more.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { HeadObjectCommand, NoSuchKey, NotFound } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import sharp, { type Metadata, type ResizeOptions, type Sharp } from 'sharp'
import { downloadFilename } from '~/assets/stamped-delivery.server'
import type { DbOrTx } from '~/db.server'
import { canonicalJson } from '~/domain/audit-chain'
import type { ChannelOutputFormat, ChannelPreset } from '~/domain/channel-preset'
import { coverGeometry, focalPointOf, type FocalPoint } from '~/domain/focal-crop'
import { buildRightsStamp, type RightsStamp } from '~/domain/rights-stamp'
import { getEnv } from '~/env.server'
import { AppError } from '~/errors.server'
import { formatPixelLimitMessage, MediaError } from '~/media.server'
import { canCarryRightsStamp, isRightsStampError, stampRightsMetadata } from '~/media/rights-metadata.server'
import type { Storage } from '~/storage.server'

/** Bump when rendering changes, so renditions are made afresh. */
export const CHANNEL_RENDER_FORMAT_VERSION = 1

export type ChannelRendition = {
  /** Key in our S3: channel-renditions/<versionId>/<digest><ext>; the digest covers the preset, the rights stamp and the render format version. */
  storageKey: string
  /** Identifies what is delivered: equal keys mean an identical file. */
  renditionKey: string
  /** "<title>-v<number><ext>", safe as a file name; the extension is the delivered format's. */
  filename: string
  mediaType: string
  bytes: number
  sha256: string
  /** As people see it (EXIF orientation applied); one frame's height for an animation. Null for files that are not images. */
  width: number | null
  height: number | null
  /** False when the format cannot carry the rights (e.g. a zip delivered as original): delivered as is. */
  rightsEmbedded: boolean
  /** Whether a stored rendition was reused rather than made now. */
  reused: boolean
}

export type RenderChannelRenditionOptions = {
  db: DbOrTx
  storage: Storage
  assetId: string
  versionId: string
  preset: ChannelPreset
  /** The instant whose grants the stamp describes; now by default. */
  at?: Date
  /** Base of the rights-page link; PUBLIC_URL by default. */
  publicUrl?: string
  /** Largest image decoded (decompression bombs); MAX_IMAGE_PIXELS by default. */
  maxImagePixels?: number
  /** The Rendition row's preset name; `channel:<first 16 hex of the digest>` by default. */
  renditionName?: string
}

export type ChannelRenditionKeyOptions = Omit<RenderChannelRenditionOptions, 'storage' | 'maxImagePixels' | 'renditionName'>

type RenderedFormat = Exclude<ChannelOutputFormat, 'original'>

const RENDERED_FORMATS: Readonly<Record<RenderedFormat, { mediaType: string; extension: string }>> = {
  jpeg: { mediaType: 'image/jpeg', extension: '.jpg' },
  png: { mediaType: 'image/png', extension: '.png' },
  webp: { mediaType: 'image/webp', extension: '.webp' },
  avif: { mediaType: 'image/avif', extension: '.avif' },
}

/**
 * Originals sharp decodes. HEIC only where the libvips build has an HEVC decoder: the
 * prebuilt one reads AVIF but not HEIC, and a HEIC it cannot read is delivered as is.
 */
const RENDERABLE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/tiff',
  'image/avif',
  ...(sharp.format.heif.input.fileSuffix?.includes('.heic') ? ['image/heic'] : []),
])

/** Whether sharp re-encodes this type of original (anything else goes out as its original bytes). */
export function isRenderableImage(mediaType: string): boolean {
  return RENDERABLE_IMAGE_TYPES.has(mediaType)
}

/** What a version becomes under a preset: re-encoded pixels, or its original bytes. */
type DeliveryPlan =
  | { kind: 'render'; format: RenderedFormat; mediaType: string; extension: string }
  | { kind: 'original'; mediaType: string; extension: string }

/** Rendition rows' `bytes` is a 32-bit column. */
const MAX_RENDITION_BYTES = 2_147_483_647

/**
 * The version rendered for a channel under `preset`, made now or reused. Throws
 * NOT_FOUND for an unknown version, and MediaError when the original cannot be
 * rendered (corrupt, truncated, or over the pixel limit).
 */
export async function renderChannelRendition({
  db,
  storage,
  assetId,
  versionId,
  preset,
  at = new Date(),
  publicUrl = getEnv().PUBLIC_URL,
  maxImagePixels = getEnv().MAX_IMAGE_PIXELS,
  renditionName,
}: RenderChannelRenditionOptions): Promise<ChannelRendition> {
  const resolved = await resolveRendition({ db, assetId, versionId, preset, at, publicUrl })
  const { version, plan, stamp, storageKey, filename } = resolved
  const renditionPreset = renditionName ?? resolved.renditionPreset

  // The preset schema refuses this; a preset built in code could still ask for it.
  if (plan.kind === 'render' && preset.colourProfile === 'cmyk' && plan.format !== 'jpeg') {
    throw new AppError('BAD_REQUEST', 'CMYK output needs JPEG')
  }

  const existing = await findStoredRendition(db, storage, version.id, renditionPreset, storageKey)
  if (existing) return { storageKey, renditionKey: storageKey, filename, ...existing, reused: true }

  const directory = await mkdtemp(path.join(os.tmpdir(), 'damson-channel-'))
  try {
    // Through temporary files, not memory: originals may be hundreds of megabytes.
    const original = path.join(directory, `original${originalExtension(version)}`)
    const { body } = await storage.getStream(version.storageKey)
    await pipeline(body, createWriteStream(original))

    const unstamped = plan.kind === 'render' ? path.join(directory, `rendered${plan.extension}`) : original
    if (plan.kind === 'render') {
      await renderImage({ source: original, target: unstamped, preset, format: plan.format, maxImagePixels, version })
    }

    // sharp has already stripped (or kept) the other metadata as it re-encoded; an
    // original delivered as it is has it stripped by exiftool while being stamped.
    const stripOtherMetadata = plan.kind === 'original' && preset.metadata === 'strip'
    const delivered = path.join(directory, `channel${plan.extension}`)
    const rightsEmbedded = await embedRights({ source: unstamped, target: delivered, stamp, stripOtherMetadata, mediaType: plan.mediaType, version })
    const file = rightsEmbedded ? delivered : unstamped

    const { size: bytes } = await stat(file)
    if (bytes > MAX_RENDITION_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The rendition of ${describeVersion(version)} is over 2 GiB, more than a rendition record can hold`)
    }
    const sha256 = await sha256OfFile(file)
    const size = RENDERABLE_IMAGE_TYPES.has(plan.mediaType) ? await displaySize(file) : null

    await putRendition(storage, storageKey, file, { mediaType: plan.mediaType, sha256, rightsEmbedded })
    await db.rendition.upsert({
      where: { versionId_preset: { versionId: version.id, preset: renditionPreset } },
      create: { versionId: version.id, preset: renditionPreset, storageKey, mediaType: plan.mediaType, bytes, width: size?.width ?? null, height: size?.height ?? null },
      update: { storageKey, mediaType: plan.mediaType, bytes, width: size?.width ?? null, height: size?.height ?? null },
    })
    return {
      storageKey,
      renditionKey: storageKey,
      filename,
      mediaType: plan.mediaType,
      bytes,
      sha256,
      width: size?.width ?? null,
      height: size?.height ?? null,
      rightsEmbedded,
      reused: false,
    }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

/** The key a rendition would have, without rendering (reads the version and grants): lets a caller see whether what is live is still current. */
export async function channelRenditionKey({
  db,
  assetId,
  versionId,
  preset,
  at = new Date(),
  publicUrl = getEnv().PUBLIC_URL,
}: ChannelRenditionKeyOptions): Promise<string> {
  const { storageKey } = await resolveRendition({ db, assetId, versionId, preset, at, publicUrl })
  return storageKey
}

// --- what to make, and where it goes ----------------------------------------------

type VersionFacts = {
  id: string
  number: number
  storageKey: string
  mediaType: string
  originalFilename: string
  title: string
  /** Where crops centre; null for the centre (and sharp's attention strategy). */
  focal: FocalPoint | null
}

async function resolveRendition({
  db,
  assetId,
  versionId,
  preset,
  at,
  publicUrl,
}: Required<ChannelRenditionKeyOptions>) {
  const found = await db.assetVersion.findFirst({
    where: { id: versionId, assetId },
    select: {
      id: true,
      number: true,
      storageKey: true,
      mediaType: true,
      originalFilename: true,
      focalX: true,
      focalY: true,
      asset: { select: { id: true, title: true, ownerOrganisation: { select: { name: true } }, rightsGrants: true } },
    },
  })
  if (!found) throw new AppError('NOT_FOUND', 'Asset not found')
  const version: VersionFacts = {
    id: found.id,
    number: found.number,
    storageKey: found.storageKey,
    mediaType: found.mediaType,
    originalFilename: found.originalFilename,
    title: found.asset.title,
    focal: focalPointOf(found.focalX, found.focalY),
  }

  // A channel is public: the stamp describes what partners in general may do.
  const stamp = buildRightsStamp({
    asset: { id: found.asset.id, title: found.asset.title },
    versionNumber: found.number,
    owner: found.asset.ownerOrganisation.name,
    grants: found.asset.rightsGrants,
    recipient: { kind: 'all-partners' },
    publicUrl,
    at,
  })
  const plan = deliveryPlan(version, preset)
  const digest = renditionDigest(plan, preset, stamp, version.focal)
  return {
    version,
    plan,
    stamp,
    storageKey: `channel-renditions/${version.id}/${digest}${plan.extension}`,
    renditionPreset: `channel:${digest.slice(0, 16)}`,
    filename: `${destinationSlug(version.title)}-v${version.number}${plan.extension}`,
  }
}

/**
 * Images sharp reads are re-encoded as the preset says. Everything else (PDF, video,
 * audio, SVG, archives), and any file under the `original` format, is delivered as
 * its original bytes whatever the preset's format: its pixel settings do not apply.
 */
function deliveryPlan(version: VersionFacts, preset: ChannelPreset): DeliveryPlan {
  if (preset.format !== 'original' && RENDERABLE_IMAGE_TYPES.has(version.mediaType)) {
    return { kind: 'render', format: preset.format, ...RENDERED_FORMATS[preset.format] }
  }
  return { kind: 'original', mediaType: version.mediaType, extension: originalExtension(version) }
}

/**
 * sha256 over what shapes the delivered file. An original's bytes depend only on the
 * metadata setting, so presets that differ in pixel settings alone share its copy
 * (and a channel is not sent the same video again when its JPEG quality changes).
 * The focal point counts only where it moves a crop, and is left out when unset, so
 * renditions made before focal points existed keep their keys.
 */
function renditionDigest(plan: DeliveryPlan, preset: ChannelPreset, stamp: RightsStamp, focal: FocalPoint | null): string {
  const applied = plan.kind === 'render' ? preset : { format: 'original', metadata: preset.metadata }
  const crop = plan.kind === 'render' && preset.fit === 'cover' && focal ? { focal } : {}
  return createHash('sha256')
    .update(canonicalJson({ renderFormat: CHANNEL_RENDER_FORMAT_VERSION, preset: applied, stamp, ...crop }))
    .digest('hex')
}

/**
 * The extension downloadFilename gives the original: from the sniffed type first
 * (the bytes decide what a channel serves it as), else from the uploaded name.
 */
function originalExtension(version: VersionFacts): string {
  return (
    path.extname(downloadFilename('file', '', version.mediaType)) ||
    path.extname(downloadFilename('file', version.originalFilename, version.mediaType))
  )
}

function describeVersion(version: VersionFacts): string {
  return `version ${version.number} of “${version.title}”`
}

// --- the stored object ------------------------------------------------------------

/** S3 user metadata on a rendition: what HEAD tells about it without reading the bytes. */
const SHA256_METADATA = 'sha256'
const RIGHTS_EMBEDDED_METADATA = 'rights-embedded'

type StoredRendition = Pick<ChannelRendition, 'mediaType' | 'bytes' | 'sha256' | 'width' | 'height' | 'rightsEmbedded'>

/**
 * The rendition already made for this key: its row and its object both present, the
 * object carrying the metadata a complete write leaves. Anything less is made afresh.
 */
async function findStoredRendition(
  db: DbOrTx,
  storage: Storage,
  versionId: string,
  renditionPreset: string,
  storageKey: string,
): Promise<StoredRendition | null> {
  const row = await db.rendition.findUnique({
    where: { versionId_preset: { versionId, preset: renditionPreset } },
    select: { storageKey: true, mediaType: true, bytes: true, width: true, height: true },
  })
  if (!row || row.storageKey !== storageKey) return null
  const metadata = await headMetadata(storage, storageKey)
  const sha256 = metadata?.[SHA256_METADATA]
  const rightsEmbedded = metadata?.[RIGHTS_EMBEDDED_METADATA]
  if (!sha256 || (rightsEmbedded !== 'true' && rightsEmbedded !== 'false')) return null
  return { mediaType: row.mediaType, bytes: Number(row.bytes), sha256, width: row.width, height: row.height, rightsEmbedded: rightsEmbedded === 'true' }
}

/** The object's user metadata, or null when there is no such object. */
async function headMetadata(storage: Storage, key: string): Promise<Record<string, string> | null> {
  try {
    const head = await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }))
    return head.Metadata ?? {}
  } catch (error) {
    if (error instanceof NotFound || error instanceof NoSuchKey) return null
    throw error
  }
}

/**
 * Streams the file to S3 with its checksum as user metadata. Storage.putStream takes
 * no metadata, hence the Upload here, with the same part settings.
 */
async function putRendition(
  storage: Storage,
  key: string,
  file: string,
  { mediaType, sha256, rightsEmbedded }: { mediaType: string; sha256: string; rightsEmbedded: boolean },
): Promise<void> {
  const upload = new Upload({
    client: storage.client,
    params: {
      Bucket: storage.bucket,
      Key: key,
      Body: createReadStream(file),
      ContentType: mediaType,
      Metadata: { [SHA256_METADATA]: sha256, [RIGHTS_EMBEDDED_METADATA]: String(rightsEmbedded) },
    },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  })
  await upload.done()
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file), hash)
  return hash.digest('hex')
}

// --- rights ------------------------------------------------------------------------

/**
 * Writes the stamp into a copy at `target`; false when the format cannot carry it, and
 * the file is delivered as it is. A PDF cannot have its metadata removed for good
 * (exiftool appends revisions), so under `strip` it is stamped with its own metadata
 * left in place rather than refused: its rights matter more than its author field.
 */
async function embedRights({
  source,
  target,
  stamp,
  stripOtherMetadata,
  mediaType,
  version,
}: {
  source: string
  target: string
  stamp: RightsStamp
  stripOtherMetadata: boolean
  mediaType: string
  version: VersionFacts
}): Promise<boolean> {
  if (!canCarryRightsStamp(mediaType)) return false
  try {
    await stampRightsMetadata({ sourcePath: source, targetPath: target, stamp, stripOtherMetadata })
    return true
  } catch (error) {
    if (!isRightsStampError(error)) throw error
    switch (error.code) {
      case 'unsupported_format':
        return false
      case 'strip_unsupported':
        await stampRightsMetadata({ sourcePath: source, targetPath: target, stamp }).catch((retryError: unknown) => {
          throw isRightsStampError(retryError) && retryError.code === 'corrupt' ? corrupt(version) : retryError
        })
        return true
      case 'corrupt':
        throw corrupt(version)
    }
  }
}

// --- pixels ------------------------------------------------------------------------

/**
 * Renders an image as the preset says: auto-oriented, fitted into the box (never
 * enlarged), converted to the colour profile, watermarked, encoded. sharp writes no
 * metadata unless asked, which is how `strip` is done; `keep` carries EXIF, XMP and
 * IPTC across. An animation stays one only as WebP (sharp writes no animated PNG or
 * AVIF); other formats take its first frame.
 */
async function renderImage({
  source,
  target,
  preset,
  format,
  maxImagePixels,
  version,
}: {
  source: string
  target: string
  preset: ChannelPreset
  format: RenderedFormat
  maxImagePixels: number
  version: VersionFacts
}): Promise<void> {
  try {
    const header = await sharp(source, { limitInputPixels: false }).metadata()
    const frames = header.pages ?? 1
    const animated = format === 'webp' && frames > 1
    const decodedPixels = header.width * (header.pageHeight ?? header.height) * (animated ? frames : 1)
    if (decodedPixels > maxImagePixels) {
      throw new MediaError('too_many_pixels', formatPixelLimitMessage(header.width, header.height, maxImagePixels))
    }

    const focalCrop = !animated && preset.fit === 'cover' && version.focal ? focalCropGeometry(header, preset, version.focal) : null
    const resize = resizeOptions(preset, format, animated)
    const geometry = (image: Sharp) =>
      focalCrop
        ? image.autoOrient().extract(focalCrop.crop).resize({ ...focalCrop.output, fit: 'cover' })
        : resize
          ? image.autoOrient().resize(resize)
          : image.autoOrient()
    const open = () => sharp(source, { limitInputPixels: maxImagePixels, failOn: 'error', animated })

    let image = geometry(open())
    if (preset.watermark) {
      const frame = await renderedFrameSize(geometry(open()), path.join(path.dirname(target), 'geometry.v'))
      image = image.composite([
        // One overlay the size of a frame, tiled down the frames of an animation.
        { input: watermarkSvg(preset.watermark, frame), tile: true, gravity: 'northwest' },
      ])
    }
    if (preset.metadata === 'keep') image = image.keepMetadata()
    image = withColourProfile(image, preset.colourProfile)
    await encode(image, format, preset.quality).toFile(target)
  } catch (error) {
    throw toMediaError(error, version)
  }
}

/**
 * The crop around the focal point and its output size, in the image as people see it
 * (sharp applies the EXIF orientation before extract). Null when the preset has no
 * box to crop to; the schema gives cover both sides.
 */
function focalCropGeometry(header: Metadata, preset: ChannelPreset, focal: FocalPoint) {
  if (preset.maxWidth === null || preset.maxHeight === null) return null
  return coverGeometry(
    { width: header.autoOrient.width, height: header.autoOrient.height },
    { width: preset.maxWidth, height: preset.maxHeight },
    focal,
  )
}

function resizeOptions(preset: ChannelPreset, format: RenderedFormat, animated: boolean): ResizeOptions | null {
  if (preset.maxWidth === null && preset.maxHeight === null) return null
  const box = { width: preset.maxWidth ?? undefined, height: preset.maxHeight ?? undefined, withoutEnlargement: true }
  switch (preset.fit) {
    case 'inside':
      return { ...box, fit: 'inside' }
    case 'cover':
      // sharp cannot run the attention strategy over the frames of an animation.
      return { ...box, fit: 'cover', position: animated ? 'centre' : 'attention' }
    case 'contain':
      return { ...box, fit: 'contain', background: format === 'jpeg' ? WHITE : TRANSPARENT }
  }
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 }
const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 }

function withColourProfile(image: Sharp, profile: ChannelPreset['colourProfile']): Sharp {
  switch (profile) {
    case 'srgb':
      return image.toColourspace('srgb').withIccProfile('srgb')
    case 'p3':
      return image.withIccProfile('p3')
    case 'cmyk':
      return image.toColourspace('cmyk').withIccProfile('cmyk')
    case 'keep':
      return image.keepIccProfile()
  }
}

function encode(image: Sharp, format: RenderedFormat, quality: number): Sharp {
  switch (format) {
    case 'jpeg':
      // JPEG has no alpha: transparent areas go white, not black.
      return image.flatten({ background: WHITE }).jpeg({ quality })
    case 'png':
      // Lossless: the preset's quality has nothing to act on.
      return image.png()
    case 'webp':
      return image.webp({ quality })
    case 'avif':
      return image.avif({ quality })
  }
}

/**
 * The exact size of one output frame, which the watermark overlay must match (sharp
 * refuses an overlay larger than the image, and tiles it by its own size). Found by
 * running the same geometry once, one channel wide, into a scratch file: sharp's
 * shrink-on-load rounding is not worth re-deriving.
 */
async function renderedFrameSize(geometry: Sharp, scratch: string): Promise<{ width: number; height: number }> {
  const info = await geometry.extractChannel(0).toFile(scratch)
  await rm(scratch, { force: true })
  return { width: info.width, height: info.pageHeight ?? info.height }
}

const WATERMARK_PLACEMENT: Readonly<
  Record<NonNullable<ChannelPreset['watermark']>['position'], { anchor: 'start' | 'middle' | 'end'; x: 'left' | 'centre' | 'right'; y: 'top' | 'centre' | 'bottom' }>
> = {
  'top-left': { anchor: 'start', x: 'left', y: 'top' },
  'top-right': { anchor: 'end', x: 'right', y: 'top' },
  'bottom-left': { anchor: 'start', x: 'left', y: 'bottom' },
  'bottom-right': { anchor: 'end', x: 'right', y: 'bottom' },
  centre: { anchor: 'middle', x: 'centre', y: 'centre' },
}

/**
 * The watermark as an SVG the size of one frame: white text with a dark outline (legible
 * on light and dark pictures), about 4% of the shorter side high, smaller when the text
 * would not fit across, a margin of one text height from the edges.
 */
function watermarkSvg(
  watermark: NonNullable<ChannelPreset['watermark']>,
  frame: { width: number; height: number },
): Buffer {
  const { width, height } = frame
  const text = [...watermark.text].filter((character) => (character.codePointAt(0) ?? 0) >= 0x20).join('')
  // Bold sans-serif glyphs average about 0.65 em across.
  const widthPerEm = Math.max(1, text.length) * 0.65
  const fontSize = Math.max(6, Math.min(Math.round(Math.min(width, height) * 0.04), Math.floor((width * 0.9) / widthPerEm)))
  const margin = Math.min(fontSize, Math.floor(width * 0.05))
  const placement = WATERMARK_PLACEMENT[watermark.position]
  const x = { left: margin, centre: width / 2, right: width - margin }[placement.x]
  // y is the baseline: capitals rise about 0.75 em above it, descenders drop 0.2 em.
  const y = { top: margin + fontSize * 0.75, centre: height / 2 + fontSize * 0.35, bottom: height - margin - fontSize * 0.2 }[placement.y]
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`,
    `<g opacity="${watermark.opacity}">`,
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${placement.anchor}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif"`,
    ` font-weight="bold" font-size="${fontSize}" fill="#ffffff" stroke="#000000" stroke-opacity="0.6"`,
    ` stroke-width="${Math.max(1, fontSize / 20).toFixed(1)}" paint-order="stroke">${escapeXml(text)}</text>`,
    '</g></svg>',
  ].join('')
  return Buffer.from(svg)
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

/** Width and height as people see the delivered image (one frame of an animation). */
async function displaySize(file: string): Promise<{ width: number; height: number } | null> {
  const metadata = await sharp(file, { limitInputPixels: false }).metadata().catch(() => null)
  return metadata ? { width: metadata.autoOrient.width, height: metadata.autoOrient.height } : null
}

function corrupt(version: VersionFacts): MediaError {
  return new MediaError('corrupt', `The original of ${describeVersion(version)} is corrupt or truncated, so it cannot be rendered for a channel`)
}

/**
 * A problem with the file becomes a MediaError; one with this machine (a full disk, a
 * missing directory) surfaces as it is, since a retry may well succeed.
 */
function toMediaError(error: unknown, version: VersionFacts): unknown {
  if (error instanceof MediaError || error instanceof AppError) return error
  if (isSystemError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  if (/pixel limit/i.test(message)) {
    return new MediaError('too_many_pixels', `The original of ${describeVersion(version)} has more pixels than Damson decodes`)
  }
  if (/unsupported image format/i.test(message)) {
    return new MediaError('unsupported_type', `The original of ${describeVersion(version)} is not an image format Damson can render`)
  }
  return corrupt(version)
}

function isSystemError(error: unknown): boolean {
  return error instanceof Error && 'syscall' in error
}

/**
 * "Harbour sunrise: ÉTÉ" → "harbour-sunrise-ete": destinations put the name in URLs and
 * object keys, where spaces and accents make trouble; the title travels in the manifest.
 */
export function destinationSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')
  return slug || 'asset'
}
