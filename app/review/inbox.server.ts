/**
 * The reviewer's inbox and one version's review page.
 *
 * Who is waited on is derived from the review's policy snapshot (fixed when the
 * review started) and the decisions recorded for the current stage; the due time
 * is that stage's start plus its dueHours. The live state is the workflow's, and
 * submitting a decision goes to it (submitReviewDecision), which validates again.
 */
import { z } from 'zod'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import type { DecisionKind, ReviewPolicySnapshot, ReviewStageSnapshot } from '~/domain/review-policy'
import type { RoleName } from '~/domain/roles'
import { AppError, isAppError } from '~/errors.server'
import { requireVersionAccess } from '~/assets/access.server'
import { renditionUrl } from '~/portal/browse.server'
import { submitReviewDecision } from './decide.server'

// ───────────────────────────── snapshot and stage state (pure)

const QuorumSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('any') }),
  z.object({ kind: z.literal('count'), count: z.number().int().min(1) }),
])

const PolicySnapshotSchema = z.object({
  policyId: z.string().nullable(),
  policyName: z.string(),
  stages: z.array(
    z.object({
      name: z.string(),
      reviewerIds: z.array(z.string()),
      quorum: QuorumSchema,
      dueHours: z.number().min(0),
    }),
  ),
})

/** The stored snapshot, or null when the JSON is not one (never trust stored JSON blindly). */
export function parsePolicySnapshot(json: unknown): ReviewPolicySnapshot | null {
  const parsed = PolicySnapshotSchema.safeParse(json)
  return parsed.success ? parsed.data : null
}

export type DecisionFact = { stageIndex: number; reviewerId: string; createdAt: Date }

export type StageState = {
  index: number
  stageCount: number
  stage: ReviewStageSnapshot
  pendingReviewerIds: string[]
  decidedReviewerIds: string[]
  startedAt: Date
  dueAt: Date
  overdue: boolean
}

/**
 * The current stage of an in-progress review: who has still to decide, and when it
 * is due. A stage starts when the review starts (stage 0) or when the last decision
 * of the stage before it was recorded.
 */
export function currentStageState(
  review: { policySnapshot: unknown; currentStage: number; startedAt: Date; decisions: readonly DecisionFact[] },
  at: Date,
): StageState | null {
  const snapshot = parsePolicySnapshot(review.policySnapshot)
  const stage = snapshot?.stages[review.currentStage]
  if (!snapshot || !stage) return null
  const decidedHere = new Set(
    review.decisions.filter((decision) => decision.stageIndex === review.currentStage).map((decision) => decision.reviewerId),
  )
  const previousStageTimes = review.decisions
    .filter((decision) => decision.stageIndex === review.currentStage - 1)
    .map((decision) => decision.createdAt.getTime())
  const startedAt =
    review.currentStage > 0 && previousStageTimes.length > 0 ? new Date(Math.max(...previousStageTimes)) : review.startedAt
  const dueAt = new Date(startedAt.getTime() + stage.dueHours * 3_600_000)
  return {
    index: review.currentStage,
    stageCount: snapshot.stages.length,
    stage,
    pendingReviewerIds: stage.reviewerIds.filter((id) => !decidedHere.has(id)),
    decidedReviewerIds: stage.reviewerIds.filter((id) => decidedHere.has(id)),
    startedAt,
    dueAt,
    overdue: at.getTime() >= dueAt.getTime(),
  }
}

/** "Due in 5 h", "Overdue by 2 d": computed on the server so the page renders the same everywhere. */
export function describeDue(dueAt: Date, at: Date): string {
  const diff = dueAt.getTime() - at.getTime()
  const span = Math.abs(diff)
  const minutes = Math.round(span / 60_000)
  const hours = Math.round(span / 3_600_000)
  const days = Math.round(span / 86_400_000)
  const amount = span < 3_600_000 ? `${Math.max(1, minutes)} min` : span < 48 * 3_600_000 ? `${hours} h` : `${days} d`
  return diff > 0 ? `Due in ${amount}` : `Overdue by ${amount}`
}

// ───────────────────────────── inbox

export type InboxTab = 'mine' | 'all'
export const InboxTabSchema = z.enum(['mine', 'all']).catch('mine')

export type InboxItem = {
  reviewId: string
  versionId: string
  assetId: string
  assetTitle: string
  assetKind: string
  versionNumber: number
  uploadedBy: string
  uploadedAt: string
  policyName: string
  stageName: string
  stageIndex: number
  stageCount: number
  pendingReviewers: string[]
  dueAt: string
  dueLabel: string
  overdue: boolean
  /** The signed-in user is a pending reviewer of the current stage. */
  awaitingMe: boolean
  thumbnailUrl: string | null
}

export type Inbox = { tab: InboxTab; items: InboxItem[]; counts: { mine: number; all: number }; seesEverything: boolean }

export type InboxUser = { id: string; roles: readonly RoleName[] }

export type ListInboxOptions = { db: Db; user: InboxUser; tab: InboxTab; at?: Date }

/**
 * "Mine": reviews in progress whose current stage waits on the user. "All open":
 * every review in progress for an admin; for other reviewers, those whose policy
 * names them in any stage (what is coming their way, and what they already passed).
 */
export async function listReviewInbox({ db, user, tab, at = new Date() }: ListInboxOptions): Promise<Inbox> {
  const reviews = await db.review.findMany({
    where: { status: 'in_progress' },
    orderBy: { startedAt: 'asc' },
    select: {
      id: true,
      policyName: true,
      policySnapshot: true,
      currentStage: true,
      startedAt: true,
      decisions: { select: { stageIndex: true, reviewerId: true, createdAt: true } },
      version: {
        select: {
          id: true,
          number: true,
          createdAt: true,
          uploadedBy: { select: { name: true } },
          asset: { select: { id: true, title: true, kind: true } },
          renditions: { where: { preset: 'thumbnail' }, select: { id: true } },
        },
      },
    },
  })

  const seesEverything = user.roles.includes('admin')
  type Row = { item: InboxItem; pending: string[]; involved: boolean }
  const rows: Row[] = []
  for (const review of reviews) {
    const state = currentStageState(review, at)
    if (!state) continue
    const snapshot = parsePolicySnapshot(review.policySnapshot)
    const involved = snapshot?.stages.some((stage) => stage.reviewerIds.includes(user.id)) ?? false
    const { version } = review
    rows.push({
      pending: state.pendingReviewerIds,
      involved,
      item: {
        reviewId: review.id,
        versionId: version.id,
        assetId: version.asset.id,
        assetTitle: version.asset.title,
        assetKind: version.asset.kind,
        versionNumber: version.number,
        uploadedBy: version.uploadedBy.name,
        uploadedAt: version.createdAt.toISOString(),
        policyName: review.policyName,
        stageName: state.stage.name,
        stageIndex: state.index,
        stageCount: state.stageCount,
        pendingReviewers: [],
        dueAt: state.dueAt.toISOString(),
        dueLabel: describeDue(state.dueAt, at),
        overdue: state.overdue,
        awaitingMe: state.pendingReviewerIds.includes(user.id),
        thumbnailUrl: version.renditions.length > 0 ? renditionUrl(version.asset.id, version.id, 'thumbnail') : null,
      },
    })
  }

  const mine = rows.filter((row) => row.item.awaitingMe)
  const all = seesEverything ? rows : rows.filter((row) => row.involved)
  const chosen = tab === 'mine' ? mine : all

  const names = await userNames(db, chosen.flatMap((row) => row.pending))
  const items = chosen
    .map((row) => ({ ...row.item, pendingReviewers: row.pending.map((id) => names.get(id) ?? 'Unknown user') }))
    // Most urgent first.
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))

  return { tab, items, counts: { mine: mine.length, all: all.length }, seesEverything }
}

async function userNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return new Map()
  const users = await db.user.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } })
  return new Map(users.map((user) => [user.id, user.name]))
}

// ───────────────────────────── one version's review page

export type ReviewVersionSummary = {
  id: string
  number: number
  status: string
  mediaType: string
  originalFilename: string
  bytes: number
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
  uploadedBy: string
  uploadedAt: string
  previewUrl: string | null
}

export type ReviewStageView = {
  index: number
  name: string
  quorum: string
  dueHours: number
  state: 'done' | 'current' | 'upcoming'
  reviewers: { id: string; name: string; decision: DecisionKind | null }[]
}

export type ReviewDecisionView = {
  id: string
  stageIndex: number
  stageName: string
  reviewer: string
  decision: DecisionKind
  comment: string | null
  createdAt: string
}

export type ReviewCommentView = { id: string; author: string; body: string; createdAt: string }

export type Eligibility = { canDecide: true } | { canDecide: false; reason: string }

export type ReviewDetail = {
  asset: { id: string; title: string; description: string; kind: string; tags: string[]; folderPath: string }
  version: ReviewVersionSummary
  /** The asset's current approved version, when there is one other than this. */
  current: ReviewVersionSummary | null
  review: {
    id: string
    status: string
    policyName: string
    outcomeReason: string | null
    startedAt: string
    endedAt: string | null
    stage: { index: number; count: number; name: string; dueAt: string; dueLabel: string; overdue: boolean } | null
    stages: ReviewStageView[]
    decisions: ReviewDecisionView[]
  } | null
  comments: ReviewCommentView[]
  eligibility: Eligibility
}

const versionSummarySelect = {
  id: true,
  number: true,
  status: true,
  mediaType: true,
  originalFilename: true,
  bytes: true,
  width: true,
  height: true,
  durationMs: true,
  pages: true,
  createdAt: true,
  uploadedBy: { select: { name: true } },
  renditions: { where: { preset: 'preview' }, select: { id: true } },
} as const

type VersionSummaryRow = {
  id: string
  number: number
  status: string
  mediaType: string
  originalFilename: string
  bytes: bigint
  width: number | null
  height: number | null
  durationMs: number | null
  pages: number | null
  createdAt: Date
  uploadedBy: { name: string }
  renditions: { id: string }[]
}

function toVersionSummary(assetId: string, row: VersionSummaryRow): ReviewVersionSummary {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    mediaType: row.mediaType,
    originalFilename: row.originalFilename,
    bytes: Number(row.bytes),
    width: row.width,
    height: row.height,
    durationMs: row.durationMs,
    pages: row.pages,
    uploadedBy: row.uploadedBy.name,
    uploadedAt: row.createdAt.toISOString(),
    previewUrl: row.renditions.length > 0 ? renditionUrl(assetId, row.id, 'preview') : null,
  }
}

function describeQuorum(stage: ReviewStageSnapshot): string {
  switch (stage.quorum.kind) {
    case 'all':
      return stage.reviewerIds.length > 1 ? `All ${stage.reviewerIds.length} reviewers` : 'The reviewer'
    case 'any':
      return 'Any one reviewer'
    case 'count':
      return `${stage.quorum.count} of ${stage.reviewerIds.length} reviewers`
  }
}

export type ReviewDetailOptions = { db: Db; viewer: Viewer; versionId: string; at?: Date }

/** Everything the review page shows. NOT_FOUND when the version is unknown or not visible. */
export async function getReviewDetail({ db, viewer, versionId, at = new Date() }: ReviewDetailOptions): Promise<ReviewDetail> {
  const located = await db.assetVersion.findUnique({ where: { id: versionId }, select: { assetId: true } })
  if (!located) throw new AppError('NOT_FOUND', 'Version not found')
  await requireVersionAccess(db, viewer, located.assetId, versionId, at)

  const version = await db.assetVersion.findUniqueOrThrow({
    where: { id: versionId },
    select: {
      ...versionSummarySelect,
      asset: {
        select: {
          id: true,
          title: true,
          description: true,
          kind: true,
          tags: true,
          folderPath: true,
          currentVersionId: true,
        },
      },
    },
  })
  const { asset } = version

  const current =
    asset.currentVersionId && asset.currentVersionId !== version.id
      ? await db.assetVersion.findFirst({ where: { id: asset.currentVersionId, assetId: asset.id }, select: versionSummarySelect })
      : null

  const review = await db.review.findFirst({
    where: { versionId },
    orderBy: { startedAt: 'desc' },
    select: {
      id: true,
      status: true,
      policyName: true,
      policySnapshot: true,
      currentStage: true,
      outcomeReason: true,
      startedAt: true,
      endedAt: true,
      decisions: {
        orderBy: { createdAt: 'asc' },
        select: {
          id: true,
          stageIndex: true,
          reviewerId: true,
          decision: true,
          comment: true,
          createdAt: true,
          reviewer: { select: { name: true } },
        },
      },
    },
  })

  const comments = await db.comment.findMany({
    where: { versionId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, body: true, createdAt: true, author: { select: { name: true } } },
  })

  let reviewView: ReviewDetail['review'] = null
  let eligibility: Eligibility = { canDecide: false, reason: 'This version has no review.' }
  if (review) {
    const snapshot = parsePolicySnapshot(review.policySnapshot)
    const inProgress = review.status === 'in_progress'
    const state = inProgress ? currentStageState(review, at) : null
    const names = await userNames(db, snapshot?.stages.flatMap((stage) => stage.reviewerIds) ?? [])
    const stages: ReviewStageView[] = (snapshot?.stages ?? []).map((stage, index) => ({
      index,
      name: stage.name,
      quorum: describeQuorum(stage),
      dueHours: stage.dueHours,
      state: !inProgress || index < review.currentStage ? 'done' : index === review.currentStage ? 'current' : 'upcoming',
      reviewers: stage.reviewerIds.map((id) => ({
        id,
        name: names.get(id) ?? 'Unknown user',
        decision: review.decisions.find((decision) => decision.stageIndex === index && decision.reviewerId === id)?.decision ?? null,
      })),
    }))
    reviewView = {
      id: review.id,
      status: review.status,
      policyName: review.policyName,
      outcomeReason: review.outcomeReason,
      startedAt: review.startedAt.toISOString(),
      endedAt: review.endedAt?.toISOString() ?? null,
      stage: state
        ? {
            index: state.index,
            count: state.stageCount,
            name: state.stage.name,
            dueAt: state.dueAt.toISOString(),
            dueLabel: describeDue(state.dueAt, at),
            overdue: state.overdue,
          }
        : null,
      stages,
      decisions: review.decisions.map((decision) => ({
        id: decision.id,
        stageIndex: decision.stageIndex,
        stageName: snapshot?.stages[decision.stageIndex]?.name ?? `Stage ${decision.stageIndex + 1}`,
        reviewer: decision.reviewer.name,
        decision: decision.decision,
        comment: decision.comment,
        createdAt: decision.createdAt.toISOString(),
      })),
    }
    eligibility = !inProgress
      ? { canDecide: false, reason: 'This review has ended.' }
      : !state
        ? { canDecide: false, reason: 'This review’s policy could not be read.' }
        : state.decidedReviewerIds.includes(viewer.userId)
          ? { canDecide: false, reason: `You have already decided at the “${state.stage.name}” stage.` }
          : state.pendingReviewerIds.includes(viewer.userId)
            ? { canDecide: true }
            : { canDecide: false, reason: `You are not a reviewer of the “${state.stage.name}” stage.` }
  }

  return {
    asset: {
      id: asset.id,
      title: asset.title,
      description: asset.description,
      kind: asset.kind,
      tags: asset.tags,
      folderPath: asset.folderPath,
    },
    version: toVersionSummary(asset.id, version),
    current: current ? toVersionSummary(asset.id, current) : null,
    review: reviewView,
    comments: comments.map((comment) => ({
      id: comment.id,
      author: comment.author.name,
      body: comment.body,
      createdAt: comment.createdAt.toISOString(),
    })),
    eligibility,
  }
}

// ───────────────────────────── deciding

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const satisfies readonly DecisionKind[]

export const DecisionFormSchema = z
  .object({
    decision: z.enum(DECISIONS, { error: 'Choose approve, reject or request changes.' }),
    comment: z
      .string()
      .trim()
      .max(4000, 'Keep the comment under 4,000 characters.')
      .optional()
      .transform((value) => (value ? value : undefined)),
  })
  .superRefine((value, context) => {
    if (value.decision !== 'approve' && !value.comment) {
      context.addIssue({
        code: 'custom',
        path: ['comment'],
        message: value.decision === 'reject' ? 'Say why you reject this version.' : 'Say what needs to change.',
      })
    }
  })
export type DecisionForm = z.infer<typeof DecisionFormSchema>

export type DecisionOutcome =
  | { ok: true; decision: DecisionKind }
  | {
      ok: false
      status: number
      formError: string | null
      fieldErrors: Partial<Record<'decision' | 'comment', string>>
      values: { decision: string; comment: string }
    }

export type DecideOptions = {
  db: Db
  viewer: Viewer
  versionId: string
  formData: FormData
  /** For tests: the workflow update (defaults to the Temporal one). */
  submit?: typeof submitReviewDecision
}

/**
 * Validates the form, checks the version is visible, and submits the decision to
 * the review workflow. The workflow's validator refusals (not eligible, already
 * decided, review over) come back as a form error, not an exception.
 */
export async function decideFromForm({ db, viewer, versionId, formData, submit = submitReviewDecision }: DecideOptions): Promise<DecisionOutcome> {
  const values = {
    decision: typeof formData.get('decision') === 'string' ? String(formData.get('decision')) : '',
    comment: typeof formData.get('comment') === 'string' ? String(formData.get('comment')) : '',
  }
  const parsed = DecisionFormSchema.safeParse(values)
  if (!parsed.success) {
    const fieldErrors: Partial<Record<'decision' | 'comment', string>> = {}
    for (const issue of parsed.error.issues) {
      const field = issue.path[0]
      if ((field === 'decision' || field === 'comment') && !fieldErrors[field]) fieldErrors[field] = issue.message
    }
    return { ok: false, status: 400, formError: null, fieldErrors, values }
  }

  const located = await db.assetVersion.findUnique({ where: { id: versionId }, select: { assetId: true } })
  if (!located) throw new AppError('NOT_FOUND', 'Version not found')
  await requireVersionAccess(db, viewer, located.assetId, versionId)

  try {
    await submit({ versionId, reviewerId: viewer.userId, decision: parsed.data.decision, comment: parsed.data.comment })
  } catch (error) {
    if (isAppError(error) && (error.code === 'FORBIDDEN' || error.code === 'CONFLICT' || error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST')) {
      return { ok: false, status: error.status, formError: error.message, fieldErrors: {}, values }
    }
    throw error
  }
  return { ok: true, decision: parsed.data.decision }
}

/** The banner after a decision: `?decided=<kind>&version=<id>` names the asset by looking it up (never echoes text). */
export async function decisionNotice(db: Db, viewer: Viewer, url: URL): Promise<string | null> {
  const decided = z.enum(DECISIONS).safeParse(url.searchParams.get('decided'))
  const versionId = url.searchParams.get('version')
  if (!decided.success || !versionId) return null
  const version = await db.assetVersion.findUnique({
    where: { id: versionId },
    select: { number: true, assetId: true, asset: { select: { title: true } } },
  })
  if (!version) return null
  try {
    await requireVersionAccess(db, viewer, version.assetId, versionId)
  } catch {
    return null
  }
  const what = { approve: 'Approval', reject: 'Rejection', request_changes: 'Change request' }[decided.data]
  return `${what} recorded for “${version.asset.title}” v${version.number}.`
}
