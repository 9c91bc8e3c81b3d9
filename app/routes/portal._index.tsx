import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { TypeIcon } from '~/components/type-icon'
import { typeIconForKind } from '~/domain/media-kind'
import { requirePermission } from '~/auth.server'
import { Button, EmptyState, PageHeader, buttonClasses, cn } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { browseAssets, parseBrowseQuery, type AssetKindName, type BrowseQuery } from '~/portal/browse.server'
import { countOpenTakedownNotices } from '~/rights/takedown-notices.server'

export const meta: MetaFunction = () => [{ title: 'Brand portal · Damson' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'portal:browse')
    const query = parseBrowseQuery(new URL(request.url))
    const [result, openTakedowns] = await Promise.all([
      browseAssets({ db: getDb(), viewer: user.viewer, query }),
      countOpenTakedownNotices(getDb(), user.id),
    ])
    return data(
      { ...result, openTakedowns, organisationName: user.organisation.name, isPartner: user.organisation.kind === 'partner' },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

// Kept here, not imported from the server module: the component renders them in the browser too.
const ASSET_KINDS = ['image', 'video', 'audio', 'document', 'design', 'other'] as const satisfies readonly AssetKindName[]

const KIND_LABELS: Record<AssetKindName, string> = {
  image: 'Images',
  video: 'Video',
  audio: 'Audio',
  document: 'Documents',
  design: 'Design files',
  other: 'Other',
}

const KIND_SINGULAR: Record<AssetKindName, string> = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  design: 'Design',
  other: 'File',
}

function portalHref(query: BrowseQuery, change: Partial<BrowseQuery>): string {
  const next = { ...query, ...change }
  const params = new URLSearchParams()
  if (next.q) params.set('q', next.q)
  if (next.kind) params.set('kind', next.kind)
  if (next.page && next.page > 1) params.set('page', String(next.page))
  const search = params.toString()
  return search ? `/portal?${search}` : '/portal'
}

function SearchIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.75} aria-hidden className={className}>
      <circle cx="9" cy="9" r="5.5" />
      <path d="M13.5 13.5L17 17" strokeLinecap="round" />
    </svg>
  )
}

export default function PortalIndex() {
  const { assets, query, found, page, pageCount, organisationName, isPartner, openTakedowns } = useLoaderData<typeof loader>()
  const navigation = useNavigation()
  const searching = navigation.state === 'loading' && navigation.location.pathname === '/portal'
  const hasFilters = Boolean(query.q || query.kind)

  return (
    <div>
      <PageHeader
        eyebrow={isPartner ? `Shared with ${organisationName}` : 'Brand portal'}
        title="Brand assets"
        description="Approved assets, cleared for use today. Search, preview and download originals."
      />

      {openTakedowns > 0 ? (
        <div role="status" className="mb-5 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          <span>
            {openTakedowns === 1 ? 'A takedown notice needs' : `${openTakedowns} takedown notices need`} your action: the rights for a use you
            declared have ended.
          </span>
          <Link to="/portal/takedowns" className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
            See takedown notices
          </Link>
        </div>
      ) : null}

      <Form method="get" action="/portal" role="search" className="mb-4">
        {query.kind ? <input type="hidden" name="kind" value={query.kind} /> : null}
        <div className="flex gap-2">
          <div className="relative flex-1">
            <SearchIcon className="pointer-events-none absolute top-1/2 left-3.5 size-5 -translate-y-1/2 text-zinc-400" />
            <label htmlFor="portal-search" className="sr-only">
              Search assets
            </label>
            <input
              id="portal-search"
              type="search"
              name="q"
              defaultValue={query.q}
              placeholder="Search by title, tag or description…"
              autoComplete="off"
              className="block h-12 w-full rounded-lg border border-zinc-300 bg-white pr-4 pl-11 text-base text-zinc-900 shadow-sm placeholder:text-zinc-400 focus:border-damson-500 focus:ring-2 focus:ring-damson-100 focus:outline-none"
            />
          </div>
          <Button type="submit" size="lg" className="h-12 px-6">
            Search
          </Button>
        </div>
      </Form>

      <nav aria-label="Filter by kind" className="mb-6 flex flex-wrap items-center gap-2">
        <Link
          to={portalHref(query, { kind: undefined, page: 1 })}
          aria-current={!query.kind ? 'page' : undefined}
          className={cn(
            'rounded-full px-3.5 py-1.5 text-sm font-medium ring-1 ring-inset transition-colors',
            !query.kind ? 'bg-damson-600 text-white ring-damson-600' : 'bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50',
          )}
        >
          All
        </Link>
        {ASSET_KINDS.map((kind) => (
          <Link
            key={kind}
            to={portalHref(query, { kind, page: 1 })}
            aria-current={query.kind === kind ? 'page' : undefined}
            className={cn(
              'rounded-full px-3.5 py-1.5 text-sm font-medium ring-1 ring-inset transition-colors',
              query.kind === kind
                ? 'bg-damson-600 text-white ring-damson-600'
                : 'bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50',
            )}
          >
            {KIND_LABELS[kind]}
          </Link>
        ))}
        <p className="ml-auto text-sm text-zinc-500" aria-live="polite">
          {query.q ? (
            <>
              {found === 1 ? '1 result' : `${found.toLocaleString('en-GB')} results`} for{' '}
              <span className="font-medium text-zinc-800">“{query.q}”</span>
            </>
          ) : (
            <>{found === 1 ? '1 asset' : `${found.toLocaleString('en-GB')} assets`}</>
          )}
        </p>
      </nav>

      {assets.length === 0 ? (
        hasFilters ? (
          <EmptyState
            icon={<SearchIcon className="size-10" />}
            title={query.q ? `Nothing matches “${query.q}”` : `No ${KIND_LABELS[query.kind ?? 'other'].toLowerCase()} yet`}
            description="Check the spelling, try a broader word, or clear the filters to see everything shared with you."
            action={
              <Link to="/portal" className={buttonClasses({ variant: 'secondary' })}>
                Clear search
              </Link>
            }
          />
        ) : (
          <EmptyState
            icon={<TypeIcon icon="image" className="size-10" />}
            title="No assets to show yet"
            description="When the brand team approves assets and shares them with you, they appear here, ready to download."
          />
        )
      ) : (
        <ul
          className={cn(
            'grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-5 2xl:grid-cols-6',
            searching && 'opacity-60 transition-opacity',
          )}
        >
          {assets.map((asset) => (
            <li key={asset.id}>
              <Link
                to={`/portal/assets/${asset.id}`}
                prefetch="intent"
                className="group block overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-sm transition hover:-translate-y-0.5 hover:border-zinc-300 hover:shadow-md focus-visible:-translate-y-0.5"
              >
                <div className="relative aspect-[4/3] overflow-hidden bg-zinc-100 bg-[linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%),linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%)] bg-[length:16px_16px] bg-[position:0_0,8px_8px]">
                  {asset.thumbnailUrl ? (
                    <img
                      src={asset.thumbnailUrl}
                      alt=""
                      loading="lazy"
                      decoding="async"
                      width={asset.width ?? undefined}
                      height={asset.height ?? undefined}
                      className="absolute inset-0 h-full w-full object-contain p-2 transition-transform duration-300 group-hover:scale-[1.03]"
                    />
                  ) : (
                    <div className="absolute inset-0 flex items-center justify-center text-zinc-400">
                      <TypeIcon icon={typeIconForKind(asset.kind)} className="size-10" />
                    </div>
                  )}
                  <span className="absolute top-2 left-2 rounded-full bg-white/90 px-2 py-0.5 text-[11px] font-medium text-zinc-700 shadow-sm ring-1 ring-zinc-200/80 backdrop-blur">
                    {KIND_SINGULAR[asset.kind]}
                  </span>
                  <span className="absolute inset-x-0 bottom-0 flex translate-y-full items-center justify-center bg-gradient-to-t from-black/50 to-transparent pt-6 pb-2 text-xs font-medium text-white transition-transform duration-200 group-hover:translate-y-0">
                    View details
                  </span>
                </div>
                <div className="px-3 py-2.5">
                  <h2 className="truncate text-sm font-medium text-zinc-900 group-hover:text-damson-700" title={asset.title}>
                    {asset.title}
                  </h2>
                  <p className="mt-0.5 h-4 truncate text-xs text-zinc-500">
                    {asset.pixelWidth && asset.pixelHeight ? `${asset.pixelWidth} × ${asset.pixelHeight} px` : KIND_SINGULAR[asset.kind]}
                  </p>
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}

      {pageCount > 1 ? (
        <nav aria-label="Pages" className="mt-8 flex items-center justify-between border-t border-zinc-200 pt-5">
          {page > 1 ? (
            <Link to={portalHref(query, { page: page - 1 })} rel="prev" className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
              ← Previous
            </Link>
          ) : (
            <span />
          )}
          <span className="text-sm text-zinc-500">
            Page {page} of {pageCount}
          </span>
          {page < pageCount ? (
            <Link to={portalHref(query, { page: page + 1 })} rel="next" className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
              Next →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </div>
  )
}
