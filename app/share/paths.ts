/** Where a share link's pages live. Tokens are base64url, safe in a path as they are. */
export function shareLinkPath(token: string): string {
  return `/s/${token}`
}

export function sharePreviewPath(token: string): string {
  return `${shareLinkPath(token)}/preview`
}
