import { beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

describe('healthz', () => {
  beforeAll(async () => {
    const { ensureSearchCollections } = await import('~/search.server')
    await ensureSearchCollections()
  })

  it('reports ok with a latency for each of the four services when all are up', async () => {
    const { checkHealth } = await import('~/health.server')
    const report = await checkHealth()
    expect(report.failing).toEqual([])
    expect(report.status).toBe('ok')
    for (const name of ['postgres', 'temporal', 'typesense', 's3'] as const) {
      const service = report.services[name]
      expect(service.ok, `${name}: ${service.ok ? '' : service.error}`).toBe(true)
      expect(service.latencyMs).toBeGreaterThanOrEqual(0)
      expect(service.latencyMs).toBeLessThan(3_000)
    }
  })

  it('answers through the route with 200, no-store and the same shape', async () => {
    const { loader } = await import('~/routes/healthz')
    const response = await loader({ request: new Request('http://localhost/healthz'), params: {}, context: {} })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const body = (await response.json()) as { status: string; services: Record<string, { ok: boolean; latencyMs: number }> }
    expect(body.status).toBe('ok')
    expect(Object.keys(body.services).sort()).toEqual(['postgres', 's3', 'temporal', 'typesense'])
  })

  it('hides error text from anonymous callers but still names the failing service', async () => {
    const { checkHealth, withoutErrorDetails } = await import('~/health.server')
    const { Storage } = await import('~/storage.server')
    const unreachable = new Storage({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      accessKeyId: 'x',
      secretAccessKey: 'y',
      bucket: 'damson',
      forcePathStyle: true,
    })
    const report = withoutErrorDetails(await checkHealth({ storage: () => unreachable }, { timeoutMs: 1_000 }))
    expect(report.failing).toEqual(['s3'])
    expect(report.services.s3).toMatchObject({ ok: false, error: 'unavailable' })
  })

  it('names the failing service with its error when one is down', async () => {
    const { checkHealth } = await import('~/health.server')
    const { Storage } = await import('~/storage.server')
    const unreachable = new Storage({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      accessKeyId: 'x',
      secretAccessKey: 'y',
      bucket: 'nowhere',
      forcePathStyle: true,
    })
    const report = await checkHealth({ storage: () => unreachable }, { timeoutMs: 1_500 })
    expect(report.status).toBe('degraded')
    expect(report.failing).toEqual(['s3'])
    const s3 = report.services.s3
    expect(s3.ok).toBe(false)
    if (!s3.ok) expect(s3.error.length).toBeGreaterThan(0)
    expect(report.services.postgres.ok).toBe(true)
  })
})
