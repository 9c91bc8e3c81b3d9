/**
 * The rights window of one asset (workflow id `rights-${assetId}`): sleeps until the
 * next change point of any of its grants (start, warning, expiry, revocation) and
 * carries out what that moment requires beyond the read-time check every surface
 * already makes: reindexing, warnings to legal and the owner, takedown notices to
 * partners who downloaded for a use no longer allowed, and takedown requests for
 * channels. Grant edits arrive as the `grantsChanged` signal and re-plan the timer.
 * Which changes were carried out is kept in the database (RightsChangeHandled), so a
 * change is handled once however often the plan is made, and an expiry moved into the
 * past is handled at once. Long-lived: it continues as new well before its history
 * grows large.
 *
 * Deterministic: the plan comes from an activity (which reads the grants and the
 * clock); the workflow only waits and hands each due change to another activity.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow'
import type { RightsActivities } from '../workers/activities/rights'

export type RightsChange = {
  /** ISO 8601 instant of the change. */
  at: string
  kind: 'start' | 'warn' | 'expiry' | 'revocation'
  grantId: string
}

export type RightsWindowInput = {
  assetId: string
  /** Plans made before continuing as new (default 200; tests use a small number). */
  plansPerRun?: number
}

export type RightsWindowState = {
  assetId: string
  /** When the grants were last planned (ISO 8601). */
  plannedAt: string | null
  next: RightsChange | null
  /** Changes handled by this run (since the last continue-as-new), newest last. */
  handled: RightsChange[]
}

export const grantsChangedSignal = defineSignal<[]>('grantsChanged')
export const rightsWindowQuery = defineQuery<RightsWindowState>('rightsWindow')

/** Plans handled per run before continuing as new (each is a handful of events). */
const PLANS_PER_RUN = 200

export async function rightsWindow({ assetId, plansPerRun = PLANS_PER_RUN }: RightsWindowInput): Promise<void> {
  const options = {
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  } as const
  // Local activities: plan and changes run inside the workflow task that needs them, so
  // a hundred windows closing at midnight cost the server one task each, not five.
  // Runs recorded before this change keep their queued activities.
  const { planRightsWindow, applyRightsChange } = patched('rights-window-local-activities')
    ? proxyLocalActivities<RightsActivities>(options)
    : proxyActivities<RightsActivities>(options)

  let replan = true
  let plannedAt: string | null = null
  let next: RightsChange | null = null
  const handled: RightsChange[] = []

  setHandler(grantsChangedSignal, () => {
    replan = true
  })
  setHandler(rightsWindowQuery, () => ({ assetId, plannedAt, next, handled: handled.slice(-50) }))

  for (let plans = 0; plans < plansPerRun && !workflowInfo().continueAsNewSuggested; plans++) {
    replan = false
    // Planned as of the workflow's clock, which timers follow (and tests can skip).
    const plan = await planRightsWindow({ assetId, at: new Date(Date.now()).toISOString() })
    if (plan.assetGone) return
    for (const change of plan.due) {
      await applyRightsChange({ assetId, change })
      handled.push(change)
    }
    plannedAt = plan.now
    next = plan.next
    if (next) {
      // From now, not from the plan: carrying out due changes may have taken a while.
      const waitMs = Math.max(1, Date.parse(next.at) - Date.now())
      await condition(() => replan, waitMs)
    } else {
      // Nothing scheduled: sleep until a grant changes.
      await condition(() => replan)
    }
  }

  await condition(allHandlersFinished)
  await continueAsNew<typeof rightsWindow>({ assetId, plansPerRun })
}
