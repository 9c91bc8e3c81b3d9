/**
 * Prebuilds the workflow bundle the worker loads at start, so production workers skip
 * webpack (seconds, and a few hundred MiB of resident memory) at every start.
 *
 *   npx tsx scripts/build-workflows.ts
 *
 * Writes build/workflows/bundle.js (its source map is inline) and manifest.json, which
 * records the hash of the sources it was built from (workers/workflow-bundle.ts); the
 * worker loads the bundle only while that hash matches. `npm start`, the Dockerfile and
 * the e2e setup run this after the web build.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  ROOT,
  WORKFLOW_BUNDLE_DIR,
  WORKFLOW_BUNDLE_PATH,
  WORKFLOW_MANIFEST_PATH,
  WORKFLOW_SOURCE_DIRS,
  bundleDamsonWorkflows,
  hashWorkflowSources,
  sha256,
  type WorkflowBundleManifest,
} from '../workers/workflow-bundle'

/** Writes through a temporary file, so a worker never reads a half-written one. */
function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, content)
  renameSync(temporary, file)
}

/**
 * Project files webpack put in the bundle (from its inline source map). Each must lie under
 * a hashed directory, or an edit to it would not mark the bundle stale.
 */
function unhashedProjectSources(code: string): string[] {
  const match = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(code)
  if (!match?.[1]) throw new Error('the workflow bundle has no inline source map to check its sources against')
  const { sources } = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')) as { sources: string[] }
  return sources
    .filter((source) => path.isAbsolute(source) && source.startsWith(ROOT + path.sep))
    .map((source) => path.relative(ROOT, source).split(path.sep).join('/'))
    .filter((relative) => !relative.startsWith('node_modules/'))
    .filter((relative) => !WORKFLOW_SOURCE_DIRS.some((dir) => relative.startsWith(`${dir}/`)))
}

async function main(): Promise<void> {
  const started = Date.now()
  const { hash, files } = hashWorkflowSources()
  const bundle = await bundleDamsonWorkflows()

  const unhashed = unhashedProjectSources(bundle.code)
  if (unhashed.length > 0) {
    throw new Error(
      `workflows import project files outside ${WORKFLOW_SOURCE_DIRS.join(' and ')}: ${unhashed.join(', ')}.\n` +
        'Workflows may import only workflows/ and the pure modules in app/domain/; if a new pure directory is ' +
        'intended, add it to WORKFLOW_SOURCE_DIRS in workers/workflow-bundle.ts so edits to it rebuild the bundle.',
    )
  }
  // Sources edited while webpack ran would make the manifest lie; the next build catches up.
  if (hashWorkflowSources().hash !== hash) throw new Error('workflow sources changed during the build; run it again')

  mkdirSync(WORKFLOW_BUNDLE_DIR, { recursive: true })
  // The manifest goes first (removed) and last (written): a bundle without one is never loaded.
  rmSync(WORKFLOW_MANIFEST_PATH, { force: true })
  writeAtomically(WORKFLOW_BUNDLE_PATH, bundle.code)
  // SDK 1.24 inlines the source map and returns a placeholder here; write a real one if a later SDK returns it.
  const mapPath = `${WORKFLOW_BUNDLE_PATH}.map`
  const written = [WORKFLOW_BUNDLE_PATH]
  if ('sourceMap' in bundle && typeof bundle.sourceMap === 'string' && bundle.sourceMap.trimStart().startsWith('{')) {
    writeAtomically(mapPath, bundle.sourceMap)
    written.push(mapPath)
  } else rmSync(mapPath, { force: true })

  const manifest: WorkflowBundleManifest = {
    sourceHash: hash,
    bundleSha256: sha256(bundle.code),
    bundleBytes: Buffer.byteLength(bundle.code),
    files,
    builtAt: new Date().toISOString(),
    buildMs: Date.now() - started,
  }
  writeAtomically(WORKFLOW_MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`)
  written.push(WORKFLOW_MANIFEST_PATH)

  const relative = (file: string) => path.relative(process.cwd(), file)
  console.log(
    `Workflow bundle built in ${(manifest.buildMs / 1000).toFixed(1)} s: ${written.map(relative).join(', ')} ` +
      `(${(manifest.bundleBytes / 1024 / 1024).toFixed(1)} MiB; ${files.length} source files, hash ${hash.slice(0, 12)})`,
  )
}

main().catch((error: unknown) => {
  console.error(`Workflow bundle build failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
