/**
 * The HTTP side shared by the upload routes (new assets, new versions): the XHR
 * client asks for JSON and reads a refusal's message from a header; a browser
 * without JavaScript gets the page again with the message.
 */
import { UPLOAD_ERROR_HEADER } from './upload-protocol'

/** Room for the multipart envelope and the text fields on top of the largest file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024

export function wantsJson(request: Request): boolean {
  const accept = request.headers.get('Accept') ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** The refusal message for a request whose declared length is obviously over the limit, before reading any of it. */
export function declaredTooLarge(request: Request, maxUploadBytes: number): string | null {
  const declaredLength = Number(request.headers.get('Content-Length'))
  if (Number.isFinite(declaredLength) && declaredLength > maxUploadBytes + FORM_OVERHEAD_BYTES) {
    return `The upload is larger than the ${Math.round(maxUploadBytes / 1024 / 1024)} MB limit.`
  }
  return null
}

/** Headers for a refused upload: the message in the error header when the XHR client asked. */
export function refusalHeaders(request: Request, message: string | null | undefined): Headers {
  const headers = new Headers()
  if (wantsJson(request) && message) headers.set(UPLOAD_ERROR_HEADER, encodeURIComponent(message))
  return headers
}

/** Lets the upload error header through to the document response (a route's `headers` export). */
export function passUploadErrorHeader({ actionHeaders, parentHeaders }: { actionHeaders: Headers; parentHeaders: Headers }): Headers {
  const headers = new Headers(parentHeaders)
  const uploadError = actionHeaders.get(UPLOAD_ERROR_HEADER)
  if (uploadError) headers.set(UPLOAD_ERROR_HEADER, uploadError)
  return headers
}
