/** The portal asset page's "About this file" card: the approved version's embedded metadata, shaped for the viewer by the loader. */
import { Card, CardBody } from '~/components/ui'
import type { EmbeddedMetadataView } from '~/metadata/metadata-views'
import { EmbeddedMetadataDetails } from './embedded-metadata-details'

export function PortalMetadataCard({ view }: { view: EmbeddedMetadataView | null }) {
  if (!view || !view.hasAny) return null
  return (
    <Card>
      <CardBody>
        <h2 className="mb-3 text-sm font-semibold text-zinc-900">About this file</h2>
        <EmbeddedMetadataDetails view={view} />
      </CardBody>
    </Card>
  )
}
