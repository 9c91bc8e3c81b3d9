/**
 * What the upload routes and the browser's progress uploader agree on (no server
 * code here: the component imports it too).
 */

/** A refused upload's message, URI-encoded, for the XHR client (a Remix document POST always renders HTML). */
export const UPLOAD_ERROR_HEADER = 'X-Damson-Upload-Error'

/** What the file inputs offer; the server sniffs the bytes whatever the browser sends. */
export const ACCEPTED_IMAGE_TYPES = 'image/jpeg,image/png,image/webp,image/gif,image/tiff,image/avif'
