import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client'
import { getEnv } from '~/env.server'
import { getTemporalClient } from '~/temporal.server'
import { ingestVersion } from '../../workflows/ingest'

export type StartIngestOptions = {
  versionId: string
  assetId: string
  /** Temporal client; the process-wide one by default. */
  client?: Client
}

export type StartIngestResult = { workflowId: string; started: boolean }

export function ingestWorkflowId(versionId: string): string {
  return `ingest-${versionId}`
}

/**
 * Starts processing an uploaded version (its bytes in S3, its row in status
 * processing). Idempotent: the workflow id is the version's, so a second call,
 * even after the ingest finished, starts nothing and reports `started: false`.
 */
export async function startIngest({ versionId, assetId, client }: StartIngestOptions): Promise<StartIngestResult> {
  const env = getEnv()
  const temporal = client ?? (await getTemporalClient())
  const workflowId = ingestWorkflowId(versionId)
  try {
    await temporal.workflow.start(ingestVersion, {
      workflowId,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      args: [{ versionId, assetId, mediaTaskQueue: env.TEMPORAL_MEDIA_TASK_QUEUE }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    })
    return { workflowId, started: true }
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false }
    throw error
  }
}
