/**
 * How the version under review is shown against the asset's approved version:
 * alone (large, for marking regions), side by side, or as a pixel "Differences"
 * overlay made on the server. The choice is a link (`?view=`), so it works
 * without JavaScript and survives a reload.
 */
import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Badge, StatusBadge, cn, isVersionStatusName } from '~/components/ui'
import { formatPercent } from './format'

export type CompareView = 'single' | 'side-by-side' | 'diff'

const VIEW_LABEL: Record<CompareView, string> = {
  single: 'This version',
  'side-by-side': 'Side by side',
  diff: 'Differences',
}

export function CompareViewNav({ view, canDiff, hrefFor }: { view: CompareView; canDiff: boolean; hrefFor: (view: CompareView) => string }) {
  const views: CompareView[] = canDiff ? ['single', 'side-by-side', 'diff'] : ['single', 'side-by-side']
  return (
    <nav aria-label="Compare with the approved version" className="inline-flex rounded-lg bg-zinc-100 p-1">
      {views.map((entry) => (
        <Link
          key={entry}
          to={hrefFor(entry)}
          preventScrollReset
          replace
          aria-current={entry === view ? 'page' : undefined}
          className={cn(
            'rounded-md px-3 py-1.5 text-sm font-medium transition-colors',
            entry === view ? 'bg-white text-zinc-900 shadow-sm' : 'text-zinc-600 hover:text-zinc-900',
          )}
        >
          {VIEW_LABEL[entry]}
        </Link>
      ))}
    </nav>
  )
}


export function VersionStatus({ status }: { status: string }) {
  return isVersionStatusName(status) ? <StatusBadge status={status} /> : <Badge>{status}</Badge>
}

/** One labelled pane: "Under review · v3" over its picture. */
export function VersionPane({
  label,
  number,
  status,
  highlight,
  children,
}: {
  label: string
  number: number
  status: string
  highlight?: boolean
  children: ReactNode
}) {
  return (
    <figure className={cn('flex min-w-0 flex-col overflow-hidden rounded-lg border bg-white', highlight ? 'border-damson-300 ring-1 ring-damson-200' : 'border-zinc-200')}>
      <figcaption className="flex items-center justify-between gap-2 border-b border-zinc-100 px-3 py-2">
        <span className="text-sm font-medium text-zinc-900">
          {label} · v{number}
        </span>
        <VersionStatus status={status} />
      </figcaption>
      <div className="flex flex-1 items-center justify-center bg-zinc-100 p-3">{children}</div>
    </figure>
  )
}

export function NoPreview() {
  return <p className="py-16 text-sm text-zinc-500">No preview yet.</p>
}

export function DiffPane({
  diffUrl,
  changedFraction,
  diffError,
  newNumber,
  approvedNumber,
  width,
  height,
}: {
  diffUrl: string
  changedFraction: number | null
  diffError: string | null
  newNumber: number
  approvedNumber: number
  width: number | null
  height: number | null
}) {
  if (diffError) {
    return (
      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
        {diffError}
      </div>
    )
  }
  return (
    <figure className="flex flex-col items-center gap-3">
      <figcaption className="flex w-full flex-wrap items-center justify-between gap-2 text-sm">
        <span className="font-medium text-zinc-900">
          {changedFraction !== null ? `${formatPercent(changedFraction)} of pixels changed` : 'Differences'}
          <span className="font-normal text-zinc-500">
            {' '}
            · v{newNumber} against approved v{approvedNumber}
          </span>
        </span>
        <span className="flex items-center gap-3 text-xs text-zinc-600">
          <span className="flex items-center gap-1.5">
            <span aria-hidden className="size-3 rounded-sm bg-[#ff0099]" /> changed
          </span>
          <span className="flex items-center gap-1.5">
            <span aria-hidden className="size-3 rounded-sm bg-zinc-600" /> unchanged (v{newNumber}, dimmed)
          </span>
        </span>
      </figcaption>
      <div className="flex w-full justify-center rounded-lg bg-zinc-900 p-3">
        <img
          src={diffUrl}
          alt={`Pixels that changed between approved version ${approvedNumber} and version ${newNumber}, in pink over a dimmed greyscale of version ${newNumber}`}
          width={width ?? undefined}
          height={height ?? undefined}
          className="block h-auto max-h-[72vh] w-auto max-w-full"
        />
      </div>
    </figure>
  )
}
