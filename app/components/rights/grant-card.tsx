/**
 * One grant on an asset's rights page: its terms, state and releases, and for legal
 * the actions on it — edit (a link that opens the form in place), extend, revoke and
 * upload a release. Extend, revoke and upload sit in <details> so they work without
 * JavaScript and stay out of the way until wanted.
 */
import { Form, Link } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Badge, Button, buttonClasses, Card, CardBody, CardHeader, FieldError, Label, cn } from '~/components/ui'
import { territoryName } from '~/domain/territories'
import type { GrantStateName } from '~/rights/grant-state'
import { controlClasses, controlState } from './grant-fields'
import { GrantStateBadge } from './grant-state-badge'

export type GrantCardGrant = {
  id: string
  licence: string
  licenceVariant: string | null
  licensor: string
  reference: string
  channels: readonly { key: string; label: string }[]
  territories: readonly string[]
  organisations: readonly { id: string; name: string }[]
  timeZone: string
  startsAtText: string | null
  expiresAtText: string | null
  warnBeforeDays: number
  notes: string
  state: GrantStateName
  stateDetail: string | null
  revokedAtText: string | null
  revokeReason: string | null
  createdBy: string
  createdAt: string
  releases: readonly { id: string; kind: 'model' | 'property'; filename: string; createdAt: string }[]
  draft: { expiresAt: string }
}

/** An action's refusal, shown next to the control that caused it. */
export type GrantActionError = { grantId: string; intent: string; message: string }

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-3 py-1.5">
      <dt className="text-sm text-zinc-500">{label}</dt>
      <dd className="col-span-2 min-w-0 break-words text-sm text-zinc-900">{children}</dd>
    </div>
  )
}

function Chips({ items, empty }: { items: readonly string[]; empty: string }) {
  if (items.length === 0) return <span className="text-zinc-600">{empty}</span>
  return (
    <span className="flex flex-wrap gap-1">
      {items.map((item) => (
        <Badge key={item}>{item}</Badge>
      ))}
    </span>
  )
}

function territoryLabel(code: string): string {
  const name = territoryName(code)
  return name === code ? code : `${name} (${code})`
}

/** The panel a <details> opens: floats over what follows, so the row of actions stays put. */
const popoverClasses = 'absolute left-0 top-full z-20 mt-2 rounded-lg border border-zinc-200 bg-white p-3 shadow-lg'

const summaryClasses =
  'inline-flex h-8 cursor-pointer list-none items-center gap-1 rounded-md px-3 text-sm font-medium text-zinc-700 ring-1 ring-inset ring-zinc-300 hover:bg-zinc-50 [&::-webkit-details-marker]:hidden'

export function GrantCard({
  grant,
  canEdit,
  editHref,
  actionError,
  busy,
  releaseMaxMb,
  releaseAccept,
}: {
  grant: GrantCardGrant
  canEdit: boolean
  editHref: string
  actionError: GrantActionError | null
  busy: boolean
  releaseMaxMb: number
  releaseAccept: string
}) {
  const live = grant.state !== 'revoked'
  const errorFor = (intent: string) => (actionError && actionError.grantId === grant.id && actionError.intent === intent ? actionError.message : null)
  const extendError = errorFor('extend')
  const revokeError = errorFor('revoke')
  const releaseError = errorFor('upload-release')
  const territories = grant.territories.filter((code) => code !== 'WW')

  return (
    <Card id={`grant-${grant.id}`} className={cn('scroll-mt-20', grant.state === 'revoked' && 'opacity-80')}>
      <CardHeader className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="text-base font-semibold text-zinc-900">
            {grant.licenceVariant ?? grant.licence}
            {grant.licensor ? <span className="font-normal text-zinc-600"> from {grant.licensor}</span> : null}
          </h3>
          {grant.stateDetail ? <p className="mt-0.5 text-sm text-zinc-500">{grant.stateDetail}</p> : null}
        </div>
        <GrantStateBadge state={grant.state} />
      </CardHeader>
      <CardBody>
        <dl className="divide-y divide-zinc-100">
          <Fact label="Licence">
            {grant.licence}
            {grant.licenceVariant ? ` (${grant.licenceVariant})` : ''}
            {grant.reference ? <span className="text-zinc-500"> · ref. {grant.reference}</span> : null}
          </Fact>
          <Fact label="Channels">
            <Chips items={grant.channels.map((channel) => channel.label)} empty="Every channel" />
          </Fact>
          <Fact label="Territories">
            <Chips items={territories.map(territoryLabel)} empty="Worldwide" />
          </Fact>
          <Fact label="Partners">
            <Chips items={grant.organisations.map((organisation) => organisation.name)} empty="Every partner organisation" />
          </Fact>
          <Fact label="Window">
            {grant.startsAtText ? `From ${grant.startsAtText}` : 'From the start'}
            <br />
            {grant.expiresAtText ? `Until ${grant.expiresAtText}` : 'No expiry'}
            <span className="block text-xs text-zinc-500">Entered in {grant.timeZone.replaceAll('_', ' ')}</span>
          </Fact>
          <Fact label="Warning">{grant.warnBeforeDays > 0 && grant.expiresAtText ? `${grant.warnBeforeDays} days before expiry` : 'None'}</Fact>
          {grant.revokedAtText ? (
            <Fact label="Revoked">
              {grant.revokedAtText}
              {grant.revokeReason ? <span className="block whitespace-pre-line text-zinc-600">“{grant.revokeReason}”</span> : null}
            </Fact>
          ) : null}
          {grant.notes ? (
            <Fact label="Notes">
              <span className="whitespace-pre-line">{grant.notes}</span>
            </Fact>
          ) : null}
          <Fact label="Releases">
            {grant.releases.length === 0 ? (
              <span className="text-zinc-500">None attached</span>
            ) : (
              <ul className="space-y-2">
                {grant.releases.map((release) => (
                  <li key={release.id}>
                    <span className="flex min-w-0 items-center gap-2">
                      <Badge tone="accent">{release.kind === 'model' ? 'Model' : 'Property'}</Badge>
                      <a href={`/rights/releases/${release.id}`} className="truncate text-damson-700 hover:underline" title={`Download ${release.filename}`}>
                        {release.filename}
                      </a>
                    </span>
                    <span className="block text-xs text-zinc-500">Added {release.createdAt} UTC</span>
                  </li>
                ))}
              </ul>
            )}
          </Fact>
          <Fact label="Recorded">
            {grant.createdBy}, {grant.createdAt} UTC
          </Fact>
        </dl>

        {canEdit && live ? (
          <div className="mt-4 flex flex-wrap items-start gap-2 border-t border-zinc-100 pt-4">
            <Link to={editHref} preventScrollReset className={buttonClasses({ variant: 'secondary', size: 'sm' })}>
              Edit
            </Link>
            {grant.expiresAtText ? (
              <details className="relative" open={Boolean(extendError)}>
                <summary className={summaryClasses}>Extend…</summary>
                <div className={cn(popoverClasses, 'w-80 space-y-3')}>
                  <Form method="post" preventScrollReset className="flex flex-wrap gap-2">
                    <input type="hidden" name="intent" value="extend" />
                    <input type="hidden" name="grantId" value={grant.id} />
                    <Button type="submit" name="days" value="30" size="sm" variant="secondary" disabled={busy}>
                      +30 days
                    </Button>
                    <Button type="submit" name="days" value="90" size="sm" variant="secondary" disabled={busy}>
                      +90 days
                    </Button>
                    <Button type="submit" name="days" value="365" size="sm" variant="secondary" disabled={busy}>
                      +1 year
                    </Button>
                  </Form>
                  <Form method="post" preventScrollReset className="space-y-1.5">
                    <input type="hidden" name="intent" value="extend" />
                    <input type="hidden" name="grantId" value={grant.id} />
                    <Label htmlFor={`extend-until-${grant.id}`}>Or until ({grant.timeZone.replaceAll('_', ' ')})</Label>
                    <div className="flex gap-2">
                      <input
                        id={`extend-until-${grant.id}`}
                        type="datetime-local"
                        name="until"
                        required
                        defaultValue={grant.draft.expiresAt}
                        className={cn(controlClasses, 'h-8 min-w-0 flex-1', controlState(Boolean(extendError)))}
                      />
                      <Button type="submit" size="sm" disabled={busy}>
                        Extend
                      </Button>
                    </div>
                  </Form>
                  <FieldError>{extendError}</FieldError>
                </div>
              </details>
            ) : null}
            <details className="relative" open={Boolean(releaseError)}>
              <summary className={summaryClasses}>Attach release…</summary>
              <Form method="post" encType="multipart/form-data" preventScrollReset className={cn(popoverClasses, 'w-80 space-y-2')}>
                {/* Text fields first: the server reads them before the file streams. */}
                <input type="hidden" name="grantId" value={grant.id} />
                <fieldset className="flex gap-4 text-sm">
                  <legend className="sr-only">Kind of release</legend>
                  <label className="flex items-center gap-1.5">
                    <input type="radio" name="kind" value="model" defaultChecked /> Model release
                  </label>
                  <label className="flex items-center gap-1.5">
                    <input type="radio" name="kind" value="property" /> Property release
                  </label>
                </fieldset>
                <input
                  type="file"
                  name="file"
                  required
                  accept={releaseAccept}
                  aria-label="Release document"
                  className="block w-full text-sm text-zinc-700 file:mr-3 file:rounded-md file:border-0 file:bg-damson-50 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-damson-700"
                />
                <p className="text-xs text-zinc-500">PDF, JPEG or PNG, up to {releaseMaxMb} MB.</p>
                <Button type="submit" size="sm" disabled={busy}>
                  Upload release
                </Button>
                <FieldError>{releaseError}</FieldError>
              </Form>
            </details>
            <details className="relative" open={Boolean(revokeError)}>
              <summary className={cn(summaryClasses, 'text-red-700 ring-red-200 hover:bg-red-50')}>Revoke…</summary>
              <Form method="post" preventScrollReset className={cn(popoverClasses, 'right-0 left-auto w-80 space-y-2 border-red-200')}>
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="grantId" value={grant.id} />
                <Label htmlFor={`revoke-reason-${grant.id}`}>Why is it revoked?</Label>
                <textarea
                  id={`revoke-reason-${grant.id}`}
                  name="reason"
                  rows={2}
                  required
                  maxLength={1000}
                  className={cn(controlClasses, 'py-2', controlState(Boolean(revokeError)))}
                />
                <p className="text-xs text-zinc-600">Takes effect at once: partners lose this licence now. The reason goes into the audit trail.</p>
                <Button type="submit" variant="danger" size="sm" disabled={busy}>
                  Revoke grant
                </Button>
                <FieldError>{revokeError}</FieldError>
              </Form>
            </details>
          </div>
        ) : null}
      </CardBody>
    </Card>
  )
}
