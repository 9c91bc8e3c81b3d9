import { describe, expect, it } from 'vitest'
import type { AssetAccessFacts } from '~/domain/asset-access'
import type { RightsGrantTerms } from '~/domain/rights'
import { canOpenShareLink, canShareAsset, downloadsLeft, shareLinkState, type ShareLinkFacts } from '~/share/share-link-rule'
import { isUnlocked, unlockCookieHeader, unlockValue, SHARE_UNLOCK_COOKIE, SHARE_UNLOCK_SECONDS } from '~/share/share-unlock.server'
import { grantTerms } from '../support/rights-grant-terms'

const at = new Date('2027-03-01T12:00:00Z')

function link(overrides: Partial<ShareLinkFacts> = {}): ShareLinkFacts {
  return { expiresAt: new Date(at.getTime() + 3_600_000), revokedAt: null, downloadLimit: null, downloadCount: 0, ...overrides }
}

function asset(overrides: Partial<AssetAccessFacts> = {}): AssetAccessFacts {
  return {
    id: 'a1',
    status: 'active',
    currentVersionId: 'v1',
    sharedWithAllPartners: true,
    sharedOrganisationIds: [],
    rightsGrants: [],
    ...overrides,
  }
}

const grant = grantTerms

describe('shareLinkState', () => {
  it('is active until the instant it expires, then expired', () => {
    const expiresAt = new Date(at.getTime() + 1000)
    expect(shareLinkState(link({ expiresAt }), new Date(expiresAt.getTime() - 1))).toBe('active')
    expect(shareLinkState(link({ expiresAt }), expiresAt)).toBe('expired')
  })

  it('is revoked from the revocation on, and says so over expiry', () => {
    const revokedAt = new Date(at.getTime() - 1)
    expect(shareLinkState(link({ revokedAt }), at)).toBe('revoked')
    expect(shareLinkState(link({ revokedAt, expiresAt: new Date(at.getTime() - 10) }), at)).toBe('revoked')
    // A revocation recorded for later has not happened yet.
    expect(shareLinkState(link({ revokedAt: new Date(at.getTime() + 1) }), at)).toBe('active')
  })

  it('is used up once the count reaches the limit, and has no limit without one', () => {
    expect(shareLinkState(link({ downloadLimit: 2, downloadCount: 1 }), at)).toBe('active')
    expect(shareLinkState(link({ downloadLimit: 2, downloadCount: 2 }), at)).toBe('used_up')
    expect(shareLinkState(link({ downloadLimit: null, downloadCount: 5_000 }), at)).toBe('active')
    expect(downloadsLeft({ downloadLimit: 3, downloadCount: 1 })).toBe(2)
    expect(downloadsLeft({ downloadLimit: 3, downloadCount: 4 })).toBe(0)
    expect(downloadsLeft({ downloadLimit: null, downloadCount: 4 })).toBeNull()
  })
})

describe('canShareAsset: a link holder is a partner of no particular organisation', () => {
  it('allows an approved, active asset shared with every partner and in rights', () => {
    expect(canShareAsset(asset(), at)).toEqual({ allowed: true })
    expect(canShareAsset(asset({ rightsGrants: [grant({ expiresAt: new Date(at.getTime() + 1) })] }), at).allowed).toBe(true)
  })

  it('refuses unapproved and archived assets', () => {
    expect(canShareAsset(asset({ currentVersionId: null }), at).allowed).toBe(false)
    expect(canShareAsset(asset({ status: 'archived' }), at).allowed).toBe(false)
  })

  it('refuses an asset shared with named organisations only, whichever they are', () => {
    expect(canShareAsset(asset({ sharedWithAllPartners: false, sharedOrganisationIds: ['acme', 'globex'] }), at).allowed).toBe(false)
  })

  it('counts only grants open to every organisation', () => {
    expect(canShareAsset(asset({ rightsGrants: [grant({ organisationIds: ['acme'] })] }), at).allowed).toBe(false)
    expect(
      canShareAsset(asset({ rightsGrants: [grant({ id: 'g1', organisationIds: ['acme'] }), grant({ id: 'g2', organisationIds: [] })] }), at).allowed,
    ).toBe(true)
  })

  it('refuses the instant the rights end, and during an embargo', () => {
    const expiresAt = new Date(at.getTime() - 1000)
    expect(canShareAsset(asset({ rightsGrants: [grant({ expiresAt })] }), at).allowed).toBe(false)
    expect(canShareAsset(asset({ rightsGrants: [grant({ expiresAt: at })] }), at).allowed).toBe(false)
    expect(canShareAsset(asset({ rightsGrants: [grant({ revokedAt: at })] }), at).allowed).toBe(false)
    expect(canShareAsset(asset({ rightsGrants: [grant({ startsAt: new Date(at.getTime() + 1) })] }), at).allowed).toBe(false)
  })
})

describe('canOpenShareLink', () => {
  it('needs both the link and the asset to pass now', () => {
    expect(canOpenShareLink(link(), asset(), at)).toBe(true)
    expect(canOpenShareLink(link({ expiresAt: at }), asset(), at)).toBe(false)
    expect(canOpenShareLink(link({ downloadLimit: 1, downloadCount: 1 }), asset(), at)).toBe(false)
    expect(canOpenShareLink(link(), asset({ currentVersionId: null }), at)).toBe(false)
  })
})

describe('the unlock cookie', () => {
  const protectedLink = { id: 'link1', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', expiresAt: new Date(at.getTime() + 86_400_000) }

  it('unlocks its own link for SHARE_UNLOCK_SECONDS', () => {
    const unlock = unlockValue(protectedLink, at)
    expect(unlock.maxAgeSeconds).toBe(SHARE_UNLOCK_SECONDS)
    const cookie = `other=1; ${SHARE_UNLOCK_COOKIE}=${unlock.value}`
    expect(isUnlocked(protectedLink, cookie, at)).toBe(true)
    expect(isUnlocked(protectedLink, cookie, new Date(at.getTime() + (SHARE_UNLOCK_SECONDS - 1) * 1000))).toBe(true)
    expect(isUnlocked(protectedLink, cookie, new Date(at.getTime() + SHARE_UNLOCK_SECONDS * 1000))).toBe(false)
  })

  it('never outlives the link', () => {
    const shortLink = { ...protectedLink, expiresAt: new Date(at.getTime() + 60_000) }
    const unlock = unlockValue(shortLink, at)
    expect(unlock.maxAgeSeconds).toBe(60)
    expect(isUnlocked(shortLink, `${SHARE_UNLOCK_COOKIE}=${unlock.value}`, new Date(at.getTime() + 60_000))).toBe(false)
  })

  it('does not open another link, a link whose password changed, or a tampered value', () => {
    const { value } = unlockValue(protectedLink, at)
    expect(isUnlocked({ ...protectedLink, id: 'link2' }, `${SHARE_UNLOCK_COOKIE}=${value}`, at)).toBe(false)
    expect(isUnlocked({ ...protectedLink, passwordHash: `${protectedLink.passwordHash}x` }, `${SHARE_UNLOCK_COOKIE}=${value}`, at)).toBe(false)
    const [id, until, mac] = value.split('.')
    const later = `${id}.${Number(until) + 3600}.${mac}`
    expect(isUnlocked(protectedLink, `${SHARE_UNLOCK_COOKIE}=${later}`, at)).toBe(false)
    expect(isUnlocked(protectedLink, `${SHARE_UNLOCK_COOKIE}=${id}.${until}.${'A'.repeat(mac?.length ?? 43)}`, at)).toBe(false)
    expect(isUnlocked(protectedLink, null, at)).toBe(false)
    expect(isUnlocked(protectedLink, `${SHARE_UNLOCK_COOKIE}=`, at)).toBe(false)
  })

  it('is set HttpOnly and only under the link’s own path', () => {
    const header = unlockCookieHeader('tok_en-123', { value: 'v', maxAgeSeconds: 1800 }, true)
    expect(header).toBe(`${SHARE_UNLOCK_COOKIE}=v; Path=/s/tok_en-123; Max-Age=1800; HttpOnly; SameSite=Lax; Secure`)
    expect(unlockCookieHeader('t', { value: 'v', maxAgeSeconds: 5 }, false)).not.toContain('Secure')
  })
})
