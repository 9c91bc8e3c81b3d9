import { Form } from '@remix-run/react'
import { useId } from 'react'
import { Button, Field, FieldError, Label } from '~/components/ui'

export type ShareLinkFormErrors = Partial<Record<'expiresInHours' | 'password' | 'downloadLimit', string>>
export type ShareLinkFormValues = { expiresInHours: string; password: string; downloadLimit: string }

/**
 * Making a link: how long it lasts (required), an optional password and an optional
 * download limit. The password is typed in the clear: the maker has to pass it on.
 */
export function ShareLinkForm({
  durations,
  values,
  errors,
  busy,
}: {
  durations: readonly { hours: number; label: string }[]
  values: ShareLinkFormValues
  errors: ShareLinkFormErrors
  busy: boolean
}) {
  const id = useId()
  return (
    <Form method="post" preventScrollReset noValidate className="space-y-4">
      <input type="hidden" name="intent" value="create" />
      <div className="grid gap-4 sm:grid-cols-3">
        <div className="space-y-1.5">
          <Label htmlFor={`${id}-expires`}>Expires after</Label>
          <select
            id={`${id}-expires`}
            name="expiresInHours"
            defaultValue={values.expiresInHours}
            aria-invalid={errors.expiresInHours ? true : undefined}
            aria-describedby={errors.expiresInHours ? `${id}-expires-error` : undefined}
            className="block h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:ring-2 focus:ring-damson-100 focus:outline-none"
          >
            {durations.map((duration) => (
              <option key={duration.hours} value={duration.hours}>
                {duration.label}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-expires-error`}>{errors.expiresInHours}</FieldError>
        </div>
        <Field
          label="Password (optional)"
          name="password"
          type="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="None"
          defaultValue={values.password}
          errors={errors.password}
        />
        <Field
          label="Download limit (optional)"
          name="downloadLimit"
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          placeholder="No limit"
          defaultValue={values.downloadLimit}
          errors={errors.downloadLimit}
        />
      </div>
      <div className="flex items-center justify-between gap-3">
        <p className="text-xs text-zinc-500">Anyone with the link can open it without signing in, until it expires or you revoke it.</p>
        <Button type="submit" disabled={busy} className="shrink-0">
          {busy ? 'Making…' : 'Make link'}
        </Button>
      </div>
    </Form>
  )
}
