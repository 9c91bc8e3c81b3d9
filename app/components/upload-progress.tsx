/**
 * Uploads with a progress bar, shared by the upload page and the asset page's
 * "Upload new version". Each file is posted on its own with XMLHttpRequest (fetch
 * has no upload progress) and `Accept: application/json`; the route answers a
 * success with a 303 to the version's status resource, which the XHR follows, and a
 * refusal with its status and the message in `X-Damson-Upload-Error`. While the
 * version is processed its status is polled until it is in review or has failed.
 *
 * A zip archive (where the page allows them) is announced with
 * `X-Damson-Upload-Archive`; the route answers with the page, whose JSON island
 * lists one outcome per entry. The archive's row keeps its progress bar while the
 * bytes go up, then the entries get rows of their own beneath it, and the stored
 * ones are polled together through `/library/versions/status?ids=…`.
 *
 * With `resumable` (the upload page), files go up by the tus protocol instead
 * (Uppy with its tus plugin, headless: these rows are the interface) to
 * RESUMABLE_UPLOAD_PATH: in chunks, retried, and resumed from the server's offset after
 * a dropped connection — also after a reload, when the same file is chosen again
 * (tus-js-client keeps each file's upload URL in localStorage). The last chunk's answer
 * is the same batch JSON as the page's island.
 */
import { Link } from '@remix-run/react'
import type Uppy from '@uppy/core'
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { StatusBadge, isVersionStatusName, type VersionStatusName } from '~/components/ui'
import { formatSize } from '~/domain/byte-size'
import {
  looksLikeZip,
  RESUMABLE_CHUNK_BYTES,
  RESUMABLE_METADATA_FIELDS,
  RESUMABLE_UPLOAD_PATH,
  UPLOAD_ARCHIVE_HEADER,
  UPLOAD_ERROR_HEADER,
  UPLOAD_OUTCOMES_ELEMENT_ID,
  UploadBatchJsonSchema,
  VERSION_STATUS_BATCH_SIZE,
  VersionStatusesJsonSchema,
  type UploadBatchJson,
} from '~/library/upload-protocol'
import { DuplicatePrompt } from '~/components/duplicate-prompt'

/** `unpacked`: a zip archive the server has expanded; its entries have rows of their own. */
export type UploadPhase = 'queued' | 'uploading' | 'processing' | 'done' | 'failed' | 'refused' | 'unpacked'

export type UploadItem = {
  key: string
  filename: string
  /** Unknown for an entry of an archive (the server reports its outcome, not its size). */
  bytes: number | null
  /** The key of the archive's row, for a file that came out of a zip. */
  archiveKey: string | null
  /** 0…1, of the bytes sent. */
  progress: number
  phase: UploadPhase
  status: VersionStatusName | null
  message: string | null
  assetId: string | null
  versionId: string | null
}

/** The status resource's JSON (`/library/versions/:versionId/status`). */
type VersionStatusJson = { versionId: string; assetId: string; status: string; failureReason: string | null; notice?: string | null }

const POLL_INTERVAL_MS = 1500
const POLL_GIVE_UP_MS = 10 * 60 * 1000

export function formatUploadSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} B`
}

export type SendOptions = {
  /** The route the form posts to. */
  url: string
  /** The form's text fields for the file at `index` (sent before the file, so the server reads them first). */
  fieldsFor: (file: File, index: number) => readonly (readonly [string, string])[]
}

/** Waits between retries of a failed chunk; then the row says the connection was lost (choosing the file again resumes it). */
const RESUMABLE_RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000]

/** Files uploading at once by tus. */
const RESUMABLE_PARALLEL_FILES = 2

type TusUppy = Uppy<Record<string, string>, Record<string, never>>

/** The batch JSON in a tus answer's body (the last PATCH's), or null. */
function readTusBatch(xhr: unknown): UploadBatchJson | null {
  const text = xhr instanceof XMLHttpRequest ? xhr.responseText : ''
  if (!text) return null
  try {
    const parsed = UploadBatchJsonSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/**
 * The upload queue: `send` posts the files one at a time (the bars fill in order and
 * the server sees one stream per user) and resolves when all have been answered;
 * processing is then polled in the background.
 */
export function useProgressUploads({
  maxUploadBytes,
  maxArchiveBytes,
  onVersionChange,
  resumable = false,
}: {
  maxUploadBytes: number
  /** The largest zip archive the route takes; without it every file is sent as a single image (the version page). */
  maxArchiveBytes?: number
  /** Called when a version was stored and again when its processing ended (e.g. to revalidate a page listing it). */
  onVersionChange?: (versionId: string) => void
  /** Send by tus to the resumable upload endpoint instead of one form post per file (see above). */
  resumable?: boolean
}) {
  const onChange = useRef(onVersionChange)
  onChange.current = onVersionChange
  const [items, setItems] = useState<UploadItem[]>([])
  const [busy, setBusy] = useState(false)
  const alive = useRef(true)
  useEffect(() => {
    alive.current = true
    return () => {
      alive.current = false
    }
  }, [])

  const update = (key: string, patch: Partial<UploadItem>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)))

  async function poll(key: string, statusUrl: string): Promise<void> {
    const started = Date.now()
    while (alive.current && Date.now() - started < POLL_GIVE_UP_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
      let payload: VersionStatusJson
      try {
        const response = await fetch(statusUrl, { headers: { Accept: 'application/json' } })
        if (!response.ok) continue
        payload = (await response.json()) as VersionStatusJson
      } catch {
        continue
      }
      if (payload.status === 'processing') continue
      update(key, {
        phase: payload.status === 'failed' ? 'failed' : 'done',
        status: isVersionStatusName(payload.status) ? payload.status : null,
        message: payload.failureReason ?? payload.notice ?? null,
      })
      onChange.current?.(payload.versionId)
      return
    }
    if (alive.current) update(key, { message: 'Still processing. Check the library later.' })
  }

  /**
   * Polls an archive's stored entries together (versionId → row key), a batch of
   * ids per request, the first look at once: small images may be processed already.
   */
  async function pollVersions(waiting: Map<string, string>): Promise<void> {
    const started = Date.now()
    let firstLook = true
    while (alive.current && waiting.size > 0 && Date.now() - started < POLL_GIVE_UP_MS) {
      if (!firstLook) await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
      firstLook = false
      const ids = [...waiting.keys()]
      for (let start = 0; start < ids.length; start += VERSION_STATUS_BATCH_SIZE) {
        const query = ids.slice(start, start + VERSION_STATUS_BATCH_SIZE).map(encodeURIComponent).join(',')
        let versions
        try {
          const response = await fetch(`/library/versions/status?ids=${query}`, { headers: { Accept: 'application/json' } })
          if (!response.ok) continue
          const parsed = VersionStatusesJsonSchema.safeParse(await response.json())
          if (!parsed.success) continue
          versions = parsed.data.versions
        } catch {
          continue
        }
        for (const version of versions) {
          const key = waiting.get(version.versionId)
          if (!key || version.status === 'processing') continue
          waiting.delete(version.versionId)
          update(key, {
            phase: version.status === 'failed' ? 'failed' : 'done',
            status: isVersionStatusName(version.status) ? version.status : null,
            message: version.failureReason ?? version.notice,
          })
          onChange.current?.(version.versionId)
        }
      }
    }
    if (alive.current) for (const key of waiting.values()) update(key, { message: 'Still processing. Check the library later.' })
  }

  /** The archive's row says what became of it; its entries get rows beneath it and the stored ones are polled. */
  function showArchiveOutcomes(archive: UploadItem, batch: UploadBatchJson): void {
    const [only] = batch.outcomes
    // Refused whole (unsafe, a zip bomb, over a limit) or the request refused before reading: one row says why.
    if (batch.outcomes.length === 0 || (batch.outcomes.length === 1 && only && !only.ok && only.filename === archive.filename)) {
      const message = only && !only.ok ? only.message : (batch.error?.message ?? `${archive.filename} holds no files to upload.`)
      update(archive.key, { phase: 'refused', message })
      return
    }
    const entries: UploadItem[] = batch.outcomes.map((outcome, index) => ({
      key: `${archive.key}/${index}`,
      filename: outcome.filename,
      bytes: null,
      archiveKey: archive.key,
      progress: 1,
      phase: outcome.ok ? 'processing' : 'refused',
      status: outcome.ok ? 'processing' : null,
      message: outcome.ok ? null : outcome.message,
      assetId: outcome.ok ? outcome.assetId : null,
      versionId: outcome.ok ? outcome.versionId : null,
    }))
    const stored = batch.outcomes.filter((outcome) => outcome.ok).length
    const refused = batch.outcomes.length - stored
    const summary = `${stored} of ${batch.outcomes.length} ${batch.outcomes.length === 1 ? 'file' : 'files'} uploaded${refused > 0 ? `, ${refused} not uploaded` : ''}.`
    setItems((current) =>
      current.flatMap((item) =>
        item.key === archive.key
          ? [{ ...item, progress: 1, phase: 'unpacked' as const, message: batch.error ? `${summary} ${batch.error.message}` : summary }, ...entries]
          : [item],
      ),
    )
    const waiting = new Map(entries.flatMap((entry) => (entry.versionId ? [[entry.versionId, entry.key] as const] : [])))
    for (const versionId of waiting.keys()) onChange.current?.(versionId)
    if (waiting.size > 0) void pollVersions(waiting)
  }

  function sendOne(item: UploadItem, file: File, index: number, options: SendOptions): Promise<void> {
    return new Promise((resolve) => {
      const body = new FormData()
      for (const [name, value] of options.fieldsFor(file, index)) body.append(name, value)
      body.append('file', file, file.name)
      const announcesArchive = maxArchiveBytes !== undefined && looksLikeZip(file)

      const xhr = new XMLHttpRequest()
      xhr.open('POST', options.url)
      xhr.setRequestHeader('Accept', 'application/json')
      if (announcesArchive) xhr.setRequestHeader(UPLOAD_ARCHIVE_HEADER, 'zip')
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) update(item.key, { progress: event.loaded / event.total })
      }
      xhr.onload = () => {
        const isJson = (xhr.getResponseHeader('Content-Type') ?? '').includes('application/json')
        if (xhr.status === 200 && isJson) {
          const payload = JSON.parse(xhr.responseText) as VersionStatusJson
          update(item.key, {
            progress: 1,
            phase: payload.status === 'processing' ? 'processing' : payload.status === 'failed' ? 'failed' : 'done',
            status: isVersionStatusName(payload.status) ? payload.status : 'processing',
            message: payload.failureReason ?? payload.notice ?? null,
            assetId: payload.assetId,
            versionId: payload.versionId,
          })
          onChange.current?.(payload.versionId)
          if (payload.status === 'processing') void poll(item.key, `/library/versions/${payload.versionId}/status`)
          resolve()
          return
        }
        const batch = readUploadBatch(xhr)
        // The batch answer: asked for with the archive hint, or several outcomes from a zip sent without it.
        if (batch && (announcesArchive || batch.outcomes.length > 1)) {
          showArchiveOutcomes(item, batch)
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

  /** Uppy, made on the first resumable send (its modules load in the browser only). */
  const uppy = useRef<Promise<TusUppy> | null>(null)
  /** Uppy file id → the row it fills, and the promise `send` waits on. */
  const tusRows = useRef(new Map<string, { key: string; filename: string; settle: () => void }>())
  useEffect(
    () => () => {
      void uppy.current?.then((instance) => instance.destroy())
    },
    [],
  )

  function getUppy(): Promise<TusUppy> {
    uppy.current ??= (async () => {
      const [{ default: UppyCore }, { default: Tus }] = await Promise.all([import('@uppy/core'), import('@uppy/tus')])
      const instance: TusUppy = new UppyCore<Record<string, string>, Record<string, never>>({ autoProceed: false, allowMultipleUploadBatches: true })
      instance.use(Tus, {
        endpoint: RESUMABLE_UPLOAD_PATH,
        chunkSize: RESUMABLE_CHUNK_BYTES,
        retryDelays: RESUMABLE_RETRY_DELAYS_MS,
        limit: RESUMABLE_PARALLEL_FILES,
        // Each file's meta holds only the fields it has (an absent one would go as "undefined"); the server ignores Uppy's own.
        allowedMetaFields: true,
        removeFingerprintOnSuccess: true,
      })
      const settle = (fileId: string) => {
        const row = tusRows.current.get(fileId)
        tusRows.current.delete(fileId)
        if (instance.getFile(fileId)) instance.removeFile(fileId)
        row?.settle()
      }
      instance.on('upload-progress', (file, progress) => {
        const row = file ? tusRows.current.get(file.id) : undefined
        if (row && progress.bytesTotal) update(row.key, { phase: 'uploading', progress: (progress.bytesUploaded ?? 0) / progress.bytesTotal })
      })
      instance.on('upload-success', (file, response) => {
        const row = file ? tusRows.current.get(file.id) : undefined
        if (!file || !row) return
        const batch = readTusBatch(response.body?.xhr)
        const [only] = batch?.outcomes ?? []
        if (!batch) {
          update(row.key, { phase: 'refused', progress: 1, message: `The server did not say what became of ${row.filename}. Look for it in the library before uploading it again.` })
        } else if (batch.outcomes.length === 1 && only?.ok && only.filename === row.filename) {
          update(row.key, { progress: 1, phase: 'processing', status: 'processing', assetId: only.assetId, versionId: only.versionId, message: null })
          onChange.current?.(only.versionId)
          void pollVersions(new Map([[only.versionId, row.key]]))
        } else {
          const item = { key: row.key, filename: row.filename } as UploadItem
          showArchiveOutcomes(item, batch)
        }
        settle(file.id)
      })
      instance.on('upload-error', (file, error, response) => {
        const row = file ? tusRows.current.get(file.id) : undefined
        if (!file || !row) return
        const xhr: unknown = response?.body?.xhr
        const answer = xhr instanceof XMLHttpRequest ? xhr.responseText.trim() : ''
        const status = response?.status ?? 0
        const message =
          status >= 400 && answer
            ? answer
            : 'The connection was lost and retrying did not help. Choose the file again to carry on from where it stopped.'
        update(row.key, { phase: 'refused', message })
        settle(file.id)
        if (!(status >= 400 && answer)) console.warn(`upload of ${row.filename} failed:`, error)
      })
      return instance
    })()
    return uppy.current
  }

  /** Sends the queued files by tus, two at a time; resolves when each has succeeded or failed. */
  async function sendResumable(queued: readonly UploadItem[], files: readonly File[], options: SendOptions): Promise<void> {
    const instance = await getUppy()
    const settled: Promise<void>[] = []
    for (const [index, file] of files.entries()) {
      const item = queued[index]
      if (!item || item.phase === 'refused') continue
      const meta: Record<string, string> = { filename: file.name, filetype: file.type }
      for (const [name, value] of options.fieldsFor(file, index)) {
        if (value && (RESUMABLE_METADATA_FIELDS as readonly string[]).includes(name)) meta[name] = value
      }
      let fileId: string
      try {
        fileId = instance.addFile({ name: file.name, type: file.type, data: file, meta, source: 'damson' })
      } catch (error) {
        update(item.key, { phase: 'refused', message: error instanceof Error ? error.message : String(error) })
        continue
      }
      settled.push(new Promise<void>((resolve) => tusRows.current.set(fileId, { key: item.key, filename: file.name, settle: resolve })))
      update(item.key, { phase: 'uploading' })
    }
    if (settled.length === 0) return
    await Promise.all([instance.upload().catch(() => undefined), ...settled])
  }

  async function send(files: readonly File[], options: SendOptions): Promise<void> {
    // Refused before sending: the server would refuse these too, after the bytes crossed the wire.
    const queued: UploadItem[] = files.map((file, index) => {
      const isArchive = maxArchiveBytes !== undefined && looksLikeZip(file)
      const limit = isArchive ? Math.max(maxArchiveBytes, maxUploadBytes) : maxUploadBytes
      return {
        key: `${Date.now()}-${index}-${file.name}`,
        filename: file.name,
        bytes: file.size,
        archiveKey: null,
        progress: 0,
        phase: file.size > limit || file.size === 0 ? 'refused' : 'queued',
        status: null,
        message:
          file.size > limit
            ? `${file.name} is larger than the ${formatSize(limit)} limit${isArchive ? ' for a zip archive' : ''}.`
            : file.size === 0
              ? `${file.name} is empty (0 bytes).`
              : null,
        assetId: null,
        versionId: null,
      }
    })
    setItems((current) => [...queued, ...current])
    setBusy(true)
    try {
      if (resumable) {
        await sendResumable(queued, files, options)
        return
      }
      for (const [index, file] of files.entries()) {
        const item = queued[index]
        if (!item || item.phase === 'refused') continue
        await sendOne(item, file, index, options)
      }
    } finally {
      setBusy(false)
    }
  }

  return { items, busy, send }
}

/** The outcomes the upload page embeds in its HTML answer, or null when there are none (another page, a proxy's error). */
function readUploadBatch(xhr: XMLHttpRequest): UploadBatchJson | null {
  if (!(xhr.getResponseHeader('Content-Type') ?? '').includes('text/html')) return null
  const island = new DOMParser().parseFromString(xhr.responseText, 'text/html').getElementById(UPLOAD_OUTCOMES_ELEMENT_ID)
  if (!island?.textContent) return null
  try {
    const parsed = UploadBatchJsonSchema.safeParse(JSON.parse(island.textContent))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

export type UploadProgressRowProps = {
  item: UploadItem
  /** Where "View" goes once the server has answered; the asset's page by default. */
  viewHref?: (item: UploadItem & { assetId: string }) => string
  /** Shown at the foot of the row (e.g. a question about the stored file). */
  children?: ReactNode
}

export function UploadProgressRow({ item, viewHref, children }: UploadProgressRowProps) {
  const percent = Math.round(item.progress * 100)
  const assetId = item.assetId
  return (
    <li
      className={item.archiveKey ? 'ml-3 border-l-2 border-zinc-100 pl-4 text-sm' : 'text-sm'}
      data-upload-item={item.phase}
      data-upload-entry={item.archiveKey ? '' : undefined}
    >
      <div className="flex items-center justify-between gap-4">
        <div className="min-w-0">
          <span className="block truncate font-medium text-zinc-900">{item.filename}</span>
          {item.bytes !== null ? <span className="text-xs text-zinc-500">{formatUploadSize(item.bytes)}</span> : null}
        </div>
        <div className="flex shrink-0 items-center gap-3">
          {item.phase === 'queued' ? <span className="text-zinc-500">Waiting…</span> : null}
          {item.phase === 'uploading' ? <span className="tabular-nums text-zinc-700">Uploading {percent}%</span> : null}
          {item.phase === 'processing' ? <StatusBadge status="processing" /> : null}
          {item.phase === 'done' && item.status ? <StatusBadge status={item.status} /> : null}
          {item.phase === 'failed' ? <StatusBadge status="failed" /> : null}
          {item.phase === 'refused' ? <span className="font-medium text-red-700">Not uploaded</span> : null}
          {item.phase === 'unpacked' ? <span className="font-medium text-zinc-700">Unpacked</span> : null}
          {assetId ? (
            <Link to={viewHref ? viewHref({ ...item, assetId }) : `/library/assets/${assetId}`} className="text-damson-700 hover:underline">
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
      {item.phase === 'processing' ? <p className="mt-1 text-xs text-zinc-500">Making previews and reading the file…</p> : null}
      {item.phase === 'done' && item.status === 'in_review' ? (
        <p className="mt-1 text-xs text-emerald-700">Processed and waiting for review.</p>
      ) : null}
      {item.phase === 'done' && item.status === 'awaiting_metadata' ? (
        <p className="mt-1 text-xs text-amber-800">
          {item.message ?? 'Needs metadata before it can go to review.'}{' '}
          {item.assetId ? (
            <a className="font-medium underline" href={`/library/assets/${item.assetId}/metadata`}>
              Fill in the metadata
            </a>
          ) : null}
        </p>
      ) : null}
      {item.versionId && (item.phase === 'processing' || item.phase === 'done') ? (
        // Keyed by phase: asked again once processing has stored the perceptual hash (near duplicates).
        <DuplicatePrompt key={`${item.versionId}-${item.phase}`} versionId={item.versionId} />
      ) : null}
      {(item.phase === 'failed' || item.phase === 'refused') && item.message ? (
        <p className="mt-2 rounded-md bg-red-50 px-3 py-2 text-red-800" role="alert">
          {item.phase === 'failed' ? 'Processing failed: ' : ''}
          {item.message}
        </p>
      ) : null}
      {item.phase === 'processing' && item.message ? <p className="mt-1 text-xs text-zinc-500">{item.message}</p> : null}
      {item.phase === 'unpacked' && item.message ? <p className="mt-1 text-xs text-zinc-600">{item.message}</p> : null}
      {children}
    </li>
  )
}

/** The rows of one session's uploads, announced politely to screen readers as they change. */
export function UploadProgressList({
  items,
  viewHref,
  renderExtra,
}: {
  items: readonly UploadItem[]
  viewHref?: UploadProgressRowProps['viewHref']
  /** Extra content at the foot of a row, given the item. */
  renderExtra?: (item: UploadItem) => ReactNode
}) {
  return (
    <ul className="space-y-4" aria-live="polite">
      {items.map((item) => (
        <UploadProgressRow key={item.key} item={item} viewHref={viewHref}>
          {renderExtra?.(item)}
        </UploadProgressRow>
      ))}
    </ul>
  )
}

/** Bytes of all files of the session (entries of an archive count in their archive), and how many have gone up. */
export function overallProgress(items: readonly UploadItem[]): { sent: number; total: number; files: number; done: number } {
  let sent = 0
  let total = 0
  let files = 0
  let done = 0
  for (const item of items) {
    if (item.archiveKey || item.bytes === null || item.phase === 'refused' && item.progress === 0) continue
    files += 1
    total += item.bytes
    const finished = item.phase !== 'queued' && item.phase !== 'uploading'
    sent += finished ? item.bytes : item.bytes * item.progress
    if (finished) done += 1
  }
  return { sent, total, files, done }
}

/** One bar for all the files of the session, by bytes. */
export function UploadOverallProgress({ items }: { items: readonly UploadItem[] }) {
  const { sent, total, files, done } = overallProgress(items)
  if (files === 0 || total === 0) return null
  const percent = Math.round((sent / total) * 100)
  return (
    <div className="mb-5" data-upload-overall>
      <div className="mb-1.5 flex items-baseline justify-between text-sm">
        <span className="font-medium text-zinc-900">
          {done === files ? 'All files sent' : `Sending ${files - done} of ${files} ${files === 1 ? 'file' : 'files'}`}
        </span>
        <span className="tabular-nums text-zinc-600">
          {formatUploadSize(sent)} of {formatUploadSize(total)} · {percent}%
        </span>
      </div>
      <div
        className="h-2.5 overflow-hidden rounded-full bg-zinc-100"
        role="progressbar"
        aria-label="All uploads"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="h-full rounded-full bg-damson-700 transition-[width] duration-200" style={{ width: `${percent}%` }} />
      </div>
    </div>
  )
}
