/**
 * Bulk edit of the assets ticked in the library: set Dublin Core elements and custom
 * fields, add and remove tags, for all of them at once. Only what is filled in
 * changes. Each asset is validated against its own schema: those that cannot take a
 * value are listed with the reason and left as they were; the rest are saved,
 * audited, reindexed, and their versions waiting for metadata are signalled.
 *
 * GET (`?assetId=…&assetId=…`, the library's form) and POST: asset:edit (admin, librarian).
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { CustomFieldInput } from '~/components/metadata/custom-field-input'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, EmptyState, Input, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { DUBLIN_CORE_ELEMENTS } from '~/domain/dublin-core'
import { handleAppErrors } from '~/http.server'
import { bulkChangeFromForm, bulkEditMetadata, getBulkEditContext, type BulkEditOutcome } from '~/metadata/asset-metadata.server'
import { BULK_EDIT_MAX_ASSETS, DC_PREFIX, FIELD_PREFIX } from '~/metadata/metadata-views'
import { getClientIp } from '~/request.server'

const AssetIdsSchema = z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).max(BULK_EDIT_MAX_ASSETS, `Edit at most ${BULK_EDIT_MAX_ASSETS} assets at once`)

export const meta: MetaFunction = () => [{ title: 'Bulk edit metadata · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'asset:edit')
    const ids = AssetIdsSchema.safeParse(new URL(request.url).searchParams.getAll('assetId'))
    if (!ids.success) return data({ context: null, refusal: ids.error.issues[0]?.message ?? 'Tick assets in the library' }, { status: 400 })
    const context = await getBulkEditContext({ db: getDb(), assetIds: ids.data })
    return data({ context, refusal: null }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

type ActionResult = { outcome: BulkEditOutcome | null; errors: Record<string, string> }

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'asset:edit')
    const formData = await request.formData()
    const ids = AssetIdsSchema.safeParse(formData.getAll('assetId').map(String))
    if (!ids.success || ids.data.length === 0) {
      return data<ActionResult>({ outcome: null, errors: { form: ids.success ? 'Tick at least one asset in the library' : (ids.error.issues[0]?.message ?? 'Bad selection') } }, { status: 400 })
    }
    const db = getDb()
    const context = await getBulkEditContext({ db, assetIds: ids.data })
    const parsed = bulkChangeFromForm(formData, context.fields)
    if (!parsed.ok) return data<ActionResult>({ outcome: null, errors: parsed.errors }, { status: 400 })
    const outcome = await bulkEditMetadata({ db, assetIds: ids.data, actorId: user.id, change: parsed.change, ipAddress: getClientIp(request) })
    return data<ActionResult>({ outcome, errors: {} }, { status: outcome.saved.length === 0 ? 422 : 200 })
  })
}

export default function BulkEdit() {
  const { context, refusal } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const errors = actionData?.errors ?? {}
  const outcome = actionData?.outcome ?? null

  if (!context || context.assets.length === 0) {
    return (
      <EmptyState
        title="No assets ticked"
        description={refusal ?? 'Tick the assets to edit in the library, then choose “Edit metadata…”.'}
        action={
          <Link to="/library" className={buttonClasses({ variant: 'secondary' })}>
            Back to the library
          </Link>
        }
      />
    )
  }
  return (
    <div>
      <PageHeader
        eyebrow={
          <Link to="/library" className="hover:text-zinc-800">
            Library
          </Link>
        }
        title={`Edit metadata of ${context.assets.length} ${context.assets.length === 1 ? 'asset' : 'assets'}`}
        description="Only what you fill in changes; empty fields are left as they are on each asset. Each asset is checked against its own schema."
      />

      {outcome ? (
        <div role="status" className="mb-5 space-y-2">
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
            Saved {outcome.saved.length} of {outcome.saved.length + outcome.refused.length}
            {outcome.saved.some((saved) => !saved.changed) ? ` (${outcome.saved.filter((saved) => !saved.changed).length} already had these values)` : ''}.
          </p>
          {outcome.refused.length ? (
            <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
              <p className="font-medium">Not saved (left as they were):</p>
              <ul className="mt-1 list-disc pl-5">
                {outcome.refused.map((refused) => (
                  <li key={refused.assetId}>
                    <Link to={`/library/assets/${refused.assetId}/metadata`} className="font-medium underline">
                      {refused.title}
                    </Link>
                    : {refused.errors.join('; ')}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}
      {Object.keys(errors).length ? (
        <p role="alert" className="mb-5 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          Nothing was saved: {Object.values(errors).join(' ')}
        </p>
      ) : null}

      <Form method="post" className="grid gap-6 lg:grid-cols-3">
        {context.assets.map((asset) => (
          <input key={asset.id} type="hidden" name="assetId" value={asset.id} />
        ))}
        <Card className="self-start lg:col-span-1">
          <CardHeader>
            <CardTitle>Assets</CardTitle>
          </CardHeader>
          <CardBody>
            <ul className="space-y-1.5 text-sm">
              {context.assets.map((asset) => (
                <li key={asset.id} className="flex justify-between gap-2">
                  <Link to={`/library/assets/${asset.id}`} className="truncate text-zinc-900 hover:text-damson-700">
                    {asset.title}
                  </Link>
                  <span className="shrink-0 text-xs text-zinc-500">{asset.schema ?? 'no schema'}</span>
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>

        <div className="space-y-6 lg:col-span-2">
          <Card>
            <CardHeader>
              <CardTitle>Tags</CardTitle>
            </CardHeader>
            <CardBody className="grid gap-4 sm:grid-cols-2">
              <div className="space-y-1.5">
                <label htmlFor="addTags" className="block text-sm font-medium text-zinc-800">
                  Add tags (comma-separated)
                </label>
                <Input id="addTags" name="addTags" />
              </div>
              <div className="space-y-1.5">
                <label htmlFor="removeTags" className="block text-sm font-medium text-zinc-800">
                  Remove tags (comma-separated)
                </label>
                <Input id="removeTags" name="removeTags" />
              </div>
            </CardBody>
          </Card>

          {context.fields.length ? (
            <Card>
              <CardHeader>
                <CardTitle>Custom fields ({context.schemaNames.join(', ')})</CardTitle>
              </CardHeader>
              <CardBody className="grid gap-4 sm:grid-cols-2">
                {context.fields.map((field) => (
                  <CustomFieldInput key={field.key} field={{ ...field, required: false }} value={null} namePrefix={FIELD_PREFIX} emptyLabel="Leave as it is" />
                ))}
              </CardBody>
            </Card>
          ) : null}

          <Card>
            <CardHeader>
              <CardTitle>Dublin Core</CardTitle>
            </CardHeader>
            <CardBody className="grid gap-4 sm:grid-cols-2">
              {DUBLIN_CORE_ELEMENTS.map((element) => (
                <div key={element.key} className="space-y-1.5">
                  <label htmlFor={`bulk-dc-${element.key}`} className="block text-sm font-medium text-zinc-800">
                    {element.label}
                  </label>
                  <Input id={`bulk-dc-${element.key}`} name={`${DC_PREFIX}${element.key}`} maxLength={2000} placeholder="Leave as it is" />
                </div>
              ))}
            </CardBody>
          </Card>

          <div className="flex justify-end gap-2">
            <Link to="/library" className={buttonClasses({ variant: 'ghost' })}>
              Cancel
            </Link>
            <Button type="submit" disabled={busy}>
              {busy ? 'Saving…' : `Apply to ${context.assets.length} ${context.assets.length === 1 ? 'asset' : 'assets'}`}
            </Button>
          </div>
        </div>
      </Form>
    </div>
  )
}
