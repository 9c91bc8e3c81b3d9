/**
 * One custom metadata field as a form control, by type: text, number, date, select,
 * multi-select (checkboxes) or yes/no (a select, so "not answered" differs from "no").
 * Named `<prefix><key>`; works without JavaScript. The server re-validates everything.
 */
import { cn, Input } from '~/components/ui'
import type { FieldValue, MetadataField } from '~/domain/metadata-schema'

const selectClasses =
  'block h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100'

export type CustomFieldInputProps = {
  field: MetadataField
  /** The stored value, or what was sent when the form comes back with errors. */
  value: FieldValue | string | string[] | null | undefined
  error?: string | null
  namePrefix?: string
  /** Bulk edit: an empty choice means "leave as it is" rather than "clear". */
  emptyLabel?: string
  disabled?: boolean
}

export function CustomFieldInput({ field, value, error, namePrefix = 'field.', emptyLabel = '—', disabled }: CustomFieldInputProps) {
  const name = `${namePrefix}${field.key}`
  const id = `input-${name.replace(/[^a-z0-9_-]/gi, '-')}`
  const errorId = `${id}-error`
  const hintId = `${id}-hint`
  const describedBy = [field.help ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value)
  const chosen = Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : []

  let control
  switch (field.type) {
    case 'text':
      control = <Input id={id} name={name} defaultValue={text} maxLength={2000} invalid={Boolean(error)} aria-describedby={describedBy} disabled={disabled} />
      break
    case 'number':
      control = <Input id={id} name={name} type="text" inputMode="decimal" defaultValue={text} invalid={Boolean(error)} aria-describedby={describedBy} disabled={disabled} />
      break
    case 'date':
      control = <Input id={id} name={name} type="date" defaultValue={text} invalid={Boolean(error)} aria-describedby={describedBy} disabled={disabled} />
      break
    case 'select':
      control = (
        <select id={id} name={name} defaultValue={text} aria-invalid={Boolean(error) || undefined} aria-describedby={describedBy} className={selectClasses} disabled={disabled}>
          <option value="">{emptyLabel}</option>
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      )
      break
    case 'boolean':
      control = (
        <select
          id={id}
          name={name}
          defaultValue={value === true || value === 'yes' ? 'yes' : value === false || value === 'no' ? 'no' : ''}
          aria-invalid={Boolean(error) || undefined}
          aria-describedby={describedBy}
          className={selectClasses}
          disabled={disabled}
        >
          <option value="">{emptyLabel}</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </select>
      )
      break
    case 'multi-select':
      control = (
        <div role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy} className="flex flex-wrap gap-x-4 gap-y-1.5 pt-1">
          {field.options.map((option) => (
            <label key={option} className="inline-flex items-center gap-1.5 text-sm text-zinc-800">
              <input type="checkbox" name={name} value={option} defaultChecked={chosen.includes(option)} className="size-4 rounded border-zinc-300" disabled={disabled} />
              {option}
            </label>
          ))}
        </div>
      )
      break
  }

  return (
    <div className="space-y-1.5">
      {field.type === 'multi-select' ? (
        <p id={`${id}-label`} className="block text-sm font-medium text-zinc-800">
          {field.label}
          {field.required ? <RequiredMark /> : null}
        </p>
      ) : (
        <label htmlFor={id} className="block text-sm font-medium text-zinc-800">
          {field.label}
          {field.required ? <RequiredMark /> : null}
        </label>
      )}
      {control}
      {field.help ? (
        <p id={hintId} className="text-sm text-zinc-500">
          {field.help}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className={cn('text-sm text-red-600')}>
          {error}
        </p>
      ) : null}
    </div>
  )
}

function RequiredMark() {
  return (
    <span className="ml-1 text-red-700" title="Required before review">
      *<span className="sr-only"> (required before review)</span>
    </span>
  )
}
