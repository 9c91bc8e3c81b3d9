/**
 * `npm run audit:verify` against a database of its own: an intact chain verifies; an
 * edited row and a deleted row are each reported at the first broken link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'
import pg from 'pg'
import { createThrowawayDatabase, runTsxScript, stackDatabaseUrl } from '../support/throwaway-database'

loadStackEnv()
const { createDb } = await import('~/db.server')
const { appendAuditEvent } = await import('~/audit.server')

const verify = (url: string) => runTsxScript('scripts/audit-verify.ts', [], url)

/** Tampering as someone with database access would: plain SQL, around the application. */
async function tamper(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
let database: Awaited<ReturnType<typeof createThrowawayDatabase>>

beforeAll(async () => {
  database = await createThrowawayDatabase(stackDatabaseUrl('audit-verify'), 'damson_audit')
  const deployed = await runTsxScript('scripts/db/migrate.ts', ['deploy'], database.url)
  expect(deployed.code, deployed.output).toBe(0)
  const db = createDb(database.url)
  try {
    for (const n of [1, 2, 3, 4]) {
      await db.$transaction((tx) =>
        appendAuditEvent(tx, {
          actorId: null,
          action: 'asset.download',
          subjectType: 'asset',
          subjectId: `asset-${n}`,
          detail: { versionId: `version-${n}`, channel: 'web' },
          ipAddress: '127.0.0.1',
        }),
      )
    }
  } finally {
    await db.$disconnect()
  }
})

afterAll(async () => {
  await database?.drop()
})

describe('npm run audit:verify', () => {
  it('verifies an intact chain', async () => {
    const result = await verify(database.url)
    expect(result.code, result.output).toBe(0)
    expect(result.output).toContain('4 events verified, chain intact')
  })

  it('reports an edited event as the first broken link', async () => {
    await tamper(database.url, `UPDATE "AuditEvent" SET "subjectId" = 'asset-forged' WHERE "seq" = 2`)
    const result = await verify(database.url)
    expect(result.code).toBe(1)
    expect(result.output).toContain('chain broken at event #2: hash does not match the event (1 events before it verified)')
  })

  it('reports a deleted event where the chain skips it', async () => {
    await tamper(database.url, `DELETE FROM "AuditEvent" WHERE "seq" = 2`)
    const result = await verify(database.url)
    expect(result.code).toBe(1)
    expect(result.output).toContain('chain broken at event #3: prevHash does not match the previous event')
  })
})
