/**
 * The rights channels a grant can permit (web, print, …). The built-in ones come with
 * the migration; admins add their own, rename and reorder any, and delete the ones
 * they added as long as nothing names them. Keys never change: grants, download
 * records and distribution channels store them.
 *
 * Each change is written with a 'rights.change' audit row (subject: the channel) in
 * one transaction.
 */
import { z } from 'zod'
import { appendAuditEvent } from '~/audit.server'
import type { Db, DbOrTx } from '~/db.server'
import { AppError } from '~/errors.server'

export const CHANNEL_LIMITS = { keyLength: 40, labelLength: 60, maxChannels: 100 } as const

export const ChannelKeySchema = z
  .string({ error: 'Give the channel a key.' })
  .trim()
  .min(1, 'Give the channel a key.')
  .max(CHANNEL_LIMITS.keyLength, `Keep the key to ${CHANNEL_LIMITS.keyLength} characters.`)
  .regex(/^[a-z0-9_]+$/, 'Use lower-case letters, digits and underscores only, e.g. trade_fair.')
  .refine((key) => /[a-z]/.test(key), 'Include at least one letter, e.g. trade_fair.')

export const ChannelLabelSchema = z
  .string({ error: 'Give the channel a label.' })
  .transform((value) => value.replaceAll('\u0000', '').replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .min(1, 'Give the channel a label.')
      .max(CHANNEL_LIMITS.labelLength, `Keep the label to ${CHANNEL_LIMITS.labelLength} characters.`),
  )

export const NewChannelSchema = z.object({ key: ChannelKeySchema, label: ChannelLabelSchema })

export type ChannelFieldErrors = Partial<Record<'key' | 'label' | 'form', string>>

export type RightsChannelView = {
  key: string
  label: string
  builtIn: boolean
  position: number
  /** Grants naming the channel (revoked and expired ones included: they keep their record). */
  grantCount: number
  /** Distribution destinations mapped to the channel. */
  destinationCount: number
  /** Why it cannot be deleted, or null when it can. */
  deleteBlockedBy: string | null
}

type AuditContext = { actorId: string; ipAddress?: string | null }

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

function deleteBlockedBy(channel: { builtIn: boolean }, grantCount: number, destinationCount: number): string | null {
  if (channel.builtIn) return 'Built-in channels cannot be deleted.'
  if (grantCount > 0) return `Named by ${plural(grantCount, 'grant', 'grants')}.`
  if (destinationCount > 0) return `Used by ${plural(destinationCount, 'distribution destination', 'distribution destinations')}.`
  return null
}

async function usage(db: DbOrTx, key?: string): Promise<{ grants: Map<string, number>; destinations: Map<string, number> }> {
  const [grantRows, destinationRows] = await Promise.all([
    key
      ? db.$queryRaw<{ count: number }[]>`SELECT COUNT(*)::int AS "count" FROM "RightsGrant" WHERE ${key} = ANY("channels")`.then((rows) =>
          rows.map((row) => ({ key, count: row.count })),
        )
      : db.$queryRaw<{ key: string; count: number }[]>`
          SELECT c AS "key", COUNT(*)::int AS "count" FROM "RightsGrant", unnest("channels") AS c GROUP BY c`,
    db.channel.groupBy({ by: ['rightsChannel'], _count: { _all: true }, ...(key ? { where: { rightsChannel: key } } : {}) }),
  ])
  return {
    grants: new Map(grantRows.map((row) => [row.key, row.count])),
    destinations: new Map(destinationRows.map((row) => [row.rightsChannel, row._count._all])),
  }
}

/** Every channel in display order, with what uses it. */
export async function listRightsChannels({ db }: { db: DbOrTx }): Promise<RightsChannelView[]> {
  const [channels, used] = await Promise.all([
    db.rightsChannel.findMany({ orderBy: [{ position: 'asc' }, { key: 'asc' }] }),
    usage(db),
  ])
  return channels.map((channel) => {
    const grantCount = used.grants.get(channel.key) ?? 0
    const destinationCount = used.destinations.get(channel.key) ?? 0
    return {
      key: channel.key,
      label: channel.label,
      builtIn: channel.builtIn,
      position: channel.position,
      grantCount,
      destinationCount,
      deleteBlockedBy: deleteBlockedBy(channel, grantCount, destinationCount),
    }
  })
}

// Any constant works; it only has to be the same for every writer of the channel list.
const CHANNEL_WRITE_LOCK = 727_003

async function lockChannelList(tx: DbOrTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHANNEL_WRITE_LOCK})`
}

export type AddChannelResult = { ok: true; key: string } | { ok: false; fieldErrors: ChannelFieldErrors }

/** A new channel at the end of the list. */
export async function addRightsChannel({ db, input, actorId, ipAddress }: AuditContext & { db: Db; input: { key: unknown; label: unknown } }): Promise<AddChannelResult> {
  const parsed = NewChannelSchema.safeParse(input)
  if (!parsed.success) {
    const fieldErrors: ChannelFieldErrors = {}
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === 'key' || issue.path[0] === 'label' ? issue.path[0] : 'form'
      fieldErrors[field] ??= issue.message
    }
    return { ok: false, fieldErrors }
  }
  const { key, label } = parsed.data
  return db.$transaction(async (tx): Promise<AddChannelResult> => {
    await lockChannelList(tx)
    if (await tx.rightsChannel.findUnique({ where: { key }, select: { key: true } })) {
      return { ok: false, fieldErrors: { key: `There is already a channel with the key “${key}”.` } }
    }
    const count = await tx.rightsChannel.count()
    if (count >= CHANNEL_LIMITS.maxChannels) {
      return { ok: false, fieldErrors: { form: `There can be at most ${CHANNEL_LIMITS.maxChannels} channels.` } }
    }
    const last = await tx.rightsChannel.findFirst({ orderBy: { position: 'desc' }, select: { position: true } })
    await tx.rightsChannel.create({ data: { key, label, builtIn: false, position: (last?.position ?? 0) + 1 } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'rights_channel',
      subjectId: key,
      detail: { operation: 'channel_add', key, label },
      ipAddress,
    })
    return { ok: true, key }
  })
}

export type RenameChannelResult = { ok: true; changed: boolean } | { ok: false; fieldErrors: ChannelFieldErrors }

export async function renameRightsChannel({
  db,
  key,
  label,
  actorId,
  ipAddress,
}: AuditContext & { db: Db; key: string; label: unknown }): Promise<RenameChannelResult> {
  const parsed = ChannelLabelSchema.safeParse(label)
  if (!parsed.success) return { ok: false, fieldErrors: { label: parsed.error.issues[0]?.message ?? 'Give the channel a label.' } }
  return db.$transaction(async (tx): Promise<RenameChannelResult> => {
    await lockChannelList(tx)
    const channel = await tx.rightsChannel.findUnique({ where: { key } })
    if (!channel) throw new AppError('NOT_FOUND', 'Rights channel not found')
    if (channel.label === parsed.data) return { ok: true, changed: false }
    await tx.rightsChannel.update({ where: { key }, data: { label: parsed.data } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'rights_channel',
      subjectId: key,
      detail: { operation: 'channel_rename', key, from: channel.label, to: parsed.data },
      ipAddress,
    })
    return { ok: true, changed: true }
  })
}

/** Moves a channel one place up or down; positions are renumbered 1…n as it goes. */
export async function moveRightsChannel({
  db,
  key,
  direction,
  actorId,
  ipAddress,
}: AuditContext & { db: Db; key: string; direction: 'up' | 'down' }): Promise<{ moved: boolean }> {
  return db.$transaction(async (tx) => {
    await lockChannelList(tx)
    const channels = await tx.rightsChannel.findMany({ orderBy: [{ position: 'asc' }, { key: 'asc' }], select: { key: true, position: true } })
    const index = channels.findIndex((channel) => channel.key === key)
    if (index === -1) throw new AppError('NOT_FOUND', 'Rights channel not found')
    const target = direction === 'up' ? index - 1 : index + 1
    if (target < 0 || target >= channels.length) return { moved: false }
    const order = channels.map((channel) => channel.key)
    ;[order[index], order[target]] = [order[target] as string, order[index] as string]
    for (const [position, channelKey] of order.entries()) {
      if (channels[position]?.key !== channelKey || channels[position]?.position !== position + 1) {
        await tx.rightsChannel.update({ where: { key: channelKey }, data: { position: position + 1 } })
      }
    }
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'rights_channel',
      subjectId: key,
      detail: { operation: 'channel_reorder', key, direction, order },
      ipAddress,
    })
    return { moved: true }
  })
}

/**
 * Deletes an admin-added channel nothing names. The row is locked first; grant writes
 * hold the channels they name (`lockChannels`), so a grant cannot name it in between.
 */
export async function deleteRightsChannel({ db, key, actorId, ipAddress }: AuditContext & { db: Db; key: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    await lockChannelList(tx)
    const [channel] = await tx.$queryRaw<{ key: string; label: string; builtIn: boolean }[]>`
      SELECT "key", "label", "builtIn" FROM "RightsChannel" WHERE "key" = ${key} FOR UPDATE`
    if (!channel) throw new AppError('NOT_FOUND', 'Rights channel not found')
    const used = await usage(tx, key)
    const blocked = deleteBlockedBy(channel, used.grants.get(key) ?? 0, used.destinations.get(key) ?? 0)
    if (blocked) throw new AppError('CONFLICT', `“${channel.label}” cannot be deleted. ${blocked}`)
    await tx.rightsChannel.delete({ where: { key } })
    await appendAuditEvent(tx, {
      actorId,
      action: 'rights.change',
      subjectType: 'rights_channel',
      subjectId: key,
      detail: { operation: 'channel_delete', key, label: channel.label },
      ipAddress,
    })
  })
}
