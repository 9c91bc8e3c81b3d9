/**
 * System health: each service is checked with real work (a query, an RPC, a search
 * round trip, an object put and read back), bounded by a timeout, and timed.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Client } from '@temporalio/client'
import type { Db } from '~/db.server'
import { getDb } from '~/db.server'
import { ASSETS_COLLECTION, getSearchClient } from '~/search.server'
import { getStorage, storageKeys, type Storage } from '~/storage.server'
import { getTemporalClient } from '~/temporal.server'

export const HEALTH_TIMEOUT_MS = 3_000

export type ServiceName = 'postgres' | 'temporal' | 'typesense' | 's3'
export type ServiceHealth = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; error: string }
/** What anyone may see: which services answer and how fast, not their error text (hosts, ports). */
export type PublicServiceHealth = { ok: boolean; latencyMs: number; error?: string }

export function withoutErrorDetails(report: HealthReport): HealthReport | (Omit<HealthReport, 'services'> & { services: Record<ServiceName, PublicServiceHealth> }) {
  const services = Object.fromEntries(
    Object.entries(report.services).map(([name, health]) => [name, health.ok ? health : { ok: false, latencyMs: health.latencyMs, error: 'unavailable' }]),
  ) as Record<ServiceName, PublicServiceHealth>
  return { ...report, services }
}

export type HealthReport = {
  status: 'ok' | 'degraded'
  checkedAt: string
  services: Record<ServiceName, ServiceHealth>
  /** The services that failed, by name (empty when all is well). */
  failing: ServiceName[]
}

type SearchClient = ReturnType<typeof getSearchClient>

export type HealthDependencies = {
  db: () => Db
  temporal: () => Promise<Client>
  search: () => SearchClient
  storage: () => Storage
}

const defaultDependencies: HealthDependencies = {
  db: getDb,
  temporal: getTemporalClient,
  search: getSearchClient,
  storage: getStorage,
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`)
    this.name = 'TimeoutError'
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error)
  return message.replace(/\s+/g, ' ').trim().slice(0, 300) || 'unknown error'
}

/** Runs one probe with an abort signal and a hard deadline, timing it. */
async function probe(timeoutMs: number, work: (signal: AbortSignal) => Promise<void>): Promise<ServiceHealth> {
  const started = performance.now()
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new TimeoutError(timeoutMs))
    }, timeoutMs)
  })
  try {
    await Promise.race([work(controller.signal), deadline])
    return { ok: true, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: describeError(error) }
  } finally {
    clearTimeout(timer)
  }
}

async function checkPostgres(db: Db): Promise<void> {
  const rows = await db.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`
  if (rows[0]?.ok !== 1) throw new Error('SELECT 1 returned an unexpected result')
}

async function checkTemporal(temporal: () => Promise<Client>, signal: AbortSignal): Promise<void> {
  const client = await temporal()
  signal.throwIfAborted()
  await client.connection.withAbortSignal(signal, () => client.connection.workflowService.getSystemInfo({}))
}

async function checkTypesense(search: SearchClient): Promise<void> {
  const health = await search.health.retrieve()
  if (!health.ok) throw new Error('Typesense /health reported not ok')
  // The collection every search needs must exist and answer.
  await search.collections(ASSETS_COLLECTION).retrieve()
}

async function checkS3(storage: Storage, signal: AbortSignal): Promise<void> {
  const key = storageKeys.healthProbe()
  const body = `damson health probe ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}`
  await storage.client.send(
    new PutObjectCommand({ Bucket: storage.bucket, Key: key, Body: body, ContentType: 'text/plain' }),
    { abortSignal: signal },
  )
  const result = await storage.client.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }), { abortSignal: signal })
  const readBack = await result.Body?.transformToString()
  // Another process may have written the probe in between; it must still be a probe.
  if (readBack !== body && !readBack?.startsWith('damson health probe ')) {
    throw new Error('the probe object read back differs from what was written')
  }
}

export async function checkHealth(
  dependencies: Partial<HealthDependencies> = {},
  { timeoutMs = HEALTH_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<HealthReport> {
  const deps = { ...defaultDependencies, ...dependencies }
  // Constructing a client reads the environment; a bad variable is that service's failure.
  const [postgres, temporal, typesense, s3] = await Promise.all([
    probe(timeoutMs, () => checkPostgres(deps.db())),
    probe(timeoutMs, (signal) => checkTemporal(deps.temporal, signal)),
    probe(timeoutMs, () => checkTypesense(deps.search())),
    probe(timeoutMs, (signal) => checkS3(deps.storage(), signal)),
  ])
  const services: Record<ServiceName, ServiceHealth> = { postgres, temporal, typesense, s3 }
  const failing = (Object.keys(services) as ServiceName[]).filter((name) => !services[name].ok)
  return { status: failing.length === 0 ? 'ok' : 'degraded', checkedAt: new Date().toISOString(), services, failing }
}
