/**
 * Unmatched URLs: a 404 thrown from a route (rather than the router's own "no match")
 * lets the root loader run, so the error page keeps the signed-in shell.
 */
export function loader() {
  throw new Response('We could not find that page.', { status: 404, statusText: 'Not Found' })
}

export function action() {
  throw new Response('We could not find that page.', { status: 404, statusText: 'Not Found' })
}

export default function NotFound() {
  return null
}
