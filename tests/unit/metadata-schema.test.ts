import { describe, expect, it } from 'vitest'
import {
  checkFieldValue,
  checkFieldValues,
  describeMissingFields,
  MetadataFieldSchema,
  MetadataFieldsSchema,
  missingRequiredFields,
  parseStoredFields,
  resolveMetadataSchema,
  type MetadataField,
} from '~/domain/metadata-schema'

const field = (overrides: Partial<MetadataField> & Pick<MetadataField, 'key' | 'type'>): MetadataField => ({
  label: overrides.key,
  required: false,
  options: [],
  help: '',
  ...overrides,
})

describe('field definitions', () => {
  it('accepts every field type with what it needs', () => {
    for (const type of ['text', 'number', 'date', 'boolean'] as const) {
      expect(MetadataFieldSchema.safeParse({ key: `f_${type}`, label: 'L', type }).success).toBe(true)
    }
    expect(MetadataFieldSchema.safeParse({ key: 'region', label: 'Region', type: 'select', options: ['EU'] }).success).toBe(true)
    expect(MetadataFieldSchema.safeParse({ key: 'channels', label: 'Channels', type: 'multi-select', options: ['web', 'print'] }).success).toBe(true)
  })

  it('refuses bad keys, unknown types, selects without options, options on other types and repeated options', () => {
    const issue = (input: unknown) => {
      const parsed = MetadataFieldSchema.safeParse(input)
      return parsed.success ? null : parsed.error.issues[0]?.message
    }
    expect(issue({ key: 'Bad Key', label: 'L', type: 'text' })).toMatch(/lower-case/)
    expect(issue({ key: 'ok', label: 'L', type: 'colour' })).toBe('Choose a field type')
    expect(issue({ key: 'ok', label: 'Region', type: 'select', options: [] })).toBe('“Region” needs at least one option')
    expect(issue({ key: 'ok', label: 'Name', type: 'text', options: ['a'] })).toMatch(/Only select fields have options/)
    expect(issue({ key: 'ok', label: 'Region', type: 'select', options: ['EU', 'eu'] })).toBe('“Region” lists an option twice')
    expect(issue({ key: 'ok', label: '', type: 'text' })).toBe('Give the field a label')
  })

  it('refuses two fields with one key', () => {
    const parsed = MetadataFieldsSchema.safeParse([
      { key: 'a', label: 'A', type: 'text' },
      { key: 'a', label: 'B', type: 'number' },
    ])
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]?.message).toBe('Two fields use the key “a”')
  })

  it('reads stored definitions, dropping rows that no longer parse', () => {
    expect(parseStoredFields([{ key: 'a', label: 'A', type: 'text' }, { key: 'b', type: 'nope' }, 'junk'])).toEqual([field({ key: 'a', label: 'A', type: 'text' })])
    expect(parseStoredFields({ not: 'an array' })).toEqual([])
  })
})

describe('values', () => {
  it('text: trimmed, one piece, bounded', () => {
    const text = field({ key: 'name', label: 'Name', type: 'text' })
    expect(checkFieldValue(text, '  Spring  ')).toEqual({ ok: true, value: 'Spring' })
    expect(checkFieldValue(text, '')).toEqual({ ok: true, value: undefined })
    expect(checkFieldValue(text, ['a', 'b'])).toEqual({ ok: false, message: 'Name takes one piece of text' })
    expect(checkFieldValue(text, 'x'.repeat(2001)).ok).toBe(false)
  })

  it('number: from forms and JSON, refuses anything else', () => {
    const number = field({ key: 'budget', label: 'Budget', type: 'number' })
    expect(checkFieldValue(number, '12.5')).toEqual({ ok: true, value: 12.5 })
    expect(checkFieldValue(number, -3)).toEqual({ ok: true, value: -3 })
    expect(checkFieldValue(number, '12abc')).toEqual({ ok: false, message: 'Budget must be a number' })
    expect(checkFieldValue(number, 'Infinity').ok).toBe(false)
    expect(checkFieldValue(number, Number.NaN)).toEqual({ ok: true, value: undefined })
  })

  it('date: real calendar dates as YYYY-MM-DD', () => {
    const date = field({ key: 'shoot', label: 'Shoot date', type: 'date' })
    expect(checkFieldValue(date, '2027-02-28')).toEqual({ ok: true, value: '2027-02-28' })
    expect(checkFieldValue(date, '2027-02-30')).toEqual({ ok: false, message: 'Shoot date must be a date (YYYY-MM-DD)' })
    expect(checkFieldValue(date, '28/02/2027').ok).toBe(false)
  })

  it('select: exactly one of the options, case-sensitive', () => {
    const select = field({ key: 'region', label: 'Region', type: 'select', options: ['EU', 'US'] })
    expect(checkFieldValue(select, 'EU')).toEqual({ ok: true, value: 'EU' })
    expect(checkFieldValue(select, 'eu')).toEqual({ ok: false, message: 'Region must be one of: EU, US' })
    expect(checkFieldValue(select, ['EU', 'US']).ok).toBe(false)
  })

  it('multi-select: a subset of the options, de-duplicated, in the schema order', () => {
    const multi = field({ key: 'channels', label: 'Channels', type: 'multi-select', options: ['web', 'print', 'social'] })
    expect(checkFieldValue(multi, ['social', 'web', 'web'])).toEqual({ ok: true, value: ['web', 'social'] })
    expect(checkFieldValue(multi, 'print')).toEqual({ ok: true, value: ['print'] })
    expect(checkFieldValue(multi, [])).toEqual({ ok: true, value: undefined })
    expect(checkFieldValue(multi, ['web', 'tv'])).toEqual({ ok: false, message: 'Channels only takes: web, print, social' })
  })

  it('boolean: yes or no, and unanswered is empty (not no)', () => {
    const boolean = field({ key: 'release', label: 'Model release', type: 'boolean' })
    expect(checkFieldValue(boolean, 'yes')).toEqual({ ok: true, value: true })
    expect(checkFieldValue(boolean, false)).toEqual({ ok: true, value: false })
    expect(checkFieldValue(boolean, '')).toEqual({ ok: true, value: undefined })
    expect(checkFieldValue(boolean, 'maybe')).toEqual({ ok: false, message: 'Model release must be yes or no' })
  })

  it('checks a whole form, keeping values of keys outside the schema', () => {
    const fields = [field({ key: 'a', type: 'number' }), field({ key: 'b', type: 'text' })]
    expect(checkFieldValues(fields, { a: '1', b: '' }, { legacy: 'kept', b: 'cleared' })).toEqual({ ok: true, values: { legacy: 'kept', a: 1 } })
    expect(checkFieldValues(fields, { a: 'x', b: 'ok' })).toEqual({ ok: false, errors: { a: 'a must be a number' } })
  })
})

describe('required fields', () => {
  const fields = [
    field({ key: 'campaign', label: 'Campaign', type: 'text', required: true }),
    field({ key: 'region', label: 'Usage region', type: 'select', options: ['EU'], required: true }),
    field({ key: 'release', label: 'Release', type: 'boolean', required: true }),
    field({ key: 'note', label: 'Note', type: 'text' }),
  ]

  it('lists the empty required fields in order; false is an answer', () => {
    expect(missingRequiredFields(fields, {}).map((missing) => missing.key)).toEqual(['campaign', 'region', 'release'])
    expect(missingRequiredFields(fields, { campaign: ' ', region: 'EU', release: false }).map((missing) => missing.key)).toEqual(['campaign'])
    expect(missingRequiredFields(fields, { campaign: 'Spring', region: 'EU', release: false })).toEqual([])
  })

  it('names them for people', () => {
    expect(describeMissingFields(fields.slice(0, 1))).toBe('Campaign')
    expect(describeMissingFields(fields.slice(0, 2))).toBe('Campaign and Usage region')
    expect(describeMissingFields(fields.slice(0, 3))).toBe('Campaign, Usage region and Release')
  })
})

describe('which schema applies', () => {
  const schema = (id: string, folderPaths: string[], assetKinds: string[] = [], name = id) => ({ id, name, folderPaths, assetKinds })
  const schemas = [
    schema('campaigns', ['/campaigns']),
    schema('summer', ['/campaigns/summer']),
    schema('images', [], ['image']),
    schema('video', [], ['video']),
  ]

  it('deepest folder wins, by whole segments', () => {
    expect(resolveMetadataSchema({ folderPath: '/campaigns/summer/beach', kind: 'image' }, schemas)?.id).toBe('summer')
    expect(resolveMetadataSchema({ folderPath: '/campaigns/winter', kind: 'image' }, schemas)?.id).toBe('campaigns')
    // "/campaigns" does not cover "/campaigns-old".
    expect(resolveMetadataSchema({ folderPath: '/campaigns-old', kind: 'image' }, schemas)?.id).toBe('images')
  })

  it('falls back to the kind, then to none', () => {
    expect(resolveMetadataSchema({ folderPath: '/', kind: 'video' }, schemas)?.id).toBe('video')
    expect(resolveMetadataSchema({ folderPath: '/other', kind: 'audio' }, schemas)).toBeNull()
  })

  it('an explicit schema on the asset wins; ties go to the name whatever the row order', () => {
    expect(resolveMetadataSchema({ folderPath: '/campaigns/summer', kind: 'image', metadataSchemaId: 'video' }, schemas)?.id).toBe('video')
    const tied = [schema('b', ['/x'], [], 'Beta'), schema('a', ['/x'], [], 'Alpha')]
    expect(resolveMetadataSchema({ folderPath: '/x/y', kind: 'image' }, tied)?.id).toBe('a')
    expect(resolveMetadataSchema({ folderPath: '/x/y', kind: 'image' }, [...tied].reverse())?.id).toBe('a')
  })
})
