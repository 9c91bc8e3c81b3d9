/**
 * Child processes for tests (worker, web server): started in their own process
 * group so teardown can stop everything they spawned (npx → tsx → node).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import path from 'node:path'

export type ManagedProcess = {
  name: string
  child: ChildProcess
  logFile: string
  /** Resolves when a line matching `pattern` appears in its output. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>
  stop(signal?: NodeJS.Signals): Promise<void>
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logDir = path.resolve('.data/test/logs'),
): ManagedProcess {
  mkdirSync(logDir, { recursive: true })
  const logFile = path.join(logDir, `${name}.log`)
  const log = createWriteStream(logFile, { flags: 'a' })
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const listeners = new Set<() => void>()
  let logOpen = true
  const onData = (chunk: Buffer) => {
    // Output can still arrive between 'exit' and 'close'; the log may be closed by then.
    if (logOpen) log.write(chunk)
    output += chunk.toString()
    if (output.length > 200_000) output = output.slice(-100_000)
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  // 'close' (not 'exit'): its output streams have ended too.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))

  return {
    name,
    child,
    logFile,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            cleanup()
            resolve()
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs / 1000} s; see ${logFile}`))
        }, timeoutMs)
        const onExit = () => {
          cleanup()
          reject(new Error(`${name} exited (code ${child.exitCode}) before printing ${pattern}; see ${logFile}`))
        }
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
          child.off('exit', onExit)
        }
        listeners.add(check)
        child.once('exit', onExit)
        check()
      })
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return
      try {
        process.kill(-child.pid!, signal)
      } catch {
        return
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }, 10_000)
      await exited
      clearTimeout(killer)
      logOpen = false
      log.end()
    },
  }
}

export async function waitForHttpOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError = ''
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url)
      if (response.ok) return
      lastError = `HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${lastError})`)
}
