/**
 * Opening a share link, for whoever holds it (no sign-in): the page, the password
 * gate, the preview and the download. Every call resolves the token afresh and
 * applies the whole check at that moment (./share-link-rule): the link not revoked,
 * not expired, its limit not reached, and the asset passing the one access rule for
 * a partner of no particular organisation. Any failure is the same NOT_FOUND with the
 * same words, so a holder never learns which it was.
 *
 * Downloads deliver the stamped copy for partners in general (the rights travel in
 * the file), count against the limit with one conditional UPDATE, so two downloads
 * at once cannot both take the last one, and are audited as 'asset.download' with
 * `detail.via = 'share_link'` in the same transaction as the count.
 */
import { loadAssetAccessFacts } from '~/assets/access.server'
import { MAX_DOWNLOAD_URL_TTL_SECONDS } from '~/assets/download.server'
import { findRendition, type RenditionMeta } from '~/assets/renditions.server'
import { stampedDownload } from '~/assets/stamped-delivery.server'
import { appendAuditEvent } from '~/audit.server'
import { verifyPassword } from '~/auth/password.server'
import { beginSignInAttempt, markAttemptSucceeded, SIGN_IN_LIMITS, type SignInLimits } from '~/auth/rate-limit.server'
import type { Db } from '~/db.server'
import type { AssetAccessFacts } from '~/domain/asset-access'
import { formatRightsInstant } from '~/domain/rights'
import { rightsSummary, type LicenceSummary } from '~/domain/rights-summary'
import { AppError } from '~/errors.server'
import { canCarryRightsStamp, isRightsStampError } from '~/media/rights-metadata.server'
import { loadUseNames } from '~/rights/declared-use.server'
import type { Storage } from '~/storage.server'
import { sharePreviewPath } from './paths'
import { canOpenShareLink, downloadsLeft, SHARE_LINK_ORGANISATION_ID, SHARE_LINK_RECIPIENT } from './share-link-rule'
import { hashShareToken, SHARE_TOKEN_PATTERN } from './share-links.server'
import { isUnlocked, unlockValue } from './share-unlock.server'

export const SHARE_LINK_UNAVAILABLE = 'This link is no longer available'

/** The one answer for every link that does not open, whatever the reason. */
function unavailable(): AppError {
  return new AppError('NOT_FOUND', SHARE_LINK_UNAVAILABLE)
}

export function isShareLinkUnavailable(error: unknown): boolean {
  return error instanceof AppError && error.code === 'NOT_FOUND' && error.message === SHARE_LINK_UNAVAILABLE
}

type OpenLink = {
  id: string
  assetId: string
  expiresAt: Date
  passwordHash: string | null
  downloadLimit: number | null
  downloadCount: number
  revokedAt: Date | null
}

/** The link behind a token and its asset, if the link opens at `at`; NOT_FOUND otherwise. */
async function resolveShareLink(db: Db, token: string, at: Date): Promise<{ link: OpenLink; facts: AssetAccessFacts; versionId: string }> {
  if (!SHARE_TOKEN_PATTERN.test(token)) throw unavailable()
  const row = await db.shareLink.findUnique({
    where: { tokenHash: hashShareToken(token) },
    select: { id: true, assetId: true, expiresAt: true, passwordHash: true, downloadLimit: true, downloadCount: true, revokedAt: true },
  })
  // Collection links are not served yet: a row without an asset never opens.
  if (!row?.assetId) throw unavailable()
  const link: OpenLink = { ...row, assetId: row.assetId }
  const facts = await loadAssetAccessFacts(db, link.assetId)
  if (!facts || !canOpenShareLink(link, facts, at) || !facts.currentVersionId) throw unavailable()
  return { link, facts, versionId: facts.currentVersionId }
}

function needsPassword(link: OpenLink, cookieHeader: string | null, at: Date): boolean {
  return link.passwordHash !== null && !isUnlocked({ id: link.id, passwordHash: link.passwordHash, expiresAt: link.expiresAt }, cookieHeader, at)
}

// ───────────────────────────── the page

export type SharePage =
  | { state: 'locked' }
  | {
      state: 'open'
      owner: string
      asset: { title: string; description: string; kind: string }
      version: { number: number; mediaType: string; bytes: number; width: number | null; height: number | null; fileExtension: string }
      preview: { url: string; width: number | null; height: number | null } | null
      rights: { headline: string; licences: Pick<LicenceSummary, 'grantId' | 'state' | 'title' | 'lines'>[] }
      /** "10:00 UTC on 2 December 2026" */
      linkExpiresAt: string
      downloadsLeft: number | null
      /** False when the file's format cannot carry its rights (never delivered unstamped). */
      canDownload: boolean
    }

export type SharePageOptions = { db: Db; token: string; cookieHeader: string | null; at?: Date }

/** What the link's page shows now: the password form, or the asset. NOT_FOUND when the link does not open. */
export async function getSharePage({ db, token, cookieHeader, at = new Date() }: SharePageOptions): Promise<SharePage> {
  const { link, facts, versionId } = await resolveShareLink(db, token, at)
  if (needsPassword(link, cookieHeader, at)) return { state: 'locked' }

  const [asset, version, names] = await Promise.all([
    db.asset.findUniqueOrThrow({
      where: { id: link.assetId },
      select: { title: true, description: true, kind: true, ownerOrganisation: { select: { name: true } } },
    }),
    db.assetVersion.findUniqueOrThrow({
      where: { id: versionId },
      select: {
        number: true,
        mediaType: true,
        bytes: true,
        width: true,
        height: true,
        originalFilename: true,
        renditions: { where: { preset: 'preview' }, select: { width: true, height: true } },
      },
    }),
    loadUseNames(db),
  ])
  // Only grants open to every organisation count for a link's recipient, and no other organisation is named.
  const summary = rightsSummary(facts.rightsGrants, {
    organisationId: SHARE_LINK_ORGANISATION_ID,
    at,
    names: names.inSentences,
    audience: 'partner',
  })
  const preview = version.renditions[0]
  const extension = version.originalFilename.includes('.') ? (version.originalFilename.split('.').pop() ?? '') : ''
  return {
    state: 'open',
    owner: asset.ownerOrganisation.name,
    asset: { title: asset.title, description: asset.description, kind: asset.kind },
    version: {
      number: version.number,
      mediaType: version.mediaType,
      bytes: Number(version.bytes),
      width: version.width,
      height: version.height,
      fileExtension: extension.toUpperCase().slice(0, 8),
    },
    preview: preview ? { url: sharePreviewPath(token), width: preview.width, height: preview.height } : null,
    rights: {
      headline: summary.headline,
      licences: summary.licences.map(({ grantId, state, title, lines }) => ({ grantId, state, title, lines })),
    },
    linkExpiresAt: formatRightsInstant(link.expiresAt, 'UTC'),
    downloadsLeft: downloadsLeft(link),
    canDownload: canCarryRightsStamp(version.mediaType),
  }
}

// ───────────────────────────── the password

/**
 * Wrong passwords per link, and per client address (shared with sign-in failures:
 * one budget for one guesser), in the SignInAttempt table under the key
 * `share-link:<id>`, which no email address can be.
 */
export const SHARE_PASSWORD_LIMITS: SignInLimits = { windowMs: SIGN_IN_LIMITS.windowMs, perEmail: 10, perIp: SIGN_IN_LIMITS.perIp }

export type UnlockShareLinkOptions = {
  db: Db
  token: string
  password: string
  ipAddress: string
  at?: Date
  limits?: SignInLimits
}

export type UnlockResult =
  /** cookie: what to set; null for a link without a password (nothing to unlock). */
  | { ok: true; cookie: { value: string; maxAgeSeconds: number } | null }
  | { ok: false; status: 401 | 429; message: string }

/**
 * Checks a link's password (argon2 verify, constant-time) and returns the unlock
 * cookie's value. A link without a password unlocks without one. NOT_FOUND when the
 * link does not open; rate limits are counted before the check, as for sign-in.
 */
export async function unlockShareLink({
  db,
  token,
  password,
  ipAddress,
  at = new Date(),
  limits = SHARE_PASSWORD_LIMITS,
}: UnlockShareLinkOptions): Promise<UnlockResult> {
  const { link } = await resolveShareLink(db, token, at)
  if (link.passwordHash === null) return { ok: true, cookie: null }

  const gate = await beginSignInAttempt(db, { email: `share-link:${link.id}`, ipAddress, limits })
  if (!gate.allowed) {
    const minutes = gate.retryAfterMinutes
    return { ok: false, status: 429, message: `Too many wrong passwords. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.` }
  }
  if (!(await verifyPassword(password, link.passwordHash))) {
    return { ok: false, status: 401, message: 'That password is not right.' }
  }
  await markAttemptSucceeded(db, gate.attemptId)
  return { ok: true, cookie: unlockValue({ id: link.id, passwordHash: link.passwordHash, expiresAt: link.expiresAt }, at) }
}

// ───────────────────────────── the preview

/**
 * The preview rendition of the asset's current version, after the link's check.
 * A locked link's preview is NOT_FOUND like any other (the page asks for the password).
 */
export async function findSharePreview({ db, token, cookieHeader, at = new Date() }: SharePageOptions): Promise<RenditionMeta> {
  const { link, versionId } = await resolveShareLink(db, token, at)
  if (needsPassword(link, cookieHeader, at)) throw unavailable()
  // The same rendition lookup, and the one access rule again, for the link's recipient.
  try {
    return await findRendition({ db, viewer: SHARE_LINK_RECIPIENT, assetId: link.assetId, versionId, preset: 'preview', at })
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw unavailable()
    throw error
  }
}

// ───────────────────────────── the download

export type ShareDownloadOptions = {
  db: Db
  storage: Storage
  token: string
  cookieHeader: string | null
  ipAddress?: string | null
  /** Lifetime of the presigned URL in seconds; capped at 60. */
  expiresInSeconds: number
  at?: Date
}

export type ShareDownload = {
  url: string
  /** The S3 object the URL points at (a stamped copy, `stamped/…`). */
  key: string
  filename: string
  versionId: string
  downloadsLeft: number | null
}

/**
 * Counts one download against the link and hands out a presigned URL of the copy
 * carrying the rights. NOT_FOUND when the link does not open (also when another
 * download took its last use a moment ago), UNAUTHENTICATED without the unlock,
 * UNSUPPORTED_MEDIA_TYPE when the file cannot carry its rights.
 */
export async function downloadFromShareLink({
  db,
  storage,
  token,
  cookieHeader,
  ipAddress = null,
  expiresInSeconds,
  at = new Date(),
}: ShareDownloadOptions): Promise<ShareDownload> {
  const { link, versionId } = await resolveShareLink(db, token, at)
  if (needsPassword(link, cookieHeader, at)) throw new AppError('UNAUTHENTICATED', 'Enter the password to open this link.')

  const version = await db.assetVersion.findFirst({ where: { id: versionId, assetId: link.assetId }, select: { id: true, number: true, status: true, mediaType: true } })
  if (!version || version.status === 'failed' || version.status === 'processing') throw unavailable()

  // The copy first: it is reused when it exists, and a failure here must not use up a download.
  let copy: Awaited<ReturnType<typeof stampedDownload>>
  try {
    copy = await stampedDownload({ db, storage, assetId: link.assetId, versionId: version.id, recipient: { kind: 'all-partners' }, at })
  } catch (error) {
    if (!isRightsStampError(error)) throw error
    if (error.code === 'corrupt') {
      console.error(`Version ${version.id} could not be stamped with its rights for a share link`, error.cause ?? error)
      throw new AppError('UNAVAILABLE', 'This file could not be prepared for download. Please tell the person who sent the link.')
    }
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'This file cannot be downloaded from a link. Please ask the person who sent it for another format.')
  }

  const downloadCount = await db.$transaction(async (tx) => {
    // Counted only while the link still has a use left and is not revoked, decided by the row lock:
    // of two downloads racing for the last use, the second re-reads the row after the first commits.
    const counted = await tx.$queryRaw<{ downloadCount: number }[]>`
      UPDATE "ShareLink" SET "downloadCount" = "downloadCount" + 1
      WHERE "id" = ${link.id} AND "revokedAt" IS NULL
        AND ("downloadLimit" IS NULL OR "downloadCount" < "downloadLimit")
      RETURNING "downloadCount"`
    const row = counted[0]
    if (!row) throw unavailable()
    await appendAuditEvent(tx, {
      actorId: null,
      action: 'asset.download',
      subjectType: 'asset',
      subjectId: link.assetId,
      detail: {
        via: 'share_link',
        shareLinkId: link.id,
        versionId: version.id,
        versionNumber: version.number,
        filename: copy.filename,
        recipient: 'all-partners',
        deliverable: 'stamped',
        objectKey: copy.key,
        downloadCount: row.downloadCount,
        downloadLimit: link.downloadLimit,
      },
      ipAddress,
    })
    return row.downloadCount
  })

  const ttl = Math.max(1, Math.min(MAX_DOWNLOAD_URL_TTL_SECONDS, Math.floor(expiresInSeconds)))
  const url = await storage.presignDownload(copy.key, { filename: copy.filename, expiresInSeconds: ttl, mediaType: version.mediaType })
  return {
    url,
    key: copy.key,
    filename: copy.filename,
    versionId: version.id,
    downloadsLeft: downloadsLeft({ downloadLimit: link.downloadLimit, downloadCount }),
  }
}
