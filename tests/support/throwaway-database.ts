/**
 * A fresh database on the test stack's PostgreSQL, for tests that need one to
 * themselves (schema drift, audit tampering), and the project's own scripts run
 * against it as a user would run them.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const TSX = createRequire(import.meta.url).resolve('tsx/cli')

export function stackDatabaseUrl(purpose: string): string {
  const url = process.env.DATABASE_URL
  if (!url) {
    throw new Error(
      `${purpose}: DATABASE_URL is not set. This test needs a PostgreSQL server it may create databases on; ` +
        'run it through `npm test` (which starts one), or set DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DB.',
    )
  }
  return url
}

export function withDatabase(url: string, database: string): string {
  const other = new URL(url)
  other.pathname = `/${database}`
  return other.toString()
}

export async function admin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

/** Creates an empty database named `<prefix>_<random>`; returns its URL and a drop function. */
export async function createThrowawayDatabase(url: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = `${prefix}_${randomBytes(6).toString('hex')}`
  await admin(url, (client) => client.query(`CREATE DATABASE "${database}"`))
  return {
    url: withDatabase(url, database),
    drop: () => admin(url, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(() => undefined),
  }
}

/** Runs `tsx <script> ...args` from the repository root with DATABASE_URL set; never throws on exit codes. */
export function runTsxScript(script: string, args: string[], databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}
