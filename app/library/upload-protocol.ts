/**
 * What the upload routes and the browser's progress uploader agree on (no server
 * code here: the component imports it too).
 */
import { z } from 'zod'
import { acceptAttribute } from '~/domain/media-kind'

/** A refused upload's message, URI-encoded, for the XHR client (a Remix document POST always renders HTML). */
export const UPLOAD_ERROR_HEADER = 'X-Damson-Upload-Error'

/**
 * Sent by the XHR client when the file it posts looks like a zip archive (by type or
 * name). It is only a hint: it lets the route accept a request as large as a zip may
 * be before reading it, and asks for the batch answer below. What the bytes are is
 * still decided by sniffing them, and an image in such a request keeps the image limit.
 */
export const UPLOAD_ARCHIVE_HEADER = 'X-Damson-Upload-Archive'

/**
 * The id of the JSON island in the upload page's HTML that carries an upload's
 * outcomes. A Remix document POST always answers with HTML, and a zip can have
 * thousands of entries (too many for a header or a redirect's URL), so the page
 * embeds them and the XHR client reads them from the document it gets back.
 */
export const UPLOAD_OUTCOMES_ELEMENT_ID = 'damson-upload-outcomes'

/** What the file inputs offer: every accepted format (app/domain/media-kind.ts); the server sniffs the bytes whatever the browser sends. */
export const ACCEPTED_FILE_TYPES = acceptAttribute()

const ZIP_MEDIA_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-zip']

/** The upload page's picker: every accepted format, and zip archives of them. */
export const ACCEPTED_UPLOAD_TYPES = [ACCEPTED_FILE_TYPES, ...ZIP_MEDIA_TYPES, '.zip'].join(',')

/** Whether a chosen file looks like a zip archive: a hint for the client only (the server sniffs). */
export function looksLikeZip(file: { name: string; type: string }): boolean {
  return ZIP_MEDIA_TYPES.includes(file.type) || file.name.toLowerCase().endsWith('.zip')
}

/**
 * The resumable upload endpoint (tus 1.0, see app/assets/resumable-upload.server.ts).
 * Each upload's URL is this path plus an id; only its creator can reach it.
 */
export const RESUMABLE_UPLOAD_PATH = '/library/uploads/tus'

/**
 * Bytes per PATCH request of a resumable upload: a whole number of the server's 8 MiB
 * S3 parts, small enough that a slow link finishes each request well inside the
 * server's request timeout, and that a retry resends at most this much.
 */
export const RESUMABLE_CHUNK_BYTES = 64 * 1024 * 1024

/**
 * The metadata a resumable upload carries (tus Upload-Metadata). `filename` is
 * required; `assetId` makes the upload a new version of that asset; the rest are the
 * upload form's fields.
 */
export const RESUMABLE_METADATA_FIELDS = ['filename', 'filetype', 'title', 'description', 'folderPath', 'tags', 'collectionId', 'assetId'] as const

/** One outcome of an upload, as the page embeds it for the XHR client. */
export const UploadOutcomeJsonSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), filename: z.string(), assetId: z.string(), versionId: z.string() }),
  z.object({ ok: z.literal(false), filename: z.string(), status: z.number(), message: z.string() }),
])

/** The outcomes of one upload request (a zip gives one per entry); `error` when the request as a whole was refused. */
export const UploadBatchJsonSchema = z.object({
  outcomes: z.array(UploadOutcomeJsonSchema),
  error: z.object({ status: z.number(), message: z.string() }).nullable(),
})
export type UploadBatchJson = z.infer<typeof UploadBatchJsonSchema>

/** Ids per request to the several-versions status resource, so its URL stays short. */
export const VERSION_STATUS_BATCH_SIZE = 50

/** The several-versions status resource's JSON (`/library/versions/status?ids=…`). */
export const VersionStatusesJsonSchema = z.object({
  versions: z.array(
    z.object({
      versionId: z.string(),
      assetId: z.string(),
      title: z.string(),
      filename: z.string(),
      status: z.string(),
      failureReason: z.string().nullable(),
      notice: z.string().nullable(),
    }),
  ),
})
export type VersionStatusesJson = z.infer<typeof VersionStatusesJsonSchema>

/** The island's text: JSON that cannot close the script element it sits in. */
export function uploadBatchScriptText(batch: UploadBatchJson): string {
  return JSON.stringify(batch).replace(/</g, '\\u003c')
}
