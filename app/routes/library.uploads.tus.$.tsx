/**
 * The resumable upload endpoint (tus 1.0): creating an upload (POST), asking its
 * offset (HEAD), sending bytes (PATCH) and cancelling it (DELETE), all under the
 * upload page's permission; see app/assets/resumable-upload.server.ts.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { handleResumableUpload } from '~/assets/resumable-upload.server'

/** HEAD (an upload's offset) and OPTIONS; a GET is refused there. */
export async function loader({ request }: LoaderFunctionArgs) {
  return handleResumableUpload(request)
}

/** POST, PATCH and DELETE. */
export async function action({ request }: ActionFunctionArgs) {
  return handleResumableUpload(request)
}
