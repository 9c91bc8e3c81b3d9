/**
 * The pages' buttons for distribution, over the use cases in distribution-actions.server
 * and archive-asset.server: publish now, unpublish, retry, republish all, archive and
 * restore. Each use case records the request in the database first (audited) and then
 * tells the workflow service. When that service does not answer, the request stands
 * and the answer says so, instead of the page failing: nothing a librarian asked for
 * is lost, it is carried out when the workflow next acts. Authorisation is the route's.
 */
import { ServiceError } from '@temporalio/client'
import { z } from 'zod'
import { archiveAsset, restoreAsset } from '~/assets/archive-asset.server'
import type { Db } from '~/db.server'
import { AppError, isAppError } from '~/errors.server'
import { publishNow, republishChannel, retryDistribution, unpublish } from './distribution-actions.server'

export const RecordIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Choose from the list.')

/** Long enough for a healthy server; short enough that a dead one does not hold up the page (connecting alone gives up after 10 s). */
export const WORKFLOW_SERVICE_TIMEOUT_MS = 5_000

class WorkflowServiceTimeout extends Error {}

/** Runs a call that ends by talking to Temporal, giving up after `timeoutMs` (the call itself carries on). */
export async function withWorkflowServiceDeadline<T>(call: Promise<T>, what: string, timeoutMs = WORKFLOW_SERVICE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WorkflowServiceTimeout(`${what}: the workflow service did not answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([call, deadline])
  } finally {
    clearTimeout(timer)
    // A late failure of the abandoned call must not surface as an unhandled rejection.
    call.catch(() => undefined)
  }
}

/** Temporal down or unreachable: a timeout, a failed RPC, or a connection that never came up. */
function isWorkflowServiceDown(error: unknown): boolean {
  if (isAppError(error)) return false
  return (
    error instanceof WorkflowServiceTimeout ||
    error instanceof ServiceError ||
    (error instanceof Error && /ECONNREFUSED|UNAVAILABLE|Failed to connect|DEADLINE_EXCEEDED/i.test(error.message))
  )
}

export type RequestOutcome = {
  message: string
  /** Recorded, but the workflow service was not told: it acts at the next event. */
  deferred: boolean
}

async function recorded(call: Promise<unknown>, what: string, done: string, deferred: string): Promise<RequestOutcome> {
  try {
    await withWorkflowServiceDeadline(call, what)
    return { message: done, deferred: false }
  } catch (error) {
    if (!isWorkflowServiceDown(error)) throw error
    console.error(`${what}: recorded, but the workflow service was not told`, error)
    return { message: deferred, deferred: true }
  }
}

const LATER = 'The workflow service did not answer, so it happens when the channel next acts; press the button again in a moment to hurry it.'

export type AssetChannelRequest = 'publish' | 'unpublish' | 'retry'

/** Publish now, unpublish, or retry one asset on one channel. */
export async function requestAssetOnChannel({
  db,
  request,
  assetId,
  channelId,
  actorId,
  ipAddress,
}: {
  db: Db
  request: AssetChannelRequest
  assetId: string
  channelId: string
  actorId: string
  ipAddress?: string | null
}): Promise<RequestOutcome> {
  const [channel, asset] = await Promise.all([
    db.channel.findUnique({ where: { id: channelId }, select: { name: true } }),
    db.asset.findUnique({ where: { id: assetId }, select: { title: true } }),
  ])
  if (!channel) throw new AppError('NOT_FOUND', 'Channel not found')
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')
  const input = { db, assetId, channelId, actorId, ipAddress }
  const title = `“${asset.title}”`
  switch (request) {
    case 'publish':
      return recorded(
        publishNow(input),
        `Publishing asset ${assetId} to ${channel.name}`,
        `Publishing ${title} to ${channel.name}. It shows as live once delivered.`,
        `Publishing ${title} to ${channel.name} is recorded. ${LATER}`,
      )
    case 'unpublish':
      return recorded(
        unpublish(input),
        `Unpublishing asset ${assetId} from ${channel.name}`,
        `Taking ${title} off ${channel.name}. It stays off until someone publishes it again.`,
        `Unpublishing ${title} from ${channel.name} is recorded and nothing new goes out. ${LATER}`,
      )
    case 'retry':
      return recorded(
        retryDistribution(input),
        `Retrying asset ${assetId} on ${channel.name}`,
        `Trying ${title} on ${channel.name} again now.`,
        `The retry of ${title} is recorded. ${LATER}`,
      )
  }
}

/** Delivers everything live on the channel again, in its current preset. */
export async function requestRepublish({ db, channelId, actorId, ipAddress }: { db: Db; channelId: string; actorId: string; ipAddress?: string | null }): Promise<RequestOutcome> {
  try {
    const { total } = await withWorkflowServiceDeadline(republishChannel({ db, channelId, actorId, ipAddress }), `Republishing channel ${channelId}`)
    return { message: total === 0 ? 'Nothing is live on this channel, so there is nothing to republish.' : `Republishing ${total} ${total === 1 ? 'asset' : 'assets'}.`, deferred: false }
  } catch (error) {
    if (!isWorkflowServiceDown(error)) throw error
    console.error(`Republishing channel ${channelId}: recorded, but the batch could not be started`, error)
    // The batch is what does the work, and nothing else starts it: say so plainly.
    return { message: 'The workflow service did not answer, so republishing has not started. Press “Republish all” again in a moment.', deferred: true }
  }
}

/** Archives or restores an asset; its channels take it down or may publish it again. */
export async function setAssetArchived({
  db,
  assetId,
  archived,
  actorId,
  ipAddress,
}: {
  db: Db
  assetId: string
  archived: boolean
  actorId: string
  ipAddress?: string | null
}): Promise<RequestOutcome> {
  // archiveAsset and restoreAsset report an unreachable workflow service themselves.
  const result = await (archived ? archiveAsset : restoreAsset)({ db, assetId, actorId, ipAddress })
  const done = archived
    ? result.changed
      ? 'The asset is archived: nobody outside the library sees it, and its channels take it down.'
      : 'The asset was archived already.'
    : result.changed
      ? 'The asset is restored. Channels may publish it again.'
      : 'The asset was active already.'
  return result.channelsSignalled
    ? { message: done, deferred: false }
    : { message: `${done} The workflow service did not answer, so the channels act on it at their next event; press the button again in a moment to hurry them.`, deferred: true }
}
