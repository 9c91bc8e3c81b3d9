/**
 * The library asset page's Channels card: for every channel, whether the asset is live,
 * pending, failed or taken down there, and why, in the words of the distribution rule;
 * with Publish now, Retry now and Unpublish for those who may (distribution:publish). The
 * buttons post to the asset page's action (`intent` publish | retry | unpublish, `channelId`).
 */
import { Form, Link } from '@remix-run/react'
import type { AssetDistribution } from '~/distribution/dashboard.server'
import { Badge, Button, Card, CardBody, CardHeader, CardTitle } from '~/components/ui'
import { DistributionStateBadge } from './state-badges'

export type ChannelPanelAnswer = { ok: boolean; message: string; deferred: boolean; channelId: string | null }

export function AssetChannelsPanel({
  distribution,
  canPublish,
  canManageChannels,
  answer,
  busy,
}: {
  distribution: AssetDistribution
  canPublish: boolean
  canManageChannels: boolean
  /** The last publish/unpublish answer, shown under its channel. */
  answer: ChannelPanelAnswer | null
  busy: boolean
}) {
  const { channels, openTakedowns } = distribution
  return (
    <Card id="channels" className="scroll-mt-20">
      <CardHeader className="flex items-center justify-between gap-3">
        <CardTitle>Channels</CardTitle>
        <Link to="/distribution" className="text-sm font-medium text-damson-700 hover:underline">
          Distribution <span aria-hidden>→</span>
        </Link>
      </CardHeader>
      {channels.length === 0 ? (
        <CardBody className="text-sm text-zinc-600">
          No channels yet.{' '}
          {canManageChannels ? (
            <Link to="/admin/channels/new" className="font-medium text-damson-700 hover:underline">
              Add one
            </Link>
          ) : null}
        </CardBody>
      ) : (
        <ul className="divide-y divide-zinc-100">
          {channels.map((channel) => {
            const message = answer && answer.channelId === channel.channelId ? answer : null
            return (
              <li key={channel.channelId} className="space-y-1.5 px-5 py-3 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <Link to={`/distribution/channels/${channel.channelId}`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                    {channel.channelName}
                  </Link>
                  <span className="flex flex-wrap items-center gap-1.5">
                    {channel.channelEnabled ? null : <Badge tone="warning">Disabled</Badge>}
                    <DistributionStateBadge group={channel.group} label={channel.stateLabel} />
                  </span>
                </div>
                {channel.liveVersionNumber !== null ? (
                  <p className="text-zinc-700">
                    Version {channel.liveVersionNumber} live{channel.publishedAt ? ` since ${channel.publishedAt}` : ''}
                    {channel.publishedBy ? `, published by ${channel.publishedBy}` : ''}.
                  </p>
                ) : null}
                <p className="text-zinc-600">{channel.why}</p>
                {channel.error ? (
                  <p className="rounded-md bg-red-50 px-2.5 py-1.5 text-red-800">
                    {channel.error}
                    <span className="block text-xs text-red-700/80">
                      {channel.failedAttempts} {channel.failedAttempts === 1 ? 'attempt' : 'attempts'}
                      {channel.lastAttemptAt ? `, the last ${channel.lastAttemptAt}` : ''}
                    </span>
                  </p>
                ) : null}
                {channel.removedAt ? (
                  <p className="text-xs text-zinc-500">
                    Taken down {channel.removedAt}
                    {channel.removalReason ? `: ${channel.removalReason}` : ''}
                  </p>
                ) : null}
                <p className="text-xs text-zinc-500">
                  {channel.rightsChannel} rights ·{' '}
                  {channel.waitsForLibrarian ? (channel.inScope ? 'In its scope; waits for a librarian' : 'Not in its scope; waits for a librarian') : 'In its scope; publishes by itself'}
                </p>
                {canPublish && (channel.canPublish || channel.canRetry || channel.canUnpublish) ? (
                  <Form method="post" preventScrollReset className="flex flex-wrap gap-2 pt-1">
                    <input type="hidden" name="channelId" value={channel.channelId} />
                    {channel.canPublish ? (
                      <Button type="submit" name="intent" value="publish" size="sm" variant="secondary" disabled={busy}>
                        Publish now<span className="sr-only"> to {channel.channelName}</span>
                      </Button>
                    ) : null}
                    {channel.canRetry ? (
                      <Button type="submit" name="intent" value="retry" size="sm" variant="secondary" disabled={busy}>
                        Retry now<span className="sr-only"> on {channel.channelName}</span>
                      </Button>
                    ) : null}
                    {channel.canUnpublish ? (
                      <Button type="submit" name="intent" value="unpublish" size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" disabled={busy}>
                        Unpublish<span className="sr-only"> from {channel.channelName}</span>
                      </Button>
                    ) : null}
                  </Form>
                ) : null}
                {message ? (
                  <p role={message.ok ? 'status' : 'alert'} className={message.ok ? (message.deferred ? 'text-amber-800' : 'text-emerald-700') : 'text-red-700'}>
                    {message.message}
                  </p>
                ) : null}
              </li>
            )
          })}
        </ul>
      )}
      {openTakedowns.length > 0 ? (
        <div className="border-t border-amber-100 bg-amber-50/60 px-5 py-3 text-sm">
          <p className="font-medium text-amber-900">Takedowns asked for by the rights engine, not yet done:</p>
          <ul className="mt-1 space-y-1 text-amber-900">
            {openTakedowns.map((request) => (
              <li key={request.id}>
                {request.channel}: {request.reason} <span className="text-xs text-amber-800/80">(from {request.effectiveAt})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  )
}
