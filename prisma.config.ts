/**
 * Prisma 7 configuration (used by `prisma generate`, and by the stock `prisma migrate …`
 * commands on machines that can download Prisma's schema engine).
 *
 * Prisma 7 does not load `.env` by itself: DATABASE_URL comes from the environment, or
 * from a `.env` file beside this one when present (values already set win).
 *
 * Offline migrations on this project go through Prisma CLI 6.19 instead; see
 * scripts/db/migrate.ts and docs/decisions/001-offline-prisma-migrations.md.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'prisma/config'

const root = path.dirname(fileURLToPath(import.meta.url))
const dotenv = path.join(root, '.env')
if (existsSync(dotenv)) process.loadEnvFile(dotenv)

export default defineConfig({
  schema: path.join(root, 'prisma/schema.prisma'),
  migrations: {
    path: path.join(root, 'prisma/migrations'),
    seed: 'tsx prisma/seed.ts',
  },
  // `generate` needs no database; migrate/introspect commands fail clearly without it.
  datasource: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {},
})
