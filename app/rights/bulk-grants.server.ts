/**
 * Rights for many assets at once: one grant with the same terms added to each asset
 * of a selection or a collection, and the expiring-soon board's bulk extend and
 * revoke. All rows and their audit rows go in one transaction (all or nothing); the
 * assets' rights-window workflows are signalled afterwards, a few at a time, and a
 * workflow that cannot be reached does not undo anything (see ./grants.server).
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { appendAuditEvent } from '~/audit.server'
import type { Db, DbOrTx } from '~/db.server'
import { formatRightsInstant } from '~/domain/rights'
import { AppError } from '~/errors.server'
import { RevokeReasonSchema, type GrantDraft, type GrantFieldErrors, type GrantTermsInput } from './grant-terms'
import {
  describeGrant,
  extendedExpiry,
  lockChannels,
  parseGrantTerms,
  signalRightsWindows,
  termsData,
  termsRecord,
  type SignalOptions,
} from './grants.server'

/** More than a library page, fewer than would make one transaction unwieldy. */
export const MAX_BULK_ASSETS = 1000
export const MAX_BULK_GRANTS = 500

const IdSchema = z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/)

/**
 * Asset ids pasted or posted: separated by commas, spaces or new lines; library links
 * ("…/library/assets/<id>") are accepted too, so legal can paste what they copied.
 */
export function parseAssetIdList(input: string | readonly string[]): { ids: string[]; invalid: string[] } {
  const entries = (typeof input === 'string' ? [input] : input).flatMap((value) => value.split(/[\s,;]+/)).filter(Boolean)
  const ids: string[] = []
  const invalid: string[] = []
  for (const entry of entries) {
    const fromLink = /\/assets\/([A-Za-z0-9_-]{1,64})(?:[/?#]|$)/.exec(entry)?.[1]
    const id = fromLink ?? entry
    if (IdSchema.safeParse(id).success) {
      if (!ids.includes(id)) ids.push(id)
    } else {
      invalid.push(entry)
    }
  }
  return { ids, invalid }
}

export type BulkTarget = { kind: 'assets'; assetIds: readonly string[] } | { kind: 'collection'; collectionId: string }

export type CollectionOption = { id: string; name: string; organisation: string; assetCount: number }

/** The collections bulk rights can target: the brand's own (partners' collections are theirs). */
export async function listBulkCollections({ db }: { db: DbOrTx }): Promise<CollectionOption[]> {
  const collections = await db.collection.findMany({
    where: { organisation: { kind: 'brand' } },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, organisation: { select: { name: true } }, _count: { select: { items: true } } },
  })
  return collections.map((collection) => ({
    id: collection.id,
    name: collection.name,
    organisation: collection.organisation.name,
    assetCount: collection._count.items,
  }))
}

export type ResolvedTarget = {
  assets: { id: string; title: string }[]
  collection: { id: string; name: string } | null
  /** Ids asked for that name no asset. */
  unknownIds: string[]
}

/** The assets a target names, in the order given (a collection: its own order). */
export async function resolveBulkTarget({ db, target }: { db: DbOrTx; target: BulkTarget }): Promise<ResolvedTarget> {
  if (target.kind === 'collection') {
    const collection = await db.collection.findFirst({
      where: { id: target.collectionId, organisation: { kind: 'brand' } },
      select: { id: true, name: true, items: { orderBy: { position: 'asc' }, select: { asset: { select: { id: true, title: true } } } } },
    })
    if (!collection) throw new AppError('NOT_FOUND', 'That collection does not exist (it may have been deleted). Choose another.')
    return { assets: collection.items.map((item) => item.asset), collection: { id: collection.id, name: collection.name }, unknownIds: [] }
  }
  const ids = [...new Set(target.assetIds)]
  const found = await db.asset.findMany({ where: { id: { in: ids } }, select: { id: true, title: true } })
  const byId = new Map(found.map((asset) => [asset.id, asset]))
  return {
    assets: ids.flatMap((id) => byId.get(id) ?? []),
    collection: null,
    unknownIds: ids.filter((id) => !byId.has(id)),
  }
}

type AuditContext = { actorId: string; ipAddress?: string | null }

export type TimersReport = { signalled: number; deferred: number }

export type BulkGrantResult =
  | { ok: true; batchId: string; created: number; assetIds: string[]; collection: { id: string; name: string } | null; timers: TimersReport }
  | { ok: false; fieldErrors: GrantFieldErrors }

export type AddGrantToAssetsOptions = AuditContext & SignalOptions & { db: Db; target: BulkTarget; input: GrantTermsInput | GrantDraft }

/** One grant with the same terms on every asset of the target; one transaction for all of them. */
export async function addGrantToAssets({ db, target, input, actorId, ipAddress, ...signal }: AddGrantToAssetsOptions): Promise<BulkGrantResult> {
  const parsed = await parseGrantTerms(db, input)
  if (!parsed.ok) return parsed
  const { terms } = parsed
  const batchId = randomUUID()
  const written = await db.$transaction(
    async (tx) => {
      const resolved = await resolveBulkTarget({ db: tx, target })
      if (resolved.unknownIds.length > 0) {
        const shown = resolved.unknownIds.slice(0, 5).join(', ')
        throw new AppError('BAD_REQUEST', `No asset has the id ${shown}${resolved.unknownIds.length > 5 ? ' …' : ''}. Remove it from the list.`)
      }
      if (resolved.assets.length === 0) {
        throw new AppError('BAD_REQUEST', resolved.collection ? `“${resolved.collection.name}” has no assets.` : 'Choose at least one asset.')
      }
      if (resolved.assets.length > MAX_BULK_ASSETS) {
        throw new AppError('BAD_REQUEST', `Set rights on at most ${MAX_BULK_ASSETS.toLocaleString('en-GB')} assets at once.`)
      }
      await lockChannels(tx, terms.channels)
      const data = termsData(terms)
      const grants = await tx.rightsGrant.createManyAndReturn({
        data: resolved.assets.map((asset) => ({ assetId: asset.id, createdById: actorId, ...data })),
        select: { id: true, assetId: true },
      })
      const record = termsRecord(terms)
      const outcome = `Created ${describeGrant(terms)} (bulk, ${resolved.assets.length} assets)`
      for (const grant of grants) {
        await appendAuditEvent(tx, {
          actorId,
          action: 'rights.change',
          subjectType: 'asset',
          subjectId: grant.assetId,
          detail: {
            operation: 'create',
            grantId: grant.id,
            terms: record,
            bulk: { batchId, size: grants.length, collectionId: resolved.collection?.id ?? null },
            outcome,
          },
          ipAddress,
        })
      }
      return { assetIds: grants.map((grant) => grant.assetId), collection: resolved.collection }
    },
    { timeout: 60_000 },
  )
  const { signalled, failed } = await signalRightsWindows(written.assetIds, signal)
  return {
    ok: true,
    batchId,
    created: written.assetIds.length,
    assetIds: written.assetIds,
    collection: written.collection,
    timers: { signalled: signalled.length, deferred: failed.length },
  }
}

// ───────────────────────────── the board's bulk actions

export type BulkChangeResult = {
  changed: number
  /** Grants left as they were, with the reason (already revoked, no expiry, …). */
  skipped: { grantId: string; message: string }[]
  timers: TimersReport
}

function uniqueGrantIds(grantIds: readonly string[]): string[] {
  const ids = [...new Set(grantIds)].filter((id) => IdSchema.safeParse(id).success)
  if (ids.length === 0) throw new AppError('BAD_REQUEST', 'Choose at least one grant.')
  if (ids.length > MAX_BULK_GRANTS) throw new AppError('BAD_REQUEST', `Choose at most ${MAX_BULK_GRANTS} grants at once.`)
  return ids.sort()
}

/** Locks the grants (in id order, so two bulk changes cannot deadlock) and reads them. */
async function lockGrants(tx: DbOrTx, ids: readonly string[]) {
  await tx.$queryRaw`SELECT 1 FROM "RightsGrant" WHERE "id" = ANY(${[...ids]}) ORDER BY "id" FOR UPDATE`
  return tx.rightsGrant.findMany({ where: { id: { in: [...ids] } }, orderBy: { id: 'asc' } })
}

export type BulkExtendOptions = AuditContext & SignalOptions & { db: Db; grantIds: readonly string[]; days: number; at?: Date }

/** Extends each chosen grant's expiry by `days` (same local time in its zone). */
export async function extendGrants({ db, grantIds, days, actorId, ipAddress, at, ...signal }: BulkExtendOptions): Promise<BulkChangeResult> {
  const ids = uniqueGrantIds(grantIds)
  const now = at ?? new Date()
  const { assetIds, skipped } = await db.$transaction(
    async (tx) => {
      const grants = await lockGrants(tx, ids)
      const skipped: BulkChangeResult['skipped'] = ids.filter((id) => !grants.some((grant) => grant.id === id)).map((grantId) => ({ grantId, message: 'Not found.' }))
      const assetIds: string[] = []
      for (const grant of grants) {
        const next = extendedExpiry(grant, { days }, now)
        if (!next.ok) {
          skipped.push({ grantId: grant.id, message: next.message })
          continue
        }
        await tx.rightsGrant.update({ where: { id: grant.id }, data: { expiresAt: next.expiresAt } })
        await appendAuditEvent(tx, {
          actorId,
          action: 'rights.change',
          subjectType: 'asset',
          subjectId: grant.assetId,
          detail: {
            operation: 'extend',
            grantId: grant.id,
            from: grant.expiresAt?.toISOString() ?? null,
            to: next.expiresAt.toISOString(),
            days,
            bulk: true,
            outcome: `Extended to ${formatRightsInstant(next.expiresAt, grant.timeZone)}`,
          },
          ipAddress,
        })
        assetIds.push(grant.assetId)
      }
      return { assetIds, skipped }
    },
    { timeout: 60_000 },
  )
  const { signalled, failed } = await signalRightsWindows(assetIds, signal)
  return { changed: assetIds.length, skipped, timers: { signalled: signalled.length, deferred: failed.length } }
}

export type BulkRevokeOptions = AuditContext & SignalOptions & { db: Db; grantIds: readonly string[]; reason: string; at?: Date }

/** Revokes each chosen grant now, with one reason for all. */
export async function revokeGrants({ db, grantIds, reason, actorId, ipAddress, at, ...signal }: BulkRevokeOptions): Promise<BulkChangeResult> {
  const ids = uniqueGrantIds(grantIds)
  const why = RevokeReasonSchema.safeParse(reason)
  if (!why.success) throw new AppError('BAD_REQUEST', why.error.issues[0]?.message ?? 'Say why the grants are revoked.')
  const revokedAt = at ?? new Date()
  const { assetIds, skipped } = await db.$transaction(
    async (tx) => {
      const grants = await lockGrants(tx, ids)
      const skipped: BulkChangeResult['skipped'] = ids.filter((id) => !grants.some((grant) => grant.id === id)).map((grantId) => ({ grantId, message: 'Not found.' }))
      const assetIds: string[] = []
      for (const grant of grants) {
        if (grant.revokedAt) {
          skipped.push({ grantId: grant.id, message: 'Already revoked.' })
          continue
        }
        await tx.rightsGrant.update({ where: { id: grant.id }, data: { revokedAt } })
        await appendAuditEvent(tx, {
          actorId,
          action: 'rights.change',
          subjectType: 'asset',
          subjectId: grant.assetId,
          detail: { operation: 'revoke', grantId: grant.id, revokedAt: revokedAt.toISOString(), reason: why.data, bulk: true },
          ipAddress,
        })
        assetIds.push(grant.assetId)
      }
      return { assetIds, skipped }
    },
    { timeout: 60_000 },
  )
  const { signalled, failed } = await signalRightsWindows(assetIds, signal)
  return { changed: assetIds.length, skipped, timers: { signalled: signalled.length, deferred: failed.length } }
}
