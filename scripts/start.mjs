#!/usr/bin/env node
// `npm start`: the whole of Damson on this machine. Services are embedded unless their
// variables point at external ones (see .env.example); data persists under .data/dev.
//
//   node scripts/start.mjs                  everything: services, migrations, worker, seed, web
//   node scripts/start.mjs --services-only  just the four services; prints their variables
//
// Plain Node ESM with node: built-ins only: it runs on a fresh clone before node_modules exists.
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startManaged } from './stack/processes.mjs'
import { Stack, report } from './stack/stack.mjs'
import { ROOT, StackError, bold, cyan, errorText, mtime, npmBin, ok, run, say, seconds, waitUntil, warn } from './stack/util.mjs'

const args = process.argv.slice(2)
const servicesOnly = args.includes('--services-only')
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: node scripts/start.mjs [--services-only]')
  process.exit(0)
}

const DEMO_USERS = ['admin@damson.test', 'librarian@damson.test', 'reviewer@damson.test', 'legal@damson.test', 'partner@acme.test']
const DEMO_PASSWORD = 'damson-demo'

const stack = new Stack('dev')
let exiting = false
const exit = async (code) => {
  if (exiting) return
  exiting = true
  await stack.shutdown()
  process.exit(code)
}
stack.handleSignals(() => process.exit(0))
stack.onUnexpectedExit = () => exit(1)

/** Newest modification time among files under `dirs` (recursively) and `files`. */
function newestOf(dirs, files) {
  let newest = 0
  const walk = (dir) => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        // The generated Prisma client is rewritten by every generate; schema.prisma stands for it.
        if (full === path.join(ROOT, 'app', 'generated') || entry.name === 'node_modules') continue
        walk(full)
      } else newest = Math.max(newest, statSync(full).mtimeMs)
    }
  }
  for (const dir of dirs) walk(path.join(ROOT, dir))
  for (const file of files) newest = Math.max(newest, mtime(path.join(ROOT, file)))
  return newest
}

/** Newest modification time among the sources the web build depends on. */
const newestSource = () =>
  newestOf(['app', 'public'], ['vite.config.ts', 'tsconfig.json', 'package-lock.json', 'prisma/schema.prisma', 'tailwind.config.ts', 'postcss.config.js'])

/**
 * The prebuilt workflow bundle the worker loads (scripts/build-workflows.ts), rebuilt when
 * its sources are newer. The worker itself compares a content hash and bundles in-process
 * when the bundle does not match, so a failed build here costs start time, not correctness.
 */
async function buildWorkflowsIfStale() {
  const manifest = path.join(ROOT, 'build', 'workflows', 'manifest.json')
  const built = mtime(manifest)
  const sources = newestOf(['workflows', 'app/domain'], ['package-lock.json', 'workers/workflow-bundle.ts', 'scripts/build-workflows.ts'])
  if (built && built >= sources) {
    ok('workflow bundle is up to date')
    return
  }
  say(built ? 'Rebuilding the workflow bundle (sources changed; tsx scripts/build-workflows.ts)…' : 'Building the workflow bundle (tsx scripts/build-workflows.ts)…')
  const started = Date.now()
  const tsx = npmBin('tsx')
  const logFile = stack.prof.logFile('build-workflows')
  try {
    const output = await run(tsx.command, [...tsx.prefix, 'scripts/build-workflows.ts'], { env: stack.childEnv(), inherit: false })
    writeFileSync(logFile, output)
  } catch (error) {
    writeFileSync(logFile, error.message)
    warn(`the workflow bundle build failed (see ${path.relative(ROOT, logFile)}); the worker will bundle in-process`)
    return
  }
  ok(`workflow bundle built in ${seconds(Date.now() - started)}`)
}

async function buildIfStale() {
  const serverBuild = path.join(ROOT, 'build', 'server', 'index.js')
  const built = mtime(serverBuild)
  if (built && built >= newestSource()) {
    ok('web build is up to date')
    return
  }
  say(built ? 'Rebuilding the web app (sources changed; remix vite:build)…' : 'Building the web app (remix vite:build)…')
  const started = Date.now()
  const remix = npmBin('remix')
  const logFile = stack.prof.logFile('build')
  try {
    const output = await run(remix.command, [...remix.prefix, 'vite:build'], { env: stack.childEnv({ NODE_ENV: 'production' }), inherit: false })
    writeFileSync(logFile, output)
  } catch (error) {
    writeFileSync(logFile, error.message)
    throw new StackError(`the web build failed (see ${path.relative(ROOT, logFile)}):\n${error.message}`)
  }
  ok(`web app built in ${seconds(Date.now() - started)}`)
}

async function main() {
  console.log(bold('Damson — starting the local stack'))
  await stack.bootstrap()
  await stack.startServices()
  const port = Number(process.env.PORT || stack.prof.ports.web)
  const nodeEnv = process.env.NODE_ENV || 'development'
  const env = stack.resolveEnv({ nodeEnv, port, extra: process.env.PUBLIC_URL ? {} : { PUBLIC_URL: `http://localhost:${port}` } })

  if (servicesOnly) {
    console.log(`\n${bold('Services are up.')} Their variables (also in ${path.relative(ROOT, stack.stackEnvFile)}):`)
    for (const [name, value] of Object.entries(env)) console.log(`  ${name}=${value}`)
    console.log(`\nReady in ${stack.elapsed()}. Press Ctrl-C to stop.`)
    return
  }

  await stack.prepareDatabase()

  // The worker: started once migrations are in, so it never sees a half-made schema, and
  // after the workflow build, so it loads the bundle instead of running webpack itself.
  const tsx = npmBin('tsx')
  if (stack.tsxStepExists('workers/main.ts')) {
    await buildWorkflowsIfStale()
    say('Starting the Temporal worker (tsx workers/main.ts)…')
    const started = Date.now()
    const worker = stack.adopt(
      startManaged('worker', tsx.command, [...tsx.prefix, 'workers/main.ts'], {
        env: stack.childEnv(),
        logFile: stack.prof.logFile('worker'),
        watchOutput: true,
        echo: true,
      }),
    )
    const ready = await worker.waitForOutput(/worker ready/i, 60_000)
    if (ready) ok(`worker ready in ${seconds(Date.now() - started)}`)
    else warn(`the worker printed no "worker ready" line within 60 s; continuing (see ${path.relative(ROOT, worker.logFile)})`)
  } else warn('workers/main.ts does not exist yet; the worker was not started')

  // The seed uploads through the real pipeline, so it needs the worker; it decides itself
  // whether the database is empty.
  await stack.tsxStep('Seeding demo data', 'prisma/seed.ts')

  await buildIfStale()

  say(`Starting the web server (server.mjs, port ${port})…`)
  const webStarted = Date.now()
  const web = stack.adopt(
    startManaged('web', process.execPath, ['server.mjs'], {
      // Local demo: listen on loopback only unless HOST says otherwise.
      env: { ...stack.childEnv(), HOST: process.env.HOST ?? '127.0.0.1' },
      logFile: stack.prof.logFile('web'),
      watchOutput: true,
      echo: true,
    }),
  )
  const url = `http://localhost:${port}`
  let last = ''
  await waitUntil(
    async () => {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })
      if (response.status !== 200) {
        last = `${response.status} ${(await response.text()).slice(0, 300)}`
        throw new Error(last)
      }
    },
    {
      timeoutMs: 60_000,
      intervalMs: 500,
      abortIf: () => web.exitReason(),
      describeTimeout: (error) => `the web server did not answer GET ${url}/healthz with 200 within 60 s (last: ${errorText(error)}); see ${path.relative(ROOT, web.logFile)}`,
    },
  )
  ok(`web server healthy in ${seconds(Date.now() - webStarted)}`)

  console.log('')
  console.log(bold(`Damson is running at ${cyan(url)}`))
  const temporal = stack.services.find((service) => service.name === 'temporal')
  if (temporal?.uiUrl) console.log(`Temporal UI: ${temporal.uiUrl}`)
  if (env.NODE_ENV !== 'production') {
    console.log(`Demo sign-ins (password ${bold(DEMO_PASSWORD)}):`)
    for (const user of DEMO_USERS) console.log(`  ${user}`)
  }
  console.log(`Logs: ${path.relative(ROOT, stack.prof.logsDir)}/   Started in ${stack.elapsed()}. Press Ctrl-C to stop.`)
}

main().catch(async (error) => {
  if (exiting || stack.shuttingDown) return
  report(error)
  await exit(1)
})
