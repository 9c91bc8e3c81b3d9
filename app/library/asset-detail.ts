/**
 * The shape of one asset's library page (what getLibraryAssetDetail returns), in a
 * module without server code so components can name these types.
 */
import type { AssetKind, AssetStatus, DecisionKind, ReviewStatus, VersionStatus } from '~/generated/prisma/enums'

export type LibraryAssetDecision = {
  id: string
  /** 1-based, for display. */
  stage: number
  decision: DecisionKind
  comment: string | null
  reviewer: string
  at: string
}

export type LibraryAssetComment = {
  id: string
  author: string
  body: string
  /** Where the comment points, when it is anchored: an image region or a time range. */
  anchor: { kind: 'region' } | { kind: 'time'; startMs: number; endMs: number | null } | null
  at: string
}

export type LibraryAssetReview = {
  id: string
  status: ReviewStatus
  policyName: string
  /** 0-based index of the stage in progress. */
  currentStage: number
  outcomeReason: string | null
  startedAt: string
  endedAt: string | null
  decisions: LibraryAssetDecision[]
  /** Comments made in this review, oldest first, without the ones that only repeat a decision's comment. */
  comments: LibraryAssetComment[]
}

export type LibraryAssetVersion = {
  id: string
  number: number
  status: VersionStatus
  isCurrent: boolean
  failureReason: string | null
  mediaType: string
  bytes: number
  sha256: string
  width: number | null
  height: number | null
  originalFilename: string
  uploadedBy: string
  uploadedAt: string
  promoted: { at: string; by: string | null } | null
  thumbnailUrl: string | null
  previewUrl: string | null
  /** Newest first. */
  reviews: LibraryAssetReview[]
  /** Comments on the version outside any review, oldest first. */
  comments: LibraryAssetComment[]
  /** Whether an admin may make this version current again (see rollbackToVersion). */
  canRollBackTo: boolean
}

export type LibraryAuditEvent = {
  /** The event's sequence number (a bigint, as a string). */
  seq: string
  at: string
  action: string
  subjectType: string
  /** The actor's name, or "System". */
  actor: string
  /** A short line from the event's detail; may be empty. */
  summary: string
}

export type LibraryAssetDetail = {
  asset: {
    id: string
    title: string
    description: string
    folderPath: string
    kind: AssetKind
    status: AssetStatus
    tags: string[]
    owner: string
    createdBy: string
    createdAt: string
    updatedAt: string
    currentVersionId: string | null
    /** The current version's number, null when none is approved yet. */
    currentVersionNumber: number | null
  }
  /** The version asked for when it belongs to the asset, else the newest; null when there is none. */
  selectedVersionId: string | null
  /** Newest first. */
  versions: LibraryAssetVersion[]
  /** Newest first, at most 20. */
  events: LibraryAuditEvent[]
}
