import { niceCeiling, shortDay } from './chart-scale'

export type DownloadsChartProps = {
  /** Oldest first; weekStart is the Monday ("YYYY-MM-DD", UTC). */
  weeks: { weekStart: string; count: number }[]
}

const WIDTH = 760
const HEIGHT = 190
const PAD = { top: 18, right: 8, bottom: 26, left: 30 }

/**
 * Downloads per week as bars, drawn on the server as plain SVG (no chart library, no
 * client JavaScript). The numbers are also in a table for screen readers.
 */
export function DownloadsPerWeekChart({ weeks }: DownloadsChartProps) {
  const top = niceCeiling(Math.max(0, ...weeks.map((week) => week.count)))
  const plotWidth = WIDTH - PAD.left - PAD.right
  const plotHeight = HEIGHT - PAD.top - PAD.bottom
  const slot = plotWidth / Math.max(1, weeks.length)
  const barWidth = Math.min(36, slot * 0.62)
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight
  const ticks = top <= 1 ? [0, 1] : [0, top / 2, top]
  const total = weeks.reduce((sum, week) => sum + week.count, 0)
  const first = weeks[0]
  const last = weeks[weeks.length - 1]

  return (
    <figure>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="downloads-chart-title"
        className="h-auto w-full text-zinc-500"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id="downloads-chart-title">
          {`Downloads per week${first && last ? ` from the week of ${shortDay(first.weekStart)} to the week of ${shortDay(last.weekStart)}` : ''}: ${total} in all`}
        </title>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} stroke="#e4e4e7" strokeDasharray={tick === 0 ? undefined : '3 3'} />
            <text x={PAD.left - 6} y={y(tick)} dy="0.32em" textAnchor="end" fontSize="10" fill="currentColor">
              {tick}
            </text>
          </g>
        ))}
        {weeks.map((week, index) => {
          const x = PAD.left + index * slot + (slot - barWidth) / 2
          const barTop = y(week.count)
          return (
            <g key={week.weekStart}>
              {week.count > 0 ? (
                <>
                  <rect
                    x={x}
                    y={barTop}
                    width={barWidth}
                    height={PAD.top + plotHeight - barTop}
                    rx={3}
                    fill={index === weeks.length - 1 ? '#5b2a86' : '#9c72c4'}
                  />
                  <text x={x + barWidth / 2} y={barTop - 4} textAnchor="middle" fontSize="10" fill="#3f3f46">
                    {week.count}
                  </text>
                </>
              ) : null}
              {/* Every other label when crowded, always the latest week. */}
              {weeks.length <= 8 || index % 2 === (weeks.length - 1) % 2 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle" fontSize="10" fill="currentColor">
                  {shortDay(week.weekStart)}
                </text>
              ) : null}
            </g>
          )
        })}
      </svg>
      <figcaption className="mt-1 text-xs text-zinc-500">Weeks start on Monday (UTC); the darker bar is this week so far.</figcaption>
      <table className="sr-only">
        <caption>Downloads per week</caption>
        <thead>
          <tr>
            <th scope="col">Week of</th>
            <th scope="col">Downloads</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week.weekStart}>
              <td>{shortDay(week.weekStart)}</td>
              <td>{week.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
