import type { Client } from '@temporalio/client'
import { getDb } from '~/db.server'
import { signalDistributionsOfAsset } from '~/distribution/distribution-signals.server'
import { getEnv } from '~/env.server'
import { getTemporalClient } from '~/temporal.server'
import { grantsChangedSignal, rightsWindow } from '../../workflows/rights-window'

export function rightsWindowWorkflowId(assetId: string): string {
  return `rights-${assetId}`
}

export type NotifyRightsChangedOptions = {
  assetId: string
  /** Temporal client; the process-wide one by default. */
  client?: Client
  taskQueue?: string
}

/**
 * Tells the asset's rights-window workflow that its grants changed, starting the
 * workflow if it is not running (signal-with-start), so it re-plans its timers; and
 * its distributions, so a narrowed or revoked grant takes it off the channels it no
 * longer allows (and a widened one puts it on).
 * Call after the grant change has committed. Read paths never depend on this:
 * they evaluate the stored grants against the clock themselves.
 */
export async function notifyRightsChanged({ assetId, client, taskQueue }: NotifyRightsChangedOptions): Promise<void> {
  const temporal = client ?? (await getTemporalClient())
  await temporal.workflow.signalWithStart(rightsWindow, {
    workflowId: rightsWindowWorkflowId(assetId),
    taskQueue: taskQueue ?? getEnv().TEMPORAL_TASK_QUEUE,
    args: [{ assetId }],
    signal: grantsChangedSignal,
    signalArgs: [],
  })
  await signalDistributionsOfAsset(getDb(), { assetId, cause: { kind: 'rights_changed', actorId: null } }, { client: temporal, taskQueue })
}
