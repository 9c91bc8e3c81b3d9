/**
 * The expiring-soon board: every rights change coming up in the next 7, 30 or 90
 * days — a grant expiring or an embargo ending — soonest first, filterable by the
 * channel and territory it concerns, with the timeline the chart draws.
 *
 * A grant for every channel (or worldwide) concerns every channel (territory), so it
 * stays on the board whatever the filter; revoked grants have no upcoming change.
 */
import { z } from 'zod'
import type { DbOrTx } from '~/db.server'
import { formatRightsInstant } from '~/domain/rights'
import { isTerritoryCode, WORLDWIDE } from '~/domain/territories'
import type { Prisma } from '~/generated/prisma/client'
import { BOARD_HORIZONS, bucketRightsChanges, type BoardHorizon, type RightsChangeKind, type Timeline } from './board-timeline'
import { grantStateName, relativeTo, type GrantStateName } from './grant-state'
import { LICENCE_LABELS } from './grant-terms'
import { listChannelOptions, type ChannelOption } from './grants.server'
import { addDaysInZone, instantToLocalText } from './local-time'

const DAY_MS = 24 * 60 * 60 * 1000
/** Rows the board lists; the chart counts every change in range. */
export const BOARD_ROW_LIMIT = 300
const BOARD_SCAN_LIMIT = 5000

export const BoardQuerySchema = z.object({
  days: z.coerce
    .number()
    .pipe(z.union(BOARD_HORIZONS.map((days) => z.literal(days))))
    .catch(30),
  channel: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]{1,40}$/)
    .optional()
    .catch(undefined),
  territory: z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .refine((code) => code !== '' && isTerritoryCode(code))
    .optional()
    .catch(undefined),
})
export type BoardQuery = { days: BoardHorizon; channel?: string; territory?: string }

export type BoardChange = {
  /** Unique per row: a grant can both open and expire within the range. */
  key: string
  grantId: string
  asset: { id: string; title: string }
  kind: RightsChangeKind
  at: string
  /** In the grant's zone, e.g. "12 Mar 2027, 23:59 CET". */
  atText: string
  relative: string
  licence: string
  channels: string[]
  territories: string[]
  state: GrantStateName
  /** The grant has an expiry (so it can be extended). */
  canExtend: boolean
  /** Suggested "Extend to…" value: 30 days after the current expiry, in the grant's zone. */
  extendToDefault: string | null
  timeZone: string
}

export type ExpiringBoard = {
  query: { days: BoardHorizon; channel: string; territory: string }
  channels: ChannelOption[]
  changes: BoardChange[]
  /** Changes in range (the list shows at most BOARD_ROW_LIMIT of them). */
  total: number
  expiries: number
  starts: number
  timeline: Timeline
}

export async function getExpiringBoard({ db, query, at = new Date() }: { db: DbOrTx; query: BoardQuery; at?: Date }): Promise<ExpiringBoard> {
  const end = new Date(at.getTime() + query.days * DAY_MS)
  const filters: Prisma.RightsGrantWhereInput[] = [{ revokedAt: null }]
  if (query.channel) filters.push({ OR: [{ channels: { isEmpty: true } }, { channels: { has: query.channel } }] })
  if (query.territory) {
    filters.push({ OR: [{ territories: { isEmpty: true } }, { territories: { hasSome: [WORLDWIDE, query.territory] } }] })
  }
  filters.push({ OR: [{ expiresAt: { gte: at, lt: end } }, { startsAt: { gte: at, lt: end } }] })

  const [grants, channels] = await Promise.all([
    db.rightsGrant.findMany({
      where: { AND: filters },
      take: BOARD_SCAN_LIMIT,
      orderBy: { expiresAt: 'asc' },
      select: {
        id: true,
        licenceType: true,
        licenceVariant: true,
        channels: true,
        territories: true,
        startsAt: true,
        expiresAt: true,
        revokedAt: true,
        timeZone: true,
        warnBeforeDays: true,
        asset: { select: { id: true, title: true } },
      },
    }),
    listChannelOptions(db),
  ])
  const labels = new Map(channels.map((channel) => [channel.key, channel.label]))

  const inRange = (instant: Date | null): instant is Date => instant !== null && instant >= at && instant < end
  const changes: BoardChange[] = grants.flatMap((grant) => {
    const common = {
      grantId: grant.id,
      asset: grant.asset,
      licence: grant.licenceVariant ?? LICENCE_LABELS[grant.licenceType],
      channels: grant.channels.map((key) => labels.get(key) ?? key),
      territories: grant.territories,
      state: grantStateName(grant, at),
      canExtend: grant.expiresAt !== null,
      extendToDefault: grant.expiresAt ? instantToLocalText(addDaysInZone(grant.expiresAt, 30, grant.timeZone), grant.timeZone) : null,
      timeZone: grant.timeZone,
    }
    const rows: BoardChange[] = []
    for (const [kind, instant] of [
      ['start', grant.startsAt],
      ['expiry', grant.expiresAt],
    ] as const) {
      if (!inRange(instant)) continue
      rows.push({
        ...common,
        key: `${grant.id}:${kind}`,
        kind,
        at: instant.toISOString(),
        atText: formatRightsInstant(instant, grant.timeZone),
        relative: relativeTo(instant, at),
      })
    }
    return rows
  })
  changes.sort((a, b) => a.at.localeCompare(b.at) || a.asset.title.localeCompare(b.asset.title))

  return {
    query: { days: query.days, channel: query.channel ?? '', territory: query.territory ?? '' },
    channels,
    changes: changes.slice(0, BOARD_ROW_LIMIT),
    total: changes.length,
    expiries: changes.filter((change) => change.kind === 'expiry').length,
    starts: changes.filter((change) => change.kind === 'start').length,
    timeline: bucketRightsChanges(
      changes.map((change) => ({ at: new Date(change.at), kind: change.kind })),
      at,
      query.days,
    ),
  }
}
