/**
 * The expiring-soon board's chart: upcoming rights changes per day (or per week for 90
 * days), expiries and embargo ends stacked, drawn as inline SVG on the server. Each
 * bar carries a <title> with its counts; the list under the chart holds the same data.
 */
import { countTicks, type Timeline } from '~/rights/board-timeline'

const WIDTH = 960
const HEIGHT = 240
const MARGIN = { top: 16, right: 12, bottom: 44, left: 40 }

const COLOURS = { expiries: '#dc2626', starts: '#0284c7' } as const

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

export function ExpiryTimelineLegend() {
  return (
    <ul className="flex flex-wrap items-center gap-4 text-sm text-zinc-700" aria-label="Legend">
      <li className="flex items-center gap-1.5">
        <span aria-hidden className="inline-block size-3 rounded-sm" style={{ background: COLOURS.expiries }} />
        Expiries
      </li>
      <li className="flex items-center gap-1.5">
        <span aria-hidden className="inline-block size-3 rounded-sm" style={{ background: COLOURS.starts }} />
        Embargo ends (grant opens)
      </li>
    </ul>
  )
}

export function ExpiryTimeline({ timeline, title }: { timeline: Timeline; title: string }) {
  const { buckets, unit } = timeline
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const ticks = countTicks(timeline.max)
  const top = ticks[ticks.length - 1] ?? 1
  const slot = plotWidth / Math.max(buckets.length, 1)
  const barWidth = Math.max(4, Math.min(48, slot * 0.7))
  const y = (count: number) => MARGIN.top + plotHeight - (count / top) * plotHeight
  // Enough labels to read the axis, never so many they collide (about 60 px apart).
  const labelEvery = Math.max(1, Math.ceil(60 / slot))
  const total = buckets.reduce((sum, bucket) => sum + bucket.expiries + bucket.starts, 0)

  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby="expiry-timeline-title expiry-timeline-desc"
      className="h-auto w-full"
      style={{ fontFamily: 'inherit' }}
    >
      <title id="expiry-timeline-title">{title}</title>
      <desc id="expiry-timeline-desc">
        {`${plural(total, 'change', 'changes')} shown as a bar per ${unit}: expiries in red, embargo ends in blue, stacked.`}
      </desc>

      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke={tick === 0 ? '#a1a1aa' : '#e4e4e7'} strokeWidth={1} />
          <text x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end" fontSize={12} fill="#71717a">
            {tick}
          </text>
        </g>
      ))}
      <text
        x={14}
        y={MARGIN.top + plotHeight / 2}
        transform={`rotate(-90 14 ${MARGIN.top + plotHeight / 2})`}
        textAnchor="middle"
        fontSize={12}
        fill="#71717a"
      >
        Changes
      </text>

      {buckets.map((bucket, index) => {
        const x = MARGIN.left + index * slot + (slot - barWidth) / 2
        const expiryTop = y(bucket.expiries)
        const startTop = y(bucket.expiries + bucket.starts)
        const count = bucket.expiries + bucket.starts
        const showLabel = index % labelEvery === 0
        return (
          <g key={bucket.from}>
            <title>{`${bucket.label}: ${plural(bucket.expiries, 'expiry', 'expiries')}, ${plural(bucket.starts, 'embargo end', 'embargo ends')}`}</title>
            {/* A transparent column so the tooltip works anywhere over the day. */}
            <rect x={MARGIN.left + index * slot} y={MARGIN.top} width={slot} height={plotHeight} fill="transparent" />
            {bucket.expiries > 0 ? (
              <rect x={x} y={expiryTop} width={barWidth} height={y(0) - expiryTop} fill={COLOURS.expiries} rx={2} />
            ) : null}
            {bucket.starts > 0 ? (
              <rect x={x} y={startTop} width={barWidth} height={expiryTop - startTop} fill={COLOURS.starts} rx={2} />
            ) : null}
            {count > 0 ? (
              <text x={x + barWidth / 2} y={startTop - 4} textAnchor="middle" fontSize={11} fontWeight={600} fill="#3f3f46">
                {count}
              </text>
            ) : null}
            {showLabel ? (
              <>
                <line x1={x + barWidth / 2} x2={x + barWidth / 2} y1={y(0)} y2={y(0) + 4} stroke="#a1a1aa" />
                <text x={x + barWidth / 2} y={y(0) + 18} textAnchor="middle" fontSize={12} fill="#52525b">
                  {bucket.tick}
                </text>
              </>
            ) : null}
          </g>
        )
      })}
      <text x={WIDTH - MARGIN.right} y={HEIGHT - 6} textAnchor="end" fontSize={11} fill="#a1a1aa">
        {unit === 'day' ? 'Days (UTC)' : 'Weeks, by first day (UTC)'}
      </text>
    </svg>
  )
}
