/**
 * Upload a new version of an asset: a panel rendered inside the asset page (this is
 * its child route). Without JavaScript it is a plain multipart form; with it, the
 * file is posted with XHR (`Accept: application/json`) for a progress bar, and its
 * processing is polled, exactly as on the upload page: success is a 303 to the
 * version's status resource, a refusal its status (413/415/400) with the message in
 * `X-Damson-Upload-Error`.
 *
 * The current approved version stays live for partners while the new one is
 * processed and reviewed; older versions still in review are withdrawn.
 *
 * GET and POST: asset:upload (admin, librarian).
 */
import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useRevalidator, useRouteLoaderData } from '@remix-run/react'
import type { FormEvent } from 'react'
import { z } from 'zod'
import { receiveNewVersion } from '~/assets/upload.server'
import { requirePermission } from '~/auth.server'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, Label } from '~/components/ui'
import { UploadProgressList, useProgressUploads } from '~/components/upload-progress'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { handleAppErrors } from '~/http.server'
import { declaredTooLarge, passUploadErrorHeader, refusalHeaders, wantsJson } from '~/library/upload-http.server'
import { formatSize } from '~/domain/byte-size'
import { ACCEPTED_FILE_TYPES } from '~/library/upload-protocol'
import { getClientIp } from '~/request.server'
import { getStorage } from '~/storage.server'
import type { loader as assetLoader } from './library.assets.$assetId'

const ParamsSchema = z.object({ assetId: z.string().min(1).max(64) })
const ASSET_ROUTE_ID = 'routes/library.assets.$assetId'

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'asset:upload')
    ParamsSchema.parse(params)
    return data({ maxUploadBytes: getEnv().MAX_UPLOAD_BYTES })
  })
}

type Refusal = { error: { status: number; message: string; filename: string | null } }

function refused(request: Request, refusal: Refusal['error']) {
  return data({ error: refusal } satisfies Refusal, { status: refusal.status, headers: refusalHeaders(request, refusal.message) })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'asset:upload')
    const { assetId } = ParamsSchema.parse(params)
    const maxUploadBytes = getEnv().MAX_UPLOAD_BYTES

    // Refuse an obviously oversized request before reading any of it.
    const tooLarge = declaredTooLarge(request, maxUploadBytes)
    if (tooLarge) return refused(request, { status: 413, message: tooLarge, filename: null })

    const receipt = await receiveNewVersion({
      request,
      db: getDb(),
      storage: getStorage(),
      uploader: user,
      assetId,
      ipAddress: getClientIp(request),
      maxBytes: maxUploadBytes,
    })
    if (!receipt.ok) return refused(request, { status: receipt.status, message: receipt.message, filename: receipt.filename })
    if (wantsJson(request)) return redirect(`/library/versions/${receipt.versionId}/status`, 303)
    return redirect(`/library/assets/${assetId}?version=${receipt.versionId}`, 303)
  })
}

export const headers: HeadersFunction = passUploadErrorHeader

export default function NewVersionPanel() {
  const { maxUploadBytes } = useLoaderData<typeof loader>()
  const assetPage = useRouteLoaderData<typeof assetLoader>(ASSET_ROUTE_ID)
  const actionData = useActionData<typeof action>()
  const revalidator = useRevalidator()
  // The version history above lists the new version as soon as it is stored, and its status once processed.
  // Resumable like the upload page: a dropped connection picks up where it stopped (the form post stays the no-JS path).
  const { items, busy, send } = useProgressUploads({ maxUploadBytes, resumable: true, onVersionChange: () => revalidator.revalidate() })
  if (!assetPage) return null
  const { asset, versions } = assetPage
  const nextNumber = (versions[0]?.number ?? 0) + 1
  const current = versions.find((version) => version.isCurrent) ?? null
  const inReview = versions
    .filter((version) => version.status === 'in_review' || version.status === 'processing')
    .map((version) => version.number)
    .sort((a, b) => a - b)
  const inReviewNames =
    inReview.length === 1 ? `version ${inReview[0]}` : `versions ${inReview.slice(0, -1).join(', ')} and ${inReview[inReview.length - 1]}`
  const postUrl = `/library/assets/${asset.id}/versions/new`

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const file = new FormData(form).get('file')
    if (!(file instanceof File) || file.name === '') return
    await send([file], { url: postUrl, fieldsFor: () => [['assetId', asset.id]] })
    const input = form.elements.namedItem('file')
    if (input instanceof HTMLInputElement) input.value = ''
  }

  return (
    <Card id="new-version" className="scroll-mt-6">
      <CardHeader className="flex items-center justify-between gap-3">
        <CardTitle>Upload a new version</CardTitle>
        <Link to={`/library/assets/${asset.id}`} preventScrollReset className="text-sm text-zinc-500 hover:text-zinc-800">
          Close
        </Link>
      </CardHeader>
      <form method="post" action={postUrl} encType="multipart/form-data" onSubmit={(event) => void onSubmit(event)}>
        <CardBody className="space-y-4">
          <p className="text-sm text-zinc-600">
            It becomes version {nextNumber} and goes to review once processed.{' '}
            {current
              ? `Until it is approved, partners keep seeing version ${current.number}.`
              : 'Partners see nothing of this asset until a version is approved.'}
            {inReview.length > 0 ? ` Still in review, ${inReviewNames} will be withdrawn from review.` : ''}
          </p>
          {actionData && 'error' in actionData ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800" data-upload-error>
              {actionData.error.message}
            </p>
          ) : null}
          <div className="space-y-1.5">
            <Label htmlFor="new-version-file">File</Label>
            <input
              id="new-version-file"
              name="file"
              type="file"
              accept={ACCEPTED_FILE_TYPES}
              required
              className="block w-full cursor-pointer rounded-md border border-dashed border-zinc-300 bg-zinc-50 p-4 text-sm text-zinc-700 file:mr-4 file:cursor-pointer file:rounded-md file:border-0 file:bg-damson-600 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-white hover:bg-zinc-100"
            />
            <p className="text-sm text-zinc-500">
              A file of the same kind as this asset, up to {formatSize(maxUploadBytes)}. The type is checked from the file’s contents.
            </p>
          </div>
          {items.length > 0 ? (
            <UploadProgressList items={items} viewHref={(item) => `/library/assets/${item.assetId}?version=${item.versionId ?? ''}`} />
          ) : null}
        </CardBody>
        <div className="flex items-center justify-end gap-3 border-t border-zinc-100 px-5 py-3">
          <Link to={`/library/assets/${asset.id}`} preventScrollReset className={buttonClasses({ variant: 'ghost' })}>
            Cancel
          </Link>
          <Button type="submit" disabled={busy}>
            {busy ? 'Uploading…' : `Upload version ${nextNumber}`}
          </Button>
        </div>
      </form>
    </Card>
  )
}
