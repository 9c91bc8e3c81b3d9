import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { formatDateTime } from '~/components/review/format'
import { Badge, EmptyState, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { InboxTabSchema, decisionNotice, listReviewInbox, type InboxTab } from '~/review/inbox.server'

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

function InboxIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M4 13l2.5-7h11L20 13M4 13v6h16v-6M4 13h4.5l1 2h5l1-2H20" />
    </svg>
  )
}

const TABS: { id: InboxTab; label: string; empty: { title: string; description: string } }[] = [
  {
    id: 'mine',
    label: 'Mine',
    empty: { title: 'Nothing waiting for you', description: 'When a version reaches a stage where you are a reviewer, it shows up here.' },
  },
  {
    id: 'due-soon',
    label: 'Due soon',
    empty: { title: 'Nothing due in the next 24 hours', description: 'Reviews whose current stage is due within a day show up here.' },
  },
  {
    id: 'overdue',
    label: 'Overdue',
    empty: { title: 'Nothing overdue', description: 'Every review in progress is within its due time.' },
  },
  {
    id: 'all',
    label: 'All in review',
    empty: { title: 'No reviews in progress', description: 'New uploads start a review as soon as their processing finishes.' },
  },
]

const TAB_DESCRIPTION: Record<InboxTab, string> = {
  mine: 'Versions waiting for your decision at their current stage, most urgent first.',
  'due-soon': 'Reviews whose current stage is due within 24 hours.',
  overdue: 'Reviews whose current stage is past its due time.',
  all: 'Every review in progress, most urgent first.',
}

function tabHref(tab: InboxTab): string {
  return tab === 'mine' ? '/reviews' : `/reviews?tab=${tab}`
}

export default function ReviewInbox() {
  const { inbox, notice } = useLoaderData<typeof loader>()
  const active = TABS.find((tab) => tab.id === inbox.tab) ?? TABS[0]!

  return (
    <div>
      <PageHeader
        title="Review inbox"
        description={inbox.tab === 'all' && !inbox.seesEverything ? 'Reviews in progress whose policy includes you at some stage.' : TAB_DESCRIPTION[inbox.tab]}
      />

      {notice ? (
        <div role="status" className="mb-5 flex items-center gap-2 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          <svg viewBox="0 0 20 20" className="size-5 shrink-0 text-emerald-600" fill="none" stroke="currentColor" strokeWidth={2} aria-hidden>
            <path d="M5 10.5l3 3 7-7" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          {notice}
        </div>
      ) : null}

      <nav aria-label="Inbox views" className="mb-5 flex gap-1 overflow-x-auto border-b border-zinc-200">
        {TABS.map((tab) => {
          const current = inbox.tab === tab.id
          const count = inbox.counts[tab.id]
          const alarming = tab.id === 'overdue' && count > 0
          return (
            <Link
              key={tab.id}
              to={tabHref(tab.id)}
              aria-current={current ? 'page' : undefined}
              className={cn(
                '-mb-px flex shrink-0 items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap transition-colors',
                current ? 'border-damson-600 text-damson-700' : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800',
              )}
            >
              {tab.label}
              <span
                className={cn(
                  'rounded-full px-2 py-0.5 text-xs',
                  alarming ? 'bg-red-100 text-red-700' : current ? 'bg-damson-100 text-damson-700' : 'bg-zinc-100 text-zinc-600',
                )}
              >
                {count}
                <span className="sr-only"> {count === 1 ? 'review' : 'reviews'}</span>
              </span>
            </Link>
          )
        })}
      </nav>

      {inbox.items.length === 0 ? (
        <EmptyState icon={<InboxIcon className="size-10" />} title={active.empty.title} description={active.empty.description} />
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
                    {item.awaitingMe && inbox.tab !== 'mine' ? <Badge tone="accent">Waiting for you</Badge> : null}
                  </div>
                  <p className="mt-0.5 truncate text-sm text-zinc-600">
                    <span className="sr-only">Stage </span>
                    {item.stageIndex + 1} of {item.stageCount} · <span className="font-medium text-zinc-800">{item.stageName}</span>
                    {item.policyName !== item.stageName ? <span className="text-zinc-400"> · {item.policyName}</span> : null}
                  </p>
                  <p className="mt-0.5 truncate text-xs text-zinc-500">
                    {item.pendingReviewers.length > 0 ? <>Waiting on {item.pendingReviewers.join(', ')}</> : 'Settling'}
                    {' · '}uploaded by {item.uploadedBy} {formatDateTime(item.uploadedAt)}
                  </p>
                </div>
                <div className="shrink-0 text-right">
                  <Badge tone={item.overdue ? 'danger' : item.dueSoon ? 'warning' : 'info'}>{item.dueLabel}</Badge>
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
