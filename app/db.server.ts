import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '~/generated/prisma/client'
import { getEnv } from '~/env.server'

export type Db = PrismaClient
/** A client or an interactive transaction's client: use cases accept either. */
export type DbOrTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>

const globalForDb = globalThis as unknown as { damsonDb?: PrismaClient }

/** `poolSize`: connections kept open (pg's default is 10; the worker runs more activities at once). */
export function createDb(connectionString: string, { poolSize }: { poolSize?: number } = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, ...(poolSize ? { max: poolSize } : {}) }) })
}

/** One client per process (survives Vite's dev-time module reloads). */
export function getDb(): PrismaClient {
  globalForDb.damsonDb ??= createDb(getEnv().DATABASE_URL)
  return globalForDb.damsonDb
}
