/**
 * Review comments on a version, optionally anchored to a rectangle of the image.
 * Taken only while the version's review is in progress and only from someone whose
 * role grants version:review; the comment and its audit row commit together.
 */
import { z } from 'zod'
import { requireVersionAccess } from '~/assets/access.server'
import { appendAuditEvent } from '~/audit.server'
import type { Db } from '~/db.server'
import { MAX_REVIEW_COMMENT_LENGTH, checkCommentRegion, type CommentRegion } from '~/domain/comment-region'
import { hasPermission, type RoleName } from '~/domain/roles'
import { AppError, isAppError } from '~/errors.server'

export const CommentBodySchema = z
  .string({ error: 'Write a comment.' })
  // NUL cannot be stored in PostgreSQL text; nobody means to type it.
  .transform((value) => value.replaceAll('\u0000', '').trim())
  .pipe(
    z
      .string()
      .min(1, 'Write a comment.')
      .max(MAX_REVIEW_COMMENT_LENGTH, `Keep the comment to ${MAX_REVIEW_COMMENT_LENGTH.toLocaleString('en-GB')} characters.`),
  )

const CommentRegionSchema = z.unknown().transform((value, context): CommentRegion | null => {
  if (value === null || value === undefined) return null
  const checked = checkCommentRegion(value)
  if (checked.ok) return checked.region
  context.addIssue({ code: 'custom', message: checked.message })
  return z.NEVER
})

export const AddReviewCommentSchema = z.object({
  versionId: z.string().min(1),
  authorId: z.string().min(1),
  body: CommentBodySchema,
  region: CommentRegionSchema,
})

export type AddReviewCommentOptions = z.input<typeof AddReviewCommentSchema> & {
  db: Db
  ipAddress?: string | null
}

export type AddedReviewComment = {
  commentId: string
  reviewId: string
  region: CommentRegion | null
}

type InProgressReview = { id: string }

/**
 * Adds a reviewer's comment to the version's review in progress. BAD_REQUEST for an
 * empty or too long body or a region outside the image, FORBIDDEN for an author
 * without version:review, NOT_FOUND for a version the author may not see, CONFLICT
 * when the version has no review in progress.
 */
export async function addReviewComment({ db, ipAddress, ...input }: AddReviewCommentOptions): Promise<AddedReviewComment> {
  const parsed = AddReviewCommentSchema.safeParse(input)
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'The comment is not valid.')
  const { versionId, authorId, body, region } = parsed.data

  // Roles as the session guard reads them: the oldest membership, enabled users only.
  const author = await db.user.findUnique({
    where: { id: authorId },
    select: {
      disabledAt: true,
      memberships: { orderBy: { createdAt: 'asc' }, take: 1, select: { roles: true, organisationId: true } },
    },
  })
  const membership = author?.memberships[0]
  if (!author || author.disabledAt || !membership) throw new AppError('FORBIDDEN', 'You cannot comment on reviews.')
  const roles: RoleName[] = [...membership.roles]
  if (!hasPermission(roles, 'version:review')) throw new AppError('FORBIDDEN', 'Only reviewers can comment on a review.')

  const version = await db.assetVersion.findUnique({ where: { id: versionId }, select: { assetId: true } })
  if (!version) throw new AppError('NOT_FOUND', 'Version not found')
  await requireVersionAccess(db, { userId: authorId, roles, organisationId: membership.organisationId }, version.assetId, versionId)

  const added = await db.$transaction(async (tx) => {
    // FOR SHARE holds off the workflow's closing write until this commits: a comment
    // lands either before the review ends or not at all.
    const open = await tx.$queryRaw<InProgressReview[]>`
      SELECT "id" FROM "Review"
      WHERE "versionId" = ${versionId} AND "status" = 'in_progress'
      ORDER BY "startedAt" DESC
      LIMIT 1
      FOR SHARE`
    const review = open[0]
    if (!review) throw new AppError('CONFLICT', 'This version has no review in progress, so it takes no more comments.')

    const comment = await tx.comment.create({
      data: { versionId, reviewId: review.id, authorId, body, region: region ?? undefined },
      select: { id: true },
    })
    await appendAuditEvent(tx, {
      actorId: authorId,
      action: 'review.comment',
      subjectType: 'review',
      subjectId: review.id,
      detail: { versionId, commentId: comment.id, length: body.length, ...(region ? { region } : {}) },
      ipAddress: ipAddress ?? null,
    })
    return { commentId: comment.id, reviewId: review.id }
  })

  return { ...added, region }
}

// ───────────────────────────── the comment form

export type CommentField = 'body' | 'region'

export type CommentOutcome =
  | { ok: true; commentId: string }
  | {
      ok: false
      status: number
      formError: string | null
      fieldErrors: Partial<Record<CommentField, string>>
      values: { body: string; region: CommentRegion | null }
    }

/** The form's four region fields: all empty for no region, all numbers for one. */
function regionFromForm(formData: FormData): { ok: true; value: unknown } | { ok: false; message: string } {
  const fields = { x: formData.get('regionX'), y: formData.get('regionY'), w: formData.get('regionW'), h: formData.get('regionH') }
  const texts = Object.values(fields).map((value) => (typeof value === 'string' ? value.trim() : ''))
  if (texts.every((text) => text === '')) return { ok: true, value: null }
  if (texts.some((text) => text === '' || !/^[0-9.eE+-]+$/.test(text))) {
    return { ok: false, message: 'The marked region could not be read. Mark it again.' }
  }
  const [x, y, w, h] = texts.map(Number)
  return { ok: true, value: { x, y, w, h } }
}

export type CommentFromFormOptions = {
  db: Db
  authorId: string
  versionId: string
  formData: FormData
  ipAddress?: string | null
}

/**
 * The review page's comment form (`body`, and `regionX`/`regionY`/`regionW`/`regionH`
 * as fractions): field problems and refusals come back for the form, not as exceptions.
 */
export async function commentFromForm({ db, authorId, versionId, formData, ipAddress }: CommentFromFormOptions): Promise<CommentOutcome> {
  const rawBody = formData.get('body')
  const bodyText = typeof rawBody === 'string' ? rawBody : ''
  const regionField = regionFromForm(formData)
  const checkedRegion = regionField.ok && regionField.value !== null ? checkCommentRegion(regionField.value) : null
  const values = { body: bodyText.replaceAll('\u0000', ''), region: checkedRegion?.ok ? checkedRegion.region : null }

  const fieldErrors: Partial<Record<CommentField, string>> = {}
  const body = CommentBodySchema.safeParse(bodyText)
  if (!body.success) fieldErrors.body = body.error.issues[0]?.message ?? 'Write a comment.'
  if (!regionField.ok) fieldErrors.region = regionField.message
  else if (checkedRegion && !checkedRegion.ok) fieldErrors.region = checkedRegion.message
  if (fieldErrors.body || fieldErrors.region) return { ok: false, status: 400, formError: null, fieldErrors, values }

  try {
    const added = await addReviewComment({ db, versionId, authorId, body: bodyText, region: values.region, ipAddress })
    return { ok: true, commentId: added.commentId }
  } catch (error) {
    if (isAppError(error) && (error.code === 'FORBIDDEN' || error.code === 'CONFLICT' || error.code === 'BAD_REQUEST')) {
      return { ok: false, status: error.status, formError: error.message, fieldErrors: {}, values }
    }
    throw error
  }
}
