/**
 * The Temporal Schedule that runs the `housekeeping` workflow every hour on the
 * orchestration task queue. The worker ensures it at start-up; an existing schedule
 * is left as it is (change or delete it with `temporal schedule` to alter it).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client'
import type { housekeeping } from '../workflows/housekeeping'

export const HOUSEKEEPING_SCHEDULE_ID = 'housekeeping'
export const HOUSEKEEPING_WORKFLOW_TYPE = 'housekeeping'
export const HOUSEKEEPING_INTERVAL = '1 hour'

export type EnsureHousekeepingScheduleOptions = {
  /** Another schedule id, for tests sharing a Temporal server (default `housekeeping`). */
  scheduleId?: string
}

/**
 * Creates the schedule unless one with its id exists. Returns whether it was created.
 * Overlap SKIP: a pass still running (e.g. no worker polling) makes the next ones skip,
 * not pile up.
 */
export async function ensureHousekeepingSchedule(
  client: Client,
  taskQueue: string,
  { scheduleId = HOUSEKEEPING_SCHEDULE_ID }: EnsureHousekeepingScheduleOptions = {},
): Promise<{ scheduleId: string; created: boolean }> {
  try {
    await client.schedule.create<typeof housekeeping>({
      scheduleId,
      spec: { intervals: [{ every: HOUSEKEEPING_INTERVAL }] },
      action: {
        type: 'startWorkflow',
        workflowType: HOUSEKEEPING_WORKFLOW_TYPE,
        // Each run's id is this plus the scheduled time, appended by the server.
        workflowId: scheduleId,
        taskQueue,
        args: [],
        // A pass is seconds of work; one stuck without a worker ends before the next is due.
        workflowExecutionTimeout: '50 minutes',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    })
    return { scheduleId, created: true }
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return { scheduleId, created: false }
    throw error
  }
}
