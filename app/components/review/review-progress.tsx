/**
 * Where a review stands: a compact stepper of its stages (done, current, upcoming)
 * and the card with, per stage, who decided what and when, who is still pending,
 * and the current stage's due, reminder and escalation times.
 */
import { Badge, Card, CardBody, CardHeader, CardTitle, cn } from '~/components/ui'
import type { DecisionKind } from '~/domain/review-policy'
import { DECISION_LABEL, DECISION_TONE, formatDateTime } from './format'
import type { CurrentStageView } from '~/review/review-views'

export type StepperStage = {
  index: number
  name: string
  quorum: string
  dueHours: number
  state: 'done' | 'current' | 'upcoming' | 'skipped'
  reviewers: { id: string; name: string; decision: DecisionKind | null; comment: string | null; decidedAt: string | null }[]
}

export type ProgressStage = CurrentStageView

export type ProgressReview = {
  status: string
  policyName: string
  outcomeReason: string | null
  startedAt: string
  endedAt: string | null
  source: 'workflow' | 'database'
  liveNote: string | null
  stage: ProgressStage | null
  stages: StepperStage[]
}

function CheckIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={2.2} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M3.5 8.5l3 3 6-7" />
    </svg>
  )
}

const STATE_WORD = { done: 'done', current: 'current stage', upcoming: 'upcoming', skipped: 'not reached' } as const

/** "✓ Brand — ② Legal — ③ Final": the shape of the review at a glance. */
export function StageStepper({ stages }: { stages: StepperStage[] }) {
  if (stages.length === 0) return null
  return (
    <ol aria-label="Review stages" className="flex flex-wrap items-center gap-x-2 gap-y-2">
      {stages.map((stage, position) => (
        <li key={stage.index} className="flex items-center gap-2" aria-current={stage.state === 'current' ? 'step' : undefined}>
          {position > 0 ? (
            <span aria-hidden className={cn('h-px w-6 sm:w-10', stage.state === 'upcoming' || stage.state === 'skipped' ? 'bg-zinc-300' : 'bg-damson-400')} />
          ) : null}
          <span
            aria-hidden
            className={cn(
              'flex size-6 items-center justify-center rounded-full text-xs font-semibold',
              stage.state === 'done' && 'bg-emerald-100 text-emerald-700',
              stage.state === 'current' && 'bg-damson-600 text-white ring-4 ring-damson-100',
              (stage.state === 'upcoming' || stage.state === 'skipped') && 'border border-zinc-300 bg-white text-zinc-500',
            )}
          >
            {stage.state === 'done' ? <CheckIcon className="size-3.5" /> : stage.index + 1}
          </span>
          <span className={cn('text-sm', stage.state === 'current' ? 'font-semibold text-zinc-900' : 'text-zinc-600')}>
            {stage.name}
            <span className="sr-only">
              {' '}
              (stage {stage.index + 1} of {stages.length}, {STATE_WORD[stage.state]})
            </span>
          </span>
        </li>
      ))}
    </ol>
  )
}

function Fact({ label, children, tone }: { label: string; children: React.ReactNode; tone?: 'danger' | 'warning' }) {
  return (
    <div className="flex items-baseline justify-between gap-3 text-sm">
      <dt className="text-zinc-500">{label}</dt>
      <dd className={cn('text-right', tone === 'danger' ? 'font-medium text-red-700' : tone === 'warning' ? 'text-amber-800' : 'text-zinc-800')}>
        {children}
      </dd>
    </div>
  )
}

export function ReviewProgressCard({ review }: { review: ProgressReview }) {
  const { stage } = review
  return (
    <Card>
      <CardHeader className="flex flex-wrap items-center justify-between gap-2">
        <CardTitle>Review progress</CardTitle>
        <span className="text-xs text-zinc-500">
          {review.policyName} · {review.source === 'workflow' ? 'live' : 'as recorded'}
        </span>
      </CardHeader>
      <CardBody className="space-y-5">
        {review.liveNote ? (
          <p role="note" className="flex gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <svg viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0" fill="none" stroke="currentColor" strokeWidth={1.8} aria-hidden>
              <path d="M10 3l8 14H2L10 3z" strokeLinejoin="round" />
              <path d="M10 8v4M10 14.5v.5" strokeLinecap="round" />
            </svg>
            <span>{review.liveNote}</span>
          </p>
        ) : null}

        {stage ? (
          <dl className="space-y-1.5 rounded-lg bg-zinc-50 px-3 py-2.5">
            <Fact label="Current stage">
              {stage.index + 1} of {stage.count} · {stage.name}
            </Fact>
            <Fact label="Due" tone={stage.overdue ? 'danger' : undefined}>
              {stage.dueLabel} <span className="text-xs font-normal text-zinc-500">({formatDateTime(stage.dueAt)})</span>
            </Fact>
            <Fact label="Waiting on">{stage.pendingReviewers.length > 0 ? stage.pendingReviewers.join(', ') : 'Nobody: the stage is settling'}</Fact>
            <Fact label="Reminded">{stage.remindedAt ? formatDateTime(stage.remindedAt) : 'Not yet'}</Fact>
            {stage.escalatedAt ? (
              <Fact label="Escalated" tone="warning">
                {formatDateTime(stage.escalatedAt)}
              </Fact>
            ) : stage.escalationDueAt ? (
              <Fact label="Escalates">{formatDateTime(stage.escalationDueAt)}</Fact>
            ) : null}
          </dl>
        ) : null}

        <ol className="relative space-y-5">
          {review.stages.map((entry, position) => (
            <li key={entry.index} className="relative pl-9">
              {position < review.stages.length - 1 ? (
                <span aria-hidden className={cn('absolute top-7 bottom-[-1.25rem] left-3 w-px', entry.state === 'done' ? 'bg-damson-300' : 'bg-zinc-200')} />
              ) : null}
              <span
                aria-hidden
                className={cn(
                  'absolute top-0 left-0 flex size-6 items-center justify-center rounded-full text-xs font-semibold',
                  entry.state === 'done' && 'bg-emerald-100 text-emerald-700',
                  entry.state === 'current' && 'bg-damson-600 text-white',
                  (entry.state === 'upcoming' || entry.state === 'skipped') && 'border border-zinc-300 bg-white text-zinc-500',
                )}
              >
                {entry.state === 'done' ? <CheckIcon className="size-3.5" /> : entry.index + 1}
              </span>
              <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
                {entry.name}
                {entry.state === 'current' ? <Badge tone="accent">Current</Badge> : null}
                {entry.state === 'upcoming' ? <span className="text-xs font-normal text-zinc-400">Upcoming</span> : null}
                {entry.state === 'skipped' ? <span className="text-xs font-normal text-zinc-400">Not reached</span> : null}
              </p>
              <p className="text-xs text-zinc-500">
                {entry.quorum} · due {entry.dueHours} h after the stage starts
              </p>
              <ul className="mt-2 space-y-2">
                {entry.reviewers.map((reviewer) => (
                  <li key={reviewer.id} className="text-sm">
                    <div className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
                      <span className="truncate text-zinc-700">{reviewer.name}</span>
                      {reviewer.decision ? (
                        <Badge tone={DECISION_TONE[reviewer.decision]}>{DECISION_LABEL[reviewer.decision]}</Badge>
                      ) : entry.state === 'current' ? (
                        <span className="text-xs font-medium text-amber-700">Pending</span>
                      ) : (
                        <span className="text-xs text-zinc-400">{entry.state === 'done' ? 'Did not decide' : '—'}</span>
                      )}
                    </div>
                    {reviewer.decidedAt ? <p className="text-xs text-zinc-500">{formatDateTime(reviewer.decidedAt)}</p> : null}
                    {reviewer.comment ? (
                      <p className="mt-1 rounded-md bg-zinc-50 px-2.5 py-1.5 text-sm break-words whitespace-pre-line text-zinc-700">{reviewer.comment}</p>
                    ) : null}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>

      </CardBody>
    </Card>
  )
}
