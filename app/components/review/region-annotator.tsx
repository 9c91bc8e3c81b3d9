/**
 * The preview with comment regions on it: saved regions as numbered pins, and a
 * pending region the reviewer draws with the pointer or places with the keyboard
 * ("Mark a region", then arrow keys move it, Shift+arrows resize it, Enter confirms,
 * Escape removes it). Regions are fractions of the image, so they stay put at any
 * display size.
 */
import { forwardRef, useEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent } from 'react'
import { Button, cn } from '~/components/ui'
import {
  describeRegion,
  moveRegion,
  regionFromCorners,
  resizeRegion,
  type CommentRegion,
  type RegionPoint,
} from '~/domain/comment-region'

/** One arrow key press moves or resizes by this fraction of the image. */
const KEY_STEP = 0.01

export type PinnedComment = { id: string; number: number; author: string; region: CommentRegion }

export type RegionAnnotatorProps = {
  src: string
  alt: string
  width: number | null
  height: number | null
  pins: PinnedComment[]
  highlightedId: string | null
  onHighlight: (id: string | null) => void
  /** Whether new regions may be drawn (the review is in progress). */
  drawable: boolean
  pending: CommentRegion | null
  onPendingChange: (region: CommentRegion | null) => void
  /** The region is placed: the comment box takes over. */
  onConfirm: () => void
  /** The region was removed with Escape: focus goes back to where marking started. */
  onCancel: () => void
  /** Bumped by "Mark a region": the marker takes the keyboard focus. */
  markRequest: number
  className?: string
}

function boxStyle(region: CommentRegion): CSSProperties {
  return { left: `${region.x * 100}%`, top: `${region.y * 100}%`, width: `${region.w * 100}%`, height: `${region.h * 100}%` }
}

export function RegionAnnotator({
  src,
  alt,
  width,
  height,
  pins,
  highlightedId,
  onHighlight,
  drawable,
  pending,
  onPendingChange,
  onConfirm,
  onCancel,
  markRequest,
  className,
}: RegionAnnotatorProps) {
  const surfaceRef = useRef<HTMLDivElement>(null)
  const markerRef = useRef<HTMLDivElement>(null)
  const dragStart = useRef<RegionPoint | null>(null)
  const [draft, setDraft] = useState<CommentRegion | null>(null)

  // Runs after the render that placed the region, so the marker exists to take focus.
  // Only for requests made while mounted: switching views must not move the focus.
  const handledRequest = useRef(markRequest)
  useEffect(() => {
    if (markRequest === handledRequest.current) return
    handledRequest.current = markRequest
    markerRef.current?.focus()
  }, [markRequest])

  const pointOf = (event: PointerEvent<HTMLDivElement>): RegionPoint => {
    const bounds = surfaceRef.current?.getBoundingClientRect()
    if (!bounds || bounds.width === 0 || bounds.height === 0) return { x: 0, y: 0 }
    return { x: (event.clientX - bounds.left) / bounds.width, y: (event.clientY - bounds.top) / bounds.height }
  }

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (!drawable || event.button !== 0) return
    event.preventDefault()
    event.currentTarget.setPointerCapture(event.pointerId)
    dragStart.current = pointOf(event)
    setDraft(null)
  }

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const start = dragStart.current
    if (!start) return
    const point = pointOf(event)
    // Shown while dragging even when still too small to keep.
    setDraft({
      x: Math.max(0, Math.min(start.x, point.x)),
      y: Math.max(0, Math.min(start.y, point.y)),
      w: Math.min(1, Math.abs(point.x - start.x)),
      h: Math.min(1, Math.abs(point.y - start.y)),
    })
  }

  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    const start = dragStart.current
    if (!start) return
    dragStart.current = null
    setDraft(null)
    const region = regionFromCorners(start, pointOf(event))
    // A click without a drag is not a region.
    if (!region) return
    onPendingChange(region)
    onConfirm()
  }

  const onPointerCancel = () => {
    dragStart.current = null
    setDraft(null)
  }

  const onMarkerKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!pending) return
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-KEY_STEP, 0],
      ArrowRight: [KEY_STEP, 0],
      ArrowUp: [0, -KEY_STEP],
      ArrowDown: [0, KEY_STEP],
    }
    const step = arrows[event.key]
    if (step) {
      event.preventDefault()
      onPendingChange(event.shiftKey ? resizeRegion(pending, step[0], step[1]) : moveRegion(pending, step[0], step[1]))
    } else if (event.key === 'Enter') {
      event.preventDefault()
      onConfirm()
    } else if (event.key === 'Escape') {
      event.preventDefault()
      onPendingChange(null)
      onCancel()
    }
  }

  const shown = draft ?? pending
  const ratio = width && height ? { aspectRatio: `${width} / ${height}` } : undefined

  return (
    <div className={cn('flex flex-col items-center', className)}>
      <div className="relative inline-block max-w-full select-none">
        <img
          src={src}
          alt={alt}
          width={width ?? undefined}
          height={height ?? undefined}
          style={ratio}
          draggable={false}
          className="block h-auto max-h-[72vh] w-auto max-w-full rounded shadow-md"
        />

        {/* Saved regions; the spotlight dims everything but the highlighted one, so it is clipped to the image. */}
        <div aria-hidden className="pointer-events-none absolute inset-0 overflow-hidden rounded">
          {pins.map((pin) => {
            const lit = pin.id === highlightedId
            return (
              <div
                key={pin.id}
                data-region-for={pin.number}
                style={boxStyle(pin.region)}
                className={cn(
                  'absolute rounded-sm border-2 transition-[box-shadow,border-color,background-color] duration-150',
                  lit
                    ? 'border-amber-300 bg-amber-300/15 shadow-[0_0_0_9999px_rgba(0,0,0,0.45)]'
                    : 'border-white/90 shadow-[0_0_0_1px_rgba(0,0,0,0.45)]',
                )}
              />
            )
          })}
        </div>

        {/* Drawing surface: above the regions, below the pins. */}
        <div
          ref={surfaceRef}
          aria-hidden
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerCancel}
          className={cn('absolute inset-0', drawable && 'cursor-crosshair touch-none')}
        />

        {shown ? (
          <div
            ref={markerRef}
            tabIndex={draft ? -1 : 0}
            role="application"
            aria-roledescription="region marker"
            aria-label={`Marked region, ${describeRegion(shown)}. Arrow keys move it, Shift with arrow keys resizes it, Enter confirms, Escape removes it.`}
            onKeyDown={onMarkerKeyDown}
            style={boxStyle(shown)}
            className={cn(
              'absolute rounded-sm border-2 border-dashed border-fuchsia-400 bg-fuchsia-400/15 shadow-[0_0_0_1px_rgba(0,0,0,0.5)]',
              draft ? 'pointer-events-none' : 'pointer-events-none focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-fuchsia-500',
            )}
          >
            {!draft ? (
              <span className="absolute -top-3 -left-3 flex size-6 items-center justify-center rounded-full bg-fuchsia-600 text-xs font-semibold text-white shadow ring-2 ring-white">
                +
              </span>
            ) : null}
          </div>
        ) : null}

        <div className="pointer-events-none absolute inset-0">
          {pins.map((pin) => (
            <a
              key={pin.id}
              href={`#comment-${pin.number}`}
              aria-label={`Comment ${pin.number} by ${pin.author}`}
              onPointerEnter={() => onHighlight(pin.id)}
              onPointerLeave={() => onHighlight(null)}
              onFocus={() => onHighlight(pin.id)}
              onBlur={() => onHighlight(null)}
              onClick={(event) => {
                const item = document.getElementById(`comment-${pin.number}`)
                if (!item) return
                event.preventDefault()
                item.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
                item.focus({ preventScroll: true })
              }}
              style={{ left: `${pin.region.x * 100}%`, top: `${pin.region.y * 100}%` }}
              className={cn(
                'pointer-events-auto absolute flex size-6 -translate-x-1/2 -translate-y-1/2 items-center justify-center rounded-full text-xs font-semibold text-white shadow ring-2 ring-white transition-transform',
                pin.id === highlightedId ? 'scale-125 bg-amber-500' : 'bg-damson-600 hover:bg-damson-700',
              )}
            >
              {pin.number}
            </a>
          ))}
        </div>
      </div>

      <p aria-live="polite" className="sr-only">
        {pending ? `Region marked, ${describeRegion(pending)}.` : ''}
      </p>
    </div>
  )
}

/** "Drag on the image … or Mark a region": shown once above the panes, so both line up. */
export const MarkRegionBar = forwardRef<HTMLButtonElement, { onMark: () => void }>(function MarkRegionBar({ onMark }, ref) {
  return (
    <div className="mb-3 flex w-full flex-wrap items-center justify-between gap-2 text-xs text-zinc-600">
      <p>Drag on the image under review to mark a region for a comment, or use the keyboard.</p>
      <Button ref={ref} size="sm" variant="secondary" onClick={onMark} aria-describedby="mark-region-keys">
        <svg viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth={1.6} aria-hidden>
          <rect x="3.5" y="3.5" width="13" height="13" rx="1" strokeDasharray="3 2" />
        </svg>
        Mark a region
      </Button>
      <p id="mark-region-keys" className="sr-only">
        Places a region in the middle of the image. Arrow keys move it, Shift with arrow keys resizes it, Enter confirms it, Escape removes it.
      </p>
    </div>
  )
})

/** The crosshair that marks "this comment points at a spot". */
export function RegionIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.5} aria-hidden className={className}>
      <rect x="2.5" y="2.5" width="11" height="11" rx="1.5" strokeDasharray="2.5 1.5" />
      <circle cx="8" cy="8" r="1.5" fill="currentColor" stroke="none" />
    </svg>
  )
}
