import { Form } from '@remix-run/react'
import { Button, Field } from '~/components/ui'
import { ShareFrame } from './share-frame'

/**
 * The password gate of a protected link. A plain document post (reloadDocument):
 * the unlock cookie is scoped to the link's path, which Remix's `.data` requests
 * would not match.
 */
export function SharePasswordForm({ error }: { error: string | null }) {
  return (
    <ShareFrame width="narrow">
      <div className="rounded-xl border border-zinc-200 bg-white px-6 py-8 shadow-sm">
        <div className="mb-5 flex items-center gap-3">
          <span className="grid size-10 shrink-0 place-items-center rounded-full bg-damson-50 text-damson-700">
            <svg viewBox="0 0 24 24" aria-hidden className="size-5" fill="none" stroke="currentColor" strokeWidth="1.8">
              <rect x="5" y="11" width="14" height="9" rx="2" />
              <path d="M8 11V8a4 4 0 018 0v3" strokeLinecap="round" />
            </svg>
          </span>
          <div>
            <h1 className="text-lg font-semibold text-zinc-900">This link is protected</h1>
            <p className="text-sm text-zinc-600">Enter the password you were given with it.</p>
          </div>
        </div>
        <Form method="post" reloadDocument className="space-y-4">
          <input type="hidden" name="intent" value="unlock" />
          <Field label="Password" name="password" type="password" autoComplete="off" required autoFocus errors={error} />
          <Button type="submit" className="w-full">
            Open
          </Button>
        </Form>
      </div>
    </ShareFrame>
  )
}
