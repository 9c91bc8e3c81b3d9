import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { Badge, EmptyState, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { InboxTabSchema, decisionNotice, listReviewInbox } from '~/review/inbox.server'

export const meta: MetaFunction = () => [{ title: 'Review inbox · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'version:review')
    const url = new URL(request.url)
    const db = getDb()
    const tab = InboxTabSchema.parse(url.searchParams.get('tab') ?? 'mine')
    const [inbox, notice] = await Promise.all([
      listReviewInbox({ db, user: { id: user.id, roles: user.roles }, tab }),
      decisionNotice(db, user.viewer, url),
    ])
    return data({ inbox, notice }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

/** Fixed locale and zone so server and browser render the same text. */
function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC'
}

function InboxIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M4 13l2.5-7h11L20 13M4 13v6h16v-6M4 13h4.5l1 2h5l1-2H20" />
    </svg>
  )
}

export default function ReviewInbox() {
  const { inbox, notice } = useLoaderData<typeof loader>()
  const tabs = [
    { id: 'mine' as const, label: 'Mine', count: inbox.counts.mine },
    { id: 'all' as const, label: 'All open', count: inbox.counts.all },
  ]

  return (
    <div>
      <PageHeader
        title="Review inbox"
        description={
          inbox.tab === 'mine'
            ? 'Versions waiting for your decision at their current stage, most urgent first.'
            : inbox.seesEverything
              ? 'Every review in progress.'
              : 'Reviews in progress whose policy includes you at some stage.'
        }
      />

      {notice ? (
        <div role="status" className="mb-5 flex items-center gap-2 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          <svg viewBox="0 0 20 20" className="size-5 shrink-0 text-emerald-600" fill="none" stroke="currentColor" strokeWidth={2} aria-hidden>
            <path d="M5 10.5l3 3 7-7" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          {notice}
        </div>
      ) : null}

      <nav aria-label="Inbox views" className="mb-5 flex gap-1 border-b border-zinc-200">
        {tabs.map((tab) => (
          <Link
            key={tab.id}
            to={tab.id === 'mine' ? '/reviews' : '/reviews?tab=all'}
            aria-current={inbox.tab === tab.id ? 'page' : undefined}
            className={cn(
              '-mb-px flex items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium transition-colors',
              inbox.tab === tab.id
                ? 'border-damson-600 text-damson-700'
                : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800',
            )}
          >
            {tab.label}
            <span
              className={cn(
                'rounded-full px-2 py-0.5 text-xs',
                inbox.tab === tab.id ? 'bg-damson-100 text-damson-700' : 'bg-zinc-100 text-zinc-600',
              )}
            >
              {tab.count}
            </span>
          </Link>
        ))}
      </nav>

      {inbox.items.length === 0 ? (
        <EmptyState
          icon={<InboxIcon className="size-10" />}
          title={inbox.tab === 'mine' ? 'Nothing waiting for you' : 'No reviews in progress'}
          description={
            inbox.tab === 'mine'
              ? 'When a version reaches a stage where you are a reviewer, it shows up here.'
              : 'New uploads start a review as soon as their processing finishes.'
          }
        />
      ) : (
        <ul className="divide-y divide-zinc-100 overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-sm">
          {inbox.items.map((item) => (
            <li key={item.reviewId}>
              <Link
                to={`/reviews/${item.versionId}`}
                className="group flex items-center gap-4 px-4 py-3 transition-colors hover:bg-zinc-50 sm:px-5"
              >
                <div className="relative size-16 shrink-0 overflow-hidden rounded-lg border border-zinc-200 bg-zinc-100">
                  {item.thumbnailUrl ? (
                    <img src={item.thumbnailUrl} alt="" loading="lazy" decoding="async" className="h-full w-full object-cover" />
                  ) : (
                    <span className="flex h-full items-center justify-center text-xs text-zinc-400">{item.assetKind}</span>
                  )}
                </div>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <h2 className="truncate font-medium text-zinc-900 group-hover:text-damson-700">{item.assetTitle}</h2>
                    <Badge tone="neutral">v{item.versionNumber}</Badge>
                    {item.awaitingMe && inbox.tab === 'all' ? <Badge tone="accent">Waiting for you</Badge> : null}
                  </div>
                  <p className="mt-0.5 truncate text-sm text-zinc-500">
                    Uploaded by {item.uploadedBy} · {formatDateTime(item.uploadedAt)}
                  </p>
                  <p className="mt-0.5 truncate text-xs text-zinc-500">
                    Stage {item.stageIndex + 1} of {item.stageCount}: <span className="font-medium text-zinc-700">{item.stageName}</span>
                    {item.pendingReviewers.length > 0 ? <> · waiting on {item.pendingReviewers.join(', ')}</> : null}
                  </p>
                </div>
                <div className="shrink-0 text-right">
                  <Badge tone={item.overdue ? 'danger' : 'info'}>{item.dueLabel}</Badge>
                  <p className="mt-1 text-xs text-zinc-400">{formatDateTime(item.dueAt)}</p>
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
