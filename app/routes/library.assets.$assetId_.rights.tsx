/**
 * An asset's usage rights: every grant with its state (in force, expiring soon,
 * embargoed, expired, revoked), terms and releases. Legal and admins add, edit,
 * extend and revoke grants and attach releases here; other staff read.
 *
 * A page of its own (`$assetId_`), not nested in the asset page: the grants and their
 * forms need the full width.
 *
 * GET: library:view-all (admin, librarian, reviewer, legal).
 * POST: rights:edit (admin, legal) — `intent` create | update | revoke | extend, or a
 * multipart form (a release upload: grantId, kind, file).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { GrantCard, type GrantActionError } from '~/components/rights/grant-card'
import { GrantFields } from '~/components/rights/grant-fields'
import { GrantStateBadge } from '~/components/rights/grant-state-badge'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { declaredTooLarge } from '~/library/upload-http.server'
import { getClientIp } from '~/request.server'
import { GRANT_STATES } from '~/rights/grant-state'
import { grantDraftFromForm, type GrantDraft, type GrantFieldErrors } from '~/rights/grant-terms'
import {
  createGrant,
  defaultGrantDraft,
  extendGrant,
  getGrantFormOptions,
  listAssetGrants,
  revokeGrant,
  TIMERS_DEFERRED_MESSAGE,
  updateGrant,
  type TimersOutcome,
} from '~/rights/grants.server'
import { receiveReleaseUpload, RELEASE_ACCEPT, RELEASE_MAX_BYTES } from '~/rights/releases.server'
import { getStorage } from '~/storage.server'

const ParamsSchema = z.object({ assetId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)

const NOTICES = {
  created: 'Grant added.',
  updated: 'Grant saved.',
  unchanged: 'Nothing changed; the grant is as it was.',
  revoked: 'Grant revoked. Partners lose this licence from now on.',
  extended: 'Expiry extended.',
  release: 'Release attached.',
} as const
type NoticeCode = keyof typeof NOTICES

const SearchSchema = z.object({
  edit: IdSchema.optional().catch(undefined),
  notice: z.enum(Object.keys(NOTICES) as [NoticeCode, ...NoticeCode[]]).optional().catch(undefined),
  timers: z.literal('deferred').optional().catch(undefined),
})

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `Rights · ${loaded?.asset.title ?? 'Asset'} · Damson` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'library:view-all')
    const { assetId } = ParamsSchema.parse(params)
    const search = SearchSchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const db = getDb()
    const canEdit = hasPermission(user.roles, 'rights:edit')
    const [rights, choices, newDraft] = await Promise.all([
      listAssetGrants({ db, assetId }),
      canEdit ? getGrantFormOptions({ db }) : null,
      canEdit ? defaultGrantDraft({ db, actorId: user.id }) : null,
    ])
    const editing = canEdit ? rights.grants.find((grant) => grant.id === search.edit && grant.state !== 'revoked') : undefined
    return data(
      {
        ...rights,
        canEdit,
        choices,
        newDraft,
        editGrantId: editing?.id ?? null,
        notice: search.notice ? NOTICES[search.notice] : null,
        timersMessage: search.timers === 'deferred' ? TIMERS_DEFERRED_MESSAGE : null,
        releaseMaxMb: RELEASE_MAX_BYTES / 1024 / 1024,
        releaseAccept: RELEASE_ACCEPT,
      },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

type ActionAnswer =
  | { intent: 'create' | 'update'; grantId: string | null; fieldErrors: GrantFieldErrors; draft: GrantDraft }
  | { intent: string; grantId: string | null; error: string }

function done(assetId: string, notice: NoticeCode, timers: TimersOutcome, grantId: string | null) {
  const search = new URLSearchParams({ notice })
  if (timers === 'deferred') search.set('timers', 'deferred')
  return redirect(`/library/assets/${assetId}/rights?${search.toString()}${grantId ? `#grant-${grantId}` : ''}`, 303)
}

function refused(answer: ActionAnswer, status: number) {
  return data(answer, { status })
}

const ExtendFormSchema = z.union([
  z.object({ grantId: IdSchema, days: z.coerce.number().int() }),
  z.object({ grantId: IdSchema, until: z.string().max(40) }),
])

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'rights:edit')
    const { assetId } = ParamsSchema.parse(params)
    const db = getDb()
    const audit = { actorId: user.id, ipAddress: getClientIp(request) }

    if ((request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data')) {
      const tooLarge = declaredTooLarge(request, RELEASE_MAX_BYTES)
      if (tooLarge) return refused({ intent: 'upload-release', grantId: null, error: `The release is larger than the ${RELEASE_MAX_BYTES / 1024 / 1024} MB limit.` }, 413)
      const receipt = await receiveReleaseUpload({ request, db, storage: getStorage(), assetId, ...audit })
      if (!receipt.ok) return refused({ intent: 'upload-release', grantId: receipt.grantId, error: receipt.message }, receipt.status)
      return done(assetId, 'release', 'planned', receipt.grantId)
    }

    const form = await request.formData()
    const intent = String(form.get('intent') ?? '')
    const grantId = IdSchema.safeParse(form.get('grantId')).data ?? null
    try {
      switch (intent) {
        case 'create': {
          const draft = grantDraftFromForm(form)
          const result = await createGrant({ db, assetId, input: draft, ...audit })
          if (!result.ok) return refused({ intent, grantId: null, fieldErrors: result.fieldErrors, draft }, 400)
          return done(assetId, 'created', result.timers, result.grantId)
        }
        case 'update': {
          const draft = grantDraftFromForm(form)
          if (!grantId) return refused({ intent, grantId, error: 'Choose a grant to edit.' }, 400)
          const result = await updateGrant({ db, grantId, assetId, input: draft, ...audit })
          if (!result.ok) return refused({ intent, grantId, fieldErrors: result.fieldErrors, draft }, 400)
          return done(assetId, result.changed ? 'updated' : 'unchanged', result.timers, grantId)
        }
        case 'revoke': {
          if (!grantId) return refused({ intent, grantId, error: 'Choose a grant to revoke.' }, 400)
          const result = await revokeGrant({ db, grantId, assetId, reason: String(form.get('reason') ?? ''), ...audit })
          return done(assetId, 'revoked', result.timers, grantId)
        }
        case 'extend': {
          const parsed = ExtendFormSchema.safeParse(Object.fromEntries(form))
          if (!parsed.success) return refused({ intent, grantId, error: 'Choose how far to extend the grant.' }, 400)
          const extension = 'days' in parsed.data ? { days: parsed.data.days } : { until: parsed.data.until }
          const result = await extendGrant({ db, grantId: parsed.data.grantId, assetId, extension, ...audit })
          return done(assetId, 'extended', result.timers, parsed.data.grantId)
        }
        default:
          return refused({ intent, grantId, error: 'Unknown action.' }, 400)
      }
    } catch (error) {
      // Refusals (revoked already, expiry not later, …) are shown where the action was; the rest go to the error boundary.
      if (isAppError(error) && error.code !== 'UNAVAILABLE') return refused({ intent, grantId, error: error.message }, error.status)
      throw error
    }
  })
}

// ───────────────────────────── page

export default function AssetRightsPage() {
  const { asset, grants, counts, canEdit, choices, newDraft, editGrantId, notice, timersMessage, releaseMaxMb, releaseAccept } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const pagePath = `/library/assets/${asset.id}/rights`

  const formAnswer = answer && 'fieldErrors' in answer ? answer : null
  const actionError: GrantActionError | null = answer && 'error' in answer && answer.grantId ? { grantId: answer.grantId, intent: answer.intent, message: answer.error } : null
  const pageError = answer && 'error' in answer && !answer.grantId ? answer.error : null
  // A failed edit keeps its form open with what was typed, even if the URL lost ?edit=.
  const editingId = formAnswer?.intent === 'update' ? formAnswer.grantId : editGrantId
  const createAnswer = formAnswer?.intent === 'create' ? formAnswer : null

  return (
    <div>
      <PageHeader
        eyebrow={
          <span>
            <Link to="/library" className="hover:text-zinc-800">
              Library
            </Link>
            <span className="mx-1.5 text-zinc-300">/</span>
            <Link to={`/library/assets/${asset.id}`} className="hover:text-zinc-800">
              {asset.title}
            </Link>
          </span>
        }
        title="Rights"
        description="Licences, permitted channels, territories and partners, embargo and expiry. Partners see the asset only while a grant in force covers their use."
        actions={
          <>
            <Link to={`/library/assets/${asset.id}`} className={buttonClasses({ variant: 'secondary' })}>
              Back to asset
            </Link>
            <Link to="/rights/expiring" className={buttonClasses({ variant: 'ghost' })}>
              Expiring soon
            </Link>
          </>
        }
      />

      {notice ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}
      {timersMessage ? (
        <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {timersMessage} Partners are already blocked or allowed by the new terms; warnings, takedowns and notices follow once it is.
        </p>
      ) : null}
      {pageError ? (
        <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {pageError}
        </p>
      ) : null}

      {grants.length > 0 ? (
        <ul className="mb-5 flex flex-wrap gap-3 text-sm text-zinc-600" aria-label="Grants by state">
          {GRANT_STATES.filter((state) => counts[state] > 0).map((state) => (
            <li key={state} className="flex items-center gap-1.5">
              <GrantStateBadge state={state} />
              <span>{counts[state]}</span>
            </li>
          ))}
        </ul>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-5">
        <section className="space-y-4 lg:col-span-3" aria-label="Grants">
          {grants.length === 0 ? (
            <EmptyState
              title="No grants recorded"
              description="Without grants the asset counts as brand-owned with no restriction: approved, it is usable everywhere. Add a grant to limit channels, territories, partners or time."
            />
          ) : (
            grants.map((grant) =>
              canEdit && choices && grant.id === editingId ? (
                <Card key={grant.id} id={`grant-${grant.id}`} className="scroll-mt-20 ring-2 ring-damson-200">
                  <CardHeader>
                    <CardTitle>Edit grant</CardTitle>
                  </CardHeader>
                  <CardBody>
                    <Form method="post" action={pagePath} preventScrollReset noValidate>
                      <input type="hidden" name="intent" value="update" />
                      <input type="hidden" name="grantId" value={grant.id} />
                      <GrantFields
                        idPrefix={`edit-${grant.id}`}
                        draft={formAnswer?.intent === 'update' ? formAnswer.draft : grant.draft}
                        errors={formAnswer?.intent === 'update' ? formAnswer.fieldErrors : {}}
                        choices={choices}
                      />
                      <div className="mt-5 flex justify-end gap-2">
                        <Link to={`${pagePath}#grant-${grant.id}`} className={buttonClasses({ variant: 'ghost' })}>
                          Cancel
                        </Link>
                        <Button type="submit" disabled={busy}>
                          {busy ? 'Saving…' : 'Save grant'}
                        </Button>
                      </div>
                    </Form>
                  </CardBody>
                </Card>
              ) : (
                <GrantCard
                  key={grant.id}
                  grant={grant}
                  canEdit={canEdit}
                  editHref={`${pagePath}?edit=${grant.id}#grant-${grant.id}`}
                  actionError={actionError}
                  busy={busy}
                  releaseMaxMb={releaseMaxMb}
                  releaseAccept={releaseAccept}
                />
              ),
            )
          )}
        </section>

        <aside className="lg:col-span-2">
          {canEdit && choices && newDraft ? (
            <Card id="new-grant" className="scroll-mt-20">
              <CardHeader>
                <CardTitle>Add a grant</CardTitle>
              </CardHeader>
              <CardBody>
                <Form method="post" action={pagePath} preventScrollReset noValidate>
                  <input type="hidden" name="intent" value="create" />
                  <GrantFields idPrefix="new" draft={createAnswer?.draft ?? newDraft} errors={createAnswer?.fieldErrors ?? {}} choices={choices} />
                  <div className="mt-5 flex justify-end">
                    <Button type="submit" disabled={busy}>
                      {busy ? 'Adding…' : 'Add grant'}
                    </Button>
                  </div>
                </Form>
              </CardBody>
            </Card>
          ) : (
            <Card>
              <CardBody className="text-sm text-zinc-600">
                Read only. Legal and administrators record and change rights; ask them if something here looks wrong.
              </CardBody>
            </Card>
          )}
        </aside>
      </div>
    </div>
  )
}
