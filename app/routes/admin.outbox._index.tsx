/**
 * The email outbox for admins: every message Damson has written, newest first,
 * with its delivery state; "Retry now" makes a queued or failed message due at once.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { EmailStatusBadge, formatOutboxTime } from '~/components/notifications/email-status'
import { SmtpNotice } from '~/components/notifications/smtp-notice'
import { Button, buttonClasses, Card, EmptyState, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { handleAppErrors } from '~/http.server'
import { describeSmtp, listOutbox, OutboxActionSchema, OutboxQuerySchema, retryEmailMessage, type OutboxQuery, type OutboxRow } from '~/notifications/outbox.server'

export const meta: MetaFunction = () => [{ title: 'Email outbox · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const query = OutboxQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const outbox = await listOutbox({ db: getDb(), query })
    return data({ ...outbox, smtp: describeSmtp(getEnv().SMTP_URL) }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const { messageId } = OutboxActionSchema.parse(Object.fromEntries(await request.formData()))
    await retryEmailMessage({ db: getDb(), messageId })
    const query = OutboxQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    return redirect(outboxHref(query.status, query.page))
  })
}

const FILTERS = [
  { status: undefined, label: 'All' },
  { status: 'queued', label: 'Queued' },
  { status: 'failed', label: 'Failed' },
  { status: 'sent', label: 'Sent' },
] as const satisfies readonly { status: OutboxQuery['status']; label: string }[]

function outboxHref(status: OutboxQuery['status'], page: number): string {
  const params = new URLSearchParams()
  if (status) params.set('status', status)
  if (page > 1) params.set('page', String(page))
  const search = params.toString()
  return search ? `/admin/outbox?${search}` : '/admin/outbox'
}

function MailIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M3.5 6.5h17v11h-17z" />
      <path d="m4 7 8 6 8-6" />
    </svg>
  )
}

function DeliveryTime({ row, smtpConfigured }: { row: OutboxRow; smtpConfigured: boolean }) {
  if (row.sentAt) return <>{formatOutboxTime(row.sentAt)}</>
  if (row.status === 'failed') return <span className="text-red-700">Gave up</span>
  if (row.due) return <span className="text-zinc-500">{smtpConfigured ? 'Due now' : 'Waiting for SMTP'}</span>
  return <span className="text-zinc-500">Next try {formatOutboxTime(row.nextAttemptAt)}</span>
}

export default function EmailOutbox() {
  const { rows, total, pageCount, query, counts, smtp } = useLoaderData<typeof loader>()

  return (
    <div>
      <PageHeader
        eyebrow="Administration"
        title="Email outbox"
        description="Every email Damson writes is kept here with its delivery state, newest first."
      />

      <SmtpNotice smtp={smtp} queued={counts.queued} />

      <nav aria-label="Filter by status" className="mb-5 flex gap-1 border-b border-zinc-200">
        {FILTERS.map((filter) => {
          const current = query.status === filter.status
          return (
            <Link
              key={filter.label}
              to={outboxHref(filter.status, 1)}
              aria-current={current ? 'page' : undefined}
              className={cn(
                '-mb-px flex items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium transition-colors',
                current ? 'border-damson-600 text-damson-700' : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800',
              )}
            >
              {filter.label}
              <span className={cn('rounded-full px-2 py-0.5 text-xs', current ? 'bg-damson-100 text-damson-700' : 'bg-zinc-100 text-zinc-600')}>
                {counts[filter.status ?? 'all']}
              </span>
            </Link>
          )
        })}
      </nav>

      {rows.length === 0 ? (
        <EmptyState
          icon={<MailIcon className="size-10" />}
          title={query.status ? `No ${query.status} messages` : 'The outbox is empty'}
          description="Review requests, reminders and decisions are emailed to the people they concern; each message appears here."
        />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[56rem] text-left text-sm">
            <caption className="sr-only">
              Email messages{query.status ? ` with status ${query.status}` : ''}, newest first ({total})
            </caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2.5">To</th>
                <th scope="col" className="px-4 py-2.5">Subject</th>
                <th scope="col" className="px-4 py-2.5">Status</th>
                <th scope="col" className="px-4 py-2.5 text-right">Attempts</th>
                <th scope="col" className="px-4 py-2.5">Created</th>
                <th scope="col" className="px-4 py-2.5">Delivery</th>
                <th scope="col" className="px-4 py-2.5">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {rows.map((row) => (
                <tr key={row.id} className="align-top">
                  <td className="px-4 py-3">
                    <div className="font-medium text-zinc-900">{row.toName ?? row.toAddress}</div>
                    {row.toName ? <div className="text-xs text-zinc-500">{row.toAddress}</div> : null}
                  </td>
                  <td className="max-w-xs px-4 py-3">
                    <Link to={`/admin/outbox/${row.id}`} className="font-medium text-damson-700 hover:underline">
                      {row.subject}
                    </Link>
                    {row.lastError ? (
                      <p className="mt-1 line-clamp-2 text-xs break-words text-red-700" title={row.lastError}>
                        {row.lastError}
                      </p>
                    ) : null}
                  </td>
                  <td className="px-4 py-3">
                    <EmailStatusBadge status={row.status} />
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">{row.attempts}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-zinc-600">{formatOutboxTime(row.createdAt)}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-zinc-600">
                    <DeliveryTime row={row} smtpConfigured={smtp.configured} />
                  </td>
                  <td className="px-4 py-3 text-right">
                    {!row.retryable ? null : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="retry" />
                        <input type="hidden" name="messageId" value={row.id} />
                        <Button
                          type="submit"
                          variant="secondary"
                          size="sm"
                          className="whitespace-nowrap"
                          aria-label={`Retry now: ${row.subject} to ${row.toAddress}`}
                        >
                          Retry now
                        </Button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}

      {pageCount > 1 ? (
        <nav aria-label="Pages" className="mt-5 flex items-center justify-between text-sm text-zinc-600">
          <span>
            Page {query.page} of {pageCount}
          </span>
          <div className="flex gap-2">
            {query.page > 1 ? (
              <Link to={outboxHref(query.status, query.page - 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Newer
              </Link>
            ) : null}
            {query.page < pageCount ? (
              <Link to={outboxHref(query.status, query.page + 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Older
              </Link>
            ) : null}
          </div>
        </nav>
      ) : null}
    </div>
  )
}
