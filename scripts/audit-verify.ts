/**
 * `npm run audit:verify`: recomputes the audit hash chain from the first event and
 * reports the first broken link (exit 1), or how many events verified (exit 0).
 */
import { getDb } from '~/db.server'
import { GENESIS_HASH, findBrokenLink, type ChainLink } from '~/domain/audit-chain'

const BATCH = 5_000
const db = getDb()

async function verify(): Promise<number> {
  let prevHash = GENESIS_HASH
  let after = 0n
  let count = 0
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: BATCH })
    if (rows.length === 0) break
    const broken = findBrokenLink(rows as ChainLink[], prevHash)
    if (broken) {
      const verified = count + rows.findIndex((row) => row.seq === broken.seq)
      console.error(`audit: chain broken at event #${broken.seq}: ${broken.reason} (${verified} events before it verified)`)
      return 1
    }
    count += rows.length
    const last = rows[rows.length - 1]!
    prevHash = last.hash
    after = last.seq
  }
  console.log(`audit: ${count} events verified, chain intact`)
  return 0
}

const code = await verify().finally(() => db.$disconnect())
process.exit(code)
