/**
 * The Damson worker process: one process, three workers.
 * - orchestration (TEMPORAL_TASK_QUEUE): the workflows and the short activities
 *   (index, review, promotion), with capped concurrency;
 * - media (TEMPORAL_MEDIA_TASK_QUEUE): sharp, ffmpeg, mupdf, ExifTool and tesseract work, two activities at a time;
 * - distribution (`<TEMPORAL_TASK_QUEUE>-distribution`): the distribution workflows and
 *   their deliveries and takedowns, with slots of their own so other bursts never delay them.
 * With SMTP_URL set it also sends the email outbox (workers/email-outbox.ts).
 *
 * Run with `npx tsx workers/main.ts` (npm run worker). Loads the prebuilt workflow bundle
 * (build/workflows/bundle.js, from `npx tsx scripts/build-workflows.ts`) when it matches the
 * sources, else bundles in-process and says why. Prints one line containing
 * "worker ready" once all poll; SIGINT/SIGTERM drain and stop them.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkflowBundleOption } from '@temporalio/worker'
import { createDb, type Db } from '~/db.server'
import { endExifTool } from '~/media/exiftool.server'
import { getEnv } from '~/env.server'
import { createSearchClient, ensureSearchCollections } from '~/search.server'
import { createStorageFromEnv, type Storage } from '~/storage.server'
import { distributionTaskQueueFor } from '~/distribution/distribution-signals.server'
import { createChannelBatchActivities, createDistributionActivities, createMediaDistributionActivities } from './activities/distribution'
import { createDescribeActivities } from './activities/describe'
import { createHousekeepingActivities } from './activities/housekeeping'
import { createIngestActivities } from './activities/ingest'
import { createReviewActivities } from './activities/review'
import { createRightsActivities } from './activities/rights'
import type { SearchClient } from './activities/support'
import { startEmailOutbox } from './email-outbox'
import { ensureHousekeepingSchedule } from './housekeeping-schedule'
import { bundleDamsonWorkflows, checkPrebuiltWorkflowBundle } from './workflow-bundle'

// Tests bundle once (webpack) and pass the result to every workflow worker they create.
export { bundleDamsonWorkflows, WORKFLOWS_PATH } from './workflow-bundle'

export type DamsonWorkerOptions = {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  mediaTaskQueue: string
  db: Db
  storage: Storage
  search: SearchClient
  maxImagePixels: number
  /** A bundle (bundleDamsonWorkflows) or a prebuilt one on disk (`{ codePath }`); bundled here when omitted. */
  workflowBundle?: WorkflowBundleOption
  /** Concurrent orchestration activities (default 20). */
  maxConcurrentOrchestrationActivities?: number
  /** Concurrent media activities (default 2: sharp is memory- and CPU-heavy). */
  maxConcurrentMediaActivities?: number
  /** Concurrent distribution activities (default 20: deliveries wait on the network). */
  maxConcurrentDistributionActivities?: number
}

export type DamsonWorkers = {
  orchestration: Worker
  media: Worker
  distribution: Worker
  /** Runs all until `shutdown()` (or a fatal error); rejects if any fails. */
  run(): Promise<void>
  /** Resolves once every worker polls. */
  ready(): Promise<void>
  /** Asks every worker to drain and stop; safe to call more than once. */
  shutdown(): void
}

export async function createDamsonWorkers(options: DamsonWorkerOptions): Promise<DamsonWorkers> {
  const { connection, namespace, db, storage, search, maxImagePixels } = options
  const ingest = createIngestActivities({ db, storage, search, maxImagePixels })
  const describe = createDescribeActivities({ db, storage })
  const review = createReviewActivities({ db, search })
  const housekeeping = createHousekeepingActivities({ db, taskQueue: options.taskQueue })
  const rights = createRightsActivities({ db, search })
  const distribution = createDistributionActivities({ db, storage, maxImagePixels })
  const channelBatch = createChannelBatchActivities({ db, signalOptions: { taskQueue: options.taskQueue, mediaTaskQueue: options.mediaTaskQueue } })
  const mediaDistribution = createMediaDistributionActivities({ db, storage, maxImagePixels })
  const orchestrationBundle = options.workflowBundle ?? (await bundleDamsonWorkflows())

  const orchestration = await Worker.create({
    connection,
    namespace,
    taskQueue: options.taskQueue,
    workflowBundle: orchestrationBundle,
    activities: {
      indexAsset: ingest.indexAsset,
      markVersionFailed: ingest.markVersionFailed,
      checkMetadataComplete: describe.checkMetadataComplete,
      ...review,
      ...rights,
      ...housekeeping,
      ...channelBatch,
    },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentOrchestrationActivities ?? 20,
    maxConcurrentWorkflowTaskExecutions: 20,
    shutdownGraceTime: '10 seconds',
  })
  const media = await Worker.create({
    connection,
    namespace,
    taskQueue: options.mediaTaskQueue,
    activities: {
      inspectOriginal: ingest.inspectOriginal,
      makeRenditions: ingest.makeRenditions,
      describeVersion: describe.describeVersion,
      ...mediaDistribution,
    },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentMediaActivities ?? 2,
    shutdownGraceTime: '30 seconds',
  })

  // Distribution: its workflows and their quick activities, with slots of their own. The
  // plan (and with it a takedown) is a local activity and holds a workflow slot while it
  // runs, hence many slots: a burst of expiries runs side by side.
  const distributionWorker = await Worker.create({
    connection,
    namespace,
    taskQueue: distributionTaskQueueFor(options.taskQueue),
    workflowBundle: orchestrationBundle,
    activities: distribution,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentDistributionActivities ?? 20,
    maxConcurrentWorkflowTaskExecutions: 100,
    // Expiries arrive in bursts (every asset whose grant ends at midnight): pollers scale with the backlog.
    workflowTaskPollerBehavior: { type: 'autoscaling' },
    activityTaskPollerBehavior: { type: 'autoscaling' },
    shutdownGraceTime: '10 seconds',
  })

  const workers = [orchestration, media, distributionWorker]
  return {
    orchestration,
    media,
    distribution: distributionWorker,
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
  // Three workers' activities (up to 42 at once) share this pool; pg's default of 10 would queue them.
  const db = createDb(env.DATABASE_URL, { poolSize: 30 })
  const storage = createStorageFromEnv(env)
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS })

  const workers = await createDamsonWorkers({
    workflowBundle: await loadWorkflowBundle(),
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
  // Hourly housekeeping (old sign-in attempts, expired sessions); an existing schedule is kept.
  // Not fatal: the worker's real job goes on, and the next start tries again.
  await ensureHousekeepingSchedule(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), env.TEMPORAL_TASK_QUEUE).catch(
    (error: unknown) => console.warn(`Damson worker: could not ensure the housekeeping schedule: ${String(error)}`),
  )
  // Emails leave the outbox only with SMTP configured; otherwise admins read them at /admin/outbox.
  const outbox = env.SMTP_URL ? startEmailOutbox({ db, smtpUrl: env.SMTP_URL, from: env.EMAIL_FROM }) : null
  console.log(outbox ? 'Damson worker: sending queued emails through SMTP' : 'Damson worker: SMTP_URL not set; emails stay in the outbox')
  console.log(
    `Damson worker ready: queues ${env.TEMPORAL_TASK_QUEUE} (workflows, orchestration), ${distributionTaskQueueFor(env.TEMPORAL_TASK_QUEUE)} (distribution) and ${env.TEMPORAL_MEDIA_TASK_QUEUE} (media) on ${env.TEMPORAL_ADDRESS}`,
  )

  try {
    await running
  } finally {
    await outbox?.stop()
    await endExifTool()
    await connection.close()
    await db.$disconnect()
  }
  console.log('Damson worker stopped')
}

/**
 * The prebuilt bundle when it matches the sources; otherwise webpack, in this process.
 * WORKER_BUNDLE=in-process skips the prebuilt one (scripts/bench/worker-start.mjs compares the two).
 */
async function loadWorkflowBundle(): Promise<WorkflowBundleOption> {
  const prebuilt = checkPrebuiltWorkflowBundle()
  const forceInProcess = process.env.WORKER_BUNDLE === 'in-process'
  if (prebuilt.status === 'current' && !forceInProcess) {
    console.log(`Damson worker: loaded prebuilt workflow bundle ${path.relative(process.cwd(), prebuilt.codePath)} (built ${prebuilt.manifest.builtAt})`)
    return { codePath: prebuilt.codePath }
  }
  const started = Date.now()
  const why = prebuilt.status === 'current' ? 'skipped (WORKER_BUNDLE=in-process)' : `${prebuilt.status}: ${prebuilt.reason}`
  console.log(`Damson worker: prebuilt workflow bundle ${why}; bundling workflows in-process…`)
  const bundle = await bundleDamsonWorkflows()
  console.log(`Damson worker: workflows bundled in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return bundle
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  })
}
