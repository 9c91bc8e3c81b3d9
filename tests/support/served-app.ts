/**
 * The production web server (server.mjs in front of the Remix build) for integration
 * tests that must go through real HTTP: a tus client, or the server's own memory
 * measured from outside. The build is made only when app/ changed since the last one
 * (the e2e setup, run in the same `npm test`, has usually just made it); a lock keeps
 * two test files from building at once.
 */
import { execFile } from 'node:child_process'
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { startProcess, waitForHttpOk, type ManagedProcess } from './processes'

const SHARED_BUILD = path.resolve('build')
/** The build of its own, made with DAMSON_BUILD_DIR (vite.config.ts) when build/ is stale. */
const OWN_BUILD = path.resolve('.data/test/served-app-build')
const LOCK = path.resolve('.data/test/served-app-build.lock')
const SOURCES = ['app', 'vite.config.ts', 'package.json'].map((entry) => path.resolve(entry))

export type ServedApp = {
  url: string
  /** The web server's process id (node server.mjs itself), for /proc/<pid>/status. */
  pid: number
  /** Null for a server given by DAMSON_SERVED_APP_URL. */
  process: ManagedProcess | null
  stop(): Promise<void>
}

async function newestMtime(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => null)
  if (!info) return 0
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const child of await readdir(entry)) newest = Math.max(newest, await newestMtime(path.join(entry, child)))
  return newest
}

async function isFresh(buildDirectory: string): Promise<boolean> {
  const built = await stat(path.join(buildDirectory, 'server/index.js')).catch(() => null)
  if (!built) return false
  const sources = await Promise.all(SOURCES.map(newestMtime))
  return Math.max(...sources) < built.mtimeMs
}

/**
 * A build of the current sources: build/ when it is newer than every source file
 * (`npm test`'s e2e setup has just made it), else a build of this file's own under
 * .data/test, made under a lock so two test files never build at once.
 * DAMSON_REBUILD=0 takes whichever exists without checking.
 */
export async function ensureAppBuild(): Promise<string> {
  if (process.env.DAMSON_REBUILD === '0') {
    return (await stat(path.join(OWN_BUILD, 'server/index.js')).catch(() => null)) ? OWN_BUILD : SHARED_BUILD
  }
  if (await isFresh(SHARED_BUILD)) return SHARED_BUILD
  await mkdir(path.dirname(LOCK), { recursive: true })
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    try {
      await mkdir(LOCK)
      break
    } catch {
      // Another file is building; a lock older than ten minutes was left by a killed run.
      const lock = await stat(LOCK).catch(() => null)
      if (lock && Date.now() - lock.mtimeMs > 10 * 60_000) await rmdir(LOCK).catch(() => undefined)
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${LOCK}; remove it if no build is running`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  try {
    if (await isFresh(OWN_BUILD)) return OWN_BUILD
    console.log('served app: building (remix vite:build), app/ changed since the last build')
    await promisify(execFile)('npx', ['remix', 'vite:build'], {
      env: { ...process.env, NODE_ENV: 'production', DAMSON_BUILD_DIR: OWN_BUILD },
      maxBuffer: 64 * 1024 * 1024,
    })
    return OWN_BUILD
  } finally {
    await rmdir(LOCK).catch(() => undefined)
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts `node server.mjs` on a free port with this process's environment (the test
 * stack's variables and the task queues the test chose) plus `env`.
 */
export async function startServedApp(name: string, env: Record<string, string> = {}): Promise<ServedApp> {
  // A server someone already runs (e.g. `remix vite:dev` while working on a route): used as it is.
  const given = process.env.DAMSON_SERVED_APP_URL
  if (given) {
    const pid = Number(process.env.DAMSON_SERVED_APP_PID ?? 0)
    return { url: given.replace(/\/$/, ''), pid, process: null, stop: async () => undefined }
  }
  const buildDirectory = await ensureAppBuild()
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const web = startProcess(name, process.execPath, ['server.mjs'], {
    ...process.env,
    // server.mjs serves a production build.
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    DAMSON_BUILD_DIR: buildDirectory,
    ...env,
  })
  try {
    // The sign-in page, not /healthz: these tests need the web server, not every service healthy.
    await waitForHttpOk(`${url}/login`, 60_000)
  } catch (error) {
    await web.stop()
    throw error
  }
  return { url, pid: web.child.pid!, process: web, stop: () => web.stop() }
}

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}
