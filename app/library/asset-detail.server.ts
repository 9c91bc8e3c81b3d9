/**
 * One asset's library page, for brand staff (who may see every version): the
 * asset's facts, every version (its history: uploaded, reviewed, promoted) with its
 * renditions, reviews, decisions and comments, which versions an admin may roll
 * back to, which version is selected, and the latest audit events about the asset,
 * its versions and its reviews. Dates come formatted for display, in UTC.
 */
import { rollbackRefusal } from '~/assets/rollback-version.server'
import type { Db } from '~/db.server'
import { AppError } from '~/errors.server'
import type { LibraryAssetComment, LibraryAssetDetail } from './asset-detail'

export type * from './asset-detail'

/** How many audit events the page shows (its footer says so). */
const AUDIT_EVENT_LIMIT = 20

export type LibraryAssetDetailOptions = {
  db: Db
  assetId: string
  /** The version to show (`?version=`); ignored when it is not one of the asset's. */
  selectedVersionId?: string
}

const formatInstant = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
const when = (date: Date) => `${formatInstant.format(date)} UTC`

/** Everything the asset's library page shows. NOT_FOUND when there is no such asset. */
export async function getLibraryAssetDetail({ db, assetId, selectedVersionId }: LibraryAssetDetailOptions): Promise<LibraryAssetDetail> {
  const asset = await db.asset.findUnique({
    where: { id: assetId },
    select: {
      id: true,
      title: true,
      description: true,
      folderPath: true,
      kind: true,
      status: true,
      tags: true,
      currentVersionId: true,
      createdAt: true,
      updatedAt: true,
      createdBy: { select: { name: true } },
      ownerOrganisation: { select: { name: true } },
      versions: {
        orderBy: { number: 'desc' },
        select: {
          id: true,
          number: true,
          status: true,
          failureReason: true,
          mediaType: true,
          bytes: true,
          sha256: true,
          width: true,
          height: true,
          originalFilename: true,
          createdAt: true,
          promotedAt: true,
          uploadedBy: { select: { name: true } },
          promotedBy: { select: { name: true } },
          renditions: { select: { preset: true } },
          comments: {
            orderBy: { createdAt: 'asc' },
            select: {
              id: true,
              reviewId: true,
              authorId: true,
              body: true,
              region: true,
              startMs: true,
              endMs: true,
              createdAt: true,
              author: { select: { name: true } },
            },
          },
          reviews: {
            orderBy: { startedAt: 'desc' },
            select: {
              id: true,
              status: true,
              policyName: true,
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
          },
        },
      },
    },
  })
  if (!asset) throw new AppError('NOT_FOUND', 'Asset not found')

  const versionIds = asset.versions.map((version) => version.id)
  const reviewIds = asset.versions.flatMap((version) => version.reviews.map((review) => review.id))
  const events = await db.auditEvent.findMany({
    where: {
      OR: [
        { subjectType: 'asset', subjectId: asset.id },
        { subjectType: 'version', subjectId: { in: versionIds } },
        { subjectType: 'review', subjectId: { in: reviewIds } },
      ],
    },
    orderBy: { seq: 'desc' },
    take: AUDIT_EVENT_LIMIT,
    select: { seq: true, at: true, action: true, subjectType: true, detail: true, actor: { select: { name: true } } },
  })

  const selected = asset.versions.find((version) => version.id === selectedVersionId) ?? asset.versions[0] ?? null
  const previewUrl = (versionId: string, preset: 'thumbnail' | 'preview') => `/assets/${asset.id}/versions/${versionId}/renditions/${preset}`

  return {
    asset: {
      id: asset.id,
      title: asset.title,
      description: asset.description,
      folderPath: asset.folderPath,
      kind: asset.kind,
      status: asset.status,
      tags: asset.tags,
      owner: asset.ownerOrganisation.name,
      createdBy: asset.createdBy.name,
      createdAt: when(asset.createdAt),
      updatedAt: when(asset.updatedAt),
      currentVersionId: asset.currentVersionId,
      currentVersionNumber: asset.versions.find((version) => version.id === asset.currentVersionId)?.number ?? null,
    },
    selectedVersionId: selected?.id ?? null,
    versions: asset.versions.map((version) => {
      const presets = new Set(version.renditions.map((rendition) => rendition.preset))
      const isCurrent = version.id === asset.currentVersionId
      // A decision's comment is also stored as a Comment row; the decision already shows it.
      const repeatsDecision = (comment: (typeof version.comments)[number]) =>
        version.reviews.some(
          (review) =>
            review.id === comment.reviewId &&
            review.decisions.some((decision) => decision.reviewerId === comment.authorId && decision.comment === comment.body),
        )
      const comments = version.comments.filter((comment) => !repeatsDecision(comment))
      return {
        id: version.id,
        number: version.number,
        status: version.status,
        isCurrent,
        failureReason: version.failureReason,
        mediaType: version.mediaType,
        bytes: Number(version.bytes),
        sha256: version.sha256,
        width: version.width,
        height: version.height,
        originalFilename: version.originalFilename,
        uploadedBy: version.uploadedBy.name,
        uploadedAt: when(version.createdAt),
        promoted: version.promotedAt ? { at: when(version.promotedAt), by: version.promotedBy?.name ?? null } : null,
        thumbnailUrl: presets.has('thumbnail') ? previewUrl(version.id, 'thumbnail') : null,
        previewUrl: presets.has('preview') ? previewUrl(version.id, 'preview') : null,
        reviews: version.reviews.map((review) => ({
          id: review.id,
          status: review.status,
          policyName: review.policyName,
          currentStage: review.currentStage,
          outcomeReason: review.outcomeReason,
          startedAt: when(review.startedAt),
          endedAt: review.endedAt ? when(review.endedAt) : null,
          decisions: review.decisions.map((decision) => ({
            id: decision.id,
            stage: decision.stageIndex + 1,
            decision: decision.decision,
            comment: decision.comment,
            reviewer: decision.reviewer.name,
            at: when(decision.createdAt),
          })),
          comments: comments.filter((comment) => comment.reviewId === review.id).map(toComment),
        })),
        comments: comments.filter((comment) => comment.reviewId === null).map(toComment),
        canRollBackTo: !isCurrent && asset.status === 'active' && rollbackRefusal(version) === null,
      }
    }),
    events: events.map((event) => ({
      seq: event.seq.toString(),
      at: when(event.at),
      action: event.action,
      subjectType: event.subjectType,
      actor: event.actor?.name ?? 'System',
      summary: summariseDetail(event.detail),
    })),
  }
}

type CommentRow = {
  id: string
  body: string
  region: unknown
  startMs: number | null
  endMs: number | null
  createdAt: Date
  author: { name: string }
}

function toComment(comment: CommentRow): LibraryAssetComment {
  return {
    id: comment.id,
    author: comment.author.name,
    body: comment.body,
    anchor:
      comment.startMs !== null
        ? { kind: 'time', startMs: comment.startMs, endMs: comment.endMs }
        : comment.region !== null && comment.region !== undefined
          ? { kind: 'region' }
          : null,
    at: when(comment.createdAt),
  }
}

/** A short, readable line from an audit event's detail (version number, reason, file…). */
function summariseDetail(detail: unknown): string {
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return ''
  const record = detail as Record<string, unknown>
  const parts: string[] = []
  const versionNumber = record.versionNumber ?? record.number
  if (typeof versionNumber === 'number') parts.push(`v${versionNumber}`)
  for (const key of ['filename', 'decision', 'reason', 'comment', 'outcome'] as const) {
    const value = record[key]
    if (typeof value === 'string' && value) parts.push(value.length > 120 ? `${value.slice(0, 117)}…` : value)
  }
  return parts.join(' · ')
}
