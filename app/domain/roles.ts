/**
 * Roles and what each may do. The single source for `requireRole`/`requirePermission`
 * guards in routes and for checks in workers.
 */
export const ROLES = ['admin', 'librarian', 'reviewer', 'legal', 'partner'] as const
export type RoleName = (typeof ROLES)[number]

export const PERMISSIONS = {
  /** Browse and download approved, in-rights assets shared with one's organisation. */
  'portal:browse': ['admin', 'librarian', 'reviewer', 'legal', 'partner'],
  /** See assets regardless of approval, rights and sharing (brand staff). */
  'library:view-all': ['admin', 'librarian', 'reviewer', 'legal'],
  'asset:upload': ['admin', 'librarian'],
  'asset:edit': ['admin', 'librarian'],
  'version:review': ['admin', 'reviewer'],
  /** Re-promote an earlier approved version (rollback). */
  'version:rollback': ['admin'],
  /** Create and edit review policies. */
  'policy:manage': ['admin', 'librarian'],
  'rights:edit': ['admin', 'legal'],
  /** Create and edit distribution channels (destinations, presets, scope). */
  'channel:manage': ['admin', 'librarian'],
  /** Publish now, unpublish, retry, republish a channel. */
  'distribution:publish': ['admin', 'librarian'],
  /** See where assets are live, pending, failed or taken down. */
  'distribution:view': ['admin', 'librarian', 'legal'],
  'admin:manage': ['admin'],
} as const satisfies Record<string, readonly RoleName[]>

export type Permission = keyof typeof PERMISSIONS

export function hasPermission(roles: readonly RoleName[], permission: Permission): boolean {
  const allowed: readonly RoleName[] = PERMISSIONS[permission]
  return roles.some((role) => allowed.includes(role))
}

export function isStaff(roles: readonly RoleName[]): boolean {
  return hasPermission(roles, 'library:view-all')
}
