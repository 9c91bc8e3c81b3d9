/**
 * Rights-window activities (orchestration task queue). `planRightsWindow` reads an
 * asset's grants and says which change points are due and which comes next;
 * `applyRightsChange` carries one out. Idempotent: a handled change is recorded
 * (RightsChangeHandled) in the same transaction as its audit row, and every notice
 * or takedown request has a key of its own, so a retry sends nothing twice.
 */
import type { Db, DbOrTx } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { getEnv } from '~/env.server'
import { rightsChangePoints, usesLostAt, channelsLostAt, type RightsGrantTerms } from '~/domain/rights'
import { notifyUsers } from '~/notifications/notify.server'
import { describeRightsChange } from '~/rights/rights-notices.server'
import { reindexAsset } from '~/search.server'
import type { RightsChange } from '../../workflows/rights-window'
import type { SearchClient } from './support'

export type RightsActivityDeps = {
  db: Db
  /** Search client used to reindex; the process-wide one when omitted. */
  search?: SearchClient
  /** Base of links in notification emails; env PUBLIC_URL when omitted. */
  publicUrl?: string
}

export type RightsPlan = {
  assetGone: boolean
  /** The instant the plan was made (ISO 8601). */
  now: string
  /** Change points at or before `now` not handled yet, oldest first. */
  due: RightsChange[]
  /** The first change point after `now`, if any. */
  next: RightsChange | null
}

export function rightsChangeKey(change: RightsChange): string {
  return `${change.grantId}:${change.kind}:${change.at}`
}

export function createRightsActivities({ db, search, publicUrl }: RightsActivityDeps) {
  return {
    /** The plan as of `at` (ISO 8601): the workflow's clock, which its timers follow. */
    async planRightsWindow({ assetId, at: asOf }: { assetId: string; at: string }): Promise<RightsPlan> {
      const at = new Date(asOf)
      const grants = await grantsOf(db, assetId)
      if (!grants) return { assetGone: true, now: at.toISOString(), due: [], next: null }
      const points = rightsChangePoints(grants).map(toChange)
      const handled = new Set(
        (await db.rightsChangeHandled.findMany({ where: { assetId }, select: { key: true } })).map((row) => row.key),
      )
      const due = points.filter((change) => Date.parse(change.at) <= at.getTime() && !handled.has(rightsChangeKey(change)))
      const next = points.find((change) => Date.parse(change.at) > at.getTime()) ?? null
      return { assetGone: false, now: at.toISOString(), due, next }
    },

    async applyRightsChange({ assetId, change }: { assetId: string; change: RightsChange }): Promise<{ applied: boolean }> {
      const key = rightsChangeKey(change)
      if (await db.rightsChangeHandled.findUnique({ where: { key }, select: { key: true } })) return { applied: false }
      const grants = await grantsOf(db, assetId)
      // The grant was edited since the plan: the next plan has the change points that hold now.
      if (!grants || !rightsChangePoints(grants).map(toChange).some((point) => rightsChangeKey(point) === key)) {
        return { applied: false }
      }
      const changedAt = new Date(change.at)

      // What partners can find follows the grants: the index carries the usable window.
      if (change.kind !== 'warn') await reindexAsset(db, assetId, search)

      const asset = await db.asset.findUniqueOrThrow({
        where: { id: assetId },
        select: { id: true, title: true, ownerOrganisationId: true, createdById: true },
      })
      const grant = grants.find((candidate) => candidate.id === change.grantId)!
      const base = publicUrl ?? getEnv().PUBLIC_URL

      await db.$transaction(async (tx) => {
        const stewards = await rightsStewards(tx, asset.ownerOrganisationId, asset.createdById)
        const words = describeRightsChange({ asset, grant, change })
        let takedownNotices = 0
        let takedownRequests: string[] = []

        if (change.kind === 'warn' || change.kind === 'expiry' || change.kind === 'revocation') {
          await notifyUsers(tx, {
            publicUrl: base,
            notices: stewards.map((userId) => ({
              userId,
              kind: change.kind === 'warn' ? 'rights_expiring' : 'rights_expired',
              title: words.title,
              body: words.body,
              link: `/library/assets/${assetId}/rights`,
              dedupeKey: `rights:${key}:${userId}`,
            })),
          })
        }

        if (change.kind === 'expiry' || change.kind === 'revocation') {
          takedownNotices = await sendTakedownNotices(tx, { assetId, assetTitle: asset.title, grants, changedAt, key, reason: words.title, publicUrl: base })
          const channelKeys = (await tx.rightsChannel.findMany({ select: { key: true }, orderBy: { position: 'asc' } })).map((row) => row.key)
          takedownRequests = channelsLostAt(grants, channelKeys, changedAt)
          if (takedownRequests.length > 0) {
            // Serialised with distribution completing requests for the same asset.
            await tx.$queryRaw`SELECT id FROM "Asset" WHERE id = ${assetId} FOR UPDATE`
            const live = await liveRightsChannels(tx, assetId)
            const takenDown = await channelsTakenDownSince(tx, assetId, changedAt)
            const now = new Date()
            await tx.takedownRequest.createMany({
              data: takedownRequests.map((channel) => {
                const isLive = channel === '*' ? live.size > 0 : live.has(channel)
                // Distribution's own timer may have got there first: say so rather than "not live".
                const removedFrom = channel === '*' ? [...takenDown.values()].flat() : (takenDown.get(channel) ?? [])
                const outcome = removedFrom.length > 0 ? `Taken down from ${removedFrom.join(', ')}` : 'Not live on any channel'
                return {
                  assetId,
                  channel,
                  reason: words.title,
                  effectiveAt: changedAt,
                  dedupeKey: `${key}:${channel}`,
                  // Nothing left to take down: done as recorded. Live ones are carried out by distribution.
                  ...(isLive ? {} : { status: 'done' as const, completedAt: now, outcome }),
                }
              }),
              skipDuplicates: true,
            })
          }
        }

        await tx.rightsChangeHandled.create({ data: { key, assetId, grantId: change.grantId, kind: change.kind, at: changedAt } })
        await appendAuditEvent(tx, {
          actorId: null,
          action: AUDIT_ACTION[change.kind],
          subjectType: 'asset',
          subjectId: assetId,
          detail: { grantId: change.grantId, at: change.at, takedownNotices, takedownRequests, notified: stewards.length },
        })
      })
      // Distributions are not signalled here: each sleeps until the same change point and
      // takes the asset down itself (grant edits signal them when they are made).
      return { applied: true }
    },
  }
}

/** Distribution channels (by rights channel) that took the asset down at or after `since`. */
async function channelsTakenDownSince(tx: DbOrTx, assetId: string, since: Date): Promise<Map<string, string[]>> {
  const rows = await tx.distribution.findMany({
    where: { assetId, externalRef: null, removedAt: { gte: since } },
    select: { channel: { select: { rightsChannel: true, name: true } } },
  })
  const byRightsChannel = new Map<string, string[]>()
  for (const { channel } of rows) byRightsChannel.set(channel.rightsChannel, [...(byRightsChannel.get(channel.rightsChannel) ?? []), channel.name])
  return byRightsChannel
}

/** The rights channels an asset is live on now, through any distribution channel. */
async function liveRightsChannels(tx: DbOrTx, assetId: string): Promise<Set<string>> {
  const rows = await tx.distribution.findMany({
    where: { assetId, externalRef: { not: null } },
    select: { channel: { select: { rightsChannel: true } } },
  })
  return new Set(rows.map((row) => row.channel.rightsChannel))
}

export type RightsActivities = ReturnType<typeof createRightsActivities>

const AUDIT_ACTION = {
  start: 'rights.start',
  warn: 'rights.warn',
  expiry: 'rights.expire',
  revocation: 'rights.revoke',
} as const

function toChange(point: { at: Date; kind: RightsChange['kind']; grantId: string }): RightsChange {
  return { at: point.at.toISOString(), kind: point.kind, grantId: point.grantId }
}

async function grantsOf(db: DbOrTx, assetId: string): Promise<RightsGrantTerms[] | null> {
  const asset = await db.asset.findUnique({ where: { id: assetId }, select: { rightsGrants: { orderBy: { createdAt: 'asc' } } } })
  return asset ? asset.rightsGrants : null
}

/** Who hears about an asset's rights changes: the brand's legal team and the asset's owner. */
async function rightsStewards(tx: DbOrTx, organisationId: string, ownerId: string): Promise<string[]> {
  const legal = await tx.membership.findMany({
    where: { organisationId, roles: { has: 'legal' }, user: { disabledAt: null } },
    select: { userId: true },
  })
  return [...new Set([...legal.map((member) => member.userId), ownerId])]
}

/**
 * One notice per person whose downloads of the asset were declared for a use that was
 * allowed just before `changedAt` and is not from then on.
 */
async function sendTakedownNotices(
  tx: DbOrTx,
  options: { assetId: string; assetTitle: string; grants: RightsGrantTerms[]; changedAt: Date; key: string; reason: string; publicUrl: string },
): Promise<number> {
  const { assetId, assetTitle, grants, changedAt, key, reason, publicUrl } = options
  const downloads = await tx.downloadRecord.findMany({
    where: { assetId, createdAt: { lt: changedAt } },
    select: { userId: true, organisationId: true, channel: true, territory: true, versionId: true, version: { select: { number: true } } },
    orderBy: { createdAt: 'asc' },
  })
  const lost = usesLostAt(grants, downloads, changedAt)
  const byUser = new Map<string, typeof downloads>()
  for (const download of lost as typeof downloads) byUser.set(download.userId, [...(byUser.get(download.userId) ?? []), download])

  for (const [userId, uses] of byUser) {
    const latest = uses[uses.length - 1]!
    const channels = [...new Set(uses.map((use) => use.channel))]
    const territories = [...new Set(uses.map((use) => use.territory))]
    const dedupeKey = `takedown:${key}:${userId}`
    const date = changedAt.toISOString().slice(0, 10)
    const title = `Takedown: stop using "${assetTitle}" version ${latest.version.number}`
    const body =
      `Since ${date} the rights no longer allow your declared use (${channels.join(', ')} in ${territories.join(', ')}). ` +
      `Remove it from those channels and acknowledge this notice. ${reason}.`
    await notifyUsers(tx, {
      publicUrl,
      notices: [{ userId, kind: 'takedown_notice', title, body, link: '/portal/takedowns', dedupeKey }],
    })
    const notification = await tx.notification.findUnique({ where: { dedupeKey }, select: { id: true } })
    await tx.takedownNotice.createMany({
      data: [{ assetId, versionId: latest.versionId, userId, channels, territories, reason, effectiveAt: changedAt, dedupeKey, notificationId: notification?.id ?? null }],
      skipDuplicates: true,
    })
  }
  return byUser.size
}
