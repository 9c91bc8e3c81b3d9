/**
 * Sign-in, sessions and the guards routes call first:
 *
 *   const user = await requireUser(request)
 *   const user = await requireRole(request, 'admin', 'reviewer')
 *   const user = await requirePermission(request, 'version:review')
 *   await requireAnonymous(request)
 *
 * Guards throw Responses (redirect to /login, 403), so a loader reads top to bottom.
 * Sessions live in PostgreSQL via lucia; the `damson_session` cookie holds only the id.
 */
import { redirect } from '@remix-run/node'
import { Cookie, Lucia, TimeSpan } from 'lucia'
import { recordAuditEvent } from '~/audit.server'
import { assertSameOrigin } from '~/auth/csrf.server'
import { PrismaSessionAdapter } from '~/auth/lucia-adapter.server'
import { verifyAgainstDummyHash, verifyPassword } from '~/auth/password.server'
import { beginSignInAttempt, markAttemptSucceeded } from '~/auth/rate-limit.server'
import { getDb, type Db } from '~/db.server'
import type { Viewer } from '~/domain/asset-access'
import { hasPermission, type Permission, type RoleName } from '~/domain/roles'
import type { OrganisationKind } from '~/generated/prisma/enums'
import { getClientIp, isHttpsRequest } from '~/request.server'

export { assertSameOrigin } from '~/auth/csrf.server'
export { hashPassword, verifyPassword } from '~/auth/password.server'

export const SESSION_COOKIE_NAME = 'damson_session'

export type CurrentUser = {
  id: string
  email: string
  name: string
  roles: RoleName[]
  organisation: { id: string; name: string; kind: OrganisationKind }
  /** What `~/domain/asset-access` needs to decide what this user may see. */
  viewer: Viewer
}

/** A user and their (oldest) membership, as the rest of the app sees them. */
export function toCurrentUser(
  user: { id: string; email: string; name: string },
  membership: { roles: readonly RoleName[]; organisation: CurrentUser['organisation'] },
): CurrentUser {
  const roles = [...membership.roles]
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles,
    organisation: membership.organisation,
    viewer: { userId: user.id, roles, organisationId: membership.organisation.id },
  }
}

// ───────────────────────────── lucia

function createLucia(db: Db) {
  return new Lucia(new PrismaSessionAdapter(db), {
    sessionExpiresIn: new TimeSpan(30, 'd'),
    sessionCookie: {
      name: SESSION_COOKIE_NAME,
      // `secure` is decided per request (see `serializeCookie`): https behind a proxy,
      // plain http on a developer's machine.
      attributes: { sameSite: 'lax', path: '/', secure: false },
    },
    getUserAttributes: (attributes) => attributes,
    getSessionAttributes: (attributes) => attributes,
  })
}

type DamsonLucia = ReturnType<typeof createLucia>

declare module 'lucia' {
  interface Register {
    Lucia: DamsonLucia
  }
}

const globalForLucia = globalThis as unknown as { damsonLucia?: DamsonLucia }

function getLucia(): DamsonLucia {
  globalForLucia.damsonLucia ??= createLucia(getDb())
  return globalForLucia.damsonLucia
}

/** lucia's cookie with HttpOnly, SameSite=Lax, Path=/ and Secure when the browser used https. */
function serializeCookie(cookie: Cookie, secure: boolean): string {
  return new Cookie(cookie.name, cookie.value, { ...cookie.attributes, httpOnly: true, secure }).serialize()
}

function blankCookieHeader(secure: boolean): string {
  return serializeCookie(getLucia().createBlankSessionCookie(), secure)
}

function readSessionId(request: Request): string | null {
  return getLucia().readSessionCookie(request.headers.get('cookie') ?? '')
}

// ───────────────────────────── current user

type ResolvedSession = { user: CurrentUser | null; fresh: boolean }

/**
 * Loaders of one request run in parallel and each calls a guard; sharing the
 * in-flight validation means lucia extends the session once and every caller sees
 * the same `fresh` flag (so the root loader can refresh the cookie).
 */
const inFlight = new Map<string, Promise<ResolvedSession>>()

async function resolveSession(sessionId: string): Promise<ResolvedSession> {
  const lucia = getLucia()
  const { session, user } = await lucia.validateSession(sessionId)
  if (!session) return { user: null, fresh: false }
  if (user.disabledAt) {
    // A disabled user is signed out everywhere.
    await lucia.invalidateUserSessions(user.id)
    return { user: null, fresh: false }
  }
  // One membership in practice; the oldest wins if there are more.
  const membership = await getDb().membership.findFirst({
    where: { userId: user.id },
    orderBy: { createdAt: 'asc' },
    select: { roles: true, organisation: { select: { id: true, name: true, kind: true } } },
  })
  if (!membership) return { user: null, fresh: false }
  return { fresh: session.fresh, user: toCurrentUser(user, membership) }
}

function resolveSessionOnce(sessionId: string): Promise<ResolvedSession> {
  const pending = inFlight.get(sessionId)
  if (pending) return pending
  const promise = resolveSession(sessionId).finally(() => inFlight.delete(sessionId))
  inFlight.set(sessionId, promise)
  return promise
}

/**
 * The signed-in user plus the Set-Cookie headers the response should carry: a
 * refreshed cookie when lucia extended the session, a blank one when the cookie
 * names a session that no longer exists. The root loader returns these headers.
 */
export async function getCurrentUserWithHeaders(request: Request): Promise<{ user: CurrentUser | null; headers: Headers }> {
  const headers = new Headers()
  const sessionId = readSessionId(request)
  if (!sessionId) return { user: null, headers }
  const { user, fresh } = await resolveSessionOnce(sessionId)
  const secure = isHttpsRequest(request)
  if (!user) {
    headers.append('Set-Cookie', blankCookieHeader(secure))
  } else if (fresh) {
    headers.append('Set-Cookie', serializeCookie(getLucia().createSessionCookie(sessionId), secure))
  }
  return { user, headers }
}

/** The signed-in user, or null (no cookie, expired or unknown session, disabled user). */
export async function getCurrentUser(request: Request): Promise<CurrentUser | null> {
  return (await getCurrentUserWithHeaders(request)).user
}

// ───────────────────────────── guards

function forbidden(message = 'You do not have access to this page'): Response {
  return new Response(message, {
    status: 403,
    statusText: 'Forbidden',
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.get('accept') ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** `/login?redirectTo=/library/abc?tab=rights` for the page being asked for. */
export function loginPath(request: Request): string {
  const url = new URL(request.url)
  const here = `${url.pathname}${url.search}`
  if (here === '/' || url.pathname === '/login') return '/login'
  return `/login?${new URLSearchParams({ redirectTo: here }).toString()}`
}

/**
 * The signed-in user, or a redirect to /login?redirectTo=<this page> (a 401 for
 * clients that asked for JSON only). For mutations (anything but GET/HEAD) it first
 * refuses cross-site requests with a 403.
 */
export async function requireUser(request: Request): Promise<CurrentUser> {
  assertSameOrigin(request)
  const { user, headers } = await getCurrentUserWithHeaders(request)
  if (user) return user
  if (wantsJson(request)) {
    headers.set('Content-Type', 'text/plain; charset=utf-8')
    throw new Response('Sign in to continue', { status: 401, statusText: 'Unauthorized', headers })
  }
  throw redirect(loginPath(request), { headers })
}

/** The signed-in user if they hold at least one of `roles`; 403 otherwise. */
export async function requireRole(request: Request, ...roles: RoleName[]): Promise<CurrentUser> {
  const user = await requireUser(request)
  if (!user.roles.some((role) => roles.includes(role))) throw forbidden()
  return user
}

/** The signed-in user if one of their roles grants `permission` (`~/domain/roles`); 403 otherwise. */
export async function requirePermission(request: Request, permission: Permission): Promise<CurrentUser> {
  const user = await requireUser(request)
  if (!hasPermission(user.roles, permission)) throw forbidden()
  return user
}

/** For the login page: a signed-in user is sent to `/` (which forwards to their home). */
export async function requireAnonymous(request: Request): Promise<void> {
  const user = await getCurrentUser(request)
  if (user) throw redirect('/')
}

// ───────────────────────────── sign in and out

export type SignInOptions = {
  email: string
  password: string
  ipAddress: string
  userAgent: string | null
  /** Mark the cookie Secure (the request came over https); see `isHttpsRequest`. */
  secure?: boolean
}

export type SignInResult =
  | { ok: true; userId: string; roles: RoleName[]; sessionId: string; setCookie: string }
  | { ok: false; status: 401 | 403 | 429; message: string }

export const WRONG_CREDENTIALS_MESSAGE = 'Email or password is incorrect.'

type FailureReason = 'unknown_email' | 'wrong_password' | 'disabled' | 'no_membership' | 'rate_limited'

/**
 * Checks the password and opens a session. Never reveals whether an email has an
 * account: unknown emails are verified against a dummy hash and get the same message.
 * Every outcome is audited; failures count towards the limits in `rate-limit.server`.
 */
export async function signIn(options: SignInOptions): Promise<SignInResult> {
  const db = getDb()
  const email = options.email.trim().toLowerCase()
  const { ipAddress } = options

  const auditFailure = (reason: FailureReason, userId: string | null, extra: Record<string, string | number> = {}) =>
    recordAuditEvent(db, {
      actorId: userId,
      action: 'auth.sign_in_failed',
      subjectType: 'user',
      subjectId: userId ?? email,
      detail: { email, reason, ...extra },
      ipAddress,
    })

  const gate = await beginSignInAttempt(db, { email, ipAddress })
  if (!gate.allowed) {
    await auditFailure('rate_limited', null, { scope: gate.scope })
    const minutes = gate.retryAfterMinutes
    return {
      ok: false,
      status: 429,
      message: `Too many failed sign-ins. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
    }
  }

  const user = await db.user.findFirst({
    where: { email: { equals: email, mode: 'insensitive' } },
    select: {
      id: true,
      passwordHash: true,
      disabledAt: true,
      memberships: { orderBy: { createdAt: 'asc' }, take: 1, select: { roles: true } },
    },
  })
  const passwordOk = user
    ? await verifyPassword(options.password, user.passwordHash)
    : await verifyAgainstDummyHash(options.password)

  if (!user || !passwordOk) {
    await auditFailure(user ? 'wrong_password' : 'unknown_email', user?.id ?? null)
    return { ok: false, status: 401, message: WRONG_CREDENTIALS_MESSAGE }
  }
  // Past this point the caller knows the password, so plainer messages are safe.
  if (user.disabledAt) {
    await auditFailure('disabled', user.id)
    return { ok: false, status: 403, message: 'This account is disabled. Ask an administrator to restore it.' }
  }
  const membership = user.memberships[0]
  if (!membership) {
    await auditFailure('no_membership', user.id)
    return { ok: false, status: 403, message: 'This account does not belong to an organisation yet. Ask an administrator.' }
  }

  await markAttemptSucceeded(db, gate.attemptId)
  const lucia = getLucia()
  const session = await lucia.createSession(user.id, { ipAddress, userAgent: options.userAgent })
  await recordAuditEvent(db, {
    actorId: user.id,
    action: 'auth.sign_in',
    subjectType: 'user',
    subjectId: user.id,
    detail: { email },
    ipAddress,
  })
  return {
    ok: true,
    userId: user.id,
    roles: [...membership.roles],
    sessionId: session.id,
    setCookie: serializeCookie(lucia.createSessionCookie(session.id), options.secure ?? false),
  }
}

/** Ends the request's session (if any), audits it, and returns headers that clear the cookie. */
export async function signOut(request: Request): Promise<Headers> {
  const db = getDb()
  const sessionId = readSessionId(request)
  if (sessionId) {
    const session = await db.session.findUnique({ where: { id: sessionId }, select: { userId: true } })
    await getLucia().invalidateSession(sessionId)
    if (session) {
      await recordAuditEvent(db, {
        actorId: session.userId,
        action: 'auth.sign_out',
        subjectType: 'user',
        subjectId: session.userId,
        ipAddress: getClientIp(request),
      })
    }
  }
  return new Headers({ 'Set-Cookie': blankCookieHeader(isHttpsRequest(request)) })
}

/** Housekeeping for a periodic job: drops expired session rows. */
export async function deleteExpiredSessions(): Promise<void> {
  await getLucia().deleteExpiredSessions()
}
