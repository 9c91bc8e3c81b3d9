import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WORLDWIDE as WORLDWIDE_FROM_RIGHTS } from '~/domain/rights'
import { TERRITORY_CODES, WORLDWIDE, isTerritoryCode, normaliseTerritories, territoryName } from '~/domain/territories'

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' })

/**
 * Codes ICU names that ISO 3166-1 does not assign: withdrawn (AN, BU, CS, DD, DY, FX,
 * HV, NH, RH, SU, TP, VD, YD, YU, ZR), exceptionally reserved (AC, CP, DG, EA, EU, EZ,
 * IC, TA, UK, UN), user-assigned (QO, XA, XB, XK, ZZ), and CQ (Sark, reserved).
 */
const NOT_ASSIGNED = new Set([
  'AC', 'AN', 'BU', 'CP', 'CQ', 'CS', 'DD', 'DG', 'DY', 'EA', 'EU', 'EZ', 'FX', 'HV', 'IC', 'NH',
  'QO', 'RH', 'SU', 'TA', 'TP', 'UK', 'UN', 'VD', 'XA', 'XB', 'XK', 'YD', 'YU', 'ZR', 'ZZ',
])

function everyTwoLetterCode(): string[] {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  return [...letters].flatMap((first) => [...letters].map((second) => first + second))
}

describe('TERRITORY_CODES', () => {
  it('holds the 249 assigned codes, once each, alphabetically', () => {
    expect(TERRITORY_CODES).toHaveLength(249)
    expect(new Set(TERRITORY_CODES).size).toBe(249)
    expect([...TERRITORY_CODES].sort()).toEqual([...TERRITORY_CODES])
    for (const code of TERRITORY_CODES) expect(code).toMatch(/^[A-Z]{2}$/)
  })

  it('gives every code an English name', () => {
    for (const code of TERRITORY_CODES) {
      const name = regionNames.of(code)
      expect(name, code).not.toBe(code)
      expect(name, code).not.toBe('Unknown Region')
    }
  })

  it('misses no code that Intl names, other than the ones ISO does not assign', () => {
    const listed = new Set<string>(TERRITORY_CODES)
    const namedByIntl = everyTwoLetterCode().filter((code) => regionNames.of(code) !== code)
    const missing = namedByIntl.filter((code) => !listed.has(code) && !NOT_ASSIGNED.has(code))
    expect(missing).toEqual([])
    for (const code of NOT_ASSIGNED) expect(listed.has(code), code).toBe(false)
  })
})

describe('isTerritoryCode', () => {
  it('accepts assigned codes and WW in any case, and nothing else', () => {
    for (const code of ['DE', 'de', 'Jp', 'GB', 'WW', 'ww', 'AX', 'SS']) expect(isTerritoryCode(code), code).toBe(true)
    for (const code of ['UK', 'EU', 'XK', 'ZZ', 'YU', '', 'D', 'DEU', ' DE', '276']) expect(isTerritoryCode(code), code).toBe(false)
  })

  it('is the same WORLDWIDE the rights module uses', () => {
    expect(WORLDWIDE).toBe('WW')
    expect(WORLDWIDE_FROM_RIGHTS).toBe(WORLDWIDE)
  })
})

describe('territoryName', () => {
  it('names countries in English, WW as worldwide, and echoes what it cannot name', () => {
    expect(territoryName('JP')).toBe('Japan')
    expect(territoryName('de')).toBe('Germany')
    expect(territoryName('GB')).toBe('United Kingdom')
    expect(territoryName('WW')).toBe('Worldwide')
    expect(territoryName('ZZ')).toBe('ZZ')
    expect(territoryName('XK')).toBe('XK')
    expect(territoryName('Narnia')).toBe('Narnia')
  })
})

describe('normaliseTerritories', () => {
  it('trims, upper-cases and removes repeats, keeping the order given', () => {
    expect(normaliseTerritories([' de', 'FR', 'at ', 'De', '', '  '])).toEqual({ territories: ['DE', 'FR', 'AT'], unknown: [] })
    expect(normaliseTerritories([])).toEqual({ territories: [], unknown: [] })
  })

  it('lets WW absorb every other territory', () => {
    expect(normaliseTerritories(['DE', 'ww', 'FR'])).toEqual({ territories: ['WW'], unknown: [] })
  })

  it('lists codes that are not territories, once each, as given', () => {
    expect(normaliseTerritories(['DE', 'UK', 'uk', 'UK', 'Narnia ', 'EU'])).toEqual({
      territories: ['DE'],
      unknown: ['UK', 'uk', 'Narnia', 'EU'],
    })
    expect(normaliseTerritories(['WW', 'XX'])).toEqual({ territories: ['WW'], unknown: ['XX'] })
  })

  it('property: sorts every non-blank entry into territories or unknown, and is idempotent', () => {
    const entry = fc.oneof(
      fc.constantFrom(...TERRITORY_CODES),
      fc.constantFrom('ww', 'WW', 'de', ' jp ', 'UK', 'EU', 'XK', 'zz', ''),
      fc.string({ maxLength: 3 }),
    )
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (input) => {
        const { territories, unknown } = normaliseTerritories(input)
        expect(new Set(territories).size).toBe(territories.length)
        for (const code of territories) expect(isTerritoryCode(code) && code === code.toUpperCase()).toBe(true)
        for (const item of unknown) expect(isTerritoryCode(item)).toBe(false)
        const valid = input.map((item) => item.trim()).filter((item) => item !== '' && isTerritoryCode(item))
        if (valid.some((item) => item.toUpperCase() === WORLDWIDE)) expect(territories).toEqual([WORLDWIDE])
        else expect(territories).toEqual([...new Set(valid.map((item) => item.toUpperCase()))])
        const invalid = input.map((item) => item.trim()).filter((item) => item !== '' && !isTerritoryCode(item))
        expect(unknown).toEqual([...new Set(invalid)])
        expect(normaliseTerritories(territories)).toEqual({ territories, unknown: [] })
      }),
    )
  })
})
