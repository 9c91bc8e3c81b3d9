/**
 * `npx tsx scripts/db/generate.ts [extra prisma generate args]`
 *
 * Runs Prisma 7's `prisma generate` (schema prisma/schema.prisma, client written to
 * app/generated/prisma) so that it also works on machines that cannot download Prisma's
 * Rust schema engine. `prisma generate` never runs that engine, but the CLI insists on
 * downloading it first unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file. So,
 * only when the user has not set the variable AND no real engine is installed, we point
 * it at a placeholder. Machines that downloaded the engines are unaffected.
 *
 * See docs/decisions/001-offline-prisma-migrations.md.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const require = createRequire(path.join(ROOT, 'package.json'))

/** Directory of an installed Prisma CLI package: `prisma` (7.x) or `prisma6` (the 6.19 alias). */
export function prismaPackageDir(name: 'prisma' | 'prisma6'): string {
  return path.dirname(require.resolve(`${name}/package.json`))
}

/** Where a Prisma CLI looks for downloaded engines (see getEnginesPath / resolveBinary in its build). */
function engineDirs(cliDir: string): string[] {
  const dirs = [cliDir, path.dirname(cliDir), path.join(cliDir, 'runtime')]
  try {
    const cliRequire = createRequire(path.join(cliDir, 'package.json'))
    dirs.unshift(path.dirname(cliRequire.resolve('@prisma/engines/package.json')))
  } catch {
    // no separate @prisma/engines package: only the CLI's own directories count
  }
  return dirs
}

function hasFile(dirs: string[], test: (name: string) => boolean): boolean {
  return dirs.some((dir) => existsSync(dir) && readdirSync(dir).some(test))
}

/** A file that stands in for an engine that is never run. If something does run it, it says why. */
function placeholderEngine(): string {
  const dir = path.join(ROOT, '.cache', 'prisma-offline')
  const file = path.join(dir, 'engine-placeholder')
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      file,
      '#!/bin/sh\necho "This is not a Prisma engine: scripts/db/*.ts point Prisma at it so that it does not try to ' +
        'download engines it does not run (docs/decisions/001-offline-prisma-migrations.md)." >&2\nexit 1\n',
    )
    chmodSync(file, 0o755)
  }
  return file
}

/**
 * Environment for running a Prisma CLI offline: adds placeholder engine paths only where the
 * user set none and the CLI has no real engine of that kind installed. Returns the env and
 * the names of the variables it set.
 */
export function offlineEngineEnv(cliDir: string, base: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; placeholders: string[] } {
  const env: NodeJS.ProcessEnv = { ...base }
  const placeholders: string[] = []
  const dirs = engineDirs(cliDir)
  const wanted: Array<[string, (name: string) => boolean]> = [
    ['PRISMA_SCHEMA_ENGINE_BINARY', (name) => name.startsWith('schema-engine-')],
    ['PRISMA_QUERY_ENGINE_LIBRARY', (name) => /^(lib)?query[-_]engine.*\.node$/.test(name)],
  ]
  for (const [variable, isEngine] of wanted) {
    if (env[variable] || hasFile(dirs, isEngine)) continue
    env[variable] = placeholderEngine()
    placeholders.push(variable)
  }
  // No update check or telemetry ping: its host is unreachable offline (it only costs time).
  env.CHECKPOINT_DISABLE ??= '1'
  env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1'
  return { env, placeholders }
}

function main(): void {
  const cliDir = prismaPackageDir('prisma')
  const { env, placeholders } = offlineEngineEnv(cliDir)
  if (placeholders.length > 0) {
    console.log(`db:generate: ${placeholders.join(' and ')} unset and no engine installed: using a placeholder (generate runs no engine).`)
  }
  const started = Date.now()
  const result = spawnSync(
    process.execPath,
    [path.join(cliDir, 'build', 'index.js'), 'generate', '--config', path.join(ROOT, 'prisma.config.ts'), ...process.argv.slice(2)],
    { cwd: ROOT, env, stdio: 'inherit' },
  )
  if (result.error) throw result.error
  if (result.status !== 0) {
    console.error(`db:generate: prisma generate failed (exit ${result.status ?? result.signal}).`)
    process.exit(result.status ?? 1)
  }
  console.log(`db:generate: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) main()
