/**
 * The Damson workers, run in this test process against the test stack's Temporal dev
 * server (on the task queues `useOwnTaskQueues` chose), with a client to start work.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing'
import type { WorkflowBundle } from '@temporalio/worker'
import type { Db } from '~/db.server'
import type { Env } from '~/env.server'
import type { Storage } from '~/storage.server'
import type { SearchClient } from '../../workers/activities/support'
import type { DamsonWorkers } from '../../workers/main'

export type InProcessWorkers = {
  testEnv: TestWorkflowEnvironment
  workflowBundle: WorkflowBundle
  workers: DamsonWorkers
  /** Drains the workers and closes the connection. */
  stop(): Promise<void>
}

export async function startInProcessWorkers({ env, db, storage, search }: { env: Env; db: Db; storage: Storage; search: SearchClient }): Promise<InProcessWorkers> {
  // Imported here, not at the top: tests set the stack's variables before anything reads them.
  const { bundleDamsonWorkflows, createDamsonWorkers } = await import('../../workers/main')
  const testEnv = await TestWorkflowEnvironment.createFromExistingServer({ address: env.TEMPORAL_ADDRESS })
  const workflowBundle = await bundleDamsonWorkflows()
  const workers = await createDamsonWorkers({
    connection: testEnv.nativeConnection,
    namespace: testEnv.namespace ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    mediaTaskQueue: env.TEMPORAL_MEDIA_TASK_QUEUE,
    db,
    storage,
    search,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
    workflowBundle,
  })
  const running = workers.run()
  await workers.ready()
  return {
    testEnv,
    workflowBundle,
    workers,
    async stop() {
      workers.shutdown()
      await running
      await testEnv.teardown()
    },
  }
}
