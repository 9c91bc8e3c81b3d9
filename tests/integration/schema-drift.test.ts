/**
 * Fails when prisma/schema.prisma and prisma/migrations disagree, e.g. a field added to the
 * schema without `npx tsx scripts/db/migrate.ts new <name>`.
 *
 * It applies the committed migrations to a throwaway database on the test stack's PostgreSQL
 * with the same command the stack uses (`migrate.ts deploy`), then runs `migrate.ts status`
 * against it, which replays the migrations into a shadow database, diffs the result against
 * schema.prisma with Prisma's schema engine, and checks the database has every migration.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const TSX = createRequire(import.meta.url).resolve('tsx/cli')

function databaseUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) {
    throw new Error(
      'schema-drift: DATABASE_URL is not set. This test needs a PostgreSQL server it may create databases on; ' +
        'run it through `npm test` (which starts one), or set DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DB.',
    )
  }
  return url
}

function withDatabase(url: string, database: string): string {
  const other = new URL(url)
  other.pathname = `/${database}`
  return other.toString()
}

async function admin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

function migrate(args: string[], url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, 'scripts/db/migrate.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe('database schema', () => {
  it('prisma/migrations applied to a fresh database match prisma/schema.prisma', async () => {
    const url = databaseUrl()
    const database = `damson_drift_${randomBytes(6).toString('hex')}`
    const throwaway = withDatabase(url, database)
    await admin(url, (client) => client.query(`CREATE DATABASE "${database}"`))
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
      await admin(url, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`))
    }
  })
})
