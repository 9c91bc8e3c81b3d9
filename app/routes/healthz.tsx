import type { LoaderFunctionArgs } from '@remix-run/node'
import { getCurrentUser } from '~/auth.server'
import { hasPermission } from '~/domain/roles'
import { checkHealth, withoutErrorDetails } from '~/health.server'

/**
 * Health check for load balancers and admins: 200 when every service answers, else 503
 * naming the failing ones. Anonymous callers get no error text (it names hosts and ports);
 * admins get it all.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const report = await checkHealth()
  const user = await getCurrentUser(request)
  const body = user && hasPermission(user.roles, 'admin:manage') ? report : withoutErrorDetails(report)
  return Response.json(body, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  })
}
