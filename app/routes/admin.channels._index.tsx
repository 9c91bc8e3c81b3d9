/**
 * Distribution channels for admins and librarians: where approved assets are published
 * (an S3 bucket, a webhook, a folder), what each file is made into, which rights
 * channel the destination is, and which assets it takes by itself. Opens a channel's
 * editor; admins also reach the rights channels the destinations map to.
 *
 * GET: channel:manage (admin, librarian).
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { CHANNEL_KIND_LABELS } from '~/components/channels/channel-form'
import { ChannelStateCounts } from '~/components/distribution/state-badges'
import { Badge, buttonClasses, Card, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { listChannels } from '~/distribution/channels.server'
import { hasPermission } from '~/domain/roles'
import { handleAppErrors } from '~/http.server'

export const meta: MetaFunction = () => [{ title: 'Channels · Damson' }]

const NoticeQuerySchema = z.object({
  saved: z.string().max(64).optional().catch(undefined),
  created: z.literal('1').optional().catch(undefined),
  replan: z.enum(['started', 'deferred', 'not-needed']).optional().catch(undefined),
  preset: z.literal('changed').optional().catch(undefined),
})

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'channel:manage')
    const query = NoticeQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const channels = await listChannels({ db: getDb() })
    // The notice names the channel by looking it up, never by echoing the query string.
    const saved = query.saved ? channels.find((channel) => channel.id === query.saved) : undefined
    const notice = saved
      ? {
          channelId: saved.id,
          text: `${query.created ? 'Created' : 'Saved'} “${saved.name}”.`,
          deferred: query.replan === 'deferred',
          presetChanged: query.preset === 'changed' && saved.counts.live > 0,
        }
      : null
    return data(
      { channels, notice, canManageRightsChannels: hasPermission(user.roles, 'admin:manage') },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

function ChannelIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <rect x="3" y="4" width="7" height="7" rx="1.5" />
      <path d="M10 7.5h4m0 0-2-2m2 2-2 2" />
      <rect x="14" y="13" width="7" height="7" rx="1.5" />
      <path d="M6.5 11v5.5H14" />
    </svg>
  )
}

function scopeParts(scope: { folders: string[]; collections: string[]; tags: string[] }): { label: string; value: string; mono?: boolean }[] {
  return [
    ...scope.folders.map((folder) => ({ label: 'Folder', value: folder, mono: true })),
    ...scope.collections.map((collection) => ({ label: 'Collection', value: collection })),
    ...scope.tags.map((tag) => ({ label: 'Tag', value: tag })),
  ]
}

export default function ChannelsPage() {
  const { channels, notice, canManageRightsChannels } = useLoaderData<typeof loader>()

  return (
    <div>
      <PageHeader
        eyebrow="Administration"
        title="Channels"
        description="Where approved assets are published, in what form, and which of them go there by themselves. Each channel is one rights channel: an asset is live there only while its rights allow that channel."
        actions={
          <>
            {canManageRightsChannels ? (
              <Link to="/admin/rights-channels" className={buttonClasses({ variant: 'secondary' })}>
                Rights channels
              </Link>
            ) : null}
            <Link to="/admin/channels/new" className={buttonClasses()}>
              New channel
            </Link>
          </>
        }
      />

      {notice ? (
        <div role="status" className="mb-4 space-y-1 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          <p>{notice.text}</p>
          {notice.deferred ? (
            <p className="text-amber-900">
              The workflow service did not answer, so assets already on the channel catch up with the change at their next event (a new approval, a
              rights change, a publish or retry).
            </p>
          ) : null}
          {notice.presetChanged ? (
            <p>
              Files already live keep the old preset until you{' '}
              <Link to={`/distribution/channels/${notice.channelId}`} className="font-medium underline underline-offset-2">
                republish them from the channel’s page
              </Link>
              .
            </p>
          ) : null}
        </div>
      ) : null}

      {channels.length === 0 ? (
        <EmptyState
          icon={<ChannelIcon className="size-10" />}
          title="No channels yet"
          description="Add a channel to publish approved assets to a website bucket, a partner’s webhook or a folder, and to take them down when their rights end."
          action={
            <Link to="/admin/channels/new" className={buttonClasses()}>
              New channel
            </Link>
          }
        />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[56rem] text-left text-sm">
            <caption className="sr-only">Distribution channels by name</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2.5">
                  Channel
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Destination and preset
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Publishes
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Assets
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {channels.map((channel) => {
                const scope = scopeParts(channel.scope)
                return (
                  <tr key={channel.id} className="align-top hover:bg-zinc-50">
                    <td className="px-4 py-3">
                      <Link to={`/admin/channels/${channel.id}`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                        {channel.name}
                      </Link>
                      <div className="mt-1 flex flex-wrap gap-1.5">
                        <Badge>{CHANNEL_KIND_LABELS[channel.kind]}</Badge>
                        <Badge tone="info" title="The rights channel this destination is">
                          {channel.rightsChannel.label}
                        </Badge>
                        {channel.enabled ? null : <Badge tone="warning">Disabled</Badge>}
                      </div>
                    </td>
                    <td className="max-w-md px-4 py-3">
                      <div className="break-all font-mono text-xs text-zinc-700">{channel.destination}</div>
                      <div className="mt-1 text-xs text-zinc-500">{channel.preset}</div>
                    </td>
                    <td className="max-w-xs px-4 py-3">
                      {channel.autoPublish ? (
                        scope.length > 0 ? (
                          <>
                            <p className="mb-1 text-xs text-zinc-500">By itself, approved assets in:</p>
                            <ul className="flex flex-wrap gap-1.5">
                              {scope.map((part) => (
                                <li key={`${part.label}-${part.value}`}>
                                  <Badge title={part.value}>
                                    <span className="text-zinc-500">{part.label}</span>
                                    <span className={part.mono ? 'font-mono' : undefined}>{part.value}</span>
                                  </Badge>
                                </li>
                              ))}
                            </ul>
                          </>
                        ) : (
                          <p className="text-xs text-zinc-500">Nothing by itself (no scope yet); librarians publish by hand.</p>
                        )
                      ) : (
                        <p className="text-xs text-zinc-500">Only what a librarian publishes.</p>
                      )}
                    </td>
                    <td className="px-4 py-3">
                      <ChannelStateCounts counts={channel.counts} href={`/distribution/channels/${channel.id}`} />
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  )
}
