/**
 * An asset's metadata: the fifteen Dublin Core elements, the custom fields of the
 * schema that applies to it (by folder or kind; admins define schemas), and its tags.
 * Values are validated on the server against the schema. Required fields may be
 * saved empty, but a version of the asset waits ("Needs metadata") until they are
 * filled in; saving them all signals its ingest, which then opens the review.
 *
 * A page of its own (`$assetId_`), not nested in the asset page: the form needs the width.
 *
 * GET: library:view-all (admin, librarian, reviewer, legal; read-only without asset:edit).
 * POST: asset:edit (admin, librarian).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { CustomFieldInput } from '~/components/metadata/custom-field-input'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, cn, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { DUBLIN_CORE_ELEMENTS } from '~/domain/dublin-core'
import { hasPermission } from '~/domain/roles'
import { handleAppErrors } from '~/http.server'
import { getAssetMetadataForm, metadataChangeFromForm, saveAssetMetadata } from '~/metadata/asset-metadata.server'
import { DC_PREFIX, FIELD_PREFIX } from '~/metadata/metadata-views'
import { getClientIp } from '~/request.server'

const ParamsSchema = z.object({ assetId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
const NoticeSchema = z.object({ saved: z.enum(['1', 'unchanged']).optional().catch(undefined) })

/** Long elements get a text area. */
const MULTILINE = new Set(['description', 'rights', 'subject'])

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `Metadata · ${loaded?.form.asset.title ?? 'Asset'} · Damson` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'library:view-all')
    const { assetId } = ParamsSchema.parse(params)
    const notice = NoticeSchema.parse(Object.fromEntries(new URL(request.url).searchParams)).saved ?? null
    const form = await getAssetMetadataForm({ db: getDb(), assetId })
    return data({ form, notice, canEdit: hasPermission(user.roles, 'asset:edit') }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'asset:edit')
    const { assetId } = ParamsSchema.parse(params)
    const db = getDb()
    const current = await getAssetMetadataForm({ db, assetId })
    const parsed = metadataChangeFromForm(await request.formData(), current.schema?.fields ?? [])
    if (!parsed.ok) return data({ errors: parsed.errors, sent: parsed.sent }, { status: 400 })
    const saved = await saveAssetMetadata({ db, assetId, actorId: user.id, change: parsed.change, ipAddress: getClientIp(request) })
    if (!saved.ok) {
      const errors = Object.fromEntries(Object.entries(saved.errors).map(([key, message]) => [`${FIELD_PREFIX}${key}`, message]))
      return data({ errors, sent: parsed.sent }, { status: 400 })
    }
    return redirect(`/library/assets/${assetId}/metadata?saved=${saved.changed ? '1' : 'unchanged'}`, 303)
  })
}

export default function AssetMetadataPage() {
  const { form, notice, canEdit } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const errors: Record<string, string> = actionData?.errors ?? {}
  const sent = actionData?.sent ?? null
  const assetHref = `/library/assets/${form.asset.id}`
  const errorCount = Object.keys(errors).length

  return (
    <div>
      <PageHeader
        eyebrow={
          <span>
            <Link to="/library" className="hover:text-zinc-800">
              Library
            </Link>
            <span className="mx-1.5 text-zinc-300">/</span>
            <Link to={assetHref} className="hover:text-zinc-800">
              {form.asset.title}
            </Link>
          </span>
        }
        title="Metadata"
        description={`Dublin Core${form.schema ? `, the “${form.schema.name}” fields` : ''} and tags of this ${form.asset.kind}. Search finds assets by every value here.`}
        actions={
          <Link to={assetHref} className={buttonClasses({ variant: 'secondary' })}>
            Back to the asset
          </Link>
        }
      />

      {notice ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice === '1' ? 'Metadata saved.' : 'Nothing changed.'}
        </p>
      ) : null}
      {form.missing.length > 0 ? (
        <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Needs metadata: fill in {form.missing.join(', ')}.
          {form.awaitingVersionNumbers.length ? ` Version ${form.awaitingVersionNumbers.join(', ')} goes to review once they are filled in.` : ' New versions wait for them before review.'}
        </p>
      ) : form.awaitingVersionNumbers.length ? (
        <p role="status" className="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
          Every required field is filled in: version {form.awaitingVersionNumbers.join(', ')} is on its way to review.
        </p>
      ) : null}
      {errorCount > 0 ? (
        <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          Nothing was saved: {errorCount === 1 ? 'one value does not fit its field' : `${errorCount} values do not fit their fields`}. See below.
        </p>
      ) : null}

      <Form method="post" className="space-y-6">
        <fieldset disabled={!canEdit || busy} className="grid gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Dublin Core</CardTitle>
            </CardHeader>
            <CardBody className="space-y-4">
              {DUBLIN_CORE_ELEMENTS.map((element) => {
                const name = `${DC_PREFIX}${element.key}`
                const value = sent ? (sent.dublinCore[element.key] ?? '') : (form.dublinCore[element.key] ?? '')
                const error = errors[name]
                const id = `dc-${element.key}`
                return (
                  <div key={element.key} className="space-y-1.5">
                    <label htmlFor={id} className="block text-sm font-medium text-zinc-800">
                      {element.label}
                    </label>
                    {MULTILINE.has(element.key) ? (
                      <textarea
                        id={id}
                        name={name}
                        defaultValue={value}
                        rows={3}
                        maxLength={2000}
                        aria-invalid={Boolean(error) || undefined}
                        aria-describedby={`${id}-hint`}
                        className={cn(
                          'block w-full rounded-md border bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2',
                          error ? 'border-red-400 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
                        )}
                      />
                    ) : (
                      <input
                        id={id}
                        name={name}
                        defaultValue={value}
                        maxLength={2000}
                        aria-invalid={Boolean(error) || undefined}
                        aria-describedby={`${id}-hint`}
                        className={cn(
                          'block h-10 w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2',
                          error ? 'border-red-400 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
                        )}
                      />
                    )}
                    <p id={`${id}-hint`} className="text-xs text-zinc-500">
                      {element.help}
                    </p>
                    {error ? (
                      <p role="alert" className="text-sm text-red-600">
                        {error}
                      </p>
                    ) : null}
                  </div>
                )
              })}
            </CardBody>
          </Card>

          <div className="space-y-6">
            <Card>
              <CardHeader>
                <CardTitle>{form.schema ? form.schema.name : 'Custom fields'}</CardTitle>
              </CardHeader>
              <CardBody className="space-y-4">
                {form.schema ? (
                  form.schema.fields.length ? (
                    <>
                      <p className="text-sm text-zinc-600">
                        Fields marked <span className="text-red-700">*</span> must be filled in before a version goes to review.
                      </p>
                      {form.schema.fields.map((field) => (
                        <CustomFieldInput
                          key={field.key}
                          field={field}
                          value={sent ? (sent.fields[field.key] ?? []) : (form.values[field.key] ?? null)}
                          error={errors[`${FIELD_PREFIX}${field.key}`] ?? null}
                          namePrefix={FIELD_PREFIX}
                        />
                      ))}
                    </>
                  ) : (
                    <p className="text-sm text-zinc-600">The “{form.schema.name}” schema has no fields yet.</p>
                  )
                ) : (
                  <p className="text-sm text-zinc-600">
                    No metadata schema applies to this asset’s folder (<span className="font-mono text-xs">{form.asset.folderPath}</span>) or kind. Admins
                    attach schemas under Administration → Metadata schemas.
                  </p>
                )}
              </CardBody>
            </Card>

            <Card>
              <CardHeader>
                <CardTitle>Tags</CardTitle>
              </CardHeader>
              <CardBody className="space-y-1.5">
                <label htmlFor="tags" className="block text-sm font-medium text-zinc-800">
                  Tags, separated by commas
                </label>
                <input
                  id="tags"
                  name="tags"
                  defaultValue={sent ? sent.tags : form.asset.tags.join(', ')}
                  aria-invalid={Boolean(errors.tags) || undefined}
                  className="block h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100"
                />
                {errors.tags ? (
                  <p role="alert" className="text-sm text-red-600">
                    {errors.tags}
                  </p>
                ) : null}
              </CardBody>
            </Card>
          </div>
        </fieldset>
        {canEdit ? (
          <div className="flex justify-end gap-2">
            <Link to={assetHref} className={buttonClasses({ variant: 'ghost' })}>
              Cancel
            </Link>
            <Button type="submit" disabled={busy}>
              {busy ? 'Saving…' : 'Save metadata'}
            </Button>
          </div>
        ) : (
          <p className="text-sm text-zinc-500">Librarians and admins edit metadata; you are reading it.</p>
        )}
      </Form>
    </div>
  )
}
