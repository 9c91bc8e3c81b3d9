// Small helpers shared by the launcher: paths, printing, timing, commands, ports.
// Plain Node ESM with node: built-ins only — this runs before node_modules exists.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const TOOLS_DIR = path.join(ROOT, '.tools')
export const BIN_DIR = path.join(TOOLS_DIR, 'bin')

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code) => (text) => (color ? `\x1b[${code}m${text}\x1b[0m` : String(text))
export const bold = paint('1')
export const dim = paint('2')
export const red = paint('31')
export const green = paint('32')
export const yellow = paint('33')
export const cyan = paint('36')

export const say = (message) => console.log(`${cyan('▸')} ${message}`)
export const ok = (message) => console.log(`${green('✓')} ${message}`)
export const warn = (message) => console.warn(`${yellow('!')} ${message}`)
export const fail = (message) => console.error(`${red('✗')} ${message}`)

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** An error whose message is already written for the user (no stack trace needed). */
export class StackError extends Error {
  constructor(message) {
    super(message)
    this.name = 'StackError'
  }
}

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true })
  return dir
}

export function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return fallback
  }
}

export function writeJson(file, value, mode = 0o600) {
  ensureDir(path.dirname(file))
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode })
}

export function mtime(file) {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

/** Path of a locally installed npm binary (faster than npx, and one process fewer to stop). */
export function npmBin(name) {
  const local = path.join(ROOT, 'node_modules', '.bin', name)
  return existsSync(local) ? { command: local, prefix: [] } : { command: 'npx', prefix: ['--no-install', name] }
}

/**
 * Runs a command to completion. `inherit` shows its output; otherwise output is captured
 * and returned (and included in the error when it fails).
 */
export function run(command, args, { env = process.env, cwd = ROOT, inherit = true, timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout?.on('data', (chunk) => (output += chunk))
    child.stderr?.on('data', (chunk) => (output += chunk))
    let timer
    if (timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(new StackError(`${command} could not be started: ${error.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else {
        const tail = output.trim().split('\n').slice(-15).join('\n')
        const error = new StackError(
          `\`${[path.basename(command), ...args].join(' ')}\` failed (${signal ? `signal ${signal}` : `exit code ${code}`})${tail ? `:\n${tail}` : ''}`,
        )
        error.exitCode = code ?? 1
        reject(error)
      }
    })
  })
}

/** True when nothing is listening on 127.0.0.1:port (we can bind it ourselves). */
export function portIsFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.once('listening', () => server.close(() => resolve(true)))
    server.listen(port, host)
  })
}

/**
 * Polls `attempt` until it resolves, the deadline passes, or `abortIf` returns a reason
 * (e.g. the process died). Rejects with a StackError built by `describeTimeout(lastError)`.
 */
export async function waitUntil(attempt, { timeoutMs, intervalMs = 250, abortIf, describeTimeout }) {
  const deadline = Date.now() + timeoutMs
  let lastError
  for (;;) {
    const reason = abortIf?.()
    if (reason) throw new StackError(reason)
    try {
      return await attempt()
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) throw new StackError(describeTimeout(lastError))
    await sleep(intervalMs)
  }
}

export function errorText(error) {
  if (!error) return 'no response'
  let message = (error.message || error.name || String(error)).replace(/\s+/g, ' ').trim()
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, bad port, …) is in its cause.
  const cause = error.cause
  if (cause) {
    const detail = cause.code ?? cause.errors?.find((inner) => inner.code)?.code ?? cause.message
    if (detail && !message.includes(detail)) message += `: ${detail}`
  } else if (error.code && !message.includes(error.code)) message += ` (${error.code})`
  return message
}

/** Loads `.env` from the repo root if present, without overriding variables already set. */
export function loadDotEnv() {
  const file = path.join(ROOT, '.env')
  if (!existsSync(file)) return
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)?\s*$/.exec(line)
    if (!match || process.env[match[1]] !== undefined) continue
    let value = (match[2] ?? '').trim()
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1)
    process.env[match[1]] = value
  }
}

/**
 * The AWS SDK warns at load time that its releases after January 2027 need Node 22; the
 * launcher's own S3 probe should not repeat that on every start (the app and worker still do).
 */
export function muteAwsNodeVersionWarning() {
  const emit = process.emitWarning.bind(process)
  process.emitWarning = (warning, ...rest) => {
    const text = `${typeof warning === 'string' ? warning : warning?.message} ${JSON.stringify(rest[0] ?? '')}`
    if (text.includes('NodeVersionSupportWarning')) return
    return emit(warning, ...rest)
  }
}
