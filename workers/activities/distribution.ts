/**
 * Distribution activities, for the `distributeAsset` workflow. `planDistribution` reads
 * the facts and applies the distribution rule; `renderForChannel` (media queue) makes
 * the channel's rendition; `deliverToChannel` and `takeDownFromChannel` change the
 * destination and record what is there.
 *
 * Idempotent: a destination holds one file per asset, written under a name fixed by
 * the asset and the rendition and replaced in place, so a retried or duplicated
 * delivery never makes a second copy; the record is written after the destination
 * changed, and a repeat finds it already so. A failed attempt is written on the
 * Distribution row (state failed, the error, the count) before the error goes back to
 * Temporal for the retry.
 */
import { createHash } from 'node:crypto'
import { NoSuchKey } from '@aws-sdk/client-s3'
import type { Db, DbOrTx } from '~/db.server'
import { appendAuditEvent } from '~/audit.server'
import { parseChannelPreset } from '~/domain/channel-preset'
import { ChannelDestinationSchema } from '~/domain/channel-destination'
import { decideDistribution, type DistributionDecision } from '~/domain/distribution'
import { evaluateChannel } from '~/domain/rights'
import { decryptChannelSecrets } from '~/distribution/channel-secrets.server'
import { distributionAssetFacts, distributionAssetSelect } from '~/distribution/distribution-facts.server'
import { channelRenditionKey, renderChannelRendition, type ChannelRendition } from '~/distribution/channel-rendition.server'
import {
  publishToDestination,
  takeDownFromDestination,
  type DestinationChannel,
  type DestinationDeps,
} from '~/distribution/destinations.server'
import { loadUseNames } from '~/rights/declared-use.server'
import type { Storage } from '~/storage.server'
import { signalDistributionsOfChannel as signalChannel, type SignalOptions } from '~/distribution/distribution-signals.server'
import type { DistributionCause } from '../../workflows/distribution'
import { FailureType, heartbeat, nonRetryable, withHeartbeat } from './support'

export type DistributionActivityDeps = {
  db: Db
  storage: Storage
  maxImagePixels?: number
  /** Destination settings (folder root, webhook fetch, URL lifetime); env defaults otherwise. */
  destinations?: Omit<DestinationDeps, 'storage'>
}

export type DistributionPlan =
  | { gone: true }
  | ({
      gone: false
      /** Something is at the destination now. */
      live: boolean
      /** Whether something should still be live after acting (publish). */
      liveAfter: boolean
      /** Nothing is live, yet takedown requests from the rights engine for this channel are still open. */
      openTakedownRequests: boolean
      reason: string
      recheckAt: string | null
    } & (
      | {
          action: 'publish'
          versionId: string
          /**
           * `current`: exactly this file is live already. `refresh`: this version is live,
           * but in an older preset or with rights text that has changed since. `new`:
           * a different version, or nothing, is live.
           */
          freshness?: 'current' | 'refresh' | 'new'
        }
      | {
          action: 'take-down'
          /** Carried out by the plan itself (see planDistribution). */
          takenDown?: boolean
        }
    ))

export type DeliverInput = {
  assetId: string
  channelId: string
  versionId: string
  rendition: ChannelRendition
  actorId: string | null
  /** Deliver even when the same rendition is recorded as live (republish, retry). */
  force: boolean
}

const LIVE_STATES = ['published', 'publishing', 'removing', 'failed'] as const

type Decided = { decision: DistributionDecision; facts: NonNullable<Awaited<ReturnType<typeof readFacts>>> }

export function createDistributionActivities({ db, storage, maxImagePixels, destinations = {} }: DistributionActivityDeps) {
  const destinationDeps: DestinationDeps = { storage, ...destinations }

  async function decide(
    assetId: string,
    channelId: string,
    at: Date,
    reader: DbOrTx = db,
  ): Promise<Decided | null> {
    const facts = await readFacts(reader, assetId, channelId)
    if (!facts) return null
    const decision = decideDistribution({
      asset: facts.asset,
      channel: facts.channel,
      record: facts.record,
      grants: facts.grants,
      at,
      names: (await loadUseNames(reader)).inSentences,
    })
    return { decision, facts }
  }

  const activities = {
    /**
     * The plan as of `at`. A takedown needs nothing prepared, so when the plan is to take
     * down and something is live (or a takedown request is open), it is carried out here
     * at once (`takenDown`): one activity between a rights change and the file leaving.
     */
    async planDistribution({ assetId, channelId, at, actorId = null }: { assetId: string; channelId: string; at: string; actorId?: string | null }): Promise<DistributionPlan> {
      const decided = await decide(assetId, channelId, new Date(at))
      if (!decided) return { gone: true }
      const { decision, facts } = decided
      const live = facts.record !== null && facts.record.externalRef !== null
      // Something live is taken down anyway (and its requests completed); only otherwise
      // does an open request alone call for the takedown's bookkeeping.
      const openTakedownRequests =
        !live &&
        (await db.takedownRequest.count({
          where: { assetId, status: 'requested', channel: { in: [facts.channel.rightsChannel, '*'] } },
        })) > 0
      const common = {
        gone: false as const,
        live,
        openTakedownRequests,
        reason: decision.reason,
        recheckAt: decision.recheckAt ? decision.recheckAt.toISOString() : null,
      }
      if (decision.action === 'take-down') {
        const takenDown = live || openTakedownRequests ? (await takeDown({ assetId, channelId, reason: decision.reason, actorId }, decided), true) : false
        return { ...common, action: 'take-down', liveAfter: false, takenDown }
      }
      const record = facts.record
      let freshness: 'current' | 'refresh' | 'new' = 'new'
      if (live && record?.state === 'published' && record.liveVersionId === decision.versionId) {
        const expected = await channelRenditionKey({ db, assetId, versionId: decision.versionId, preset: parseChannelPreset(facts.channelRow.preset) })
        freshness = expected === record.liveRenditionKey ? 'current' : 'refresh'
      }
      return { ...common, action: 'publish', versionId: decision.versionId, liveAfter: true, freshness }
    },

    async deliverToChannel({ assetId, channelId, versionId, rendition, actorId, force }: DeliverInput): Promise<{ delivered: boolean; reason: string }> {
      // Checked again at the moment of delivery: rights may have ended while the file was rendered.
      const decided = await decide(assetId, channelId, new Date())
      if (!decided) return { delivered: false, reason: 'The asset or the channel no longer exists' }
      const { decision, facts } = decided
      if (decision.action !== 'publish' || decision.versionId !== versionId) {
        return { delivered: false, reason: `Not delivered: ${decision.reason}` }
      }
      const record = facts.record
      if (!force && record?.state === 'published' && record.liveRenditionKey === rendition.renditionKey) {
        return { delivered: false, reason: 'Already live' }
      }

      const version = await db.assetVersion.findFirst({ where: { id: versionId, assetId }, select: { number: true, promotedById: true } })
      if (!version) throw nonRetryable(FailureType.notFound, `Version ${versionId} is not a version of asset ${assetId}`)
      const channel = destinationChannel(facts.channelRow)
      const verdict = evaluateChannel(facts.grants, facts.channel.rightsChannel, new Date(), (await loadUseNames(db)).inSentences)
      const deliveryId = deliveryIdOf('publish', channelId, assetId, rendition.renditionKey)

      await db.distribution.upsert({
        where: { assetId_channelId: { assetId, channelId } },
        create: { assetId, channelId, state: 'publishing', lastAttemptAt: new Date() },
        update: { state: 'publishing', lastAttemptAt: new Date() },
      })
      let externalRef: string
      try {
        ;({ externalRef } = await withHeartbeat({ step: 'delivering', channelId }, () =>
          publishToDestination(
            {
              channel,
              asset: { id: assetId, title: facts.assetTitle, versionId, versionNumber: version.number },
              file: {
                storageKey: rendition.storageKey,
                filename: rendition.filename,
                mediaType: rendition.mediaType,
                bytes: rendition.bytes,
                sha256: rendition.sha256,
              },
              rights: { summary: verdict.reason, usableUntil: verdict.allowed && verdict.until ? verdict.until.toISOString() : null },
              previousRef: record?.externalRef ?? null,
              deliveryId,
            },
            destinationDeps,
          ),
        ))
      } catch (error) {
        await recordFailure(db, { assetId, channelId, versionId, actorId, error, wasLive: record?.externalRef != null })
        throw error
      }

      const publishedById = actorId ?? version.promotedById
      const stillAllowed = await db.$transaction(async (tx) => {
        // Under the asset's lock, as takedown holds it: rights that ended (or an unpublish)
        // while the file travelled win, and what was just put is removed below.
        await tx.$queryRaw`SELECT id FROM "Asset" WHERE id = ${assetId} FOR UPDATE`
        const now = new Date()
        const again = await decide(assetId, channelId, now, tx)
        if (!again || again.decision.action !== 'publish' || again.decision.versionId !== versionId) return false
        await tx.distribution.update({
          where: { assetId_channelId: { assetId, channelId } },
          data: {
            state: 'published',
            liveVersionId: versionId,
            liveRenditionKey: rendition.renditionKey,
            externalRef,
            publishedAt: now,
            publishedById,
            removedAt: null,
            removalReason: null,
            error: null,
            failedAttempts: 0,
          },
        })
        await tx.distributionEvent.create({
          data: { assetId, channelId, versionId, kind: 'published', actorId: publishedById, detail: decision.reason, at: now },
        })
        await appendAuditEvent(tx, {
          actorId: publishedById,
          action: 'distribution.publish',
          subjectType: 'asset',
          subjectId: assetId,
          detail: {
            channelId,
            channel: facts.channelRow.name,
            versionId,
            versionNumber: version.number,
            externalRef,
            replaced: record?.externalRef && record.externalRef !== externalRef ? record.externalRef : null,
            rendition: rendition.renditionKey,
            rightsEmbedded: rendition.rightsEmbedded,
          },
        })
        return true
      })
      if (!stillAllowed) {
        await takeDownFromDestination(
          { channel, assetId, externalRef, reason: 'The rights changed during delivery', deliveryId: deliveryIdOf('takedown', channelId, assetId, rendition.renditionKey) },
          destinationDeps,
        )
        // The put replaced whatever was there, so nothing of the asset is at the destination now.
        await db.$transaction(async (tx) => {
          const now = new Date()
          await tx.distribution.update({
            where: { assetId_channelId: { assetId, channelId } },
            data: { state: 'removed', externalRef: null, liveRenditionKey: null, removedAt: now, removalReason: 'The rights changed during delivery' },
          })
          if (record?.externalRef) {
            await tx.distributionEvent.create({
              data: { assetId, channelId, versionId: record.liveVersionId, kind: 'removed', actorId: null, detail: 'The rights changed during delivery', at: now },
            })
          }
        })
        return { delivered: false, reason: 'Withdrawn: the rights changed during delivery' }
      }
      return { delivered: true, reason: decision.reason }
    },

    takeDownFromChannel: (input: { assetId: string; channelId: string; reason: string; actorId: string | null }) => takeDown(input),
  }
  return activities

  /**
   * Takes the asset off the channel when the rule says so now. `decided`: the decision the
   * caller made a moment ago (the plan), so it is not read twice.
   */
  async function takeDown(
    { assetId, channelId, reason, actorId }: { assetId: string; channelId: string; reason: string; actorId: string | null },
    decided?: Decided,
  ): Promise<{ removed: boolean }> {
    // Someone may have published again meanwhile: act on what the rule says now.
    const current = decided ?? (await decide(assetId, channelId, new Date()))
    if (!current) return { removed: false }
    const { decision, facts } = current
    if (decision.action === 'publish') return { removed: false }
    const record = facts.record
    const wasLive = record !== null && record.externalRef !== null

    if (wasLive) {
      await db.distribution.update({
        where: { assetId_channelId: { assetId, channelId } },
        data: { state: 'removing', lastAttemptAt: new Date() },
      })
      try {
        await withHeartbeat({ step: 'taking down', channelId }, () =>
          takeDownFromDestination(
            {
              channel: destinationChannel(facts.channelRow),
              assetId,
              externalRef: record.externalRef,
              reason,
              deliveryId: deliveryIdOf('takedown', channelId, assetId, record.liveRenditionKey ?? ''),
            },
            destinationDeps,
          ),
        )
      } catch (error) {
        await recordFailure(db, { assetId, channelId, versionId: record.liveVersionId, actorId, error, wasLive: true })
        throw error
      }
    }

    await db.$transaction(async (tx) => {
      // Serialised with the rights engine recording takedown requests for the same asset.
      await tx.$queryRaw`SELECT id FROM "Asset" WHERE id = ${assetId} FOR UPDATE`
      const now = new Date()
      if (wasLive) {
        await tx.distribution.update({
          where: { assetId_channelId: { assetId, channelId } },
          data: { state: 'removed', externalRef: null, liveRenditionKey: null, removedAt: now, removalReason: reason, error: null, failedAttempts: 0 },
        })
        await tx.distributionEvent.create({
          data: { assetId, channelId, versionId: record.liveVersionId, kind: 'removed', actorId, detail: reason, at: now },
        })
      } else if (record && record.state !== 'removed') {
        // Never got out (pending, or failed before anything arrived): nothing to remove.
        await tx.distribution.update({
          where: { assetId_channelId: { assetId, channelId } },
          data: { state: 'removed', removalReason: reason, error: null, failedAttempts: 0 },
        })
      }
      await completeTakedownRequests(tx, { assetId, rightsChannel: facts.channel.rightsChannel, channelName: facts.channelRow.name, at: now })
      if (wasLive) {
        await appendAuditEvent(tx, {
          actorId,
          action: 'distribution.takedown',
          subjectType: 'asset',
          subjectId: assetId,
          detail: { channelId, channel: facts.channelRow.name, versionId: record.liveVersionId, externalRef: record.externalRef, reason },
        })
      }
    })
    return { removed: wasLive }
  }
}

export function createMediaDistributionActivities({ db, storage, maxImagePixels }: Pick<DistributionActivityDeps, 'db' | 'storage' | 'maxImagePixels'>) {
  return {
    /** Makes (or finds) the channel's rendition of a version; runs on the media queue. */
    async renderForChannel({ assetId, channelId, versionId }: { assetId: string; channelId: string; versionId: string }): Promise<ChannelRendition> {
      const channel = await db.channel.findUnique({ where: { id: channelId }, select: { preset: true } })
      if (!channel) throw nonRetryable(FailureType.notFound, `Channel ${channelId} no longer exists`)
      try {
        return await withHeartbeat({ step: 'rendering', channelId, versionId }, () =>
          renderChannelRendition({ db, storage, assetId, versionId, preset: parseChannelPreset(channel.preset), maxImagePixels }),
        )
      } catch (error) {
        // A missing original cannot come back by retrying: say so plainly and stop.
        const failure = error instanceof NoSuchKey ? nonRetryable(FailureType.notFound, 'The original file of this version is missing from storage') : error
        await recordFailure(db, { assetId, channelId, versionId, actorId: null, error: failure, wasLive: false })
        throw failure
      }
    },
  }
}

export type DistributionActivities = ReturnType<typeof createDistributionActivities>
export type MediaDistributionActivities = ReturnType<typeof createMediaDistributionActivities>

/**
 * Marks the rights engine's takedown requests for this rights channel done once no
 * channel of that rights channel still has the asset live; "*" (every channel) once
 * no channel has it live at all.
 */
async function completeTakedownRequests(
  tx: DbOrTx,
  { assetId, rightsChannel, channelName, at }: { assetId: string; rightsChannel: string; channelName: string; at: Date },
): Promise<void> {
  const stillLive = await tx.distribution.findMany({
    where: { assetId, externalRef: { not: null }, state: { in: [...LIVE_STATES] } },
    select: { channel: { select: { rightsChannel: true } } },
  })
  const channels = [rightsChannel, '*'].filter((channel) =>
    channel === '*' ? stillLive.length === 0 : !stillLive.some((row) => row.channel.rightsChannel === channel),
  )
  if (channels.length === 0) return
  await tx.takedownRequest.updateMany({
    where: { assetId, status: 'requested', channel: { in: channels }, effectiveAt: { lte: at } },
    data: { status: 'done', completedAt: at, outcome: `Taken down from ${channelName}` },
  })
}

/** Writes a failed attempt where people see it; a streak's first failure is also an event and an audit row. */
async function recordFailure(
  db: Db,
  { assetId, channelId, versionId, actorId, error, wasLive }: { assetId: string; channelId: string; versionId: string | null; actorId: string | null; error: unknown; wasLive: boolean },
): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000)
  await db.$transaction(async (tx) => {
    const row = await tx.distribution.upsert({
      where: { assetId_channelId: { assetId, channelId } },
      create: { assetId, channelId, state: 'failed', error: message, failedAttempts: 1, lastAttemptAt: new Date() },
      // Something live stays live (and recorded as such) while the replacement keeps failing.
      update: { state: 'failed', error: message, failedAttempts: { increment: 1 }, lastAttemptAt: new Date() },
      select: { failedAttempts: true },
    })
    if (row.failedAttempts !== 1) return
    await tx.distributionEvent.create({ data: { assetId, channelId, versionId, kind: 'failed', actorId, detail: message } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'distribution.fail',
      subjectType: 'asset',
      subjectId: assetId,
      detail: { channelId, versionId, error: message, wasLive },
    })
  })
}

/** The same delivery (channel, asset, rendition) always has the same id: receivers dedupe on it. */
function deliveryIdOf(kind: 'publish' | 'takedown', channelId: string, assetId: string, renditionKey: string): string {
  return `${kind}-${createHash('sha256').update(`${channelId}\n${assetId}\n${renditionKey}`).digest('hex').slice(0, 32)}`
}

function destinationChannel(row: { id: string; name: string; kind: string; destination: unknown; secretsCipher: string | null }): DestinationChannel {
  const destination = ChannelDestinationSchema.parse({ ...(typeof row.destination === 'object' ? row.destination : {}), kind: row.kind })
  return { id: row.id, name: row.name, destination, secrets: decryptChannelSecrets(row.id, row.secretsCipher) }
}

async function readFacts(db: DbOrTx, assetId: string, channelId: string) {
  const [asset, channelRow, record] = await Promise.all([
    db.asset.findUnique({
      where: { id: assetId },
      select: {
        ...distributionAssetSelect,
        title: true,
        rightsGrants: { orderBy: { createdAt: 'asc' } },
      },
    }),
    db.channel.findUnique({ where: { id: channelId } }),
    db.distribution.findUnique({ where: { assetId_channelId: { assetId, channelId } } }),
  ])
  if (!asset || !channelRow) return null
  return {
    assetTitle: asset.title,
    asset: distributionAssetFacts(asset),
    channelRow,
    channel: channelRow,
    record,
    grants: asset.rightsGrants,
  }
}

/** The batch activity behind `signalChannelDistributions`: signals each of the channel's distributions, heartbeating progress. */
export function createChannelBatchActivities({ db, signalOptions = {} }: { db: Db; signalOptions?: SignalOptions }) {
  return {
    async signalDistributionsOfChannel({ channelId, cause }: { channelId: string; cause: DistributionCause }): Promise<number> {
      return signalChannel(db, { channelId, cause, onProgress: (done, total) => heartbeat({ done, total }) }, signalOptions)
    },
  }
}

export type ChannelBatchActivities = ReturnType<typeof createChannelBatchActivities>
