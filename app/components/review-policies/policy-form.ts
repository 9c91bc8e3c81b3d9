/**
 * The review policy editor's form, as both sides see it: field names, the draft the
 * form holds (strings, one entry per stage), and the keys field errors come back
 * under. The server (`~/review/policies.server`) reads posts with these names and
 * validates them with `ReviewPolicySchema`; the page renders drafts with them.
 */

export type StageDraft = {
  name: string
  reviewerIds: string[]
  reviewerRole: string
  quorum: string
  quorumCount: string
  dueHours: string
}

export type PolicyDraft = {
  name: string
  isDefault: boolean
  assetKind: string
  folderPrefix: string
  collectionId: string
  stages: StageDraft[]
}

/** Messages by field: "name", "appliesTo", "stages", "stages.0.reviewerIds", … */
export type PolicyFieldErrors = Record<string, string>

export const NEW_STAGE_DUE_HOURS = 48

export function newStageDraft(): StageDraft {
  return { name: '', reviewerIds: [], reviewerRole: '', quorum: 'any', quorumCount: '', dueHours: String(NEW_STAGE_DUE_HOURS) }
}

export function newPolicyDraft(): PolicyDraft {
  return { name: '', isDefault: false, assetKind: '', folderPrefix: '', collectionId: '', stages: [newStageDraft()] }
}

/** The posted name of a stage's field: `stages[<index>].<field>`. Also the input's id. */
export function stageFieldName(index: number, field: keyof StageDraft): string {
  return `stages[${index}].${field}`
}

/** Where a stage field's error is found in `PolicyFieldErrors` (zod's issue path, joined). */
export function stageErrorKey(index: number, field: keyof StageDraft): string {
  return `stages.${index}.${field}`
}

/** The id of a stage's fieldset (focused after it moves). */
export function stageElementId(index: number): string {
  return `stage-${index}`
}

export const ADD_STAGE_ID = 'add-stage'

/** The list of problems above the form (focused after a failed save). */
export const ERROR_SUMMARY_ID = 'policy-errors'
