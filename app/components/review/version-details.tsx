/** The version's facts (file, size, uploader, folder, tags, extracted metadata) and the asset's version history. */
import { Link } from '@remix-run/react'
import { Badge, Card, CardBody, CardHeader, CardTitle, cn } from '~/components/ui'
import { formatBytes, formatDateTime } from './format'
import { VersionStatus } from './version-compare'

export type DetailsVersion = {
  originalFilename: string
  mediaType: string
  bytes: number
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
  uploadedBy: string
  uploadedAt: string
  metadata: { label: string; value: string }[]
}

export type DetailsAsset = { id: string; description: string; folderPath: string; tags: string[] }

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-3 py-1.5 text-sm">
      <dt className="text-zinc-500">{label}</dt>
      <dd className="min-w-0 break-words text-zinc-800">{children}</dd>
    </div>
  )
}

export function VersionDetailsCard({ asset, version, downloadUrl }: { asset: DetailsAsset; version: DetailsVersion; downloadUrl: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Details</CardTitle>
      </CardHeader>
      <CardBody className="space-y-4">
        {asset.description ? <p className="text-sm whitespace-pre-line text-zinc-700">{asset.description}</p> : null}
        <dl className="divide-y divide-zinc-100">
          <Row label="File name">
            <span className="font-mono text-xs">{version.originalFilename}</span>
          </Row>
          <Row label="Type">{version.mediaType}</Row>
          <Row label="Size">{formatBytes(version.bytes)}</Row>
          {version.width && version.height ? (
            <Row label="Dimensions">
              {version.width.toLocaleString('en-GB')} × {version.height.toLocaleString('en-GB')} px
            </Row>
          ) : null}
          {version.pages && version.pages > 1 ? <Row label="Pages">{version.pages}</Row> : null}
          {version.durationMs ? <Row label="Duration">{(version.durationMs / 1000).toFixed(1)} s</Row> : null}
          <Row label="Uploaded by">{version.uploadedBy}</Row>
          <Row label="Uploaded">{formatDateTime(version.uploadedAt)}</Row>
          <Row label="Folder">
            <span className="font-mono text-xs">{asset.folderPath}</span>
          </Row>
          <Row label="Tags">
            {asset.tags.length > 0 ? (
              <ul className="flex flex-wrap gap-1.5">
                {asset.tags.map((tag) => (
                  <li key={tag} className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs text-zinc-700">
                    {tag}
                  </li>
                ))}
              </ul>
            ) : (
              <span className="text-zinc-400">None</span>
            )}
          </Row>
        </dl>

        {version.metadata.length > 0 ? (
          <div>
            <h3 className="mb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">Extracted metadata</h3>
            <dl className="divide-y divide-zinc-100">
              {version.metadata.map((fact) => (
                <Row key={fact.label} label={fact.label}>
                  {fact.value}
                </Row>
              ))}
            </dl>
          </div>
        ) : null}

        <a href={downloadUrl} rel="nofollow" className="inline-flex text-sm font-medium text-damson-700 hover:underline">
          Download this version
        </a>
      </CardBody>
    </Card>
  )
}

export type HistoryEntry = {
  id: string
  number: number
  status: string
  uploadedBy: string
  uploadedAt: string
  promotedAt: string | null
  isCurrent: boolean
  isThis: boolean
}

export function VersionHistoryCard({ history }: { history: HistoryEntry[] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Version history</CardTitle>
      </CardHeader>
      <CardBody className="px-0 py-0">
        <ol className="divide-y divide-zinc-100">
          {history.map((entry) => (
            <li key={entry.id} className={cn('flex items-start gap-3 px-5 py-3', entry.isThis && 'bg-damson-50/60')}>
              <span
                className={cn(
                  'mt-0.5 flex h-6 min-w-9 items-center justify-center rounded-md px-1.5 text-xs font-semibold',
                  entry.isThis ? 'bg-damson-600 text-white' : 'bg-zinc-100 text-zinc-700',
                )}
              >
                v{entry.number}
              </span>
              <div className="min-w-0 flex-1 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <VersionStatus status={entry.status} />
                  {entry.isCurrent ? <Badge tone="success">Current approved</Badge> : null}
                  {entry.isThis ? (
                    <span className="text-xs font-medium text-damson-700">This review</span>
                  ) : (
                    <Link to={`/reviews/${entry.id}`} className="text-xs font-medium text-damson-700 hover:underline">
                      Open v{entry.number}
                    </Link>
                  )}
                </div>
                <p className="mt-0.5 text-xs text-zinc-500">
                  Uploaded {formatDateTime(entry.uploadedAt)} by {entry.uploadedBy}
                  {entry.promotedAt ? ` · approved ${formatDateTime(entry.promotedAt)}` : ''}
                </p>
              </div>
            </li>
          ))}
        </ol>
      </CardBody>
    </Card>
  )
}
