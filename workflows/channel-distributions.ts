/**
 * Asks every distribution of one channel to act (workflow id `channel-${channelId}-…`):
 * after the channel's settings change, or when a librarian republishes all its assets
 * after a preset change. A workflow rather than a loop in the web request, so a channel
 * of thousands of assets is signalled to the end even if the web server restarts.
 */
import { proxyActivities } from '@temporalio/workflow'
import type { ChannelBatchActivities } from '../workers/activities/distribution'
import type { DistributionCause } from './distribution'

export type ChannelDistributionsInput = { channelId: string; cause: DistributionCause }

export async function signalChannelDistributions({ channelId, cause }: ChannelDistributionsInput): Promise<number> {
  const { signalDistributionsOfChannel } = proxyActivities<ChannelBatchActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  })
  // Signals are idempotent in effect (each makes the workflow re-plan), so a retry may repeat them.
  return signalDistributionsOfChannel({ channelId, cause })
}
