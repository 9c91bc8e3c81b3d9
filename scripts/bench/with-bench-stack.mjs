#!/usr/bin/env node
// Runs a benchmark driver against a whole Damson stack of its own: the `bench` profile
// (.data/bench, wiped each run, ports apart from `npm start` and `npm test`), migrated,
// the app and workflow bundle built, the worker and web server started, demo data seeded.
// The driver gets the stack's variables plus BENCH_WEB_URL; its last line is printed
// again after teardown, so it closes the output.
//
//   node scripts/bench/with-bench-stack.mjs scripts/bench/review-latency.ts [driver args]
//
// Plain Node ESM, like the launcher it reuses (scripts/stack).
import { spawn } from 'node:child_process'
import path from 'node:path'
import { startManaged } from '../stack/processes.mjs'
import { Stack, report } from '../stack/stack.mjs'
import { ROOT, StackError, bold, npmBin, ok, run, say, seconds } from '../stack/util.mjs'

const [driver, ...driverArgs] = process.argv.slice(2)
if (!driver) {
  console.error('usage: node scripts/bench/with-bench-stack.mjs <driver.ts> [args]')
  process.exit(2)
}

const stack = new Stack('bench', { headless: true })
let lastLine = null
let finished = false
const finish = async (code) => {
  if (finished) return
  finished = true
  await stack.shutdown()
  if (lastLine) console.log(lastLine)
  process.exit(code)
}
stack.handleSignals(() => finish(130))
stack.onUnexpectedExit = () => finish(1)

async function step(label, command, args, env) {
  say(`${label}…`)
  const started = Date.now()
  try {
    await run(command, args, { env, inherit: false })
  } catch (error) {
    throw new StackError(`${label} failed:\n${error.message}`)
  }
  ok(`${label} done in ${seconds(Date.now() - started)}`)
}

async function main() {
  console.log(bold(`Damson bench — ${path.basename(driver)}`))
  await stack.bootstrap()
  say('Wiping .data/bench')
  await stack.wipeData()
  await stack.startServices()
  const port = stack.prof.ports.web
  const webUrl = `http://127.0.0.1:${port}`
  stack.resolveEnv({ nodeEnv: 'production', port, extra: { PUBLIC_URL: webUrl } })
  await stack.prepareDatabase()

  const tsx = npmBin('tsx')
  const remix = npmBin('remix')
  await step('Building the web app (remix vite:build)', remix.command, [...remix.prefix, 'vite:build'], stack.childEnv({ NODE_ENV: 'production' }))
  await step('Building the workflow bundle', tsx.command, [...tsx.prefix, 'scripts/build-workflows.ts'], stack.childEnv())

  const worker = stack.adopt(
    startManaged('worker', tsx.command, [...tsx.prefix, 'workers/main.ts'], {
      env: stack.childEnv({ NODE_ENV: 'test' }),
      logFile: stack.prof.logFile('worker'),
      watchOutput: true,
    }),
  )
  if (!(await worker.waitForOutput(/worker ready/i, 120_000))) throw new StackError('the worker did not become ready within 120 s')
  await step('Seeding demo users and samples', tsx.command, [...tsx.prefix, 'prisma/seed.ts'], stack.childEnv({ NODE_ENV: 'test' }))
  const web = stack.adopt(
    startManaged('web', process.execPath, ['server.mjs'], {
      env: stack.childEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) }),
      logFile: stack.prof.logFile('web'),
      watchOutput: true,
    }),
  )
  if (!(await web.waitForOutput(/listening|http:\/\//i, 60_000))) throw new StackError('the web server did not start within 60 s')

  say(`Running ${driver} against ${webUrl}`)
  const code = await new Promise((resolve) => {
    const child = spawn(tsx.command, [...tsx.prefix, driver, ...driverArgs], {
      cwd: ROOT,
      env: stack.childEnv({ NODE_ENV: 'test', BENCH_WEB_URL: webUrl }),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      const lines = chunk.toString().trim().split('\n').filter(Boolean)
      if (lines.length > 0) lastLine = lines[lines.length - 1]
    })
    child.on('exit', (exitCode) => resolve(exitCode ?? 1))
  })
  await finish(code)
}

main().catch(async (error) => {
  report(error)
  await finish(1)
})
