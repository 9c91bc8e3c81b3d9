import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { assertSameOrigin, requireAnonymous, signIn } from '~/auth.server'
import { homePathFor, safeRedirectPath } from '~/auth/redirect'
import { Wordmark } from '~/components/app-shell'
import { Button } from '~/components/ui/button'
import { Card } from '~/components/ui/card'
import { Field } from '~/components/ui/field'
import { getClientIp, getUserAgent, isHttpsRequest } from '~/request.server'

export const meta: MetaFunction = () => [{ title: 'Sign in · Damson' }]

const LoginSchema = z.object({
  email: z
    .string({ error: 'Enter your email address.' })
    .trim()
    .min(1, 'Enter your email address.')
    .max(254, 'That email address is too long.')
    .toLowerCase()
    .pipe(z.email('Enter a valid email address.')),
  password: z
    .string({ error: 'Enter your password.' })
    .min(1, 'Enter your password.')
    .max(1024, 'That password is too long.'),
  redirectTo: z.string().optional(),
})

type ActionData = {
  fieldErrors: { email?: string[]; password?: string[] }
  formError: string | null
  email: string
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request)
  const redirectTo = new URL(request.url).searchParams.get('redirectTo')
  return data({ redirectTo: redirectTo ? safeRedirectPath(redirectTo, '') : '' })
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request)
  const formData = await request.formData()
  const raw = Object.fromEntries(
    ['email', 'password', 'redirectTo'].map((name) => {
      const value = formData.get(name)
      return [name, typeof value === 'string' ? value : undefined]
    }),
  )
  const parsed = LoginSchema.safeParse(raw)
  if (!parsed.success) {
    const { fieldErrors } = z.flattenError(parsed.error)
    return data<ActionData>(
      { fieldErrors: { email: fieldErrors.email, password: fieldErrors.password }, formError: null, email: raw.email ?? '' },
      { status: 400 },
    )
  }

  const result = await signIn({
    email: parsed.data.email,
    password: parsed.data.password,
    ipAddress: getClientIp(request),
    userAgent: getUserAgent(request),
    secure: isHttpsRequest(request),
  })
  if (!result.ok) {
    return data<ActionData>(
      { fieldErrors: {}, formError: result.message, email: parsed.data.email },
      { status: result.status },
    )
  }
  const destination = safeRedirectPath(parsed.data.redirectTo, homePathFor(result.roles))
  return redirect(destination, { headers: { 'Set-Cookie': result.setCookie } })
}

export default function LoginPage() {
  const { redirectTo } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const submitting = navigation.state !== 'idle' && navigation.formAction?.startsWith('/login') === true

  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-gradient-to-b from-damson-50 via-zinc-50 to-zinc-50 px-4 py-12">
      <Wordmark size="lg" className="mb-8" />
      <Card className="w-full max-w-sm p-6 sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight text-zinc-900">Sign in</h1>
        <p className="mt-1 text-sm text-zinc-500">Use the email address your brand team invited.</p>

        {actionData?.formError ? (
          <div role="alert" className="mt-5 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {actionData.formError}
          </div>
        ) : null}

        <Form method="post" className="mt-6 space-y-4" noValidate>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            autoFocus
            required
            defaultValue={actionData?.email ?? ''}
            errors={actionData?.fieldErrors.email}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            errors={actionData?.fieldErrors.password}
          />
          <Button type="submit" className="w-full" disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </Button>
        </Form>
      </Card>
      <p className="mt-6 text-xs text-zinc-500">Damson brand portal</p>
    </div>
  )
}
