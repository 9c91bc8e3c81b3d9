import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, isRouteErrorResponse, useLoaderData, useRouteError } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { Badge, Card, CardBody, EmptyState, buttonClasses } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { getPortalAsset } from '~/portal/browse.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded ? `${loaded.asset.title} · Damson` : 'Asset not found · Damson' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'portal:browse')
    const asset = await getPortalAsset({ db: getDb(), viewer: user.viewer, assetId: params.assetId ?? '' })
    return data({ asset }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

const KIND_LABEL: Record<string, string> = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  design: 'Design file',
  other: 'File',
}

const LICENCE_LABEL: Record<string, string> = {
  owned: 'Owned by the brand',
  royalty_free: 'Royalty free',
  rights_managed: 'Rights managed',
  editorial_only: 'Editorial use only',
  creative_commons: 'Creative Commons',
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`
}

function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000)
  const minutes = Math.floor(total / 60)
  const seconds = String(total % 60).padStart(2, '0')
  return `${minutes}:${seconds}`
}

/** Dates render the same on server and client: fixed locale and zone. */
function formatDate(iso: string, timeZone = 'UTC'): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone }).format(new Date(iso))
  } catch {
    return iso.slice(0, 10)
  }
}

function fileType(mediaType: string, filename: string): string {
  const extension = filename.includes('.') ? filename.split('.').pop()?.toUpperCase() : undefined
  return extension ? `${extension} · ${mediaType}` : mediaType
}

function DownloadIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.75} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M10 3v10m0 0l-4-4m4 4l4-4M4 15v2h12v-2" />
    </svg>
  )
}

export default function PortalAsset() {
  const { asset } = useLoaderData<typeof loader>()
  const { version, rights } = asset
  const aspect = version.previewWidth && version.previewHeight ? `${version.previewWidth} / ${version.previewHeight}` : '4 / 3'

  const details: { term: string; value: string }[] = [
    { term: 'Type', value: KIND_LABEL[asset.kind] ?? asset.kind },
    ...(version.width && version.height ? [{ term: 'Dimensions', value: `${version.width} × ${version.height} px` }] : []),
    ...(version.durationMs ? [{ term: 'Duration', value: formatDuration(version.durationMs) }] : []),
    ...(version.pages ? [{ term: 'Pages', value: String(version.pages) }] : []),
    { term: 'File size', value: formatBytes(version.bytes) },
    { term: 'Format', value: fileType(version.mediaType, version.originalFilename) },
    { term: 'Version', value: `v${version.number}` },
    ...(version.approvedAt ? [{ term: 'Approved', value: formatDate(version.approvedAt) }] : []),
  ]

  return (
    <div>
      <nav aria-label="Breadcrumb" className="mb-5 text-sm text-zinc-500">
        <Link to="/portal" className="hover:text-zinc-800">
          Brand assets
        </Link>
        <span aria-hidden className="mx-2">
          /
        </span>
        <span className="text-zinc-800">{asset.title}</span>
      </nav>

      {!asset.isApproved ? (
        <div role="status" className="mb-5 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          This asset has no approved version yet, so partners cannot see it. You are looking at v{version.number} (
          {version.status.replace('_', ' ')}) as brand staff.
        </div>
      ) : null}

      <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex min-h-[14rem] items-center sm:min-h-[20rem] justify-center overflow-hidden rounded-2xl border border-zinc-200 bg-zinc-100 bg-[linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%),linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%)] bg-[length:20px_20px] bg-[position:0_0,10px_10px] p-4 sm:p-8">
          {version.previewUrl ? (
            <img
              src={version.previewUrl}
              alt={asset.title}
              width={version.previewWidth ?? undefined}
              height={version.previewHeight ?? undefined}
              style={{ aspectRatio: aspect }}
              className="max-h-[70vh] w-auto max-w-full rounded-md object-contain shadow-lg"
            />
          ) : (
            <p className="text-sm text-zinc-500">No preview is available for this file. Download the original to view it.</p>
          )}
        </div>

        <aside className="space-y-5">
          <div>
            <div className="mb-2 flex flex-wrap items-center gap-2">
              <Badge tone="neutral">{KIND_LABEL[asset.kind] ?? asset.kind}</Badge>
              {asset.isApproved ? <Badge tone="success">Approved</Badge> : <Badge tone="warning">Not approved</Badge>}
            </div>
            <h1 className="text-2xl font-semibold tracking-tight break-words text-zinc-900">{asset.title}</h1>
            {asset.description ? <p className="mt-2 text-sm leading-6 whitespace-pre-line text-zinc-600">{asset.description}</p> : null}
          </div>

          <div className="space-y-2">
            {/* A plain link: the download route audits and redirects; it must never be prefetched. */}
            <a href={asset.downloadUrl} className={buttonClasses({ size: 'lg', className: 'w-full' })} rel="nofollow">
              <DownloadIcon className="size-5" />
              {asset.isApproved ? 'Download original' : `Download v${version.number} (not approved)`}
            </a>
            <p className="text-center text-xs text-zinc-500">
              {formatBytes(version.bytes)} · {version.originalFilename.split('.').pop()?.toUpperCase() ?? 'file'}
            </p>
            {asset.libraryUrl ? (
              <Link to={asset.libraryUrl} className={buttonClasses({ variant: 'secondary', className: 'w-full' })}>
                Open in library
              </Link>
            ) : null}
          </div>

          <Card>
            <CardBody>
              <h2 className="mb-3 text-sm font-semibold text-zinc-900">Details</h2>
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                {details.map((detail) => (
                  <div key={detail.term} className="contents">
                    <dt className="text-zinc-500">{detail.term}</dt>
                    <dd className="text-right break-words text-zinc-900">{detail.value}</dd>
                  </div>
                ))}
              </dl>
            </CardBody>
          </Card>

          <Card>
            <CardBody>
              <h2 className="mb-2 text-sm font-semibold text-zinc-900">Usage rights</h2>
              {rights.licences.length === 0 ? (
                <p className="text-sm text-zinc-600">No usage restrictions are recorded for this asset.</p>
              ) : (
                <ul className="space-y-2 text-sm">
                  {rights.licences.map((licence, index) => (
                    <li key={index} className="text-zinc-700">
                      <span className="font-medium text-zinc-900">{LICENCE_LABEL[licence.licenceType] ?? licence.licenceType}</span>
                      {licence.licensor ? <span> · {licence.licensor}</span> : null}
                      <span className="block text-xs text-zinc-500">
                        {licence.expiresAt ? `Until ${formatDate(licence.expiresAt, licence.timeZone)}` : 'No expiry'}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {rights.usableUntil ? (
                <p className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900">
                  Cleared for use until {formatDate(rights.usableUntil)}. Stop using it after that date.
                </p>
              ) : null}
            </CardBody>
          </Card>

          {asset.tags.length > 0 ? (
            <div>
              <h2 className="mb-2 text-sm font-semibold text-zinc-900">Tags</h2>
              <ul className="flex flex-wrap gap-1.5">
                {asset.tags.map((tag) => (
                  <li key={tag}>
                    <Link
                      to={`/portal?${new URLSearchParams({ q: tag }).toString()}`}
                      className="inline-block rounded-full bg-zinc-100 px-2.5 py-1 text-xs text-zinc-700 hover:bg-damson-50 hover:text-damson-700"
                    >
                      {tag}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </aside>
      </div>
    </div>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const notFound = isRouteErrorResponse(error) && error.status === 404
  return (
    <div className="mx-auto w-full max-w-3xl py-8">
      <EmptyState
        title={notFound ? 'Asset not found' : 'Something went wrong'}
        description={
          notFound
            ? 'This asset does not exist, or it is not available to you right now. Its licence may have ended, or it may not be shared with your organisation.'
            : 'We could not load this asset. Try again in a moment.'
        }
        action={
          <Link to="/portal" className={buttonClasses({ variant: 'secondary' })}>
            Back to brand assets
          </Link>
        }
      />
    </div>
  )
}
