import { describe, expect, it } from 'vitest'
import { findBrokenLink, GENESIS_HASH, hashAuditEvent, type ChainLink } from '~/domain/audit-chain'

function chain(count: number): ChainLink[] {
  const links: ChainLink[] = []
  let prevHash = GENESIS_HASH
  for (let index = 0; index < count; index++) {
    const fields = {
      at: new Date(Date.UTC(2027, 0, 1, 0, index)),
      actorId: `user-${index}`,
      action: 'asset.download',
      subjectType: 'asset',
      subjectId: `asset-${index}`,
      detail: { versionId: `v${index}`, nested: { b: 1, a: 2 } },
      ipAddress: '127.0.0.1',
    }
    const hash = hashAuditEvent(prevHash, fields)
    links.push({ ...fields, seq: BigInt(index + 1), prevHash, hash })
    prevHash = hash
  }
  return links
}

describe('audit chain', () => {
  it('verifies an intact chain', () => {
    expect(findBrokenLink(chain(5))).toBeNull()
  })

  it('hashes the same event the same way whatever the key order', () => {
    const fields = chain(1)[0]!
    const reordered = { ...fields, detail: { nested: { a: 2, b: 1 }, versionId: 'v0' } }
    expect(hashAuditEvent(GENESIS_HASH, reordered)).toBe(fields.hash)
  })

  it('finds the first edited row', () => {
    const links = chain(5)
    links[2] = { ...links[2]!, actorId: 'mallory' }
    expect(findBrokenLink(links)).toEqual({ seq: 3n, reason: 'hash does not match the event' })
  })

  it('finds a deleted row', () => {
    const links = chain(5)
    links.splice(1, 1)
    expect(findBrokenLink(links)).toEqual({ seq: 3n, reason: 'prevHash does not match the previous event' })
  })
})
