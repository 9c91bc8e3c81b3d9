/**
 * Duplicates found at upload: "looks like X: add as new version, keep both, or skip".
 *
 * A newly uploaded asset's first version is compared with the assets its organisation
 * already had (created before it, active, any version but failed ones):
 * - exact: the same sha256, known as soon as the upload is stored;
 * - near: perceptual hashes (~/domain/perceptual-hash, sharp-phash) at most
 *   NEAR_DUPLICATE_MAX_DISTANCE bits apart, known once ingest stored the hash. The
 *   distance is computed in PostgreSQL (bit_count of the XOR), one pass over the
 *   organisation's hashed versions. Measured here (2 shared cores): about 130 ms over
 *   100,000 hashes. It runs when a prompt is shown (a hash exists only once ingest is
 *   done), not per search; a BK-tree or LSH buckets would be the next step past that.
 * The best candidate (exact before near, then the smallest distance, then the oldest
 * asset) is shown until the uploader decides:
 * - keep both: `duplicateDecision = 'keep_both'`, the prompt goes;
 * - add as new version: the stored original becomes the next version of the existing
 *   asset (the same object, not a copy), which goes through ingest and review like any
 *   new version while its approved version stays live; the just-created asset is then
 *   removed;
 * - skip: the just-created asset is removed, the existing one untouched.
 * Removing waits for the new asset's ingest to finish and withdraws its review (so no
 * workflow writes to rows that are gone), then deletes its rows (cascading to versions,
 * renditions, reviews) and afterwards its objects (the original only if nothing reuses
 * it) and its search document. Every decision is audited (`version.duplicate_decision`
 * on the uploaded version); a second submit of the same decision finds the record and
 * answers with the same outcome.
 */
import { randomUUID } from 'node:crypto'
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client'
import { appendAuditEvent } from '~/audit.server'
import type { CurrentUser } from '~/auth.server'
import type { Db } from '~/db.server'
import { NEAR_DUPLICATE_MAX_DISTANCE } from '~/domain/perceptual-hash'
import { hasPermission } from '~/domain/roles'
import { AppError } from '~/errors.server'
import type { Prisma } from '~/generated/prisma/client'
import { withdrawReview } from '~/review/withdraw-review.server'
import { reindexAsset } from '~/search.server'
import type { Storage } from '~/storage.server'
import { getTemporalClient } from '~/temporal.server'
import { ingestWorkflowId, startIngest } from './start-ingest.server'

export type DuplicateKind = 'exact' | 'near'

export type DuplicateCandidate = {
  /** The existing asset it looks like. */
  assetId: string
  title: string
  /** The matching version of that asset. */
  versionId: string
  versionNumber: number
  thumbnailUrl: string | null
  kind: DuplicateKind
  /** Bits apart (0 for exact). */
  distance: number
}

export const DUPLICATE_DECISIONS = ['add_as_version', 'keep_both', 'skip'] as const
export type DuplicateDecision = (typeof DUPLICATE_DECISIONS)[number]

/** What the uploaded version is compared by. */
type Probe = { versionId: string; assetId: string; organisationId: string; createdAt: Date; sha256: string; perceptualHash: string | null }

const probeSelect = {
  id: true,
  number: true,
  sha256: true,
  perceptualHash: true,
  status: true,
  duplicateDecision: true,
  asset: { select: { id: true, ownerOrganisationId: true, createdAt: true, status: true } },
} satisfies Prisma.AssetVersionSelect

type ProbeRow = Prisma.AssetVersionGetPayload<{ select: typeof probeSelect }>

/** Only a new asset's first version, undecided and not failed, asks "looks like X?". */
function probeOf(row: ProbeRow): Probe | null {
  if (row.number !== 1 || row.duplicateDecision !== null || row.status === 'failed' || row.asset.status !== 'active') return null
  return { versionId: row.id, assetId: row.asset.id, organisationId: row.asset.ownerOrganisationId, createdAt: row.asset.createdAt, sha256: row.sha256, perceptualHash: row.perceptualHash }
}

/** The best "looks like" for an uploaded version, or null (none, decided, or not a new asset). */
export async function findDuplicateCandidate({ db, versionId }: { db: Db; versionId: string }): Promise<DuplicateCandidate | null> {
  const row = await db.assetVersion.findUnique({ where: { id: versionId }, select: probeSelect })
  const probe = row ? probeOf(row) : null
  return probe ? bestCandidate(db, probe) : null
}

/** For a list of uploaded versions (the upload page's poll): version id → candidate; versions without one are left out. */
export async function findDuplicateCandidates({ db, versionIds }: { db: Db; versionIds: readonly string[] }): Promise<Map<string, DuplicateCandidate>> {
  if (versionIds.length === 0) return new Map()
  const rows = await db.assetVersion.findMany({ where: { id: { in: [...versionIds] } }, select: probeSelect })
  const found = new Map<string, DuplicateCandidate>()
  for (const row of rows) {
    const probe = probeOf(row)
    const candidate = probe ? await bestCandidate(db, probe) : null
    if (candidate) found.set(row.id, candidate)
  }
  return found
}

async function bestCandidate(db: Db, probe: Probe, onlyAssetId?: string): Promise<DuplicateCandidate | null> {
  const exact = await db.assetVersion.findFirst({
    where: {
      sha256: probe.sha256,
      status: { not: 'failed' },
      asset: { id: onlyAssetId ?? { not: probe.assetId }, ownerOrganisationId: probe.organisationId, status: 'active', createdAt: { lt: probe.createdAt } },
    },
    orderBy: [{ asset: { createdAt: 'asc' } }, { number: 'desc' }],
    select: { id: true },
  })
  if (exact) return describe(db, exact.id, 'exact', 0)
  if (!probe.perceptualHash) return null

  const assetFilter = onlyAssetId ?? null
  const near = await db.$queryRaw<{ id: string; distance: number }[]>`
    SELECT v."id", bit_count(('x' || v."perceptualHash")::bit(64) # ('x' || ${probe.perceptualHash})::bit(64))::int AS "distance"
    FROM "AssetVersion" v JOIN "Asset" a ON a."id" = v."assetId"
    WHERE v."perceptualHash" ~ '^[0-9a-f]{16}$'
      AND v."status" <> 'failed'
      AND a."id" <> ${probe.assetId}
      AND (${assetFilter}::text IS NULL OR a."id" = ${assetFilter}::text)
      AND a."ownerOrganisationId" = ${probe.organisationId}
      AND a."status" = 'active'
      AND a."createdAt" < ${probe.createdAt}
      AND bit_count(('x' || v."perceptualHash")::bit(64) # ('x' || ${probe.perceptualHash})::bit(64)) <= ${NEAR_DUPLICATE_MAX_DISTANCE}
    ORDER BY 2 ASC, a."createdAt" ASC, v."number" DESC
    LIMIT 1`
  const best = near[0]
  return best ? describe(db, best.id, 'near', best.distance) : null
}

async function describe(db: Db, versionId: string, kind: DuplicateKind, distance: number): Promise<DuplicateCandidate> {
  const version = await db.assetVersion.findUniqueOrThrow({
    where: { id: versionId },
    select: { id: true, number: true, assetId: true, asset: { select: { title: true } }, renditions: { where: { preset: 'thumbnail' }, select: { id: true } } },
  })
  return {
    assetId: version.assetId,
    title: version.asset.title,
    versionId: version.id,
    versionNumber: version.number,
    thumbnailUrl: version.renditions.length > 0 ? `/assets/${version.assetId}/versions/${version.id}/renditions/thumbnail` : null,
    kind,
    distance,
  }
}

// ───────────────────────────── decisions

export type DecideDuplicateOptions = {
  db: Db
  storage: Storage
  actor: CurrentUser
  /** The uploaded version the prompt is about. */
  versionId: string
  decision: DuplicateDecision
  /** The existing asset to add the file to (add_as_version); must be a candidate of the version. */
  existingAssetId?: string | null
  ipAddress?: string | null
  /** Temporal client; the process-wide one by default. */
  client?: Client
  /** How long to wait for the new asset's ingest and review to wind down before giving up (CONFLICT). */
  settleTimeoutMs?: number
}

export type DuplicateOutcome = {
  decision: DuplicateDecision
  /** The asset the uploader should look at now; null when a skipped upload has none to show. */
  assetId: string | null
  /** add_as_version: the new version of the existing asset. */
  versionId: string | null
  versionNumber: number | null
  /** The just-created asset was removed (add_as_version, skip). */
  removedAssetId: string | null
  /** True when this request found the decision already made (a second submit). */
  repeated: boolean
  message: string
}

type DecisionRecord = { decision: DuplicateDecision; assetId: string | null; versionId: string | null; versionNumber: number | null; removedAssetId: string | null; message: string }

/**
 * Carries out the uploader's answer. NOT_FOUND for an unknown version; FORBIDDEN for
 * someone who is neither its uploader nor may edit assets; CONFLICT when it is not a
 * new asset's upload, the existing asset is not a candidate (or archived), the
 * version is still being processed, or a different decision was already made.
 */
export async function decideDuplicate({
  db,
  storage,
  actor,
  versionId,
  decision,
  existingAssetId = null,
  ipAddress = null,
  client,
  settleTimeoutMs = 30_000,
}: DecideDuplicateOptions): Promise<DuplicateOutcome> {
  const row = await db.assetVersion.findUnique({
    where: { id: versionId },
    select: {
      ...probeSelect,
      uploadedById: true,
      storageKey: true,
      mediaType: true,
      bytes: true,
      originalFilename: true,
      asset: { select: { id: true, ownerOrganisationId: true, createdAt: true, status: true, title: true, kind: true, _count: { select: { versions: true } } } },
    },
  })
  if (!row) {
    // Removed by an earlier submit of this prompt: answer as that one did.
    const earlier = await recordedDecision(db, versionId)
    if (!earlier) throw new AppError('NOT_FOUND', 'That upload no longer exists.')
    return repeatOrConflict(earlier, decision)
  }
  if (row.uploadedById !== actor.id && !hasPermission(actor.roles, 'asset:edit')) {
    throw new AppError('FORBIDDEN', 'Only the uploader or a librarian can decide what happens to this upload.')
  }
  if (row.duplicateDecision === 'keep_both') {
    const earlier = await recordedDecision(db, versionId)
    return repeatOrConflict(earlier ?? { decision: 'keep_both', assetId: row.asset.id, versionId: null, versionNumber: null, removedAssetId: null, message: keptMessage(row.asset.title) }, decision)
  }
  if (row.number !== 1 || row.asset._count.versions !== 1) {
    throw new AppError('CONFLICT', 'Only a new asset’s first upload can be added to another asset or skipped; this one already has versions of its own.')
  }
  if (row.asset.status !== 'active') throw new AppError('CONFLICT', 'This asset is archived; restore it first.')

  if (decision === 'keep_both') {
    const record: DecisionRecord = { decision, assetId: row.asset.id, versionId: null, versionNumber: null, removedAssetId: null, message: keptMessage(row.asset.title) }
    await db.$transaction(async (tx) => {
      await tx.assetVersion.update({ where: { id: versionId }, data: { duplicateDecision: 'keep_both' } })
      await appendAuditEvent(tx, { actorId: actor.id, action: 'version.duplicate_decision', subjectType: 'version', subjectId: versionId, detail: { ...record, newAssetId: row.asset.id }, ipAddress })
    })
    return { ...record, repeated: false }
  }

  // add_as_version needs the asset it looked like; check it is still a candidate before anything is undone.
  const probe = probeOf({ ...row, duplicateDecision: null })
  let existing: { id: string; title: string; kind: DuplicateKind; distance: number } | null = null
  if (decision === 'add_as_version') {
    if (!existingAssetId) throw new AppError('BAD_REQUEST', 'Choose the asset to add the file to.')
    const candidate = probe ? await bestCandidate(db, probe, existingAssetId) : null
    if (!candidate) throw new AppError('CONFLICT', 'That asset does not look like this upload (or it was archived), so the file was not added to it.')
    const asset = await db.asset.findUniqueOrThrow({ where: { id: existingAssetId }, select: { id: true, title: true, kind: true } })
    if (asset.kind !== row.asset.kind) throw new AppError('CONFLICT', 'That asset is of another kind, so this file cannot become one of its versions.')
    existing = { id: asset.id, title: asset.title, kind: candidate.kind, distance: candidate.distance }
  }
  // Where a skipped upload sends the uploader: the asset it looked like, if any.
  const lookalike = decision === 'skip' && probe ? await bestCandidate(db, probe) : null

  // Let the new asset's workflows finish before its rows go.
  const temporal = client ?? (await getTemporalClient())
  await settle(temporal, ingestWorkflowId(versionId), settleTimeoutMs, 'The upload is still being processed. Try again in a moment.')
  const withdrawn = await withdrawReview({ versionId, actorId: actor.id, reason: decision === 'skip' ? 'Skipped as a duplicate at upload.' : 'Added as a new version of another asset at upload.', client: temporal })
  if (withdrawn.signalled) await settle(temporal, `review-${versionId}`, settleTimeoutMs, 'The upload’s review is still closing. Try again in a moment.')

  const newVersionId = randomUUID()
  const result = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "AssetVersion" WHERE "id" = ${versionId} FOR UPDATE`
    if (locked.length === 0) return null
    const renditionKeys = (await tx.rendition.findMany({ where: { versionId }, select: { storageKey: true } })).map((rendition) => rendition.storageKey)
    let added: { number: number } | null = null
    if (existing) {
      await tx.$executeRaw`SELECT 1 FROM "Asset" WHERE "id" = ${existing.id} FOR UPDATE`
      const latest = await tx.assetVersion.findFirst({ where: { assetId: existing.id }, orderBy: { number: 'desc' }, select: { number: true } })
      added = { number: (latest?.number ?? 0) + 1 }
      await tx.assetVersion.create({
        data: {
          id: newVersionId,
          assetId: existing.id,
          number: added.number,
          // The same object: nothing is copied, and skip's clean-up keeps it.
          storageKey: row.storageKey,
          sha256: row.sha256,
          bytes: row.bytes,
          mediaType: row.mediaType,
          originalFilename: row.originalFilename,
          status: 'processing',
          uploadedById: row.uploadedById,
        },
      })
      await tx.asset.update({ where: { id: existing.id }, data: { updatedAt: new Date() } })
      await appendAuditEvent(tx, {
        actorId: actor.id,
        action: 'asset.upload',
        subjectType: 'asset',
        subjectId: existing.id,
        detail: { versionId: newVersionId, versionNumber: added.number, filename: row.originalFilename, mediaType: row.mediaType, bytes: Number(row.bytes), sha256: row.sha256, fromDuplicateOf: { assetId: row.asset.id, versionId } },
        ipAddress,
      })
    }
    await tx.asset.delete({ where: { id: row.asset.id } })
    const record: DecisionRecord = existing
      ? { decision, assetId: existing.id, versionId: newVersionId, versionNumber: added?.number ?? null, removedAssetId: row.asset.id, message: `Added as version ${added?.number} of “${existing.title}”. It goes through review; the approved version stays live until then.` }
      : { decision, assetId: lookalike?.assetId ?? null, versionId: null, versionNumber: null, removedAssetId: row.asset.id, message: `Skipped: “${row.asset.title}” was not kept.` }
    await appendAuditEvent(tx, {
      actorId: actor.id,
      action: 'version.duplicate_decision',
      subjectType: 'version',
      subjectId: versionId,
      detail: { ...record, newAssetId: row.asset.id, title: row.asset.title, ...(existing ? { kind: existing.kind, distance: existing.distance } : {}) },
      ipAddress,
    })
    return { record, renditionKeys }
  })
  if (!result) {
    const earlier = await recordedDecision(db, versionId)
    if (!earlier) throw new AppError('NOT_FOUND', 'That upload no longer exists.')
    return repeatOrConflict(earlier, decision)
  }

  // After the commit: objects nothing refers to any more, the search document, and the new version's processing.
  const keys = [...result.renditionKeys]
  if (!existing && (await db.assetVersion.count({ where: { storageKey: row.storageKey } })) === 0) keys.push(row.storageKey)
  for (const key of keys) {
    await storage.delete(key).catch((error: unknown) => console.error(`Could not delete ${key} of a removed duplicate upload`, error))
  }
  await reindexAsset(db, row.asset.id).catch((error: unknown) => console.error(`Could not remove asset ${row.asset.id} from the search index`, error))
  if (existing) await startNewVersion(db, existing.id, newVersionId, actor, temporal)
  return { ...result.record, repeated: false }
}

/** Starts the ingest of the added version and withdraws older reviews, as an upload of a new version does. */
async function startNewVersion(db: Db, assetId: string, versionId: string, actor: CurrentUser, client: Client): Promise<void> {
  try {
    await startIngest({ versionId, assetId, client })
  } catch (error) {
    console.error(`Could not start ingest for version ${versionId}`, error)
    await db.$transaction(async (tx) => {
      await tx.assetVersion.update({
        where: { id: versionId },
        data: { status: 'failed', failureReason: 'Processing could not be started (the workflow service did not answer). Upload the file again in a moment.' },
      })
      await appendAuditEvent(tx, { actorId: actor.id, action: 'version.processing_failed', subjectType: 'asset', subjectId: assetId, detail: { versionId, reason: 'ingest workflow could not be started' } })
    })
    return
  }
  const added = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { number: true } })
  const older = await db.assetVersion.findMany({ where: { assetId, number: { lt: added.number }, status: { in: ['processing', 'in_review'] } }, select: { id: true, number: true } })
  for (const version of older) {
    await withdrawReview({ versionId: version.id, actorId: actor.id, reason: `Version ${added.number} was added, so version ${version.number} no longer needs review.`, client }).catch((error: unknown) =>
      console.error(`Could not withdraw the review of version ${version.id}`, error),
    )
  }
}

/** Waits for a workflow to close; CONFLICT with `message` if it runs on past the timeout. */
async function settle(client: Client, workflowId: string, timeoutMs: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([
      client.workflow
        .getHandle(workflowId)
        .result()
        .then(
          () => 'closed' as const,
          (error: unknown) => {
            // Never started, or failed, terminated or timed out: closed all the same. Anything else (the service down) is not settled.
            if (error instanceof WorkflowNotFoundError || error instanceof WorkflowFailedError) return 'closed' as const
            throw error
          },
        ),
      timeout,
    ])
    if (outcome === 'timeout') throw new AppError('CONFLICT', message)
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('UNAVAILABLE', 'The workflow service did not answer, so nothing was changed. Try again in a moment.')
  } finally {
    clearTimeout(timer)
  }
}

async function recordedDecision(db: Db, versionId: string): Promise<DecisionRecord | null> {
  const event = await db.auditEvent.findFirst({ where: { action: 'version.duplicate_decision', subjectType: 'version', subjectId: versionId }, orderBy: { seq: 'desc' }, select: { detail: true } })
  const detail = event?.detail as Partial<DecisionRecord> | undefined
  if (!detail || !detail.decision || !detail.message) return null
  return {
    decision: detail.decision,
    assetId: detail.assetId ?? null,
    versionId: detail.versionId ?? null,
    versionNumber: detail.versionNumber ?? null,
    removedAssetId: detail.removedAssetId ?? null,
    message: detail.message,
  }
}

function repeatOrConflict(earlier: DecisionRecord, decision: DuplicateDecision): DuplicateOutcome {
  if (earlier.decision !== decision) throw new AppError('CONFLICT', `This upload was already decided: ${earlier.message}`)
  return { ...earlier, repeated: true }
}

function keptMessage(title: string): string {
  return `Kept both: “${title}” stays a separate asset.`
}
