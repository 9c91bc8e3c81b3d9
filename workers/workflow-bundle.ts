/**
 * The prebuilt workflow bundle: where it lives, what it was built from, and whether it
 * still matches the sources. `scripts/build-workflows.ts` writes it; `workers/main.ts`
 * loads it when it is current and bundles in-process (webpack, seconds and ~300 MiB)
 * when it is missing or stale.
 *
 * The bundle's freshness is a content hash, not a modification time: every file under
 * workflows/ and app/domain/ (the only project code workflows may import), package-lock.json
 * (the Temporal SDK and anything else bundled from node_modules) and this file (the
 * bundler options).
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const WORKFLOWS_PATH = path.join(ROOT, 'workflows', 'index.ts')
export const WORKFLOW_BUNDLE_DIR = path.join(ROOT, 'build', 'workflows')
export const WORKFLOW_BUNDLE_PATH = path.join(WORKFLOW_BUNDLE_DIR, 'bundle.js')
export const WORKFLOW_MANIFEST_PATH = path.join(WORKFLOW_BUNDLE_DIR, 'manifest.json')

/** What the bundle is built from, relative to the repository root. */
export const WORKFLOW_SOURCE_DIRS = ['workflows', 'app/domain'] as const
export const WORKFLOW_SOURCE_FILES = ['package-lock.json', 'workers/workflow-bundle.ts'] as const

export type WorkflowBundleManifest = {
  /** hashWorkflowSources() when the bundle was built. */
  sourceHash: string
  /** sha256 of bundle.js, so a half-written or hand-edited bundle is not loaded. */
  bundleSha256: string
  bundleBytes: number
  /** The source files hashed (repository-relative), for the curious. */
  files: string[]
  builtAt: string
  buildMs: number
}

/** Bundles the workflow code with webpack (what Worker.create would do at every start). */
export function bundleDamsonWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger })
}

/** Repository-relative paths of every file the bundle is built from, sorted. */
export function workflowSourceFiles(root = ROOT): string[] {
  const files: string[] = []
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name)
      if (entry.isDirectory()) walk(child)
      else if (entry.isFile()) files.push(child)
    }
  }
  for (const dir of WORKFLOW_SOURCE_DIRS) if (existsSync(path.join(root, dir))) walk(dir)
  for (const file of WORKFLOW_SOURCE_FILES) if (existsSync(path.join(root, file))) files.push(file)
  return files.sort()
}

/** sha256 over the path and content of each workflow source file (a few milliseconds). */
export function hashWorkflowSources(root = ROOT): { hash: string; files: string[] } {
  const files = workflowSourceFiles(root)
  const hash = createHash('sha256')
  for (const file of files) {
    const content = readFileSync(path.join(root, file))
    // Length-prefixed, so no two different file sets can produce the same byte stream.
    hash.update(`${file}\0${content.length}\0`)
    hash.update(content)
  }
  return { hash: hash.digest('hex'), files }
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}

export type PrebuiltBundleCheck =
  | { status: 'current'; codePath: string; manifest: WorkflowBundleManifest }
  | { status: 'missing' | 'stale' | 'invalid'; reason: string }

/** Whether build/workflows/bundle.js exists and was built from the current sources. */
export function checkPrebuiltWorkflowBundle(): PrebuiltBundleCheck {
  const relative = path.relative(process.cwd(), WORKFLOW_BUNDLE_PATH)
  if (!existsSync(WORKFLOW_BUNDLE_PATH)) {
    return { status: 'missing', reason: `${relative} does not exist (build it with \`npx tsx scripts/build-workflows.ts\`)` }
  }
  let manifest: WorkflowBundleManifest
  try {
    manifest = JSON.parse(readFileSync(WORKFLOW_MANIFEST_PATH, 'utf8')) as WorkflowBundleManifest
  } catch (error) {
    return { status: 'invalid', reason: `its manifest could not be read (${error instanceof Error ? error.message : String(error)})` }
  }
  const { hash } = hashWorkflowSources()
  if (manifest.sourceHash !== hash) {
    return { status: 'stale', reason: `workflow sources changed since it was built at ${manifest.builtAt}` }
  }
  if (manifest.bundleSha256 !== sha256(readFileSync(WORKFLOW_BUNDLE_PATH))) {
    return { status: 'invalid', reason: `${relative} does not match the checksum in its manifest` }
  }
  return { status: 'current', codePath: WORKFLOW_BUNDLE_PATH, manifest }
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
}
