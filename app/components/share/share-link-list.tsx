import { Form } from '@remix-run/react'
import { Badge, Button, type BadgeTone } from '~/components/ui'

export type ShareLinkRow = {
  id: string
  createdAt: string
  createdBy: string
  expiresAt: string
  passwordProtected: boolean
  downloadLimit: number | null
  downloadCount: number
  revokedAt: string | null
  state: 'active' | 'revoked' | 'expired' | 'used_up'
}

const STATE_BADGE: Record<ShareLinkRow['state'], { tone: BadgeTone; label: string }> = {
  active: { tone: 'success', label: 'Active' },
  used_up: { tone: 'warning', label: 'Used up' },
  expired: { tone: 'neutral', label: 'Expired' },
  revoked: { tone: 'danger', label: 'Revoked' },
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/** Dates render the same on server and client: fixed locale and zone, said out loud. */
export function formatUtc(iso: string): string {
  return `${dateTime.format(new Date(iso))} UTC`
}

/** An asset's share links with where each stands; active ones can be revoked by editors. */
export function ShareLinkList({ links, canManage, busy }: { links: readonly ShareLinkRow[]; canManage: boolean; busy: boolean }) {
  return (
    <ul className="divide-y divide-zinc-100">
      {links.map((link) => {
        const badge = STATE_BADGE[link.state]
        const downloads =
          link.downloadLimit === null
            ? `${link.downloadCount} ${link.downloadCount === 1 ? 'download' : 'downloads'}, no limit`
            : `${link.downloadCount} of ${link.downloadLimit} ${link.downloadLimit === 1 ? 'download' : 'downloads'}`
        return (
          <li key={link.id} className="flex flex-wrap items-start gap-x-4 gap-y-2 px-5 py-3 text-sm">
            <div className="min-w-0 flex-1 space-y-0.5">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={badge.tone}>{badge.label}</Badge>
                {link.passwordProtected ? <Badge tone="accent">Password</Badge> : null}
                <span className="text-zinc-600">{downloads}</span>
              </div>
              <p className="text-zinc-500">
                {link.revokedAt
                  ? `Revoked ${formatUtc(link.revokedAt)}`
                  : `${link.state === 'expired' ? 'Expired' : 'Expires'} ${formatUtc(link.expiresAt)}`}
              </p>
              <p className="text-xs text-zinc-400">
                Made by {link.createdBy}, {formatUtc(link.createdAt)}
              </p>
            </div>
            {canManage && link.revokedAt === null && link.state !== 'expired' ? (
              <Form method="post" preventScrollReset>
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="linkId" value={link.id} />
                <Button type="submit" variant="secondary" size="sm" disabled={busy} aria-label={`Revoke the link made ${formatUtc(link.createdAt)}`}>
                  Revoke
                </Button>
              </Form>
            ) : null}
          </li>
        )
      })}
    </ul>
  )
}
