#!/usr/bin/env node
// Resident memory of a process and all its descendants (the whole stack under one
// `npm start`), read from /proc.
//
//   node scripts/bench/stack-memory.mjs PID
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

function readProcesses() {
  const processes = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const status = readFileSync(`/proc/${entry}/status`, 'utf8')
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
      processes.push({ pid: Number(entry), ppid, rssKiB, command })
    } catch {
      // exited while we read it
    }
  }
  return processes
}

export function stackMemory(rootPid) {
  const processes = readProcesses()
  const included = new Set([rootPid])
  let grew = true
  while (grew) {
    grew = false
    for (const proc of processes) {
      if (!included.has(proc.pid) && included.has(proc.ppid)) {
        included.add(proc.pid)
        grew = true
      }
    }
  }
  const byProcess = processes
    .filter((proc) => included.has(proc.pid))
    .map((proc) => ({ pid: proc.pid, rssMiB: proc.rssKiB / 1024, command: proc.command.slice(0, 110) }))
    .sort((a, b) => b.rssMiB - a.rssMiB)
  return { totalMiB: byProcess.reduce((sum, proc) => sum + proc.rssMiB, 0), byProcess }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pid = Number(process.argv[2])
  if (!pid) {
    console.error('usage: node scripts/bench/stack-memory.mjs PID (the npm start process)')
    process.exit(2)
  }
  const memory = stackMemory(pid)
  console.log(`resident memory of ${pid} and its descendants: ${memory.totalMiB.toFixed(0)} MiB`)
  for (const entry of memory.byProcess) console.log(`  ${entry.rssMiB.toFixed(0).padStart(6)} MiB  ${entry.command}`)
}
