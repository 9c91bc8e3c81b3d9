/**
 * The download ledger of one asset, for brand staff: downloads per week, who
 * downloaded which version for which declared channel and territory and when, and
 * the takedown notices sent to them (acknowledged or not yet).
 *
 * A page of its own (`$assetId_`, like the rights page), not nested in the asset page:
 * the tables need the full width.
 *
 * GET: library:view-all (admin, librarian, reviewer, legal).
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { DownloadsPerWeekChart } from '~/components/portal/downloads-chart'
import { Badge, Card, CardBody, CardHeader, CardTitle, PageHeader, buttonClasses } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { getDownloadLedger } from '~/rights/download-ledger.server'

const ParamsSchema = z.object({ assetId: z.string().min(1).max(64) })

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `Downloads · ${loaded?.asset.title ?? 'Asset'} · Damson` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'library:view-all')
    const { assetId } = ParamsSchema.parse(params)
    const ledger = await getDownloadLedger({ db: getDb(), assetId })
    return data(ledger, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

/** Dates render the same on server and client: fixed locale, UTC, zone named. */
function formatWhen(iso: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`
}

function Person({ person }: { person: { name: string; email: string; organisationName: string | null } }) {
  return (
    <>
      <span className="block font-medium text-zinc-900">{person.name}</span>
      <span className="block text-xs text-zinc-500" title={person.email}>
        {person.organisationName ?? 'Brand staff'}
      </span>
    </>
  )
}

export default function AssetDownloads() {
  const ledger = useLoaderData<typeof loader>()
  const { asset, downloads, notices, perWeek, totalDownloads, truncated } = ledger
  const assetPath = `/library/assets/${encodeURIComponent(asset.id)}`
  const openNotices = notices.filter((notice) => notice.acknowledgedAt === null).length

  return (
    <div>
      <PageHeader
        eyebrow={
          <span>
            <Link to="/library" className="hover:text-zinc-800">
              Library
            </Link>
            <span className="mx-1.5 text-zinc-300">/</span>
            <Link to={assetPath} className="hover:text-zinc-800">
              {asset.title}
            </Link>
          </span>
        }
        title="Downloads"
        description="Every download with the channel and territory the person declared, and the takedown notices sent when rights ended."
        actions={
          <Link to={assetPath} className={buttonClasses({ variant: 'secondary' })}>
            Back to asset
          </Link>
        }
      />

      <div className="space-y-6">
        <Card>
          <CardHeader className="flex flex-wrap items-baseline justify-between gap-3">
            <CardTitle>Downloads per week</CardTitle>
            <span className="text-sm text-zinc-500">
              {totalDownloads} {totalDownloads === 1 ? 'download' : 'downloads'} in all
            </span>
          </CardHeader>
          <CardBody>
            <DownloadsPerWeekChart weeks={perWeek} />
          </CardBody>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Ledger</CardTitle>
          </CardHeader>
          {downloads.length === 0 ? (
            <CardBody>
              <p className="text-sm text-zinc-500">Nobody has downloaded this asset yet.</p>
            </CardBody>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full divide-y divide-zinc-200 text-sm">
                <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500">
                  <tr>
                    <th scope="col" className="px-5 py-2">When</th>
                    <th scope="col" className="px-5 py-2">Who</th>
                    <th scope="col" className="px-5 py-2">Version</th>
                    <th scope="col" className="px-5 py-2">Channel</th>
                    <th scope="col" className="px-5 py-2">Territory</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 bg-white">
                  {downloads.map((download) => (
                    <tr key={download.id}>
                      <td className="px-5 py-2.5 whitespace-nowrap text-zinc-700">
                        <time dateTime={download.at}>{formatWhen(download.at)}</time>
                      </td>
                      <td className="px-5 py-2.5">
                        <Person person={download.person} />
                      </td>
                      <td className="px-5 py-2.5 text-zinc-700">v{download.versionNumber}</td>
                      <td className="px-5 py-2.5 text-zinc-700">{download.channel.label}</td>
                      <td className="px-5 py-2.5 text-zinc-700">{download.territory.name}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {truncated ? (
            <p className="border-t border-zinc-100 px-5 py-3 text-xs text-zinc-500">
              Showing the latest {downloads.length} of {totalDownloads}.
            </p>
          ) : null}
        </Card>

        <Card>
          <CardHeader className="flex flex-wrap items-baseline justify-between gap-3">
            <CardTitle>Takedown notices</CardTitle>
            {notices.length > 0 ? (
              <span className="text-sm text-zinc-500">
                {openNotices === 0 ? 'All acknowledged' : `${openNotices} not acknowledged yet`}
              </span>
            ) : null}
          </CardHeader>
          {notices.length === 0 ? (
            <CardBody>
              <p className="text-sm text-zinc-500">None sent. Notices go out when rights expire or are revoked for a use someone declared.</p>
            </CardBody>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full divide-y divide-zinc-200 text-sm">
                <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500">
                  <tr>
                    <th scope="col" className="px-5 py-2">Sent to</th>
                    <th scope="col" className="px-5 py-2">Uses to stop</th>
                    <th scope="col" className="px-5 py-2">Sent</th>
                    <th scope="col" className="px-5 py-2">Acknowledged</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 bg-white">
                  {notices.map((notice) => (
                    <tr key={notice.id} className="align-top">
                      <td className="px-5 py-2.5">
                        <Person person={notice.person} />
                      </td>
                      <td className="px-5 py-2.5 text-zinc-700">
                        {notice.versionNumber !== null ? `v${notice.versionNumber}: ` : ''}
                        {notice.channels.join(', ')} in {notice.territories.join(', ')}
                        <span className="mt-0.5 block text-xs text-zinc-500">{notice.reason}</span>
                      </td>
                      <td className="px-5 py-2.5 whitespace-nowrap text-zinc-700">
                        <time dateTime={notice.sentAt}>{formatWhen(notice.sentAt)}</time>
                      </td>
                      <td className="px-5 py-2.5 whitespace-nowrap">
                        {notice.acknowledgedAt ? (
                          <time dateTime={notice.acknowledgedAt} className="text-zinc-700">
                            {formatWhen(notice.acknowledgedAt)}
                          </time>
                        ) : (
                          <Badge tone="warning">Not yet</Badge>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
    </div>
  )
}
