/**
 * What the media viewer shows for one version, built on the server from the version
 * and its renditions (no server code here: the component imports the type). Every URL
 * is the authorised rendition route, so a partner only ever reaches renditions of
 * versions the one access rule lets them see.
 */
import { formatLabel, typeIconFor, type AssetKind, type TypeIconId } from '~/domain/media-kind'
import { AUDIO_RENDITION, CLIP_RENDITION, PAGE_RENDITION, pageRenditionName } from '~/domain/rendition-presets'

export type MediaView = {
  kind: AssetKind
  mediaType: string
  formatLabel: string
  icon: TypeIconId
  /** A still or animated picture: the zoomable viewer's image (web) and the plain preview. */
  image: { previewUrl: string; zoomUrl: string | null; width: number | null; height: number | null; animated: boolean } | null
  video: { posterUrl: string | null; clipUrl: string; durationMs: number | null; width: number | null; height: number | null } | null
  audio: { waveformUrl: string | null; audioUrl: string; durationMs: number | null } | null
  pdf: { pageUrls: string[]; pages: number } | null
  /** Why there is no preview, when there is a reason to give (e.g. HEIC this server cannot decode). */
  note: string | null
}

export type MediaViewSource = {
  assetId: string
  versionId: string
  kind: AssetKind
  mediaType: string
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
  metadata: unknown
  /** Names of the version's renditions. */
  renditions: readonly string[]
}

export function mediaViewOf(source: MediaViewSource): MediaView {
  const has = new Set(source.renditions)
  const url = (name: string) => `/assets/${source.assetId}/versions/${source.versionId}/renditions/${name}`
  const maybe = (name: string) => (has.has(name) ? url(name) : null)
  const metadata = typeof source.metadata === 'object' && source.metadata !== null ? (source.metadata as Record<string, unknown>) : {}
  const view: MediaView = {
    kind: source.kind,
    mediaType: source.mediaType,
    formatLabel: formatLabel(source.mediaType),
    icon: typeIconFor(source.mediaType),
    image: null,
    video: null,
    audio: null,
    pdf: null,
    note: typeof metadata.previewUnavailable === 'string' ? metadata.previewUnavailable : null,
  }
  if (has.has(CLIP_RENDITION.name)) {
    view.video = { posterUrl: maybe('preview'), clipUrl: url(CLIP_RENDITION.name), durationMs: source.durationMs, width: source.width, height: source.height }
  } else if (has.has(AUDIO_RENDITION.name)) {
    view.audio = { waveformUrl: maybe('preview'), audioUrl: url(AUDIO_RENDITION.name), durationMs: source.durationMs }
  } else if (has.has(pageRenditionName(1))) {
    const made = Math.min(source.pages ?? 1, PAGE_RENDITION.maxPages)
    const pageUrls = Array.from({ length: made }, (_, index) => pageRenditionName(index + 1)).filter((name) => has.has(name)).map(url)
    view.pdf = { pageUrls, pages: source.pages ?? pageUrls.length }
  } else if (has.has('preview')) {
    view.image = {
      previewUrl: url('preview'),
      zoomUrl: maybe('web'),
      width: source.width,
      height: source.height,
      animated: typeof metadata.frames === 'number' && metadata.frames > 1,
    }
  }
  return view
}
