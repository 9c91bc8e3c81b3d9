import { Badge, type BadgeTone } from '~/components/ui'
import { GRANT_STATE_LABELS, type GrantStateName } from '~/rights/grant-state'

const TONES: Record<GrantStateName, BadgeTone> = {
  in_force: 'success',
  expiring_soon: 'warning',
  embargoed: 'info',
  never_in_force: 'neutral',
  expired: 'danger',
  revoked: 'neutral',
}

/** In force / Expiring soon / Embargoed / Expired / Revoked, coloured to be told apart at a glance. */
export function GrantStateBadge({ state, className }: { state: GrantStateName; className?: string }) {
  return (
    <Badge tone={TONES[state]} className={className}>
      <span aria-hidden className="size-1.5 rounded-full bg-current opacity-70" />
      {GRANT_STATE_LABELS[state]}
    </Badge>
  )
}
