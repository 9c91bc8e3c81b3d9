/**
 * The reviewer's inbox and one version's review page.
 *
 * The inbox is derived from the database: who is waited on comes from the review's
 * policy snapshot (fixed when the review started) and the decisions recorded for
 * the current stage; the due time is that stage's start plus its dueHours. The
 * review page shows the workflow's live state (its query, read with a short
 * deadline) and falls back to the same derivation, saying so, when Temporal does
 * not answer. Decisions go to the workflow (submitReviewDecision), which validates
 * again.
 */
import { z } from 'zod'
import type { Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { readCommentRegion, type CommentRegion } from '~/domain/comment-region'
import type { DecisionKind, ReviewStageSnapshot } from '~/domain/review-policy'
import { hasPermission, type RoleName } from '~/domain/roles'
import { AppError, isAppError } from '~/errors.server'
import { requireVersionAccess } from '~/assets/access.server'
import { renditionUrl } from '~/portal/browse.server'
import { getStorage, type Storage } from '~/storage.server'
import { submitReviewDecision } from './decide.server'
import type { CurrentStageView } from './review-views'
import { parsePolicySnapshot } from './policy-snapshot'
import { readLiveReviewState, type LiveReviewState, type LiveState, type ReadLiveReviewState } from './review-state.server'
import { diffComparablePreviews, findComparablePreviews } from './version-diff.server'

// ───────────────────────────── snapshot and stage state (pure)

export { parsePolicySnapshot } from './policy-snapshot'

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

export const INBOX_TABS = ['mine', 'due-soon', 'overdue', 'all'] as const
export type InboxTab = (typeof INBOX_TABS)[number]
export const InboxTabSchema = z.enum(INBOX_TABS).catch('mine')

/** "Due soon": the current stage is due within this many hours and not overdue yet. */
export const DUE_SOON_HOURS = 24

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
  dueSoon: boolean
  /** The signed-in user is a pending reviewer of the current stage. */
  awaitingMe: boolean
  thumbnailUrl: string | null
}

export type Inbox = {
  tab: InboxTab
  items: InboxItem[]
  counts: Record<InboxTab, number>
  /** Whether "All in review" holds every review in progress (reviewers and admins) or only the user's. */
  seesEverything: boolean
}

export type InboxUser = { id: string; roles: readonly RoleName[] }

export type ListInboxOptions = { db: Db; user: InboxUser; tab: InboxTab; at?: Date }

/**
 * The tabs, each a filter over the reviews in progress the user sees (all of them
 * for anyone whose role grants version:review): "Mine" waits on the user in its
 * current stage; "Due soon" is due within DUE_SOON_HOURS; "Overdue" is past due;
 * "All in review" is everything. Most urgent first in every tab.
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

  const seesEverything = hasPermission(user.roles, 'version:review')
  type Row = { item: InboxItem; pending: string[]; involved: boolean }
  const rows: Row[] = []
  for (const review of reviews) {
    const state = currentStageState(review, at)
    if (!state) continue
    const snapshot = parsePolicySnapshot(review.policySnapshot)
    const involved = snapshot?.stages.some((stage) => stage.reviewerIds.includes(user.id)) ?? false
    const { version } = review
    const untilDue = state.dueAt.getTime() - at.getTime()
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
        dueSoon: !state.overdue && untilDue <= DUE_SOON_HOURS * 3_600_000,
        awaitingMe: state.pendingReviewerIds.includes(user.id),
        thumbnailUrl: version.renditions.length > 0 ? renditionUrl(version.asset.id, version.id, 'thumbnail') : null,
      },
    })
  }

  const visible = seesEverything ? rows : rows.filter((row) => row.involved)
  const byTab: Record<InboxTab, Row[]> = {
    mine: visible.filter((row) => row.item.awaitingMe),
    'due-soon': visible.filter((row) => row.item.dueSoon),
    overdue: visible.filter((row) => row.item.overdue),
    all: visible,
  }
  const chosen = byTab[tab]

  const names = await userNames(db, chosen.flatMap((row) => row.pending))
  const items = chosen
    .map((row) => ({ ...row.item, pendingReviewers: row.pending.map((id) => names.get(id) ?? 'Unknown user') }))
    // Most urgent first; equal due times keep the oldest review first.
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))

  return {
    tab,
    items,
    counts: { mine: byTab.mine.length, 'due-soon': byTab['due-soon'].length, overdue: byTab.overdue.length, all: byTab.all.length },
    seesEverything,
  }
}

async function userNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return new Map()
  const users = await db.user.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } })
  return new Map(users.map((user) => [user.id, user.name]))
}

// ───────────────────────────── one version's review page

export type MetadataFact = { label: string; value: string }

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
  /** The preview's own size (the image the page shows and regions are drawn on). */
  previewWidth: number | null
  previewHeight: number | null
  /** A few lines from the extracted technical metadata. */
  metadata: MetadataFact[]
}

export type VersionHistoryEntry = {
  id: string
  number: number
  status: string
  uploadedBy: string
  uploadedAt: string
  promotedAt: string | null
  /** The asset's current approved version. */
  isCurrent: boolean
  /** The version this page reviews. */
  isThis: boolean
}

export type StageReviewerView = {
  id: string
  name: string
  decision: DecisionKind | null
  comment: string | null
  decidedAt: string | null
}

export type ReviewStageView = {
  index: number
  name: string
  quorum: string
  dueHours: number
  /** skipped: the review ended (rejected, changes requested, withdrawn) before reaching it. */
  state: 'done' | 'current' | 'upcoming' | 'skipped'
  reviewers: StageReviewerView[]
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

export type { CurrentStageView } from './review-views'

export type ReviewProgressView = {
  id: string
  /** in_progress, approved, rejected, changes_requested, cancelled (withdrawn, in the workflow's words). */
  status: string
  policyName: string
  outcomeReason: string | null
  startedAt: string
  endedAt: string | null
  /** Where the state comes from: the running workflow, or the rows it wrote. */
  source: 'workflow' | 'database'
  /** Shown above the state when the workflow could not be asked. */
  liveNote: string | null
  stage: CurrentStageView | null
  stages: ReviewStageView[]
  decisions: ReviewDecisionView[]
}

export type ReviewCommentView = {
  id: string
  /** 1-based, in the order comments were made: the pin on the image shows the same number. */
  number: number
  author: string
  body: string
  createdAt: string
  region: CommentRegion | null
}

export type Eligibility = { canDecide: true } | { canDecide: false; reason: string }
export type CommentPermission = { allowed: true } | { allowed: false; reason: string }

export const REVIEW_VIEWS = ['single', 'side-by-side', 'diff'] as const
export type ReviewView = (typeof REVIEW_VIEWS)[number]
export const ReviewViewSchema = z.enum(REVIEW_VIEWS).catch('single')

export type Comparison = {
  /** What the page shows: the requested view, or 'single' when it is not possible. */
  view: ReviewView
  /** There is an approved version other than this one. */
  canCompare: boolean
  /** Both are images with previews, so a pixel diff can be made. */
  canDiff: boolean
  diffUrl: string | null
  /** Share of pixels that changed (0–1), in the diff view. */
  changedFraction: number | null
  diffError: string | null
}

export type ReviewDetail = {
  asset: { id: string; title: string; description: string; kind: string; tags: string[]; folderPath: string }
  version: ReviewVersionSummary
  /** The asset's current approved version, when there is one other than this. */
  current: ReviewVersionSummary | null
  history: VersionHistoryEntry[]
  comparison: Comparison
  review: ReviewProgressView | null
  comments: ReviewCommentView[]
  eligibility: Eligibility
  commenting: CommentPermission
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
  metadata: true,
  createdAt: true,
  uploadedBy: { select: { name: true } },
  renditions: { where: { preset: 'preview' }, select: { id: true, width: true, height: true } },
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
  metadata: unknown
  createdAt: Date
  uploadedBy: { name: string }
  renditions: { id: string; width: number | null; height: number | null }[]
}

function toVersionSummary(assetId: string, row: VersionSummaryRow): ReviewVersionSummary {
  const preview = row.renditions[0]
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
    previewUrl: preview ? renditionUrl(assetId, row.id, 'preview') : null,
    previewWidth: preview?.width ?? null,
    previewHeight: preview?.height ?? null,
    metadata: summariseMetadata(row.metadata),
  }
}

const DEPTH_LABELS: Record<string, string> = { uchar: '8-bit', char: '8-bit', ushort: '16-bit', short: '16-bit', uint: '32-bit', float: '32-bit float' }
const EMBEDDED: readonly (readonly [string, string])[] = [
  ['hasExif', 'EXIF'],
  ['hasIptc', 'IPTC'],
  ['hasXmp', 'XMP'],
  ['hasIcc', 'ICC profile'],
]
/** Keys shown elsewhere on the page, or only meaningful together with others. */
const SUMMARISED_KEYS = new Set(['width', 'height', 'format', 'space', 'channels', 'depth', 'density', 'hasAlpha', 'isProgressive', 'orientation', 'pages', ...EMBEDDED.map(([key]) => key)])
/** How many other scalar fields (from richer extractors) the summary lists at most. */
const OTHER_FACTS_LIMIT = 6

/** The extracted metadata, as a few human lines (unknown shapes are skipped, never trusted). */
export function summariseMetadata(json: unknown): MetadataFact[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return []
  const meta = json as Record<string, unknown>
  const facts: MetadataFact[] = []
  const text = (key: string) => (typeof meta[key] === 'string' ? (meta[key] as string) : null)
  const num = (key: string) => (typeof meta[key] === 'number' && Number.isFinite(meta[key]) ? (meta[key] as number) : null)
  const flag = (key: string) => (typeof meta[key] === 'boolean' ? (meta[key] as boolean) : null)

  const format = text('format')
  if (format) facts.push({ label: 'Format', value: format.toUpperCase() })
  const space = text('space')
  const channels = num('channels')
  const depth = text('depth')
  const colour = [space ? space.toUpperCase().replace('SRGB', 'sRGB').replace('B-W', 'Greyscale') : null, channels ? `${channels} channels` : null, depth ? (DEPTH_LABELS[depth] ?? depth) : null]
    .filter(Boolean)
    .join(', ')
  if (colour) facts.push({ label: 'Colour', value: colour })
  const density = num('density')
  if (density) facts.push({ label: 'Density', value: `${Math.round(density)} dpi` })
  const alpha = flag('hasAlpha')
  if (alpha !== null) facts.push({ label: 'Transparency', value: alpha ? 'Yes' : 'No' })
  const progressive = flag('isProgressive')
  if (progressive) facts.push({ label: 'Encoding', value: 'Progressive' })
  const orientation = num('orientation')
  if (orientation && orientation !== 1) facts.push({ label: 'EXIF orientation', value: String(orientation) })
  const pages = num('pages')
  if (pages && pages > 1) facts.push({ label: 'Frames', value: String(pages) })
  if (EMBEDDED.some(([key]) => flag(key) !== null)) {
    const present = EMBEDDED.filter(([key]) => flag(key)).map(([, label]) => label)
    facts.push({ label: 'Embedded', value: present.length > 0 ? present.join(', ') : 'None' })
  }

  let others = 0
  for (const [key, value] of Object.entries(meta)) {
    if (others >= OTHER_FACTS_LIMIT || SUMMARISED_KEYS.has(key)) continue
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const shown = String(value)
      if (shown.length === 0 || shown.length > 120) continue
      facts.push({ label: key, value: shown })
      others += 1
    }
  }
  return facts
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

const LIVE_NOTES: Record<Exclude<LiveReviewState, { ok: true }>['reason'], string> = {
  unreachable:
    'The workflow service did not answer, so this is the state last recorded in the database. Reminder times may be missing, and decisions cannot be recorded until it is back.',
  not_found: 'The review workflow could not be found, so this is the state recorded in the database.',
  failed: 'The review workflow’s state could not be read, so this is the state recorded in the database.',
}

export type ReviewDetailOptions = {
  db: Db
  viewer: Viewer
  versionId: string
  /** The comparison the page asked for (`?view=`). */
  view?: ReviewView
  at?: Date
  /** The workflow's live state; the Temporal query by default. */
  readLiveState?: ReadLiveReviewState
  /** Where previews are read for the diff; the process-wide bucket by default. */
  storage?: Storage
}

type StoredDecision = {
  id: string
  stageIndex: number
  reviewerId: string
  decision: DecisionKind
  comment: string | null
  createdAt: Date
}

/**
 * Everything the review page shows. NOT_FOUND when the version is unknown or not
 * visible. Never fails because Temporal or the diff failed: both degrade to a note.
 */
export async function getReviewDetail({
  db,
  viewer,
  versionId,
  view = 'single',
  at = new Date(),
  readLiveState = readLiveReviewState,
  storage,
}: ReviewDetailOptions): Promise<ReviewDetail> {
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
          versions: {
            orderBy: { number: 'desc' },
            select: { id: true, number: true, status: true, createdAt: true, promotedAt: true, uploadedBy: { select: { name: true } } },
          },
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
        select: { id: true, stageIndex: true, reviewerId: true, decision: true, comment: true, createdAt: true },
      },
    },
  })

  // Only a running review has live state worth asking for: an ended one's record is
  // in the database, written by the workflow's closing activity.
  const live: LiveReviewState | null = review?.status === 'in_progress' ? await readLiveState({ versionId }) : null

  const comments = await db.comment.findMany({
    where: { versionId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, body: true, region: true, createdAt: true, author: { select: { name: true } } },
  })

  let progress: ReviewProgressView | null = null
  let eligibility: Eligibility = { canDecide: false, reason: 'This version has no review.' }
  let commenting: CommentPermission = { allowed: false, reason: 'This version has no review, so it takes no comments.' }
  if (review) {
    const built = await buildProgress(db, review, live, viewer.userId, at)
    progress = built.progress
    eligibility = built.eligibility
    commenting =
      progress.status === 'in_progress' && review.status === 'in_progress'
        ? { allowed: true }
        : { allowed: false, reason: 'This review has ended, so it takes no more comments.' }
  }

  const versionSummary = toVersionSummary(asset.id, version)
  const currentSummary = current ? toVersionSummary(asset.id, current) : null
  const comparison = await buildComparison({ db, viewer, versionId, view, at, storage, version: versionSummary, current: currentSummary })

  return {
    asset: {
      id: asset.id,
      title: asset.title,
      description: asset.description,
      kind: asset.kind,
      tags: asset.tags,
      folderPath: asset.folderPath,
    },
    version: versionSummary,
    current: currentSummary,
    history: asset.versions.map((entry) => ({
      id: entry.id,
      number: entry.number,
      status: entry.status,
      uploadedBy: entry.uploadedBy.name,
      uploadedAt: entry.createdAt.toISOString(),
      promotedAt: entry.promotedAt?.toISOString() ?? null,
      isCurrent: entry.id === asset.currentVersionId,
      isThis: entry.id === version.id,
    })),
    comparison,
    review: progress,
    comments: comments.map((comment, index) => ({
      id: comment.id,
      number: index + 1,
      author: comment.author.name,
      body: comment.body,
      createdAt: comment.createdAt.toISOString(),
      region: readCommentRegion(comment.region),
    })),
    eligibility,
    commenting,
  }
}

type ReviewRow = {
  id: string
  status: string
  policyName: string
  policySnapshot: unknown
  currentStage: number
  outcomeReason: string | null
  startedAt: Date
  endedAt: Date | null
  decisions: StoredDecision[]
}

/** A decision as both sources know it. */
type DecisionFactView = { stageIndex: number; reviewerId: string; decision: DecisionKind; comment: string | null; decidedAt: Date; id: string }

/**
 * The review's progress from the workflow's live state when it answered, else
 * from the rows: stages as done/current/upcoming with who decided what, who is
 * pending, and the due, reminder and escalation times of the current stage.
 */
async function buildProgress(
  db: Db,
  review: ReviewRow,
  live: LiveReviewState | null,
  viewerId: string,
  at: Date,
): Promise<{ progress: ReviewProgressView; eligibility: Eligibility }> {
  const snapshot = parsePolicySnapshot(review.policySnapshot)
  const liveState: LiveState | null = live?.ok ? live.state : null
  const stageSnapshots: ReviewStageSnapshot[] = liveState?.stages ?? snapshot?.stages ?? []

  const decisions: DecisionFactView[] = liveState
    ? liveState.decisions.map((decision) => ({
        id: `${decision.stageIndex}-${decision.reviewerId}`,
        stageIndex: decision.stageIndex,
        reviewerId: decision.reviewerId,
        decision: decision.decision,
        comment: decision.comment,
        decidedAt: new Date(decision.decidedAt),
      }))
    : review.decisions.map((decision) => ({ ...decision, decidedAt: decision.createdAt }))

  // The workflow says "withdrawn" for what the rows call "cancelled".
  const status = liveState ? (liveState.status === 'withdrawn' ? 'cancelled' : liveState.status) : review.status
  const inProgress = status === 'in_progress'
  const stageIndex = liveState ? liveState.stageIndex : review.currentStage

  let stage: CurrentStageView | null = null
  let pendingIds: string[] = []
  let currentReviewerIds: string[] = []
  const names = await userNames(db, [...stageSnapshots.flatMap((entry) => entry.reviewerIds), ...decisions.map((decision) => decision.reviewerId)])
  const nameOf = (id: string) => names.get(id) ?? 'Unknown user'

  if (inProgress && liveState) {
    pendingIds = liveState.pendingReviewerIds
    currentReviewerIds = liveState.reviewerIds
    const dueAt = liveState.dueAt ? new Date(liveState.dueAt) : null
    if (dueAt) {
      stage = {
        index: liveState.stageIndex,
        count: liveState.stageCount,
        name: liveState.stageName,
        dueAt: dueAt.toISOString(),
        dueLabel: describeDue(dueAt, at),
        // The workflow flags overdue when its timer fires; the clock may be ahead of that by a moment.
        overdue: liveState.overdue || dueAt.getTime() <= at.getTime(),
        pendingReviewers: pendingIds.map(nameOf),
        remindedAt: liveState.remindedAt,
        escalationDueAt: liveState.escalatedAt ? null : liveState.escalationDueAt,
        escalatedAt: liveState.escalatedAt,
      }
    }
  } else if (inProgress) {
    const state = currentStageState(review, at)
    if (state) {
      pendingIds = state.pendingReviewerIds
      currentReviewerIds = state.stage.reviewerIds
      const notices = await stageNotices(db, review.id, state.index, state.startedAt)
      // The workflow escalates at twice the stage's due time.
      const escalationDueAt = new Date(state.startedAt.getTime() + 2 * state.stage.dueHours * 3_600_000)
      stage = {
        index: state.index,
        count: state.stageCount,
        name: state.stage.name,
        dueAt: state.dueAt.toISOString(),
        dueLabel: describeDue(state.dueAt, at),
        overdue: state.overdue,
        pendingReviewers: pendingIds.map(nameOf),
        remindedAt: notices.remindedAt,
        escalationDueAt: notices.escalatedAt ? null : escalationDueAt.toISOString(),
        escalatedAt: notices.escalatedAt,
      }
    }
  }

  const stages: ReviewStageView[] = stageSnapshots.map((entry, index) => ({
    index,
    name: entry.name,
    quorum: describeQuorum(entry),
    dueHours: entry.dueHours,
    state: inProgress
      ? index < stageIndex
        ? 'done'
        : index === stageIndex
          ? 'current'
          : 'upcoming'
      : status === 'approved' || index <= stageIndex
        ? 'done'
        : 'skipped',
    reviewers: entry.reviewerIds.map((id) => {
      const decided = decisions.find((decision) => decision.stageIndex === index && decision.reviewerId === id)
      return {
        id,
        name: nameOf(id),
        decision: decided?.decision ?? null,
        comment: decided?.comment ?? null,
        decidedAt: decided?.decidedAt.toISOString() ?? null,
      }
    }),
  }))

  const stageName = (index: number) => stageSnapshots[index]?.name ?? `Stage ${index + 1}`
  const progress: ReviewProgressView = {
    id: review.id,
    status,
    policyName: liveState?.policyName ?? review.policyName,
    outcomeReason: liveState?.outcomeReason ?? review.outcomeReason,
    startedAt: review.startedAt.toISOString(),
    endedAt: review.endedAt?.toISOString() ?? null,
    source: liveState ? 'workflow' : 'database',
    liveNote: live && !live.ok ? LIVE_NOTES[live.reason] : null,
    stage,
    stages,
    decisions: decisions.map((decision) => ({
      id: decision.id,
      stageIndex: decision.stageIndex,
      stageName: stageName(decision.stageIndex),
      reviewer: nameOf(decision.reviewerId),
      decision: decision.decision,
      comment: decision.comment,
      createdAt: decision.decidedAt.toISOString(),
    })),
  }

  const currentName = stageName(stageIndex)
  const decidedHere = decisions.some((decision) => decision.stageIndex === stageIndex && decision.reviewerId === viewerId)
  const eligibility: Eligibility = !inProgress
    ? { canDecide: false, reason: 'This review has ended.' }
    : !stage
      ? { canDecide: false, reason: 'This review’s policy could not be read.' }
      : decidedHere
        ? { canDecide: false, reason: `You have already decided at the “${currentName}” stage.` }
        : pendingIds.includes(viewerId)
          ? { canDecide: true }
          : currentReviewerIds.includes(viewerId)
            ? { canDecide: false, reason: `The “${currentName}” stage has already been decided.` }
            : { canDecide: false, reason: `You are not a reviewer of the “${currentName}” stage.` }

  return { progress, eligibility }
}

/** When the workflow reminded and escalated this stage, from its audit rows (the fallback when it cannot be asked). */
async function stageNotices(db: Db, reviewId: string, stageIndex: number, since: Date): Promise<{ remindedAt: string | null; escalatedAt: string | null }> {
  const events = await db.auditEvent.findMany({
    where: {
      subjectType: 'review',
      subjectId: reviewId,
      action: { in: ['review.reminder', 'review.escalation'] },
      at: { gte: since },
      detail: { path: ['stageIndex'], equals: stageIndex },
    },
    orderBy: { at: 'desc' },
    select: { action: true, at: true },
  })
  const latest = (action: string) => events.find((event) => event.action === action)?.at.toISOString() ?? null
  return { remindedAt: latest('review.reminder'), escalatedAt: latest('review.escalation') }
}

type BuildComparisonOptions = {
  db: Db
  viewer: Viewer
  versionId: string
  view: ReviewView
  at: Date
  storage: Storage | undefined
  version: ReviewVersionSummary
  current: ReviewVersionSummary | null
}

const isRaster = (summary: ReviewVersionSummary) => summary.mediaType.startsWith('image/') && summary.mediaType !== 'image/svg+xml' && summary.previewUrl !== null

/** Which comparison views the page offers, and for the diff view the share of pixels that changed. */
async function buildComparison({ db, viewer, versionId, view, at, storage, version, current }: BuildComparisonOptions): Promise<Comparison> {
  const canCompare = current !== null
  const canDiff = current !== null && isRaster(version) && isRaster(current)
  const shown: ReviewView = !canCompare ? 'single' : view === 'diff' && !canDiff ? 'side-by-side' : view
  const comparison: Comparison = {
    view: shown,
    canCompare,
    canDiff,
    diffUrl: canDiff ? `/reviews/${encodeURIComponent(versionId)}/diff` : null,
    changedFraction: null,
    diffError: null,
  }
  if (shown !== 'diff') return comparison
  try {
    const previews = await findComparablePreviews({ db, viewer, versionId, at })
    const diff = await diffComparablePreviews(storage ?? getStorage(), previews)
    comparison.changedFraction = diff.changedFraction
  } catch (error) {
    if (!isAppError(error)) console.error(`Comparing version ${versionId} with the approved version failed`, error)
    comparison.diffError = isAppError(error) ? error.message : 'The differences could not be computed. Try again in a moment.'
  }
  return comparison
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

  // The inbox lists a review from its row, which exists a moment before its workflow starts.
  const reviewIsOpen = (await db.review.count({ where: { versionId, status: 'in_progress' } })) > 0
  try {
    await submit({ versionId, reviewerId: viewer.userId, decision: parsed.data.decision, comment: parsed.data.comment, reviewIsOpen })
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
