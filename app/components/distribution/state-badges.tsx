/**
 * Distribution states as people see them: a badge per state, and a channel's counts by
 * state group (live, pending, failed, taken down) in one line.
 */
import { Link } from '@remix-run/react'
import { Badge, type BadgeTone } from '~/components/ui'
import { STATE_GROUP_LABELS, STATE_GROUPS, type StateCounts, type StateGroup } from '~/distribution/state-groups'

export const STATE_GROUP_TONES: Record<StateGroup, BadgeTone> = {
  live: 'success',
  pending: 'info',
  failed: 'danger',
  takenDown: 'neutral',
}

/** The text colour of a group's count, matching its badge. */
const COUNT_TONES: Record<StateGroup, string> = {
  live: 'text-emerald-700',
  pending: 'text-sky-700',
  failed: 'text-red-700',
  takenDown: 'text-zinc-600',
}

export function DistributionStateBadge({ group, label }: { group: StateGroup | null; label: string }) {
  return (
    <Badge tone={group ? STATE_GROUP_TONES[group] : 'neutral'}>
      <span aria-hidden className="size-1.5 rounded-full bg-current opacity-70" />
      {label}
    </Badge>
  )
}

/** "3 live · 1 failed", the zeros left out; each count links to its section of the channel's page. */
export function ChannelStateCounts({ counts, href }: { counts: StateCounts; href?: string }) {
  const shown = STATE_GROUPS.filter((group) => counts[group] > 0)
  if (shown.length === 0) return <span className="text-sm text-zinc-500">None yet</span>
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1 text-sm" aria-label="Assets by state">
      {shown.map((group) => {
        const text = (
          <>
            <span className="font-semibold tabular-nums">{counts[group]}</span> {STATE_GROUP_LABELS[group].toLowerCase()}
          </>
        )
        return (
          <li key={group} className={COUNT_TONES[group]}>
            {href ? (
              <Link to={`${href}#${group}`} className="hover:underline">
                {text}
              </Link>
            ) : (
              text
            )}
          </li>
        )
      })}
    </ul>
  )
}
