// Long-running children (services, worker, web): each in its own process group so a
// stop reaches everything it spawned, with output appended to a log file.
import { spawn } from 'node:child_process'
import { closeSync, createWriteStream, openSync } from 'node:fs'
import path from 'node:path'
import { ROOT, dim, ensureDir, sleep } from './util.mjs'

/** Every process started here, so a shutdown (or an emergency exit) can reach them all. */
export const managed = new Set()

/**
 * Starts `command` detached (own process group). Output goes to `logFile`; with
 * `watchOutput` it is also kept in memory for `waitForOutput`, and with `echo` it is
 * mirrored to the terminal prefixed with the name.
 */
export function startManaged(name, command, args, {
  env = process.env,
  cwd = ROOT,
  logFile,
  watchOutput = false,
  echo = false,
  uid,
  gid,
  stopSignal = 'SIGTERM',
  stopGraceMs = 10_000,
  /** Known to hang on shutdown (SeaweedFS's filer waits on its own gRPC stream): kill quietly. */
  expectKill = false,
  afterExit,
} = {}) {
  ensureDir(path.dirname(logFile))
  let child
  let log
  if (watchOutput || echo) {
    log = createWriteStream(logFile, { flags: 'a' })
    child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], uid, gid })
  } else {
    // The service writes straight into its log file: nothing depends on this process reading pipes.
    const fd = openSync(logFile, 'a')
    child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd], uid, gid })
    closeSync(fd)
  }
  let output = ''
  const listeners = new Set()
  let partial = ''
  const onData = (chunk) => {
    log?.write(chunk)
    const text = chunk.toString()
    if (watchOutput) {
      output += text
      if (output.length > 200_000) output = output.slice(-100_000)
      for (const listener of listeners) listener()
    }
    if (echo) {
      const lines = (partial + text).split('\n')
      partial = lines.pop()
      for (const line of lines) if (line.trim()) console.log(`${dim(`[${name}]`)} ${line}`)
    }
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)

  let exitInfo = null
  let spawnError = null
  const exited = new Promise((resolve) => {
    child.once('error', (error) => {
      spawnError = error
      exitInfo ??= { code: null, signal: null, error }
      resolve(exitInfo)
    })
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal }
      log?.end()
      resolve(exitInfo)
    })
  })

  const proc = {
    name,
    child,
    logFile,
    stopping: false,
    get exitInfo() {
      return exitInfo
    },
    get spawnError() {
      return spawnError
    },
    exited,
    /** Human-readable reason when the process has exited, else undefined. */
    exitReason() {
      if (!exitInfo) return undefined
      if (exitInfo.error) return `${name} could not be started: ${exitInfo.error.message}`
      return `${name} exited (${exitInfo.signal ? `signal ${exitInfo.signal}` : `code ${exitInfo.code}`}); see ${path.relative(ROOT, logFile)}`
    },
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) finish(resolve, true)
        }
        const timer = setTimeout(() => finish(resolve, false), timeoutMs)
        const onExit = () => finish(reject, new Error(proc.exitReason()))
        const finish = (settle, value) => {
          clearTimeout(timer)
          listeners.delete(check)
          exited.then(() => {}, () => {})
          child.off('exit', onExit)
          settle(value)
        }
        listeners.add(check)
        child.once('exit', onExit)
        check()
      })
    },
    /** Signals the whole process group, waits for exit, and SIGKILLs after `graceMs`. */
    async stop({ signal = stopSignal, graceMs = stopGraceMs } = {}) {
      proc.stopping = true
      if (exitInfo || !child.pid) {
        managed.delete(proc)
        return
      }
      signalGroup(child.pid, signal)
      const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)])
      if (timedOut) {
        if (!expectKill) console.warn(`${name} did not exit within ${graceMs / 1000} s of ${signal}; killing it (SIGKILL)`)
        signalGroup(child.pid, 'SIGKILL')
        await Promise.race([exited, sleep(5_000)])
      }
      // Anything else left in the group (a grandchild that ignored the signal) goes too.
      signalGroup(child.pid, 'SIGKILL')
      managed.delete(proc)
      afterExit?.()
    },
  }
  managed.add(proc)
  return proc
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

/** Last resort on an unexpected exit of the launcher itself: kill every group synchronously. */
export function killAllNow() {
  for (const proc of managed) if (proc.child.pid && !proc.exitInfo) signalGroup(proc.child.pid, 'SIGKILL')
}
