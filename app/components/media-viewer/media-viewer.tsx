/**
 * The preview of one version, as people expect it for its kind: a zoomable image
 * (OpenSeadragon, loaded in the browser only; the plain preview until then and
 * without JavaScript), a video player with the poster and the preview clip, an audio
 * player under the waveform, a PDF page viewer, or the type icon with the format.
 * Every URL is the authorised rendition route (media-view.ts).
 */
import { useEffect, useRef, useState } from 'react'
import { TypeIcon } from '~/components/type-icon'
import { cn } from '~/components/ui'
import type { MediaView } from './media-view'

export function MediaViewer({ media, title, className }: { media: MediaView; title: string; className?: string }) {
  return (
    <div className={cn('w-full', className)} data-media-viewer={media.kind}>
      {media.video ? (
        <VideoPlayer video={media.video} title={title} />
      ) : media.audio ? (
        <AudioPlayer audio={media.audio} title={title} />
      ) : media.pdf ? (
        <PdfPages pdf={media.pdf} title={title} />
      ) : media.image ? (
        media.image.animated || !media.image.zoomUrl ? (
          <img src={media.image.previewUrl} alt={`Preview of ${title}`} className="mx-auto max-h-[32rem] max-w-full rounded" />
        ) : (
          <ZoomableImage image={media.image} zoomUrl={media.image.zoomUrl} title={title} />
        )
      ) : (
        <NoPreview media={media} />
      )}
    </div>
  )
}

function NoPreview({ media }: { media: MediaView }) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 py-10 text-zinc-500">
      <TypeIcon icon={media.icon} className="size-16 text-zinc-400" />
      <p className="text-sm font-medium text-zinc-700">{media.formatLabel}</p>
      <p className="text-sm">{media.note ?? 'No preview for this kind of file. Download the original to open it.'}</p>
    </div>
  )
}

type ZoomApi = { zoomBy(factor: number): void; home(): void; destroy(): void }

function ZoomableImage({ image, zoomUrl, title }: { image: NonNullable<MediaView['image']>; zoomUrl: string; title: string }) {
  const container = useRef<HTMLDivElement>(null)
  const [viewer, setViewer] = useState<ZoomApi | null>(null)
  const aspect = image.width && image.height ? `${image.width} / ${image.height}` : '4 / 3'

  useEffect(() => {
    let cancelled = false
    let created: ZoomApi | null = null
    void import('openseadragon').then(({ default: OpenSeadragon }) => {
      if (cancelled || !container.current) return
      const instance = OpenSeadragon({
        element: container.current,
        tileSources: { type: 'image', url: zoomUrl },
        showNavigationControl: false,
        maxZoomPixelRatio: 2,
        visibilityRatio: 1,
        constrainDuringPan: true,
        gestureSettingsMouse: { clickToZoom: false, scrollToZoom: true },
      })
      created = {
        zoomBy: (factor) => {
          instance.viewport.zoomBy(factor)
          instance.viewport.applyConstraints()
        },
        home: () => instance.viewport.goHome(),
        destroy: () => instance.destroy(),
      }
      setViewer(created)
    })
    return () => {
      cancelled = true
      created?.destroy()
    }
  }, [zoomUrl])

  return (
    <figure className="relative">
      <div
        ref={container}
        className="relative mx-auto max-h-[32rem] w-full overflow-hidden rounded bg-zinc-50"
        style={{ aspectRatio: aspect }}
        aria-label={`Zoomable image of ${title}`}
      >
        {viewer ? null : <img src={image.previewUrl} alt={`Preview of ${title}`} className="absolute inset-0 h-full w-full object-contain" />}
      </div>
      {viewer ? (
        <div className="absolute top-2 right-2 flex gap-1 rounded-lg bg-white/90 p-1 shadow ring-1 ring-zinc-200">
          <ViewerButton label="Zoom in" onClick={() => viewer.zoomBy(1.5)}>+</ViewerButton>
          <ViewerButton label="Zoom out" onClick={() => viewer.zoomBy(1 / 1.5)}>−</ViewerButton>
          <ViewerButton label="Fit to view" onClick={() => viewer.home()}>⤢</ViewerButton>
        </div>
      ) : null}
      <figcaption className="mt-1 text-center text-xs text-zinc-500">Scroll or pinch to zoom, drag to move.</figcaption>
    </figure>
  )
}

function ViewerButton({ label, onClick, children }: { label: string; onClick: () => void; children: string }) {
  return (
    <button type="button" aria-label={label} title={label} onClick={onClick} className="grid size-8 place-items-center rounded-md text-lg text-zinc-700 hover:bg-zinc-100">
      {children}
    </button>
  )
}

function VideoPlayer({ video, title }: { video: NonNullable<MediaView['video']>; title: string }) {
  return (
    <figure>
      <video
        controls
        preload="metadata"
        playsInline
        poster={video.posterUrl ?? undefined}
        src={video.clipUrl}
        width={video.width ?? undefined}
        height={video.height ?? undefined}
        className="mx-auto max-h-[32rem] w-full rounded bg-black"
        aria-label={`Video preview of ${title}`}
      />
      <figcaption className="mt-1 text-center text-xs text-zinc-500">
        Preview clip (first 10 seconds, low resolution){video.durationMs ? ` · full length ${formatDuration(video.durationMs)}` : ''}. Download the original for use.
      </figcaption>
    </figure>
  )
}

function AudioPlayer({ audio, title }: { audio: NonNullable<MediaView['audio']>; title: string }) {
  return (
    <figure className="space-y-3">
      {audio.waveformUrl ? <img src={audio.waveformUrl} alt={`Waveform of ${title}`} className="w-full rounded bg-zinc-50" /> : null}
      <audio controls preload="metadata" src={audio.audioUrl} className="w-full" aria-label={`Listen to ${title}`} />
      {audio.durationMs ? <figcaption className="text-center text-xs text-zinc-500">Length {formatDuration(audio.durationMs)}</figcaption> : null}
    </figure>
  )
}

function PdfPages({ pdf, title }: { pdf: NonNullable<MediaView['pdf']>; title: string }) {
  const [index, setIndex] = useState(0)
  const shown = pdf.pageUrls.length
  const url = pdf.pageUrls[index]
  return (
    <figure>
      {url ? <img src={url} alt={`Page ${index + 1} of ${title}`} className="mx-auto max-h-[36rem] max-w-full rounded bg-white shadow ring-1 ring-zinc-200" /> : null}
      <figcaption className="mt-3 flex items-center justify-center gap-3 text-sm text-zinc-600">
        <button type="button" onClick={() => setIndex((page) => Math.max(0, page - 1))} disabled={index === 0} className="rounded-md px-2 py-1 ring-1 ring-zinc-200 hover:bg-zinc-50 disabled:opacity-40">
          ← Previous
        </button>
        <span aria-live="polite">
          Page {index + 1} of {pdf.pages}
        </span>
        <button type="button" onClick={() => setIndex((page) => Math.min(shown - 1, page + 1))} disabled={index >= shown - 1} className="rounded-md px-2 py-1 ring-1 ring-zinc-200 hover:bg-zinc-50 disabled:opacity-40">
          Next →
        </button>
      </figcaption>
      {pdf.pages > shown ? <p className="mt-1 text-center text-xs text-zinc-500">The first {shown} pages are shown here; download the PDF for the rest.</p> : null}
    </figure>
  )
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`
}
