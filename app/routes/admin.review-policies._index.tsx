/**
 * Review policies for admins and librarians: which policy a new review follows, and
 * its stages at a glance. The most specific policy applies (collection, folder,
 * kind, then the default); editing one never changes reviews already running.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { describeAppliesTo, describeStage } from '~/components/review-policies/policy-summary'
import { Badge, buttonClasses, Card, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { listReviewPolicies } from '~/review/policies.server'

export const meta: MetaFunction = () => [{ title: 'Review policies · Damson' }]

const NoticeQuerySchema = z.object({
  saved: z.string().max(64).optional().catch(undefined),
  deleted: z.literal('1').optional().catch(undefined),
})

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'policy:manage')
    const query = NoticeQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const policies = await listReviewPolicies({ db: getDb() })
    // The notice names the policy by looking it up, never by echoing the query string.
    const saved = query.saved ? policies.find((policy) => policy.id === query.saved) : undefined
    const notice = saved ? `Saved “${saved.name}”. Reviews that start from now on follow it.` : query.deleted ? 'The policy was deleted.' : null
    return data({ policies, notice }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

function formatDate(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso))
}

function PolicyIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
      <circle cx="5" cy="12" r="2" />
      <circle cx="12" cy="12" r="2" />
      <circle cx="19" cy="12" r="2" />
      <path d="M7 12h3M14 12h3" />
    </svg>
  )
}

export default function ReviewPolicies() {
  const { policies, notice } = useLoaderData<typeof loader>()
  const hasDefault = policies.some((policy) => policy.isDefault)

  return (
    <div>
      <PageHeader
        eyebrow="Administration"
        title="Review policies"
        description="The stages a new version goes through before partners can see it. For each review the most specific policy applies: collection, then folder, then kind, then the default."
        actions={
          <Link to="/admin/review-policies/new" className={buttonClasses()}>
            New policy
          </Link>
        }
      />

      {notice ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}

      <p className="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
        Changes apply to reviews that start afterwards. A review already running keeps the stages and reviewers it started with.
        {policies.length > 0 && !hasDefault
          ? ' There is no default policy: a version no policy matches gets the built-in one (any one brand reviewer, due in 48 hours).'
          : null}
      </p>

      {policies.length === 0 ? (
        <EmptyState
          icon={<PolicyIcon className="size-10" />}
          title="No review policies yet"
          description="Until you add one, every new version goes to the built-in policy: any one reviewer of the brand approves, due in 48 hours."
          action={
            <Link to="/admin/review-policies/new" className={buttonClasses()}>
              New policy
            </Link>
          }
        />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[48rem] text-left text-sm">
            <caption className="sr-only">Review policies, the default first, then by name</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2.5">
                  Name
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Applies to
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Stages
                </th>
                <th scope="col" className="px-4 py-2.5">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {policies.map((policy) => (
                <tr key={policy.id} className="align-top hover:bg-zinc-50">
                  <td className="px-4 py-3">
                    <Link to={`/admin/review-policies/${policy.id}`} className="font-medium text-zinc-900 hover:text-damson-700 hover:underline">
                      {policy.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3">
                    <ul className="flex flex-wrap gap-1.5">
                      {describeAppliesTo(policy).map((part) => (
                        <li key={part.label}>
                          <Badge tone={part.label === 'Default' ? 'accent' : 'neutral'} title={part.value}>
                            {part.label === 'Default' ? (
                              'Default'
                            ) : (
                              <>
                                <span className="text-zinc-500">{part.label}</span>
                                <span className={part.label === 'Folder' ? 'font-mono' : undefined}>{part.value}</span>
                              </>
                            )}
                          </Badge>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="px-4 py-3">
                    <ol className="flex flex-wrap items-center gap-x-1.5 gap-y-1 text-zinc-800" aria-label={`Stages of ${policy.name}`}>
                      {policy.stages.map((stage, index) => (
                        <li key={index} className="flex items-center gap-1.5">
                          {index > 0 ? (
                            <span aria-hidden className="text-zinc-400">
                              →
                            </span>
                          ) : null}
                          <span className={stage.possibleReviewerCount === 0 ? 'font-medium text-red-700' : undefined}>{describeStage(stage)}</span>
                        </li>
                      ))}
                    </ol>
                    <p className="mt-1 text-xs text-zinc-500">{policy.stages.map((stage) => reviewersLine(stage)).join(' · ')}</p>
                  </td>
                  <td className="whitespace-nowrap px-4 py-3 text-zinc-600">{formatDate(policy.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  )
}

/** "Brand: Ann, Bob + reviewer role" */
function reviewersLine(stage: { name: string; reviewerRole: string | null; reviewers: { name: string; canReview: boolean }[] }): string {
  const names = stage.reviewers.map((reviewer) => (reviewer.canReview ? reviewer.name : `${reviewer.name} (cannot review)`))
  const who = [names.join(', '), stage.reviewerRole ? `everyone with the ${stage.reviewerRole} role` : ''].filter(Boolean).join(' + ')
  return `${stage.name}: ${who || 'nobody'}`
}
