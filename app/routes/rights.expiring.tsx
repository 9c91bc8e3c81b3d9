/**
 * The expiring-soon board: rights changes coming up in the next 7, 30 or 90 days —
 * grants expiring, embargoes ending — with a timeline chart, filters by channel and
 * territory, and for legal one-click extend and revoke per row or for a selection.
 *
 * GET: admin, legal, librarian (librarians read only). POST: rights:edit (admin,
 * legal) — `intent` extend | revoke | bulk-extend | bulk-revoke.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission, requireRole } from '~/auth.server'
import { ExpiryTimeline, ExpiryTimelineLegend } from '~/components/rights/expiry-timeline'
import { controlClasses, controlState } from '~/components/rights/grant-fields'
import { GrantStateBadge } from '~/components/rights/grant-state-badge'
import { Badge, Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, EmptyState, Input, Label, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { territoryName } from '~/domain/territories'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'
import { BOARD_HORIZONS } from '~/rights/board-timeline'
import { extendGrants, revokeGrants } from '~/rights/bulk-grants.server'
import { BoardQuerySchema, getExpiringBoard, type BoardQuery } from '~/rights/expiring-board.server'
import { extendGrant, revokeGrant, TIMERS_DEFERRED_MESSAGE, type TimersOutcome } from '~/rights/grants.server'

export const meta: MetaFunction = () => [{ title: 'Expiring soon · Rights · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requireRole(request, 'admin', 'legal', 'librarian')
    const query: BoardQuery = BoardQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const board = await getExpiringBoard({ db: getDb(), query })
    return data({ ...board, canEdit: hasPermission(user.roles, 'rights:edit') }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)
const DaysSchema = z.coerce.number().int().min(1).max(3650)

type ActionAnswer = { ok: true; message: string; timers: string | null } | { ok: false; error: string; grantId: string | null }

function timersNote(timers: TimersOutcome | number): string | null {
  return timers === 'deferred' || (typeof timers === 'number' && timers > 0) ? TIMERS_DEFERRED_MESSAGE : null
}

function count(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`
}

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'rights:edit')
    const db = getDb()
    const audit = { actorId: user.id, ipAddress: getClientIp(request) }
    const form = await request.formData()
    const intent = String(form.get('intent') ?? '')
    // A single grant's row shows its own refusal; bulk refusals show above the list.
    const grantId = intent.startsWith('bulk-') ? null : (IdSchema.safeParse(form.get('grantId')).data ?? null)
    const answer = (body: ActionAnswer, status = 200) => data(body, { status })
    try {
      switch (intent) {
        case 'extend': {
          if (!grantId) return answer({ ok: false, error: 'Choose a grant.', grantId }, 400)
          const until = form.get('until')
          const days = DaysSchema.safeParse(form.get('days'))
          const extension = typeof until === 'string' && until ? { until } : days.success ? { days: days.data } : null
          if (!extension) return answer({ ok: false, error: 'Choose how far to extend the grant.', grantId }, 400)
          const result = await extendGrant({ db, grantId, extension, ...audit })
          return answer({ ok: true, message: 'Expiry extended.', timers: timersNote(result.timers) })
        }
        case 'revoke': {
          if (!grantId) return answer({ ok: false, error: 'Choose a grant.', grantId }, 400)
          const result = await revokeGrant({ db, grantId, reason: String(form.get('reason') ?? ''), ...audit })
          return answer({ ok: true, message: 'Grant revoked.', timers: timersNote(result.timers) })
        }
        case 'bulk-extend':
        case 'bulk-revoke': {
          const grantIds = form.getAll('grantId').filter((value): value is string => typeof value === 'string')
          const result =
            intent === 'bulk-extend'
              ? await extendGrants({ db, grantIds, days: DaysSchema.catch(30).parse(form.get('days')), ...audit })
              : await revokeGrants({ db, grantIds, reason: String(form.get('reason') ?? ''), ...audit })
          const verb = intent === 'bulk-extend' ? 'Extended' : 'Revoked'
          const skipped = result.skipped.length > 0 ? ` ${count(result.skipped.length, 'grant was', 'grants were')} left as they were (${result.skipped[0]?.message.replace(/\.$/, '')}${result.skipped.length > 1 ? ', …' : ''}).` : ''
          return answer({ ok: true, message: `${verb} ${count(result.changed, 'grant', 'grants')}.${skipped}`, timers: timersNote(result.timers.deferred) })
        }
        default:
          return answer({ ok: false, error: 'Unknown action.', grantId }, 400)
      }
    } catch (error) {
      if (isAppError(error) && error.code !== 'UNAVAILABLE') return answer({ ok: false, error: error.message, grantId }, error.status)
      throw error
    }
  })
}

// ───────────────────────────── page

function boardHref(query: { days: number; channel: string; territory: string }, days: number): string {
  const search = new URLSearchParams({ days: String(days) })
  if (query.channel) search.set('channel', query.channel)
  if (query.territory) search.set('territory', query.territory)
  return `/rights/expiring?${search.toString()}`
}

const summaryClasses =
  'inline-flex h-8 cursor-pointer list-none items-center rounded-md px-2.5 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 [&::-webkit-details-marker]:hidden'

export default function ExpiringBoardPage() {
  const { query, channels, changes, total, expiries, starts, timeline, canEdit } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const filtered = Boolean(query.channel || query.territory)
  const channelLabel = channels.find((channel) => channel.key === query.channel)?.label

  return (
    <div>
      <PageHeader
        eyebrow="Rights"
        title="Expiring soon"
        description="Grants that expire, and embargoes that end, in the days ahead. Times are shown in each grant's own zone; the chart counts by UTC day."
        actions={
          canEdit ? (
            <Link to="/rights/bulk" className={buttonClasses({ variant: 'secondary' })}>
              Set rights on many assets
            </Link>
          ) : null
        }
      />

      {answer?.ok ? (
        <div role="status" className="mb-4 space-y-1 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          <p>{answer.message}</p>
          {answer.timers ? <p className="text-amber-900">{answer.timers}</p> : null}
        </div>
      ) : null}
      {answer && !answer.ok ? (
        <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {answer.error}
        </p>
      ) : null}

      <div className="mb-5 flex flex-col gap-4 lg:flex-row lg:items-end lg:justify-between">
        <nav aria-label="Range" className="inline-flex rounded-lg bg-zinc-100 p-1">
          {BOARD_HORIZONS.map((days) => (
            <Link
              key={days}
              to={boardHref(query, days)}
              aria-current={query.days === days ? 'page' : undefined}
              className={cn(
                'rounded-md px-4 py-1.5 text-sm font-medium',
                query.days === days ? 'bg-white text-damson-700 shadow-sm' : 'text-zinc-600 hover:text-zinc-900',
              )}
            >
              Next {days} days
            </Link>
          ))}
        </nav>
        <Form method="get" className="flex flex-wrap items-end gap-3" role="search">
          <input type="hidden" name="days" value={query.days} />
          <div className="space-y-1.5">
            <Label htmlFor="board-channel">Channel</Label>
            <select id="board-channel" name="channel" defaultValue={query.channel} className={cn(controlClasses, 'h-10 w-44', controlState(false))}>
              <option value="">Any channel</option>
              {channels.map((channel) => (
                <option key={channel.key} value={channel.key}>
                  {channel.label}
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="board-territory">Territory</Label>
            <Input id="board-territory" name="territory" defaultValue={query.territory} placeholder="e.g. DE" maxLength={2} className="w-24 uppercase placeholder:normal-case" />
          </div>
          <Button type="submit" variant="secondary">
            Filter
          </Button>
          {filtered ? (
            <Link to={boardHref({ days: query.days, channel: '', territory: '' }, query.days)} className={buttonClasses({ variant: 'ghost' })}>
              Clear
            </Link>
          ) : null}
        </Form>
      </div>

      <Card className="mb-6">
        <CardHeader className="flex flex-wrap items-center justify-between gap-3">
          <div>
            <CardTitle>
              {count(total, 'change', 'changes')} in the next {query.days} days
            </CardTitle>
            <p className="mt-0.5 text-sm text-zinc-500">
              {count(expiries, 'expiry', 'expiries')}, {count(starts, 'embargo end', 'embargo ends')}
              {filtered
                ? ` · concerning ${[channelLabel ? `${channelLabel}` : null, query.territory ? territoryName(query.territory) : null].filter(Boolean).join(' in ')}`
                : ''}
            </p>
          </div>
          <ExpiryTimelineLegend />
        </CardHeader>
        <CardBody>
          <ExpiryTimeline timeline={timeline} title={`Rights changes per ${timeline.unit} over the next ${query.days} days`} />
        </CardBody>
      </Card>

      {changes.length === 0 ? (
        <EmptyState
          title="Nothing changes in this range"
          description={filtered ? 'No grant for this channel or territory expires or opens in the range. Try a longer range or clear the filters.' : 'No grant expires or opens in the range.'}
        />
      ) : (
        <Card className="overflow-x-auto">
          {canEdit ? (
            <Form
              id="board-bulk"
              method="post"
              className="flex flex-wrap items-end gap-3 border-b border-zinc-100 bg-zinc-50/70 px-4 py-3"
              aria-label="With the ticked grants"
            >
              <span className="self-center text-sm text-zinc-600">With the ticked grants:</span>
              <input type="hidden" name="days" value="30" />
              <Button type="submit" name="intent" value="bulk-extend" variant="secondary" size="sm" disabled={busy}>
                Extend 30 days
              </Button>
              <span className="flex items-end gap-2">
                <Input name="reason" placeholder="Reason for revoking" aria-label="Reason for revoking the ticked grants" className="h-8 w-64" maxLength={1000} />
                <Button type="submit" name="intent" value="bulk-revoke" variant="danger" size="sm" disabled={busy}>
                  Revoke
                </Button>
              </span>
            </Form>
          ) : null}
          <table className="w-full min-w-[64rem] text-left text-sm">
            <caption className="sr-only">Rights changes, soonest first</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                {canEdit ? (
                  <th scope="col" className="w-10 px-4 py-2.5">
                    <span className="sr-only">Tick</span>
                  </th>
                ) : null}
                <th scope="col" className="px-4 py-2.5">
                  When
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Asset
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Change
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Licence
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Covers
                </th>
                {canEdit ? (
                  <th scope="col" className="px-4 py-2.5">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {changes.map((change) => {
                const rowError = answer && !answer.ok && answer.grantId === change.grantId ? answer.error : null
                return (
                  <tr key={change.key} className="align-top hover:bg-zinc-50/60">
                    {canEdit ? (
                      <td className="px-4 py-3">
                        <input
                          type="checkbox"
                          form="board-bulk"
                          name="grantId"
                          value={change.grantId}
                          aria-label={`Tick the grant of ${change.asset.title}`}
                          className="size-4 rounded border-zinc-300"
                        />
                      </td>
                    ) : null}
                    <td className="whitespace-nowrap px-4 py-3">
                      <div className="font-medium text-zinc-900">{change.relative}</div>
                      <div className="text-xs text-zinc-500">{change.atText}</div>
                    </td>
                    <td className="max-w-52 px-4 py-3">
                      <Link to={`/library/assets/${change.asset.id}/rights#grant-${change.grantId}`} className="block truncate font-medium text-zinc-900 hover:text-damson-700">
                        {change.asset.title}
                      </Link>
                    </td>
                    <td className="px-4 py-3">
                      {change.kind === 'expiry' ? <Badge tone="danger">Expires</Badge> : <Badge tone="info">Embargo ends</Badge>}
                      <div className="mt-1">
                        <GrantStateBadge state={change.state} />
                      </div>
                    </td>
                    <td className="min-w-28 px-4 py-3 text-zinc-700">{change.licence}</td>
                    <td className="min-w-40 max-w-64 px-4 py-3 text-zinc-600">
                      <div>{change.channels.length > 0 ? change.channels.join(', ') : 'Every channel'}</div>
                      <div className="text-xs text-zinc-500">
                        {change.territories.length > 0 && !change.territories.includes('WW') ? change.territories.map(territoryName).join(', ') : 'Worldwide'}
                      </div>
                    </td>
                    {canEdit ? (
                      <td className="px-4 py-3">
                        <div className="flex items-start justify-end gap-1.5 whitespace-nowrap">
                          {change.canExtend ? (
                            <Form method="post" preventScrollReset>
                              <input type="hidden" name="intent" value="extend" />
                              <input type="hidden" name="grantId" value={change.grantId} />
                              <Button type="submit" name="days" value="30" variant="secondary" size="sm" disabled={busy}>
                                Extend 30 days
                              </Button>
                            </Form>
                          ) : null}
                        </div>
                        {/* Opens inside the cell (a floating panel would be clipped by the scrolling table). */}
                        <details className="mt-1.5 text-right" open={Boolean(rowError)}>
                          <summary className={summaryClasses}>{change.canExtend ? 'Extend to… / Revoke…' : 'Revoke…'}</summary>
                          <div className="mt-2 w-64 space-y-3 text-left">
                            {change.canExtend ? (
                              <Form method="post" preventScrollReset className="space-y-1.5 rounded-lg border border-zinc-200 bg-white p-3">
                                <input type="hidden" name="intent" value="extend" />
                                <input type="hidden" name="grantId" value={change.grantId} />
                                <Label htmlFor={`until-${change.key}`}>New expiry ({change.timeZone.replaceAll('_', ' ')})</Label>
                                <input
                                  id={`until-${change.key}`}
                                  type="datetime-local"
                                  name="until"
                                  required
                                  defaultValue={change.extendToDefault ?? undefined}
                                  className={cn(controlClasses, 'h-9', controlState(false))}
                                />
                                <Button type="submit" size="sm" disabled={busy}>
                                  Extend to this date
                                </Button>
                              </Form>
                            ) : null}
                            <Form method="post" preventScrollReset className="space-y-1.5 rounded-lg border border-red-200 bg-white p-3">
                              <input type="hidden" name="intent" value="revoke" />
                              <input type="hidden" name="grantId" value={change.grantId} />
                              <Label htmlFor={`reason-${change.key}`}>Why is it revoked?</Label>
                              <textarea
                                id={`reason-${change.key}`}
                                name="reason"
                                rows={2}
                                required
                                maxLength={1000}
                                className={cn(controlClasses, 'py-2', controlState(false))}
                              />
                              <Button type="submit" variant="danger" size="sm" disabled={busy}>
                                Revoke now
                              </Button>
                            </Form>
                          </div>
                        </details>
                        {rowError ? (
                          <p role="alert" className="mt-1 text-right text-xs text-red-700">
                            {rowError}
                          </p>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                )
              })}
            </tbody>
          </table>
          {total > changes.length ? (
            <p className="border-t border-zinc-100 px-4 py-3 text-sm text-zinc-500">
              Showing the first {changes.length} of {total}. Narrow the range or filter by channel or territory.
            </p>
          ) : null}
        </Card>
      )}
    </div>
  )
}
