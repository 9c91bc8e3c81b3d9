/**
 * One stage in the review policy editor: name, due time, who must approve, and who
 * reviews (everyone with a role and/or named people). Moving and removing are
 * submit buttons (`intent=move-stage-up:<i>` …), so the editor works without JavaScript.
 */
import { Badge, Button, Field, FieldError, cn } from '~/components/ui'
import { REVIEW_POLICY_LIMITS } from '~/domain/review-policy'
import { stageElementId, stageErrorKey, stageFieldName, type PolicyFieldErrors, type StageDraft } from './policy-form'

export type ReviewerOption = { id: string; name: string; email: string; roles: readonly string[]; canReview: boolean }

export const selectClasses =
  'block h-10 w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2'

export function selectStateClasses(invalid: boolean): string {
  return invalid
    ? 'border-red-400 focus:border-red-500 focus:ring-red-200'
    : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100'
}

const ROLE_OPTIONS = [
  { value: '', label: 'Nobody by role (named reviewers only)' },
  { value: 'reviewer', label: 'Everyone with the reviewer role' },
  { value: 'admin', label: 'Everyone with the admin role' },
] as const

const ROLE_NAMES: Record<string, string> = { admin: 'Admin', reviewer: 'Reviewer' }

export function StageFields({
  index,
  count,
  stage,
  errors,
  reviewers,
}: {
  index: number
  /** How many stages the policy has (for the move and remove buttons). */
  count: number
  stage: StageDraft
  errors: PolicyFieldErrors
  reviewers: readonly ReviewerOption[]
}) {
  const number = index + 1
  const id = (field: keyof StageDraft) => stageFieldName(index, field)
  const error = (field: keyof StageDraft) => errors[stageErrorKey(index, field)]
  const quorumError = error('quorum') ?? error('quorumCount')
  const reviewersError = error('reviewerIds')
  const selected = new Set(stage.reviewerIds)

  return (
    <fieldset
      id={stageElementId(index)}
      tabIndex={-1}
      className="rounded-lg border border-zinc-200 bg-zinc-50/60 p-4 focus:outline-none focus-visible:ring-2 focus-visible:ring-damson-200"
    >
      <legend className="sr-only">
        Stage {number}
        {stage.name ? `: ${stage.name}` : ''}
      </legend>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h3 aria-hidden className="flex items-center gap-2 text-sm font-semibold text-zinc-900">
          <span className="grid size-6 place-items-center rounded-full bg-damson-600 text-xs font-semibold text-white">{number}</span>
          Stage {number}
        </h3>
        <div className="flex flex-wrap gap-1">
          <Button type="submit" name="intent" value={`move-stage-up:${index}`} variant="ghost" size="sm" disabled={index === 0} formNoValidate>
            <span aria-hidden>↑</span> Move up<span className="sr-only"> stage {number}</span>
          </Button>
          <Button
            type="submit"
            name="intent"
            value={`move-stage-down:${index}`}
            variant="ghost"
            size="sm"
            disabled={index === count - 1}
            formNoValidate
          >
            <span aria-hidden>↓</span> Move down<span className="sr-only"> stage {number}</span>
          </Button>
          {count > 1 ? (
            <Button
              type="submit"
              name="intent"
              value={`remove-stage:${index}`}
              variant="ghost"
              size="sm"
              className="text-red-700 hover:bg-red-50 hover:text-red-800"
              formNoValidate
            >
              Remove<span className="sr-only"> stage {number}</span>
            </Button>
          ) : null}
        </div>
      </div>

      <div className="grid gap-4 sm:grid-cols-[1fr_12rem]">
        <Field
          id={id('name')}
          name={id('name')}
          label="Stage name"
          defaultValue={stage.name}
          maxLength={REVIEW_POLICY_LIMITS.stageNameLength}
          placeholder="Brand, Legal, Regional…"
          errors={error('name')}
          required
        />
        <Field
          id={id('dueHours')}
          name={id('dueHours')}
          label="Due within (hours)"
          type="number"
          inputMode="numeric"
          min={REVIEW_POLICY_LIMITS.minDueHours}
          max={REVIEW_POLICY_LIMITS.maxDueHours}
          step={1}
          defaultValue={stage.dueHours}
          errors={error('dueHours')}
          hint={`1 to ${REVIEW_POLICY_LIMITS.maxDueHours} (30 days)`}
          required
        />
      </div>

      <fieldset className="mt-5" aria-describedby={quorumError ? `${id('quorum')}-error` : undefined}>
        <legend className="text-sm font-medium text-zinc-800">Who must approve</legend>
        <div className="mt-2 flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:items-center sm:gap-x-6">
          <Choice name={id('quorum')} value="all" checked={stage.quorum === 'all'} label="All of them" />
          <Choice name={id('quorum')} value="any" checked={stage.quorum === 'any'} label="Any one of them" />
          <span className="inline-flex items-center gap-2">
            <Choice name={id('quorum')} value="count" checked={stage.quorum === 'count'} label="At least" />
            <input
              id={id('quorumCount')}
              name={id('quorumCount')}
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              step={1}
              defaultValue={stage.quorumCount}
              aria-label={`Stage ${number}: approvals needed`}
              aria-invalid={error('quorumCount') ? true : undefined}
              className={cn('h-8 w-20 shrink-0 rounded-md border bg-white px-2 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2', selectStateClasses(Boolean(error('quorumCount'))))}
            />
            <span className="whitespace-nowrap text-sm text-zinc-700">of them</span>
          </span>
        </div>
        <p className="mt-1.5 text-sm text-zinc-500">
          One rejection or change request ends the review at once. If fewer people can review than the number asked for, all of them must approve.
        </p>
        <FieldError id={`${id('quorum')}-error`}>{quorumError}</FieldError>
      </fieldset>

      <fieldset className="mt-5" aria-describedby={reviewersError ? `${id('reviewerIds')}-error` : undefined}>
        <legend className="text-sm font-medium text-zinc-800">Reviewers</legend>
        <p className="mt-0.5 text-sm text-zinc-500">Everyone with a role, named people, or both. Role holders are looked up when each review starts.</p>
        <div className="mt-3 space-y-1.5">
          <label htmlFor={id('reviewerRole')} className="block text-sm text-zinc-700">
            By role
          </label>
          <select
            id={id('reviewerRole')}
            name={id('reviewerRole')}
            defaultValue={stage.reviewerRole}
            aria-invalid={error('reviewerRole') ? true : undefined}
            className={cn(selectClasses, selectStateClasses(Boolean(error('reviewerRole'))), 'sm:max-w-sm')}
          >
            {ROLE_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <FieldError>{error('reviewerRole')}</FieldError>
        </div>

        <p className="mt-4 text-sm text-zinc-700" id={`${id('reviewerIds')}-label`}>
          Named reviewers
        </p>
        {reviewers.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-500">Nobody in the brand holds the reviewer or admin role yet.</p>
        ) : (
          <ul
            aria-labelledby={`${id('reviewerIds')}-label`}
            className={cn(
              'mt-1.5 grid max-h-60 gap-px overflow-y-auto rounded-md border bg-zinc-200 sm:grid-cols-2',
              reviewersError ? 'border-red-400' : 'border-zinc-200',
            )}
          >
            {reviewers.map((reviewer) => {
              const inputId = `${id('reviewerIds')}-${reviewer.id}`
              return (
                <li key={reviewer.id} className="bg-white">
                  <label htmlFor={inputId} className="flex cursor-pointer items-start gap-3 px-3 py-2 hover:bg-zinc-50">
                    <input
                      id={inputId}
                      type="checkbox"
                      name={id('reviewerIds')}
                      value={reviewer.id}
                      defaultChecked={selected.has(reviewer.id)}
                      className="mt-0.5 size-4 rounded border-zinc-300 text-damson-600 accent-damson-600 focus:ring-damson-500"
                    />
                    <span className="min-w-0 flex-1">
                      <span className="flex flex-wrap items-center gap-1.5 text-sm font-medium text-zinc-900">
                        {reviewer.name}
                        {reviewer.canReview ? (
                          reviewer.roles.map((role) => (
                            <Badge key={role} tone={role === 'admin' ? 'accent' : 'neutral'}>
                              {ROLE_NAMES[role] ?? role}
                            </Badge>
                          ))
                        ) : (
                          <Badge tone="danger">Cannot review</Badge>
                        )}
                      </span>
                      <span className="block truncate text-xs text-zinc-500">{reviewer.email}</span>
                    </span>
                  </label>
                </li>
              )
            })}
          </ul>
        )}
        <FieldError id={`${id('reviewerIds')}-error`}>{reviewersError}</FieldError>
      </fieldset>
    </fieldset>
  )
}

function Choice({ name, value, checked, label }: { name: string; value: string; checked: boolean; label: string }) {
  const inputId = `${name}-${value}`
  return (
    <label htmlFor={inputId} className="inline-flex cursor-pointer items-center gap-2 whitespace-nowrap text-sm text-zinc-800">
      <input
        id={inputId}
        type="radio"
        name={name}
        value={value}
        defaultChecked={checked}
        className="size-4 border-zinc-300 text-damson-600 accent-damson-600 focus:ring-damson-500"
      />
      {label}
    </label>
  )
}
