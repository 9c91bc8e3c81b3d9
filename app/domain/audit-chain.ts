import { createHash } from 'node:crypto'

/**
 * The audit log is a hash chain: each event's hash covers its own fields and the
 * previous event's hash, so editing or deleting any row breaks every link after it.
 */
export const GENESIS_HASH = '0'.repeat(64)

export type AuditEventFields = {
  at: Date
  actorId: string | null
  action: string
  subjectType: string
  subjectId: string
  detail: unknown
  ipAddress: string | null
}

/** JSON with object keys sorted, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner === 'bigint') return inner.toString()
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(
        Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      )
    }
    return inner
  })
}

export function hashAuditEvent(prevHash: string, event: AuditEventFields): string {
  const body = canonicalJson({
    prevHash,
    at: event.at.toISOString(),
    actorId: event.actorId,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    detail: event.detail ?? {},
    ipAddress: event.ipAddress,
  })
  return createHash('sha256').update(body).digest('hex')
}

export type ChainLink = AuditEventFields & { seq: bigint; prevHash: string; hash: string }

/** Returns the first broken link, or null when the whole chain verifies. */
export function findBrokenLink(events: Iterable<ChainLink>, startHash = GENESIS_HASH): { seq: bigint; reason: string } | null {
  let expectedPrev = startHash
  for (const event of events) {
    if (event.prevHash !== expectedPrev) {
      return { seq: event.seq, reason: 'prevHash does not match the previous event' }
    }
    if (hashAuditEvent(event.prevHash, event) !== event.hash) {
      return { seq: event.seq, reason: 'hash does not match the event' }
    }
    expectedPrev = event.hash
  }
  return null
}
