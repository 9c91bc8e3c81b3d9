import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { Badge, Button, Card, CardBody, CardHeader, CardTitle, EmptyState, StatusBadge, buttonClasses, cn, type VersionStatusName } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { decideFromForm, getReviewDetail, type ReviewVersionSummary } from '~/review/inbox.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded ? `Review ${loaded.detail.asset.title} v${loaded.detail.version.number} · Damson` : 'Review · Damson' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'version:review')
    const detail = await getReviewDetail({ db: getDb(), viewer: user.viewer, versionId: params.versionId ?? '' })
    return data({ detail }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'version:review')
    const versionId = params.versionId ?? ''
    const outcome = await decideFromForm({ db: getDb(), viewer: user.viewer, versionId, formData: await request.formData() })
    if (outcome.ok) {
      return redirect(`/reviews?${new URLSearchParams({ decided: outcome.decision, version: versionId }).toString()}`)
    }
    return data(outcome, { status: outcome.status })
  })
}

const DECISION_LABEL = { approve: 'Approved', reject: 'Rejected', request_changes: 'Requested changes' } as const
const DECISION_TONE = { approve: 'success', reject: 'danger', request_changes: 'warning' } as const
const REVIEW_STATUS_LABEL: Record<string, string> = {
  in_progress: 'In progress',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Changes requested',
  cancelled: 'Cancelled',
}

function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC'
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

function isVersionStatus(status: string): status is VersionStatusName {
  return ['processing', 'in_review', 'approved', 'rejected', 'changes_requested', 'superseded', 'failed'].includes(status)
}

function VersionPanel({ label, version, highlight }: { label: string; version: ReviewVersionSummary; highlight?: boolean }) {
  const facts = [
    version.width && version.height ? `${version.width} × ${version.height} px` : null,
    formatBytes(version.bytes),
    version.mediaType,
    version.pages ? `${version.pages} pages` : null,
  ].filter(Boolean)
  return (
    <figure className={cn('flex min-w-0 flex-col overflow-hidden rounded-xl border bg-white shadow-sm', highlight ? 'border-damson-300 ring-1 ring-damson-200' : 'border-zinc-200')}>
      <figcaption className="flex items-center justify-between gap-2 border-b border-zinc-100 px-4 py-2.5">
        <span className="text-sm font-medium text-zinc-900">
          {label} · v{version.number}
        </span>
        {isVersionStatus(version.status) ? <StatusBadge status={version.status} /> : <Badge>{version.status}</Badge>}
      </figcaption>
      <div className="flex min-h-64 flex-1 items-center justify-center bg-zinc-100 bg-[linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%),linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%)] bg-[length:20px_20px] bg-[position:0_0,10px_10px] p-4">
        {version.previewUrl ? (
          <img
            src={version.previewUrl}
            alt={`${label}, version ${version.number}`}
            width={version.width ?? undefined}
            height={version.height ?? undefined}
            className="max-h-[60vh] w-auto max-w-full rounded object-contain shadow-md"
          />
        ) : (
          <p className="text-sm text-zinc-500">No preview yet.</p>
        )}
      </div>
      <div className="border-t border-zinc-100 px-4 py-2.5 text-xs text-zinc-500">
        <p className="truncate" title={version.originalFilename}>
          {version.originalFilename}
        </p>
        <p>{facts.join(' · ')}</p>
        <p>
          Uploaded by {version.uploadedBy} · {formatDateTime(version.uploadedAt)}
        </p>
      </div>
    </figure>
  )
}

export default function ReviewVersion() {
  const { detail } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const submitting = navigation.state === 'submitting'
  const { asset, version, current, review, comments, eligibility } = detail
  const failed = actionData && 'ok' in actionData && !actionData.ok ? actionData : null
  const pendingDecision = submitting ? navigation.formData?.get('decision') : null

  return (
    <div>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-zinc-500">
        <Link to="/reviews" className="hover:text-zinc-800">
          Review inbox
        </Link>
        <span aria-hidden className="mx-2">
          /
        </span>
        <span className="text-zinc-800">{asset.title}</span>
      </nav>

      <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight text-zinc-900">
            {asset.title} <span className="text-zinc-400">v{version.number}</span>
          </h1>
          <p className="mt-1 text-sm text-zinc-600">
            {review ? (
              <>
                {review.policyName}
                {review.stage ? (
                  <>
                    {' '}
                    · stage {review.stage.index + 1} of {review.stage.count}: <span className="font-medium">{review.stage.name}</span>
                  </>
                ) : (
                  <> · {REVIEW_STATUS_LABEL[review.status] ?? review.status}</>
                )}
              </>
            ) : (
              'No review has started for this version.'
            )}
          </p>
        </div>
        {review?.stage ? (
          <div className="flex items-center gap-2">
            <Badge tone={review.stage.overdue ? 'danger' : 'info'}>{review.stage.dueLabel}</Badge>
            <span className="text-xs text-zinc-500">{formatDateTime(review.stage.dueAt)}</span>
          </div>
        ) : null}
      </div>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-6">
          <div className={cn('grid gap-4', current && 'md:grid-cols-2')}>
            <VersionPanel label="Under review" version={version} highlight />
            {current ? <VersionPanel label="Current approved" version={current} /> : null}
          </div>

          <Card>
            <CardHeader>
              <CardTitle>Decisions and comments</CardTitle>
            </CardHeader>
            <CardBody>
              {(review?.decisions.length ?? 0) === 0 && comments.length === 0 ? (
                <p className="text-sm text-zinc-500">No decisions or comments yet.</p>
              ) : (
                <ol className="space-y-4">
                  {review?.decisions.map((decision) => (
                    <li key={decision.id} className="flex gap-3">
                      <span
                        aria-hidden
                        className="flex size-8 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-xs font-semibold text-zinc-600"
                      >
                        {decision.reviewer.slice(0, 1).toUpperCase()}
                      </span>
                      <div className="min-w-0 flex-1">
                        <p className="flex flex-wrap items-center gap-2 text-sm">
                          <span className="font-medium text-zinc-900">{decision.reviewer}</span>
                          <Badge tone={DECISION_TONE[decision.decision]}>{DECISION_LABEL[decision.decision]}</Badge>
                          <span className="text-xs text-zinc-500">
                            {decision.stageName} · {formatDateTime(decision.createdAt)}
                          </span>
                        </p>
                        {decision.comment ? (
                          <p className="mt-1 rounded-lg bg-zinc-50 px-3 py-2 text-sm whitespace-pre-line text-zinc-700">{decision.comment}</p>
                        ) : null}
                      </div>
                    </li>
                  ))}
                  {comments.map((comment) => (
                    <li key={comment.id} className="flex gap-3">
                      <span
                        aria-hidden
                        className="flex size-8 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-xs font-semibold text-zinc-600"
                      >
                        {comment.author.slice(0, 1).toUpperCase()}
                      </span>
                      <div className="min-w-0 flex-1">
                        <p className="text-sm">
                          <span className="font-medium text-zinc-900">{comment.author}</span>{' '}
                          <span className="text-xs text-zinc-500">commented · {formatDateTime(comment.createdAt)}</span>
                        </p>
                        <p className="mt-1 rounded-lg bg-zinc-50 px-3 py-2 text-sm whitespace-pre-line text-zinc-700">{comment.body}</p>
                      </div>
                    </li>
                  ))}
                </ol>
              )}
            </CardBody>
          </Card>
        </div>

        <aside className="space-y-6">
          <Card>
            <CardHeader>
              <CardTitle>Your decision</CardTitle>
            </CardHeader>
            <CardBody>
              {eligibility.canDecide ? (
                <Form method="post" className="space-y-4" noValidate>
                  {failed?.formError ? (
                    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                      {failed.formError}
                    </div>
                  ) : null}
                  <div className="space-y-1.5">
                    <label htmlFor="decision-comment" className="block text-sm font-medium text-zinc-800">
                      Comment <span className="font-normal text-zinc-500">(required to reject or request changes)</span>
                    </label>
                    <textarea
                      id="decision-comment"
                      name="comment"
                      rows={5}
                      maxLength={4000}
                      defaultValue={failed?.values.comment ?? ''}
                      aria-invalid={failed?.fieldErrors.comment ? true : undefined}
                      aria-describedby={failed?.fieldErrors.comment ? 'decision-comment-error' : undefined}
                      placeholder="What works, what needs to change…"
                      className={cn(
                        'block w-full rounded-md border bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm placeholder:text-zinc-400 focus:ring-2 focus:outline-none',
                        failed?.fieldErrors.comment
                          ? 'border-red-400 focus:border-red-500 focus:ring-red-200'
                          : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
                      )}
                    />
                    {failed?.fieldErrors.comment ? (
                      <p id="decision-comment-error" role="alert" className="text-sm text-red-600">
                        {failed.fieldErrors.comment}
                      </p>
                    ) : null}
                    {failed?.fieldErrors.decision ? (
                      <p role="alert" className="text-sm text-red-600">
                        {failed.fieldErrors.decision}
                      </p>
                    ) : null}
                  </div>
                  <div className="grid gap-2">
                    <Button type="submit" name="decision" value="approve" disabled={submitting}>
                      {pendingDecision === 'approve' ? 'Approving…' : 'Approve'}
                    </Button>
                    <Button type="submit" name="decision" value="request_changes" variant="secondary" disabled={submitting}>
                      {pendingDecision === 'request_changes' ? 'Sending…' : 'Request changes'}
                    </Button>
                    <Button type="submit" name="decision" value="reject" variant="danger" disabled={submitting}>
                      {pendingDecision === 'reject' ? 'Rejecting…' : 'Reject'}
                    </Button>
                  </div>
                </Form>
              ) : (
                <div className="space-y-3">
                  {failed?.formError ? (
                    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                      {failed.formError}
                    </div>
                  ) : null}
                  <p className="text-sm text-zinc-600">{eligibility.reason}</p>
                  <Link to="/reviews" className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                    Back to inbox
                  </Link>
                </div>
              )}
            </CardBody>
          </Card>

          {review && review.stages.length > 0 ? (
            <Card>
              <CardHeader>
                <CardTitle>Stages</CardTitle>
              </CardHeader>
              <CardBody>
                <ol className="space-y-4">
                  {review.stages.map((stage) => (
                    <li key={stage.index} className="relative pl-7">
                      <span
                        aria-hidden
                        className={cn(
                          'absolute top-0.5 left-0 flex size-5 items-center justify-center rounded-full text-[10px] font-semibold',
                          stage.state === 'done' && 'bg-emerald-100 text-emerald-700',
                          stage.state === 'current' && 'bg-damson-600 text-white',
                          stage.state === 'upcoming' && 'bg-zinc-100 text-zinc-500',
                        )}
                      >
                        {stage.index + 1}
                      </span>
                      <p className="text-sm font-medium text-zinc-900">
                        {stage.name}
                        {stage.state === 'current' ? <span className="ml-2 text-xs font-normal text-damson-700">current</span> : null}
                      </p>
                      <p className="text-xs text-zinc-500">
                        {stage.quorum} · due {stage.dueHours} h after the stage starts
                      </p>
                      <ul className="mt-1.5 space-y-1">
                        {stage.reviewers.map((reviewer) => (
                          <li key={reviewer.id} className="flex items-center justify-between gap-2 text-sm">
                            <span className="truncate text-zinc-700">{reviewer.name}</span>
                            {reviewer.decision ? (
                              <Badge tone={DECISION_TONE[reviewer.decision]}>{DECISION_LABEL[reviewer.decision]}</Badge>
                            ) : (
                              <span className="text-xs text-zinc-400">{stage.state === 'upcoming' ? '—' : 'Pending'}</span>
                            )}
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ol>
                {review.outcomeReason ? <p className="mt-4 text-sm text-zinc-600">Outcome: {review.outcomeReason}</p> : null}
              </CardBody>
            </Card>
          ) : null}

          <Card>
            <CardHeader>
              <CardTitle>Asset</CardTitle>
            </CardHeader>
            <CardBody className="space-y-2 text-sm">
              {asset.description ? <p className="whitespace-pre-line text-zinc-700">{asset.description}</p> : null}
              <p className="text-zinc-500">
                Folder <span className="font-mono text-xs text-zinc-700">{asset.folderPath}</span>
              </p>
              {asset.tags.length > 0 ? (
                <ul className="flex flex-wrap gap-1.5">
                  {asset.tags.map((tag) => (
                    <li key={tag} className="rounded-full bg-zinc-100 px-2.5 py-0.5 text-xs text-zinc-700">
                      {tag}
                    </li>
                  ))}
                </ul>
              ) : null}
              <a href={`/assets/${asset.id}/download?version=${version.id}`} rel="nofollow" className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Download this version
              </a>
            </CardBody>
          </Card>
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
        title={notFound ? 'Version not found' : 'Something went wrong'}
        description={notFound ? 'There is no such version, or it was removed.' : 'We could not load this review. Try again in a moment.'}
        action={
          <Link to="/reviews" className={buttonClasses({ variant: 'secondary' })}>
            Back to inbox
          </Link>
        }
      />
    </div>
  )
}
