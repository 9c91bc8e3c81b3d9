/**
 * The focal point of an image version: the spot every crop keeps in frame. Shown as a
 * marker on the preview; librarians click the picture to move it (the form posts at
 * once), or type the position as percentages and save (the same form, which is all
 * there is without JavaScript). "Centre" clears it.
 */
import { Form, useNavigation, useSearchParams, useSubmit } from '@remix-run/react'
import { useRef, useState, type MouseEvent } from 'react'
import { Button, Card, CardBody, CardHeader, CardTitle } from '~/components/ui'

export type FocalPointPickerProps = {
  versionId: string
  versionNumber: number
  imageUrl: string
  /** Fractions 0–1; null for "not set" (crops centre). */
  focal: { x: number; y: number } | null
  canEdit: boolean
  /** Where the form's answer returns to (this page). */
  returnTo: string
}

function percent(fraction: number): string {
  return String(Math.round(fraction * 1000) / 10)
}

export function FocalPointPicker({ versionId, versionNumber, imageUrl, focal, canEdit, returnTo }: FocalPointPickerProps) {
  const submit = useSubmit()
  // The route answers a position that is not a percentage with ?focal=invalid (a fixed code, never echoed text).
  const [searchParams] = useSearchParams()
  const invalid = searchParams.get('focal') === 'invalid'
  const navigation = useNavigation()
  const formRef = useRef<HTMLFormElement>(null)
  const [point, setPoint] = useState(focal)
  const busy = navigation.state === 'submitting' && navigation.formAction?.endsWith('/focal-point') === true
  const action = `/library/versions/${encodeURIComponent(versionId)}/focal-point`
  const shown = point ?? focal

  function choose(event: MouseEvent<HTMLImageElement>) {
    if (!canEdit || !formRef.current) return
    const box = event.currentTarget.getBoundingClientRect()
    const next = { x: Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)), y: Math.min(1, Math.max(0, (event.clientY - box.top) / box.height)) }
    setPoint(next)
    const data = new FormData(formRef.current)
    data.set('x', percent(next.x))
    data.set('y', percent(next.y))
    data.set('intent', 'set')
    submit(data, { method: 'post', action, preventScrollReset: true })
  }

  return (
    <Card id="focal-point">
      <CardHeader className="flex items-center justify-between gap-3">
        <CardTitle>Focal point</CardTitle>
        <span className="text-sm text-zinc-500">{shown ? `${percent(shown.x)}% across, ${percent(shown.y)}% down` : 'Not set: crops keep the centre'}</span>
      </CardHeader>
      <CardBody className="space-y-4">
        <p className="text-sm text-zinc-600">
          Every crop of version {versionNumber} (square and banner presets, channel deliveries) keeps this spot in frame.
          {canEdit ? ' Click the picture to move it.' : ''}
        </p>
        <div className="flex justify-center rounded bg-zinc-50 p-2">
          <div className="relative inline-block">
            <img
              src={imageUrl}
              alt={`Version ${versionNumber}${canEdit ? ': click to set the focal point' : ''}`}
              onClick={choose}
              className={`block max-h-72 max-w-full select-none rounded ${canEdit ? 'cursor-crosshair' : ''}`}
              draggable={false}
            />
            {shown ? (
              <span
                aria-hidden
                data-focal-marker=""
                className="pointer-events-none absolute size-6 -translate-x-1/2 -translate-y-1/2 rounded-full border-2 border-white bg-damson-600/40 shadow-[0_0_0_2px_rgba(0,0,0,0.45)]"
                style={{ left: `${shown.x * 100}%`, top: `${shown.y * 100}%` }}
              />
            ) : null}
          </div>
        </div>
        {canEdit && invalid ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            The focal point was not changed: enter both positions as percentages from 0 to 100.
          </p>
        ) : null}
        {canEdit ? (
          <Form ref={formRef} method="post" action={action} preventScrollReset className="flex flex-wrap items-end gap-3">
            <input type="hidden" name="returnTo" value={returnTo} />
            <label className="text-sm text-zinc-700">
              <span className="mb-1 block">Across (%)</span>
              <input
                name="x"
                inputMode="decimal"
                defaultValue={focal ? percent(focal.x) : '50'}
                key={`x-${focal?.x ?? 'none'}`}
                className="h-9 w-24 rounded-md border border-zinc-300 px-2 text-sm"
              />
            </label>
            <label className="text-sm text-zinc-700">
              <span className="mb-1 block">Down (%)</span>
              <input
                name="y"
                inputMode="decimal"
                defaultValue={focal ? percent(focal.y) : '50'}
                key={`y-${focal?.y ?? 'none'}`}
                className="h-9 w-24 rounded-md border border-zinc-300 px-2 text-sm"
              />
            </label>
            <Button type="submit" name="intent" value="set" size="sm" disabled={busy}>
              {busy ? 'Saving…' : 'Save focal point'}
            </Button>
            {focal ? (
              <Button type="submit" name="intent" value="clear" size="sm" variant="ghost" disabled={busy}>
                Back to centre
              </Button>
            ) : null}
          </Form>
        ) : null}
      </CardBody>
    </Card>
  )
}
