/**
 * Set rights on many assets at once: one grant, same terms, added to every asset of a
 * collection or of a list of assets (ticked in the library, or pasted). All grants
 * are written in one transaction; the page reports how many.
 *
 * GET and POST: rights:edit (admin, legal). GET `?assetId=…&assetId=…` preselects
 * assets (the library's "Set rights…" button), `?collectionId=` a collection.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { controlClasses, controlState, GrantFields } from '~/components/rights/grant-fields'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, FieldError, Label, PageHeader, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'
import {
  addGrantToAssets,
  listBulkCollections,
  MAX_BULK_ASSETS,
  parseAssetIdList,
  resolveBulkTarget,
  type BulkTarget,
} from '~/rights/bulk-grants.server'
import { grantDraftFromForm, type GrantDraft, type GrantFieldErrors } from '~/rights/grant-terms'
import { defaultGrantDraft, getGrantFormOptions, TIMERS_DEFERRED_MESSAGE } from '~/rights/grants.server'

export const meta: MetaFunction = () => [{ title: 'Set rights on many assets · Damson' }]

const DoneSchema = z.object({
  added: z.coerce.number().int().min(0).max(MAX_BULK_ASSETS).optional().catch(undefined),
  deferred: z.coerce.number().int().min(0).max(MAX_BULK_ASSETS).optional().catch(undefined),
  collectionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined),
})

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'rights:edit')
    const search = new URL(request.url).searchParams
    const done = DoneSchema.parse(Object.fromEntries(search))
    const picked = parseAssetIdList(search.getAll('assetId').slice(0, MAX_BULK_ASSETS))
    const db = getDb()
    const [collections, choices, draft, selection] = await Promise.all([
      listBulkCollections({ db }),
      getGrantFormOptions({ db }),
      defaultGrantDraft({ db, actorId: user.id }),
      picked.ids.length > 0 ? resolveBulkTarget({ db, target: { kind: 'assets', assetIds: picked.ids } }) : null,
    ])
    return data(
      {
        collections,
        choices,
        draft,
        selected: selection?.assets ?? [],
        collectionId: done.collectionId && collections.some((collection) => collection.id === done.collectionId) ? done.collectionId : '',
        result:
          done.added !== undefined
            ? {
                added: done.added,
                timersMessage: done.deferred ? `${TIMERS_DEFERRED_MESSAGE} (${done.deferred} of ${done.added} assets)` : null,
              }
            : null,
        maxAssets: MAX_BULK_ASSETS,
      },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

type ActionAnswer = {
  fieldErrors: GrantFieldErrors
  targetError: string | null
  draft: GrantDraft
  target: { kind: 'assets' | 'collection'; assetIds: string; collectionId: string }
}

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'rights:edit')
    const form = await request.formData()
    const draft = grantDraftFromForm(form)
    const posted = {
      kind: form.get('target') === 'collection' ? ('collection' as const) : ('assets' as const),
      assetIds: String(form.get('assetIds') ?? '').slice(0, 100_000),
      collectionId: String(form.get('collectionId') ?? ''),
    }
    const refuse = (answer: Partial<ActionAnswer>, status: number) =>
      data<ActionAnswer>({ fieldErrors: {}, targetError: null, draft, target: posted, ...answer }, { status })

    let target: BulkTarget
    if (posted.kind === 'collection') {
      if (!posted.collectionId) return refuse({ targetError: 'Choose a collection.' }, 400)
      target = { kind: 'collection', collectionId: posted.collectionId }
    } else {
      const { ids, invalid } = parseAssetIdList(posted.assetIds)
      if (invalid.length > 0) return refuse({ targetError: `Not asset ids: ${invalid.slice(0, 5).join(', ')}. Paste ids or library links, one per line.` }, 400)
      if (ids.length === 0) return refuse({ targetError: 'Choose at least one asset: tick them in the library, or paste their ids.' }, 400)
      target = { kind: 'assets', assetIds: ids }
    }
    try {
      const result = await addGrantToAssets({ db: getDb(), target, input: draft, actorId: user.id, ipAddress: getClientIp(request) })
      if (!result.ok) return refuse({ fieldErrors: result.fieldErrors }, 400)
      const search = new URLSearchParams({ added: String(result.created), deferred: String(result.timers.deferred) })
      if (result.collection) search.set('collectionId', result.collection.id)
      return redirect(`/rights/bulk?${search.toString()}`, 303)
    } catch (error) {
      if (isAppError(error) && error.code !== 'UNAVAILABLE') return refuse({ targetError: error.message }, error.status)
      throw error
    }
  })
}

export default function BulkRightsPage() {
  const { collections, choices, draft, selected, collectionId, result, maxAssets } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const initialKind = answer?.target.kind ?? (selected.length === 0 && collections.length > 0 ? 'collection' : 'assets')
  const [kind, setKind] = useState<'assets' | 'collection'>(initialKind)
  const assetIdsText = answer?.target.assetIds ?? selected.map((asset) => asset.id).join('\n')
  const targetError = answer?.targetError ?? null

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader
        eyebrow={
          <Link to="/rights/expiring" className="hover:text-zinc-800">
            Rights
          </Link>
        }
        title="Set rights on many assets"
        description="Adds one grant with the same terms to each asset. Existing grants stay as they are; all grants are written together or not at all."
      />

      {result ? (
        <div role="status" className="mb-4 space-y-1 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          <p>
            Added a grant to {result.added} {result.added === 1 ? 'asset' : 'assets'}.
          </p>
          {result.timersMessage ? <p className="text-amber-900">{result.timersMessage}</p> : null}
        </div>
      ) : null}

      <Form method="post" noValidate className="space-y-6">
        <Card>
          <CardHeader>
            <CardTitle>1. Which assets</CardTitle>
          </CardHeader>
          <CardBody className="space-y-4">
            <div className="grid gap-4 sm:grid-cols-2">
              <div
                className={cn(
                  'flex flex-col gap-3 rounded-lg border p-4',
                  kind === 'assets' ? 'border-damson-400 bg-damson-50/40 ring-1 ring-damson-200' : 'border-zinc-200',
                )}
              >
                <label className="flex cursor-pointer items-center gap-2 text-sm font-medium text-zinc-900">
                  <input type="radio" name="target" value="assets" checked={kind === 'assets'} onChange={() => setKind('assets')} />
                  Chosen assets
                </label>
                {selected.length > 0 ? (
                  <ul aria-label={`${selected.length} chosen in the library`} className="max-h-40 space-y-0.5 overflow-y-auto text-sm text-zinc-700">
                    {selected.map((asset) => (
                      <li key={asset.id} className="truncate">
                        {asset.title}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-sm text-zinc-500">
                    Tick assets in the <Link to="/library" className="text-damson-700 hover:underline">library</Link> and choose “Set rights…”, or paste ids below.
                  </span>
                )}
                <div className="space-y-1">
                  <label htmlFor="bulk-asset-ids" className="block text-xs text-zinc-500">
                    Asset ids or library links, one per line (at most {maxAssets.toLocaleString('en-GB')})
                  </label>
                  <textarea
                    id="bulk-asset-ids"
                    name="assetIds"
                    rows={4}
                    defaultValue={assetIdsText}
                    onFocus={() => setKind('assets')}
                    className={cn(controlClasses, 'py-2 font-mono text-xs', controlState(Boolean(targetError && kind === 'assets')))}
                  />
                </div>
              </div>
              <div
                className={cn(
                  'flex flex-col gap-3 rounded-lg border p-4',
                  kind === 'collection' ? 'border-damson-400 bg-damson-50/40 ring-1 ring-damson-200' : 'border-zinc-200',
                )}
              >
                <label className="flex cursor-pointer items-center gap-2 text-sm font-medium text-zinc-900">
                  <input type="radio" name="target" value="collection" checked={kind === 'collection'} onChange={() => setKind('collection')} />
                  Every asset of a collection
                </label>
                <div className="space-y-1">
                  <Label htmlFor="bulk-collection" className="sr-only">
                    Collection
                  </Label>
                  <select
                    id="bulk-collection"
                    name="collectionId"
                    defaultValue={answer?.target.collectionId ?? collectionId}
                    onFocus={() => setKind('collection')}
                    className={cn(controlClasses, 'h-10', controlState(Boolean(targetError && kind === 'collection')))}
                  >
                    <option value="">Choose a collection…</option>
                    {collections.map((collection) => (
                      <option key={collection.id} value={collection.id}>
                        {collection.name} ({collection.assetCount} {collection.assetCount === 1 ? 'asset' : 'assets'})
                      </option>
                    ))}
                  </select>
                </div>
                <span className="text-sm text-zinc-500">The assets in it now; ones added later get no grant from this.</span>
              </div>
            </div>
            <FieldError>{targetError}</FieldError>
          </CardBody>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>2. The grant</CardTitle>
          </CardHeader>
          <CardBody>
            <GrantFields idPrefix="bulk" draft={answer?.draft ?? draft} errors={answer?.fieldErrors ?? {}} choices={choices} />
          </CardBody>
        </Card>

        <div className="flex items-center justify-end gap-3">
          <Link to="/library" className={buttonClasses({ variant: 'ghost' })}>
            Cancel
          </Link>
          <Button type="submit" disabled={busy}>
            {busy ? 'Adding grants…' : 'Add the grant to each asset'}
          </Button>
        </div>
      </Form>
    </div>
  )
}
