import type { Prisma } from '~/generated/prisma/client'
import type { Db, DbOrTx } from '~/db.server'
import { GENESIS_HASH, hashAuditEvent } from '~/domain/audit-chain'

export type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_out'
  | 'asset.upload'
  | 'asset.view_restricted'
  | 'asset.download'
  | 'review.start'
  | 'review.decision'
  | 'review.end'
  | 'review.reminder'
  | 'review.escalation'
  | 'review.cancel'
  | 'review.comment'
  | 'review.policy_change'
  | 'version.promote'
  | 'version.rollback'
  | 'version.supersede'
  | 'version.processing_failed'
  | 'rights.change'
  | 'share_link.create'
  | 'share_link.revoke'
  | 'rights.start'
  | 'rights.warn'
  | 'rights.expire'
  | 'rights.revoke'
  | 'distribution.change'
  | 'distribution.publish'
  | 'distribution.takedown'
  | 'distribution.fail'
  | 'distribution.request'
  | 'channel.create'
  | 'channel.update'
  | 'asset.archive'
  | 'asset.restore'
  | 'rendition_preset.create'
  | 'rendition_preset.update'
  | 'rendition_preset.delete'
  | 'version.focal_point'
  | 'version.duplicate_decision'
  | 'version.awaiting_metadata'
  | 'asset.metadata_change'
  | 'metadata_schema.change'

export type AuditEventInput = {
  actorId: string | null
  action: AuditAction
  subjectType: string
  subjectId: string
  detail?: Prisma.InputJsonValue
  ipAddress?: string | null
}

// Any constant works; it only has to be the same for every writer of the chain.
const AUDIT_CHAIN_LOCK = 727_001

/**
 * Appends one event to the chain. Call it with the transaction that makes the
 * change it records, so the change and its audit row commit together, and last in
 * it: every writer waits for the chain from here until that transaction commits.
 */
export async function appendAuditEvent(tx: DbOrTx, input: AuditEventInput): Promise<void> {
  // Serialise writers so each event links to the one committed before it.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } })
  const prevHash = last?.hash ?? GENESIS_HASH
  const at = new Date()
  const fields = {
    at,
    actorId: input.actorId,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    detail: input.detail ?? {},
    ipAddress: input.ipAddress ?? null,
  }
  await tx.auditEvent.create({
    data: { ...fields, prevHash, hash: hashAuditEvent(prevHash, fields) },
  })
}

/** Records an event that has no other write to go with (sign-in, download). */
export async function recordAuditEvent(db: Db, input: AuditEventInput): Promise<void> {
  await db.$transaction((tx) => appendAuditEvent(tx, input))
}
