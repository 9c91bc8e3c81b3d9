/**
 * Reading a stored review-policy snapshot (Review.policySnapshot, JSON) back into its
 * type, checked: the inbox, the notices and the review activities all read it.
 */
import { z } from 'zod'
import type { ReviewPolicySnapshot } from '~/domain/review-policy'

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
