/**
 * The distribution dashboard: publications and takedowns over the last 30 days (every
 * channel, or one), each channel at a glance (what is live, pending, failed, taken
 * down, and its latest publication), and the rights engine's takedown requests not
 * yet carried out.
 *
 * GET: distribution:view (admin, librarian, legal). `?channel=<id>` narrows the chart.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { CHANNEL_KIND_LABELS } from '~/components/channels/channel-form'
import { ActivityChart, ActivityChartLegend } from '~/components/distribution/activity-chart'
import { Badge, Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, EmptyState, Label, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { getDistributionDashboard } from '~/distribution/dashboard.server'
import { RecordIdSchema } from '~/distribution/distribution-requests.server'
import { STATE_GROUP_LABELS, STATE_GROUPS } from '~/distribution/state-groups'
import { hasPermission } from '~/domain/roles'
import { handleAppErrors } from '~/http.server'

export const meta: MetaFunction = () => [{ title: 'Distribution · Damson' }]

const QuerySchema = z.object({ channel: RecordIdSchema.optional().catch(undefined) })

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'distribution:view')
    const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const dashboard = await getDistributionDashboard({ db: getDb(), channelId: query.channel ?? null })
    return data({ ...dashboard, canManageChannels: hasPermission(user.roles, 'channel:manage') }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

function count(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`
}

const COUNT_CLASSES = {
  live: 'text-emerald-700',
  pending: 'text-sky-700',
  failed: 'text-red-700',
  takenDown: 'text-zinc-600',
} as const

export default function DistributionDashboard() {
  const { chart, chartChannel, channels, takedowns, canManageChannels } = useLoaderData<typeof loader>()
  const chartTitle = `Publications and takedowns per day over the last 30 days, ${chartChannel ? `on ${chartChannel.name}` : 'on every channel'}`

  return (
    <div>
      <PageHeader
        eyebrow="Distribution"
        title="Where approved assets are published"
        description="What went out and what was taken down, every channel at a glance, and takedowns the rights engine has asked for that have not happened yet."
        actions={
          canManageChannels ? (
            <Link to="/admin/channels" className={buttonClasses({ variant: 'secondary' })}>
              Manage channels
            </Link>
          ) : null
        }
      />

      <Card className="mb-6">
        <CardHeader className="flex flex-wrap items-end justify-between gap-3">
          <div>
            <CardTitle>Last 30 days{chartChannel ? ` on ${chartChannel.name}` : ''}</CardTitle>
            <p className="mt-0.5 text-sm text-zinc-500">
              {count(chart.totals.published, 'publication', 'publications')}, {count(chart.totals.removed, 'takedown', 'takedowns')},{' '}
              <span className={chart.totals.failed > 0 ? 'font-medium text-red-700' : undefined}>
                {count(chart.totals.failed, 'failed delivery', 'failed deliveries')}
              </span>
            </p>
          </div>
          <div className="flex flex-wrap items-end gap-4">
            <ActivityChartLegend />
            {channels.length > 1 ? (
              <Form method="get" className="flex items-end gap-2" role="search" aria-label="Narrow the chart">
                <div className="space-y-1">
                  <Label htmlFor="chart-channel" className="text-xs text-zinc-500">
                    Channel
                  </Label>
                  <select
                    id="chart-channel"
                    name="channel"
                    defaultValue={chartChannel?.id ?? ''}
                    className="block h-8 w-48 rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:ring-2 focus:ring-damson-100 focus:outline-none"
                  >
                    <option value="">Every channel</option>
                    {channels.map((channel) => (
                      <option key={channel.id} value={channel.id}>
                        {channel.name}
                      </option>
                    ))}
                  </select>
                </div>
                <Button type="submit" variant="secondary" size="sm">
                  Show
                </Button>
              </Form>
            ) : null}
          </div>
        </CardHeader>
        <CardBody>
          <ActivityChart chart={chart} title={chartTitle} />
        </CardBody>
      </Card>

      <section aria-labelledby="channels-heading" className="mb-6">
        <h2 id="channels-heading" className="mb-3 text-base font-semibold text-zinc-900">
          Channels
        </h2>
        {channels.length === 0 ? (
          <EmptyState
            title="No channels yet"
            description={
              canManageChannels
                ? 'Add a channel to publish approved assets to a bucket, a webhook or a folder.'
                : 'An admin or librarian adds the destinations approved assets are published to.'
            }
            action={
              canManageChannels ? (
                <Link to="/admin/channels/new" className={buttonClasses()}>
                  New channel
                </Link>
              ) : undefined
            }
          />
        ) : (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[60rem] text-left text-sm">
              <caption className="sr-only">Channels with their assets by state</caption>
              <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2.5">
                    Channel
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Destination and preset
                  </th>
                  {STATE_GROUPS.map((group) => (
                    <th key={group} scope="col" className="px-3 py-2.5 text-right">
                      {STATE_GROUP_LABELS[group]}
                    </th>
                  ))}
                  <th scope="col" className="px-4 py-2.5">
                    Last publication
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {channels.map((channel) => (
                  <tr key={channel.id} className="align-top hover:bg-zinc-50">
                    <td className="px-4 py-3">
                      <Link to={`/distribution/channels/${channel.id}`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                        {channel.name}
                      </Link>
                      <div className="mt-1 flex flex-wrap gap-1.5">
                        <Badge>{CHANNEL_KIND_LABELS[channel.kind]}</Badge>
                        <Badge tone="info">{channel.rightsChannel}</Badge>
                        {channel.enabled ? null : <Badge tone="warning">Disabled</Badge>}
                        {channel.autoPublish ? null : <Badge>By hand</Badge>}
                      </div>
                    </td>
                    <td className="max-w-sm px-4 py-3">
                      <div className="break-all font-mono text-xs text-zinc-700">{channel.destination}</div>
                      <div className="mt-1 text-xs text-zinc-500">{channel.preset}</div>
                    </td>
                    {STATE_GROUPS.map((group) => (
                      <td key={group} className="px-3 py-3 text-right tabular-nums">
                        {channel.counts[group] > 0 ? (
                          <Link to={`/distribution/channels/${channel.id}#${group}`} className={cn('font-semibold hover:underline', COUNT_CLASSES[group])}>
                            {channel.counts[group]}
                          </Link>
                        ) : (
                          <span className="text-zinc-300">0</span>
                        )}
                      </td>
                    ))}
                    <td className="px-4 py-3 text-zinc-600">
                      {channel.lastPublication ? (
                        <>
                          <Link to={`/library/assets/${channel.lastPublication.assetId}`} className="font-medium text-zinc-800 hover:text-damson-700 hover:underline">
                            {channel.lastPublication.assetTitle}
                          </Link>
                          <div className="text-xs text-zinc-500">{channel.lastPublication.at}</div>
                        </>
                      ) : (
                        <span className="text-zinc-400">Nothing yet</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </section>

      <section aria-labelledby="takedowns-heading">
        <h2 id="takedowns-heading" className="mb-1 text-base font-semibold text-zinc-900">
          Open takedown requests
        </h2>
        <p className="mb-3 text-sm text-zinc-500">
          Asked for by the rights engine when a grant ended or was revoked. Each is done once no channel of its rights channel has the asset
          live; they normally complete within seconds.
        </p>
        {takedowns.total === 0 ? (
          <p className="rounded-xl border border-dashed border-zinc-300 bg-white px-4 py-6 text-center text-sm text-zinc-500">
            None open: every takedown asked for has been carried out.
          </p>
        ) : (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[52rem] text-left text-sm">
              <caption className="sr-only">Open takedown requests, the oldest first</caption>
              <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-2.5">
                    Asset
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Rights channel
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Why
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Effective
                  </th>
                  <th scope="col" className="px-4 py-2.5">
                    Still live on
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {takedowns.requests.map((request) => (
                  <tr key={request.id} className="align-top">
                    <td className="px-4 py-3">
                      <Link to={`/library/assets/${request.assetId}#channels`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                        {request.assetTitle}
                      </Link>
                    </td>
                    <td className="px-4 py-3 text-zinc-700">{request.channel}</td>
                    <td className="max-w-xs px-4 py-3 text-zinc-700">{request.reason}</td>
                    <td className="whitespace-nowrap px-4 py-3">
                      <div className="text-zinc-800">{request.effectiveAt}</div>
                      {request.due ? <Badge tone="warning">Due</Badge> : <Badge tone="info">Scheduled</Badge>}
                    </td>
                    <td className="px-4 py-3">
                      {request.stillLiveOn.length > 0 ? (
                        <span className="font-medium text-red-700">{request.stillLiveOn.join(', ')}</span>
                      ) : request.noChannel ? (
                        <span className="text-zinc-500">{request.noChannel}</span>
                      ) : (
                        <span className="text-zinc-500">Nothing live; it completes when the channels next act</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {takedowns.total > takedowns.requests.length ? (
              <p className="border-t border-zinc-100 px-4 py-3 text-sm text-zinc-500">
                Showing the oldest {takedowns.requests.length} of {takedowns.total}.
              </p>
            ) : null}
          </Card>
        )}
      </section>
    </div>
  )
}
