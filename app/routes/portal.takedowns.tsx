/**
 * Takedown notices addressed to the signed-in user: an asset they downloaded may no
 * longer be used the way they declared (its rights expired or were revoked). Each
 * says what, where and since when; the recipient acknowledges it here. Notifications
 * of kind takedown_notice link to this page.
 *
 * GET and POST intent=acknowledge: portal:browse (every role; only one's own notices).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { Badge, Button, buttonClasses, cn, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { acknowledgeTakedownNotice, AcknowledgeTakedownSchema, listTakedownNotices } from '~/rights/takedown-notices.server'

export const meta: MetaFunction = () => [{ title: 'Takedown notices · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'portal:browse')
    const list = await listTakedownNotices({ db: getDb(), userId: user.id })
    return data(list, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'portal:browse')
    const { noticeId } = AcknowledgeTakedownSchema.parse(Object.fromEntries(await request.formData()))
    await acknowledgeTakedownNotice({ db: getDb(), userId: user.id, noticeId })
    return redirect(`/portal/takedowns#notice-${noticeId}`, 303)
  })
}

/** Dates render the same on server and client: fixed locale, UTC, zone named. */
function formatWhen(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC'
}

function StopIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M8.5 3h7L21 8.5v7L15.5 21h-7L3 15.5v-7zM12 8v5M12 16h.01" />
    </svg>
  )
}

export default function Takedowns() {
  const { notices, openCount, truncated } = useLoaderData<typeof loader>()
  const navigation = useNavigation()
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST'

  return (
    <div className="mx-auto max-w-3xl">
      <nav aria-label="Breadcrumb" className="mb-5 text-sm text-zinc-500">
        <Link to="/portal" className="hover:text-zinc-800">
          Brand assets
        </Link>
        <span aria-hidden className="mx-2">
          /
        </span>
        <span className="text-zinc-800">Takedown notices</span>
      </nav>
      <PageHeader
        title="Takedown notices"
        description={
          openCount === 0
            ? 'Nothing needs your action.'
            : `${openCount} ${openCount === 1 ? 'notice needs' : 'notices need'} your action: remove the asset from the channels and territories listed, then acknowledge.`
        }
      />

      {notices.length === 0 ? (
        <EmptyState
          icon={<StopIcon className="size-10" />}
          title="No takedown notices"
          description="If the rights to an asset you downloaded end or are revoked, you are told here which uses must stop."
          action={
            <Link to="/portal" className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
              Back to brand assets
            </Link>
          }
        />
      ) : (
        <ul className="space-y-3">
          {notices.map((notice) => {
            const open = notice.acknowledgedAt === null
            return (
              <li
                key={notice.id}
                id={`notice-${notice.id}`}
                className={cn('rounded-xl border bg-white shadow-sm', open ? 'border-red-200' : 'border-zinc-200')}
              >
                <div className="flex flex-col gap-4 px-4 py-4 sm:flex-row sm:items-start sm:px-5">
                  <div className="min-w-0 flex-1">
                    <div className="flex flex-wrap items-center gap-2">
                      {open ? <Badge tone="danger">Action needed</Badge> : <Badge tone="neutral">Acknowledged</Badge>}
                      <span className="text-xs text-zinc-500">Sent {formatWhen(notice.sentAt)}</span>
                    </div>
                    <h2 className="mt-1.5 text-base font-semibold break-words text-zinc-900">
                      Stop using “{notice.assetTitle}”{notice.versionNumber !== null ? ` (version ${notice.versionNumber})` : ''}
                    </h2>
                    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                      <dt className="text-zinc-500">Channels</dt>
                      <dd className="text-zinc-900">{notice.channels.map((channel) => channel.label).join(', ')}</dd>
                      <dt className="text-zinc-500">Territories</dt>
                      <dd className="text-zinc-900">{notice.territories.map((territory) => territory.name).join(', ')}</dd>
                      <dt className="text-zinc-500">Since</dt>
                      <dd className="text-zinc-900">
                        <time dateTime={notice.effectiveAt}>{formatWhen(notice.effectiveAt)}</time>
                      </dd>
                      <dt className="text-zinc-500">Reason</dt>
                      <dd className="text-zinc-900">{notice.reason}</dd>
                    </dl>
                  </div>
                  <div className="shrink-0">
                    {open ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="acknowledge" />
                        <input type="hidden" name="noticeId" value={notice.id} />
                        <Button type="submit" size="sm" disabled={busy} aria-label={`Acknowledge: stop using ${notice.assetTitle}`}>
                          Acknowledge
                        </Button>
                      </Form>
                    ) : (
                      <p className="text-xs text-zinc-500">
                        Acknowledged
                        <br />
                        <time dateTime={notice.acknowledgedAt ?? undefined}>{formatWhen(notice.acknowledgedAt ?? notice.sentAt)}</time>
                      </p>
                    )}
                  </div>
                </div>
              </li>
            )
          })}
        </ul>
      )}
      {truncated ? <p className="mt-4 text-sm text-zinc-500">Showing the 200 most relevant notices.</p> : null}
    </div>
  )
}
