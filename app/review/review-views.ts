/**
 * Shapes of the review page's data that both the server module (inbox.server.ts)
 * and the components render, kept out of the server module so components import
 * no server code.
 */

/** The current stage of a review in progress, as the page shows it. */
export type CurrentStageView = {
  index: number
  count: number
  name: string
  dueAt: string
  dueLabel: string
  overdue: boolean
  pendingReviewers: string[]
  /** When the pending reviewers were reminded; null before. */
  remindedAt: string | null
  /** When the stage escalates to admins if still pending; null when unknown. */
  escalationDueAt: string | null
  escalatedAt: string | null
}
