/**
 * Upload files of any accepted kind, or zip archives of them. Without JavaScript this is a plain
 * multipart form: every chosen file becomes an asset (every file in a zip too, its
 * folders becoming asset folders) and the page lists the results. With JavaScript
 * each file is posted on its own (same form fields, same action,
 * `Accept: application/json`) so it gets a progress bar, and then its processing
 * status is polled until it is ready for review or has failed.
 *
 * The JSON answer for one image: on success the action redirects (303) to the
 * version's status resource (`/library/versions/:id/status`), which the XHR follows;
 * on failure it answers with the error status and the message in
 * `X-Damson-Upload-Error` (URI-encoded). A Remix document POST always renders HTML,
 * hence this shape. For a zip (announced by `X-Damson-Upload-Archive`, or any
 * answer with several outcomes) there is one outcome per entry, possibly thousands:
 * too many for a header or a URL, so the page answers itself and carries them in
 * a JSON island (`UPLOAD_OUTCOMES_ELEMENT_ID`) the client reads; it then polls
 * `/library/versions/status?ids=…`.
 *
 * With JavaScript the files (chosen, or dropped on the page — folders too, whose
 * folders then become asset folders under the chosen one) go up by the resumable tus
 * endpoint (`/library/uploads/tus`, see app/assets/resumable-upload.server.ts): each
 * row has its own bar, one bar shows the bytes of them all, and a dropped connection is
 * retried and resumed from where it stopped.
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
import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react'
import { z } from 'zod'
import { receiveUploads, type UploadOutcome } from '~/assets/upload.server'
import { requirePermission } from '~/auth.server'
import { Button, buttonClasses, Card, CardBody, Field, Label, PageHeader, StatusBadge } from '~/components/ui'
import { UploadOverallProgress, UploadProgressList, useProgressUploads } from '~/components/upload-progress'
import { formatSize } from '~/domain/byte-size'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { getEnv } from '~/env.server'
import { listUploadCollections } from '~/library/upload-collections.server'
import { declaredTooLarge, passUploadErrorHeader, refusalHeaders, wantsJson } from '~/library/upload-http.server'
import {
  ACCEPTED_UPLOAD_TYPES,
  UPLOAD_ARCHIVE_HEADER,
  UPLOAD_OUTCOMES_ELEMENT_ID,
  uploadBatchScriptText,
  type UploadBatchJson,
} from '~/library/upload-protocol'
import { getVersionStatuses } from '~/library/version-status.server'
import { getClientIp } from '~/request.server'
import { getStorage } from '~/storage.server'

export const meta: MetaFunction = () => [{ title: 'Upload · Damson' }]

const UploadedQuerySchema = z.object({
  uploaded: z
    .string()
    .max(2000)
    .optional()
    .transform((value) => (value ?? '').split(',').filter((id) => /^[A-Za-z0-9-]{1,64}$/.test(id)).slice(0, 50)),
})

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'asset:upload')
    const { uploaded } = UploadedQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const db = getDb()
    const [uploadedVersions, collections] = await Promise.all([
      getVersionStatuses({ db, versionIds: uploaded }),
      listUploadCollections({ db, organisationId: user.organisation.id }),
    ])
    const env = getEnv()
    return data({
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      maxArchiveBytes: Math.max(env.ZIP_MAX_UNCOMPRESSED_BYTES, env.MAX_UPLOAD_BYTES),
      uploaded: uploadedVersions,
      collections,
    })
  })
}

type ActionData = { outcomes: UploadOutcome[]; error: { status: number; message: string } | null }

function refused(request: Request, body: ActionData, status: number) {
  const firstFailure = body.outcomes.find((outcome): outcome is Extract<UploadOutcome, { ok: false }> => !outcome.ok)
  const message = body.error?.message ?? firstFailure?.message
  return data(body, { status, headers: refusalHeaders(request, message) })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'asset:upload')
  const env = getEnv()
  const maxUploadBytes = env.MAX_UPLOAD_BYTES
  const announcesArchive = request.headers.has(UPLOAD_ARCHIVE_HEADER)

  // Refuse an obviously oversized request before reading any of it. A request the
  // client says carries a zip may be as large as a zip may be; the hint only moves
  // this early check: while the bytes stream, an image is still held to
  // MAX_UPLOAD_BYTES and an archive to ZIP_MAX_UNCOMPRESSED_BYTES, decided by sniffing.
  const declaredLimit = announcesArchive ? Math.max(env.ZIP_MAX_UNCOMPRESSED_BYTES, maxUploadBytes) : maxUploadBytes
  const tooLarge = declaredTooLarge(request, declaredLimit)
  if (tooLarge) return refused(request, { outcomes: [], error: { status: 413, message: tooLarge } }, 413)

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
  // The XHR client reads a zip's outcomes from the page (see above), so it gets the page, not a redirect.
  const batchAnswer = wantsJson(request) && (announcesArchive || result.outcomes.length > 1)
  if (allOk) {
    const [only] = succeeded
    if (batchAnswer) return data(result, { status: 200 })
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
export const headers: HeadersFunction = passUploadErrorHeader

// ───────────────────────────── page

/** What the XHR client needs of each outcome (no titles: the rows show the file's path). */
function toBatchJson(body: ActionData): UploadBatchJson {
  return {
    outcomes: body.outcomes.map((outcome) =>
      outcome.ok
        ? { ok: true, filename: outcome.filename, assetId: outcome.assetId, versionId: outcome.versionId }
        : { ok: false, filename: outcome.filename, status: outcome.status, message: outcome.message },
    ),
    error: body.error,
  }
}

function numberedTitle(title: string, index: number): string {
  if (!title) return ''
  return index === 0 ? title : `${title} (${index + 1})`
}

/** The folders a dropped file sat in within what was dropped ("summer/beach" for "/summer/beach/a.jpg"), "" for a loose file. */
function droppedFolder(file: File): string {
  const relativePath = (file as File & { relativePath?: string | null }).relativePath ?? ''
  const segments = relativePath.split('/').filter(Boolean)
  return segments.slice(0, -1).join('/')
}

/** Whether a drag carries files (not text or a link from the page). */
function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes('Files')
}

export default function UploadPage() {
  const { maxUploadBytes, maxArchiveBytes, uploaded, collections } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const { items, busy, send } = useProgressUploads({ maxUploadBytes, maxArchiveBytes, resumable: true })
  const formRef = useRef<HTMLFormElement>(null)
  const [dragging, setDragging] = useState(false)
  /** Uppy's folder walker, loaded once the page runs in the browser: a drop's files must be read during the drop event. */
  const droppedFiles = useRef<((dataTransfer: DataTransfer) => Promise<File[]>) | null>(null)
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => {
    setHydrated(true)
    void import('@uppy/core/utils').then((utils) => (droppedFiles.current = utils.getDroppedFiles))
  }, [])

  /** Sends `files` with the form's fields; a dropped folder's own folders go under the chosen folder. */
  async function sendWithFields(form: HTMLFormElement, files: readonly File[]) {
    const fields = new FormData(form)
    const text = (name: string) => String(fields.get(name) ?? '')
    await send(files, {
      url: '/library/upload',
      fieldsFor: (file, index) => [
        ['title', numberedTitle(text('title').trim(), index)],
        ['description', text('description')],
        ['folderPath', [text('folderPath'), droppedFolder(file)].filter(Boolean).join('/')],
        ['tags', text('tags')],
        ['collectionId', text('collectionId')],
      ],
    })
  }

  async function onDrop(event: DragEvent<HTMLDivElement>) {
    if (!carriesFiles(event)) return
    event.preventDefault()
    setDragging(false)
    const form = formRef.current
    if (!form || busy) return
    // Read during the event (the browser empties the DataTransfer after it): folders are
    // walked, each file keeping its path within what was dropped.
    const loose = Array.from(event.dataTransfer.files)
    const walked = droppedFiles.current ? await droppedFiles.current(event.dataTransfer).catch(() => []) : []
    const files = walked.length > 0 ? walked : loose
    if (files.length > 0) await sendWithFields(form, files)
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const files = new FormData(form).getAll('file').filter((value): value is File => value instanceof File && value.name !== '')
    if (files.length === 0) return
    await sendWithFields(form, files)
    // Title and description belong to the batch just sent; folder, tags and collection usually carry over.
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
        title="Upload files"
        description={`Images, video, audio, PDFs, documents, design and 3D files up to ${formatSize(maxUploadBytes)} each, or zip archives of them up to ${formatSize(maxArchiveBytes)}. Each file becomes an asset and goes to review once processed; a zip’s folders become asset folders inside the folder you choose below.`}
      />

      {actionData ? (
        <script
          type="application/json"
          id={UPLOAD_OUTCOMES_ELEMENT_ID}
          dangerouslySetInnerHTML={{ __html: uploadBatchScriptText(toBatchJson(actionData)) }}
        />
      ) : null}

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

      <Card
        className={dragging ? 'ring-2 ring-damson-400 ring-offset-2' : undefined}
        onDragEnter={(event) => {
          if (carriesFiles(event)) setDragging(true)
        }}
        onDragOver={(event) => {
          if (!carriesFiles(event)) return
          event.preventDefault()
          event.dataTransfer.dropEffect = 'copy'
        }}
        onDragLeave={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false)
        }}
        onDrop={(event) => void onDrop(event)}
        data-upload-dropzone
      >
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
            {collections.length > 0 ? (
              <div className="space-y-1.5">
                <Label htmlFor="upload-collection">Add to collection</Label>
                <select
                  id="upload-collection"
                  name="collectionId"
                  defaultValue=""
                  aria-describedby="upload-collection-hint"
                  className="block h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100"
                >
                  <option value="">No collection</option>
                  {collections.map((collection) => (
                    <option key={collection.id} value={collection.id}>
                      {collection.name}
                    </option>
                  ))}
                </select>
                <p id="upload-collection-hint" className="text-sm text-zinc-500">
                  Optional. The review policy may depend on the collection.
                </p>
              </div>
            ) : null}
            {/* Last in the form: the server reads the fields above before the files stream in. */}
            <div className="space-y-1.5">
              <Label htmlFor="upload-file">Images or zip archives</Label>
              <input
                id="upload-file"
                name="file"
                type="file"
                accept={ACCEPTED_UPLOAD_TYPES}
                multiple
                required
                className="block w-full cursor-pointer rounded-md border border-dashed border-zinc-300 bg-zinc-50 p-4 text-sm text-zinc-700 file:mr-4 file:cursor-pointer file:rounded-md file:border-0 file:bg-damson-600 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-white hover:bg-zinc-100"
              />
              {hydrated ? (
                <p className={`rounded-md px-3 py-2 text-sm ${dragging ? 'bg-damson-50 font-medium text-damson-800' : 'bg-zinc-50 text-zinc-600'}`}>
                  {dragging
                    ? 'Drop to upload with the details above.'
                    : 'Or drop files and folders anywhere on this card: a folder’s own folders become asset folders under the one above. Uploads carry on after a dropped connection.'}
                </p>
              ) : null}
              <p className="text-sm text-zinc-500">
                Choose one or more files or zip archives; files in a zip are titled by their names. The file type is checked from
                its contents, not its name. Without JavaScript a zip may be at most {formatSize(maxUploadBytes)}.
              </p>
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
            <UploadOverallProgress items={items} />
            <UploadProgressList items={items} />
          </CardBody>
        </Card>
      ) : null}
    </div>
  )
}
