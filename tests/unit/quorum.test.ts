import { describe, expect, it } from 'vitest'
import { checkDecisionEligibility, evaluateStage, requiredApprovals, type StageDecision } from '~/domain/quorum'
import type { Quorum } from '~/domain/review-policy'

const approve = (reviewerId: string): StageDecision => ({ reviewerId, decision: 'approve' })
const reject = (reviewerId: string): StageDecision => ({ reviewerId, decision: 'reject' })
const changes = (reviewerId: string): StageDecision => ({ reviewerId, decision: 'request_changes' })
const stage = (quorum: Quorum, reviewerIds = ['ann', 'bob', 'cat']) => ({ quorum, reviewerIds })

describe('requiredApprovals', () => {
  it.each([
    [{ kind: 'all' } as Quorum, 3, 3],
    [{ kind: 'any' } as Quorum, 3, 1],
    [{ kind: 'count', count: 2 } as Quorum, 3, 2],
    [{ kind: 'count', count: 5 } as Quorum, 3, 3],
    [{ kind: 'count', count: 0 } as Quorum, 3, 1],
    [{ kind: 'all' } as Quorum, 0, 0],
    [{ kind: 'any' } as Quorum, 0, 0],
  ])('%o with %i reviewers needs %i', (quorum, count, expected) => {
    expect(requiredApprovals(quorum, count)).toBe(expected)
  })
})

describe('evaluateStage', () => {
  it('is pending with nobody decided, listing every reviewer', () => {
    expect(evaluateStage(stage({ kind: 'all' }), [])).toEqual({
      outcome: 'pending',
      approvals: 0,
      required: 3,
      pendingReviewerIds: ['ann', 'bob', 'cat'],
    })
  })

  it('any: one approval approves, naming who completed it', () => {
    expect(evaluateStage(stage({ kind: 'any' }), [approve('bob')])).toMatchObject({ outcome: 'approved', decidingReviewerId: 'bob' })
  })

  it('all: waits for every reviewer', () => {
    const decisions = [approve('ann'), approve('bob')]
    expect(evaluateStage(stage({ kind: 'all' }), decisions)).toMatchObject({ outcome: 'pending', pendingReviewerIds: ['cat'] })
    expect(evaluateStage(stage({ kind: 'all' }), [...decisions, approve('cat')])).toMatchObject({
      outcome: 'approved',
      decidingReviewerId: 'cat',
    })
  })

  it('count: approves at the Nth approval', () => {
    const quorum: Quorum = { kind: 'count', count: 2 }
    expect(evaluateStage(stage(quorum), [approve('cat')]).outcome).toBe('pending')
    expect(evaluateStage(stage(quorum), [approve('cat'), approve('ann')])).toMatchObject({
      outcome: 'approved',
      approvals: 2,
      required: 2,
      decidingReviewerId: 'ann',
    })
  })

  it('count above the number of reviewers is capped so the stage can finish', () => {
    expect(evaluateStage(stage({ kind: 'count', count: 9 }, ['ann', 'bob']), [approve('ann'), approve('bob')]).outcome).toBe(
      'approved',
    )
  })

  it('one rejection settles the stage whatever the quorum', () => {
    for (const quorum of [{ kind: 'all' }, { kind: 'any' }, { kind: 'count', count: 2 }] as Quorum[]) {
      expect(evaluateStage(stage(quorum), [reject('bob')])).toEqual({ outcome: 'rejected', decidingReviewerId: 'bob' })
    }
  })

  it('a request for changes settles the stage as changes_requested', () => {
    expect(evaluateStage(stage({ kind: 'all' }), [approve('ann'), changes('cat')])).toEqual({
      outcome: 'changes_requested',
      decidingReviewerId: 'cat',
    })
  })

  it('the first negative decision wins', () => {
    expect(evaluateStage(stage({ kind: 'all' }), [changes('cat'), reject('ann')])).toMatchObject({
      outcome: 'changes_requested',
      decidingReviewerId: 'cat',
    })
  })

  it('an approval that already met an any quorum is not undone by a later rejection', () => {
    // The workflow stops taking decisions once a stage settles; this documents the order rule.
    expect(evaluateStage(stage({ kind: 'any' }), [approve('ann'), reject('bob')]).outcome).toBe('rejected')
  })

  it('ignores decisions by people who are not reviewers of the stage', () => {
    expect(evaluateStage(stage({ kind: 'any' }), [approve('mallory'), reject('eve')])).toMatchObject({ outcome: 'pending' })
  })

  it('counts only the first decision of each reviewer', () => {
    expect(evaluateStage(stage({ kind: 'count', count: 2 }), [approve('ann'), approve('ann')]).outcome).toBe('pending')
    expect(evaluateStage(stage({ kind: 'any' }), [approve('ann'), reject('ann')]).outcome).toBe('approved')
  })

  it('a stage without reviewers never settles', () => {
    expect(evaluateStage(stage({ kind: 'all' }, []), [approve('ann')])).toEqual({
      outcome: 'pending',
      approvals: 0,
      required: 0,
      pendingReviewerIds: [],
    })
  })
})

describe('checkDecisionEligibility', () => {
  it('lets a reviewer decide once', () => {
    expect(checkDecisionEligibility(stage({ kind: 'all' }), [], 'ann')).toEqual({ ok: true })
    expect(checkDecisionEligibility(stage({ kind: 'all' }), [approve('ann')], 'ann')).toEqual({
      ok: false,
      reason: 'already_decided',
    })
  })

  it('refuses someone who is not a reviewer of the stage', () => {
    expect(checkDecisionEligibility(stage({ kind: 'any' }), [], 'mallory')).toEqual({ ok: false, reason: 'not_a_reviewer' })
  })
})
