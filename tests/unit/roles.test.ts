import { describe, expect, it } from 'vitest'
import { hasPermission, isStaff, PERMISSIONS, ROLES, type Permission, type RoleName } from '~/domain/roles'
import { homePathFor } from '~/auth/redirect'
import { activeNavItem, navItemsFor } from '~/components/app-shell'

describe('hasPermission', () => {
  const expected: Record<Permission, RoleName[]> = {
    'portal:browse': ['admin', 'librarian', 'reviewer', 'legal', 'partner'],
    'library:view-all': ['admin', 'librarian', 'reviewer', 'legal'],
    'asset:upload': ['admin', 'librarian'],
    'asset:edit': ['admin', 'librarian'],
    'version:review': ['admin', 'reviewer'],
    'version:rollback': ['admin'],
    'policy:manage': ['admin', 'librarian'],
    'rights:edit': ['admin', 'legal'],
    'channel:manage': ['admin', 'librarian'],
    'distribution:publish': ['admin', 'librarian'],
    'distribution:view': ['admin', 'librarian', 'legal'],
    'admin:manage': ['admin'],
  }

  it('covers every permission in the table', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(expected).sort())
  })

  for (const [permission, allowed] of Object.entries(expected) as [Permission, RoleName[]][]) {
    for (const role of ROLES) {
      const verdict = allowed.includes(role)
      it(`${role} ${verdict ? 'may' : 'may not'} ${permission}`, () => {
        expect(hasPermission([role], permission)).toBe(verdict)
      })
    }
  }

  it('grants a permission when any one of several roles has it', () => {
    expect(hasPermission(['partner', 'reviewer'], 'version:review')).toBe(true)
    expect(hasPermission(['partner', 'legal'], 'asset:upload')).toBe(false)
  })

  it('grants nothing without roles', () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      expect(hasPermission([], permission)).toBe(false)
    }
  })
})

describe('isStaff', () => {
  it('is true for brand roles and false for partners', () => {
    expect(ROLES.filter((role) => isStaff([role]))).toEqual(['admin', 'librarian', 'reviewer', 'legal'])
    expect(isStaff(['partner'])).toBe(false)
  })
})

describe('homePathFor', () => {
  it.each([
    [['partner'], '/portal'],
    [['reviewer'], '/reviews'],
    [['librarian'], '/library'],
    [['legal'], '/library'],
    [['admin'], '/library'],
    [['reviewer', 'librarian'], '/library'],
    [['partner', 'reviewer'], '/reviews'],
    [[], '/portal'],
  ] as [RoleName[], string][])('%j → %s', (roles, path) => {
    expect(homePathFor(roles)).toBe(path)
  })
})

describe('navigation by role', () => {
  const labels = (roles: RoleName[]) => navItemsFor(roles).map((item) => item.label)

  it('shows each role its sections', () => {
    expect(labels(['partner'])).toEqual(['Portal'])
    expect(labels(['reviewer'])).toEqual(['Portal', 'Library', 'Reviews'])
    expect(labels(['legal'])).toEqual(['Portal', 'Library', 'Rights', 'Distribution'])
    expect(labels(['librarian'])).toEqual(['Portal', 'Library', 'Upload', 'Rights', 'Policies', 'Channels', 'Distribution'])
    expect(labels(['admin'])).toEqual(['Portal', 'Library', 'Upload', 'Reviews', 'Rights', 'Policies', 'Channels', 'Presets', 'Schemas', 'Distribution', 'Outbox'])
  })

  it('lights the most specific section', () => {
    const items = navItemsFor(['admin'])
    expect(activeNavItem(items, '/library/upload')?.label).toBe('Upload')
    expect(activeNavItem(items, '/library/abc123')?.label).toBe('Library')
    expect(activeNavItem(items, '/library')?.label).toBe('Library')
    expect(activeNavItem(items, '/libraryx')).toBeUndefined()
    expect(activeNavItem(items, '/reviews/r1')?.label).toBe('Reviews')
    expect(activeNavItem(items, '/admin/channels/new')?.label).toBe('Channels')
    expect(activeNavItem(items, '/admin/rendition-presets/p1')?.label).toBe('Presets')
    expect(activeNavItem(items, '/admin/metadata-schemas/new')?.label).toBe('Schemas')
    expect(activeNavItem(items, '/distribution/channels/c1')?.label).toBe('Distribution')
  })
})
