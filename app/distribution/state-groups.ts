/**
 * How people see a distribution's state: four groups (live, pending, failed, taken
 * down) for counts, tabs and badges. The records keep the finer states the workflow
 * moves through; "publishing" is still on its way out, "removing" is still live.
 */
import type { DistributionState } from '~/generated/prisma/enums'

export const STATE_GROUPS = ['live', 'pending', 'failed', 'takenDown'] as const
export type StateGroup = (typeof STATE_GROUPS)[number]

export const STATES_BY_GROUP = {
  live: ['published', 'removing'],
  pending: ['pending', 'publishing'],
  failed: ['failed'],
  takenDown: ['removed'],
} as const satisfies Record<StateGroup, readonly DistributionState[]>

export const STATE_GROUP_LABELS: Record<StateGroup, string> = {
  live: 'Live',
  pending: 'Pending',
  failed: 'Failed',
  takenDown: 'Taken down',
}

export function stateGroupOf(state: DistributionState): StateGroup {
  switch (state) {
    case 'published':
    case 'removing':
      return 'live'
    case 'pending':
    case 'publishing':
      return 'pending'
    case 'failed':
      return 'failed'
    case 'removed':
      return 'takenDown'
  }
}

export type StateCounts = Record<StateGroup, number>

export function emptyStateCounts(): StateCounts {
  return { live: 0, pending: 0, failed: 0, takenDown: 0 }
}

/** A state in words, finer than its group: "Live", "Delivering…", "Taking down…". */
export function describeState(state: DistributionState): string {
  switch (state) {
    case 'published':
      return 'Live'
    case 'removing':
      return 'Taking down…'
    case 'pending':
      return 'Pending'
    case 'publishing':
      return 'Delivering…'
    case 'failed':
      return 'Failed'
    case 'removed':
      return 'Taken down'
  }
}
