import { Client, Connection } from '@temporalio/client'
import { getEnv } from '~/env.server'

const globalForTemporal = globalThis as unknown as { damsonTemporal?: Promise<Client> }

/** One Temporal client per process, connected lazily. */
export function getTemporalClient(): Promise<Client> {
  globalForTemporal.damsonTemporal ??= (async () => {
    const env = getEnv()
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS })
    return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE })
  })().catch((error: unknown) => {
    globalForTemporal.damsonTemporal = undefined
    throw error
  })
  return globalForTemporal.damsonTemporal
}
