/**
 * An asset's version history for brand staff: every version, newest first, with
 * who uploaded and promoted it, its reviews (decisions and comments) and, for
 * admins, a way to make an earlier approved version current again. The rollback
 * confirmation is a dialog opened by `?rollback=<versionId>`, so it works without
 * JavaScript too.
 */
import { Form, Link, useNavigate, useNavigation } from '@remix-run/react'
import { useEffect, useId } from 'react'
import type { LibraryAssetComment, LibraryAssetReview, LibraryAssetVersion } from '~/library/asset-detail'
import { Badge, Button, buttonClasses, cn, Label, StatusBadge, type BadgeTone } from './ui'

const DECISION_LABELS = { approve: 'Approved', reject: 'Rejected', request_changes: 'Requested changes' } as const
const DECISION_TONES: Record<keyof typeof DECISION_LABELS, BadgeTone> = { approve: 'success', reject: 'danger', request_changes: 'warning' }
const REVIEW_LABELS: Record<LibraryAssetReview['status'], string> = {
  in_progress: 'In progress',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Changes requested',
  cancelled: 'Cancelled',
}
const REVIEW_TONES: Record<LibraryAssetReview['status'], BadgeTone> = {
  in_progress: 'accent',
  approved: 'success',
  rejected: 'danger',
  changes_requested: 'warning',
  cancelled: 'neutral',
}

export function formatVersionBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${bytes} bytes`
}

function formatMs(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

/** "Roll back to v1" for an older version, "Make v3 current" for a newer one (rolling forward again). */
export function rollbackLabel(versionNumber: number, currentVersionNumber: number | null): string {
  return currentVersionNumber !== null && versionNumber > currentVersionNumber ? `Make v${versionNumber} current` : `Roll back to v${versionNumber}`
}

export type VersionHistoryProps = {
  versions: readonly LibraryAssetVersion[]
  selectedVersionId: string | null
  currentVersionNumber: number | null
  /** May open review pages (`version:review`). */
  canReview: boolean
  /** May roll back (`version:rollback`, admins). */
  canRollback: boolean
}

export function VersionHistory({ versions, selectedVersionId, currentVersionNumber, canReview, canRollback }: VersionHistoryProps) {
  if (versions.length === 0) return <p className="px-5 py-4 text-sm text-zinc-500">No versions yet.</p>
  return (
    <ol className="divide-y divide-zinc-100" aria-label="Version history">
      {versions.map((version) => (
        <VersionEntry
          key={version.id}
          version={version}
          selected={version.id === selectedVersionId}
          selectedVersionId={selectedVersionId}
          currentVersionNumber={currentVersionNumber}
          canReview={canReview}
          canRollback={canRollback}
        />
      ))}
    </ol>
  )
}

function VersionEntry({
  version,
  selected,
  selectedVersionId,
  currentVersionNumber,
  canReview,
  canRollback,
}: {
  version: LibraryAssetVersion
  selected: boolean
  selectedVersionId: string | null
  currentVersionNumber: number | null
  canReview: boolean
  canRollback: boolean
}) {
  const show = `?version=${version.id}`
  const rollbackSearch = new URLSearchParams({ ...(selectedVersionId ? { version: selectedVersionId } : {}), rollback: version.id })
  return (
    <li
      className={cn(
        'relative px-5 py-4',
        selected && 'bg-damson-50/40',
        // The live version carries a bar on its edge, so it is found at a glance.
        version.isCurrent && 'before:absolute before:inset-y-0 before:left-0 before:w-1 before:bg-emerald-500',
      )}
      aria-current={version.isCurrent ? 'true' : undefined}
      data-version-number={version.number}
    >
      <div className="flex items-start gap-4">
        <Link to={show} preventScrollReset className="shrink-0" aria-label={`Show version ${version.number}`}>
          {version.thumbnailUrl ? (
            <img src={version.thumbnailUrl} alt="" className="size-14 rounded-md bg-zinc-100 object-cover ring-1 ring-zinc-200" />
          ) : (
            <div className="size-14 rounded-md bg-zinc-100 ring-1 ring-zinc-200" />
          )}
        </Link>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <Link to={show} preventScrollReset className="font-semibold text-zinc-900 hover:text-damson-700">
              Version {version.number}
            </Link>
            <StatusBadge status={version.status} />
            {version.isCurrent ? (
              <Badge tone="success" className="font-semibold">
                Current · live for partners
              </Badge>
            ) : null}
          </div>
          <p className="mt-1 truncate text-sm text-zinc-700" title={version.originalFilename}>
            {version.originalFilename} <span className="text-zinc-400">·</span> {formatVersionBytes(version.bytes)}
          </p>
          <dl className="mt-1 space-y-0.5 text-xs text-zinc-500">
            <div>
              <dt className="inline">Uploaded by </dt>
              <dd className="inline text-zinc-700">{version.uploadedBy}</dd>, {version.uploadedAt}
            </div>
            {version.promoted ? (
              <div>
                <dt className="inline">Promoted by </dt>
                <dd className="inline text-zinc-700">{version.promoted.by ?? 'System'}</dd>, {version.promoted.at}
              </div>
            ) : null}
          </dl>
          {version.failureReason ? <p className="mt-1 text-xs text-red-700">{version.failureReason}</p> : null}
        </div>
        <div className="flex shrink-0 flex-col items-end gap-2">
          {canReview && version.reviews.length > 0 ? (
            <Link
              to={`/reviews/${version.id}`}
              className={buttonClasses({ variant: version.status === 'in_review' ? 'primary' : 'secondary', size: 'sm' })}
            >
              {version.status === 'in_review' ? 'Review' : 'Open review'}
            </Link>
          ) : null}
          {canRollback && version.canRollBackTo ? (
            <Link to={`?${rollbackSearch.toString()}`} preventScrollReset className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
              {rollbackLabel(version.number, currentVersionNumber)}…
            </Link>
          ) : null}
        </div>
      </div>

      {version.reviews.length > 0 || version.comments.length > 0 ? (
        <div className="mt-3 space-y-3 pl-[4.5rem]">
          {version.reviews.map((review) => (
            <ReviewSummary key={review.id} review={review} />
          ))}
          {version.comments.length > 0 ? <CommentList comments={version.comments} label="Comments" /> : null}
        </div>
      ) : null}
    </li>
  )
}

function ReviewSummary({ review }: { review: LibraryAssetReview }) {
  return (
    <section className="rounded-md border border-zinc-200 bg-white px-3 py-2.5" aria-label={`Review: ${review.policyName}`}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={REVIEW_TONES[review.status]}>{REVIEW_LABELS[review.status]}</Badge>
        <span className="font-medium text-zinc-800">{review.policyName}</span>
        <span className="text-xs text-zinc-500">
          {review.status === 'in_progress' ? `stage ${review.currentStage + 1} · ` : ''}started {review.startedAt}
          {review.endedAt ? ` · ended ${review.endedAt}` : ''}
        </span>
      </div>
      {/* The deciding reviewer's comment usually is the outcome's reason: shown once, with the decision. */}
      {review.outcomeReason && !review.decisions.some((decision) => decision.comment === review.outcomeReason) ? (
        <p className="mt-1 text-sm text-zinc-700">“{review.outcomeReason}”</p>
      ) : null}
      {review.decisions.length > 0 ? (
        <ul className="mt-2 space-y-1.5 border-l-2 border-zinc-100 pl-3">
          {review.decisions.map((decision) => (
            <li key={decision.id} className="text-sm text-zinc-700">
              <span className="text-xs text-zinc-500">Stage {decision.stage}</span> <span className="font-medium">{decision.reviewer}</span>{' '}
              <Badge tone={DECISION_TONES[decision.decision]}>{DECISION_LABELS[decision.decision]}</Badge>{' '}
              <span className="text-xs text-zinc-500">{decision.at}</span>
              {decision.comment ? <span className="block text-zinc-600">“{decision.comment}”</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {review.comments.length > 0 ? <CommentList comments={review.comments} label="Comments" /> : null}
    </section>
  )
}

function CommentList({ comments, label }: { comments: readonly LibraryAssetComment[]; label: string }) {
  return (
    <div className="mt-2">
      <h4 className="text-xs font-medium uppercase tracking-wide text-zinc-500">{label}</h4>
      <ul className="mt-1 space-y-1.5">
        {comments.map((comment) => (
          <li key={comment.id} className="text-sm text-zinc-700">
            <span className="font-medium">{comment.author}</span>{' '}
            {comment.anchor?.kind === 'region' ? (
              <Badge tone="info" title="Anchored to a region of the image">
                region
              </Badge>
            ) : null}
            {comment.anchor?.kind === 'time' ? (
              <Badge tone="info" title="Anchored to a time range">
                {formatMs(comment.anchor.startMs)}
                {comment.anchor.endMs !== null ? `–${formatMs(comment.anchor.endMs)}` : ''}
              </Badge>
            ) : null}{' '}
            <span className="text-xs text-zinc-500">{comment.at}</span>
            <span className="block whitespace-pre-line text-zinc-600">{comment.body}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

export type RollbackDialogProps = {
  version: Pick<LibraryAssetVersion, 'id' | 'number' | 'originalFilename' | 'promoted'>
  currentVersionNumber: number | null
  /** Where Cancel (and Escape) go: the page without the dialog. */
  cancelHref: string
  /** The server's refusal, when the last attempt failed. */
  error: string | null
  maxReasonLength: number
}

/**
 * The confirm step of a rollback: a modal form with a required reason. Posts
 * `intent=rollback` to the asset page's action.
 */
export function RollbackDialog({ version, currentVersionNumber, cancelHref, error, maxReasonLength }: RollbackDialogProps) {
  const navigate = useNavigate()
  const navigation = useNavigation()
  const titleId = useId()
  const reasonId = useId()
  const submitting = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'rollback'
  const label = rollbackLabel(version.number, currentVersionNumber)

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') navigate(cancelHref, { preventScrollReset: true })
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [cancelHref, navigate])

  return (
    <div className="fixed inset-0 z-50 grid place-items-center bg-zinc-900/40 p-4">
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="w-full max-w-lg rounded-lg bg-white shadow-xl ring-1 ring-zinc-200">
        <Form method="post" preventScrollReset>
          <input type="hidden" name="intent" value="rollback" />
          <input type="hidden" name="versionId" value={version.id} />
          <div className="space-y-4 px-6 py-5">
            <h2 id={titleId} className="text-lg font-semibold text-zinc-900">
              {label}?
            </h2>
            <p className="text-sm text-zinc-600">
              Version {version.number} ({version.originalFilename}) becomes the current version at once: partners see and download it
              {currentVersionNumber !== null ? <> instead of version {currentVersionNumber}, which becomes superseded</> : null}. The
              uploaders are notified and the audit trail records your reason.
            </p>
            {version.promoted ? (
              <p className="text-xs text-zinc-500">
                It was last promoted by {version.promoted.by ?? 'the system'}, {version.promoted.at}.
              </p>
            ) : null}
            <div className="space-y-1.5">
              <Label htmlFor={reasonId}>Reason</Label>
              <textarea
                id={reasonId}
                name="reason"
                required
                rows={3}
                maxLength={maxReasonLength}
                autoFocus
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${reasonId}-error` : undefined}
                placeholder="e.g. Version 3 has the old legal line; going back until it is fixed."
                className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm placeholder:text-zinc-400 focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100"
              />
              {error ? (
                <p id={`${reasonId}-error`} role="alert" className="text-sm text-red-700">
                  {error}
                </p>
              ) : null}
            </div>
          </div>
          <div className="flex items-center justify-end gap-3 rounded-b-lg border-t border-zinc-100 bg-zinc-50 px-6 py-3">
            <Link to={cancelHref} preventScrollReset className={buttonClasses({ variant: 'ghost' })}>
              Cancel
            </Link>
            <Button type="submit" disabled={submitting}>
              {submitting ? 'Rolling back…' : label}
            </Button>
          </div>
        </Form>
      </div>
    </div>
  )
}
