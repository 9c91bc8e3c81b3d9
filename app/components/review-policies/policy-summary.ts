/**
 * Plain-words summaries of review policies for lists and hints:
 * "Brand (any of 2, 48 h) → Legal (all, 24 h)", "Collection “Press kit” · Images".
 */
import type { AssetKindName, Quorum } from '~/domain/review-policy'

export const KIND_LABELS: Record<AssetKindName, string> = {
  image: 'Images',
  video: 'Videos',
  audio: 'Audio',
  document: 'Documents',
  design: 'Design files',
  other: 'Other files',
}

export type StageSummaryInput = { name: string; quorum: Quorum; dueHours: number; possibleReviewerCount: number }

/** "any of 2", "all", "2 of 3"; "nobody can review" when the stage has no possible reviewer. */
export function describeQuorum(quorum: Quorum, possibleReviewerCount: number): string {
  if (possibleReviewerCount === 0) return 'nobody can review'
  switch (quorum.kind) {
    case 'all':
      return 'all'
    case 'any':
      return `any of ${possibleReviewerCount}`
    case 'count':
      // The quorum rule caps N at the reviewers there are; say what will actually be asked.
      return quorum.count >= possibleReviewerCount ? 'all' : `${quorum.count} of ${possibleReviewerCount}`
  }
}

export function formatDueHours(hours: number): string {
  return `${hours} h`
}

/** "Brand (any of 2, 48 h)" */
export function describeStage(stage: StageSummaryInput): string {
  return `${stage.name} (${describeQuorum(stage.quorum, stage.possibleReviewerCount)}, ${formatDueHours(stage.dueHours)})`
}

/** "Brand (any of 2, 48 h) → Legal (all, 24 h)" */
export function describeStages(stages: readonly StageSummaryInput[]): string {
  return stages.map(describeStage).join(' → ')
}

export type AppliesToInput = {
  isDefault: boolean
  assetKind: AssetKindName | null
  folderPrefix: string | null
  collection: { name: string } | null
}

/** The criteria in order of precedence; "Default" for the default policy. */
export function describeAppliesTo(policy: AppliesToInput): { label: string; value: string }[] {
  const parts: { label: string; value: string }[] = []
  if (policy.collection) parts.push({ label: 'Collection', value: policy.collection.name })
  if (policy.folderPrefix) parts.push({ label: 'Folder', value: policy.folderPrefix })
  if (policy.assetKind) parts.push({ label: 'Kind', value: KIND_LABELS[policy.assetKind] })
  if (policy.isDefault) parts.push({ label: 'Default', value: 'Everything no other policy matches' })
  return parts
}
