/**
 * The real worker (`npx tsx workers/main.ts`) as a child process in its own process
 * group, so a SIGKILL takes tsx's node child with it: for tests that kill a worker
 * mid-work and start another.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

/** `closed`: every process of the group has let go of the output pipes (npx, tsx and node alike). */
export type WorkerChild = { process: ChildProcess; ready: Promise<void>; closed: Promise<void>; output: () => string }

const repoRoot = path.resolve(import.meta.dirname, '../..')
const children = new Set<ChildProcess>()

export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerChild {
  const child = spawn('npx', ['tsx', 'workers/main.ts'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  const closed = new Promise<void>((resolve) => {
    child.on('close', () => {
      children.delete(child)
      resolve()
    })
  })
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (/worker ready/.test(output)) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    void closed.then(() => reject(new Error(`The worker exited before it was ready:\n${output}`)))
  })
  return { process: child, ready, closed, output: () => output }
}

export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

/** Kills every worker still running (afterAll). */
export function killAllWorkers(): void {
  for (const child of children) signalGroup(child, 'SIGKILL')
}
