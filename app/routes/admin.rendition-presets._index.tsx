/**
 * Rendition presets for admins: the built-in ones every image gets at upload
 * (thumbnail, preview, web; read-only) and the admin-defined ones made on demand
 * (`/assets/:assetId/versions/:versionId/presets/:name`). Opens a preset's editor.
 *
 * GET: admin:manage (admin).
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { builtInPresets, listAdminPresets } from '~/assets/preset-renditions.server'
import { requirePermission } from '~/auth.server'
import { Badge, buttonClasses, Card, CardBody, CardHeader, CardTitle, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'

export const meta: MetaFunction = () => [{ title: 'Rendition presets · Damson' }]

const NoticeSchema = z.object({
  saved: z.string().max(64).optional().catch(undefined),
  created: z.literal('1').optional().catch(undefined),
  deleted: z.string().max(64).optional().catch(undefined),
})

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const query = NoticeSchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const presets = await listAdminPresets({ db: getDb() })
    // Notices name presets by looking them up, never by echoing the query string.
    const saved = query.saved ? presets.find((preset) => preset.id === query.saved) : undefined
    const notice = saved
      ? `${query.created ? 'Created' : 'Saved'} “${saved.label}”.${query.created ? '' : ' Files made with the old settings are made afresh on their next request.'}`
      : query.deleted
        ? 'Preset deleted. Links to it now answer “not found”.'
        : null
    return data({ presets, builtIns: builtInPresets(), notice }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export default function RenditionPresetsPage() {
  const { presets, builtIns, notice } = useLoaderData<typeof loader>()
  return (
    <div>
      <PageHeader
        eyebrow="Administration"
        title="Rendition presets"
        description="The sizes and formats people can download images in. Each preset's file is made the first time someone asks for it and kept; crops keep each image's focal point, and usage rights are written into every file."
        actions={
          <Link to="/admin/rendition-presets/new" className={buttonClasses()}>
            New preset
          </Link>
        }
      />

      {notice ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}

      {presets.length === 0 ? (
        <EmptyState
          title="No presets of your own yet"
          description="Add one for each format your partners keep asking for: a square for social media, a small JPEG for newsletters, a watermarked preview for press."
          action={
            <Link to="/admin/rendition-presets/new" className={buttonClasses()}>
              New preset
            </Link>
          }
        />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <caption className="sr-only">Admin-defined rendition presets</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2.5">
                  Preset
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Makes
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Last changed
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {presets.map((preset) => (
                <tr key={preset.id} className="align-top hover:bg-zinc-50">
                  <td className="px-4 py-3">
                    <Link to={`/admin/rendition-presets/${preset.id}`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                      {preset.label}
                    </Link>
                    <div className="mt-0.5 font-mono text-xs text-zinc-500">{preset.name}</div>
                  </td>
                  <td className="max-w-md px-4 py-3 text-zinc-700">
                    {preset.valid ? preset.description : <Badge tone="warning">{preset.description}</Badge>}
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap text-zinc-500">{preset.updatedAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}

      <Card className="mt-6">
        <CardHeader>
          <CardTitle>Built in</CardTitle>
          <p className="mt-1 text-sm text-zinc-500">Made for every image at upload and used across Damson. They cannot be changed here.</p>
        </CardHeader>
        <CardBody>
          <ul className="divide-y divide-zinc-100">
            {builtIns.map((preset) => (
              <li key={preset.name} className="flex flex-wrap items-baseline gap-x-3 py-2 text-sm">
                <span className="w-24 font-mono text-xs text-zinc-900">{preset.name}</span>
                <span className="text-zinc-600">{preset.description}</span>
              </li>
            ))}
          </ul>
        </CardBody>
      </Card>
    </div>
  )
}
