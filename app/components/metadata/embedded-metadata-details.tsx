/**
 * A version's embedded metadata (EXIF/IPTC/XMP and the like) as a definition list,
 * with the raw tags by group behind a disclosure. It shows what the loader sent: the
 * loader has already applied the location rule (embeddedMetadataFor), so a location
 * appears only for librarians and admins.
 */
import type { EmbeddedMetadataView } from '~/metadata/metadata-views'

const formatNumber = (value: number, digits: number) => value.toLocaleString('en-GB', { maximumFractionDigits: digits })

function formatCapturedAt(value: string): string {
  const date = new Date(value)
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return value
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`
}

function tagText(value: string | number | boolean | string[]): string {
  if (Array.isArray(value)) return value.join(', ')
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  return String(value)
}

export function EmbeddedMetadataDetails({ view, showText = false }: { view: EmbeddedMetadataView; showText?: boolean }) {
  const { embedded } = view
  const camera = [embedded.cameraMake, embedded.cameraModel].filter(Boolean).join(' ')
  const facts: { term: string; value: string }[] = [
    ...(embedded.title ? [{ term: 'Title', value: embedded.title }] : []),
    ...(embedded.description ? [{ term: 'Caption', value: embedded.description }] : []),
    ...(embedded.creator ? [{ term: 'Creator', value: embedded.creator }] : []),
    ...(embedded.copyright ? [{ term: 'Copyright', value: embedded.copyright }] : []),
    ...(embedded.capturedAt ? [{ term: 'Captured', value: formatCapturedAt(embedded.capturedAt) }] : []),
    ...(camera ? [{ term: 'Camera', value: camera }] : []),
    ...(embedded.lens ? [{ term: 'Lens', value: embedded.lens }] : []),
  ]
  const groups = Object.entries(embedded.groups)
  const location = embedded.location

  if (!view.hasAny && !view.text) {
    return <p className="text-sm text-zinc-500">The file carries no embedded metadata.</p>
  }
  return (
    <div className="space-y-3 text-sm">
      {embedded.readError ? <p className="text-amber-800">The file’s metadata could not be read: {embedded.readError}</p> : null}
      {facts.length > 0 ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5" aria-label={`Embedded metadata of version ${view.versionNumber}`}>
          {facts.map((fact) => (
            <div key={fact.term} className="contents">
              <dt className="text-zinc-500">{fact.term}</dt>
              <dd className="min-w-0 break-words text-zinc-900">{fact.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {embedded.keywords.length > 0 ? (
        <div>
          <h3 className="mb-1 text-xs font-medium tracking-wide text-zinc-500 uppercase">Keywords</h3>
          <ul className="flex flex-wrap gap-1.5" aria-label="Embedded keywords">
            {embedded.keywords.map((keyword) => (
              <li key={keyword} className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs text-zinc-700">
                {keyword}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {location ? (
        <div className="rounded-md border border-sky-200 bg-sky-50 px-3 py-2" data-testid="embedded-location">
          <h3 className="text-xs font-medium tracking-wide text-sky-900 uppercase">Location (librarians and admins only)</h3>
          <p className="mt-0.5 font-mono text-xs text-sky-950">
            {formatNumber(location.latitude, 6)}, {formatNumber(location.longitude, 6)}
            {location.altitude !== null ? ` · ${formatNumber(location.altitude, 1)} m` : ''}
          </p>
          <a
            href={`https://www.openstreetmap.org/?mlat=${location.latitude}&mlon=${location.longitude}#map=14/${location.latitude}/${location.longitude}`}
            target="_blank"
            rel="noreferrer noopener"
            className="text-xs font-medium text-sky-800 hover:underline"
          >
            Open in OpenStreetMap
          </a>
        </div>
      ) : null}
      {showText && view.text ? (
        <details className="group">
          <summary className="cursor-pointer text-sm font-medium text-zinc-700 hover:text-zinc-900">
            Text found in the file ({view.text.characters.toLocaleString('en-GB')} characters)
          </summary>
          <p className="mt-2 max-h-48 overflow-y-auto rounded-md bg-zinc-50 p-2 text-xs whitespace-pre-line text-zinc-700">{view.text.excerpt}</p>
        </details>
      ) : null}
      {groups.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-sm font-medium text-zinc-700 hover:text-zinc-900">
            All tags ({groups.map(([group, tags]) => `${group} ${Object.keys(tags).length}`).join(', ')})
          </summary>
          <div className="mt-2 max-h-80 space-y-3 overflow-y-auto">
            {groups.map(([group, tags]) => (
              <section key={group}>
                <h3 className="text-xs font-semibold text-zinc-600">{group}</h3>
                <dl className="grid grid-cols-[minmax(0,12rem)_1fr] gap-x-3 text-xs">
                  {Object.entries(tags).map(([name, value]) => (
                    <div key={name} className="contents">
                      <dt className="truncate text-zinc-500" title={name}>
                        {name}
                      </dt>
                      <dd className="min-w-0 break-words text-zinc-800">{tagText(value)}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            ))}
          </div>
        </details>
      ) : null}
    </div>
  )
}
