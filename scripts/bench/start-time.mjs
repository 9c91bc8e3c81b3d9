#!/usr/bin/env node
// Measures `npm start` on a fresh clone: cold (no node_modules, .tools or .data) and warm
// (a second start on the same clone), each to the first page served, plus the resident
// memory of the whole stack once idle. Prints the figures; asserts nothing.
//
//   node scripts/bench/start-time.mjs [--keep]     (clones HEAD into a temp dir; PORT 3900)
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stackMemory } from './stack-memory.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const port = 3900
const dir = mkdtempSync(path.join(os.tmpdir(), 'damson-bench-'))
execFileSync('git', ['clone', '--quiet', root, dir])

async function timeStart(label) {
  const started = Date.now()
  const child = spawn('npm', ['start'], { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output.slice(-3000)}`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/login`)
      if (response.ok) break
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const seconds = (Date.now() - started) / 1000
  console.log(`${label}: first page served after ${seconds.toFixed(1)} s`)
  return { child, seconds }
}

async function stop(child) {
  process.kill(-child.pid, 'SIGINT')
  await new Promise((resolve) => child.once('exit', resolve))
}

try {
  const cold = await timeStart('cold npm start (fresh clone)')
  await new Promise((resolve) => setTimeout(resolve, 15_000))
  const memory = stackMemory(cold.child.pid)
  console.log(`stack resident memory at idle: ${memory.totalMiB.toFixed(0)} MiB`)
  for (const entry of memory.byProcess) console.log(`  ${entry.rssMiB.toFixed(0).padStart(6)} MiB  ${entry.command}`)
  await stop(cold.child)
  const warm = await timeStart('warm npm start (same clone)')
  await stop(warm.child)
  console.log(`warm/cold ratio: ${(warm.seconds / cold.seconds).toFixed(2)}`)
} finally {
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true })
  else console.log(`clone kept at ${dir}`)
}
