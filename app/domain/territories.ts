/**
 * Territories for usage rights: ISO 3166-1 alpha-2 country codes, plus "WW" for
 * worldwide. Pure (Intl only), shared by app, workers and workflows.
 */

/** Stands for every territory in a grant, and for "anywhere" in a declared use. */
export const WORLDWIDE = 'WW'

/**
 * Every officially assigned ISO 3166-1 alpha-2 code (249), alphabetical. Written out
 * rather than read from Intl: ICU also names withdrawn codes (AN, CS, YU…),
 * exceptional reservations (EU, UK…) and user-assigned ones (XK), which a
 * licence cannot name.
 */
export const TERRITORY_CODES = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
  'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS',
  'BT', 'BV', 'BW', 'BY', 'BZ',
  'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW',
  'CX', 'CY', 'CZ',
  'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ',
  'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET',
  'FI', 'FJ', 'FK', 'FM', 'FO', 'FR',
  'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT',
  'GU', 'GW', 'GY',
  'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT',
  'JE', 'JM', 'JO', 'JP',
  'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ',
  'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY',
  'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS',
  'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ',
  'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ',
  'OM',
  'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY',
  'QA',
  'RE', 'RO', 'RS', 'RU', 'RW',
  'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS',
  'ST', 'SV', 'SX', 'SY', 'SZ',
  'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ',
  'UA', 'UG', 'UM', 'US', 'UY', 'UZ',
  'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU',
  'WF', 'WS',
  'YE', 'YT',
  'ZA', 'ZM', 'ZW',
] as const

export type CountryCode = (typeof TERRITORY_CODES)[number]

const assigned: ReadonlySet<string> = new Set(TERRITORY_CODES)

/** Whether `code` is an assigned ISO 3166-1 alpha-2 code or "WW", in any letter case. */
export function isTerritoryCode(code: string): boolean {
  const upper = code.toUpperCase()
  return upper === WORLDWIDE || assigned.has(upper)
}

let regionNames: Intl.DisplayNames | undefined

/**
 * The English name of a territory ("Japan"), "Worldwide" for WW, and the code
 * itself for anything unassigned: ICU would call those "Unknown Region" or echo
 * them, and a person reading a licence needs to see what was actually written.
 */
export function territoryName(code: string): string {
  const upper = code.toUpperCase()
  if (upper === WORLDWIDE) return 'Worldwide'
  if (!assigned.has(upper)) return code
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' })
  return regionNames.of(upper) ?? upper
}

export type NormalisedTerritories = {
  /** Upper-case codes in the order first given, without repeats; ["WW"] when worldwide was given. */
  territories: string[]
  /** Entries that are not territory codes, as given (trimmed), without repeats. */
  unknown: string[]
}

/**
 * Cleans a territory list from a form or an import: trims, upper-cases, drops blanks
 * and repeats, and lets "WW" absorb the rest (a worldwide licence listing countries
 * too would only confuse the reader). The caller decides what to do with `unknown`;
 * it is never silently dropped into `territories`.
 */
export function normaliseTerritories(input: readonly string[]): NormalisedTerritories {
  const territories: string[] = []
  const unknown: string[] = []
  for (const entry of input) {
    const trimmed = entry.trim()
    if (trimmed === '') continue
    const code = trimmed.toUpperCase()
    if (!isTerritoryCode(code)) {
      if (!unknown.includes(trimmed)) unknown.push(trimmed)
    } else if (!territories.includes(code)) {
      territories.push(code)
    }
  }
  return { territories: territories.includes(WORLDWIDE) ? [WORLDWIDE] : territories, unknown }
}
