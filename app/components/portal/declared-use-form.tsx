import { Form } from '@remix-run/react'
import { Button, cn, FieldError, Label } from '~/components/ui'
import { asSentence } from './sentence'

export type DeclaredUseFormProps = {
  channels: { key: string; label: string }[]
  territories: { code: string; name: string }[]
  selected: { channel: string; territory: string }
  /** Staff opening an unapproved asset download that version. */
  versionId: string | null
  buttonLabel: string
  /** Nothing can be declared now. */
  nothingPermitted: boolean
  forStaff: boolean
  /** The last attempt was refused (or could not be delivered): the reason, shown beside the form. */
  refusal: string | null
  fieldErrors: { channel?: string; territory?: string }
  fileFacts: string
}

const selectClasses =
  'block h-10 w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2'

function selectState(invalid: boolean): string {
  return invalid ? 'border-red-400 focus:border-red-500 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100'
}

function DownloadIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.75} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <path d="M10 3v10m0 0l-4-4m4 4l4-4M4 15v2h12v-2" />
    </svg>
  )
}

/**
 * "Where will you use it?": channel and territory, then the download. A plain form
 * post (reloadDocument): the answer is the file itself (the page stays), or this page
 * again with the reason when the use is refused, with or without JavaScript.
 */
export function DeclaredUseForm({
  channels,
  territories,
  selected,
  versionId,
  buttonLabel,
  nothingPermitted,
  forStaff,
  refusal,
  fieldErrors,
  fileFacts,
}: DeclaredUseFormProps) {
  if (nothingPermitted) {
    return (
      <div id="download" className="rounded-lg border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm text-zinc-700">
        No licence covers any use of this asset for your organisation right now, so it cannot be downloaded.
      </div>
    )
  }
  return (
    <Form
      method="post"
      reloadDocument
      id="download"
      aria-labelledby="download-heading"
      className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 shadow-sm"
    >
      <div>
        <h2 id="download-heading" className="text-sm font-semibold text-zinc-900">
          Where will you use it?
        </h2>
        <p className="mt-0.5 text-xs text-zinc-500">
          {forStaff
            ? 'Brand staff are never refused; the use you declare is recorded with the download.'
            : 'Only uses your licence allows are listed. Your choice is recorded with the download.'}
        </p>
      </div>
      <input type="hidden" name="intent" value="download" />
      {versionId ? <input type="hidden" name="version" value={versionId} /> : null}
      <div className="space-y-1.5">
        <Label htmlFor="declared-channel">Channel</Label>
        <select
          id="declared-channel"
          name="channel"
          required
          defaultValue={selected.channel}
          aria-invalid={fieldErrors.channel ? true : undefined}
          aria-describedby={fieldErrors.channel ? 'declared-channel-error' : undefined}
          className={cn(selectClasses, selectState(Boolean(fieldErrors.channel)))}
        >
          <option value="" disabled>
            Choose a channel…
          </option>
          {channels.map((channel) => (
            <option key={channel.key} value={channel.key}>
              {channel.label}
            </option>
          ))}
        </select>
        <FieldError id="declared-channel-error">{fieldErrors.channel}</FieldError>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="declared-territory">Territory</Label>
        <select
          id="declared-territory"
          name="territory"
          required
          defaultValue={selected.territory}
          aria-invalid={fieldErrors.territory ? true : undefined}
          aria-describedby={fieldErrors.territory ? 'declared-territory-error' : undefined}
          className={cn(selectClasses, selectState(Boolean(fieldErrors.territory)))}
        >
          <option value="" disabled>
            Choose a territory…
          </option>
          {territories.map((territory) => (
            <option key={territory.code} value={territory.code}>
              {territory.name}
            </option>
          ))}
        </select>
        <FieldError id="declared-territory-error">{fieldErrors.territory}</FieldError>
      </div>
      {refusal ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <p className="font-medium">Not downloaded</p>
          <p className="mt-0.5">{asSentence(refusal)}</p>
        </div>
      ) : null}
      <Button type="submit" size="lg" className="w-full">
        <DownloadIcon className="size-5" />
        {buttonLabel}
      </Button>
      <p className="text-center text-xs text-zinc-500">{fileFacts}</p>
    </Form>
  )
}
