/**
 * The numbered comments beside the preview (hovering or focusing one lights up its
 * region on the image) and the form that adds one, with or without a region.
 * Posts `intent=comment` to the review page; works without JavaScript for comments
 * without a region.
 */
import { Form } from '@remix-run/react'
import type { RefObject } from 'react'
import { Button, Card, CardBody, CardHeader, CardTitle, cn } from '~/components/ui'
import { describeRegion, type CommentRegion } from '~/domain/comment-region'
import { formatDateTime } from './format'
import { RegionIcon } from './region-annotator'

export type PanelComment = {
  id: string
  number: number
  author: string
  body: string
  createdAt: string
  region: CommentRegion | null
}

export type CommentFormFailure = {
  formError: string | null
  fieldErrors: Partial<Record<'body' | 'region', string>>
  values: { body: string; region: CommentRegion | null }
}

export type CommentPanelProps = {
  comments: PanelComment[]
  highlightedId: string | null
  onHighlight: (id: string | null) => void
  commenting: { allowed: true } | { allowed: false; reason: string }
  pending: CommentRegion | null
  onRemoveRegion: () => void
  bodyRef: RefObject<HTMLTextAreaElement>
  failure: CommentFormFailure | null
  submitting: boolean
  /** Kept on the page after saving (side by side, differences). */
  view: string
  maxLength: number
}

const fraction = (value: number) => value.toFixed(4)

export function CommentPanel({
  comments,
  highlightedId,
  onHighlight,
  commenting,
  pending,
  onRemoveRegion,
  bodyRef,
  failure,
  submitting,
  view,
  maxLength,
}: CommentPanelProps) {
  const region = pending
  const bodyError = failure?.fieldErrors.body
  const regionError = failure?.fieldErrors.region

  return (
    <Card>
      <CardHeader className="flex items-center justify-between gap-2">
        <CardTitle>Comments</CardTitle>
        <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-600">{comments.length}</span>
      </CardHeader>
      <CardBody className="space-y-5">
        {comments.length === 0 ? (
          <p className="text-sm text-zinc-500">No comments yet.</p>
        ) : (
          <ol aria-label="Comments on this version" className="-mx-2 max-h-[28rem] space-y-1 overflow-y-auto px-2 py-1">
            {comments.map((comment) => {
              const lit = comment.id === highlightedId
              const pinned = comment.region !== null
              return (
                <li
                  key={comment.id}
                  id={`comment-${comment.number}`}
                  tabIndex={pinned ? 0 : -1}
                  onPointerEnter={pinned ? () => onHighlight(comment.id) : undefined}
                  onPointerLeave={pinned ? () => onHighlight(null) : undefined}
                  onFocus={pinned ? () => onHighlight(comment.id) : undefined}
                  onBlur={pinned ? () => onHighlight(null) : undefined}
                  className={cn(
                    'flex gap-3 rounded-lg px-2 py-2 transition-colors',
                    lit ? 'bg-amber-50 ring-1 ring-amber-300' : pinned && 'hover:bg-zinc-50',
                  )}
                >
                  <span
                    aria-hidden
                    className={cn(
                      'mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold',
                      pinned ? (lit ? 'bg-amber-500 text-white' : 'bg-damson-600 text-white') : 'bg-zinc-100 text-zinc-600',
                    )}
                  >
                    {comment.number}
                  </span>
                  <div className="min-w-0 flex-1">
                    <p className="text-sm">
                      <span className="sr-only">Comment {comment.number}: </span>
                      <span className="font-medium text-zinc-900">{comment.author}</span>{' '}
                      <span className="text-xs text-zinc-500">{formatDateTime(comment.createdAt)}</span>
                    </p>
                    <p className="mt-0.5 text-sm break-words whitespace-pre-line text-zinc-700">{comment.body}</p>
                    {pinned ? (
                      <p className="mt-1 flex items-center gap-1 text-xs text-zinc-500">
                        <RegionIcon className="size-3.5" />
                        On the image<span className="sr-only">, {describeRegion(comment.region!)}</span>
                      </p>
                    ) : null}
                  </div>
                </li>
              )
            })}
          </ol>
        )}

        {commenting.allowed ? (
          <Form method="post" preventScrollReset noValidate className="space-y-3 border-t border-zinc-100 pt-4">
            <input type="hidden" name="intent" value="comment" />
            <input type="hidden" name="view" value={view} />
            <input type="hidden" name="regionX" value={region ? fraction(region.x) : ''} />
            <input type="hidden" name="regionY" value={region ? fraction(region.y) : ''} />
            <input type="hidden" name="regionW" value={region ? fraction(region.w) : ''} />
            <input type="hidden" name="regionH" value={region ? fraction(region.h) : ''} />
            {failure?.formError ? (
              <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {failure.formError}
              </div>
            ) : null}

            <div className="space-y-1.5">
              <label htmlFor="comment-body" className="block text-sm font-medium text-zinc-800">
                {region ? 'Comment on the marked region' : 'Add a comment'}
              </label>
              {region ? (
                <div className="flex items-center justify-between gap-2 rounded-md border border-fuchsia-200 bg-fuchsia-50 px-2.5 py-1.5 text-xs text-fuchsia-900">
                  <span id="comment-region-summary" className="flex items-start gap-1.5">
                    <RegionIcon className="mt-px size-3.5 shrink-0" />
                    <span>Region: {describeRegion(region)}</span>
                  </span>
                  <button
                    type="button"
                    onClick={onRemoveRegion}
                    className="shrink-0 rounded px-1.5 py-0.5 font-medium text-fuchsia-800 underline-offset-2 hover:underline"
                  >
                    Remove region
                  </button>
                </div>
              ) : (
                <p id="comment-region-summary" className="text-xs text-zinc-500">
                  Optional: drag on the image, or use “Mark a region”, to point at a spot.
                </p>
              )}
              {regionError ? (
                <p role="alert" className="text-sm text-red-600">
                  {regionError}
                </p>
              ) : null}
              <textarea
                ref={bodyRef}
                id="comment-body"
                name="body"
                rows={4}
                maxLength={maxLength}
                required
                defaultValue={failure?.values.body ?? ''}
                aria-invalid={bodyError ? true : undefined}
                aria-describedby={[bodyError ? 'comment-body-error' : null, 'comment-region-summary'].filter(Boolean).join(' ')}
                placeholder="What should change here?"
                className={cn(
                  'block w-full rounded-md border bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm placeholder:text-zinc-400 focus:ring-2 focus:outline-none',
                  bodyError ? 'border-red-400 focus:border-red-500 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
                )}
              />
              {bodyError ? (
                <p id="comment-body-error" role="alert" className="text-sm text-red-600">
                  {bodyError}
                </p>
              ) : null}
            </div>
            <div className="flex justify-end">
              <Button type="submit" variant="secondary" disabled={submitting}>
                {submitting ? 'Saving…' : 'Add comment'}
              </Button>
            </div>
          </Form>
        ) : (
          <p className="border-t border-zinc-100 pt-4 text-sm text-zinc-500">{commenting.reason}</p>
        )}
      </CardBody>
    </Card>
  )
}
