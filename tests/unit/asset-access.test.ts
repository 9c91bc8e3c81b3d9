import { describe, expect, it } from 'vitest'
import { canViewAsset, canViewVersion, type AssetAccessFacts, type Viewer } from '~/domain/asset-access'
import { ROLES, type RoleName } from '~/domain/roles'

const at = new Date('2027-03-01T12:00:00Z')
const partner: Viewer = { userId: 'u1', roles: ['partner'], organisationId: 'acme' }

function asset(overrides: Partial<AssetAccessFacts> = {}): AssetAccessFacts {
  return {
    id: 'a1',
    status: 'active',
    currentVersionId: 'v2',
    sharedWithAllPartners: true,
    sharedOrganisationIds: [],
    rightsGrants: [],
    ...overrides,
  }
}

describe('canViewAsset', () => {
  it('lets a partner see an approved, shared, in-rights asset', () => {
    expect(canViewAsset(partner, asset(), at)).toEqual({ allowed: true })
  })

  it('hides unapproved, archived, unshared and out-of-rights assets from partners', () => {
    expect(canViewAsset(partner, asset({ currentVersionId: null }), at).allowed).toBe(false)
    expect(canViewAsset(partner, asset({ status: 'archived' }), at).allowed).toBe(false)
    expect(canViewAsset(partner, asset({ sharedWithAllPartners: false, sharedOrganisationIds: ['other'] }), at).allowed).toBe(false)
    expect(canViewAsset(partner, asset({ sharedWithAllPartners: false, sharedOrganisationIds: ['acme'] }), at).allowed).toBe(true)
    const expired = {
      id: 'g',
      licenceType: 'rights_managed',
      channels: [],
      territories: [],
      organisationIds: [],
      startsAt: null,
      expiresAt: new Date(at.getTime() - 1),
      revokedAt: null,
      timeZone: 'UTC',
    }
    expect(canViewAsset(partner, asset({ rightsGrants: [expired] }), at).allowed).toBe(false)
  })

  it('shows partners an asset licensed for some uses only, and hides it once that licence has ended', () => {
    const limited = (overrides: { channels?: string[]; territories?: string[] }) => ({
      id: 'g',
      licenceType: 'rights_managed',
      channels: overrides.channels ?? [],
      territories: overrides.territories ?? [],
      organisationIds: [],
      startsAt: null,
      expiresAt: null,
      revokedAt: null,
      timeZone: 'UTC',
    })
    // Some use is allowed, so the partner sees it (downloads are then limited to that use).
    expect(canViewAsset(partner, asset({ rightsGrants: [limited({ channels: ['print'] })] }), at).allowed).toBe(true)
    expect(canViewAsset(partner, asset({ rightsGrants: [limited({ territories: ['DE'] })] }), at).allowed).toBe(true)
    expect(canViewAsset(partner, asset({ rightsGrants: [limited({ territories: ['WW'] })] }), at).allowed).toBe(true)
    // ...but not once that grant has expired.
    const expired = { ...limited({ channels: ['print'] }), expiresAt: new Date(at.getTime() - 1) }
    expect(canViewAsset(partner, asset({ rightsGrants: [expired] }), at).allowed).toBe(false)
  })

  it('lets every staff role see everything, and no other role', () => {
    const hidden = asset({ currentVersionId: null, status: 'archived' })
    for (const role of ROLES) {
      const viewer: Viewer = { userId: 'u', roles: [role as RoleName], organisationId: 'brand' }
      expect(canViewAsset(viewer, hidden, at).allowed).toBe(role !== 'partner')
    }
  })
})

describe('canViewVersion', () => {
  it('gives partners only the promoted version', () => {
    expect(canViewVersion(partner, asset(), 'v2', at).allowed).toBe(true)
    expect(canViewVersion(partner, asset(), 'v1', at).allowed).toBe(false)
    const librarian: Viewer = { userId: 'l', roles: ['librarian'], organisationId: 'brand' }
    expect(canViewVersion(librarian, asset(), 'v1', at).allowed).toBe(true)
  })
})
