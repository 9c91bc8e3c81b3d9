import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { CommentPanel, type CommentFormFailure } from '~/components/review/comment-panel'
import { REVIEW_STATUS_LABEL, formatDateTime } from '~/components/review/format'
import { MarkRegionBar, RegionAnnotator, type PinnedComment } from '~/components/review/region-annotator'
import { ReviewProgressCard, StageStepper } from '~/components/review/review-progress'
import { CompareViewNav, DiffPane, NoPreview, VersionPane, type CompareView } from '~/components/review/version-compare'
import { VersionDetailsCard, VersionHistoryCard } from '~/components/review/version-details'
import { Badge, Button, Card, CardBody, CardHeader, CardTitle, EmptyState, buttonClasses, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { MAX_REVIEW_COMMENT_LENGTH, centredRegion, type CommentRegion } from '~/domain/comment-region'
import { handleAppErrors } from '~/http.server'
import { commentFromForm } from '~/review/comments.server'
import { ReviewViewSchema, decideFromForm, getReviewDetail, type ReviewView } from '~/review/inbox.server'
import { getClientIp } from '~/request.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded ? `Review ${loaded.detail.asset.title} v${loaded.detail.version.number} · Damson` : 'Review · Damson' },
]

function reviewPath(versionId: string, view: ReviewView): string {
  const path = `/reviews/${encodeURIComponent(versionId)}`
  return view === 'single' ? path : `${path}?view=${view}`
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'version:review')
    const view = ReviewViewSchema.parse(new URL(request.url).searchParams.get('view') ?? undefined)
    const detail = await getReviewDetail({ db: getDb(), viewer: user.viewer, versionId: params.versionId ?? '', view })
    return data({ detail }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

/** The decision form predates `intent`: a post without one is a decision. */
const IntentSchema = z.enum(['decide', 'comment']).default('decide')

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'version:review')
    const versionId = params.versionId ?? ''
    const formData = await request.formData()
    const intent = IntentSchema.parse(formData.get('intent') ?? undefined)

    if (intent === 'comment') {
      const outcome = await commentFromForm({ db: getDb(), authorId: user.id, versionId, formData, ipAddress: getClientIp(request) })
      if (outcome.ok) return redirect(reviewPath(versionId, ReviewViewSchema.parse(formData.get('view') ?? undefined)))
      return data({ intent, ...outcome }, { status: outcome.status })
    }

    const outcome = await decideFromForm({ db: getDb(), viewer: user.viewer, versionId, formData })
    if (outcome.ok) {
      return redirect(`/reviews?${new URLSearchParams({ decided: outcome.decision, version: versionId }).toString()}`)
    }
    return data({ intent, ...outcome }, { status: outcome.status })
  })
}

const OUTCOME_TONE: Record<string, 'success' | 'danger' | 'warning' | 'neutral'> = {
  approved: 'success',
  rejected: 'danger',
  changes_requested: 'warning',
  cancelled: 'neutral',
}

export default function ReviewVersion() {
  const { detail } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const { asset, version, current, review, comments, eligibility, commenting, comparison, history } = detail

  const submittingIntent = navigation.state === 'submitting' ? (navigation.formData?.get('intent') ?? 'decide') : null
  const pendingDecision = submittingIntent === 'decide' ? navigation.formData?.get('decision') : null
  const decisionFailure = actionData && actionData.intent === 'decide' && !actionData.ok ? actionData : null
  const commentFailure: CommentFormFailure | null = actionData && actionData.intent === 'comment' && !actionData.ok ? actionData : null

  const [pending, setPending] = useState<CommentRegion | null>(null)
  const [highlighted, setHighlighted] = useState<string | null>(null)
  const bodyRef = useRef<HTMLTextAreaElement>(null)
  const markButtonRef = useRef<HTMLButtonElement>(null)
  const [markRequest, setMarkRequest] = useState(0)
  const markRegion = () => {
    setPending((region) => region ?? centredRegion())
    setMarkRequest((count) => count + 1)
  }

  // A refused comment keeps its region; a saved one (the list grew) clears it.
  useEffect(() => {
    if (commentFailure) setPending(commentFailure.values.region)
  }, [commentFailure])
  useEffect(() => {
    setPending(null)
  }, [comments.length])

  const pins: PinnedComment[] = comments.flatMap((comment) =>
    comment.region ? [{ id: comment.id, number: comment.number, author: comment.author, region: comment.region }] : [],
  )
  const ended = review !== null && review.status !== 'in_progress'
  const view: CompareView = comparison.view

  const annotator = version.previewUrl ? (
    <RegionAnnotator
      src={version.previewUrl}
      alt={`${asset.title}, version ${version.number} (under review)`}
      width={version.previewWidth ?? version.width}
      height={version.previewHeight ?? version.height}
      pins={pins}
      highlightedId={highlighted}
      onHighlight={setHighlighted}
      drawable={commenting.allowed}
      pending={pending}
      onPendingChange={setPending}
      onConfirm={() => bodyRef.current?.focus()}
      onCancel={() => markButtonRef.current?.focus()}
      markRequest={markRequest}
      className="w-full"
    />
  ) : (
    <NoPreview />
  )

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

      <header className="mb-6 flex flex-col gap-4 lg:flex-row lg:items-end lg:justify-between">
        <div className="min-w-0 space-y-3">
          <h1 className="truncate text-2xl font-semibold tracking-tight text-zinc-900">
            {asset.title} <span className="text-zinc-400">v{version.number}</span>
          </h1>
          {review ? (
            <StageStepper stages={review.stages} />
          ) : (
            <p className="text-sm text-zinc-600">No review has started for this version.</p>
          )}
        </div>
        {review?.stage && !ended ? (
          <div className="flex shrink-0 flex-wrap items-center gap-2">
            <Badge tone={review.stage.overdue ? 'danger' : 'info'}>{review.stage.dueLabel}</Badge>
            <span className="text-xs text-zinc-500">{formatDateTime(review.stage.dueAt)}</span>
          </div>
        ) : review && ended ? (
          <Badge tone={OUTCOME_TONE[review.status] ?? 'neutral'} className="self-start text-sm lg:self-auto">
            {REVIEW_STATUS_LABEL[review.status] ?? review.status}
          </Badge>
        ) : null}
      </header>

      {/* Small screens read viewer, comments and decision, then details; wide ones put the aside beside both. */}
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_24rem] lg:grid-rows-[auto_1fr]">
        <div className="min-w-0 lg:col-start-1 lg:row-start-1">
          <Card>
            <CardHeader className="flex flex-wrap items-center justify-between gap-3">
              <CardTitle>{view === 'diff' ? 'Differences' : view === 'side-by-side' ? 'Side by side' : 'Preview'}</CardTitle>
              {comparison.canCompare ? (
                <CompareViewNav view={view} canDiff={comparison.canDiff} hrefFor={(entry) => reviewPath(version.id, entry)} />
              ) : (
                <span className="text-xs text-zinc-500">No approved version to compare with yet</span>
              )}
            </CardHeader>
            <CardBody className="bg-zinc-50/60">
              {commenting.allowed && version.previewUrl && view !== 'diff' ? <MarkRegionBar ref={markButtonRef} onMark={markRegion} /> : null}
              {view === 'side-by-side' && current ? (
                <div className="grid gap-4 md:grid-cols-2">
                  <VersionPane label="Under review" number={version.number} status={version.status} highlight>
                    {annotator}
                  </VersionPane>
                  <VersionPane label="Current approved" number={current.number} status={current.status}>
                    {current.previewUrl ? (
                      <img
                        src={current.previewUrl}
                        alt={`${asset.title}, version ${current.number} (current approved)`}
                        width={current.previewWidth ?? current.width ?? undefined}
                        height={current.previewHeight ?? current.height ?? undefined}
                        className="block h-auto max-h-[72vh] w-auto max-w-full rounded shadow-md"
                      />
                    ) : (
                      <NoPreview />
                    )}
                  </VersionPane>
                </div>
              ) : view === 'diff' && current && comparison.diffUrl ? (
                <DiffPane
                  diffUrl={comparison.diffUrl}
                  changedFraction={comparison.changedFraction}
                  diffError={comparison.diffError}
                  newNumber={version.number}
                  approvedNumber={current.number}
                  width={version.previewWidth}
                  height={version.previewHeight}
                />
              ) : (
                annotator
              )}
            </CardBody>
          </Card>
        </div>

        <aside className="space-y-6 lg:col-start-2 lg:row-span-2 lg:row-start-1" aria-label="Review">
          <CommentPanel
            key={comments.length}
            comments={comments}
            highlightedId={highlighted}
            onHighlight={setHighlighted}
            commenting={commenting}
            pending={pending}
            onRemoveRegion={() => {
              setPending(null)
              bodyRef.current?.focus()
            }}
            bodyRef={bodyRef}
            failure={commentFailure}
            submitting={submittingIntent === 'comment'}
            view={view}
            maxLength={MAX_REVIEW_COMMENT_LENGTH}
          />

          {ended && review ? (
            <Card>
              <CardHeader>
                <CardTitle>Outcome</CardTitle>
              </CardHeader>
              <CardBody className="space-y-2 text-sm">
                <Badge tone={OUTCOME_TONE[review.status] ?? 'neutral'}>{REVIEW_STATUS_LABEL[review.status] ?? review.status}</Badge>
                <p className="whitespace-pre-line text-zinc-700">{review.outcomeReason ?? 'No reason was recorded.'}</p>
                {review.endedAt ? <p className="text-xs text-zinc-500">Ended {formatDateTime(review.endedAt)}</p> : null}
              </CardBody>
            </Card>
          ) : (
            <Card>
              <CardHeader>
                <CardTitle>Your decision</CardTitle>
              </CardHeader>
              <CardBody>
                {eligibility.canDecide ? (
                  <Form method="post" className="space-y-4" noValidate>
                    <input type="hidden" name="intent" value="decide" />
                    {decisionFailure?.formError ? (
                      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                        {decisionFailure.formError}
                      </div>
                    ) : null}
                    <div className="space-y-1.5">
                      <label htmlFor="decision-comment" className="block text-sm font-medium text-zinc-800">
                        Comment <span className="font-normal text-zinc-500">(required to reject or request changes)</span>
                      </label>
                      <textarea
                        id="decision-comment"
                        name="comment"
                        rows={4}
                        maxLength={4000}
                        defaultValue={decisionFailure?.values.comment ?? ''}
                        aria-invalid={decisionFailure?.fieldErrors.comment ? true : undefined}
                        aria-describedby={decisionFailure?.fieldErrors.comment ? 'decision-comment-error' : undefined}
                        placeholder="What works, what needs to change…"
                        className={cn(
                          'block w-full rounded-md border bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm placeholder:text-zinc-400 focus:ring-2 focus:outline-none',
                          decisionFailure?.fieldErrors.comment
                            ? 'border-red-400 focus:border-red-500 focus:ring-red-200'
                            : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
                        )}
                      />
                      {decisionFailure?.fieldErrors.comment ? (
                        <p id="decision-comment-error" role="alert" className="text-sm text-red-600">
                          {decisionFailure.fieldErrors.comment}
                        </p>
                      ) : null}
                      {decisionFailure?.fieldErrors.decision ? (
                        <p role="alert" className="text-sm text-red-600">
                          {decisionFailure.fieldErrors.decision}
                        </p>
                      ) : null}
                    </div>
                    <div className="grid gap-2">
                      <Button type="submit" name="decision" value="approve" disabled={submittingIntent !== null}>
                        {pendingDecision === 'approve' ? 'Approving…' : 'Approve'}
                      </Button>
                      <Button type="submit" name="decision" value="request_changes" variant="secondary" disabled={submittingIntent !== null}>
                        {pendingDecision === 'request_changes' ? 'Sending…' : 'Request changes'}
                      </Button>
                      <Button type="submit" name="decision" value="reject" variant="danger" disabled={submittingIntent !== null}>
                        {pendingDecision === 'reject' ? 'Rejecting…' : 'Reject'}
                      </Button>
                    </div>
                  </Form>
                ) : (
                  <div className="space-y-3">
                    {decisionFailure?.formError ? (
                      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                        {decisionFailure.formError}
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
          )}

          {review ? <ReviewProgressCard review={review} /> : null}
        </aside>

        <div className="grid min-w-0 gap-6 lg:col-start-1 lg:row-start-2 xl:grid-cols-2">
          <VersionDetailsCard asset={asset} version={version} downloadUrl={`/assets/${asset.id}/download?version=${version.id}`} />
          <VersionHistoryCard history={history} />
        </div>
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
