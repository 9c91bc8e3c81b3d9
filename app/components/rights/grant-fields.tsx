/**
 * A grant's terms as form fields, shared by the asset's rights page (add, edit) and
 * the bulk page. Plain inputs posting the names `grantDraftFromForm` reads, so the
 * forms work without JavaScript; the server validates with the same schema.
 */
import { useId, type ReactNode } from 'react'
import { Field, FieldError, Label, cn } from '~/components/ui'
import {
  CREATIVE_COMMONS_VARIANTS,
  GRANT_LIMITS,
  LICENCE_LABELS,
  LICENCE_TYPES,
  type GrantDraft,
  type GrantFieldErrors,
} from '~/rights/grant-terms'

export type GrantFormChoices = {
  channels: readonly { key: string; label: string }[]
  partners: readonly { id: string; name: string }[]
  timeZones: readonly string[]
}

export const controlClasses =
  'block w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2 disabled:bg-zinc-50'

export function controlState(invalid: boolean): string {
  return invalid ? 'border-red-400 focus:border-red-500 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100'
}

function Hint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="text-sm text-zinc-500">
      {children}
    </p>
  )
}

function CheckboxGroup({
  legend,
  name,
  options,
  selected,
  hint,
  error,
  idPrefix,
}: {
  legend: string
  name: string
  options: readonly { value: string; label: string }[]
  selected: readonly string[]
  hint: string
  error?: string
  idPrefix: string
}) {
  const chosen = new Set(selected)
  return (
    <fieldset className="space-y-2" aria-describedby={`${idPrefix}-${name}-hint`}>
      <legend className="text-sm font-medium text-zinc-800">{legend}</legend>
      <Hint id={`${idPrefix}-${name}-hint`}>{hint}</Hint>
      {options.length === 0 ? (
        <p className="text-sm text-zinc-500">None to choose from.</p>
      ) : (
        <div className="grid grid-cols-2 gap-x-4 gap-y-1.5 sm:grid-cols-3">
          {options.map((option) => (
            <label key={option.value} className="flex items-center gap-2 text-sm text-zinc-800">
              <input
                type="checkbox"
                name={name}
                value={option.value}
                defaultChecked={chosen.has(option.value)}
                className="size-4 rounded border-zinc-300 text-damson-600 focus:ring-damson-500"
              />
              {option.label}
            </label>
          ))}
        </div>
      )}
      <FieldError>{error}</FieldError>
    </fieldset>
  )
}

/**
 * The fields of one grant. `idPrefix` keeps ids unique when the page holds several
 * forms (add and edit); the form itself, its intent and buttons are the caller's.
 */
export function GrantFields({
  draft,
  errors = {},
  choices,
  idPrefix,
}: {
  draft: GrantDraft
  errors?: GrantFieldErrors
  choices: GrantFormChoices
  idPrefix: string
}) {
  const id = (field: string) => `${idPrefix}-${field}`
  const variantsId = useId()
  return (
    <div className="space-y-5">
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="space-y-1.5">
          <Label htmlFor={id('licenceType')}>Licence</Label>
          <select
            id={id('licenceType')}
            name="licenceType"
            defaultValue={draft.licenceType}
            aria-invalid={errors.licenceType ? true : undefined}
            className={cn(controlClasses, 'h-10', controlState(Boolean(errors.licenceType)))}
          >
            {LICENCE_TYPES.map((type) => (
              <option key={type} value={type}>
                {LICENCE_LABELS[type]}
              </option>
            ))}
          </select>
          <FieldError>{errors.licenceType}</FieldError>
        </div>
        <Field
          id={id('licenceVariant')}
          name="licenceVariant"
          label="Creative Commons variant"
          defaultValue={draft.licenceVariant}
          list={variantsId}
          placeholder="CC BY-SA 4.0"
          maxLength={GRANT_LIMITS.variantLength}
          hint="Creative Commons licences only."
          errors={errors.licenceVariant}
        />
        <datalist id={variantsId}>
          {CREATIVE_COMMONS_VARIANTS.map((variant) => (
            <option key={variant} value={variant} />
          ))}
        </datalist>
        <Field
          id={id('licensor')}
          name="licensor"
          label="Licensor"
          defaultValue={draft.licensor}
          placeholder="e.g. Getty Images"
          maxLength={GRANT_LIMITS.licensorLength}
          errors={errors.licensor}
        />
        <Field
          id={id('reference')}
          name="reference"
          label="Reference"
          defaultValue={draft.reference}
          placeholder="Contract or licence number"
          maxLength={GRANT_LIMITS.referenceLength}
          errors={errors.reference}
        />
      </div>

      <CheckboxGroup
        legend="Channels"
        name="channels"
        idPrefix={idPrefix}
        options={choices.channels.map((channel) => ({ value: channel.key, label: channel.label }))}
        selected={draft.channels}
        hint="Leave all unticked for every channel."
        error={errors.channels}
      />

      <Field
        id={id('territories')}
        name="territories"
        label="Territories"
        defaultValue={draft.territories}
        placeholder="DE, AT, CH"
        hint="Two-letter country codes (ISO 3166-1), separated by commas. Empty or WW: worldwide."
        errors={errors.territories}
      />

      <CheckboxGroup
        legend="Partner organisations"
        name="organisationIds"
        idPrefix={idPrefix}
        options={choices.partners.map((partner) => ({ value: partner.id, label: partner.name }))}
        selected={draft.organisationIds}
        hint="Leave all unticked for every partner."
        error={errors.organisationIds}
      />

      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id={id('startsAt')}
          name="startsAt"
          type="datetime-local"
          label="Starts (embargo until)"
          defaultValue={draft.startsAt}
          hint="Empty: usable from now."
          errors={errors.startsAt}
        />
        <Field
          id={id('expiresAt')}
          name="expiresAt"
          type="datetime-local"
          label="Expires"
          defaultValue={draft.expiresAt}
          hint="Empty: no expiry."
          errors={errors.expiresAt}
        />
        <div className="space-y-1.5">
          <Label htmlFor={id('timeZone')}>Time zone of these dates</Label>
          <select
            id={id('timeZone')}
            name="timeZone"
            defaultValue={draft.timeZone}
            aria-invalid={errors.timeZone ? true : undefined}
            aria-describedby={id('timeZone-hint')}
            className={cn(controlClasses, 'h-10', controlState(Boolean(errors.timeZone)))}
          >
            {choices.timeZones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
          <Hint id={id('timeZone-hint')}>The licence&apos;s own zone; summer time is taken into account.</Hint>
          <FieldError>{errors.timeZone}</FieldError>
        </div>
        <Field
          id={id('warnBeforeDays')}
          name="warnBeforeDays"
          type="number"
          inputMode="numeric"
          min={0}
          max={GRANT_LIMITS.maxWarnBeforeDays}
          label="Warn before expiry (days)"
          defaultValue={draft.warnBeforeDays}
          hint="0: no warning."
          errors={errors.warnBeforeDays}
        />
      </div>

      <div className="space-y-1.5">
        <Label htmlFor={id('notes')}>Notes</Label>
        <textarea
          id={id('notes')}
          name="notes"
          rows={3}
          defaultValue={draft.notes}
          maxLength={GRANT_LIMITS.notesLength}
          aria-invalid={errors.notes ? true : undefined}
          aria-describedby={id('notes-hint')}
          className={cn(controlClasses, 'py-2', controlState(Boolean(errors.notes)))}
        />
        <Hint id={id('notes-hint')}>For staff only; partners never see notes.</Hint>
        <FieldError>{errors.notes}</FieldError>
      </div>
      {errors.form ? <FieldError>{errors.form}</FieldError> : null}
    </div>
  )
}
