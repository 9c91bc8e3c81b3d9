/**
 * A grant's terms as legal's forms post them and as the server stores them: one zod
 * schema for both, so the asset page, the bulk page and the use cases agree on every
 * rule. Pure (no I/O): the channels and partner organisations that exist are passed
 * in by the caller, which reads them from the database.
 *
 * Dates arrive as wall-clock text in the grant's zone ("2027-03-28T09:00") and leave
 * as instants, converted with the zone's daylight-saving rules (./local-time).
 */
import { z } from 'zod'
import { normaliseTerritories } from '~/domain/territories'
import { instantToLocalText, isValidTimeZone, localTextToInstant } from './local-time'

export const LICENCE_TYPES = ['owned', 'royalty_free', 'rights_managed', 'editorial_only', 'creative_commons'] as const
export type LicenceTypeName = (typeof LICENCE_TYPES)[number]

export const LICENCE_LABELS: Record<LicenceTypeName, string> = {
  owned: 'Owned',
  royalty_free: 'Royalty-free',
  rights_managed: 'Rights-managed',
  editorial_only: 'Editorial use only',
  creative_commons: 'Creative Commons',
}

/** Suggestions for the variant field; any well-formed variant is accepted. */
export const CREATIVE_COMMONS_VARIANTS = [
  'CC0 1.0',
  'CC BY 4.0',
  'CC BY-SA 4.0',
  'CC BY-ND 4.0',
  'CC BY-NC 4.0',
  'CC BY-NC-SA 4.0',
  'CC BY-NC-ND 4.0',
] as const

export const GRANT_LIMITS = {
  licensorLength: 200,
  referenceLength: 200,
  variantLength: 60,
  notesLength: 5000,
  maxWarnBeforeDays: 365,
  defaultWarnBeforeDays: 30,
  maxTerritories: 250,
  revokeReasonLength: 1000,
} as const

/** "CC BY-SA 4.0", "CC0 1.0", "CC BY 3.0 DE", "CC BY-NC-ND 3.0 IGO". */
const CC_VARIANT = /^CC(?:0|[ -]BY(?:-NC)?(?:-SA|-ND)?)(?: \d\.\d)?(?: [A-Z]{2,3})?$/

/**
 * "de, AT ch" → ["DE", "AT", "CH"]; WW with anything else is just worldwide. Entries
 * that are not assigned ISO 3166-1 alpha-2 codes come back in `invalid` as typed.
 */
export function parseTerritoryList(input: string | readonly string[]): { codes: string[]; invalid: string[] } {
  const entries = (typeof input === 'string' ? [input] : input).flatMap((value) => value.split(/[\s,;]+/))
  const { territories, unknown } = normaliseTerritories(entries)
  return { codes: territories, invalid: unknown }
}

/** What the form holds: every field as posted (strings), lists for the checkboxes. */
export type GrantDraft = {
  licenceType: string
  licenceVariant: string
  licensor: string
  reference: string
  channels: string[]
  /** Codes as typed, comma- or space-separated. */
  territories: string
  organisationIds: string[]
  /** "YYYY-MM-DDTHH:mm" in `timeZone`, or "" for none. */
  startsAt: string
  expiresAt: string
  timeZone: string
  warnBeforeDays: string
  notes: string
}

/** Messages by field name ("expiresAt", "channels", …; "form" for the form as a whole). */
export type GrantFieldErrors = Partial<Record<keyof GrantDraft | 'form', string>>

export function emptyGrantDraft(timeZone = 'UTC'): GrantDraft {
  return {
    licenceType: 'royalty_free',
    licenceVariant: '',
    licensor: '',
    reference: '',
    channels: [],
    territories: '',
    organisationIds: [],
    startsAt: '',
    expiresAt: '',
    timeZone,
    warnBeforeDays: String(GRANT_LIMITS.defaultWarnBeforeDays),
    notes: '',
  }
}

/** The posted grant fields, read from a form (unknown fields ignored, repeated checkboxes kept). */
export function grantDraftFromForm(form: FormData): GrantDraft {
  const text = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value : ''
  }
  const list = (name: string) => form.getAll(name).filter((value): value is string => typeof value === 'string')
  return {
    licenceType: text('licenceType'),
    licenceVariant: text('licenceVariant'),
    licensor: text('licensor'),
    reference: text('reference'),
    channels: list('channels'),
    territories: list('territories').join(','),
    organisationIds: list('organisationIds'),
    startsAt: text('startsAt'),
    expiresAt: text('expiresAt'),
    timeZone: text('timeZone'),
    warnBeforeDays: text('warnBeforeDays'),
    notes: text('notes'),
  }
}

/** A stored grant's terms as the form shows them (dates in the grant's own zone). */
export function grantDraftFromTerms(terms: GrantTerms): GrantDraft {
  return {
    licenceType: terms.licenceType,
    licenceVariant: terms.licenceVariant ?? '',
    licensor: terms.licensor,
    reference: terms.reference,
    channels: [...terms.channels],
    territories: terms.territories.join(', '),
    organisationIds: [...terms.organisationIds],
    startsAt: terms.startsAt ? instantToLocalText(terms.startsAt, terms.timeZone) : '',
    expiresAt: terms.expiresAt ? instantToLocalText(terms.expiresAt, terms.timeZone) : '',
    timeZone: terms.timeZone,
    warnBeforeDays: String(terms.warnBeforeDays),
    notes: terms.notes,
  }
}

/** What exists to choose from, read by the caller. */
export type GrantTermsContext = {
  /** RightsChannel keys, in the channels' display order. */
  channelKeys: readonly string[]
  /** Ids of partner organisations. */
  partnerOrganisationIds: readonly string[]
}

export type GrantTerms = {
  licenceType: LicenceTypeName
  licenceVariant: string | null
  licensor: string
  reference: string
  channels: string[]
  territories: string[]
  organisationIds: string[]
  startsAt: Date | null
  expiresAt: Date | null
  timeZone: string
  warnBeforeDays: number
  notes: string
}

/** Trimmed, whitespace collapsed, without NUL (PostgreSQL text cannot hold it). */
function cleanLine(value: string): string {
  return value.replaceAll('\u0000', '').replace(/\s+/g, ' ').trim()
}

function boundedLine(max: number, what: string) {
  return z
    .string()
    .default('')
    .transform(cleanLine)
    .pipe(z.string().max(max, `Keep ${what} to ${max.toLocaleString('en-GB')} characters.`))
}

const localTime = z
  .string()
  .default('')
  .transform((value) => value.trim())

/**
 * The schema for a grant's terms, given what exists. Parses a `GrantDraft` (or the same
 * shape from a caller) into `GrantTerms`; issues name the draft's fields.
 */
export function grantTermsSchema(context: GrantTermsContext) {
  const channelOrder = new Map(context.channelKeys.map((key, index) => [key, index]))
  const partners = new Set(context.partnerOrganisationIds)
  return z
    .object({
      licenceType: z.enum(LICENCE_TYPES, { error: 'Choose a licence type from the list.' }),
      licenceVariant: boundedLine(GRANT_LIMITS.variantLength, 'the variant'),
      licensor: boundedLine(GRANT_LIMITS.licensorLength, 'the licensor'),
      reference: boundedLine(GRANT_LIMITS.referenceLength, 'the reference'),
      channels: z
        .array(z.string().trim(), { error: 'Choose channels from the list.' })
        .default([])
        .superRefine((keys, ctx) => {
          const unknown = keys.filter((key) => !channelOrder.has(key))
          if (unknown.length > 0) {
            ctx.addIssue({
              code: 'custom',
              message: `${unknown.map((key) => `“${key.slice(0, 40)}”`).join(', ')} ${unknown.length === 1 ? 'is not a rights channel' : 'are not rights channels'}. Choose from the list (it may have changed).`,
            })
          }
        })
        .transform((keys) => [...new Set(keys)].sort((a, b) => (channelOrder.get(a) ?? 0) - (channelOrder.get(b) ?? 0))),
      territories: z
        .union([z.string(), z.array(z.string())], { error: 'List territories as two-letter codes, e.g. DE, AT, CH, or WW.' })
        .default('')
        // Checked in a refinement (a transform's issue would stop the form-wide checks below).
        .superRefine((value, ctx) => {
          const { codes, invalid } = parseTerritoryList(value)
          if (invalid.length > 0) {
            ctx.addIssue({
              code: 'custom',
              message: `${invalid.map((entry) => `“${entry.slice(0, 20)}”`).join(', ')} ${invalid.length === 1 ? 'is not a territory code' : 'are not territory codes'}: use ISO 3166-1 two-letter country codes such as DE or FR, or WW for worldwide.`,
            })
          }
          if (codes.length > GRANT_LIMITS.maxTerritories) {
            ctx.addIssue({ code: 'custom', message: `List at most ${GRANT_LIMITS.maxTerritories} territories, or WW for worldwide.` })
          }
        })
        .transform((value) => parseTerritoryList(value).codes),
      organisationIds: z
        .array(z.string().trim(), { error: 'Choose partner organisations from the list.' })
        .default([])
        .superRefine((ids, ctx) => {
          if (ids.some((id) => !partners.has(id))) {
            ctx.addIssue({ code: 'custom', message: 'Choose partner organisations from the list (it may have changed).' })
          }
        })
        .transform((ids) => [...new Set(ids)].sort()),
      startsAt: localTime,
      expiresAt: localTime,
      timeZone: z
        .string({ error: 'Choose the time zone the dates are in.' })
        .trim()
        .refine(isValidTimeZone, 'Choose the time zone the dates are in from the list.'),
      // Read as text first: a type error would stop the form-wide checks below.
      warnBeforeDays: z
        .union([z.string(), z.number()], { error: 'Give the warning time in whole days.' })
        .transform((value) => String(value).trim())
        .pipe(z.string().regex(/^-?\d{1,6}$/, 'Give the warning time in whole days.'))
        .transform(Number)
        .pipe(
          z
            .number()
            .min(0, 'Give 0 or more days.')
            .max(GRANT_LIMITS.maxWarnBeforeDays, `Give at most ${GRANT_LIMITS.maxWarnBeforeDays} days.`),
        ),
      notes: z
        .string()
        .default('')
        .transform((value) => value.replaceAll('\u0000', '').trim())
        .pipe(z.string().max(GRANT_LIMITS.notesLength, `Keep the notes to ${GRANT_LIMITS.notesLength.toLocaleString('en-GB')} characters.`)),
    })
    // A refinement, not a transform, so these are reported alongside any field's own error.
    .superRefine((draft, ctx) => {
      const timeZone = typeof draft.timeZone === 'string' && isValidTimeZone(draft.timeZone) ? draft.timeZone : null
      const instant = (field: 'startsAt' | 'expiresAt', label: string): Date | null => {
        if (typeof draft[field] !== 'string' || draft[field] === '' || !timeZone) return null
        const at = localTextToInstant(draft[field], timeZone)
        if (!at) ctx.addIssue({ code: 'custom', path: [field], message: `Give the ${label} as a date and time, e.g. 2027-03-28 09:00.` })
        return at
      }
      const startsAt = instant('startsAt', 'start')
      const expiresAt = instant('expiresAt', 'expiry')
      if (startsAt && expiresAt && startsAt.getTime() >= expiresAt.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'The expiry must come after the start.' })
      }
      if (draft.licenceType !== 'creative_commons') return
      // Read defensively: the refinement runs even when a field failed its own checks.
      const variant = typeof draft.licenceVariant === 'string' ? draft.licenceVariant.toUpperCase() : ''
      if (variant === '') {
        ctx.addIssue({ code: 'custom', path: ['licenceVariant'], message: 'Give the Creative Commons variant, e.g. CC BY-SA 4.0.' })
      } else if (!CC_VARIANT.test(variant)) {
        ctx.addIssue({
          code: 'custom',
          path: ['licenceVariant'],
          message: `“${draft.licenceVariant.slice(0, 40)}” is not a Creative Commons variant; write it like CC BY-SA 4.0 or CC0 1.0.`,
        })
      }
    })
    .transform(
      (draft): GrantTerms => ({
        licenceType: draft.licenceType,
        // Only Creative Commons licences have a variant; a stale one from a changed select is dropped.
        licenceVariant: draft.licenceType === 'creative_commons' ? draft.licenceVariant.toUpperCase() : null,
        licensor: draft.licensor,
        reference: draft.reference,
        channels: draft.channels,
        territories: draft.territories,
        organisationIds: draft.organisationIds,
        // Valid by now: the refinement above reported any text that is not a local time.
        startsAt: draft.startsAt === '' ? null : localTextToInstant(draft.startsAt, draft.timeZone),
        expiresAt: draft.expiresAt === '' ? null : localTextToInstant(draft.expiresAt, draft.timeZone),
        timeZone: draft.timeZone,
        warnBeforeDays: draft.warnBeforeDays,
        notes: draft.notes,
      }),
    )
}

export type GrantTermsInput = z.input<ReturnType<typeof grantTermsSchema>>

/** The first message per field, keyed by the draft's field name. */
export function grantFieldErrors(error: z.ZodError): GrantFieldErrors {
  const errors: GrantFieldErrors = {}
  for (const issue of error.issues) {
    const head = issue.path[0]
    const key = (typeof head === 'string' ? head : 'form') as keyof GrantFieldErrors
    errors[key] ??= issue.message
  }
  return errors
}

/** A reason for revoking: required, one paragraph. */
export const RevokeReasonSchema = z
  .string({ error: 'Say why the grant is revoked.' })
  .transform((value) => value.replaceAll('\u0000', '').trim())
  .pipe(
    z
      .string()
      .min(1, 'Say why the grant is revoked.')
      .max(GRANT_LIMITS.revokeReasonLength, `Keep the reason to ${GRANT_LIMITS.revokeReasonLength.toLocaleString('en-GB')} characters.`),
  )
