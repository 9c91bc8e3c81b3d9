/**
 * Declared use: before a download, the person says which channel and territory the
 * file is for. The asset's rights are evaluated for that use, the download goes into
 * the ledger (DownloadRecord) with it, and it is remembered as next time's default.
 * The ledger is what the rights-window workflow reads to send takedown notices.
 *
 * Who is refused: partners, when their organisation's grants do not cover the declared
 * use now. Brand staff declare too and are recorded the same way, but are never
 * refused: legal, librarians and reviewers download originals to check, archive and
 * prepare work (an asset in embargo, one whose licence lapsed), and the ledger still
 * shows their use to whoever reads it. A staff download without a declared use (the
 * library's plain link) is recorded as internal use, worldwide.
 */
import { z } from 'zod'
import type { DbOrTx } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { evaluateUse, type RightsGrantTerms, type RightsNames } from '~/domain/rights'
import { isStaff } from '~/domain/roles'
import { isTerritoryCode, territoryName, WORLDWIDE } from '~/domain/territories'
import { AppError } from '~/errors.server'

export const INTERNAL_CHANNEL = 'internal'

/** What a staff download without a declared use counts as in the ledger. */
export const STAFF_UNDECLARED_USE: DeclaredUse = { channel: INTERNAL_CHANNEL, territory: WORLDWIDE }

/**
 * The form's fields. The channel's shape is checked here and its existence against
 * RightsChannel by the functions below (admins add channels, so the list is data).
 */
export const DeclaredUseSchema = z.object({
  channel: z
    .string({ error: 'Choose a channel.' })
    .trim()
    .min(1, 'Choose a channel.')
    .max(64, 'Choose a channel from the list.'),
  territory: z
    .string({ error: 'Choose a territory.' })
    .trim()
    .min(1, 'Choose a territory.')
    .refine(isTerritoryCode, 'Choose a territory from the list (a country, or worldwide).')
    .transform((code) => code.toUpperCase()),
})

export type DeclaredUse = z.infer<typeof DeclaredUseSchema>

// ───────────────────────────── names

export type RightsChannelOption = { key: string; label: string }

export type UseNames = {
  /** "Social media", for lists and tables. */
  channel: (key: string) => string
  /** "Germany", "Worldwide". */
  territory: (code: string) => string
  /** For evaluateUse and rightsSummary sentences ("Not licensed for social media"). */
  inSentences: RightsNames
}

export function loadRightsChannels(db: DbOrTx): Promise<RightsChannelOption[]> {
  return db.rightsChannel.findMany({ orderBy: [{ position: 'asc' }, { label: 'asc' }], select: { key: true, label: true } })
}

/** "Social media" reads "social media" mid-sentence; a name with capitals inside ("TikTok") keeps them. */
export function labelInSentence(label: string): string {
  const rest = label.slice(1)
  return rest === rest.toLowerCase() ? label.charAt(0).toLowerCase() + rest : label
}

/** Labels for channel keys and names for territory codes, as people read them. */
export async function loadUseNames(db: DbOrTx): Promise<UseNames> {
  const labels = new Map((await loadRightsChannels(db)).map((channel) => [channel.key, channel.label]))
  return {
    channel: (key) => labels.get(key) ?? key,
    territory: territoryName,
    inSentences: {
      channel: (key) => {
        const label = labels.get(key)
        return label === undefined ? undefined : labelInSentence(label)
      },
    },
  }
}

/** The schema's parse, with a failure as BAD_REQUEST (callers may not be routes). */
function parseDeclaredUse(input: { channel: string; territory: string }): DeclaredUse {
  const parsed = DeclaredUseSchema.safeParse(input)
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'Choose a channel and a territory.')
  return parsed.data
}

async function requireKnownChannel(db: DbOrTx, channel: string): Promise<void> {
  const known = await db.rightsChannel.findUnique({ where: { key: channel }, select: { key: true } })
  if (!known) throw new AppError('BAD_REQUEST', 'Choose a channel from the list.')
}

// ───────────────────────────── the rule

export type DeclaredUseDecision =
  /** The download may go ahead; `covered` says whether the grants cover the use (staff may go ahead without). */
  | { allowed: true; covered: boolean; reason: string }
  | { allowed: false; reason: string }

/**
 * Whether `viewer` may download for `use` at `at`: evaluateUse decides coverage for the
 * viewer's organisation (any organisation, for staff); only partners are held to it.
 * Pure. `names` makes the reason read "Not licensed for social media".
 */
export function judgeDeclaredUse(
  grants: readonly RightsGrantTerms[],
  { viewer, use, at, names }: { viewer: Viewer; use: DeclaredUse; at: Date; names?: RightsNames },
): DeclaredUseDecision {
  const staff = isStaff(viewer.roles)
  const verdict = evaluateUse(
    grants,
    { at, organisationId: staff ? null : viewer.organisationId, channel: use.channel, territory: use.territory },
    names,
  )
  if (verdict.allowed) return { allowed: true, covered: true, reason: verdict.reason }
  if (staff) return { allowed: true, covered: false, reason: verdict.reason }
  return { allowed: false, reason: verdict.reason }
}

export type AuthoriseDeclaredUseOptions = {
  db: DbOrTx
  viewer: Viewer
  assetId: string
  /** The version to be delivered; null for the asset's current one. */
  versionId: string | null
  channel: string
  territory: string
  at?: Date
}

/**
 * The declared-use check before anything is delivered: the channel must exist
 * (BAD_REQUEST) and a partner's use must be covered by the asset's grants now
 * (FORBIDDEN, with the readable reason). An unknown asset, or a version of another
 * asset, is NOT_FOUND.
 *
 * It does not decide whether the viewer may see the asset: call it after the one
 * access rule (requireAssetAccess / requireVersionAccess, which answer NOT_FOUND), so
 * a hidden asset never answers 403 and its existence never leaks.
 */
export async function authoriseDeclaredUse({
  db,
  viewer,
  assetId,
  versionId,
  channel,
  territory,
  at = new Date(),
}: AuthoriseDeclaredUseOptions): Promise<DeclaredUseDecision & { allowed: true }> {
  const asset = await db.asset.findUnique({
    where: { id: assetId },
    select: { rightsGrants: true, versions: versionId ? { where: { id: versionId }, select: { id: true } } : false },
  })
  if (!asset || (versionId && asset.versions.length === 0)) throw new AppError('NOT_FOUND', 'Asset not found')
  await requireKnownChannel(db, channel)
  const names = await loadUseNames(db)
  const use = parseDeclaredUse({ channel, territory })
  const decision = judgeDeclaredUse(asset.rightsGrants, { viewer, use, at, names: names.inSentences })
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason)
  return decision
}

// ───────────────────────────── the ledger and the preference

export type DownloadRecordInput = {
  assetId: string
  versionId: string
  userId: string
  /** The partner organisation; null for brand staff. */
  organisationId: string | null
  channel: string
  territory: string
  /** "original" or a rendition preset. */
  deliverable: string
  ipAddress: string | null
  /** The moment of the download; now by default. */
  createdAt?: Date
}

/** One row in the download ledger. */
export async function recordDownload(tx: DbOrTx, input: DownloadRecordInput): Promise<{ id: string }> {
  return tx.downloadRecord.create({ data: { ...input, territory: input.territory.toUpperCase() }, select: { id: true } })
}

/** Keeps the user's last declared use, preselected on their next download. */
export async function rememberDeclaredUse(tx: DbOrTx, userId: string, channel: string, territory: string): Promise<void> {
  const use = { channel, territory: territory.toUpperCase() }
  await tx.declaredUsePreference.upsert({ where: { userId }, create: { userId, ...use }, update: use })
}

/** The user's last declared use, or null before their first declared download. */
export async function declaredUseDefaults(db: DbOrTx, userId: string): Promise<DeclaredUse | null> {
  return db.declaredUsePreference.findUnique({ where: { userId }, select: { channel: true, territory: true } })
}

export type CheckAndRecordDeclaredUseOptions = {
  viewer: Viewer
  assetId: string
  /** The version being delivered (already authorised for the viewer). */
  versionId: string
  use: DeclaredUse
  deliverable?: string
  ipAddress?: string | null
  at?: Date
  /** Remember the use as the viewer's default; false for a use nobody declared (staff, library link). */
  remember?: boolean
}

/**
 * For the download use case, inside its transaction, after the access check and
 * before anything is handed out: re-evaluates the declared use against the grants as
 * the transaction sees them (a partner outside them is FORBIDDEN with the reason),
 * then writes the ledger row and remembers the use. The row commits with the
 * download's audit event or not at all.
 */
export async function checkAndRecordDeclaredUse(
  tx: DbOrTx,
  {
    viewer,
    assetId,
    versionId,
    use: declared,
    deliverable = 'original',
    ipAddress = null,
    at = new Date(),
    remember = true,
  }: CheckAndRecordDeclaredUseOptions,
): Promise<{ downloadRecordId: string; covered: boolean; reason: string }> {
  const use = parseDeclaredUse(declared)
  await requireKnownChannel(tx, use.channel)
  const grants = await tx.rightsGrant.findMany({ where: { assetId } })
  const names = await loadUseNames(tx)
  const decision = judgeDeclaredUse(grants, { viewer, use, at, names: names.inSentences })
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason)
  const staff = isStaff(viewer.roles)
  const record = await recordDownload(tx, {
    assetId,
    versionId,
    userId: viewer.userId,
    organisationId: staff ? null : viewer.organisationId,
    channel: use.channel,
    territory: use.territory,
    deliverable,
    ipAddress,
    createdAt: at,
  })
  if (remember) await rememberDeclaredUse(tx, viewer.userId, use.channel, use.territory)
  return { downloadRecordId: record.id, covered: decision.covered, reason: decision.reason }
}
