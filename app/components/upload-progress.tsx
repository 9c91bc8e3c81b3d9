/**
 * Uploads with a progress bar, shared by the upload page and the asset page's
 * "Upload new version". Each file is posted on its own with XMLHttpRequest (fetch
 * has no upload progress) and `Accept: application/json`; the route answers a
 * success with a 303 to the version's status resource, which the XHR follows, and a
 * refusal with its status and the message in `X-Damson-Upload-Error`. While the
 * version is processed its status is polled until it is in review or has failed.
 */
import { Link } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { StatusBadge, type VersionStatusName } from '~/components/ui'
import { UPLOAD_ERROR_HEADER } from '~/library/upload-protocol'

export type UploadPhase = 'queued' | 'uploading' | 'processing' | 'done' | 'failed' | 'refused'

export type UploadItem = {
  key: string
  filename: string
  bytes: number
  /** 0…1, of the bytes sent. */
  progress: number
  phase: UploadPhase
  status: VersionStatusName | null
  message: string | null
  assetId: string | null
  versionId: string | null
}

/** The status resource's JSON (`/library/versions/:versionId/status`). */
type VersionStatusJson = { versionId: string; assetId: string; status: string; failureReason: string | null }

const POLL_INTERVAL_MS = 1500
const POLL_GIVE_UP_MS = 10 * 60 * 1000
const VERSION_STATUSES: readonly string[] = ['processing', 'in_review', 'approved', 'rejected', 'changes_requested', 'superseded', 'failed']

function isVersionStatus(value: string): value is VersionStatusName {
  return VERSION_STATUSES.includes(value)
}

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

/**
 * The upload queue: `send` posts the files one at a time (the bars fill in order and
 * the server sees one stream per user) and resolves when all have been answered;
 * processing is then polled in the background.
 */
export function useProgressUploads({
  maxUploadBytes,
  onVersionChange,
}: {
  maxUploadBytes: number
  /** Called when a version was stored and again when its processing ended (e.g. to revalidate a page listing it). */
  onVersionChange?: (versionId: string) => void
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
        status: isVersionStatus(payload.status) ? payload.status : null,
        message: payload.failureReason,
      })
      onChange.current?.(payload.versionId)
      return
    }
    if (alive.current) update(key, { message: 'Still processing. Check the library later.' })
  }

  function sendOne(item: UploadItem, file: File, index: number, options: SendOptions): Promise<void> {
    return new Promise((resolve) => {
      const body = new FormData()
      for (const [name, value] of options.fieldsFor(file, index)) body.append(name, value)
      body.append('file', file, file.name)

      const xhr = new XMLHttpRequest()
      xhr.open('POST', options.url)
      xhr.setRequestHeader('Accept', 'application/json')
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
            status: isVersionStatus(payload.status) ? payload.status : 'processing',
            message: payload.failureReason,
            assetId: payload.assetId,
            versionId: payload.versionId,
          })
          onChange.current?.(payload.versionId)
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

  async function send(files: readonly File[], options: SendOptions): Promise<void> {
    const limitMb = Math.round(maxUploadBytes / 1024 / 1024)
    // Refused before sending: the server would refuse these too, after the bytes crossed the wire.
    const queued: UploadItem[] = files.map((file, index) => ({
      key: `${Date.now()}-${index}-${file.name}`,
      filename: file.name,
      bytes: file.size,
      progress: 0,
      phase: file.size > maxUploadBytes || file.size === 0 ? 'refused' : 'queued',
      status: null,
      message:
        file.size > maxUploadBytes
          ? `${file.name} is larger than the ${limitMb} MB limit.`
          : file.size === 0
            ? `${file.name} is empty (0 bytes).`
            : null,
      assetId: null,
      versionId: null,
    }))
    setItems((current) => [...queued, ...current])
    setBusy(true)
    try {
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

export type UploadProgressRowProps = {
  item: UploadItem
  /** Where "View" goes once the server has answered; the asset's page by default. */
  viewHref?: (item: UploadItem & { assetId: string }) => string
}

export function UploadProgressRow({ item, viewHref }: UploadProgressRowProps) {
  const percent = Math.round(item.progress * 100)
  const assetId = item.assetId
  return (
    <li className="text-sm" data-upload-item={item.phase}>
      <div className="flex items-center justify-between gap-4">
        <div className="min-w-0">
          <span className="block truncate font-medium text-zinc-900">{item.filename}</span>
          <span className="text-xs text-zinc-500">{formatUploadSize(item.bytes)}</span>
        </div>
        <div className="flex shrink-0 items-center gap-3">
          {item.phase === 'queued' ? <span className="text-zinc-500">Waiting…</span> : null}
          {item.phase === 'uploading' ? <span className="tabular-nums text-zinc-700">Uploading {percent}%</span> : null}
          {item.phase === 'processing' ? <StatusBadge status="processing" /> : null}
          {item.phase === 'done' && item.status ? <StatusBadge status={item.status} /> : null}
          {item.phase === 'failed' ? <StatusBadge status="failed" /> : null}
          {item.phase === 'refused' ? <span className="font-medium text-red-700">Not uploaded</span> : null}
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
      {item.phase === 'processing' ? <p className="mt-1 text-xs text-zinc-500">Making previews and checking the image…</p> : null}
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

/** The rows of one session's uploads, announced politely to screen readers as they change. */
export function UploadProgressList({ items, viewHref }: { items: readonly UploadItem[]; viewHref?: UploadProgressRowProps['viewHref'] }) {
  return (
    <ul className="space-y-4" aria-live="polite">
      {items.map((item) => (
        <UploadProgressRow key={item.key} item={item} viewHref={viewHref} />
      ))}
    </ul>
  )
}
