/**
 * The library for brand staff: every asset whatever its approval or rights, with
 * its latest version's processing/review status. Filter by that status and search
 * titles (case-insensitive substring, in the database).
 *
 * Legal and admins tick assets and choose "Set rights…": a GET to /rights/bulk with
 * the ticked ids, where one grant is added to all of them. Librarians and admins
 * choose "Edit metadata…": a GET to /library/bulk-edit with the same ids.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import type { ChangeEvent } from 'react'
import { requirePermission } from '~/auth.server'
import { Badge, Button, buttonClasses, Card, EmptyState, Input, PageHeader, StatusBadge } from '~/components/ui'
import { getDb } from '~/db.server'
import { hasPermission } from '~/domain/roles'
import { LibraryQuerySchema, listLibraryAssets, type LibraryStatusFilter } from '~/library/list-assets.server'
import { TypeIcon } from '~/components/type-icon'
import { typeIconForKind } from '~/domain/media-kind'

export const meta: MetaFunction = () => [{ title: 'Library · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'library:view-all')
  const query = LibraryQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
  const page = await listLibraryAssets({ db: getDb(), query })
  return data({
    ...page,
    canUpload: hasPermission(user.roles, 'asset:upload'),
    canSetRights: hasPermission(user.roles, 'rights:edit'),
    canEditMetadata: hasPermission(user.roles, 'asset:edit'),
  })
}

// Kept here, not imported from the server module: the component renders them in the browser too.
const STATUS_FILTERS = ['processing', 'awaiting_metadata', 'in_review', 'approved', 'rejected', 'failed'] as const satisfies readonly LibraryStatusFilter[]
const STATUS_LABELS: Record<LibraryStatusFilter, string> = {
  processing: 'Processing',
  awaiting_metadata: 'Needs metadata',
  in_review: 'In review',
  approved: 'Approved',
  rejected: 'Rejected',
  failed: 'Failed',
}

function pageHref(query: { status: string; q: string }, page: number): string {
  const params = new URLSearchParams()
  if (query.status) params.set('status', query.status)
  if (query.q) params.set('q', query.q)
  if (page > 1) params.set('page', String(page))
  const search = params.toString()
  return search ? `/library?${search}` : '/library'
}

/** The form the row checkboxes belong to (outside the table, so the filter form is not nested). */
const SET_RIGHTS_FORM = 'set-rights'

/** Ticks or clears every row on the page (the header checkbox; needs JavaScript, the rows do not). */
function tickAll(event: ChangeEvent<HTMLInputElement>) {
  const boxes = document.querySelectorAll<HTMLInputElement>(`input[type=checkbox][form=${SET_RIGHTS_FORM}][name=assetId]`)
  for (const box of boxes) box.checked = event.currentTarget.checked
}

export default function LibraryIndex() {
  const { rows, total, query, pageCount, canUpload, canSetRights, canEditMetadata } = useLoaderData<typeof loader>()
  // The row checkboxes serve both bulk actions.
  const canTick = canSetRights || canEditMetadata
  const navigation = useNavigation()
  const searching = navigation.state === 'loading' && navigation.location.pathname === '/library'
  const filtered = Boolean(query.status || query.q)

  return (
    <div>
      <PageHeader
        title="Library"
        description={`${total} ${total === 1 ? 'asset' : 'assets'}${filtered ? ' match' : ''}. Staff see every asset, whatever its review or rights.`}
        actions={
          canUpload ? (
            <Link to="/library/upload" className={buttonClasses()}>
              Upload files
            </Link>
          ) : null
        }
      />

      <Form method="get" action="/library" className="mb-5 flex flex-col gap-3 sm:flex-row sm:items-end" role="search">
        <div className="flex-1 space-y-1.5">
          <label htmlFor="library-q" className="block text-sm font-medium text-zinc-800">
            Title
          </label>
          <Input id="library-q" type="search" name="q" defaultValue={query.q} placeholder="Search titles…" />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="library-status" className="block text-sm font-medium text-zinc-800">
            Latest version
          </label>
          <select
            id="library-status"
            name="status"
            defaultValue={query.status}
            className="block h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100 sm:w-48"
          >
            <option value="">Any status</option>
            {STATUS_FILTERS.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
        <div className="flex gap-2">
          <Button type="submit" variant="secondary" disabled={searching}>
            {searching ? 'Filtering…' : 'Filter'}
          </Button>
          {filtered ? (
            <Link to="/library" className={buttonClasses({ variant: 'ghost' })}>
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      {rows.length === 0 ? (
        <EmptyState
          title={filtered ? 'No assets match' : 'The library is empty'}
          description={filtered ? 'Try another title or status.' : 'Upload files to start the library; each goes to review once processed.'}
          action={
            canUpload && !filtered ? (
              <Link to="/library/upload" className={buttonClasses()}>
                Upload files
              </Link>
            ) : null
          }
        />
      ) : (
        <Card className="overflow-hidden">
          {canTick ? (
            <Form
              id={SET_RIGHTS_FORM}
              method="get"
              action={canSetRights ? '/rights/bulk' : '/library/bulk-edit'}
              className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 bg-zinc-50/70 px-4 py-2.5 text-sm text-zinc-600"
            >
              <span>
                {canSetRights && canEditMetadata
                  ? 'Tick assets to give them the same rights grant or edit their metadata together.'
                  : canSetRights
                    ? 'Tick assets to give them all the same rights grant.'
                    : 'Tick assets to edit their metadata together.'}
              </span>
              <span className="flex gap-2">
                {canEditMetadata ? (
                  <Button type="submit" variant="secondary" size="sm" formAction="/library/bulk-edit">
                    Edit metadata…
                  </Button>
                ) : null}
                {canSetRights ? (
                  <Button type="submit" variant="secondary" size="sm" formAction="/rights/bulk">
                    Set rights…
                  </Button>
                ) : null}
              </span>
            </Form>
          ) : null}
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-zinc-200 text-sm">
              <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500">
                <tr>
                  {canTick ? (
                    <th scope="col" className="w-10 py-3 pl-4">
                      <input type="checkbox" onChange={tickAll} aria-label="Tick every asset on this page" className="size-4 rounded border-zinc-300" />
                    </th>
                  ) : null}
                  <th scope="col" className="w-20 px-4 py-3">
                    <span className="sr-only">Thumbnail</span>
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Title
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Kind
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Current
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Latest version
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Folder
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Updated (UTC)
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 bg-white">
                {rows.map((row) => (
                  <tr key={row.id} className="hover:bg-zinc-50">
                    {canTick ? (
                      <td className="py-2 pl-4">
                        <input
                          type="checkbox"
                          form={SET_RIGHTS_FORM}
                          name="assetId"
                          value={row.id}
                          aria-label={`Tick ${row.title}`}
                          className="size-4 rounded border-zinc-300"
                        />
                      </td>
                    ) : null}
                    <td className="px-4 py-2">
                      <Link to={`/library/assets/${row.id}`} tabIndex={-1} aria-hidden>
                        {row.thumbnailUrl ? (
                          <img
                            src={row.thumbnailUrl}
                            alt=""
                            loading="lazy"
                            className="size-14 rounded-md bg-zinc-100 object-cover ring-1 ring-zinc-200"
                          />
                        ) : (
                          <div className="grid size-14 place-items-center rounded-md bg-zinc-100 text-center text-[10px] leading-tight text-zinc-400 ring-1 ring-zinc-200">
                            {row.latest?.status === 'processing' ? '…' : <TypeIcon icon={typeIconForKind(row.kind)} className="size-7" title={`${row.kind}, no preview`} />}
                          </div>
                        )}
                      </Link>
                    </td>
                    <td className="max-w-xs px-4 py-2">
                      <Link to={`/library/assets/${row.id}`} className="block truncate font-medium text-zinc-900 hover:text-damson-700">
                        {row.title}
                      </Link>
                    </td>
                    <td className="px-4 py-2">
                      <Badge>{row.kind}</Badge>
                    </td>
                    <td className="px-4 py-2">
                      {row.current ? (
                        <span className="inline-flex items-center gap-1.5">
                          <StatusBadge status={row.current.status} />
                          <span className="text-xs text-zinc-500">v{row.current.number}</span>
                        </span>
                      ) : (
                        <span className="text-xs text-zinc-400">None yet</span>
                      )}
                    </td>
                    <td className="px-4 py-2">
                      {row.latest ? (
                        <span className="inline-flex items-center gap-1.5">
                          <StatusBadge status={row.latest.status} />
                          <span className="text-xs text-zinc-500">v{row.latest.number}</span>
                        </span>
                      ) : (
                        <span className="text-xs text-zinc-400">—</span>
                      )}
                    </td>
                    <td className="max-w-[12rem] truncate px-4 py-2 font-mono text-xs text-zinc-600">{row.folderPath}</td>
                    <td className="whitespace-nowrap px-4 py-2 text-zinc-600">{row.updatedAt}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}

      {pageCount > 1 ? (
        <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm text-zinc-600">
          <span>
            Page {query.page} of {pageCount}
          </span>
          <div className="flex gap-2">
            {query.page > 1 ? (
              <Link to={pageHref(query, query.page - 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Previous
              </Link>
            ) : null}
            {query.page < pageCount ? (
              <Link to={pageHref(query, query.page + 1)} className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
                Next
              </Link>
            ) : null}
          </div>
        </nav>
      ) : null}
    </div>
  )
}
