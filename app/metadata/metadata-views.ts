/**
 * What the metadata panels and pages receive from their loaders: plain data, shaped
 * on the server for the viewer (no location unless they may see it). Shared by the
 * `*.server.ts` modules that build them and the components that show them.
 */
import type { DublinCore } from '~/domain/dublin-core'
import type { EmbeddedMetadata } from '~/domain/embedded-metadata'
import type { FieldValue } from '~/domain/metadata-schema'

export type EmbeddedMetadataView = {
  versionId: string
  versionNumber: number
  /** Shaped for the viewer by embeddedMetadataFor. */
  embedded: EmbeddedMetadata
  hasAny: boolean
  /** Characters of text found in the file (text layer or OCR), and the start of it. */
  text: { characters: number; excerpt: string } | null
}

export type AssetMetadataPanel = {
  assetId: string
  dublinCore: DublinCore
  schema: { name: string; fields: { key: string; label: string; value: FieldValue | null; required: boolean }[] } | null
  /** "Needs metadata: fill in X and Y" while a version waits for them; null otherwise. */
  needsMetadata: { message: string; versionNumbers: number[] } | null
  embedded: EmbeddedMetadataView | null
  canEdit: boolean
}

/** Form names: `dc.<element>`, `field.<key>` (repeated for multi-select), `tags` (comma-separated). */
export const DC_PREFIX = 'dc.'
export const FIELD_PREFIX = 'field.'

/** Assets one bulk edit may change. */
export const BULK_EDIT_MAX_ASSETS = 200

/** The asset kinds a schema may be attached to (prisma `AssetKind`). */
export const ASSET_KINDS = ['image', 'video', 'audio', 'document', 'design', 'other'] as const
