import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { assertSameOrigin, signOut } from '~/auth.server'

export function loader() {
  return redirect('/')
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request)
  return redirect('/login', { headers: await signOut(request) })
}
