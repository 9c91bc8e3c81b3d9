/**
 * One asset on one channel (workflow id `distribution-${channelId}-${assetId}`): keeps the
 * channel's destination holding what the distribution rule (~/domain/distribution) says
 * it should, now. Every event that may change the answer — a version promoted, rights
 * edited, a librarian publishing, unpublishing or retrying, the channel or the asset
 * changing — arrives as the `distributionChanged` signal. The workflow then plans: a
 * local activity reads the facts and applies the rule, and takes the file down at once
 * when that is the answer; a publish renders the channel's preset on the media queue and
 * delivers it. It also sleeps until the next instant the rights change by themselves (a
 * grant ending, an embargo lifting), so expiry takes the file down without anyone asking.
 *
 * Deliveries are idempotent (one object per asset at a destination, replaced in place),
 * retried with backoff by Temporal, and each failed attempt is recorded on the
 * Distribution row where people see it. When the retries run out the workflow tries
 * again later on its own timer, or at once when someone presses Retry.
 *
 * It finishes when nothing is live and nothing will change by itself; the next event
 * starts it again (signal-with-start). Long-lived ones continue as new.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow'
import type { DistributionActivities, MediaDistributionActivities } from '../workers/activities/distribution'
import { DEFAULT_MEDIA_TASK_QUEUE } from './ingest'

export type DistributionCauseKind =
  | 'version_promoted'
  | 'rights_changed'
  | 'publish_requested'
  | 'unpublish_requested'
  | 'republish_requested'
  | 'retry_requested'
  | 'channel_changed'
  | 'asset_changed'
  /** The hourly pass found the record unsettled for a while. */
  | 'housekeeping'

export type DistributionCause = {
  kind: DistributionCauseKind
  /** Who asked (a librarian, the reviewer whose approval promoted the version); null for the system. */
  actorId: string | null
}

export type DistributionInput = {
  assetId: string
  channelId: string
  /** Events not yet acted on, carried over a continue-as-new or given at start. */
  causes?: DistributionCause[]
  /** The media task queue rendering runs on (configuration, so it is an input). */
  mediaTaskQueue?: string
  /** Plans made before continuing as new (default 100; tests use a small number). */
  plansPerRun?: number
}

export type DistributionWorkflowState = {
  assetId: string
  channelId: string
  /** The last plan's action and reason. */
  lastPlan: { action: 'publish' | 'take-down'; reason: string; plannedAt: string } | null
  /** When it will look again by itself (rights change or retry after a failure), ISO 8601. */
  wakeAt: string | null
  /** Failures in a row since the last success. */
  failures: number
}

export const distributionChangedSignal = defineSignal<[DistributionCause]>('distributionChanged')
export const distributionStateQuery = defineQuery<DistributionWorkflowState>('distributionState')

const PLANS_PER_RUN = 100
/** How long a refresh of what is live (same version) waits for further edits. */
const REFRESH_GRACE_MS = 60_000
/**
 * Runs `work` (rendering) unless the rights change first: then it is cancelled (an
 * activity still queued never starts; a running one is told at its next heartbeat) and
 * 'interrupted' is returned. Without a change point ahead it simply runs the work.
 */
async function beforeRightsChange<T>(changeAt: number | null, work: () => Promise<T>): Promise<T | 'interrupted'> {
  if (changeAt === null) return work()
  const working = new CancellationScope()
  const waiting = new CancellationScope()
  const done = working.run(work).then((value) => ({ value }))
  const changed = waiting.run(() => sleep(Math.max(1, changeAt - Date.now()))).then(() => 'interrupted' as const)
  // The loser is cancelled; its rejection (CancelledFailure) is expected and dropped.
  changed.catch(() => undefined)
  done.catch(() => undefined)
  let interrupted = false
  try {
    const outcome = await Promise.race([done, changed])
    if (outcome === 'interrupted') {
      interrupted = true
      return 'interrupted'
    }
    return outcome.value
  } finally {
    if (interrupted) working.cancel()
    else waiting.cancel()
  }
}

/** After Temporal's own retries run out: wait 30 s, then doubling, at most 10 minutes. */
const RETRY_LATER_BASE_MS = 30_000
const RETRY_LATER_MAX_MS = 10 * 60_000

export async function distributeAsset({ assetId, channelId, causes = [], mediaTaskQueue, plansPerRun = PLANS_PER_RUN }: DistributionInput): Promise<void> {
  const { planDistribution, deliverToChannel, takeDownFromChannel } = proxyActivities<DistributionActivities>({
    startToCloseTimeout: '5 minutes',
    // A worker that dies mid-delivery is noticed within seconds, and the delivery retried elsewhere.
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 4 },
  })
  // The plan runs in the workflow task that needs it: no trip through the server's queues
  // between a rights change and the file leaving, which counts when hundreds expire at once.
  const { planDistribution: planDistributionHere } = proxyLocalActivities<DistributionActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 4 },
  })
  const { renderForChannel } = proxyActivities<MediaDistributionActivities>({
    taskQueue: mediaTaskQueue ?? DEFAULT_MEDIA_TASK_QUEUE,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: ['MediaError', 'NotFound'] },
  })

  const pending: DistributionCause[] = [...causes]
  let lastPlan: DistributionWorkflowState['lastPlan'] = null
  let wakeAt: number | null = null
  let failures = 0
  /** When a deferred refresh of the live file (same version, new rights text or preset) is due. */
  let refreshDueAt: number | null = null

  setHandler(distributionChangedSignal, (cause) => {
    pending.push(cause)
  })
  setHandler(distributionStateQuery, () => ({
    assetId,
    channelId,
    lastPlan,
    wakeAt: wakeAt === null ? null : new Date(wakeAt).toISOString(),
    failures,
  }))

  for (let plans = 0; plans < plansPerRun && !workflowInfo().continueAsNewSuggested; plans++) {
    const acting = pending.splice(0)
    const actorId = [...acting].reverse().find((cause) => cause.actorId !== null)?.actorId ?? null
    const force = acting.some((cause) => cause.kind === 'republish_requested' || cause.kind === 'retry_requested')

    let plan: Awaited<ReturnType<typeof planDistribution>>
    try {
      const planInput = { assetId, channelId, at: new Date(Date.now()).toISOString(), actorId }
      plan = patched('plan-as-local-activity') ? await planDistributionHere(planInput) : await planDistribution(planInput)
    } catch (error) {
      // The database or a destination is out of reach: try again later, or on the next event.
      if (!(error instanceof ActivityFailure)) throw error
      failures++
      wakeAt = Date.now() + Math.min(RETRY_LATER_MAX_MS, RETRY_LATER_BASE_MS * 2 ** (failures - 1))
      await condition(() => pending.length > 0, Math.max(1, wakeAt - Date.now()))
      pending.unshift(...acting)
      continue
    }
    if (plan.gone) return
    lastPlan = { action: plan.action, reason: plan.reason, plannedAt: new Date(Date.now()).toISOString() }

    const recheckAt = plan.recheckAt === null ? null : Date.parse(plan.recheckAt)
    let retryAt: number | null = null
    // Only the rights text or the preset changed: a minute's grace folds a run of edits (a
    // bulk grant change, a preset being tuned) into one delivery, and a change point within
    // it (an expiry) is acted on first instead of queueing behind renders.
    const freshness = plan.action === 'publish' ? (plan.freshness ?? 'new') : null
    if (freshness !== 'refresh' || force) refreshDueAt = null
    else refreshDueAt ??= Date.now() + REFRESH_GRACE_MS
    const deferred = freshness === 'refresh' && !force && refreshDueAt !== null && Date.now() < refreshDueAt
    const upToDate = freshness === 'current' && !force
    try {
      if (plan.action === 'publish' && (deferred || upToDate)) {
        // Nothing to deliver now.
      } else if (plan.action === 'publish') {
        refreshDueAt = null
        const versionId = plan.versionId
        const rendered = await beforeRightsChange(recheckAt, () => renderForChannel({ assetId, channelId, versionId }))
        // The rights changed while the file was being made (a queue of renders after a
        // grant edit, say): plan again at once, so a takedown does not wait behind it.
        if (rendered === 'interrupted') {
          pending.push(...acting.filter((cause) => cause.kind === 'republish_requested' || cause.kind === 'retry_requested'))
          continue
        }
        // Delivery is quick and checks the rights again itself, before and after the transfer.
        await deliverToChannel({ assetId, channelId, versionId, rendition: rendered, actorId, force })
      } else if (!plan.takenDown && (plan.live || plan.openTakedownRequests)) {
        // Plans made before planDistribution took down itself (histories of older runs).
        await takeDownFromChannel({ assetId, channelId, reason: plan.reason, actorId })
      }
      failures = 0
    } catch (error) {
      // The activity recorded the failure where people see it; the workflow keeps going.
      if (!(error instanceof ActivityFailure)) throw error
      failures++
      retryAt = Date.now() + Math.min(RETRY_LATER_MAX_MS, RETRY_LATER_BASE_MS * 2 ** (failures - 1))
    }

    wakeAt = [recheckAt, retryAt, refreshDueAt].reduce<number | null>((soonest, at) => (at === null ? soonest : soonest === null ? at : Math.min(soonest, at)), null)
    if (wakeAt === null && failures === 0 && pending.length === 0 && !plan.liveAfter) {
      // Nothing is live and nothing changes by itself: the next event starts a fresh run.
      await condition(allHandlersFinished)
      if (pending.length === 0) return
      continue
    }
    if (wakeAt === null) await condition(() => pending.length > 0)
    else await condition(() => pending.length > 0, Math.max(1, wakeAt - Date.now()))
  }
  await condition(allHandlersFinished)
  await continueAsNew<typeof distributeAsset>({ assetId, channelId, causes: pending.splice(0), mediaTaskQueue, plansPerRun })
}
