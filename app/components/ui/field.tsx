import { forwardRef, useId, type InputHTMLAttributes, type LabelHTMLAttributes, type ReactNode } from 'react'
import { cn } from './cn'

export const Label = forwardRef<HTMLLabelElement, LabelHTMLAttributes<HTMLLabelElement>>(function Label(
  { className, ...props },
  ref,
) {
  return <label ref={ref} className={cn('block text-sm font-medium text-zinc-800', className)} {...props} />
})

export type InputProps = InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }

export const Input = forwardRef<HTMLInputElement, InputProps>(function Input({ className, invalid, ...props }, ref) {
  return (
    <input
      ref={ref}
      aria-invalid={invalid || undefined}
      className={cn(
        'block h-10 w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm',
        'placeholder:text-zinc-400 focus:outline-none focus:ring-2 disabled:bg-zinc-50 disabled:text-zinc-500',
        invalid
          ? 'border-red-400 focus:border-red-500 focus:ring-red-200'
          : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
        className,
      )}
      {...props}
    />
  )
})

/** Error text under a field; `id` is what the input's aria-describedby points at. */
export function FieldError({ id, children }: { id?: string; children?: ReactNode }) {
  if (!children) return null
  return (
    <p id={id} className="text-sm text-red-600" role="alert">
      {children}
    </p>
  )
}

export type FieldProps = Omit<InputProps, 'id'> & {
  label: ReactNode
  /** One message or several (zod's fieldErrors give an array). */
  errors?: string | readonly string[] | null
  hint?: ReactNode
  id?: string
}

/** Label, input, hint and error text wired together for screen readers. */
export function Field({ label, errors, hint, id, className, ...inputProps }: FieldProps) {
  const generatedId = useId()
  const inputId = id ?? generatedId
  const messages = errors == null ? [] : typeof errors === 'string' ? [errors] : errors
  const errorId = `${inputId}-error`
  const hintId = `${inputId}-hint`
  const describedBy = [hint ? hintId : null, messages.length > 0 ? errorId : null].filter(Boolean).join(' ') || undefined
  return (
    <div className={cn('space-y-1.5', className)}>
      <Label htmlFor={inputId}>{label}</Label>
      <Input id={inputId} invalid={messages.length > 0} aria-describedby={describedBy} {...inputProps} />
      {hint ? (
        <p id={hintId} className="text-sm text-zinc-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId}>{messages.length > 0 ? messages.join(' ') : null}</FieldError>
    </div>
  )
}

/**
 * A labelled <select> with its hint and error wired for screen readers; the element's id
 * is its name, so a form's errors can link to it (`#name`).
 */
export function SelectField({
  name,
  label,
  value,
  options,
  error,
  hint,
}: {
  name: string
  label: ReactNode
  value: string
  options: readonly { value: string; label: string }[]
  error?: string
  hint?: ReactNode
}) {
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(' ') || undefined
  return (
    <div className="space-y-1.5">
      <Label htmlFor={name}>{label}</Label>
      <select
        id={name}
        name={name}
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cn(
          'block h-10 w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2',
          error ? 'border-red-400 focus:border-red-500 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100',
        )}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p id={`${name}-hint`} className="text-sm text-zinc-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${name}-error`}>{error}</FieldError>
    </div>
  )
}
