#!/usr/bin/env node
// `npm test`: a fresh test stack (.data/test, wiped each run, ports apart from `npm start`
// so both can run at once), then `vitest run` with its variables; always torn down.
//
//   npm test [-- vitest args]               e.g. npm test -- --project unit
//   node scripts/test.mjs --services-only   the test stack, migrated, until Ctrl-C; then run
//                                           single files with npx vitest run tests/…
//
// Plain Node ESM with node: built-ins only: it runs on a fresh clone before node_modules exists.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { ensureChromium } from './stack/bootstrap.mjs'
import { Stack, report } from './stack/stack.mjs'
import { ROOT, bold, fail, npmBin, ok, say, seconds, warn } from './stack/util.mjs'

const argv = process.argv.slice(2)
const servicesOnly = argv.includes('--services-only')
const vitestArgs = argv.filter((arg) => arg !== '--services-only')

const stack = new Stack('test', { headless: true })
let vitest = null
let interrupted = null
let finished = false
/** Printed last, after teardown, so it closes the output. */
let summaryLine = null

const finish = async (code) => {
  if (finished) return
  finished = true
  await stack.shutdown()
  console.log(`${code === 0 ? bold('npm test passed') : bold(`npm test failed (exit code ${code})`)} in ${stack.elapsed()}`)
  if (summaryLine) console.log(summaryLine)
  process.exit(code)
}

stack.handleSignals((signal) => {
  // Reached when a signal arrives before or after vitest (or with --services-only).
  if (!vitest) finish(servicesOnly ? 0 : signal === 'SIGINT' ? 130 : 143)
})
// While vitest runs, the terminal's Ctrl-C reaches it too; let it finish its own teardown
// (it stops the worker and web server it started) before the services go.
const onSignalDuringTests = (signal) => {
  interrupted = signal
  if (vitest && vitest.exitCode === null) {
    if (signal !== 'SIGINT') vitest.kill(signal)
    setTimeout(() => vitest?.exitCode === null && vitest.kill('SIGKILL'), 20_000).unref()
  }
}
stack.onUnexpectedExit = () => {
  if (vitest && vitest.exitCode === null) vitest.kill('SIGTERM')
  else finish(1)
}

async function main() {
  console.log(bold('Damson — npm test'))
  // Tests may start their own dev server or time-skipping server: keep both binaries.
  await stack.bootstrap({ extraTools: ['temporal'] })
  await ensureChromium()
  say('Wiping .data/test')
  await stack.wipeData()
  await stack.startServices()
  const env = stack.resolveEnv({ nodeEnv: 'test', port: stack.prof.ports.web, extra: { DAMSON_WEB_PORT: String(stack.prof.ports.web), PUBLIC_URL: `http://127.0.0.1:${stack.prof.ports.web}` } })
  await stack.prepareDatabase()

  if (servicesOnly) {
    console.log(`\n${bold('Test stack is up.')} Variables in ${path.relative(ROOT, stack.stackEnvFile)} (the tests read it):`)
    for (const [name, value] of Object.entries(env)) console.log(`  ${name}=${value}`)
    console.log(`\nReady in ${stack.elapsed()}. Run e.g. \`npx vitest run tests/integration\` in another terminal; Ctrl-C to stop.`)
    return
  }

  const bin = npmBin('vitest')
  const childEnv = stack.childEnv({ DAMSON_WEB_PORT: String(stack.prof.ports.web) })
  if (process.env.DAMSON_SKIP_BROWSER) childEnv.DAMSON_SKIP_BROWSER = process.env.DAMSON_SKIP_BROWSER
  say(`Running vitest run ${vitestArgs.join(' ')}`.trim())
  const started = Date.now()
  process.removeAllListeners('SIGINT')
  process.removeAllListeners('SIGTERM')
  process.on('SIGINT', onSignalDuringTests)
  process.on('SIGTERM', onSignalDuringTests)
  // A JSON report beside the usual one, for the one-line summary printed at the end.
  const summaryFile = path.join(stack.prof.dataDir, 'vitest-summary.json')
  const reporters = vitestArgs.some((arg) => arg.startsWith('--reporter'))
    ? []
    : ['--reporter=default', '--reporter=json', `--outputFile.json=${summaryFile}`]
  vitest = spawn(bin.command, [...bin.prefix, 'run', ...reporters, ...vitestArgs], { cwd: ROOT, env: childEnv, stdio: 'inherit' })
  const code = await new Promise((resolve) => {
    vitest.on('error', (error) => {
      fail(`vitest could not be started: ${error.message}`)
      resolve(1)
    })
    vitest.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)))
  })
  ok(`vitest finished in ${seconds(Date.now() - started)}`)
  summaryLine = readSummary(summaryFile)
  await finish(interrupted ? (code === 0 ? 130 : code) : code)
}

/** One plain line CI and people can read: `tests: N passed, N failed, N skipped`. */
function readSummary(file) {
  if (!existsSync(file)) return null
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
    return `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`
  } catch (error) {
    warn(`could not read the test summary ${path.relative(ROOT, file)}: ${error.message}`)
    return null
  }
}

main().catch(async (error) => {
  if (finished || stack.shuttingDown) return
  report(error)
  await finish(1)
})
