/**
 * One asset, for brand staff: the chosen version's preview and technical facts,
 * its version history (status, uploader, promotion, reviews with their decisions
 * and comments, which one is current), and the latest audit events about the
 * asset, its versions and reviews.
 *
 * Admins roll back from here: `?rollback=<versionId>` opens the confirm dialog and
 * its form posts `intent=rollback` to this route's action. Uploaders open
 * "Upload new version" (the child route `versions/new`, rendered in the Outlet).
 *
 * The Rights card sums up the asset's grants and links to its rights page (`/rights`).
 *
 * GET: library:view-all (admin, librarian, reviewer, legal). POST: version:rollback (admin).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, Outlet, useActionData, useLoaderData, useLocation } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { MAX_ROLLBACK_REASON_LENGTH, rollbackToVersion, RollbackReasonSchema } from '~/assets/rollback-version.server'
import { requirePermission } from '~/auth.server'
import { GrantStateBadge } from '~/components/rights/grant-state-badge'
import { Badge, buttonClasses, Card, CardBody, CardHeader, CardTitle, cn, PageHeader, StatusBadge } from '~/components/ui'
import { formatVersionBytes, RollbackDialog, VersionHistory } from '~/components/version-history'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getLibraryAssetDetail } from '~/library/asset-detail.server'
import { GRANT_STATES } from '~/rights/grant-state'
import { getAssetRightsSummary } from '~/rights/grants.server'

const ParamsSchema = z.object({ assetId: z.string().min(1).max(64) })
const VersionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)
const SearchSchema = z.object({
  version: VersionIdSchema.optional().catch(undefined),
  rollback: VersionIdSchema.optional().catch(undefined),
  notice: z.enum(['rolled-back', 'already-current']).optional().catch(undefined),
})
const RollbackFormSchema = z.object({
  intent: z.literal('rollback'),
  versionId: VersionIdSchema,
  reason: RollbackReasonSchema,
})

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.asset.title ?? 'Asset'} · Damson` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'library:view-all')
    const { assetId } = ParamsSchema.parse(params)
    const search = new URL(request.url).searchParams
    const query = SearchSchema.parse({
      version: search.get('version') ?? undefined,
      rollback: search.get('rollback') ?? undefined,
      notice: search.get('notice') ?? undefined,
    })
    const [detail, rights] = await Promise.all([
      getLibraryAssetDetail({ db: getDb(), assetId, selectedVersionId: query.version }),
      getAssetRightsSummary({ db: getDb(), assetId }),
    ])
    const canRollback = hasPermission(user.roles, 'version:rollback')
    return data({
      ...detail,
      rights,
      canEditRights: hasPermission(user.roles, 'rights:edit'),
      canReview: hasPermission(user.roles, 'version:review'),
      canRollback,
      canUpload: hasPermission(user.roles, 'asset:upload'),
      // Only a version that may be rolled back to opens the dialog; anything else is ignored.
      rollbackVersionId: canRollback && detail.versions.some((version) => version.id === query.rollback && version.canRollBackTo) ? query.rollback : null,
      notice: query.notice ?? null,
      maxRollbackReasonLength: MAX_ROLLBACK_REASON_LENGTH,
    })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'version:rollback')
    const { assetId } = ParamsSchema.parse(params)
    const form = RollbackFormSchema.safeParse(Object.fromEntries(await request.formData()))
    if (!form.success) return data({ error: form.error.issues[0]?.message ?? 'The form is not valid' }, { status: 400 })
    try {
      const result = await rollbackToVersion({ db: getDb(), assetId, versionId: form.data.versionId, actorId: user.id, reason: form.data.reason })
      const notice = result.rolledBack ? 'rolled-back' : 'already-current'
      return redirect(`/library/assets/${assetId}?${new URLSearchParams({ version: result.versionId, notice }).toString()}`, 303)
    } catch (error) {
      // Refusals are shown in the dialog; anything else goes to the error boundary.
      if (isAppError(error) && error.code !== 'UNAVAILABLE') return data({ error: error.message }, { status: error.status })
      throw error
    }
  })
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
  const {
    asset,
    versions,
    selectedVersionId,
    events,
    rights,
    canEditRights,
    canReview,
    canRollback,
    canUpload,
    rollbackVersionId,
    notice,
    maxRollbackReasonLength,
  } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const location = useLocation()
  const selected = versions.find((version) => version.id === selectedVersionId) ?? null
  const rollbackTarget = versions.find((version) => version.id === rollbackVersionId) ?? null
  const current = versions.find((version) => version.isCurrent) ?? null
  const pagePath = `/library/assets/${asset.id}`
  const onNewVersionPage = location.pathname.endsWith('/versions/new')

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
          <>
            {canUpload && asset.status === 'active' && asset.kind === 'image' && !onNewVersionPage ? (
              <Link to={`${pagePath}/versions/new#new-version`} className={buttonClasses({ variant: 'primary' })}>
                Upload new version
              </Link>
            ) : null}
            {selected && selected.status !== 'processing' && selected.status !== 'failed' ? (
              <a href={`/assets/${asset.id}/download?version=${selected.id}`} className={buttonClasses({ variant: 'secondary' })}>
                Download v{selected.number}
              </a>
            ) : null}
          </>
        }
      />

      {notice && selected ? (
        <p role="status" className="mb-6 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice === 'rolled-back'
            ? `Version ${selected.number} is the current version again. Partners see it from now on.`
            : `Version ${selected.number} already is the current version; nothing changed.`}
        </p>
      ) : null}

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
                {!selected.isCurrent && current ? (
                  <Link to={`?version=${current.id}`} preventScrollReset className="ml-auto text-damson-700 hover:underline">
                    Show the current version (v{current.number})
                  </Link>
                ) : null}
              </div>
            ) : null}
            {selected?.failureReason ? (
              <p role="alert" className="border-t border-red-100 bg-red-50 px-5 py-3 text-sm text-red-800">
                Processing failed: {selected.failureReason}
              </p>
            ) : null}
          </Card>

          <Outlet />

          <Card>
            <CardHeader className="flex items-center justify-between gap-3">
              <CardTitle>Version history</CardTitle>
              <span className="text-sm text-zinc-500">
                {current ? `Version ${current.number} is live` : 'No version approved yet'} · {versions.length}{' '}
                {versions.length === 1 ? 'version' : 'versions'}
              </span>
            </CardHeader>
            <VersionHistory
              versions={versions}
              selectedVersionId={selectedVersionId}
              currentVersionNumber={asset.currentVersionNumber}
              canReview={canReview}
              canRollback={canRollback}
            />
          </Card>
        </div>

        <div className="space-y-6 lg:col-span-2">
          <Card>
            <CardHeader className="flex items-center justify-between gap-3">
              <CardTitle>Rights</CardTitle>
              <Link to={`${pagePath}/rights`} className="text-sm font-medium text-damson-700 hover:underline">
                {canEditRights ? 'Manage rights' : 'View rights'} <span aria-hidden>→</span>
              </Link>
            </CardHeader>
            <CardBody className="space-y-2 text-sm">
              {rights.total === 0 ? (
                <p className="text-zinc-600">No grants recorded: no usage restrictions once approved.</p>
              ) : (
                <ul className="flex flex-wrap gap-2" aria-label="Grants by state">
                  {GRANT_STATES.filter((state) => rights.counts[state] > 0).map((state) => (
                    <li key={state} className="flex items-center gap-1">
                      <GrantStateBadge state={state} />
                      <span className="text-zinc-600">{rights.counts[state]}</span>
                    </li>
                  ))}
                </ul>
              )}
              {rights.next ? <p className="text-zinc-600">{rights.next}</p> : null}
              <p className="flex flex-wrap gap-x-4 gap-y-1 border-t border-zinc-100 pt-2">
                <Link to={`${pagePath}/downloads`} className="font-medium text-damson-700 hover:underline">
                  Downloads and takedowns
                </Link>
                <Link to={`${pagePath}/share#share-links`} className="font-medium text-damson-700 hover:underline">
                  Share links
                </Link>
              </p>
            </CardBody>
          </Card>

          {selected ? (
            <Card>
              <CardHeader>
                <CardTitle>Version {selected.number} details</CardTitle>
              </CardHeader>
              <CardBody>
                <dl className="divide-y divide-zinc-100">
                  <Fact label="Dimensions">{selected.width && selected.height ? `${selected.width} × ${selected.height} px` : '—'}</Fact>
                  <Fact label="Size">
                    {formatVersionBytes(selected.bytes)} <span className="text-zinc-500">({selected.bytes.toLocaleString('en-GB')} bytes)</span>
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
                <Fact label="Current version">{current ? `Version ${current.number}` : 'None approved yet'}</Fact>
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

      {rollbackTarget ? (
        <RollbackDialog
          version={rollbackTarget}
          currentVersionNumber={asset.currentVersionNumber}
          cancelHref={`${location.pathname}${selectedVersionId ? `?version=${selectedVersionId}` : ''}`}
          error={actionData && 'error' in actionData ? actionData.error : null}
          maxReasonLength={maxRollbackReasonLength}
        />
      ) : null}
    </div>
  )
}
