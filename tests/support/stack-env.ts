/**
 * Tests run against the real services `npm test` starts (scripts/test.mjs exports
 * their addresses). Running one file by hand against a live test stack works too:
 * the launcher writes the same variables to .data/test/stack.env.json.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

const REQUIRED = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TYPESENSE_URL', 'TYPESENSE_API_KEY', 'S3_ENDPOINT', 'S3_BUCKET'] as const

export function loadStackEnv(): void {
  const file = path.resolve('.data/test/stack.env.json')
  if (REQUIRED.some((name) => !process.env[name]) && existsSync(file)) {
    const values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
    for (const [name, value] of Object.entries(values)) process.env[name] ??= value
  }
  const missing = REQUIRED.filter((name) => !process.env[name])
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need the test stack; missing ${missing.join(', ')}. Run them with \`npm test\`, ` +
        'or start the stack with `node scripts/test.mjs --services-only` first.',
    )
  }
  process.env.NODE_ENV = 'test'
}

/**
 * Points this process's workers and starts at task queues of its own, so a worker of
 * another run (or `npm start`) never picks its tasks up. Call before importing
 * ~/env.server, which reads the variables once.
 */
export function useOwnTaskQueues(prefix: string): void {
  const run = randomUUID().slice(0, 8)
  process.env.TEMPORAL_TASK_QUEUE = `${prefix}-${run}`
  process.env.TEMPORAL_MEDIA_TASK_QUEUE = `${prefix}-media-${run}`
}
