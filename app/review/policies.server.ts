/**
 * Review policies: the stages a new review walks, and which assets each policy is
 * for (`chooseReviewPolicy` in ~/domain/review-policy decides between them).
 *
 * Every write is validated by `ReviewPolicySchema` (the editor's form posts the same
 * shape as strings), checked against the database (named reviewers may review, the
 * collection exists, the name is free), and written with its 'review.policy_change'
 * audit event in one transaction. At most one policy is the default: making one the
 * default clears the flag on the others in the same transaction.
 *
 * Editing or deleting a policy never touches running reviews: each holds the
 * snapshot it started with (`resolveReviewPolicySnapshot`).
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { normaliseFolderPath } from '~/assets/upload.server'
import { appendAuditEvent } from '~/audit.server'
import {
  ADD_STAGE_ID,
  ERROR_SUMMARY_ID,
  newPolicyDraft,
  newStageDraft,
  stageElementId,
  stageFieldName,
  type PolicyDraft,
  type PolicyFieldErrors,
  type StageDraft,
} from '~/components/review-policies/policy-form'
import type { Db, DbOrTx } from '~/db.server'
import { ASSET_KINDS, REVIEW_POLICY_LIMITS, type AssetKindName, type Quorum } from '~/domain/review-policy'
import { PERMISSIONS, type RoleName } from '~/domain/roles'
import { AppError } from '~/errors.server'
import { Prisma } from '~/generated/prisma/client'

/** Roles whose holders may decide reviews, so the only roles a stage may name. */
export const REVIEWING_ROLES = PERMISSIONS['version:review']
export type ReviewingRole = (typeof REVIEWING_ROLES)[number]

export const QUORUM_KINDS = ['all', 'any', 'count'] as const
export type QuorumKindName = (typeof QUORUM_KINDS)[number]

// Any constant works; it only has to be the same for every writer of policies.
const POLICY_WRITE_LOCK = 727_002

// ───────────────────────────── input

/** Trimmed, whitespace collapsed, without NUL (PostgreSQL text cannot hold it). */
function cleanText(value: string): string {
  return value.replaceAll('\u0000', '').replace(/\s+/g, ' ').trim()
}

/** One of `choices`, or null for an empty choice; typed loosely on the way in, since forms post strings. */
function optionalChoice<const Choice extends string>(choices: readonly [Choice, ...Choice[]], message: string) {
  return z
    .union([z.string(), z.null()], { error: message })
    .transform((value) => value || null)
    .pipe(z.enum(choices, { error: message }).nullable())
}

const stageSchema = z
  .object({
    name: z
      .string({ error: 'Name the stage.' })
      .transform(cleanText)
      .pipe(
        z
          .string()
          .min(1, 'Name the stage.')
          .max(REVIEW_POLICY_LIMITS.stageNameLength, `Keep the stage name to ${REVIEW_POLICY_LIMITS.stageNameLength} characters.`),
      ),
    reviewerIds: z
      .array(z.string().trim().min(1).max(64), { error: 'Choose reviewers from the list.' })
      .max(200, 'Choose at most 200 named reviewers.')
      .transform((ids) => [...new Set(ids)].sort()),
    reviewerRole: optionalChoice(REVIEWING_ROLES, 'Choose the reviewer or admin role, or none.'),
    quorum: z.string({ error: 'Choose how many reviewers must approve.' }).pipe(z.enum(QUORUM_KINDS, { error: 'Choose how many reviewers must approve.' })),
    /** Only read for an "N of them" quorum; the form sends it whatever the choice. */
    quorumCount: z.union([z.number(), z.string(), z.null()]).optional(),
    dueHours: z.coerce
      .number<number | string>({ error: 'Give the due time in whole hours.' })
      .int('Give the due time in whole hours.')
      .min(REVIEW_POLICY_LIMITS.minDueHours, `Give at least ${REVIEW_POLICY_LIMITS.minDueHours} hour.`)
      .max(REVIEW_POLICY_LIMITS.maxDueHours, `Give at most ${REVIEW_POLICY_LIMITS.maxDueHours} hours (30 days).`),
  })
  .superRefine((stage, ctx) => {
    if (stage.reviewerIds.length === 0 && !stage.reviewerRole) {
      ctx.addIssue({ code: 'custom', path: ['reviewerIds'], message: 'Choose named reviewers, a role, or both.' })
    }
    if (stage.quorum === 'count' && quorumCountOf(stage.quorumCount) === null) {
      ctx.addIssue({ code: 'custom', path: ['quorumCount'], message: 'Give the number of approvals needed: a whole number from 1 to 100.' })
    }
  })
  .transform(({ quorum, quorumCount, ...stage }) => ({
    ...stage,
    // More than the stage's reviewers is fine: the quorum rule caps it at all of them.
    quorum: (quorum === 'count' ? { kind: 'count', count: quorumCountOf(quorumCount) ?? 1 } : { kind: quorum }) satisfies Quorum,
  }))

function quorumCountOf(value: number | string | null | undefined): number | null {
  const count = typeof value === 'string' ? (value.trim() === '' ? Number.NaN : Number(value)) : (value ?? Number.NaN)
  return Number.isInteger(count) && count >= 1 && count <= 100 ? count : null
}

/**
 * A policy as the editor posts it (strings) or a caller passes it (numbers, nulls).
 * The one schema for both: the server always parses with it.
 */
export const ReviewPolicySchema = z
  .object({
    name: z
      .string({ error: 'Name the policy.' })
      .transform(cleanText)
      .pipe(
        z
          .string()
          .min(1, 'Name the policy.')
          .max(REVIEW_POLICY_LIMITS.nameLength, `Keep the name to ${REVIEW_POLICY_LIMITS.nameLength} characters.`),
      ),
    isDefault: z.boolean(),
    assetKind: optionalChoice(ASSET_KINDS, 'Choose a kind from the list.'),
    folderPrefix: z
      .union([
        z.string().max(REVIEW_POLICY_LIMITS.folderPrefixLength, `Keep the folder to ${REVIEW_POLICY_LIMITS.folderPrefixLength} characters.`),
        z.null(),
      ])
      .transform((folder) => {
        // The same normalisation as uploads, so "campaigns/summer/" matches assets in "/campaigns/summer".
        const normalised = folder === null ? '/' : normaliseFolderPath(folder)
        return normalised === '/' ? null : normalised
      }),
    collectionId: z
      .union([z.string().max(64), z.null()], { error: 'Choose a collection from the list.' })
      .transform((id) => id?.trim() || null),
    stages: z
      .array(stageSchema, { error: 'Add at least one stage.' })
      .min(1, 'Add at least one stage.')
      .max(REVIEW_POLICY_LIMITS.maxStages, `A policy has at most ${REVIEW_POLICY_LIMITS.maxStages} stages.`),
  })
  .superRefine((policy, ctx) => {
    // Runs even when a field failed, so read the criteria defensively.
    const hasCriteria = [policy.assetKind, policy.folderPrefix, policy.collectionId].some(
      (criterion) => typeof criterion === 'string' && criterion !== '',
    )
    if (policy.isDefault && hasCriteria) {
      ctx.addIssue({
        code: 'custom',
        path: ['appliesTo'],
        message: 'The default policy covers every asset no other policy matches: leave kind, folder and collection empty.',
      })
    }
    if (!policy.isDefault && !hasCriteria) {
      ctx.addIssue({
        code: 'custom',
        path: ['appliesTo'],
        message: 'Choose what the policy applies to (a kind, a folder or a collection), or make it the default.',
      })
    }
  })

export type ReviewPolicyInput = z.input<typeof ReviewPolicySchema>
export type ValidReviewPolicy = z.output<typeof ReviewPolicySchema>

export type PolicyWriteResult = { ok: true; policyId: string } | { ok: false; fieldErrors: PolicyFieldErrors }

/** The first message per field, keyed by the issue's path ("stages.0.name"). */
function fieldErrorsOf(error: z.ZodError): PolicyFieldErrors {
  const fieldErrors: PolicyFieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || 'form'
    fieldErrors[key] ??= issue.message
  }
  return fieldErrors
}

// ───────────────────────────── reading

export type PolicyReviewer = { id: string; name: string; email: string; canReview: boolean }

export type ReviewPolicyStageView = {
  name: string
  quorum: Quorum
  reviewerRole: ReviewingRole | null
  dueHours: number
  reviewers: PolicyReviewer[]
  /** Enabled brand users this stage could ask today: the named ones who may review, and the role's holders. */
  possibleReviewerCount: number
}

export type ReviewPolicyView = {
  id: string
  name: string
  isDefault: boolean
  assetKind: AssetKindName | null
  folderPrefix: string | null
  collection: { id: string; name: string } | null
  createdAt: string
  updatedAt: string
  stages: ReviewPolicyStageView[]
}

/** A user the editor offers as a named reviewer: enabled, with the reviewer or admin role in a brand organisation. */
export type EligibleReviewer = { id: string; name: string; email: string; roles: ReviewingRole[] }

/** Everyone who may be named as a stage reviewer. */
export async function listEligibleReviewers({ db }: { db: DbOrTx }): Promise<EligibleReviewer[]> {
  const users = await db.user.findMany({
    where: { disabledAt: null, memberships: { some: { roles: { hasSome: [...REVIEWING_ROLES] }, organisation: { kind: 'brand' } } } },
    select: {
      id: true,
      name: true,
      email: true,
      memberships: { where: { organisation: { kind: 'brand' } }, select: { roles: true } },
    },
    orderBy: [{ name: 'asc' }, { email: 'asc' }],
  })
  return users.map((user) => ({
    id: user.id,
    name: user.name,
    email: user.email,
    roles: REVIEWING_ROLES.filter((role) => user.memberships.some((membership) => membership.roles.includes(role))),
  }))
}

const policyInclude = {
  collection: { select: { id: true, name: true } },
  stages: {
    orderBy: { position: 'asc' },
    include: { reviewers: { include: { user: { select: { id: true, name: true, email: true } } } } },
  },
} satisfies Prisma.ReviewPolicyInclude

type PolicyRow = Prisma.ReviewPolicyGetPayload<{ include: typeof policyInclude }>

function isReviewingRole(role: RoleName | null): role is ReviewingRole {
  return role !== null && (REVIEWING_ROLES as readonly RoleName[]).includes(role)
}

function toQuorum(kind: QuorumKindName, count: number | null): Quorum {
  return kind === 'count' ? { kind: 'count', count: Math.max(1, count ?? 1) } : { kind }
}

function toView(policy: PolicyRow, eligible: readonly EligibleReviewer[]): ReviewPolicyView {
  const eligibleIds = new Set(eligible.map((user) => user.id))
  return {
    id: policy.id,
    name: policy.name,
    isDefault: policy.isDefault,
    assetKind: policy.assetKind,
    folderPrefix: policy.folderPrefix,
    collection: policy.collection,
    createdAt: policy.createdAt.toISOString(),
    updatedAt: policy.updatedAt.toISOString(),
    stages: policy.stages.map((stage) => {
      const role = isReviewingRole(stage.reviewerRole) ? stage.reviewerRole : null
      const reviewers = stage.reviewers
        .map(({ user }) => ({ ...user, canReview: eligibleIds.has(user.id) }))
        .sort((a, b) => a.name.localeCompare(b.name))
      const possible = new Set([
        ...reviewers.filter((reviewer) => reviewer.canReview).map((reviewer) => reviewer.id),
        ...(role ? eligible.filter((user) => user.roles.includes(role)).map((user) => user.id) : []),
      ])
      return {
        name: stage.name,
        quorum: toQuorum(stage.quorum, stage.quorumCount),
        reviewerRole: role,
        dueHours: stage.dueHours,
        reviewers,
        possibleReviewerCount: possible.size,
      }
    }),
  }
}

/** Every policy, the default first, then by name. */
export async function listReviewPolicies({ db }: { db: DbOrTx }): Promise<ReviewPolicyView[]> {
  const [policies, eligible] = await Promise.all([
    db.reviewPolicy.findMany({ include: policyInclude, orderBy: [{ isDefault: 'desc' }, { name: 'asc' }] }),
    listEligibleReviewers({ db }),
  ])
  return policies.map((policy) => toView(policy, eligible))
}

export async function getReviewPolicy({ db, policyId }: { db: DbOrTx; policyId: string }): Promise<ReviewPolicyView> {
  const [policy, eligible] = await Promise.all([
    db.reviewPolicy.findUnique({ where: { id: policyId }, include: policyInclude }),
    listEligibleReviewers({ db }),
  ])
  if (!policy) throw new AppError('NOT_FOUND', 'Review policy not found')
  return toView(policy, eligible)
}

// ───────────────────────────── writing

type AuditContext = { actorId: string; ipAddress?: string | null }

export type CreateReviewPolicyOptions = AuditContext & { db: Db; input: ReviewPolicyInput }
export type UpdateReviewPolicyOptions = AuditContext & { db: Db; policyId: string; input: ReviewPolicyInput }
export type DeleteReviewPolicyOptions = AuditContext & { db: Db; policyId: string }

/** What the audit trail records of a policy: its criteria and stages, reviewers by id. */
type PolicyRecord = {
  name: string
  isDefault: boolean
  assetKind: AssetKindName | null
  folderPrefix: string | null
  collectionId: string | null
  stages: { name: string; quorum: Quorum; reviewerRole: ReviewingRole | null; reviewerIds: string[]; dueHours: number }[]
}

function recordOf(policy: ValidReviewPolicy): PolicyRecord {
  return {
    name: policy.name,
    isDefault: policy.isDefault,
    assetKind: policy.assetKind,
    folderPrefix: policy.folderPrefix,
    collectionId: policy.collectionId,
    stages: policy.stages.map((stage) => ({
      name: stage.name,
      quorum: stage.quorum,
      reviewerRole: stage.reviewerRole,
      reviewerIds: stage.reviewerIds,
      dueHours: stage.dueHours,
    })),
  }
}

async function loadRecord(tx: DbOrTx, policyId: string): Promise<PolicyRecord | null> {
  const policy = await tx.reviewPolicy.findUnique({
    where: { id: policyId },
    include: { stages: { orderBy: { position: 'asc' }, include: { reviewers: { select: { userId: true } } } } },
  })
  if (!policy) return null
  return {
    name: policy.name,
    isDefault: policy.isDefault,
    assetKind: policy.assetKind,
    folderPrefix: policy.folderPrefix,
    collectionId: policy.collectionId,
    stages: policy.stages.map((stage) => ({
      name: stage.name,
      quorum: toQuorum(stage.quorum, stage.quorumCount),
      reviewerRole: isReviewingRole(stage.reviewerRole) ? stage.reviewerRole : null,
      reviewerIds: stage.reviewers.map((reviewer) => reviewer.userId).sort(),
      dueHours: stage.dueHours,
    })),
  }
}

/** The fields that differ, each as { from, to }. */
type FieldChange = { from: Prisma.InputJsonValue | null; to: Prisma.InputJsonValue | null }

function changesBetween(before: PolicyRecord, after: PolicyRecord): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {}
  for (const key of ['name', 'isDefault', 'assetKind', 'folderPrefix', 'collectionId', 'stages'] as const) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] }
  }
  return changes
}

/**
 * The checks zod cannot make: the name is free, the collection exists, and every
 * named reviewer may review (enabled, reviewer or admin in a brand organisation).
 */
async function checkAgainstDatabase(tx: DbOrTx, policy: ValidReviewPolicy, policyId: string | null): Promise<PolicyFieldErrors> {
  const fieldErrors: PolicyFieldErrors = {}

  const sameName = await tx.reviewPolicy.findFirst({
    where: { name: { equals: policy.name, mode: 'insensitive' }, ...(policyId ? { id: { not: policyId } } : {}) },
    select: { id: true },
  })
  if (sameName) fieldErrors.name = `Another policy is already called “${policy.name}”.`

  if (policy.collectionId) {
    const collection = await tx.collection.findUnique({ where: { id: policy.collectionId }, select: { id: true } })
    if (!collection) fieldErrors.collectionId = 'That collection no longer exists. Choose another.'
  }

  const namedIds = [...new Set(policy.stages.flatMap((stage) => stage.reviewerIds))]
  if (namedIds.length > 0) {
    const users = await tx.user.findMany({
      where: { id: { in: namedIds } },
      select: {
        id: true,
        name: true,
        disabledAt: true,
        memberships: { where: { organisation: { kind: 'brand' } }, select: { roles: true } },
      },
    })
    const byId = new Map(users.map((user) => [user.id, user]))
    policy.stages.forEach((stage, index) => {
      const problems = stage.reviewerIds.map((id) => {
        const user = byId.get(id)
        if (!user) return 'One of the chosen reviewers no longer exists.'
        if (user.disabledAt) return `${user.name} cannot review: their account is disabled.`
        const reviews = user.memberships.some((membership) => membership.roles.some((role) => isReviewingRole(role)))
        if (!reviews) return `${user.name} cannot review: they hold neither the reviewer nor the admin role in the brand.`
        return null
      })
      const messages = [...new Set(problems.filter((problem): problem is string => problem !== null))]
      if (messages.length > 0) fieldErrors[`stages.${index}.reviewerIds`] = messages.join(' ')
    })
  }
  return fieldErrors
}

async function writeStages(tx: DbOrTx, policyId: string, policy: ValidReviewPolicy): Promise<void> {
  for (const [position, stage] of policy.stages.entries()) {
    await tx.reviewStage.create({
      data: {
        policyId,
        position,
        name: stage.name,
        quorum: stage.quorum.kind,
        quorumCount: stage.quorum.kind === 'count' ? stage.quorum.count : null,
        reviewerRole: stage.reviewerRole,
        dueHours: stage.dueHours,
        reviewers: { create: stage.reviewerIds.map((userId) => ({ userId })) },
      },
    })
  }
}

/** Clears the default flag on every other policy, with an audit event for each. */
async function clearOtherDefaults(tx: DbOrTx, policyId: string, context: AuditContext): Promise<void> {
  const others = await tx.reviewPolicy.findMany({ where: { isDefault: true, id: { not: policyId } }, select: { id: true, name: true } })
  if (others.length === 0) return
  await tx.reviewPolicy.updateMany({ where: { id: { in: others.map((other) => other.id) } }, data: { isDefault: false } })
  for (const other of others) {
    await appendAuditEvent(tx, {
      ...auditBase(context, other.id),
      detail: { change: 'default_cleared', name: other.name, newDefaultPolicyId: policyId },
    })
  }
}

function auditBase(context: AuditContext, policyId: string) {
  return {
    actorId: context.actorId,
    action: 'review.policy_change',
    subjectType: 'review_policy',
    subjectId: policyId,
    ipAddress: context.ipAddress ?? null,
  } as const
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
}

/**
 * Runs a policy write with writers serialised, so the name check and the
 * one-default rule hold under concurrent saves.
 */
async function inPolicyTransaction(db: Db, write: (tx: DbOrTx) => Promise<PolicyWriteResult>): Promise<PolicyWriteResult> {
  try {
    return await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${POLICY_WRITE_LOCK})`
      return write(tx)
    })
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, fieldErrors: { name: 'Another policy already has this name.' } }
    throw error
  }
}

/** A policy which, from now on, new reviews of matching assets follow. */
export async function createReviewPolicy({ db, input, ...context }: CreateReviewPolicyOptions): Promise<PolicyWriteResult> {
  const parsed = ReviewPolicySchema.safeParse(input)
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) }
  const policy = parsed.data

  return inPolicyTransaction(db, async (tx) => {
    const fieldErrors = await checkAgainstDatabase(tx, policy, null)
    if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors }

    const created = await tx.reviewPolicy.create({
      data: {
        name: policy.name,
        isDefault: policy.isDefault,
        assetKind: policy.assetKind,
        folderPrefix: policy.folderPrefix,
        collectionId: policy.collectionId,
      },
      select: { id: true },
    })
    await writeStages(tx, created.id, policy)
    if (policy.isDefault) await clearOtherDefaults(tx, created.id, context)
    await appendAuditEvent(tx, { ...auditBase(context, created.id), detail: { change: 'created', policy: recordOf(policy) } })
    return { ok: true, policyId: created.id }
  })
}

/**
 * Replaces a policy's name, criteria and stages (the stages wholesale). Reviews
 * already running keep their snapshot. Saving without a change writes nothing.
 */
export async function updateReviewPolicy({ db, policyId, input, ...context }: UpdateReviewPolicyOptions): Promise<PolicyWriteResult> {
  const parsed = ReviewPolicySchema.safeParse(input)
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) }
  const policy = parsed.data

  return inPolicyTransaction(db, async (tx) => {
    const before = await loadRecord(tx, policyId)
    if (!before) throw new AppError('NOT_FOUND', 'Review policy not found')
    const fieldErrors = await checkAgainstDatabase(tx, policy, policyId)
    if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors }

    const changes = changesBetween(before, recordOf(policy))
    if (Object.keys(changes).length === 0) return { ok: true, policyId }

    await tx.reviewPolicy.update({
      where: { id: policyId },
      data: {
        name: policy.name,
        isDefault: policy.isDefault,
        assetKind: policy.assetKind,
        folderPrefix: policy.folderPrefix,
        collectionId: policy.collectionId,
      },
    })
    if (changes.stages) {
      await tx.reviewStage.deleteMany({ where: { policyId } })
      await writeStages(tx, policyId, policy)
    }
    if (policy.isDefault) await clearOtherDefaults(tx, policyId, context)
    await appendAuditEvent(tx, { ...auditBase(context, policyId), detail: { change: 'updated', name: policy.name, changes } })
    return { ok: true, policyId }
  })
}

/**
 * Deletes a policy and its stages. Deleting the default is allowed: assets no other
 * policy matches then get the built-in policy (any one brand reviewer, 48 hours),
 * which the editor says before the button. Running reviews keep their snapshot.
 */
export async function deleteReviewPolicy({ db, policyId, ...context }: DeleteReviewPolicyOptions): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${POLICY_WRITE_LOCK})`
    const before = await loadRecord(tx, policyId)
    if (!before) throw new AppError('NOT_FOUND', 'Review policy not found')
    await tx.reviewPolicy.delete({ where: { id: policyId } })
    await appendAuditEvent(tx, { ...auditBase(context, policyId), detail: { change: 'deleted', policy: before } })
    return { name: before.name }
  })
}

// ───────────────────────────── the editor's form

export type { PolicyDraft, PolicyFieldErrors, StageDraft }

function draftOf(policy: ReviewPolicyView): PolicyDraft {
  return {
    name: policy.name,
    isDefault: policy.isDefault,
    assetKind: policy.assetKind ?? '',
    folderPrefix: policy.folderPrefix ?? '',
    collectionId: policy.collection?.id ?? '',
    stages: policy.stages.map((stage) => ({
      name: stage.name,
      reviewerIds: stage.reviewers.map((reviewer) => reviewer.id),
      reviewerRole: stage.reviewerRole ?? '',
      quorum: stage.quorum.kind,
      quorumCount: stage.quorum.kind === 'count' ? String(stage.quorum.count) : '',
      dueHours: String(stage.dueHours),
    })),
  }
}

const STAGE_FIELD = /^stages\[(\d{1,3})\]\./

export function readPolicyDraft(formData: FormData): PolicyDraft {
  const text = (name: string) => {
    const value = formData.get(name)
    return typeof value === 'string' ? value : ''
  }
  const indices = new Set<number>()
  for (const key of formData.keys()) {
    const match = STAGE_FIELD.exec(key)
    if (match) indices.add(Number(match[1]))
  }
  const stages = [...indices]
    .sort((a, b) => a - b)
    // One past the limit, so the schema reports "at most N stages" rather than dropping some silently.
    .slice(0, REVIEW_POLICY_LIMITS.maxStages + 1)
    .map((index) => ({
      name: text(stageFieldName(index, 'name')),
      reviewerIds: formData.getAll(stageFieldName(index, 'reviewerIds')).filter((value): value is string => typeof value === 'string'),
      reviewerRole: text(stageFieldName(index, 'reviewerRole')),
      quorum: text(stageFieldName(index, 'quorum')),
      quorumCount: text(stageFieldName(index, 'quorumCount')),
      dueHours: text(stageFieldName(index, 'dueHours')),
    }))
  return {
    name: text('name'),
    isDefault: formData.get('isDefault') === 'on',
    assetKind: text('assetKind'),
    folderPrefix: text('folderPrefix'),
    collectionId: text('collectionId'),
    stages,
  }
}

const IntentSchema = z.union([
  z.literal('save').transform(() => ({ kind: 'save' as const })),
  z.literal('delete').transform(() => ({ kind: 'delete' as const })),
  z.literal('add-stage').transform(() => ({ kind: 'add-stage' as const })),
  z
    .string()
    .regex(/^(remove-stage|move-stage-up|move-stage-down):\d{1,2}$/)
    .transform((value) => {
      const [kind, index] = value.split(':') as ['remove-stage' | 'move-stage-up' | 'move-stage-down', string]
      return { kind, index: Number(index) }
    }),
])

type DraftEdit = Exclude<z.output<typeof IntentSchema>, { kind: 'save' | 'delete' }>

/** Applies a stage edit from the no-JavaScript editor; returns the field to focus next. */
export function editPolicyDraft(draft: PolicyDraft, edit: DraftEdit): { draft: PolicyDraft; focus: string | null; error: string | null } {
  const stages = [...draft.stages]
  switch (edit.kind) {
    case 'add-stage': {
      if (stages.length >= REVIEW_POLICY_LIMITS.maxStages) {
        return { draft, focus: null, error: `A policy has at most ${REVIEW_POLICY_LIMITS.maxStages} stages.` }
      }
      stages.push(newStageDraft())
      return { draft: { ...draft, stages }, focus: stageFieldName(stages.length - 1, 'name'), error: null }
    }
    case 'remove-stage': {
      // The editor always keeps one stage to fill in.
      if (stages.length <= 1 || edit.index >= stages.length) return { draft, focus: null, error: null }
      stages.splice(edit.index, 1)
      return { draft: { ...draft, stages }, focus: ADD_STAGE_ID, error: null }
    }
    case 'move-stage-up':
    case 'move-stage-down': {
      const to = edit.kind === 'move-stage-up' ? edit.index - 1 : edit.index + 1
      const moving = stages[edit.index]
      const other = stages[to]
      if (!moving || !other) return { draft, focus: null, error: null }
      stages[to] = moving
      stages[edit.index] = other
      return { draft: { ...draft, stages }, focus: stageElementId(to), error: null }
    }
  }
}

export type PolicyEditorState = {
  /** Null when creating. */
  policy: { id: string; name: string; isDefault: boolean } | null
  draft: PolicyDraft
  reviewers: (EligibleReviewer & { canReview: boolean })[]
  collections: { id: string; name: string; organisationName: string }[]
}

/** What the editor needs: the policy as a draft (a blank one for "new"), reviewers to offer, collections. */
export async function getPolicyEditor({ db, policyId }: { db: DbOrTx; policyId: string | null }): Promise<PolicyEditorState> {
  const [policy, eligible, collections] = await Promise.all([
    policyId ? getReviewPolicy({ db, policyId }) : Promise.resolve(null),
    listEligibleReviewers({ db }),
    db.collection.findMany({
      select: { id: true, name: true, organisation: { select: { name: true } } },
      orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
      take: 500,
    }),
  ])
  const reviewers = eligible.map((user) => ({ ...user, canReview: true }))
  // Named reviewers who can no longer review stay listed (and flagged) so they can be unticked.
  const listed = new Set(reviewers.map((user) => user.id))
  for (const reviewer of policy?.stages.flatMap((stage) => stage.reviewers) ?? []) {
    if (listed.has(reviewer.id)) continue
    listed.add(reviewer.id)
    reviewers.push({ id: reviewer.id, name: reviewer.name, email: reviewer.email, roles: [], canReview: false })
  }
  return {
    policy: policy ? { id: policy.id, name: policy.name, isDefault: policy.isDefault } : null,
    draft: policy ? draftOf(policy) : newPolicyDraft(),
    reviewers,
    collections: collections.map((collection) => ({ id: collection.id, name: collection.name, organisationName: collection.organisation.name })),
  }
}

export type PolicyFormOutcome =
  | { kind: 'saved'; policyId: string }
  | { kind: 'deleted'; name: string }
  | {
      kind: 'editing'
      status: 200 | 400
      draft: PolicyDraft
      fieldErrors: PolicyFieldErrors
      /** The element id to focus after a stage edit. */
      focus: string | null
      /** Changes with every answer, so the form remounts with the draft's values. */
      revision: string
    }

export type SubmitPolicyFormOptions = AuditContext & { db: Db; policyId: string | null; formData: FormData }

/**
 * The editor's one action: save, delete, or edit the list of stages (add, remove,
 * move) without JavaScript. Stage edits and validation failures answer with the
 * draft to show again; nothing is written until "save".
 */
export async function submitPolicyForm({ db, policyId, formData, ...context }: SubmitPolicyFormOptions): Promise<PolicyFormOutcome> {
  const intent = IntentSchema.safeParse(formData.get('intent') ?? 'save')
  if (!intent.success) throw new AppError('BAD_REQUEST', 'Unknown form action')
  const editing = (draft: PolicyDraft, status: 200 | 400, fieldErrors: PolicyFieldErrors, focus: string | null): PolicyFormOutcome => ({
    kind: 'editing',
    status,
    draft,
    fieldErrors,
    focus,
    revision: randomUUID(),
  })

  if (intent.data.kind === 'delete') {
    if (!policyId) throw new AppError('BAD_REQUEST', 'This policy has not been saved yet')
    const deleted = await deleteReviewPolicy({ db, policyId, ...context })
    return { kind: 'deleted', name: deleted.name }
  }

  const draft = readPolicyDraft(formData)
  if (intent.data.kind !== 'save') {
    const edited = editPolicyDraft(draft, intent.data)
    if (edited.error) return editing(edited.draft, 400, { stages: edited.error }, ERROR_SUMMARY_ID)
    return editing(edited.draft, 200, {}, edited.focus)
  }

  const result = policyId
    ? await updateReviewPolicy({ db, policyId, input: draft, ...context })
    : await createReviewPolicy({ db, input: draft, ...context })
  if (result.ok) return { kind: 'saved', policyId: result.policyId }
  return editing(draft, 400, result.fieldErrors, ERROR_SUMMARY_ID)
}
