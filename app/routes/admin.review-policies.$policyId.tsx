/**
 * Create (`/admin/review-policies/new`) or edit a review policy: its name, what it
 * applies to, and its ordered stages. Works without JavaScript: adding, moving and
 * removing stages are submit buttons the server answers with the edited draft;
 * nothing is stored until "Save policy".
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect } from 'react'
import { requirePermission } from '~/auth.server'
import { ADD_STAGE_ID, ERROR_SUMMARY_ID, stageErrorKey, stageFieldName, type PolicyFieldErrors } from '~/components/review-policies/policy-form'
import { KIND_LABELS } from '~/components/review-policies/policy-summary'
import { StageFields, selectClasses, selectStateClasses } from '~/components/review-policies/stage-fields'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, Field, FieldError, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { ASSET_KINDS, REVIEW_POLICY_LIMITS } from '~/domain/review-policy'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'
import { getPolicyEditor, submitPolicyForm } from '~/review/policies.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `${loaded?.editor.policy ? `${loaded.editor.policy.name} · ` : 'New review policy · '}Review policies · Damson` },
]

/** `new` creates; anything else is a policy id. */
function policyIdFrom(param: string | undefined): string | null {
  return !param || param === 'new' ? null : param
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'policy:manage')
    const editor = await getPolicyEditor({ db: getDb(), policyId: policyIdFrom(params.policyId) })
    return data({ editor }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'policy:manage')
    const outcome = await submitPolicyForm({
      db: getDb(),
      actorId: user.id,
      ipAddress: getClientIp(request),
      policyId: policyIdFrom(params.policyId),
      formData: await request.formData(),
    })
    if (outcome.kind === 'saved') return redirect(`/admin/review-policies?saved=${encodeURIComponent(outcome.policyId)}`)
    if (outcome.kind === 'deleted') return redirect('/admin/review-policies?deleted=1')
    return data(outcome, { status: outcome.status })
  })
}

const TOP_FIELDS = ['name', 'appliesTo', 'assetKind', 'folderPrefix', 'collectionId', 'stages'] as const
const TOP_LABELS: Record<(typeof TOP_FIELDS)[number], string> = {
  name: 'Name',
  appliesTo: 'Applies to',
  assetKind: 'Kind',
  folderPrefix: 'Folder',
  collectionId: 'Collection',
  stages: 'Stages',
}
const STAGE_FIELDS = ['name', 'dueHours', 'quorum', 'quorumCount', 'reviewerRole', 'reviewerIds'] as const
const STAGE_LABELS: Record<(typeof STAGE_FIELDS)[number], string> = {
  name: 'name',
  dueHours: 'due time',
  quorum: 'who must approve',
  quorumCount: 'who must approve',
  reviewerRole: 'role',
  reviewerIds: 'reviewers',
}

type ProblemLink = { key: string; label: string; message: string; href: string }

/** The field errors in the order the form shows the fields, each linking to its field. */
function problemLinks(errors: PolicyFieldErrors, stageCount: number): ProblemLink[] {
  const links: ProblemLink[] = []
  for (const field of TOP_FIELDS) {
    const message = errors[field]
    if (!message) continue
    const target = field === 'appliesTo' ? 'assetKind' : field === 'stages' ? ADD_STAGE_ID : field
    links.push({ key: field, label: TOP_LABELS[field], message, href: `#${target}` })
  }
  for (let index = 0; index < stageCount; index += 1) {
    for (const field of STAGE_FIELDS) {
      const message = errors[stageErrorKey(index, field)]
      if (!message) continue
      // Radio buttons and checkboxes have ids of their own; the nearest single control stands in.
      const target = field === 'quorum' ? stageFieldName(index, 'quorumCount') : field === 'reviewerIds' ? stageFieldName(index, 'reviewerRole') : stageFieldName(index, field)
      links.push({ key: stageErrorKey(index, field), label: `Stage ${index + 1}, ${STAGE_LABELS[field]}`, message, href: `#${target}` })
    }
  }
  // Anything else the server said (a field the form has no place for) still shows.
  const shown = new Set(links.map((link) => link.key))
  for (const [key, message] of Object.entries(errors)) {
    if (!shown.has(key)) links.push({ key, label: 'Policy', message, href: '#name' })
  }
  return links
}

export default function ReviewPolicyEditor() {
  const { editor } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const pendingIntent = busy ? navigation.formData?.get('intent') : null

  const answer = actionData?.kind === 'editing' ? actionData : null
  const draft = answer?.draft ?? editor.draft
  const errors: PolicyFieldErrors = answer?.fieldErrors ?? {}
  const problems = problemLinks(errors, draft.stages.length)
  const isNew = editor.policy === null

  // After a stage is added, moved or removed, put the keyboard where the change happened.
  const focusTarget = answer?.focus ?? null
  const revision = answer?.revision ?? null
  useEffect(() => {
    if (focusTarget) document.getElementById(focusTarget)?.focus()
  }, [focusTarget, revision])

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader
        eyebrow={
          <nav aria-label="Breadcrumb">
            <Link to="/admin/review-policies" className="hover:text-zinc-800">
              Review policies
            </Link>
          </nav>
        }
        title={isNew ? 'New review policy' : editor.policy?.name}
        description="The stages a new version goes through, in order, and who decides each one."
      />

      <p className="mb-5 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
        Saving changes only reviews that start afterwards. Reviews already running keep the stages and reviewers they started with.
      </p>

      {answer?.status === 400 && problems.length > 0 ? (
        <div
          id={ERROR_SUMMARY_ID}
          tabIndex={-1}
          role="alert"
          className="mb-5 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-200"
        >
          <p className="font-medium">The policy was not saved. Fix the fields marked below:</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem.key}>
                <a href={problem.href} className="underline decoration-red-300 underline-offset-2 hover:decoration-red-700">
                  {problem.label}
                </a>
                : {problem.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {/* Keyed by each answer, so the uncontrolled fields take the draft's values. The server's
          messages are shown next to the fields (noValidate), the same with or without JavaScript. */}
      <Form method="post" key={revision ?? 'loaded'} className="space-y-6" noValidate>
        {/* First in the form: pressing Enter in a field saves instead of pressing "Move up". */}
        <button type="submit" name="intent" value="save" tabIndex={-1} aria-hidden className="sr-only">
          Save policy
        </button>

        <Card>
          <CardHeader>
            <CardTitle>Policy</CardTitle>
          </CardHeader>
          <CardBody>
            <Field
              id="name"
              name="name"
              label="Name"
              defaultValue={draft.name}
              maxLength={REVIEW_POLICY_LIMITS.nameLength}
              placeholder="Campaign artwork"
              errors={errors.name}
              required
            />
          </CardBody>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Applies to</CardTitle>
            <p className="mt-1 text-sm text-zinc-500">
              A policy with several criteria applies only to assets matching all of them. When several policies match, a collection beats a folder,
              a folder beats a kind, and the default comes last.
            </p>
          </CardHeader>
          <CardBody className="space-y-5">
            {errors.appliesTo ? (
              <p id="appliesTo-error" role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                {errors.appliesTo}
              </p>
            ) : null}
            <div className="grid gap-5 sm:grid-cols-3">
              <div className="space-y-1.5">
                <label htmlFor="assetKind" className="block text-sm font-medium text-zinc-800">
                  Kind
                </label>
                <select
                  id="assetKind"
                  name="assetKind"
                  defaultValue={draft.assetKind}
                  aria-invalid={errors.assetKind ? true : undefined}
                  aria-describedby={errors.assetKind ? 'assetKind-error' : undefined}
                  className={cn(selectClasses, selectStateClasses(Boolean(errors.assetKind)))}
                >
                  <option value="">Any kind</option>
                  {ASSET_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {KIND_LABELS[kind]}
                    </option>
                  ))}
                </select>
                <FieldError id="assetKind-error">{errors.assetKind}</FieldError>
              </div>
              <Field
                id="folderPrefix"
                name="folderPrefix"
                label="Folder"
                defaultValue={draft.folderPrefix}
                maxLength={REVIEW_POLICY_LIMITS.folderPrefixLength}
                placeholder="/campaigns/summer"
                hint="This folder and every folder inside it."
                errors={errors.folderPrefix}
              />
              <div className="space-y-1.5">
                <label htmlFor="collectionId" className="block text-sm font-medium text-zinc-800">
                  Collection
                </label>
                <select
                  id="collectionId"
                  name="collectionId"
                  defaultValue={draft.collectionId}
                  aria-invalid={errors.collectionId ? true : undefined}
                  aria-describedby={errors.collectionId ? 'collectionId-error' : undefined}
                  className={cn(selectClasses, selectStateClasses(Boolean(errors.collectionId)))}
                >
                  <option value="">Any collection</option>
                  {editor.collections.map((collection) => (
                    <option key={collection.id} value={collection.id}>
                      {collection.name} ({collection.organisationName})
                    </option>
                  ))}
                </select>
                <FieldError id="collectionId-error">{errors.collectionId}</FieldError>
              </div>
            </div>

            <div className="flex items-start gap-3 rounded-md border border-zinc-200 px-4 py-3">
              <input
                id="isDefault"
                name="isDefault"
                type="checkbox"
                defaultChecked={draft.isDefault}
                aria-describedby="isDefault-hint"
                className="mt-0.5 size-4 rounded border-zinc-300 accent-damson-600"
              />
              <div>
                <label htmlFor="isDefault" className="text-sm font-medium text-zinc-800">
                  Default policy
                </label>
                <p id="isDefault-hint" className="text-sm text-zinc-500">
                  For every asset no other policy matches; leave kind, folder and collection empty. Only one policy is the default: saving this
                  one as the default clears it on the others.
                </p>
              </div>
            </div>
          </CardBody>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Stages</CardTitle>
            <p className="mt-1 text-sm text-zinc-500">
              A review goes through the stages in order; each must be approved before the next begins. Up to {REVIEW_POLICY_LIMITS.maxStages}{' '}
              stages.
            </p>
          </CardHeader>
          <CardBody className="space-y-4">
            <FieldError id="stages-error">{errors.stages}</FieldError>
            <ol className="space-y-4">
              {draft.stages.map((stage, index) => (
                <li key={index}>
                  <StageFields index={index} count={draft.stages.length} stage={stage} errors={errors} reviewers={editor.reviewers} />
                </li>
              ))}
            </ol>
            <Button
              id={ADD_STAGE_ID}
              type="submit"
              name="intent"
              value="add-stage"
              variant="secondary"
              formNoValidate
              disabled={draft.stages.length >= REVIEW_POLICY_LIMITS.maxStages}
            >
              <span aria-hidden>+</span> Add stage
            </Button>
          </CardBody>
        </Card>

        <div className="flex items-center justify-end gap-3">
          <Link to="/admin/review-policies" className={buttonClasses({ variant: 'ghost' })}>
            Cancel
          </Link>
          <Button type="submit" name="intent" value="save" disabled={busy}>
            {pendingIntent === 'save' ? 'Saving…' : 'Save policy'}
          </Button>
        </div>
      </Form>

      {editor.policy ? (
        <Card className="mt-10 border-red-200">
          <details className="group">
            <summary className="cursor-pointer list-none rounded-xl px-5 py-4 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-200">
              <span aria-hidden className="mr-2 inline-block transition-transform group-open:rotate-90">
                ›
              </span>
              Delete this policy…
            </summary>
            <Form method="post" className="space-y-3 border-t border-red-100 px-5 py-4">
              <p className="text-sm text-zinc-700">
                Reviews already running keep their stages.{' '}
                {editor.policy.isDefault
                  ? 'Assets no other policy matches will get the built-in policy (any one brand reviewer, due in 48 hours) until another policy is made the default.'
                  : 'New reviews of the assets it covers will follow the next most specific policy, or the default.'}
              </p>
              <Button type="submit" name="intent" value="delete" variant="danger" disabled={busy}>
                {pendingIntent === 'delete' ? 'Deleting…' : `Delete “${editor.policy.name}”`}
              </Button>
            </Form>
          </details>
        </Card>
      ) : null}
    </div>
  )
}
