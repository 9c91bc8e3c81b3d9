/**
 * One asset in the portal: preview, details, its rights in plain language, and the
 * download form where the viewer declares the channel and territory of their use.
 * Brand staff also see why partner organisations can or cannot see the asset.
 *
 * GET: portal:browse (every role); hidden assets are 404 for partners (the one rule).
 * POST intent=download: portal:browse. Success is a 303 to the file (a presigned URL);
 * a partner's use outside the rights answers 403 with this page and the reason beside
 * the form; bad fields 400; a hidden asset 404.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, isRouteErrorResponse, useActionData, useLoaderData, useRouteError } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { PortalMetadataCard } from '~/components/metadata/portal-metadata-card'
import { MediaViewer } from '~/components/media-viewer/media-viewer'
import { DeclaredUseForm } from '~/components/portal/declared-use-form'
import { PartnerAccessPanel } from '~/components/portal/partner-access-panel'
import { PresetLinks } from '~/components/preset-links'
import { RightsSummaryBox } from '~/components/portal/rights-summary-box'
import { Badge, Card, CardBody, EmptyState, buttonClasses } from '~/components/ui'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getPortalAssetPage } from '~/portal/asset-page.server'
import { downloadForDeclaredUse } from '~/portal/declared-download.server'
import { getClientIp } from '~/request.server'
import { DeclaredUseSchema } from '~/rights/declared-use.server'
import { getStorage } from '~/storage.server'

const DownloadFormSchema = DeclaredUseSchema.extend({
  intent: z.literal('download'),
  version: z.preprocess((value) => (value === '' ? undefined : value), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional()),
})

/** Refusals shown beside the form; anything else (a hidden asset, a bug) goes to the error boundary. */
const SHOWN_BESIDE_THE_FORM = new Set(['FORBIDDEN', 'BAD_REQUEST', 'UNSUPPORTED_MEDIA_TYPE', 'UNAVAILABLE'])

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded ? `${loaded.asset.title} · Damson` : 'Asset not found · Damson' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'portal:browse')
    const page = await getPortalAssetPage({ db: getDb(), viewer: user.viewer, assetId: params.assetId ?? '' })
    return data(page, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

type ActionResult = { refusal: string | null; fieldErrors: { channel?: string; territory?: string }; use: { channel: string; territory: string } }

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'portal:browse')
    const fields = Object.fromEntries(await request.formData())
    const use = { channel: String(fields.channel ?? ''), territory: String(fields.territory ?? '') }
    const form = DownloadFormSchema.safeParse(fields)
    if (!form.success) {
      const flat = z.flattenError(form.error).fieldErrors
      const result: ActionResult = { refusal: null, fieldErrors: { channel: flat.channel?.[0], territory: flat.territory?.[0] }, use }
      return data(result, { status: 400 })
    }
    try {
      const download = await downloadForDeclaredUse({
        db: getDb(),
        storage: getStorage(),
        viewer: user.viewer,
        assetId: params.assetId ?? '',
        versionId: form.data.version ?? null,
        use: { channel: form.data.channel, territory: form.data.territory },
        ipAddress: getClientIp(request),
        expiresInSeconds: getEnv().DOWNLOAD_URL_TTL_SECONDS,
      })
      return redirect(download.url, { status: 303, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } })
    } catch (error) {
      if (isAppError(error) && SHOWN_BESIDE_THE_FORM.has(error.code)) {
        const result: ActionResult = { refusal: error.message, fieldErrors: {}, use }
        return data(result, { status: error.status })
      }
      throw error
    }
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

export default function PortalAsset() {
  const { asset, rights, downloadForm, partnerAccess, embeddedMetadata, media, presetLinks } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const { version } = asset
  // After a refused attempt, the form keeps what was chosen rather than the remembered use.
  const selected = actionData?.use ?? downloadForm.selected
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
          {media ? (
            <MediaViewer media={media} title={asset.title} />
          ) : version.previewUrl ? (
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
            <DeclaredUseForm
              key={`${selected.channel}:${selected.territory}`}
              channels={downloadForm.channels}
              territories={downloadForm.territories}
              selected={selected}
              versionId={asset.isApproved ? null : version.id}
              buttonLabel={asset.isApproved ? 'Download original' : `Download v${version.number} (not approved)`}
              nothingPermitted={downloadForm.nothingPermitted}
              forStaff={downloadForm.forStaff}
              refusal={actionData?.refusal ?? null}
              fieldErrors={actionData?.fieldErrors ?? {}}
              fileFacts={`${formatBytes(version.bytes)} · ${version.originalFilename.split('.').pop()?.toUpperCase() ?? 'file'}`}
            />
            {asset.libraryUrl ? (
              <Link to={asset.libraryUrl} className={buttonClasses({ variant: 'secondary', className: 'w-full' })}>
                Open in library
              </Link>
            ) : null}
          </div>

          <PresetLinks links={presetLinks} declare={downloadForm} />

          <RightsSummaryBox headline={rights.headline} licences={rights.licences} showStates={partnerAccess !== null} />

          {partnerAccess ? (
            <PartnerAccessPanel
              groups={partnerAccess.groups}
              notShown={partnerAccess.notShown}
              sharedWithAllPartners={partnerAccess.sharedWithAllPartners}
            />
          ) : null}

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

          <PortalMetadataCard view={embeddedMetadata} />

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
