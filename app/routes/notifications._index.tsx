/**
 * The signed-in user's notifications (every role). Opening one is a POST that marks
 * it read and then redirects to its link, which is only ever an in-app path.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { requireUser } from '~/auth.server'
import { BellIcon } from '~/components/notifications/bell-link'
import { NotificationKindIcon, notificationKindLabel } from '~/components/notifications/notification-kind'
import { Button, buttonClasses, EmptyState, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { handleAppErrors } from '~/http.server'
import {
  applyNotificationAction,
  listNotifications,
  NotificationActionSchema,
  NotificationListQuerySchema,
  type NotificationFilter,
} from '~/notifications/inbox.server'

export const meta: MetaFunction = () => [{ title: 'Notifications · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requireUser(request)
    const query = NotificationListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const page = await listNotifications({ db: getDb(), userId: user.id, filter: query.filter, page: query.page })
    // Admins reach the email outbox from here (the main nav has no admin section yet).
    return data({ ...page, canSeeOutbox: hasPermission(user.roles, 'admin:manage') }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requireUser(request)
    const requested = NotificationActionSchema.parse(Object.fromEntries(await request.formData()))
    const { redirectTo } = await applyNotificationAction({ db: getDb(), userId: user.id, action: requested })
    // Back to the same view (filter and page ride along in the form's URL) unless the notice opens somewhere.
    const query = NotificationListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    return redirect(redirectTo ?? listHref(query.filter, requested.intent === 'mark-all-read' ? 1 : query.page))
  })
}

function listHref(filter: NotificationFilter, page: number): string {
  const params = new URLSearchParams()
  if (filter !== 'all') params.set('filter', filter)
  if (page > 1) params.set('page', String(page))
  const search = params.toString()
  return search ? `/notifications?${search}` : '/notifications'
}

export default function Notifications() {
  const { items, filter, page, pageCount, total, unreadCount, canSeeOutbox } = useLoaderData<typeof loader>()
  const navigation = useNavigation()
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST'
  const tabs = [
    { id: 'all' as const, label: 'All' },
    { id: 'unread' as const, label: 'Unread', count: unreadCount },
  ]

  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        title="Notifications"
        description={
          unreadCount === 0 ? 'You are all caught up.' : `${unreadCount} unread ${unreadCount === 1 ? 'notification' : 'notifications'}.`
        }
        actions={
          <Form method="post">
            <input type="hidden" name="intent" value="mark-all-read" />
            <Button type="submit" variant="secondary" size="sm" disabled={unreadCount === 0 || busy}>
              Mark all as read
            </Button>
          </Form>
        }
      />

      <nav aria-label="Notification views" className="mb-5 flex gap-1 border-b border-zinc-200">
        {tabs.map((tab) => (
          <Link
            key={tab.id}
            to={listHref(tab.id, 1)}
            aria-current={filter === tab.id ? 'page' : undefined}
            className={cn(
              '-mb-px flex items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium transition-colors',
              filter === tab.id ? 'border-damson-600 text-damson-700' : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800',
            )}
          >
            {tab.label}
            {tab.count !== undefined ? (
              <span className={cn('rounded-full px-2 py-0.5 text-xs', filter === tab.id ? 'bg-damson-100 text-damson-700' : 'bg-zinc-100 text-zinc-600')}>
                {tab.count}
              </span>
            ) : null}
          </Link>
        ))}
      </nav>

      {items.length === 0 ? (
        <EmptyState
          icon={<BellIcon className="size-10" />}
          title={filter === 'unread' && total === 0 ? 'No unread notifications' : page > 1 ? 'No notifications on this page' : 'No notifications yet'}
          description={
            page > 1
              ? 'This page is past the end of the list.'
              : 'When something needs you, such as a review waiting for your decision or a decision on your upload, it shows up here and is emailed to you.'
          }
          action={
            page > 1 || filter === 'unread' ? (
              <Link to={listHref('all', 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Show all notifications
              </Link>
            ) : null
          }
        />
      ) : (
        <ul className="divide-y divide-zinc-100 overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-sm">
          {items.map((item) => (
            <li key={item.id} className={cn('relative flex gap-3 px-4 py-4 sm:px-5', item.read ? 'bg-white' : 'bg-damson-50/50')}>
              {item.read ? null : <span aria-hidden className="absolute inset-y-0 left-0 w-1 bg-damson-500" />}
              <NotificationKindIcon kind={item.kind} className="mt-0.5" />
              <div className="min-w-0 flex-1 sm:flex sm:items-start sm:gap-4">
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
                    <span className="text-xs font-medium text-zinc-500">{notificationKindLabel(item.kind)}</span>
                    <span aria-hidden className="text-xs text-zinc-300">
                      ·
                    </span>
                    <time dateTime={item.createdAt} title={item.createdAt} className="text-xs text-zinc-500">
                      {item.ago}
                    </time>
                    {item.read ? null : <span className="sr-only">Unread.</span>}
                  </div>
                  <h2 className={cn('mt-0.5 text-sm text-zinc-900', item.read ? 'font-medium' : 'font-semibold')}>
                    {item.link ? (
                      <Form method="post" className="inline">
                        <input type="hidden" name="intent" value="open" />
                        <input type="hidden" name="notificationId" value={item.id} />
                        <button type="submit" className="text-left hover:text-damson-700 hover:underline focus-visible:underline">
                          {item.title}
                        </button>
                      </Form>
                    ) : (
                      item.title
                    )}
                  </h2>
                  {item.body ? <p className="mt-1 text-sm whitespace-pre-line text-zinc-600">{item.body}</p> : null}
                </div>
                {/* Below the text on phones, a right-hand column from sm up; "Open" stays at the edge. */}
                {item.read && !item.link ? null : (
                  <div className="mt-3 flex shrink-0 items-center gap-2 sm:mt-0">
                    {item.read ? null : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="mark-read" />
                        <input type="hidden" name="notificationId" value={item.id} />
                        <Button type="submit" variant="ghost" size="sm" disabled={busy} aria-label={`Mark as read: ${item.title}`}>
                          Mark read
                        </Button>
                      </Form>
                    )}
                    {item.link ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="open" />
                        <input type="hidden" name="notificationId" value={item.id} />
                        <Button type="submit" variant="secondary" size="sm" aria-label={`Open: ${item.title}`}>
                          Open
                        </Button>
                      </Form>
                    ) : null}
                  </div>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}

      {pageCount > 1 ? (
        <nav aria-label="Pages" className="mt-5 flex items-center justify-between text-sm text-zinc-600">
          <span>
            Page {page} of {pageCount}
          </span>
          <div className="flex gap-2">
            {page > 1 ? (
              <Link to={listHref(filter, page - 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Newer
              </Link>
            ) : null}
            {page < pageCount ? (
              <Link to={listHref(filter, page + 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Older
              </Link>
            ) : null}
          </div>
        </nav>
      ) : null}

      {canSeeOutbox ? (
        <p className="mt-6 text-sm text-zinc-500">
          Every notification is also emailed.{' '}
          <Link to="/admin/outbox" className="font-medium text-damson-700 hover:underline">
            See the email outbox
          </Link>
        </p>
      ) : null}
    </div>
  )
}
