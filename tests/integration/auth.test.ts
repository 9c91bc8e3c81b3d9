/**
 * Sign-in, sessions and guards against the real database.
 * Each run uses fresh emails and client addresses, so reruns inside the 15-minute
 * rate-limit window do not interfere with each other.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

type AuthModule = typeof import('~/auth.server')
type Db = import('~/db.server').Db
type RoleName = import('~/domain/roles').RoleName

let auth: AuthModule
let db: Db

const run = randomBytes(4).toString('hex')
const PASSWORD = 'Damson-test-password-1'
let orgId: string
let brandOrgId: string
const uniqueIp = () => `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)?.join(':')}`
let emailCounter = 0
const uniqueEmail = (label: string) => `${label}-${run}-${++emailCounter}@auth-test.damson.local`

async function createUser(roles: RoleName[], organisationId: string, label = roles.join('-')) {
  const email = uniqueEmail(label)
  const user = await db.user.create({
    data: {
      email,
      name: `Test ${label}`,
      passwordHash: await auth.hashPassword(PASSWORD),
      memberships: { create: { organisationId, roles } },
    },
  })
  return { id: user.id, email }
}

function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0] ?? ''
}

function pageRequest(path: string, init: { cookie?: string; method?: string; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers)
  if (init.cookie) headers.set('Cookie', init.cookie)
  return new Request(`http://localhost:3000${path}`, { method: init.method ?? 'GET', headers })
}

async function thrownResponse(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise
  } catch (error) {
    if (error instanceof Response) return error
    throw error
  }
  throw new Error('expected the guard to throw a Response')
}

async function signInOk(email: string, ipAddress = uniqueIp()) {
  const result = await auth.signIn({ email, password: PASSWORD, ipAddress, userAgent: 'vitest' })
  if (!result.ok) throw new Error(`sign-in failed: ${result.message}`)
  return result
}

async function auditActions(subjectId: string): Promise<string[]> {
  const rows = await db.auditEvent.findMany({ where: { subjectId }, orderBy: { seq: 'asc' }, select: { action: true } })
  return rows.map((row) => row.action)
}

beforeAll(async () => {
  auth = await import('~/auth.server')
  db = (await import('~/db.server')).getDb()
  const partnerOrg = await db.organisation.create({
    data: { name: `Agency ${run}`, slug: `auth-test-agency-${run}`, kind: 'partner' },
  })
  const brandOrg = await db.organisation.create({
    data: { name: `Brand ${run}`, slug: `auth-test-brand-${run}`, kind: 'brand' },
  })
  orgId = partnerOrg.id
  brandOrgId = brandOrg.id
})

afterAll(async () => {
  // Audit rows are append-only and keep their actors, so test users stay; their emails are unique.
  await db?.$disconnect()
})

describe('signIn', () => {
  it('opens a session and sets an HttpOnly, SameSite=Lax cookie', async () => {
    const user = await createUser(['partner'], orgId)
    const result = await signInOk(user.email.toUpperCase())
    expect(result.userId).toBe(user.id)
    expect(result.roles).toEqual(['partner'])

    const session = await db.session.findUnique({ where: { id: result.sessionId } })
    expect(session).toMatchObject({ userId: user.id, userAgent: 'vitest' })
    expect(session?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000)

    expect(result.setCookie).toMatch(new RegExp(`^damson_session=${result.sessionId};`))
    expect(result.setCookie).toContain('HttpOnly')
    expect(result.setCookie).toContain('SameSite=Lax')
    expect(result.setCookie).toContain('Path=/')
    expect(result.setCookie).not.toContain('Secure')

    const secure = await auth.signIn({ email: user.email, password: PASSWORD, ipAddress: uniqueIp(), userAgent: null, secure: true })
    expect(secure.ok && secure.setCookie).toContain('Secure')

    expect(await auditActions(user.id)).toEqual(['auth.sign_in', 'auth.sign_in'])
  })

  it('resolves the cookie to the current user with roles, organisation and viewer', async () => {
    const user = await createUser(['partner'], orgId)
    const { setCookie } = await signInOk(user.email)
    const current = await auth.getCurrentUser(pageRequest('/portal', { cookie: cookiePair(setCookie) }))
    expect(current).toEqual({
      id: user.id,
      email: user.email,
      name: 'Test partner',
      roles: ['partner'],
      organisation: { id: orgId, name: `Agency ${run}`, kind: 'partner' },
      viewer: { userId: user.id, roles: ['partner'], organisationId: orgId },
    })
    expect(await auth.getCurrentUser(pageRequest('/portal'))).toBeNull()
    expect(await auth.getCurrentUser(pageRequest('/portal', { cookie: 'damson_session=forged' }))).toBeNull()
  })

  it('refuses a wrong password and an unknown email with the same message, and audits both', async () => {
    const user = await createUser(['partner'], orgId)
    const wrong = await auth.signIn({ email: user.email, password: 'nope', ipAddress: uniqueIp(), userAgent: null })
    const unknownEmail = uniqueEmail('nobody')
    const unknown = await auth.signIn({ email: unknownEmail, password: PASSWORD, ipAddress: uniqueIp(), userAgent: null })
    expect(wrong).toEqual({ ok: false, status: 401, message: auth.WRONG_CREDENTIALS_MESSAGE })
    expect(unknown).toEqual(wrong)

    expect(await auditActions(user.id)).toEqual(['auth.sign_in_failed'])
    const unknownAudit = await db.auditEvent.findFirst({ where: { subjectId: unknownEmail } })
    expect(unknownAudit).toMatchObject({ action: 'auth.sign_in_failed', actorId: null })
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0)
  })

  it('rate-limits the account after 5 failures, even with the right password', async () => {
    const user = await createUser(['partner'], orgId)
    for (let attempt = 1; attempt <= 5; attempt++) {
      // A different address each time: the limit is per account.
      const result = await auth.signIn({ email: user.email, password: `wrong-${attempt}`, ipAddress: uniqueIp(), userAgent: null })
      expect(result).toMatchObject({ ok: false, status: 401 })
    }
    const sixth = await auth.signIn({ email: user.email, password: PASSWORD, ipAddress: uniqueIp(), userAgent: null })
    expect(sixth).toEqual({ ok: false, status: 429, message: 'Too many failed sign-ins. Try again in 15 minutes.' })
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0)

    const failures = await db.signInAttempt.count({ where: { email: user.email, succeeded: false } })
    expect(failures).toBe(5) // the refused attempt does not extend the lock-out
    const audit = await db.auditEvent.findMany({ where: { subjectId: user.email, action: 'auth.sign_in_failed' } })
    expect(audit.map((row) => (row.detail as { reason?: string }).reason)).toEqual(['rate_limited'])
  })

  it('rate-limits a client address after 20 failures across accounts', async () => {
    const ip = uniqueIp()
    const user = await createUser(['partner'], orgId)
    for (let attempt = 1; attempt <= 20; attempt++) {
      const result = await auth.signIn({ email: uniqueEmail('spray'), password: 'guess', ipAddress: ip, userAgent: null })
      expect(result).toMatchObject({ ok: false, status: 401 })
    }
    const blocked = await auth.signIn({ email: user.email, password: PASSWORD, ipAddress: ip, userAgent: null })
    expect(blocked).toMatchObject({ ok: false, status: 429 })
    // The same account from elsewhere is fine.
    expect((await auth.signIn({ email: user.email, password: PASSWORD, ipAddress: uniqueIp(), userAgent: null })).ok).toBe(true)
  })

  it('refuses a disabled user, and signs out a user disabled mid-session', async () => {
    const user = await createUser(['reviewer'], brandOrgId)
    const { setCookie } = await signInOk(user.email)
    await db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } })
    expect(await auth.getCurrentUser(pageRequest('/reviews', { cookie: cookiePair(setCookie) }))).toBeNull()
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0)
    const again = await auth.signIn({ email: user.email, password: PASSWORD, ipAddress: uniqueIp(), userAgent: null })
    expect(again).toMatchObject({ ok: false, status: 403 })
  })
})

describe('guards', () => {
  it('requireUser redirects an anonymous document request to login with redirectTo', async () => {
    const response = await thrownResponse(auth.requireUser(pageRequest('/library/a1?tab=rights')))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Flibrary%2Fa1%3Ftab%3Drights')
  })

  it('requireUser refuses a POST from a foreign Origin with 403, even when signed in', async () => {
    const user = await createUser(['librarian'], brandOrgId)
    const { setCookie } = await signInOk(user.email)
    const cookie = cookiePair(setCookie)
    const foreign = pageRequest('/library/upload', { method: 'POST', cookie, headers: { Origin: 'https://evil.example' } })
    const response = await thrownResponse(auth.requireUser(foreign))
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('Cross-site request refused')

    const own = pageRequest('/library/upload', { method: 'POST', cookie, headers: { Origin: 'http://localhost:3000' } })
    expect((await auth.requireUser(own)).id).toBe(user.id)
  })

  it('requireRole and requirePermission give a partner 403 on a reviewer page', async () => {
    const user = await createUser(['partner'], orgId)
    const cookie = cookiePair((await signInOk(user.email)).setCookie)
    const byRole = await thrownResponse(auth.requireRole(pageRequest('/reviews', { cookie }), 'admin', 'reviewer'))
    expect(byRole.status).toBe(403)
    expect(await byRole.text()).toBe('You do not have access to this page')
    const byPermission = await thrownResponse(auth.requirePermission(pageRequest('/reviews', { cookie }), 'version:review'))
    expect(byPermission.status).toBe(403)
    expect((await auth.requirePermission(pageRequest('/portal', { cookie }), 'portal:browse')).id).toBe(user.id)
  })

  it('lets a reviewer through requireRole', async () => {
    const user = await createUser(['reviewer'], brandOrgId)
    const cookie = cookiePair((await signInOk(user.email)).setCookie)
    const current = await auth.requireRole(pageRequest('/reviews', { cookie }), 'admin', 'reviewer')
    expect(current.organisation.kind).toBe('brand')
  })

  it('treats an expired session as signed out: redirect to login and clear the cookie', async () => {
    const user = await createUser(['partner'], orgId)
    const { setCookie, sessionId } = await signInOk(user.email)
    await db.session.update({ where: { id: sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const response = await thrownResponse(auth.requireUser(pageRequest('/portal', { cookie: cookiePair(setCookie) })))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fportal')
    expect(response.headers.get('Set-Cookie')).toMatch(/^damson_session=;.*Max-Age=0/)
    expect(await db.session.findUnique({ where: { id: sessionId } })).toBeNull()
  })

  it('refreshes the cookie when the session passes half its life', async () => {
    const user = await createUser(['partner'], orgId)
    const { setCookie, sessionId } = await signInOk(user.email)
    const tenDays = new Date(Date.now() + 10 * 24 * 3600 * 1000)
    await db.session.update({ where: { id: sessionId }, data: { expiresAt: tenDays } })
    const { user: current, headers } = await auth.getCurrentUserWithHeaders(
      pageRequest('/portal', { cookie: cookiePair(setCookie) }),
    )
    expect(current?.id).toBe(user.id)
    expect(headers.get('Set-Cookie')).toMatch(new RegExp(`^damson_session=${sessionId};.*Max-Age=2592000`))
    const session = await db.session.findUniqueOrThrow({ where: { id: sessionId } })
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000)
  })

  it('requireAnonymous sends a signed-in user home', async () => {
    const user = await createUser(['partner'], orgId)
    const cookie = cookiePair((await signInOk(user.email)).setCookie)
    const response = await thrownResponse(auth.requireAnonymous(pageRequest('/login', { cookie })))
    expect(response.headers.get('Location')).toBe('/')
    await expect(auth.requireAnonymous(pageRequest('/login'))).resolves.toBeUndefined()
  })
})

describe('signOut', () => {
  it('deletes the session, clears the cookie and audits', async () => {
    const user = await createUser(['partner'], orgId)
    const { setCookie, sessionId } = await signInOk(user.email)
    const headers = await auth.signOut(pageRequest('/logout', { method: 'POST', cookie: cookiePair(setCookie) }))
    expect(headers.get('Set-Cookie')).toMatch(/^damson_session=;/)
    expect(await db.session.findUnique({ where: { id: sessionId } })).toBeNull()
    expect(await auditActions(user.id)).toEqual(['auth.sign_in', 'auth.sign_out'])
  })
})
