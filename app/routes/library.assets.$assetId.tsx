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
 * The Channels card (for distribution:view) says where the asset is live, pending,
 * failed or taken down, and why; librarians publish or unpublish it per channel there.
 * Librarians archive and restore the asset from the Asset card.
 *
 * GET: library:view-all (admin, librarian, reviewer, legal). POST by `intent`: rollback
 * (version:rollback, admin); publish | retry | unpublish with `channelId` (distribution:publish);
 * archive | restore (asset:edit).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, Outlet, useActionData, useLoaderData, useLocation, useNavigation } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { MAX_ROLLBACK_REASON_LENGTH, rollbackToVersion, RollbackReasonSchema } from '~/assets/rollback-version.server'
import { requirePermission, requireUser } from '~/auth.server'
import { AssetChannelsPanel, type ChannelPanelAnswer } from '~/components/distribution/asset-channels-panel'
import { DuplicatePrompt } from '~/components/duplicate-prompt'
import { FocalPointPicker } from '~/components/focal-point-picker'
import { MediaViewer } from '~/components/media-viewer/media-viewer'
import { PresetLinks } from '~/components/preset-links'
import { AssetMetadataPanel } from '~/components/metadata/asset-metadata-panel'
import { GrantStateBadge } from '~/components/rights/grant-state-badge'
import { Badge, Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, cn, PageHeader, StatusBadge } from '~/components/ui'
import { formatVersionBytes, RollbackDialog, VersionHistory } from '~/components/version-history'
import { getDb } from '~/db.server'
import { getAssetDistribution } from '~/distribution/dashboard.server'
import { RecordIdSchema, requestAssetOnChannel, setAssetArchived } from '~/distribution/distribution-requests.server'
import { hasPermission, type Permission } from '~/domain/roles'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getLibraryAssetDetail } from '~/library/asset-detail.server'
import { loadMediaView } from '~/media/media-view.server'
import { getVersionTools } from '~/library/version-tools.server'
import { getAssetMetadataPanel } from '~/metadata/asset-metadata.server'
import { getClientIp } from '~/request.server'
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
const ChannelFormSchema = z.object({ intent: z.enum(['publish', 'retry', 'unpublish']), channelId: RecordIdSchema })

/** What each form on the page needs; an unknown intent is treated as the strictest (rollback). */
const INTENT_PERMISSIONS = {
  rollback: 'version:rollback',
  publish: 'distribution:publish',
  retry: 'distribution:publish',
  unpublish: 'distribution:publish',
  archive: 'asset:edit',
  restore: 'asset:edit',
} as const satisfies Record<string, Permission>
const IntentSchema = z.enum(['rollback', 'publish', 'retry', 'unpublish', 'archive', 'restore']).catch('rollback')

/** The answer to a channel button (shown under its channel) or to archive/restore (shown at the top). */
type PanelAnswer = { panel: 'channels' | 'asset' } & ChannelPanelAnswer

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
    const canViewDistribution = hasPermission(user.roles, 'distribution:view')
    const [detail, rights, distribution] = await Promise.all([
      getLibraryAssetDetail({ db: getDb(), assetId, selectedVersionId: query.version }),
      getAssetRightsSummary({ db: getDb(), assetId }),
      canViewDistribution ? getAssetDistribution({ db: getDb(), assetId }) : null,
    ])
    const canRollback = hasPermission(user.roles, 'version:rollback')
    return data({
      ...detail,
      rights,
      distribution,
      metadata: await getAssetMetadataPanel({ db: getDb(), assetId, roles: user.roles, versionId: detail.selectedVersionId }),
      versionTools: await getVersionTools({ db: getDb(), assetId, versionId: detail.selectedVersionId, roles: user.roles }),
      media: await loadMediaView(getDb(), assetId, detail.selectedVersionId),
      canPublish: hasPermission(user.roles, 'distribution:publish'),
      canManageChannels: hasPermission(user.roles, 'channel:manage'),
      canArchive: hasPermission(user.roles, 'asset:edit'),
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
    // Signed in and same-origin before the body is read; then the permission the chosen form needs.
    await requireUser(request)
    const { assetId } = ParamsSchema.parse(params)
    const formData = await request.formData()
    const intent = IntentSchema.parse(formData.get('intent'))
    const user = await requirePermission(request, INTENT_PERMISSIONS[intent])
    if (intent !== 'rollback') return panelAction({ intent, assetId, formData, actorId: user.id, ipAddress: getClientIp(request) })

    const form = RollbackFormSchema.safeParse(Object.fromEntries(formData))
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

/** Publish, retry, unpublish, archive, restore: refusals and "recorded, but later" come back to the page. */
async function panelAction({
  intent,
  assetId,
  formData,
  actorId,
  ipAddress,
}: {
  intent: 'publish' | 'retry' | 'unpublish' | 'archive' | 'restore'
  assetId: string
  formData: FormData
  actorId: string
  ipAddress: string
}) {
  const answer = (body: PanelAnswer, status = 200) => data(body, { status })
  const db = getDb()
  let channelId: string | null = null
  try {
    if (intent === 'archive' || intent === 'restore') {
      const outcome = await setAssetArchived({ db, assetId, archived: intent === 'archive', actorId, ipAddress })
      return answer({ panel: 'asset', ok: true, ...outcome, channelId: null })
    }
    const form = ChannelFormSchema.safeParse(Object.fromEntries(formData))
    if (!form.success) return answer({ panel: 'channels', ok: false, message: 'Choose a channel from the list.', deferred: false, channelId: null }, 400)
    channelId = form.data.channelId
    const outcome = await requestAssetOnChannel({ db, request: form.data.intent, assetId, channelId, actorId, ipAddress })
    return answer({ panel: 'channels', ok: true, ...outcome, channelId })
  } catch (error) {
    // Refusals (archived asset, disabled channel, no approved version) are shown; anything else goes to the error boundary.
    if (isAppError(error) && error.code !== 'UNAVAILABLE') {
      return answer({ panel: intent === 'archive' || intent === 'restore' ? 'asset' : 'channels', ok: false, message: error.message, deferred: false, channelId }, error.status)
    }
    throw error
  }
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
    distribution,
    metadata,
    versionTools,
    canPublish,
    canManageChannels,
    canArchive,
    canEditRights,
    canReview,
    canRollback,
    canUpload,
    rollbackVersionId,
    notice,
    maxRollbackReasonLength,
    media,
  } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const panelAnswer = actionData && 'panel' in actionData ? actionData : null
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
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

      {panelAnswer?.panel === 'asset' ? (
        <p
          role={panelAnswer.ok ? 'status' : 'alert'}
          className={cn(
            'mb-6 rounded-md border px-4 py-3 text-sm',
            !panelAnswer.ok ? 'border-red-200 bg-red-50 text-red-800' : panelAnswer.deferred ? 'border-amber-200 bg-amber-50 text-amber-900' : 'border-emerald-200 bg-emerald-50 text-emerald-800',
          )}
        >
          {panelAnswer.message}
        </p>
      ) : null}

      {notice && selected ? (
        <p role="status" className="mb-6 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice === 'rolled-back'
            ? `Version ${selected.number} is the current version again. Partners see it from now on.`
            : `Version ${selected.number} already is the current version; nothing changed.`}
        </p>
      ) : null}

      {versionTools?.duplicate ? <DuplicatePrompt versionId={versionTools.versionId} candidate={versionTools.duplicate} /> : null}

      <div className="grid gap-6 lg:grid-cols-5">
        <div className="space-y-6 lg:col-span-3">
          <Card className="overflow-hidden">
            <div className="grid min-h-72 place-items-center bg-[repeating-conic-gradient(#f4f4f5_0%_25%,#fff_0%_50%)] bg-[length:20px_20px] p-4">
              {media && selected && !['processing', 'failed'].includes(selected.status) ? (
                <MediaViewer media={media} title={`${asset.title}, version ${selected.number}`} />
              ) : selected?.previewUrl ? (
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

          {versionTools?.focalImageUrl && selected ? (
            <FocalPointPicker
              key={versionTools.versionId}
              versionId={versionTools.versionId}
              versionNumber={selected.number}
              imageUrl={versionTools.focalImageUrl}
              focal={versionTools.focal}
              canEdit={versionTools.canSetFocal}
              returnTo={`${pagePath}?version=${versionTools.versionId}`}
            />
          ) : null}

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

          <PresetLinks links={versionTools?.presetLinks ?? []} />

          {distribution ? (
            <AssetChannelsPanel
              distribution={distribution}
              canPublish={canPublish}
              canManageChannels={canManageChannels}
              answer={panelAnswer?.panel === 'channels' ? panelAnswer : null}
              busy={busy}
            />
          ) : null}

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

          <AssetMetadataPanel panel={metadata} />

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
              {canArchive ? (
                <div className="mt-3 border-t border-zinc-100 pt-3">
                  {asset.status === 'archived' ? (
                    <Form method="post" preventScrollReset className="flex flex-wrap items-center justify-between gap-2">
                      <p className="text-sm text-zinc-600">Archived: hidden outside the library and off every channel.</p>
                      <Button type="submit" name="intent" value="restore" size="sm" variant="secondary" disabled={busy}>
                        Restore asset
                      </Button>
                    </Form>
                  ) : (
                    <details className="group">
                      <summary className="cursor-pointer list-none text-sm font-medium text-red-700 hover:underline [&::-webkit-details-marker]:hidden">
                        <span aria-hidden className="mr-1.5 inline-block transition-transform group-open:rotate-90">
                          ›
                        </span>
                        Archive this asset…
                      </summary>
                      <Form method="post" preventScrollReset className="mt-2 space-y-2">
                        <p className="text-sm text-zinc-600">
                          Partners and share links stop seeing it at once, and every channel takes it down. Restoring brings it back; channels may then
                          publish it again.
                        </p>
                        <Button type="submit" name="intent" value="archive" size="sm" variant="danger" disabled={busy}>
                          Archive asset
                        </Button>
                      </Form>
                    </details>
                  )}
                </div>
              ) : null}
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
