/**
 * Admin rendition presets (RenditionPreset rows: a name, a label and a channel preset,
 * ~/domain/channel-preset) and the files they make on demand.
 *
 * One implementation of presets: an admin preset is rendered by the channel renderer
 * (~/distribution/channel-rendition.server), so format, box, fit (cover crops around
 * the focal point), quality, watermark, colour profile and metadata behave exactly as
 * on a channel, and the usage rights for partners in general are written into every
 * file. The renderer keys the object by a digest of the preset JSON, the rights stamp
 * and the focal point, so a file is made once, reused by every later request, and
 * editing the preset (or the rights, or the focal point) makes the next request render
 * a fresh one; concurrent first requests write the same key whole (S3 puts are atomic)
 * and converge on one Rendition row (`preset:<name>`).
 *
 * Serving is a download: the one access rule for the version (a partner reaches only
 * the current version of an approved, shared, in-rights asset; anything else is 404),
 * the declared use checked against the rights (partners must declare one; staff
 * without one are recorded as internal use, worldwide), then the ledger row and the
 * audit event in one transaction, and only then a presigned URL that lives at most a
 * minute. Presets apply to images; other versions are refused with 409.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { appendAuditEvent } from '~/audit.server'
import type { Db } from '~/db.server'
import { isRenderableImage, renderChannelRendition } from '~/distribution/channel-rendition.server'
import { storedPreset } from '~/distribution/channels.server'
import type { Viewer } from '~/domain/asset-access'
import {
  ChannelPresetSchema,
  CHANNEL_FITS,
  CHANNEL_OUTPUT_FORMATS,
  COLOUR_PROFILES,
  describeChannelPreset,
  WATERMARK_POSITIONS,
  type ChannelPreset,
} from '~/domain/channel-preset'
import { RENDITION_PRESETS } from '~/domain/rendition-presets'
import { isStaff } from '~/domain/roles'
import { AppError } from '~/errors.server'
import type { Prisma } from '~/generated/prisma/client'
import { authoriseDeclaredUse, checkAndRecordDeclaredUse, STAFF_UNDECLARED_USE, type DeclaredUse } from '~/rights/declared-use.server'
import type { Storage } from '~/storage.server'
import { requireVersionAccess } from './access.server'
import { MAX_DOWNLOAD_URL_TTL_SECONDS } from './download.server'

// ───────────────────────────── names

/** Words a preset cannot be called: the built-ins, and the editor's own path segment. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.keys(RENDITION_PRESETS), 'new'])

export const PRESET_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/

export const PresetNameSchema = z
  .string({ error: 'Enter a name.' })
  .trim()
  .min(1, 'Enter a name.')
  .max(48, 'Keep the name to 48 characters.')
  .regex(PRESET_NAME_PATTERN, 'Use lowercase letters, digits and hyphens (not at the start or end), e.g. “social-square”.')
  .refine((name) => !RESERVED_NAMES.has(name), { message: 'That name belongs to a built-in preset; choose another.' })

export const PresetLabelSchema = z
  .string({ error: 'Enter a label.' })
  .trim()
  .min(1, 'Enter a label people will see, e.g. “Social media square”.')
  .max(80, 'Keep the label to 80 characters.')

/** The Rendition row of an admin preset's file for a version. */
export function presetRenditionName(name: string): string {
  return `preset:${name}`
}

export function presetUrl(assetId: string, versionId: string, name: string): string {
  return `/assets/${encodeURIComponent(assetId)}/versions/${encodeURIComponent(versionId)}/presets/${encodeURIComponent(name)}`
}

// ───────────────────────────── the admin list and form

/** Whether an admin preset of that name exists (for answering 404 before asking a partner to declare a use). */
export async function adminPresetExists(db: Db, presetName: string): Promise<boolean> {
  if (!PRESET_NAME_PATTERN.test(presetName)) return false
  return (await db.renditionPreset.count({ where: { name: presetName } })) > 0
}

export type BuiltInPresetView = { name: string; description: string }
export type AdminPresetView = { id: string; name: string; label: string; description: string; valid: boolean; updatedAt: string }

const formatInstant = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/** The built-in presets (every ingested image gets them), described as admins read presets. */
export function builtInPresets(): BuiltInPresetView[] {
  return Object.values(RENDITION_PRESETS).map((preset) => ({
    name: preset.name,
    description: `${preset.format === 'webp' ? 'WebP' : 'JPEG'}, at most ${preset.maxWidth} × ${preset.maxHeight}, quality ${preset.quality}, made at upload`,
  }))
}

export async function listAdminPresets({ db }: { db: Db }): Promise<AdminPresetView[]> {
  const rows = await db.renditionPreset.findMany({ orderBy: { name: 'asc' } })
  return rows.map((row) => {
    const preset = storedPreset(row.preset)
    return {
      id: row.id,
      name: row.name,
      label: row.label,
      description: preset ? describeChannelPreset(preset) : 'No longer valid: open it to fix it',
      valid: preset !== null,
      updatedAt: `${formatInstant.format(row.updatedAt)} UTC`,
    }
  })
}

/** What the preset editor holds: strings, as posted. */
export type PresetDraft = {
  name: string
  label: string
  format: string
  maxWidth: string
  maxHeight: string
  fit: string
  quality: string
  watermarkText: string
  watermarkPosition: string
  /** Percent, 5–100. */
  watermarkOpacity: string
  colourProfile: string
  metadata: string
}

export type PresetField = keyof PresetDraft | 'form'
export type PresetFieldErrors = Partial<Record<PresetField, string>>

export const PRESET_FORM_OPTIONS = {
  formats: CHANNEL_OUTPUT_FORMATS,
  fits: CHANNEL_FITS,
  colourProfiles: COLOUR_PROFILES,
  watermarkPositions: WATERMARK_POSITIONS,
} as const

export function draftOf(name: string, label: string, preset: ChannelPreset): PresetDraft {
  return {
    name,
    label,
    format: preset.format,
    maxWidth: preset.maxWidth === null ? '' : String(preset.maxWidth),
    maxHeight: preset.maxHeight === null ? '' : String(preset.maxHeight),
    fit: preset.fit,
    quality: String(preset.quality),
    watermarkText: preset.watermark?.text ?? '',
    watermarkPosition: preset.watermark?.position ?? 'bottom-right',
    watermarkOpacity: String(Math.round((preset.watermark?.opacity ?? 0.5) * 100)),
    colourProfile: preset.colourProfile,
    metadata: preset.metadata,
  }
}

/** A new preset's starting point: a 1080 × 1080 JPEG crop, as social media asks for. */
export function newPresetDraft(): PresetDraft {
  return draftOf('', '', ChannelPresetSchema.parse({ format: 'jpeg', maxWidth: 1080, maxHeight: 1080, fit: 'cover', quality: 85 }))
}

export async function loadPresetForEdit({ db, presetId }: { db: Db; presetId: string }): Promise<{ id: string; name: string; draft: PresetDraft; valid: boolean }> {
  const row = await db.renditionPreset.findUnique({ where: { id: presetId } })
  if (!row) throw new AppError('NOT_FOUND', 'Preset not found')
  const preset = storedPreset(row.preset)
  return { id: row.id, name: row.name, draft: draftOf(row.name, row.label, preset ?? ChannelPresetSchema.parse({})), valid: preset !== null }
}

const DraftSchema = z.object({
  name: z.string().max(200).default(''),
  label: z.string().max(400).default(''),
  format: z.string().max(20).default(''),
  maxWidth: z.string().max(20).default(''),
  maxHeight: z.string().max(20).default(''),
  fit: z.string().max(20).default(''),
  quality: z.string().max(20).default(''),
  watermarkText: z.string().max(400).default(''),
  watermarkPosition: z.string().max(20).default(''),
  watermarkOpacity: z.string().max(20).default(''),
  colourProfile: z.string().max(20).default(''),
  metadata: z.string().max(20).default(''),
})

function optionalNumber(text: string): number | null {
  const trimmed = text.trim()
  return trimmed === '' ? null : Number(trimmed)
}

const PRESET_FIELD_BY_PATH: Record<string, PresetField> = {
  format: 'format',
  maxWidth: 'maxWidth',
  maxHeight: 'maxHeight',
  fit: 'fit',
  quality: 'quality',
  colourProfile: 'colourProfile',
  metadata: 'metadata',
}

const PLAIN_MESSAGES: Partial<Record<PresetField, string>> = {
  maxWidth: 'Enter a width from 16 to 16,384 pixels, or leave it empty for no limit.',
  maxHeight: 'Enter a height from 16 to 16,384 pixels, or leave it empty for no limit.',
  quality: 'Enter a quality from 1 to 100.',
  watermarkOpacity: 'Enter an opacity from 5 to 100 percent.',
  format: 'Choose a format from the list.',
  colourProfile: 'Choose a colour profile from the list.',
  metadata: 'Choose whether to keep or strip metadata.',
  watermarkPosition: 'Choose a position from the list.',
}

/** The preset a draft describes, or the message for each field that is wrong. */
export function parsePresetDraft(draft: PresetDraft): { ok: true; name: string; label: string; preset: ChannelPreset } | { ok: false; errors: PresetFieldErrors } {
  const errors: PresetFieldErrors = {}
  const name = PresetNameSchema.safeParse(draft.name)
  if (!name.success) errors.name = name.error.issues[0]?.message
  const label = PresetLabelSchema.safeParse(draft.label)
  if (!label.success) errors.label = label.error.issues[0]?.message
  const opacity = optionalNumber(draft.watermarkOpacity)
  const preset = ChannelPresetSchema.safeParse({
    format: draft.format,
    maxWidth: optionalNumber(draft.maxWidth),
    maxHeight: optionalNumber(draft.maxHeight),
    fit: draft.fit,
    quality: optionalNumber(draft.quality) ?? Number.NaN,
    watermark: draft.watermarkText.trim()
      ? { text: draft.watermarkText, position: draft.watermarkPosition, opacity: opacity === null ? undefined : opacity / 100 }
      : null,
    colourProfile: draft.colourProfile,
    metadata: draft.metadata,
  })
  if (!preset.success) {
    for (const issue of preset.error.issues) {
      const [field, detail] = issue.path.map(String)
      const key: PresetField =
        field === 'watermark' ? (detail === 'position' ? 'watermarkPosition' : detail === 'opacity' ? 'watermarkOpacity' : 'watermarkText') : (PRESET_FIELD_BY_PATH[field ?? ''] ?? 'form')
      // The domain's own sentences (CMYK needs JPEG, cover needs a box) are kept; zod's generic ones get plain words.
      errors[key] ??= issue.code === 'custom' ? issue.message : (PLAIN_MESSAGES[key] ?? issue.message)
    }
  }
  if (!name.success || !label.success || !preset.success) return { ok: false, errors }
  return { ok: true, name: name.data, label: label.data, preset: preset.data }
}

export type SavePresetOutcome = { kind: 'saved'; presetId: string; name: string; created: boolean } | { kind: 'invalid'; draft: PresetDraft; errors: PresetFieldErrors; revision: string }

/**
 * Creates (presetId null) or edits an admin preset, audited in the same transaction.
 * The name must be unique and never a built-in's. Editing changes what the next
 * request renders: files already made stay under their old keys, unused.
 */
export async function savePreset({
  db,
  presetId,
  formData,
  actorId,
  ipAddress,
}: {
  db: Db
  presetId: string | null
  formData: FormData
  actorId: string
  ipAddress: string | null
}): Promise<SavePresetOutcome> {
  const raw = Object.fromEntries([...formData.entries()].filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
  const draft = DraftSchema.parse(raw)
  const invalid = (errors: PresetFieldErrors): SavePresetOutcome => ({ kind: 'invalid', draft, errors, revision: randomUUID() })
  const parsed = parsePresetDraft(draft)
  if (!parsed.ok) return invalid(parsed.errors)
  const { name, label, preset } = parsed
  const json = preset as unknown as Prisma.InputJsonObject

  try {
    return await db.$transaction(async (tx) => {
      const clash = await tx.renditionPreset.findUnique({ where: { name }, select: { id: true } })
      if (clash && clash.id !== presetId) throw new AppError('CONFLICT', `A preset called “${name}” already exists; choose another name.`)
      if (presetId) {
        const before = await tx.renditionPreset.findUnique({ where: { id: presetId } })
        if (!before) throw new AppError('NOT_FOUND', 'Preset not found')
        await tx.renditionPreset.update({ where: { id: presetId }, data: { name, label, preset: json } })
        await appendAuditEvent(tx, {
          actorId,
          action: 'rendition_preset.update',
          subjectType: 'rendition_preset',
          subjectId: presetId,
          detail: { name, label, preset: json, previous: { name: before.name, label: before.label, preset: before.preset as Prisma.InputJsonValue } },
          ipAddress,
        })
        return { kind: 'saved', presetId, name, created: false }
      }
      const created = await tx.renditionPreset.create({ data: { name, label, preset: json, createdById: actorId } })
      await appendAuditEvent(tx, {
        actorId,
        action: 'rendition_preset.create',
        subjectType: 'rendition_preset',
        subjectId: created.id,
        detail: { name, label, preset: json },
        ipAddress,
      })
      return { kind: 'saved', presetId: created.id, name, created: true }
    })
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') return invalid({ name: error.message })
    // Two admins creating the same name at once: the unique index has the last word.
    if (isUniqueViolation(error)) return invalid({ name: `A preset called “${name}” already exists; choose another name.` })
    throw error
  }
}

/** Deletes an admin preset (audited). Its files stay in S3 unreferenced, like superseded channel renditions. */
export async function deletePreset({ db, presetId, actorId, ipAddress }: { db: Db; presetId: string; actorId: string; ipAddress: string | null }): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const row = await tx.renditionPreset.findUnique({ where: { id: presetId } })
    if (!row) throw new AppError('NOT_FOUND', 'Preset not found')
    await tx.renditionPreset.delete({ where: { id: presetId } })
    // Its rows would otherwise name a preset that no longer exists.
    await tx.rendition.deleteMany({ where: { preset: presetRenditionName(row.name) } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rendition_preset.delete',
      subjectType: 'rendition_preset',
      subjectId: presetId,
      detail: { name: row.name, label: row.label, preset: row.preset as Prisma.InputJsonValue },
      ipAddress,
    })
    return { name: row.name }
  })
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'P2002'
}

// ───────────────────────────── links on asset pages

export type PresetLink = { name: string; label: string; description: string; url: string }

/**
 * The admin presets a version can be had in, for the asset pages (the route checks the
 * viewer may see the version; this lists what the preset route would serve). Empty for
 * versions that are not images, or not processed.
 */
export async function presetLinksFor({ db, assetId, versionId }: { db: Db; assetId: string; versionId: string | null }): Promise<PresetLink[]> {
  if (!versionId) return []
  const version = await db.assetVersion.findFirst({ where: { id: versionId, assetId }, select: { mediaType: true, status: true } })
  if (!version || !isRenderableImage(version.mediaType) || version.status === 'processing' || version.status === 'failed') return []
  const rows = await db.renditionPreset.findMany({ orderBy: { label: 'asc' } })
  return rows.flatMap((row) => {
    const preset = storedPreset(row.preset)
    return preset ? [{ name: row.name, label: row.label, description: describeChannelPreset(preset), url: presetUrl(assetId, versionId, row.name) }] : []
  })
}

// ───────────────────────────── serving

export type DeliverPresetOptions = {
  db: Db
  storage: Storage
  viewer: Viewer
  assetId: string
  versionId: string
  presetName: string
  /** Partners must declare a use; staff without one are recorded as internal use, worldwide. */
  use: DeclaredUse | null
  ipAddress: string | null
  expiresInSeconds: number
  at?: Date
}

export type DeliveredPreset = {
  url: string
  filename: string
  storageKey: string
  /** False when this request rendered the file. */
  reused: boolean
  expiresInSeconds: number
}

/**
 * Authorises the version as a download, renders the preset's file (or finds it made),
 * records the download, and hands out a presigned URL. NOT_FOUND for an unknown preset
 * or a version the viewer may not have; BAD_REQUEST for a partner without a declared
 * use; FORBIDDEN (with the reason) for a use the rights do not cover; CONFLICT for a
 * version that is not a processed image.
 */
export async function deliverPreset({
  db,
  storage,
  viewer,
  assetId,
  versionId,
  presetName,
  use,
  ipAddress,
  expiresInSeconds,
  at = new Date(),
}: DeliverPresetOptions): Promise<DeliveredPreset> {
  // The one access rule first: a hidden asset is 404 whatever else is wrong with the request.
  await requireVersionAccess(db, viewer, assetId, versionId, at)
  const row = PRESET_NAME_PATTERN.test(presetName) ? await db.renditionPreset.findUnique({ where: { name: presetName } }) : null
  const preset = row ? storedPreset(row.preset) : null
  if (!row || !preset) throw new AppError('NOT_FOUND', 'There is no such preset.')

  const version = await db.assetVersion.findFirst({ where: { id: versionId, assetId }, select: { id: true, number: true, status: true, mediaType: true } })
  if (!version || version.status === 'processing' || version.status === 'failed') throw new AppError('NOT_FOUND', 'Asset not found')
  if (!isRenderableImage(version.mediaType)) {
    throw new AppError('CONFLICT', `Presets apply to images; version ${version.number} is ${version.mediaType}. Download the original instead.`)
  }

  const staff = isStaff(viewer.roles)
  if (!use && !staff) throw new AppError('BAD_REQUEST', 'Say where you will use the file: choose a channel and a territory.')
  const declared = use ?? STAFF_UNDECLARED_USE
  // Before anything is rendered: a refused partner costs nothing.
  await authoriseDeclaredUse({ db, viewer, assetId, versionId, ...declared, at })

  const rendition = await renderChannelRendition({ db, storage, assetId, versionId, preset, at, renditionName: presetRenditionName(row.name) })
  const filename = rendition.filename.replace(/(\.[a-z0-9]+)?$/, (extension) => `-${row.name}${extension}`)
  const deliverable = presetRenditionName(row.name)

  // Recorded before the URL leaves the server, the use checked again inside the transaction.
  await db.$transaction(async (tx) => {
    await checkAndRecordDeclaredUse(tx, { viewer, assetId, versionId, use: declared, deliverable, ipAddress, at, remember: use !== null })
    await appendAuditEvent(tx, {
      actorId: viewer.userId,
      action: 'asset.download',
      subjectType: 'asset',
      subjectId: assetId,
      detail: {
        versionId,
        versionNumber: version.number,
        filename,
        organisationId: viewer.organisationId,
        channel: declared.channel,
        territory: declared.territory,
        deliverable,
        objectKey: rendition.storageKey,
      },
      ipAddress,
    })
  })

  const ttl = Math.max(1, Math.min(MAX_DOWNLOAD_URL_TTL_SECONDS, Math.floor(expiresInSeconds)))
  const url = await storage.presignDownload(rendition.storageKey, { filename, expiresInSeconds: ttl })
  return { url, filename, storageKey: rendition.storageKey, reused: rendition.reused, expiresInSeconds: ttl }
}
