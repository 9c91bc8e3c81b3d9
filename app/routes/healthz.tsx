import { checkHealth } from '~/health.server'

/** Unauthenticated health check for load balancers and the admin page: 200 when every service answers, else 503. */
export async function loader() {
  const report = await checkHealth()
  return Response.json(report, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  })
}
