/**
 * Fails when prisma/schema.prisma and prisma/migrations disagree, e.g. a field added to the
 * schema without `npx tsx scripts/db/migrate.ts new <name>`.
 *
 * It applies the committed migrations to a throwaway database on the test stack's PostgreSQL
 * with the same command the stack uses (`migrate.ts deploy`), then runs `migrate.ts status`
 * against it, which replays the migrations into a shadow database, diffs the result against
 * schema.prisma with Prisma's schema engine, and checks the database has every migration.
 */
import { describe, expect, it } from 'vitest'
import { createThrowawayDatabase, runTsxScript, stackDatabaseUrl } from '../support/throwaway-database'

const migrate = (args: string[], url: string) => runTsxScript('scripts/db/migrate.ts', args, url)

describe('database schema', () => {
  it('prisma/migrations applied to a fresh database match prisma/schema.prisma', async () => {
    const { url: throwaway, drop } = await createThrowawayDatabase(stackDatabaseUrl('schema-drift'), 'damson_drift')
    try {
      const deployed = await migrate(['deploy'], throwaway)
      expect(deployed.code, `migrate.ts deploy failed on a fresh database:\n${deployed.output}`).toBe(0)

      const status = await migrate(['status'], throwaway)
      expect(
        status.code,
        `prisma/schema.prisma and prisma/migrations disagree; create a migration with ` +
          `\`npx tsx scripts/db/migrate.ts new <name>\`.\n${status.output}`,
      ).toBe(0)
      expect(status.output).toContain('prisma/schema.prisma matches prisma/migrations')
    } finally {
      await drop()
    }
  })
})
