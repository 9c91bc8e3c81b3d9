import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { getCurrentUserWithHeaders } from '~/auth.server'
import { homePathFor } from '~/auth/redirect'

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getCurrentUserWithHeaders(request)
  return redirect(user ? homePathFor(user.roles) : '/login', { headers })
}
