/**
 * The Damson worker process: one process, two workers.
 * - orchestration (TEMPORAL_TASK_QUEUE): the workflows and the short activities
 *   (index, review, promotion), with capped concurrency;
 * - media (TEMPORAL_MEDIA_TASK_QUEUE): sharp work only, two activities at a time.
 *
 * Run with `npx tsx workers/main.ts` (npm run worker). Prints one line containing
 * "worker ready" once both poll; SIGINT/SIGTERM drain and stop both.
 */
import { fileURLToPath } from 'node:url'
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type LogLevel, type WorkflowBundle } from '@temporalio/worker'
import { createDb, type Db } from '~/db.server'
import { getEnv } from '~/env.server'
import { createSearchClient, ensureSearchCollections } from '~/search.server'
import { createStorageFromEnv, type Storage } from '~/storage.server'
import { createIngestActivities } from './activities/ingest'
import { createReviewActivities } from './activities/review'
import type { SearchClient } from './activities/support'

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url))

/** Bundles the workflow code once (webpack); pass the result to every workflow worker. */
export function bundleDamsonWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger })
}

export type DamsonWorkerOptions = {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  mediaTaskQueue: string
  db: Db
  storage: Storage
  search: SearchClient
  maxImagePixels: number
  /** A prebuilt bundle (bundleDamsonWorkflows); bundled here when omitted. */
  workflowBundle?: WorkflowBundle
  /** Concurrent orchestration activities (default 20). */
  maxConcurrentOrchestrationActivities?: number
  /** Concurrent media activities (default 2: sharp is memory- and CPU-heavy). */
  maxConcurrentMediaActivities?: number
}

export type DamsonWorkers = {
  orchestration: Worker
  media: Worker
  /** Runs both until `shutdown()` (or a fatal error); rejects if either fails. */
  run(): Promise<void>
  /** Resolves once both workers poll. */
  ready(): Promise<void>
  /** Asks both to drain and stop; safe to call more than once. */
  shutdown(): void
}

export async function createDamsonWorkers(options: DamsonWorkerOptions): Promise<DamsonWorkers> {
  const { connection, namespace, db, storage, search, maxImagePixels } = options
  const ingest = createIngestActivities({ db, storage, search, maxImagePixels })
  const review = createReviewActivities({ db, search })

  const orchestration = await Worker.create({
    connection,
    namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleDamsonWorkflows()),
    activities: { indexAsset: ingest.indexAsset, markVersionFailed: ingest.markVersionFailed, ...review },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentOrchestrationActivities ?? 20,
    maxConcurrentWorkflowTaskExecutions: 20,
    shutdownGraceTime: '10 seconds',
  })
  const media = await Worker.create({
    connection,
    namespace,
    taskQueue: options.mediaTaskQueue,
    activities: { inspectOriginal: ingest.inspectOriginal, makeRenditions: ingest.makeRenditions },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentMediaActivities ?? 2,
    shutdownGraceTime: '30 seconds',
  })

  const workers = [orchestration, media]
  return {
    orchestration,
    media,
    run: async () => {
      await Promise.all(workers.map((worker) => worker.run()))
    },
    ready: async () => {
      while (!workers.every((worker) => worker.getState() === 'RUNNING')) {
        if (workers.some((worker) => ['FAILED', 'STOPPED'].includes(worker.getState()))) {
          throw new Error('A Damson worker stopped before it was ready')
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    shutdown: () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown()
    },
  }
}

async function main(): Promise<void> {
  const env = getEnv()
  // We handle the signals ourselves, to close the database and connection after draining.
  // Worker state changes at INFO drown out what matters; WORKER_LOG_LEVEL=INFO brings them back.
  const level = (process.env.WORKER_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger(level) })

  const search = createSearchClient(env.TYPESENSE_URL, env.TYPESENSE_API_KEY)
  await ensureSearchCollections(search)
  const db = createDb(env.DATABASE_URL)
  const storage = createStorageFromEnv(env)
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS })

  const workers = await createDamsonWorkers({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    mediaTaskQueue: env.TEMPORAL_MEDIA_TASK_QUEUE,
    db,
    storage,
    search,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
  })

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`Damson worker: ${signal} received, draining…`)
    workers.shutdown()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  const running = workers.run()
  await Promise.race([workers.ready(), running])
  console.log(
    `Damson worker ready: queues ${env.TEMPORAL_TASK_QUEUE} (workflows, orchestration) and ${env.TEMPORAL_MEDIA_TASK_QUEUE} (media) on ${env.TEMPORAL_ADDRESS}`,
  )

  try {
    await running
  } finally {
    await connection.close()
    await db.$disconnect()
  }
  console.log('Damson worker stopped')
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  })
}
