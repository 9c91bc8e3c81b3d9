/**
 * The library asset page's Metadata card: a banner while a version waits for
 * mandatory fields, the Dublin Core elements set, the schema's custom fields, and the
 * chosen version's embedded metadata. Librarians and admins get the edit link.
 */
import { Link } from '@remix-run/react'
import { Card, CardBody, CardHeader, CardTitle } from '~/components/ui'
import { DUBLIN_CORE_ELEMENTS } from '~/domain/dublin-core'
import { formatFieldValue } from '~/domain/metadata-schema'
import type { AssetMetadataPanel as PanelData } from '~/metadata/metadata-views'
import { EmbeddedMetadataDetails } from './embedded-metadata-details'

export function AssetMetadataPanel({ panel }: { panel: PanelData }) {
  const editHref = `/library/assets/${panel.assetId}/metadata`
  const dublinCore = DUBLIN_CORE_ELEMENTS.flatMap((element) => {
    const value = panel.dublinCore[element.key]
    return value ? [{ label: element.label, value }] : []
  })
  return (
    <Card id="metadata">
      <CardHeader className="flex items-center justify-between gap-3">
        <CardTitle>Metadata</CardTitle>
        {panel.canEdit ? (
          <Link to={editHref} className="text-sm font-medium text-damson-700 hover:underline">
            Edit metadata <span aria-hidden>→</span>
          </Link>
        ) : null}
      </CardHeader>
      <CardBody className="space-y-4 text-sm">
        {panel.needsMetadata ? (
          <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
            <p className="font-medium">{panel.needsMetadata.message}</p>
            <p className="mt-0.5 text-xs">
              Version {panel.needsMetadata.versionNumbers.join(', ')} goes to review once the required fields are filled in.{' '}
              {panel.canEdit ? (
                <Link to={editHref} className="font-medium underline">
                  Fill them in
                </Link>
              ) : null}
            </p>
          </div>
        ) : null}

        <section>
          <h3 className="mb-1 text-xs font-medium tracking-wide text-zinc-500 uppercase">Dublin Core</h3>
          {dublinCore.length ? (
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5">
              {dublinCore.map((entry) => (
                <div key={entry.label} className="contents">
                  <dt className="text-zinc-500">{entry.label}</dt>
                  <dd className="min-w-0 break-words whitespace-pre-line text-zinc-900">{entry.value}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="text-zinc-500">No Dublin Core elements set.</p>
          )}
        </section>

        {panel.schema ? (
          <section>
            <h3 className="mb-1 text-xs font-medium tracking-wide text-zinc-500 uppercase">{panel.schema.name}</h3>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5">
              {panel.schema.fields.map((field) => (
                <div key={field.key} className="contents">
                  <dt className="text-zinc-500">
                    {field.label}
                    {field.required ? <span className="text-red-700" title="Required before review"> *</span> : null}
                  </dt>
                  <dd className={field.value === null ? 'text-zinc-400' : 'min-w-0 break-words text-zinc-900'}>
                    {field.value === null ? '—' : formatFieldValue(field.value)}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ) : null}

        {panel.embedded ? (
          <section className="border-t border-zinc-100 pt-3">
            <h3 className="mb-2 text-xs font-medium tracking-wide text-zinc-500 uppercase">In the file (version {panel.embedded.versionNumber})</h3>
            <EmbeddedMetadataDetails view={panel.embedded} showText />
          </section>
        ) : null}
      </CardBody>
    </Card>
  )
}
