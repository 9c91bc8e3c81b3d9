/**
 * Metadata schemas: the custom fields assets carry beyond Dublin Core, attached to
 * folders (deepest wins) or asset kinds. Required fields must be filled in before a
 * version goes to review.
 *
 * GET: admin:manage (admin).
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { Badge, buttonClasses, Card, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { listMetadataSchemas } from '~/metadata/schemas.server'

export const meta: MetaFunction = () => [{ title: 'Metadata schemas · Damson' }]

const NoticeSchema = z.object({ saved: z.string().max(64).optional().catch(undefined) })

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const query = NoticeSchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const schemas = await listMetadataSchemas(getDb())
    const saved = query.saved ? schemas.find((schema) => schema.id === query.saved) : undefined
    return data({ schemas, notice: saved ? `Saved “${saved.name}”.` : null }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export default function MetadataSchemas() {
  const { schemas, notice } = useLoaderData<typeof loader>()
  const newLink = (
    <Link to="/admin/metadata-schemas/new" className={buttonClasses()}>
      New schema
    </Link>
  )
  return (
    <div>
      <PageHeader
        eyebrow="Administration"
        title="Metadata schemas"
        description="Custom fields beyond Dublin Core, by folder or asset kind. The deepest folder’s schema applies, else the kind’s. Versions wait for required fields before review."
        actions={newLink}
      />
      {notice ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}
      {schemas.length === 0 ? (
        <EmptyState title="No metadata schemas yet" description="Assets carry Dublin Core and tags only until you add a schema." action={newLink} />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2.5">
                  Name
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Applies to
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Fields
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {schemas.map((schema) => (
                <tr key={schema.id} className="align-top hover:bg-zinc-50">
                  <td className="px-4 py-3">
                    <Link to={`/admin/metadata-schemas/${schema.id}`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                      {schema.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3">
                    <ul className="flex flex-wrap gap-1.5">
                      {schema.folderPaths.map((folder) => (
                        <li key={folder}>
                          <Badge>
                            <span className="text-zinc-500">Folder</span> <span className="font-mono">{folder}</span>
                          </Badge>
                        </li>
                      ))}
                      {schema.assetKinds.map((kind) => (
                        <li key={kind}>
                          <Badge tone="info">
                            <span className="text-sky-600">Kind</span> {kind}
                          </Badge>
                        </li>
                      ))}
                      {schema.folderPaths.length + schema.assetKinds.length === 0 ? <li className="text-zinc-500">Nothing yet</li> : null}
                    </ul>
                  </td>
                  <td className="px-4 py-3 text-zinc-700">
                    {schema.fieldCount} {schema.fieldCount === 1 ? 'field' : 'fields'}
                    {schema.requiredCount ? `, ${schema.requiredCount} required` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  )
}
