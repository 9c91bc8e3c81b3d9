/**
 * One metadata schema (or `new`): its name, the folders and asset kinds it is
 * attached to, and its fields (key, label, type, required, options, help). Works
 * without JavaScript: the table always offers three blank rows for new fields, and a
 * field is removed by ticking "Remove". Values already stored on assets are kept.
 *
 * GET and POST: admin:manage (admin).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, Input, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { FIELD_TYPE_LABELS, FIELD_TYPES, type MetadataField } from '~/domain/metadata-schema'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { ASSET_KINDS } from '~/metadata/metadata-views'
import { getMetadataSchema, saveMetadataSchema, schemaDraftFromForm } from '~/metadata/schemas.server'

const ParamsSchema = z.object({ schemaId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
const BLANK_ROWS = 3

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `${loaded?.schema?.name ?? 'New metadata schema'} · Damson` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const { schemaId } = ParamsSchema.parse(params)
    const schema = schemaId === 'new' ? null : await getMetadataSchema(getDb(), schemaId)
    return data({ schema }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'admin:manage')
    const { schemaId } = ParamsSchema.parse(params)
    const parsed = schemaDraftFromForm(await request.formData())
    if (!parsed.ok) return data({ errors: parsed.errors }, { status: 400 })
    try {
      const id = await saveMetadataSchema({ db: getDb(), id: schemaId === 'new' ? null : schemaId, draft: parsed.draft, actorId: user.id })
      return redirect(`/admin/metadata-schemas?saved=${id}`, 303)
    } catch (error) {
      if (isAppError(error) && error.code === 'CONFLICT') return data({ errors: { name: error.message } }, { status: 409 })
      throw error
    }
  })
}

const selectClasses =
  'block h-10 w-full rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100'

export default function MetadataSchemaPage() {
  const { schema } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const errors: Record<string, string> = actionData?.errors ?? {}
  const rows: (MetadataField | null)[] = [...(schema?.fields ?? []), ...Array.from({ length: BLANK_ROWS }, () => null)]
  // Examples only in the first blank row, so they never read as values.
  const exampleRow = schema?.fields.length ?? 0

  return (
    <div>
      <PageHeader
        eyebrow={
          <Link to="/admin/metadata-schemas" className="hover:text-zinc-800">
            Metadata schemas
          </Link>
        }
        title={schema ? schema.name : 'New metadata schema'}
        description="Fields marked required must be filled in before a version of an asset this schema applies to goes to review."
      />
      {Object.keys(errors).length ? (
        <div role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-medium">Nothing was saved:</p>
          <ul className="mt-1 list-disc pl-5">
            {Object.entries(errors).map(([where, message]) => (
              <li key={where}>
                {where === 'name' || where === 'folderPaths' || where === 'assetKinds' || where === 'fields' ? '' : `${where[0]?.toUpperCase()}${where.slice(1)}: `}
                {message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="post" className="space-y-6">
        <Card>
          <CardHeader>
            <CardTitle>Name and scope</CardTitle>
          </CardHeader>
          <CardBody className="grid gap-5 md:grid-cols-2">
            <div className="space-y-1.5">
              <label htmlFor="name" className="block text-sm font-medium text-zinc-800">
                Name
              </label>
              <Input id="name" name="name" required maxLength={120} defaultValue={schema?.name ?? ''} invalid={Boolean(errors.name)} />
            </div>
            <div className="space-y-1.5">
              <label htmlFor="folderPaths" className="block text-sm font-medium text-zinc-800">
                Folders, one per line
              </label>
              <textarea
                id="folderPaths"
                name="folderPaths"
                rows={3}
                defaultValue={schema?.folderPaths.join('\n') ?? ''}
                placeholder="/campaigns/summer-2027"
                className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100"
              />
              <p className="text-xs text-zinc-500">A folder covers its subfolders. The deepest folder’s schema wins.</p>
            </div>
            <fieldset className="md:col-span-2">
              <legend className="text-sm font-medium text-zinc-800">Asset kinds (when no folder’s schema applies)</legend>
              <div className="mt-2 flex flex-wrap gap-x-5 gap-y-2">
                {ASSET_KINDS.map((kind) => (
                  <label key={kind} className="inline-flex items-center gap-1.5 text-sm text-zinc-800">
                    <input type="checkbox" name="assetKinds" value={kind} defaultChecked={schema?.assetKinds.includes(kind) ?? false} className="size-4 rounded border-zinc-300" />
                    {kind}
                  </label>
                ))}
              </div>
            </fieldset>
          </CardBody>
        </Card>

        <Card className="overflow-x-auto">
          <CardHeader>
            <CardTitle>Fields</CardTitle>
          </CardHeader>
          <table className="w-full min-w-[60rem] text-left text-sm">
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                <th className="px-3 py-2">Key</th>
                <th className="px-3 py-2">Label</th>
                <th className="px-3 py-2">Type</th>
                <th className="px-3 py-2">Options (select types, comma-separated)</th>
                <th className="px-3 py-2">Help</th>
                <th className="px-3 py-2">Required</th>
                <th className="px-3 py-2">Remove</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {rows.map((field, index) => (
                <tr key={index} className="align-top">
                  <td className="px-3 py-2">
                    <Input name={`fields.${index}.key`} defaultValue={field?.key ?? ''} aria-label={`Field ${index + 1} key`} placeholder={index === exampleRow ? 'campaign' : undefined} className="font-mono" />
                  </td>
                  <td className="px-3 py-2">
                    <Input name={`fields.${index}.label`} defaultValue={field?.label ?? ''} aria-label={`Field ${index + 1} label`} placeholder={index === exampleRow ? 'Campaign' : undefined} />
                  </td>
                  <td className="px-3 py-2">
                    <select name={`fields.${index}.type`} defaultValue={field?.type ?? 'text'} aria-label={`Field ${index + 1} type`} className={selectClasses}>
                      {FIELD_TYPES.map((type) => (
                        <option key={type} value={type}>
                          {FIELD_TYPE_LABELS[type]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="px-3 py-2">
                    <Input name={`fields.${index}.options`} defaultValue={field?.options.join(', ') ?? ''} aria-label={`Field ${index + 1} options`} placeholder={index === exampleRow ? 'EU, US' : undefined} />
                  </td>
                  <td className="px-3 py-2">
                    <Input name={`fields.${index}.help`} defaultValue={field?.help ?? ''} aria-label={`Field ${index + 1} help`} />
                  </td>
                  <td className="px-3 py-2 text-center">
                    <input type="checkbox" name={`fields.${index}.required`} defaultChecked={field?.required ?? false} aria-label={`Field ${index + 1} required`} className="mt-3 size-4 rounded border-zinc-300" />
                  </td>
                  <td className="px-3 py-2 text-center">
                    {field ? <input type="checkbox" name={`fields.${index}.remove`} aria-label={`Remove field ${index + 1}`} className="mt-3 size-4 rounded border-zinc-300" /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="px-5 py-3 text-xs text-zinc-500">Blank rows are ignored; save to get three more. Removing a field keeps the values already stored on assets.</p>
        </Card>

        <div className="flex justify-end gap-2">
          <Link to="/admin/metadata-schemas" className={buttonClasses({ variant: 'ghost' })}>
            Cancel
          </Link>
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save schema'}
          </Button>
        </div>
      </Form>
    </div>
  )
}
