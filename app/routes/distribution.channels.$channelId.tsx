/**
 * One channel's assets by state: live (with Unpublish), pending, failed (the error, the
 * attempts, Retry) and taken down (when and why). "Republish all" delivers everything
 * live again in the channel's current preset; its progress bar follows the records,
 * refreshing every 2 seconds until every asset is delivered, failed or taken down.
 *
 * GET: distribution:view (admin, librarian, legal). POST: distribution:publish (admin,
 * librarian), `intent` retry | unpublish (with `assetId`) | republish; each is audited
 * by the use case it calls.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRevalidator, useRouteError } from '@remix-run/react'
import { useEffect, type ReactNode } from 'react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { CHANNEL_KIND_LABELS } from '~/components/channels/channel-form'
import { ChannelStateCounts, DistributionStateBadge } from '~/components/distribution/state-badges'
import { Badge, Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { getChannelDistributions, type ChannelDistributionRow } from '~/distribution/dashboard.server'
import { RecordIdSchema, requestAssetOnChannel, requestRepublish } from '~/distribution/distribution-requests.server'
import { STATE_GROUP_LABELS, type StateGroup } from '~/distribution/state-groups'
import { hasPermission } from '~/domain/roles'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `${loaded?.channel.name ?? 'Channel'} · Distribution · Damson` }]

const ParamsSchema = z.object({ channelId: RecordIdSchema })

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'distribution:view')
    const { channelId } = ParamsSchema.parse(params)
    const detail = await getChannelDistributions({ db: getDb(), channelId })
    return data(
      { ...detail, canPublish: hasPermission(user.roles, 'distribution:publish'), canManage: hasPermission(user.roles, 'channel:manage') },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

const ActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('retry'), assetId: RecordIdSchema }),
  z.object({ intent: z.literal('unpublish'), assetId: RecordIdSchema }),
  z.object({ intent: z.literal('republish') }),
])

type ActionAnswer = { ok: true; message: string; deferred: boolean } | { ok: false; error: string }

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'distribution:publish')
    const { channelId } = ParamsSchema.parse(params)
    const form = ActionSchema.safeParse(Object.fromEntries(await request.formData()))
    const answer = (body: ActionAnswer, status = 200) => data(body, { status })
    if (!form.success) return answer({ ok: false, error: 'Choose an asset and an action from the list.' }, 400)
    const context = { db: getDb(), channelId, actorId: user.id, ipAddress: getClientIp(request) }
    try {
      const outcome =
        form.data.intent === 'republish'
          ? await requestRepublish(context)
          : await requestAssetOnChannel({ ...context, request: form.data.intent, assetId: form.data.assetId })
      return answer({ ok: true, ...outcome })
    } catch (error) {
      // Refusals (disabled channel, archived asset, …) are shown on the page; anything else goes to the error boundary.
      if (isAppError(error) && error.code !== 'UNAVAILABLE') return answer({ ok: false, error: error.message }, error.status)
      throw error
    }
  })
}

const POLL_MS = 2_000

function RepublishProgressBar({ progress }: { progress: { total: number; delivered: number; failed: number; removed: number; finished: boolean; requestedAt: string } }) {
  const { total, delivered, failed, removed } = progress
  // The counts are of records settled since the request, which can outnumber what was live
  // then (an asset that failed meanwhile): the bar is scaled to whichever is larger.
  const scale = Math.max(total, delivered + failed + removed)
  const share = (part: number) => (scale === 0 ? 0 : (part / scale) * 100)
  const settled = Math.min(total, delivered + failed + removed)
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-zinc-900">
          {progress.finished ? 'Republished' : 'Republishing…'} {settled} of {total}
        </span>
        <span className="text-xs text-zinc-500">Asked for {progress.requestedAt}</span>
      </div>
      <div
        role="progressbar"
        aria-label="Republishing"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={settled}
        aria-valuetext={`${delivered} delivered, ${failed} failed, ${removed} taken down, of ${total}`}
        className="flex h-3 overflow-hidden rounded-full bg-zinc-100"
      >
        <div className="bg-emerald-500 transition-all" style={{ width: `${share(delivered)}%` }} />
        <div className="bg-red-500 transition-all" style={{ width: `${share(failed)}%` }} />
        <div className="bg-zinc-400 transition-all" style={{ width: `${share(removed)}%` }} />
      </div>
      <ul className="flex flex-wrap gap-4 text-xs text-zinc-600">
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="size-2 rounded-full bg-emerald-500" /> {delivered} delivered
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="size-2 rounded-full bg-red-500" /> {failed} failed
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="size-2 rounded-full bg-zinc-400" /> {removed} taken down meanwhile
        </li>
      </ul>
    </div>
  )
}

function Section({ group, count, shown, description, children }: { group: StateGroup; count: number; shown: number; description: string; children: ReactNode }) {
  return (
    <Card id={group} className="scroll-mt-20">
      <CardHeader className="flex flex-wrap items-baseline justify-between gap-2">
        <CardTitle>
          {STATE_GROUP_LABELS[group]} <span className="font-normal text-zinc-500">({count})</span>
        </CardTitle>
        <p className="text-sm text-zinc-500">{description}</p>
      </CardHeader>
      {count === 0 ? <CardBody className="text-sm text-zinc-500">None.</CardBody> : children}
      {count > shown ? <p className="border-t border-zinc-100 px-5 py-3 text-sm text-zinc-500">Showing the latest {shown} of {count}.</p> : null}
    </Card>
  )
}

function AssetCell({ row }: { row: ChannelDistributionRow }) {
  return (
    <td className="px-4 py-3">
      <Link to={`/library/assets/${row.assetId}#channels`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
        {row.assetTitle}
      </Link>
      {row.versionNumber !== null ? <span className="ml-1.5 text-xs text-zinc-500">v{row.versionNumber}</span> : null}
    </td>
  )
}

function RowAction({ row, intent, label, busy, variant = 'secondary' }: { row: ChannelDistributionRow; intent: 'retry' | 'unpublish'; label: string; busy: boolean; variant?: 'secondary' | 'danger' }) {
  return (
    <Form method="post" preventScrollReset>
      <input type="hidden" name="assetId" value={row.assetId} />
      <Button type="submit" name="intent" value={intent} size="sm" variant={variant} disabled={busy}>
        {label}
        <span className="sr-only"> {row.assetTitle}</span>
      </Button>
    </Form>
  )
}

const headClasses = 'border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase'

export default function ChannelDistributionsPage() {
  const { channel, counts, groups, progress, canPublish, canManage } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const revalidator = useRevalidator()
  const polling = progress !== null && !progress.finished

  // While a republish is under way, re-read the records every 2 s (only when the page is idle).
  useEffect(() => {
    if (!polling) return
    const timer = setInterval(() => {
      if (revalidator.state === 'idle' && document.visibilityState === 'visible') revalidator.revalidate()
    }, POLL_MS)
    return () => clearInterval(timer)
  }, [polling, revalidator])

  return (
    <div>
      <PageHeader
        eyebrow={
          <nav aria-label="Breadcrumb">
            <Link to="/distribution" className="hover:text-zinc-800">
              Distribution
            </Link>
          </nav>
        }
        title={channel.name}
        description={`${CHANNEL_KIND_LABELS[channel.kind]} · ${channel.destination}`}
        actions={
          canManage ? (
            <Link to={`/admin/channels/${channel.id}`} className={buttonClasses({ variant: 'secondary' })}>
              Edit channel
            </Link>
          ) : null
        }
      />

      {/* Every answer shows here, not beside its row: the row usually moves to another section at once. */}
      {answer ? (
        answer.ok ? (
          <p role="status" className={`mb-4 rounded-md border px-4 py-3 text-sm ${answer.deferred ? 'border-amber-200 bg-amber-50 text-amber-900' : 'border-emerald-200 bg-emerald-50 text-emerald-800'}`}>
            {answer.message}
          </p>
        ) : (
          <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {answer.error}
          </p>
        )
      ) : null}

      <div className="mb-6 grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Channel</CardTitle>
          </CardHeader>
          <CardBody>
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <div>
                <dt className="text-zinc-500">Rights channel</dt>
                <dd className="text-zinc-900">{channel.rightsChannel}</dd>
              </div>
              <div>
                <dt className="text-zinc-500">Publishes</dt>
                <dd className="text-zinc-900">{channel.autoPublish ? 'By itself, assets in its scope' : 'Only what a librarian publishes'}</dd>
              </div>
              <div className="sm:col-span-2">
                <dt className="text-zinc-500">Each file is made into</dt>
                <dd className="text-zinc-900">{channel.preset}</dd>
              </div>
              <div className="sm:col-span-2">
                <dt className="text-zinc-500">Assets</dt>
                <dd>
                  <ChannelStateCounts counts={counts} href="" />
                </dd>
              </div>
            </dl>
            {channel.enabled ? null : (
              <p className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                This channel is disabled: nothing is published to it, and what was live is taken down.
              </p>
            )}
          </CardBody>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Republish all</CardTitle>
          </CardHeader>
          <CardBody className="space-y-4">
            <p className="text-sm text-zinc-600">Delivers every live asset again in the current preset: after the preset changed, or when the destination lost files.</p>
            {progress ? <RepublishProgressBar progress={progress} /> : null}
            {canPublish ? (
              <Form method="post" preventScrollReset>
                <Button type="submit" name="intent" value="republish" variant="secondary" disabled={busy || polling || !channel.enabled || counts.live === 0}>
                  {polling ? 'Republishing…' : 'Republish all'}
                </Button>
              </Form>
            ) : (
              <p className="text-xs text-zinc-500">Librarians and admins republish.</p>
            )}
          </CardBody>
        </Card>
      </div>

      <div className="space-y-6">
        <Section group="live" count={counts.live} shown={groups.live.length} description="At the destination now.">
          <div className="overflow-x-auto">
            <table className="w-full min-w-[44rem] text-left text-sm">
              <caption className="sr-only">Live assets, the latest published first</caption>
              <thead className={headClasses}>
                <tr>
                  <th scope="col" className="px-4 py-2.5">
                    Asset
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Published
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {groups.live.map((row) => {
                  return (
                    <tr key={row.assetId} className="align-top">
                      <AssetCell row={row} />
                      <td className="px-4 py-3 text-zinc-700">
                        {row.publishedAt ?? '—'}
                        {row.publishedBy ? <span className="text-zinc-500"> by {row.publishedBy}</span> : null}
                        {row.state === 'removing' ? (
                          <div className="mt-1">
                            <DistributionStateBadge group="live" label={row.stateLabel} />
                          </div>
                        ) : null}
                      </td>
                      <td className="px-4 py-3 text-right">
                        {canPublish && row.state === 'published' ? <RowAction row={row} intent="unpublish" label="Unpublish" busy={busy} /> : null}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </Section>

        <Section group="pending" count={counts.pending} shown={groups.pending.length} description="On their way out.">
          <ul className="divide-y divide-zinc-100">
            {groups.pending.map((row) => (
              <li key={row.assetId} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3 text-sm">
                <span>
                  <Link to={`/library/assets/${row.assetId}#channels`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                    {row.assetTitle}
                  </Link>
                  {row.versionNumber !== null ? <span className="ml-1.5 text-xs text-zinc-500">v{row.versionNumber}</span> : null}
                </span>
                <DistributionStateBadge group="pending" label={row.stateLabel} />
              </li>
            ))}
          </ul>
        </Section>

        <Section group="failed" count={counts.failed} shown={groups.failed.length} description="Retried by themselves with growing pauses; Retry tries now.">
          <div className="overflow-x-auto">
            <table className="w-full min-w-[52rem] text-left text-sm">
              <caption className="sr-only">Failed deliveries and takedowns, the latest attempt first</caption>
              <thead className={headClasses}>
                <tr>
                  <th scope="col" className="px-4 py-2.5">
                    Asset
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Error
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Attempts
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {groups.failed.map((row) => {
                  return (
                    <tr key={row.assetId} className="align-top">
                      <AssetCell row={row} />
                      <td className="max-w-md px-4 py-3">
                        <p className="break-words text-red-800">{row.error ?? 'No error was recorded.'}</p>
                        {row.live ? <p className="mt-1 text-xs text-zinc-500">The previous version is still live there.</p> : null}
                      </td>
                      <td className="whitespace-nowrap px-4 py-3 text-zinc-700">
                        <span className="font-medium">{row.failedAttempts}</span>
                        {row.lastAttemptAt ? <div className="text-xs text-zinc-500">last {row.lastAttemptAt}</div> : null}
                      </td>
                      <td className="px-4 py-3 text-right">
                        {canPublish ? (
                          <div className="flex justify-end gap-2">
                            <RowAction row={row} intent="retry" label="Retry" busy={busy} />
                            {row.live ? <RowAction row={row} intent="unpublish" label="Unpublish" busy={busy} /> : null}
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </Section>

        <Section group="takenDown" count={counts.takenDown} shown={groups.takenDown.length} description="Removed from the destination, and why.">
          <div className="overflow-x-auto">
            <table className="w-full min-w-[44rem] text-left text-sm">
              <caption className="sr-only">Taken-down assets, the latest first</caption>
              <thead className={headClasses}>
                <tr>
                  <th scope="col" className="px-4 py-2.5">
                    Asset
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Taken down
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Why
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {groups.takenDown.map((row) => (
                  <tr key={row.assetId} className="align-top">
                    <AssetCell row={row} />
                    <td className="whitespace-nowrap px-4 py-3 text-zinc-700">{row.removedAt ?? 'Never went out'}</td>
                    <td className="px-4 py-3 text-zinc-700">
                      {row.removalReason ?? '—'}
                      {row.held ? (
                        <Badge className="ml-2" tone="warning">
                          Held
                        </Badge>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      </div>
    </div>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const copy =
    status === 404
      ? { title: 'Channel not found', body: 'There is no such channel, or it was removed.' }
      : status === 403
        ? { title: 'No access', body: 'You do not have access to distribution.' }
        : { title: 'Something went wrong', body: 'We could not load this channel. Try again in a moment.' }
  return (
    <div className="mx-auto w-full max-w-3xl py-8">
      <EmptyState
        title={copy.title}
        description={copy.body}
        action={
          <Link to="/distribution" className={buttonClasses({ variant: 'secondary' })}>
            Back to distribution
          </Link>
        }
      />
    </div>
  )
}
