import { Card, CardBody } from '~/components/ui'
import { asSentence } from './sentence'

export type PartnerAccessPanelProps = {
  groups: { reason: string | null; organisations: string[] }[]
  notShown: number
  sharedWithAllPartners: boolean
}

/**
 * For brand staff on the portal page: which partner organisations the one access rule
 * hides the asset from, grouped by the reason, and which can see it.
 */
export function PartnerAccessPanel({ groups, notShown, sharedWithAllPartners }: PartnerAccessPanelProps) {
  const blocked = groups.filter((group) => group.reason !== null)
  const visible = groups.find((group) => group.reason === null)
  return (
    <Card>
      <CardBody>
        <h2 className="text-sm font-semibold text-zinc-900">{blocked.length > 0 ? 'Why partners cannot see this' : 'Partner access'}</h2>
        <p className="mt-0.5 text-xs text-zinc-500">
          {sharedWithAllPartners ? 'Shared with every partner organisation.' : 'Shared with named partner organisations only.'} Checked now, as
          each partner would be. Only you (brand staff) see this.
        </p>
        {groups.length === 0 ? (
          <p className="mt-3 text-sm text-zinc-600">
            {sharedWithAllPartners ? 'There are no partner organisations yet.' : 'It is not shared with any partner organisation.'}
          </p>
        ) : (
          <ul className="mt-3 space-y-3">
            {blocked.map((group) => (
              <li key={group.reason} className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm">
                <p className="font-medium text-amber-900">{asSentence(group.reason ?? '')}</p>
                <p className="mt-0.5 text-xs text-amber-800">{group.organisations.join(', ')}</p>
              </li>
            ))}
            {visible ? (
              <li className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm">
                <p className="font-medium text-emerald-900">Can see and download it</p>
                <p className="mt-0.5 text-xs text-emerald-800">{visible.organisations.join(', ')}</p>
              </li>
            ) : null}
          </ul>
        )}
        {notShown > 0 ? (
          <p className="mt-3 text-xs text-zinc-500">
            {notShown} more partner {notShown === 1 ? 'organisation is' : 'organisations are'} not checked here (the first 20 by name are).
          </p>
        ) : null}
      </CardBody>
    </Card>
  )
}
