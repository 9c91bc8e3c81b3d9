/**
 * Replays the recorded histories in tests/fixtures/histories against the current
 * workflow code: a change that would break executions already running (an activity
 * added, removed or reordered, a timer moved, ...) without `patched()` fails here.
 * Replay needs no server, so this runs with the unit tests.
 *
 * Record new histories with `npx tsx scripts/record-workflow-histories.ts` (see the
 * README beside them) — only for a deliberate change whose old executions are gone
 * or patched.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker'
import { beforeAll, describe, expect, it } from 'vitest'
import { historyFromJSON } from '../support/history-json'
import { bundleDamsonWorkflows } from '../../workers/workflow-bundle'

const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url))

const recorded = readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    // Histories carry no workflow id; ours never read it, so the file name stands in.
    workflowId: path.basename(file, '.json'),
    history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
  }))

// The replay worker logs every state change at INFO; only problems matter here.
Runtime.install({ logger: new DefaultLogger('WARN') })

let workflowBundle: WorkflowBundle

beforeAll(async () => {
  // Bundled once for every history (webpack takes a few seconds).
  workflowBundle = await bundleDamsonWorkflows()
}, 60_000)

describe('recorded workflow histories replay against the current workflow code', () => {
  it('covers every long-lived workflow', () => {
    const types = recorded.map(({ history }) => history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name)
    expect(new Set(types)).toEqual(new Set(['ingestVersion', 'reviewVersion', 'rightsWindow', 'distributeAsset', 'signalChannelDistributions']))
  })

  it.each(recorded)('$workflowId', async ({ workflowId, history }) => {
    // Throws DeterminismViolationError (or ReplayError) when the code no longer fits the history.
    await Worker.runReplayHistory({ workflowBundle }, history, workflowId)
  }, 30_000)
})
