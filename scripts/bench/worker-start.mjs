#!/usr/bin/env node
// Worker start with the workflow bundle made in-process (webpack at every start) versus the
// prebuilt one (scripts/build-workflows.ts): time from spawning `npx tsx workers/main.ts`
// to its "worker ready" line, and the worker process's resident memory (VmRSS, and its
// peak VmHWM) 10 s after ready. Prints the figures and the prebuilt/in-process ratios;
// asserts nothing beyond each run having taken the path it was meant to.
//
//   node scripts/bench/worker-start.mjs [--runs N] [--settle SECONDS]
//
// Needs the dev services: `node scripts/start.mjs --services-only` (it writes
// .data/dev/stack.env.json). The workers poll task queues of their own, so they take no work
// from a running stack. Builds build/workflows/ first (that is the "prebuilt" being measured).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stackMemory } from './stack-memory.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(name)
  return index >= 0 && args[index + 1] ? Number(args[index + 1]) : fallback
}
const runs = option('--runs', 3)
const settleMs = option('--settle', 10) * 1000

const stackEnvFile = path.join(ROOT, '.data', 'dev', 'stack.env.json')
if (!existsSync(stackEnvFile)) {
  console.error(`${path.relative(ROOT, stackEnvFile)} not found: start the services first (node scripts/start.mjs --services-only)`)
  process.exit(2)
}
const stackEnv = JSON.parse(readFileSync(stackEnvFile, 'utf8'))

/** The child being measured, so Ctrl-C on the benchmark stops it too. */
let current
process.on('SIGINT', () => {
  if (current?.exitCode === null) process.kill(-current.pid, 'SIGKILL')
  process.exit(130)
})

function collect(child) {
  let output = ''
  const waiters = []
  const onData = (chunk) => {
    output += chunk
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  return {
    text: () => output,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (pattern.test(output)) return resolve()
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${output.slice(-3000)}`)), timeoutMs)
        const exited = () => reject(new Error(`exited (code ${child.exitCode}) before ${pattern}:\n${output.slice(-3000)}`))
        child.once('exit', exited)
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer)
            child.off('exit', exited)
            resolve()
          },
        })
      }),
  }
}

function buildBundle() {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/build-workflows.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const log = collect(child)
    child.on('exit', (code) => (code === 0 ? resolve(log.text().trim()) : reject(new Error(`the workflow build failed:\n${log.text()}`))))
  })
}

/** The worker itself: the deepest process under `rootPid` running workers/main.ts (npx → sh → tsx → node). */
function workerProcess(rootPid) {
  const parents = new Map()
  const commands = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
      commands.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '))
    } catch {
      // exited while we read it
    }
  }
  const depth = (pid) => {
    let steps = 0
    for (let at = pid; at && at !== rootPid; at = parents.get(at)) {
      if (++steps > 64 || !parents.has(at)) return -1
    }
    return steps
  }
  let best
  for (const [pid, command] of commands) {
    const d = pid === rootPid ? 0 : depth(pid)
    if (d >= 0 && command.includes('workers/main.ts') && (!best || d > best.depth)) best = { pid, depth: d }
  }
  if (!best) throw new Error(`no workers/main.ts process under ${rootPid}`)
  const status = readFileSync(`/proc/${best.pid}/status`, 'utf8')
  const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { pid: best.pid, rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }
}

async function measure(mode, run) {
  const queue = `bench-worker-start-${process.pid}-${run}-${mode}`
  const env = {
    ...process.env,
    ...stackEnv,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TEMPORAL_TASK_QUEUE: queue,
    TEMPORAL_MEDIA_TASK_QUEUE: `${queue}-media`,
    ...(mode === 'in-process' ? { WORKER_BUNDLE: 'in-process' } : {}),
  }
  const started = performance.now()
  const child = spawn('npx', ['tsx', 'workers/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  current = child
  const log = collect(child)
  try {
    await log.waitFor(/worker ready/, 120_000)
    const startSeconds = (performance.now() - started) / 1000
    const expected = mode === 'prebuilt' ? /loaded prebuilt workflow bundle/ : /bundling workflows in-process/
    if (!expected.test(log.text())) throw new Error(`the ${mode} run did not take the ${mode} path:\n${log.text()}`)
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const worker = workerProcess(child.pid)
    const treeMiB = stackMemory(child.pid).totalMiB
    process.kill(-child.pid, 'SIGINT')
    await log.waitFor(/worker stopped/, 40_000)
    return { startSeconds, ...worker, treeMiB }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          process.kill(-child.pid, 'SIGKILL')
          resolve()
        }, 5_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    current = undefined
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

console.log(`Worker start: in-process bundling vs prebuilt bundle (${runs} run(s) each, alternating; memory ${settleMs / 1000} s after ready)`)
console.log(`  ${await buildBundle()}`)
const results = { 'in-process': [], prebuilt: [] }
for (let run = 1; run <= runs; run++) {
  for (const mode of ['in-process', 'prebuilt']) {
    const result = await measure(mode, run)
    results[mode].push(result)
    console.log(
      `  run ${run} ${mode.padEnd(10)}  ready after ${result.startSeconds.toFixed(2)} s   worker VmRSS ${result.rssMiB.toFixed(0)} MiB ` +
        `(peak ${result.peakMiB.toFixed(0)} MiB; npx+tsx+worker ${result.treeMiB.toFixed(0)} MiB)`,
    )
  }
}

const summary = Object.fromEntries(
  Object.entries(results).map(([mode, list]) => [
    mode,
    {
      start: median(list.map((r) => r.startSeconds)),
      rss: median(list.map((r) => r.rssMiB)),
      peak: median(list.map((r) => r.peakMiB)),
    },
  ]),
)
const inProcess = summary['in-process']
const prebuilt = summary.prebuilt
console.log('\nmedians            start-to-ready   VmRSS 10 s after ready   VmHWM (peak)')
for (const [mode, s] of Object.entries(summary)) {
  console.log(`  ${mode.padEnd(16)} ${`${s.start.toFixed(2)} s`.padStart(10)}   ${`${s.rss.toFixed(0)} MiB`.padStart(14)}           ${`${s.peak.toFixed(0)} MiB`.padStart(8)}`)
}
console.log(
  `  prebuilt/in-process ${(prebuilt.start / inProcess.start).toFixed(2).padStart(7)}   ${(prebuilt.rss / inProcess.rss).toFixed(2).padStart(14)}           ${(prebuilt.peak / inProcess.peak).toFixed(2).padStart(8)}`,
)
