/**
 * Share links, for brand staff: make one for an asset, list an asset's links, revoke
 * one. Opening a link is ./open-share-link.server.ts.
 *
 * A link is 32 random bytes (base64url) shown once to its maker; only its SHA-256
 * is stored, so the table cannot be turned back into working links. Every link
 * expires (1 hour to 90 days); a password (argon2id) and a download limit are
 * optional. Links point at an asset, not a version: they deliver whatever version is
 * current when opened. Collection links are not offered yet: `collectionId` stays
 * unused, and a row with one never opens (open-share-link refuses it).
 *
 * Only an asset a link could actually show may get one: approved, active, shared
 * with every partner, its rights allowing partners in general now, and in a format
 * that carries its rights when downloaded. The same rule is checked again, against
 * the clock, on every request the link serves.
 */
import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { loadAssetAccessFacts } from '~/assets/access.server'
import { appendAuditEvent } from '~/audit.server'
import { hashPassword, MAX_PASSWORD_LENGTH } from '~/auth/password.server'
import type { Db } from '~/db.server'
import { evaluateBrowsing } from '~/domain/rights'
import { hasPermission, type RoleName } from '~/domain/roles'
import { AppError } from '~/errors.server'
import { canCarryRightsStamp } from '~/media/rights-metadata.server'
import { loadUseNames } from '~/rights/declared-use.server'
import {
  canShareAsset,
  MAX_SHARE_LINK_HOURS,
  MIN_SHARE_LINK_HOURS,
  SHARE_LINK_ORGANISATION_ID,
  shareLinkState,
  type ShareLinkState,
} from './share-link-rule'

// ───────────────────────────── tokens

const TOKEN_BYTES = 32
/** 32 bytes in base64url, without padding. */
export const SHARE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

export function newShareToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url')
}

/** What the database keeps of a token. A plain hash suffices: the token has 256 bits of entropy. */
export function hashShareToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

// ───────────────────────────── input

export const SHARE_LINK_PASSWORD_MIN = 8
export const SHARE_LINK_DOWNLOAD_LIMIT_MAX = 10_000

/** Empty form fields mean "not set". */
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)

export const ShareLinkInputSchema = z.object({
  expiresInHours: z.coerce
    .number({ error: 'Choose when the link expires.' })
    .int('Choose when the link expires.')
    .min(MIN_SHARE_LINK_HOURS, 'A link lasts at least an hour.')
    .max(MAX_SHARE_LINK_HOURS, 'A link lasts at most 90 days.'),
  password: z.preprocess(
    (value) => (typeof value === 'string' && value === '' ? undefined : value),
    z
      .string()
      .min(SHARE_LINK_PASSWORD_MIN, `A password needs at least ${SHARE_LINK_PASSWORD_MIN} characters.`)
      .max(MAX_PASSWORD_LENGTH, 'That password is too long.')
      .optional(),
  ),
  downloadLimit: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'Enter a whole number of downloads.' })
      .int('Enter a whole number of downloads.')
      .min(1, 'Allow at least one download, or leave the limit empty.')
      .max(SHARE_LINK_DOWNLOAD_LIMIT_MAX, `At most ${SHARE_LINK_DOWNLOAD_LIMIT_MAX.toLocaleString('en-GB')} downloads.`)
      .optional(),
  ),
})
export type ShareLinkInput = z.input<typeof ShareLinkInputSchema>
export type ShareLinkFieldErrors = Partial<Record<'expiresInHours' | 'password' | 'downloadLimit', string>>

/** The expiry choices the form offers (hours). */
export const SHARE_LINK_DURATIONS: readonly { hours: number; label: string }[] = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 7 * 24, label: '7 days' },
  { hours: 14 * 24, label: '14 days' },
  { hours: 30 * 24, label: '30 days' },
  { hours: 90 * 24, label: '90 days' },
]

// ───────────────────────────── who and what may be shared

export type ShareLinkActor = { id: string; roles: readonly RoleName[] }

function requireAssetEditor(actor: ShareLinkActor): void {
  if (!hasPermission(actor.roles, 'asset:edit')) throw new AppError('FORBIDDEN', 'Only librarians and administrators manage share links.')
}

export type ShareEligibility = { shareable: true } | { shareable: false; reason: string }

/**
 * Whether a link to the asset would open now, and if not, why, in words for staff.
 * NOT_FOUND for an unknown asset.
 */
export async function shareEligibility(db: Db, assetId: string, at: Date): Promise<ShareEligibility> {
  const facts = await loadAssetAccessFacts(db, assetId)
  if (!facts) throw new AppError('NOT_FOUND', 'Asset not found')
  const decision = canShareAsset(facts, at)
  if (!decision.allowed) {
    if (facts.status === 'active' && facts.currentVersionId && !facts.sharedWithAllPartners) {
      return { shareable: false, reason: 'It is shared with named partner organisations only, and a link reaches people outside them.' }
    }
    // The rule's own rights question, asked again for its wording with channel names.
    const rights = evaluateBrowsing(facts.rightsGrants, { at, organisationId: SHARE_LINK_ORGANISATION_ID }, (await loadUseNames(db)).inSentences)
    if (!rights.allowed) {
      return rights.refusal === 'organisation'
        ? { shareable: false, reason: 'Its licences are for named partner organisations only, and a link reaches people outside them.' }
        : { shareable: false, reason: `Its rights do not allow it now: ${rights.reason}.` }
    }
    return { shareable: false, reason: decision.reason }
  }
  const version = facts.currentVersionId
    ? await db.assetVersion.findUnique({ where: { id: facts.currentVersionId }, select: { mediaType: true } })
    : null
  if (!version || !canCarryRightsStamp(version.mediaType)) {
    return { shareable: false, reason: 'Files of this type cannot carry their usage rights, so they cannot be downloaded from a link.' }
  }
  return { shareable: true }
}

// ───────────────────────────── create

export type CreateShareLinkOptions = {
  db: Db
  assetId: string
  actor: ShareLinkActor
  input: ShareLinkInput
  ipAddress?: string | null
  at?: Date
}

export type CreatedShareLink = {
  ok: true
  /** The secret: shown once, never stored. */
  token: string
  linkId: string
  expiresAt: Date
  passwordProtected: boolean
  downloadLimit: number | null
}

export type CreateShareLinkResult = CreatedShareLink | { ok: false; fieldErrors: ShareLinkFieldErrors }

/**
 * Makes a link to the asset. Field problems come back as fieldErrors; a missing asset
 * is NOT_FOUND, a caller without asset:edit FORBIDDEN, and an asset a link could not
 * show CONFLICT with the reason.
 */
export async function createShareLink({
  db,
  assetId,
  actor,
  input,
  ipAddress = null,
  at = new Date(),
}: CreateShareLinkOptions): Promise<CreateShareLinkResult> {
  requireAssetEditor(actor)
  const parsed = ShareLinkInputSchema.safeParse(input)
  if (!parsed.success) {
    const flat = z.flattenError(parsed.error).fieldErrors
    return {
      ok: false,
      fieldErrors: { expiresInHours: flat.expiresInHours?.[0], password: flat.password?.[0], downloadLimit: flat.downloadLimit?.[0] },
    }
  }
  const eligibility = await shareEligibility(db, assetId, at)
  if (!eligibility.shareable) throw new AppError('CONFLICT', `This asset cannot be shared by link. ${eligibility.reason}`)

  const { expiresInHours, password, downloadLimit } = parsed.data
  const token = newShareToken()
  const expiresAt = new Date(at.getTime() + expiresInHours * 3_600_000)
  const passwordHash = password === undefined ? null : await hashPassword(password)

  const link = await db.$transaction(async (tx) => {
    const created = await tx.shareLink.create({
      data: {
        tokenHash: hashShareToken(token),
        assetId,
        createdById: actor.id,
        expiresAt,
        passwordHash,
        downloadLimit: downloadLimit ?? null,
        createdAt: at,
      },
      select: { id: true },
    })
    await appendAuditEvent(tx, {
      actorId: actor.id,
      action: 'share_link.create',
      subjectType: 'asset',
      subjectId: assetId,
      detail: {
        shareLinkId: created.id,
        expiresAt: expiresAt.toISOString(),
        passwordProtected: passwordHash !== null,
        downloadLimit: downloadLimit ?? null,
      },
      ipAddress,
    })
    return created
  })
  return { ok: true, token, linkId: link.id, expiresAt, passwordProtected: passwordHash !== null, downloadLimit: downloadLimit ?? null }
}

// ───────────────────────────── list

export type ShareLinkSummary = {
  id: string
  createdAt: string
  createdBy: string
  expiresAt: string
  passwordProtected: boolean
  downloadLimit: number | null
  downloadCount: number
  revokedAt: string | null
  state: ShareLinkState
}

export type AssetShareLinks = {
  asset: { id: string; title: string }
  eligibility: ShareEligibility
  links: ShareLinkSummary[]
}

/** How many links the list shows (newest first). */
export const SHARE_LINK_LIST_LIMIT = 100

/** An asset's links, newest first, each with its state now, and whether links to it open at all now. */
export async function listShareLinks({ db, assetId, at = new Date() }: { db: Db; assetId: string; at?: Date }): Promise<AssetShareLinks> {
  const asset = await db.asset.findUnique({ where: { id: assetId }, select: { id: true, title: true } })
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  const [eligibility, rows] = await Promise.all([
    shareEligibility(db, assetId, at),
    db.shareLink.findMany({
      where: { assetId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: SHARE_LINK_LIST_LIMIT,
      select: {
        id: true,
        createdAt: true,
        expiresAt: true,
        passwordHash: true,
        downloadLimit: true,
        downloadCount: true,
        revokedAt: true,
        createdBy: { select: { name: true } },
      },
    }),
  ])
  return {
    asset,
    eligibility,
    links: rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy.name,
      expiresAt: row.expiresAt.toISOString(),
      passwordProtected: row.passwordHash !== null,
      downloadLimit: row.downloadLimit,
      downloadCount: row.downloadCount,
      revokedAt: row.revokedAt?.toISOString() ?? null,
      state: shareLinkState(row, at),
    })),
  }
}

// ───────────────────────────── revoke

export type RevokeShareLinkOptions = {
  db: Db
  assetId: string
  linkId: string
  actor: ShareLinkActor
  ipAddress?: string | null
  at?: Date
}

/**
 * Revokes the link from `at` on, with its audit row in the same transaction.
 * Revoking a revoked link changes nothing and writes nothing ({ revoked: false }).
 * NOT_FOUND when the link is not one of this asset's.
 */
export async function revokeShareLink({
  db,
  assetId,
  linkId,
  actor,
  ipAddress = null,
  at = new Date(),
}: RevokeShareLinkOptions): Promise<{ revoked: boolean }> {
  requireAssetEditor(actor)
  return db.$transaction(async (tx) => {
    const link = await tx.shareLink.findFirst({ where: { id: linkId, assetId }, select: { id: true } })
    if (!link) throw new AppError('NOT_FOUND', 'Share link not found')
    // Conditional, so two revokes at once record one revocation.
    const { count } = await tx.shareLink.updateMany({ where: { id: linkId, revokedAt: null }, data: { revokedAt: at } })
    if (count === 0) return { revoked: false }
    await appendAuditEvent(tx, {
      actorId: actor.id,
      action: 'share_link.revoke',
      subjectType: 'asset',
      subjectId: assetId,
      detail: { shareLinkId: linkId },
      ipAddress,
    })
    return { revoked: true }
  })
}
