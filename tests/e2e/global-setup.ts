/**
 * End-to-end tests drive Chromium against the real app: this builds it (the web app
 * and the workflow bundle), starts a worker and the web server on the test stack, and
 * seeds the demo data through the real pipeline. Browser tests skip themselves (with
 * the reason printed) when no Chromium exists; HTTP-level tests run regardless.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import { loadStackEnv } from '../support/stack-env'
import { startProcess, waitForHttpOk, type ManagedProcess } from '../support/processes'
import { browserSkipReason } from '../support/browser'

declare module 'vitest' {
  export interface ProvidedContext {
    webUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  loadStackEnv()
  const port = process.env.DAMSON_WEB_PORT ?? '3100'
  const webUrl = `http://127.0.0.1:${port}`
  project.provide('webUrl', webUrl)
  const skip = browserSkipReason()
  // The HTTP-level tests (authorisation matrix) still run without a browser.
  if (skip) console.warn(`e2e: browser tests will be skipped: ${skip}`)

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: port }
  if (!existsSync('build/server/index.js') || process.env.DAMSON_REBUILD !== '0') {
    console.log('e2e: building the app (remix vite:build)')
    execFileSync('npx', ['remix', 'vite:build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  }
  // The worker below loads this bundle, as production does (it bundles in-process if the
  // bundle does not match the workflow sources).
  if (!existsSync('build/workflows/bundle.js') || process.env.DAMSON_REBUILD !== '0') {
    console.log('e2e: building the workflow bundle (scripts/build-workflows.ts)')
    execFileSync('npx', ['tsx', 'scripts/build-workflows.ts'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  }
  const processes: ManagedProcess[] = []
  const stopAll = async () => {
    for (const managed of processes.reverse()) await managed.stop()
  }
  try {
    const worker = startProcess('e2e-worker', 'npx', ['tsx', 'workers/main.ts'], { ...env, NODE_ENV: 'test' })
    processes.push(worker)
    await worker.waitForOutput(/worker ready/, 120_000)
    console.log('e2e: seeding demo data through the pipeline')
    execFileSync('npx', ['tsx', 'prisma/seed.ts'], { stdio: 'inherit', env: { ...env, NODE_ENV: 'test' } })
    const web = startProcess('e2e-web', process.execPath, ['server.mjs'], { ...env, HOST: '127.0.0.1' })
    processes.push(web)
    await waitForHttpOk(`${webUrl}/healthz`, 60_000)
  } catch (error) {
    await stopAll()
    throw error
  }
  return stopAll
}
