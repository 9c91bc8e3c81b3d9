/**
 * One asset, for brand staff: the chosen version's preview and technical facts,
 * every version with its status (and which one is current), its reviews and
 * decisions, and the latest audit events about the asset, its versions and reviews.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { Badge, buttonClasses, Card, CardBody, CardHeader, CardTitle, cn, PageHeader, StatusBadge } from '~/components/ui'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { handleAppErrors } from '~/http.server'
import { getLibraryAssetDetail } from '~/library/asset-detail.server'

const ParamsSchema = z.object({ assetId: z.string().min(1).max(64) })
const SearchSchema = z.object({ version: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined) })

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.asset.title ?? 'Asset'} · Damson` }]

const DECISION_LABELS = { approve: 'Approved', reject: 'Rejected', request_changes: 'Requested changes' } as const
const REVIEW_LABELS = {
  in_progress: 'In progress',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Changes requested',
  cancelled: 'Cancelled',
} as const

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'library:view-all')
    const { assetId } = ParamsSchema.parse(params)
    const { version } = SearchSchema.parse({ version: new URL(request.url).searchParams.get('version') ?? undefined })
    const detail = await getLibraryAssetDetail({ db: getDb(), assetId, selectedVersionId: version })
    return data({ ...detail, canReview: hasPermission(user.roles, 'version:review') })
  })
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${bytes} bytes`
}

function Fact({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="grid grid-cols-3 gap-3 py-2">
      <dt className="text-sm text-zinc-500">{label}</dt>
      <dd className={cn('col-span-2 min-w-0 break-words text-sm text-zinc-900', mono && 'font-mono text-xs leading-5')}>{children}</dd>
    </div>
  )
}

export default function AssetPage() {
  const { asset, versions, selectedVersionId, events, canReview } = useLoaderData<typeof loader>()
  const selected = versions.find((version) => version.id === selectedVersionId) ?? null

  return (
    <div>
      <PageHeader
        eyebrow={
          <span>
            <Link to="/library" className="hover:text-zinc-800">
              Library
            </Link>
            <span className="mx-1.5 text-zinc-300">/</span>
            <span className="font-mono text-xs">{asset.folderPath}</span>
          </span>
        }
        title={asset.title}
        description={asset.description || undefined}
        actions={
          selected && selected.status !== 'processing' && selected.status !== 'failed' ? (
            <a href={`/assets/${asset.id}/download?version=${selected.id}`} className={buttonClasses({ variant: 'secondary' })}>
              Download v{selected.number}
            </a>
          ) : null
        }
      />

      <div className="grid gap-6 lg:grid-cols-5">
        <div className="space-y-6 lg:col-span-3">
          <Card className="overflow-hidden">
            <div className="grid min-h-72 place-items-center bg-[repeating-conic-gradient(#f4f4f5_0%_25%,#fff_0%_50%)] bg-[length:20px_20px] p-4">
              {selected?.previewUrl ? (
                <img src={selected.previewUrl} alt={`Preview of ${asset.title}, version ${selected.number}`} className="max-h-[32rem] max-w-full rounded shadow-sm" />
              ) : (
                <div className="max-w-sm text-center text-sm text-zinc-500">
                  {selected?.status === 'processing'
                    ? 'The preview is being made. Reload in a moment.'
                    : selected?.status === 'failed'
                      ? 'No preview: processing failed.'
                      : 'No preview available.'}
                </div>
              )}
            </div>
            {selected ? (
              <div className="flex flex-wrap items-center gap-2 border-t border-zinc-100 px-5 py-3 text-sm">
                <span className="font-medium text-zinc-900">Version {selected.number}</span>
                <StatusBadge status={selected.status} />
                {selected.isCurrent ? <Badge tone="success">Current</Badge> : null}
              </div>
            ) : null}
            {selected?.failureReason ? (
              <p role="alert" className="border-t border-red-100 bg-red-50 px-5 py-3 text-sm text-red-800">
                Processing failed: {selected.failureReason}
              </p>
            ) : null}
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Versions</CardTitle>
            </CardHeader>
            <ul className="divide-y divide-zinc-100">
              {versions.map((version) => (
                <li key={version.id} className={cn('flex items-center gap-4 px-5 py-3', version.id === selectedVersionId && 'bg-damson-50/50')}>
                  <Link to={`?version=${version.id}`} preventScrollReset className="shrink-0" aria-label={`Show version ${version.number}`}>
                    {version.thumbnailUrl ? (
                      <img src={version.thumbnailUrl} alt="" className="size-12 rounded-md bg-zinc-100 object-cover ring-1 ring-zinc-200" />
                    ) : (
                      <div className="size-12 rounded-md bg-zinc-100 ring-1 ring-zinc-200" />
                    )}
                  </Link>
                  <div className="min-w-0 flex-1">
                    <div className="flex flex-wrap items-center gap-2">
                      <Link to={`?version=${version.id}`} preventScrollReset className="font-medium text-zinc-900 hover:text-damson-700">
                        Version {version.number}
                      </Link>
                      <StatusBadge status={version.status} />
                      {version.isCurrent ? <Badge tone="success">Current</Badge> : null}
                    </div>
                    <div className="truncate text-xs text-zinc-500">
                      {version.originalFilename} · {formatBytes(version.bytes)} · {version.uploadedBy}, {version.uploadedAt}
                    </div>
                    {version.failureReason ? <div className="mt-0.5 text-xs text-red-700">{version.failureReason}</div> : null}
                  </div>
                  {canReview && version.status === 'in_review' ? (
                    <Link to={`/reviews/${version.id}`} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                      Review
                    </Link>
                  ) : null}
                </li>
              ))}
            </ul>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Reviews</CardTitle>
            </CardHeader>
            <CardBody>
              {versions.every((version) => version.reviews.length === 0) ? (
                <p className="text-sm text-zinc-500">No review has started yet. A review opens when a version finishes processing.</p>
              ) : (
                <ul className="space-y-5">
                  {versions.flatMap((version) =>
                    version.reviews.map((review) => (
                      <li key={review.id}>
                        <div className="flex flex-wrap items-center gap-2 text-sm">
                          <span className="font-medium text-zinc-900">Version {version.number}</span>
                          <Badge tone={review.status === 'approved' ? 'success' : review.status === 'in_progress' ? 'accent' : review.status === 'cancelled' ? 'neutral' : 'danger'}>
                            {REVIEW_LABELS[review.status]}
                          </Badge>
                          <span className="text-zinc-500">
                            {review.policyName}
                            {review.status === 'in_progress' ? ` · stage ${review.currentStage + 1}` : ''} · started {review.startedAt}
                            {review.endedAt ? ` · ended ${review.endedAt}` : ''}
                          </span>
                        </div>
                        {review.outcomeReason ? <p className="mt-1 text-sm text-zinc-700">“{review.outcomeReason}”</p> : null}
                        {review.decisions.length > 0 ? (
                          <ul className="mt-2 space-y-1 border-l-2 border-zinc-100 pl-3">
                            {review.decisions.map((decision) => (
                              <li key={decision.id} className="text-sm text-zinc-700">
                                <span className="font-medium">{decision.reviewer}</span> — {DECISION_LABELS[decision.decision]} (stage {decision.stage}),{' '}
                                <span className="text-zinc-500">{decision.at}</span>
                                {decision.comment ? <span className="block text-zinc-600">“{decision.comment}”</span> : null}
                              </li>
                            ))}
                          </ul>
                        ) : null}
                      </li>
                    )),
                  )}
                </ul>
              )}
            </CardBody>
          </Card>
        </div>

        <div className="space-y-6 lg:col-span-2">
          {selected ? (
            <Card>
              <CardHeader>
                <CardTitle>Version {selected.number} details</CardTitle>
              </CardHeader>
              <CardBody>
                <dl className="divide-y divide-zinc-100">
                  <Fact label="Dimensions">{selected.width && selected.height ? `${selected.width} × ${selected.height} px` : '—'}</Fact>
                  <Fact label="Size">
                    {formatBytes(selected.bytes)} <span className="text-zinc-500">({selected.bytes.toLocaleString('en-GB')} bytes)</span>
                  </Fact>
                  <Fact label="Media type" mono>
                    {selected.mediaType}
                  </Fact>
                  <Fact label="SHA-256" mono>
                    {selected.sha256}
                  </Fact>
                  <Fact label="File name">{selected.originalFilename}</Fact>
                  <Fact label="Uploaded">
                    {selected.uploadedBy}, {selected.uploadedAt}
                  </Fact>
                  {selected.promoted ? (
                    <Fact label="Promoted">
                      {selected.promoted.by ?? 'System'}, {selected.promoted.at}
                    </Fact>
                  ) : null}
                </dl>
              </CardBody>
            </Card>
          ) : null}

          <Card>
            <CardHeader>
              <CardTitle>Asset</CardTitle>
            </CardHeader>
            <CardBody>
              <dl className="divide-y divide-zinc-100">
                <Fact label="Kind">
                  <Badge>{asset.kind}</Badge> {asset.status === 'archived' ? <Badge tone="warning">Archived</Badge> : null}
                </Fact>
                <Fact label="Current version">
                  {versions.find((version) => version.isCurrent) ? `Version ${versions.find((version) => version.isCurrent)?.number}` : 'None approved yet'}
                </Fact>
                <Fact label="Folder" mono>
                  {asset.folderPath}
                </Fact>
                <Fact label="Tags">
                  {asset.tags.length > 0 ? (
                    <span className="flex flex-wrap gap-1">
                      {asset.tags.map((tag) => (
                        <Badge key={tag}>{tag}</Badge>
                      ))}
                    </span>
                  ) : (
                    '—'
                  )}
                </Fact>
                <Fact label="Owner">{asset.owner}</Fact>
                <Fact label="Created">
                  {asset.createdBy}, {asset.createdAt}
                </Fact>
                <Fact label="Updated">{asset.updatedAt}</Fact>
              </dl>
            </CardBody>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Audit trail</CardTitle>
            </CardHeader>
            <CardBody>
              {events.length === 0 ? (
                <p className="text-sm text-zinc-500">No events yet.</p>
              ) : (
                <ol className="space-y-3">
                  {events.map((event) => (
                    <li key={event.seq} className="text-sm">
                      <div className="flex flex-wrap items-baseline justify-between gap-x-2">
                        <span className="font-mono text-xs text-damson-700">{event.action}</span>
                        <span className="text-xs text-zinc-500">{event.at}</span>
                      </div>
                      <div className="text-zinc-700">
                        {event.actor}
                        {event.summary ? <span className="text-zinc-500"> · {event.summary}</span> : null}
                      </div>
                    </li>
                  ))}
                </ol>
              )}
              <p className="mt-4 text-xs text-zinc-400">Latest 20 events for this asset, its versions and reviews.</p>
            </CardBody>
          </Card>
        </div>
      </div>
    </div>
  )
}
