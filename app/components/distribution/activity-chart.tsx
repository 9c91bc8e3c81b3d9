/**
 * The distribution dashboard's chart: per UTC day over the last 30 days, publications
 * and takedowns as two bars side by side, and a red mark over any day with failed
 * deliveries. Inline SVG drawn on the server (no chart library, no client JavaScript);
 * each day carries a <title> with its counts, and a table under it holds the same
 * numbers for screen readers.
 */
import type { ActivityChart as ActivityChartData } from '~/distribution/activity-chart'
import { countTicks } from '~/rights/board-timeline'

const WIDTH = 960
const HEIGHT = 260
const MARGIN = { top: 28, right: 12, bottom: 44, left: 44 }

export const ACTIVITY_COLOURS = { published: '#5b2a86', removed: '#f59e0b', failed: '#dc2626' } as const

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

export function ActivityChartLegend() {
  return (
    <ul className="flex flex-wrap items-center gap-4 text-sm text-zinc-700" aria-label="Legend">
      <li className="flex items-center gap-1.5">
        <span aria-hidden className="inline-block size-3 rounded-sm" style={{ background: ACTIVITY_COLOURS.published }} />
        Published
      </li>
      <li className="flex items-center gap-1.5">
        <span aria-hidden className="inline-block size-3 rounded-sm" style={{ background: ACTIVITY_COLOURS.removed }} />
        Taken down
      </li>
      <li className="flex items-center gap-1.5">
        <svg aria-hidden viewBox="0 0 12 12" className="size-3">
          <circle cx="6" cy="6" r="5.5" fill={ACTIVITY_COLOURS.failed} />
        </svg>
        Failed deliveries
      </li>
    </ul>
  )
}

export function ActivityChart({ chart, title }: { chart: ActivityChartData; title: string }) {
  const { days, totals } = chart
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const ticks = countTicks(chart.max)
  const top = ticks[ticks.length - 1] ?? 1
  const slot = plotWidth / Math.max(days.length, 1)
  const barWidth = Math.max(3, Math.min(18, (slot * 0.72) / 2))
  const y = (count: number) => MARGIN.top + plotHeight - (count / top) * plotHeight
  // Enough labels to read the axis without collisions (about 60 px apart), always today's.
  const labelEvery = Math.max(1, Math.ceil(60 / slot))
  const last = days.length - 1

  return (
    <figure>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="activity-chart-title activity-chart-desc" className="h-auto w-full" style={{ fontFamily: 'inherit' }}>
        <title id="activity-chart-title">{title}</title>
        <desc id="activity-chart-desc">
          {`${plural(totals.published, 'publication', 'publications')} and ${plural(totals.removed, 'takedown', 'takedowns')} per UTC day, drawn side by side` +
            (totals.failed > 0 ? `; ${plural(totals.failed, 'failed delivery', 'failed deliveries')}, marked in red above their day.` : '; no failed deliveries.')}
        </desc>

        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke={tick === 0 ? '#a1a1aa' : '#e4e4e7'} strokeWidth={1} />
            <text x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end" fontSize={12} fill="#71717a">
              {tick}
            </text>
          </g>
        ))}
        <text x={14} y={MARGIN.top + plotHeight / 2} transform={`rotate(-90 14 ${MARGIN.top + plotHeight / 2})`} textAnchor="middle" fontSize={12} fill="#71717a">
          Assets per day
        </text>

        {days.map((day, index) => {
          const centre = MARGIN.left + index * slot + slot / 2
          const publishedTop = y(day.published)
          const removedTop = y(day.removed)
          const showLabel = index === last || (index % labelEvery === 0 && last - index >= labelEvery)
          return (
            <g key={day.day}>
              <title>{`${day.label}: ${day.published} published, ${day.removed} taken down, ${plural(day.failed, 'failed delivery', 'failed deliveries')}`}</title>
              {/* A transparent column so the tooltip works anywhere over the day. */}
              <rect x={MARGIN.left + index * slot} y={MARGIN.top - 20} width={slot} height={plotHeight + 20} fill="transparent" />
              {day.published > 0 ? (
                <rect x={centre - barWidth - 1} y={publishedTop} width={barWidth} height={y(0) - publishedTop} fill={ACTIVITY_COLOURS.published} rx={2} />
              ) : null}
              {day.removed > 0 ? <rect x={centre + 1} y={removedTop} width={barWidth} height={y(0) - removedTop} fill={ACTIVITY_COLOURS.removed} rx={2} /> : null}
              {day.failed > 0 ? (
                <g>
                  <circle cx={centre} cy={Math.min(publishedTop, removedTop) - 11} r={8} fill={ACTIVITY_COLOURS.failed} />
                  <text x={centre} y={Math.min(publishedTop, removedTop) - 11} dy="0.34em" textAnchor="middle" fontSize={day.failed > 9 ? 8 : 10} fontWeight={700} fill="#fff">
                    {day.failed > 99 ? '99+' : day.failed}
                  </text>
                </g>
              ) : null}
              {showLabel ? (
                <>
                  <line x1={centre} x2={centre} y1={y(0)} y2={y(0) + 4} stroke="#a1a1aa" />
                  <text x={centre} y={y(0) + 18} textAnchor="middle" fontSize={12} fill="#52525b">
                    {index === last ? 'Today' : day.label}
                  </text>
                </>
              ) : null}
            </g>
          )
        })}
        <text x={WIDTH - MARGIN.right} y={HEIGHT - 6} textAnchor="end" fontSize={11} fill="#a1a1aa">
          Days (UTC)
        </text>
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Published</th>
            <th scope="col">Taken down</th>
            <th scope="col">Failed deliveries</th>
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day.day}>
              <td>{day.label}</td>
              <td>{day.published}</td>
              <td>{day.removed}</td>
              <td>{day.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
