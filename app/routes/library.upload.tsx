/**
 * Upload images. Without JavaScript this is a plain multipart form: every chosen
 * file becomes an asset and the page lists the results. With JavaScript each file
 * is posted on its own (same form fields, same action, `Accept: application/json`)
 * so it gets a progress bar, and then its processing status is polled until it is
 * ready for review or has failed.
 *
 * The JSON answer: on success the action redirects (303) to the version's status
 * resource (`/library/versions/:id/status`), which the XHR follows; on failure it
 * answers with the error status and the message in `X-Damson-Upload-Error`
 * (URI-encoded). A Remix document POST always renders HTML, hence this shape.
 */
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { z } from 'zod'
import { receiveUploads, type UploadOutcome } from '~/assets/upload.server'
import { requirePermission } from '~/auth.server'
import { Button, buttonClasses, Card, CardBody, Field, Label, PageHeader, StatusBadge, type VersionStatusName } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { getEnv } from '~/env.server'
import { getVersionStatuses, type VersionStatusPayload } from '~/library/version-status.server'
import { getClientIp } from '~/request.server'
import { getStorage } from '~/storage.server'

export const meta: MetaFunction = () => [{ title: 'Upload · Damson' }]

const UPLOAD_ERROR_HEADER = 'X-Damson-Upload-Error'
/** Room for the multipart envelope and the text fields on top of the largest file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024
const ACCEPTED_TYPES = 'image/jpeg,image/png,image/webp,image/gif,image/tiff,image/avif'

const UploadedQuerySchema = z.object({
  uploaded: z
    .string()
    .max(2000)
    .optional()
    .transform((value) => (value ?? '').split(',').filter((id) => /^[A-Za-z0-9-]{1,64}$/.test(id)).slice(0, 50)),
})

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'asset:upload')
    const { uploaded } = UploadedQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const uploadedVersions = await getVersionStatuses({ db: getDb(), versionIds: uploaded })
    return data({ maxUploadBytes: getEnv().MAX_UPLOAD_BYTES, uploaded: uploadedVersions })
  })
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.get('Accept') ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

type ActionData = { outcomes: UploadOutcome[]; error: { status: number; message: string } | null }

function refused(request: Request, body: ActionData, status: number) {
  const firstFailure = body.outcomes.find((outcome): outcome is Extract<UploadOutcome, { ok: false }> => !outcome.ok)
  const message = body.error?.message ?? firstFailure?.message
  const headers = new Headers()
  if (wantsJson(request) && message) headers.set(UPLOAD_ERROR_HEADER, encodeURIComponent(message))
  return data(body, { status, headers })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'asset:upload')
  const maxUploadBytes = getEnv().MAX_UPLOAD_BYTES

  // Refuse an obviously oversized request before reading any of it.
  const declaredLength = Number(request.headers.get('Content-Length'))
  if (Number.isFinite(declaredLength) && declaredLength > maxUploadBytes + FORM_OVERHEAD_BYTES) {
    const message = `The upload is larger than the ${Math.round(maxUploadBytes / 1024 / 1024)} MB limit.`
    return refused(request, { outcomes: [], error: { status: 413, message } }, 413)
  }

  const result = await receiveUploads({
    request,
    db: getDb(),
    storage: getStorage(),
    uploader: user,
    ipAddress: getClientIp(request),
    maxBytes: maxUploadBytes,
  })

  const succeeded = result.outcomes.filter((outcome) => outcome.ok)
  const allOk = result.error === null && succeeded.length === result.outcomes.length
  if (allOk) {
    const [only] = succeeded
    if (wantsJson(request) && only && succeeded.length === 1) {
      return redirect(`/library/versions/${only.versionId}/status`, 303)
    }
    return redirect(`/library/upload?uploaded=${succeeded.map((outcome) => outcome.versionId).join(',')}`, 303)
  }
  const firstFailure = result.outcomes.find((outcome): outcome is Extract<UploadOutcome, { ok: false }> => !outcome.ok)
  const status = succeeded.length > 0 ? 200 : (result.error?.status ?? firstFailure?.status ?? 400)
  return refused(request, result, status)
}

/** Lets the upload error header through to the document response (for the XHR client). */
export const headers: HeadersFunction = ({ actionHeaders, parentHeaders }) => {
  const headers = new Headers(parentHeaders)
  const uploadError = actionHeaders.get(UPLOAD_ERROR_HEADER)
  if (uploadError) headers.set(UPLOAD_ERROR_HEADER, uploadError)
  return headers
}

// ───────────────────────────── page

type Phase = 'queued' | 'uploading' | 'processing' | 'done' | 'failed' | 'refused'

type Item = {
  key: string
  filename: string
  bytes: number
  progress: number
  phase: Phase
  status: VersionStatusName | null
  message: string | null
  assetId: string | null
  versionId: string | null
}

const POLL_INTERVAL_MS = 1500
const POLL_GIVE_UP_MS = 10 * 60 * 1000

function numberedTitle(title: string, index: number): string {
  if (!title) return ''
  return index === 0 ? title : `${title} (${index + 1})`
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} B`
}

function isVersionStatus(value: string): value is VersionStatusName {
  return ['processing', 'in_review', 'approved', 'rejected', 'changes_requested', 'superseded', 'failed'].includes(value)
}

export default function UploadPage() {
  const { maxUploadBytes, uploaded } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [items, setItems] = useState<Item[]>([])
  const [busy, setBusy] = useState(false)
  const formRef = useRef<HTMLFormElement>(null)
  const alive = useRef(true)
  useEffect(() => {
    alive.current = true
    return () => {
      alive.current = false
    }
  }, [])

  const update = (key: string, patch: Partial<Item>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)))

  async function poll(key: string, statusUrl: string): Promise<void> {
    const started = Date.now()
    while (alive.current && Date.now() - started < POLL_GIVE_UP_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
      let payload: VersionStatusPayload
      try {
        const response = await fetch(statusUrl, { headers: { Accept: 'application/json' } })
        if (!response.ok) continue
        payload = (await response.json()) as VersionStatusPayload
      } catch {
        continue
      }
      if (payload.status === 'processing') continue
      const status = isVersionStatus(payload.status) ? payload.status : null
      update(key, {
        phase: payload.status === 'failed' ? 'failed' : 'done',
        status,
        message: payload.failureReason,
      })
      return
    }
    if (alive.current) update(key, { message: 'Still processing. Check the library later.' })
  }

  function send(item: Item, file: File, fields: FormData, index: number): Promise<void> {
    return new Promise((resolve) => {
      const body = new FormData()
      body.append('title', numberedTitle(String(fields.get('title') ?? '').trim(), index))
      body.append('description', String(fields.get('description') ?? ''))
      body.append('folderPath', String(fields.get('folderPath') ?? ''))
      body.append('tags', String(fields.get('tags') ?? ''))
      body.append('file', file, file.name)

      const xhr = new XMLHttpRequest()
      xhr.open('POST', '/library/upload')
      xhr.setRequestHeader('Accept', 'application/json')
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) update(item.key, { progress: event.loaded / event.total })
      }
      xhr.onload = () => {
        const isJson = (xhr.getResponseHeader('Content-Type') ?? '').includes('application/json')
        if (xhr.status === 200 && isJson) {
          const payload = JSON.parse(xhr.responseText) as VersionStatusPayload
          update(item.key, {
            progress: 1,
            phase: payload.status === 'processing' ? 'processing' : payload.status === 'failed' ? 'failed' : 'done',
            status: isVersionStatus(payload.status) ? payload.status : 'processing',
            message: payload.failureReason,
            assetId: payload.assetId,
            versionId: payload.versionId,
          })
          if (payload.status === 'processing') void poll(item.key, `/library/versions/${payload.versionId}/status`)
        } else {
          const header = xhr.getResponseHeader(UPLOAD_ERROR_HEADER)
          const message = header ? decodeURIComponent(header) : `The upload failed (HTTP ${xhr.status}).`
          update(item.key, { phase: 'refused', message })
        }
        resolve()
      }
      xhr.onerror = () => {
        update(item.key, { phase: 'refused', message: 'The connection was lost during the upload. Try again.' })
        resolve()
      }
      update(item.key, { phase: 'uploading' })
      xhr.send(body)
    })
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const fields = new FormData(form)
    const files = fields.getAll('file').filter((value): value is File => value instanceof File && value.name !== '')
    if (files.length === 0) return
    const queued: Item[] = files.map((file, index) => ({
      key: `${Date.now()}-${index}-${file.name}`,
      filename: file.name,
      bytes: file.size,
      progress: 0,
      phase: file.size > maxUploadBytes ? 'refused' : file.size === 0 ? 'refused' : 'queued',
      status: null,
      message:
        file.size > maxUploadBytes
          ? `${file.name} is larger than the ${Math.round(maxUploadBytes / 1024 / 1024)} MB limit.`
          : file.size === 0
            ? `${file.name} is empty (0 bytes).`
            : null,
      assetId: null,
      versionId: null,
    }))
    setItems((current) => [...queued, ...current])
    setBusy(true)
    // One at a time: the bars fill in order and the server sees one stream per user.
    for (const [index, file] of files.entries()) {
      const item = queued[index]
      if (!item || item.phase === 'refused') continue
      await send(item, file, fields, index)
    }
    setBusy(false)
    // Title and description belong to the batch just sent; folder and tags usually carry over.
    for (const name of ['file', 'title', 'description']) {
      const field = form.elements.namedItem(name)
      if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) field.value = ''
    }
  }

  const serverOutcomes = actionData?.outcomes ?? []
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        eyebrow={
          <Link to="/library" className="hover:text-zinc-800">
            Library
          </Link>
        }
        title="Upload images"
        description={`JPEG, PNG, WebP, GIF, TIFF or AVIF, up to ${Math.round(maxUploadBytes / 1024 / 1024)} MB each. Each file becomes an asset and goes to review once processed.`}
      />

      {actionData?.error ? (
        <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800" data-upload-error>
          {actionData.error.message}
        </p>
      ) : null}

      {serverOutcomes.length > 0 ? (
        <Card className="mb-6">
          <CardBody>
            <h2 className="mb-3 text-sm font-semibold text-zinc-900">Results</h2>
            <ul className="divide-y divide-zinc-100">
              {serverOutcomes.map((outcome, index) => (
                <li key={`${outcome.filename}-${index}`} className="py-2 text-sm">
                  <div className="flex items-center justify-between gap-4">
                    <span className="min-w-0 truncate font-medium text-zinc-800">{outcome.filename}</span>
                    {outcome.ok ? (
                      <Link to={`/library/assets/${outcome.assetId}`} className="shrink-0 text-damson-700 hover:underline">
                        Uploaded — view asset
                      </Link>
                    ) : (
                      <span className="shrink-0 font-medium text-red-700">Not uploaded</span>
                    )}
                  </div>
                  {outcome.ok ? null : (
                    <p className="mt-1 rounded-md bg-red-50 px-3 py-2 text-red-800" data-upload-error>
                      {outcome.message}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
      ) : null}

      {uploaded.length > 0 ? (
        <Card className="mb-6">
          <CardBody>
            <div className="mb-3 flex items-center justify-between">
              <h2 className="text-sm font-semibold text-zinc-900">Uploaded</h2>
              <Link to={`/library/upload?uploaded=${uploaded.map((version) => version.versionId).join(',')}`} className="text-sm text-damson-700 hover:underline">
                Refresh status
              </Link>
            </div>
            <ul className="divide-y divide-zinc-100">
              {uploaded.map((version) => (
                <li key={version.versionId} className="flex items-start justify-between gap-4 py-2 text-sm">
                  <div className="min-w-0">
                    <Link to={`/library/assets/${version.assetId}`} className="font-medium text-zinc-900 hover:underline">
                      {version.title}
                    </Link>
                    <div className="truncate text-xs text-zinc-500">{version.filename}</div>
                    {version.failureReason ? <p className="mt-1 text-red-700">{version.failureReason}</p> : null}
                  </div>
                  <StatusBadge status={version.status} />
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
      ) : null}

      <Card>
        <form
          ref={formRef}
          method="post"
          action="/library/upload"
          encType="multipart/form-data"
          onSubmit={(event) => void onSubmit(event)}
        >
          <CardBody className="space-y-5">
            <Field
              label="Title"
              name="title"
              maxLength={300}
              hint="Optional. Leave empty to use each file's name. With several files, later ones are numbered “Title (2)”, “Title (3)”…"
            />
            <div className="space-y-1.5">
              <Label htmlFor="upload-description">Description</Label>
              <textarea
                id="upload-description"
                name="description"
                rows={3}
                maxLength={5000}
                className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm placeholder:text-zinc-400 focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100"
              />
            </div>
            <div className="grid gap-5 sm:grid-cols-2">
              <Field label="Folder" name="folderPath" placeholder="/campaigns/summer-2027" maxLength={500} />
              <Field label="Tags" name="tags" placeholder="summer, hero, outdoor" hint="Separate tags with commas." />
            </div>
            {/* Last in the form: the server reads the fields above before the files stream in. */}
            <div className="space-y-1.5">
              <Label htmlFor="upload-file">Images</Label>
              <input
                id="upload-file"
                name="file"
                type="file"
                accept={ACCEPTED_TYPES}
                multiple
                required
                className="block w-full cursor-pointer rounded-md border border-dashed border-zinc-300 bg-zinc-50 p-4 text-sm text-zinc-700 file:mr-4 file:cursor-pointer file:rounded-md file:border-0 file:bg-damson-600 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-white hover:bg-zinc-100"
              />
              <p className="text-sm text-zinc-500">Choose one or more images. The file type is checked from its contents, not its name.</p>
            </div>
          </CardBody>
          <div className="flex items-center justify-end gap-3 border-t border-zinc-100 px-5 py-3">
            <Link to="/library" className={buttonClasses({ variant: 'ghost' })}>
              Cancel
            </Link>
            <Button type="submit" disabled={busy}>
              {busy ? 'Uploading…' : 'Upload'}
            </Button>
          </div>
        </form>
      </Card>

      {items.length > 0 ? (
        <Card className="mt-6">
          <CardBody>
            <h2 className="mb-3 text-sm font-semibold text-zinc-900">This session</h2>
            <ul className="space-y-4" aria-live="polite">
              {items.map((item) => (
                <UploadRow key={item.key} item={item} />
              ))}
            </ul>
          </CardBody>
        </Card>
      ) : null}
    </div>
  )
}

function UploadRow({ item }: { item: Item }) {
  const percent = Math.round(item.progress * 100)
  return (
    <li className="text-sm" data-upload-item={item.phase}>
      <div className="flex items-center justify-between gap-4">
        <div className="min-w-0">
          <span className="block truncate font-medium text-zinc-900">{item.filename}</span>
          <span className="text-xs text-zinc-500">{formatSize(item.bytes)}</span>
        </div>
        <div className="flex shrink-0 items-center gap-3">
          {item.phase === 'queued' ? <span className="text-zinc-500">Waiting…</span> : null}
          {item.phase === 'uploading' ? <span className="tabular-nums text-zinc-700">Uploading {percent}%</span> : null}
          {item.phase === 'processing' ? <StatusBadge status="processing" /> : null}
          {item.phase === 'done' && item.status ? <StatusBadge status={item.status} /> : null}
          {item.phase === 'failed' ? <StatusBadge status="failed" /> : null}
          {item.phase === 'refused' ? <span className="font-medium text-red-700">Not uploaded</span> : null}
          {item.assetId ? (
            <Link to={`/library/assets/${item.assetId}`} className="text-damson-700 hover:underline">
              View
            </Link>
          ) : null}
        </div>
      </div>
      {item.phase === 'uploading' || item.phase === 'queued' ? (
        <div
          className="mt-2 h-2 overflow-hidden rounded-full bg-zinc-100"
          role="progressbar"
          aria-label={`Uploading ${item.filename}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="h-full rounded-full bg-damson-600 transition-[width] duration-200" style={{ width: `${percent}%` }} />
        </div>
      ) : null}
      {item.phase === 'processing' ? (
        <div className="mt-2 h-2 overflow-hidden rounded-full bg-sky-100" aria-hidden>
          <div className="h-full w-1/3 animate-pulse rounded-full bg-sky-400" />
        </div>
      ) : null}
      {item.phase === 'processing' ? (
        <p className="mt-1 text-xs text-zinc-500">Making previews and checking the image…</p>
      ) : null}
      {item.phase === 'done' && item.status === 'in_review' ? (
        <p className="mt-1 text-xs text-emerald-700">Processed and waiting for review.</p>
      ) : null}
      {(item.phase === 'failed' || item.phase === 'refused') && item.message ? (
        <p className="mt-2 rounded-md bg-red-50 px-3 py-2 text-red-800" role="alert">
          {item.phase === 'failed' ? 'Processing failed: ' : ''}
          {item.message}
        </p>
      ) : null}
      {item.phase === 'processing' && item.message ? <p className="mt-1 text-xs text-zinc-500">{item.message}</p> : null}
    </li>
  )
}
