/**
 * "Looks like <title>: Add as new version · Keep both · Skip", for a new upload that
 * matches an existing asset (exactly, or by its perceptual hash). Shown in the upload
 * list's row and on the new asset's library page until the uploader decides.
 *
 * Given `candidate`, it renders at once (the library page, server-rendered, works as a
 * plain form without JavaScript: the answer redirects to the asset to look at). Without
 * it (the upload list), it asks the version's status resource, whose `duplicate` field
 * carries the candidate. With JavaScript the form posts in the background and the
 * answer replaces the prompt.
 */
import { useFetcher } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { Button } from '~/components/ui'

/** ~/assets/duplicates.server's DuplicateCandidate, as the page receives it. */
export type DuplicateCandidateView = {
  assetId: string
  title: string
  versionId: string
  versionNumber: number
  thumbnailUrl: string | null
  kind: 'exact' | 'near'
  distance: number
}

type DecisionAnswer = { ok: true; decision: string; message: string; href: string } | { ok: false; message: string }

export function DuplicatePrompt({ versionId, candidate: given }: { versionId: string; candidate?: DuplicateCandidateView | null }) {
  const [fetched, setFetched] = useState<DuplicateCandidateView | null>(null)
  const [hydrated, setHydrated] = useState(false)
  const fetcher = useFetcher<DecisionAnswer>()
  useEffect(() => setHydrated(true), [])

  useEffect(() => {
    if (given !== undefined) return
    const controller = new AbortController()
    fetch(`/library/versions/${encodeURIComponent(versionId)}/status`, { headers: { Accept: 'application/json' }, signal: controller.signal })
      .then((response) => (response.ok ? (response.json() as Promise<{ duplicate?: DuplicateCandidateView | null }>) : null))
      .then((payload) => setFetched(payload?.duplicate ?? null))
      // No prompt is better than a broken one: the asset page shows it again.
      .catch(() => undefined)
    return () => controller.abort()
  }, [given, versionId])

  const candidate = given ?? fetched
  const answer = fetcher.data
  if (answer?.ok) {
    return (
      <p role="status" className="mt-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-duplicate-answer={answer.decision}>
        {answer.message}{' '}
        <a href={answer.href} className="font-medium underline underline-offset-2">
          Open
        </a>
      </p>
    )
  }
  if (!candidate) return null
  const busy = fetcher.state !== 'idle'
  const likeness = candidate.kind === 'exact' ? 'the very same file' : `a very similar picture (${candidate.distance} of 64 bits differ)`

  return (
    <section aria-label="Possible duplicate" className="mt-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-950" data-duplicate-prompt={candidate.kind}>
      <div className="flex items-start gap-3">
        {candidate.thumbnailUrl ? (
          <img src={candidate.thumbnailUrl} alt="" className="size-14 shrink-0 rounded border border-amber-200 bg-white object-cover" />
        ) : (
          <div aria-hidden className="size-14 shrink-0 rounded border border-amber-200 bg-white" />
        )}
        <div className="min-w-0">
          <p>
            Looks like{' '}
            <a href={`/library/assets/${candidate.assetId}`} className="font-semibold underline underline-offset-2">
              {candidate.title}
            </a>{' '}
            (version {candidate.versionNumber}): {likeness}.
          </p>
          <fetcher.Form method="post" action={`/library/versions/${encodeURIComponent(versionId)}/duplicate`} className="mt-2 flex flex-wrap gap-2">
            <input type="hidden" name="existingAssetId" value={candidate.assetId} />
            {hydrated ? <input type="hidden" name="respond" value="json" /> : null}
            <Button type="submit" name="decision" value="add_as_version" size="sm" disabled={busy}>
              Add as new version
            </Button>
            <Button type="submit" name="decision" value="keep_both" size="sm" variant="secondary" disabled={busy}>
              Keep both
            </Button>
            <Button type="submit" name="decision" value="skip" size="sm" variant="ghost" disabled={busy}>
              Skip this upload
            </Button>
          </fetcher.Form>
          {answer && !answer.ok ? (
            <p role="alert" className="mt-2 text-red-800">
              {answer.message}
            </p>
          ) : null}
        </div>
      </div>
    </section>
  )
}
