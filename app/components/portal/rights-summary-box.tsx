import { Badge, Card, CardBody, type BadgeTone } from '~/components/ui'
import { asSentence } from './sentence'

export type RightsSummaryBoxProps = {
  headline: string
  licences: { grantId: string; state: string; title: string; lines: string[] }[]
  /** Staff see every licence with where it stands; partners only those in force for them. */
  showStates: boolean
}

const STATE_BADGE: Record<string, { tone: BadgeTone; label: string }> = {
  in_force: { tone: 'success', label: 'In force' },
  embargoed: { tone: 'info', label: 'Embargoed' },
  never_in_force: { tone: 'neutral', label: 'Never in force' },
  expired: { tone: 'warning', label: 'Expired' },
  revoked: { tone: 'danger', label: 'Revoked' },
}

/** The asset's rights in plain language (from ~/domain/rights-summary). */
export function RightsSummaryBox({ headline, licences, showStates }: RightsSummaryBoxProps) {
  return (
    // #rights: delivered files link here from their embedded xmpRights:WebStatement.
    <Card id="rights" className="scroll-mt-20">
      <CardBody>
        <h2 className="mb-1 text-sm font-semibold text-zinc-900">Usage rights</h2>
        <p className="text-sm text-zinc-700">{asSentence(headline)}</p>
        {licences.length > 0 ? (
          <ul className="mt-3 space-y-3 border-t border-zinc-100 pt-3">
            {licences.map((licence) => {
              const badge = STATE_BADGE[licence.state]
              return (
                <li key={licence.grantId} className="text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-zinc-900">{licence.title}</span>
                    {showStates && badge ? <Badge tone={badge.tone}>{badge.label}</Badge> : null}
                  </div>
                  <ul className="mt-1 space-y-0.5 text-xs text-zinc-600">
                    {licence.lines.map((line, index) => (
                      <li key={index}>{line}</li>
                    ))}
                  </ul>
                </li>
              )
            })}
          </ul>
        ) : null}
      </CardBody>
    </Card>
  )
}
