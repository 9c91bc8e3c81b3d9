/**
 * Who may reach what, over plain HTTP against the served app (no browser, so this
 * runs even where Chromium is missing). Every demo role signs in through /login and
 * each (role, route) cell is asserted against the security model:
 *
 *   - partners get 404 for anything unapproved (never a 403 that would tell them it
 *     exists); a permission gate that answers 403 before looking anything up, for
 *     every id alike, reveals nothing — the "missing id" rows prove it answers the same;
 *   - brand staff without the permission a page needs get 403;
 *   - anonymous visitors are sent to /login (pages and resource routes alike: the
 *     app's guards redirect every non-JSON request);
 *   - downloads are a 302 to a presigned S3 URL that lives at most 60 s.
 *
 * Form posts get the same treatment (roles × actions): without the permission an action
 * needs, 403 before anything is read or written; anonymous, /login. Roles that may act
 * post forms the action refuses (400, 404, 409), so the matrix changes nothing.
 *
 * Then: cross-site form posts are refused, and forged, expired or signed-out
 * session cookies count as anonymous.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()
const { getDb } = await import('~/db.server')

const webUrl = inject('webUrl')
const db = getDb()

const PASSWORD = 'damson-demo'
const SESSION_COOKIE = 'damson_session'
const EVIL_ORIGIN = 'http://evil.example'

const SIGNED_IN_ROLES = ['admin', 'librarian', 'reviewer', 'legal', 'partner'] as const
type SignedInRole = (typeof SIGNED_IN_ROLES)[number]
type Role = SignedInRole | 'anonymous'

const EMAILS: Record<SignedInRole, string> = {
  admin: 'admin@damson.test',
  librarian: 'librarian@damson.test',
  reviewer: 'reviewer@damson.test',
  legal: 'legal@damson.test',
  partner: 'partner@acme.test',
}

// ───────────────────────────── expectations

type Expectation = 'ok' | 'login' | 'unauthorised' | 's3' | 'preset' | 'declare' | 'forbidden' | 'not-found' | 'invalid' | 'conflict' | 'back'

/**
 * ok 200 · login 302 → /login · s3 302 → presigned URL (≤ 60 s) of the copy carrying the rights,
 * which answers 200 · preset 302 → presigned URL (≤ 60 s) of an admin preset's rendition, which answers 200 · declare 303 → the portal page's download form (a partner must declare the
 * use first) · unauthorised 401 (the JSON API never redirects) · forbidden 403 · not-found 404 ·
 * invalid 400 and conflict 409 (a form post the action refuses) · back 303 to the form's page with
 * the refusal in the query (a card's form that has no page of its own)
 */
const STATUS: Record<Expectation, number> = {
  ok: 200,
  login: 302,
  unauthorised: 401,
  s3: 302,
  preset: 302,
  declare: 303,
  forbidden: 403,
  'not-found': 404,
  invalid: 400,
  conflict: 409,
  back: 303,
}

type Ids = {
  approvedId: string
  approvedVersionId: string
  unapprovedId: string
  inReviewVersionId: string
  missingId: string
  /** A disabled distribution channel made for this file (nothing is ever delivered to it). */
  channelId: string
  /** An admin rendition preset made for this file. */
  presetName: string
}

type RouteSpec = { path: (ids: Ids) => string; expect: Record<Role, Expectation> }

/** Everyone signed in the same; anonymous to /login. */
function all(signedIn: Expectation, anonymous: Expectation = 'login'): Record<Role, Expectation> {
  return { anonymous, admin: signedIn, librarian: signedIn, reviewer: signedIn, legal: signedIn, partner: signedIn }
}

/** Admins and librarians (channel:manage, distribution:publish) one way; everyone else signed in 403. */
function channelManagers(allowed: Expectation): Record<Role, Expectation> {
  return { anonymous: 'login', admin: allowed, librarian: allowed, reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' }
}

/** Admins, librarians and legal (distribution:view) one way; reviewers and partners 403. */
function distributionViewers(allowed: Expectation): Record<Role, Expectation> {
  return { anonymous: 'login', admin: allowed, librarian: allowed, reviewer: 'forbidden', legal: allowed, partner: 'forbidden' }
}

/** Admins only (admin:manage); every other signed-in role 403. */
function adminsOnly(allowed: Expectation): Record<Role, Expectation> {
  return { anonymous: 'login', admin: allowed, librarian: 'forbidden', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' }
}

/** Brand staff one way, the partner another, anonymous to /login. */
function staffPartner(staff: Expectation, partner: Expectation): Record<Role, Expectation> {
  return { anonymous: 'login', admin: staff, librarian: staff, reviewer: staff, legal: staff, partner }
}

const ROUTES = {
  '/portal': { path: () => '/portal', expect: all('ok') },
  '/portal/assets/:approvedId': { path: (ids) => `/portal/assets/${ids.approvedId}`, expect: all('ok') },
  '/portal/assets/:unapprovedId': { path: (ids) => `/portal/assets/${ids.unapprovedId}`, expect: staffPartner('ok', 'not-found') },
  '/portal/assets/:missingId': { path: (ids) => `/portal/assets/${ids.missingId}`, expect: all('not-found') },

  '/library': { path: () => '/library', expect: staffPartner('ok', 'forbidden') },
  '/library/upload': {
    path: () => '/library/upload',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'ok', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/library/assets/:unapprovedId': { path: (ids) => `/library/assets/${ids.unapprovedId}`, expect: staffPartner('ok', 'forbidden') },
  '/library/assets/:missingId': { path: (ids) => `/library/assets/${ids.missingId}`, expect: staffPartner('not-found', 'forbidden') },
  '/library/versions/:inReviewVersionId/status': {
    path: (ids) => `/library/versions/${ids.inReviewVersionId}/status`,
    expect: staffPartner('ok', 'forbidden'),
  },
  '/library/versions/status?ids=:inReviewVersionId': {
    path: (ids) => `/library/versions/status?ids=${ids.inReviewVersionId}`,
    expect: staffPartner('ok', 'forbidden'),
  },

  '/reviews': {
    path: () => '/reviews',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'forbidden', reviewer: 'ok', legal: 'forbidden', partner: 'forbidden' },
  },
  '/reviews/:inReviewVersionId': {
    path: (ids) => `/reviews/${ids.inReviewVersionId}`,
    expect: { anonymous: 'login', admin: 'ok', librarian: 'forbidden', reviewer: 'ok', legal: 'forbidden', partner: 'forbidden' },
  },
  '/reviews/:missingId': {
    path: (ids) => `/reviews/${ids.missingId}`,
    expect: { anonymous: 'login', admin: 'not-found', librarian: 'forbidden', reviewer: 'not-found', legal: 'forbidden', partner: 'forbidden' },
  },

  'thumbnail of approved current version': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/renditions/thumbnail`,
    expect: all('ok'),
  },
  'preview of approved current version': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/renditions/preview`,
    expect: all('ok'),
  },
  'thumbnail of unapproved version': {
    path: (ids) => `/assets/${ids.unapprovedId}/versions/${ids.inReviewVersionId}/renditions/thumbnail`,
    expect: staffPartner('ok', 'not-found'),
  },
  'preview of unapproved version': {
    path: (ids) => `/assets/${ids.unapprovedId}/versions/${ids.inReviewVersionId}/renditions/preview`,
    expect: staffPartner('ok', 'not-found'),
  },
  'thumbnail: approved asset id + another asset’s version': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.inReviewVersionId}/renditions/thumbnail`,
    expect: all('not-found'),
  },
  'rendition with an unknown preset': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/renditions/original`,
    expect: all('not-found'),
  },

  '/assets/:approvedId/download': { path: (ids) => `/assets/${ids.approvedId}/download`, expect: staffPartner('s3', 'declare') },
  '/assets/:approvedId/download?version=:approvedVersionId': {
    path: (ids) => `/assets/${ids.approvedId}/download?version=${ids.approvedVersionId}`,
    expect: staffPartner('s3', 'declare'),
  },
  '/assets/:unapprovedId/download': { path: (ids) => `/assets/${ids.unapprovedId}/download`, expect: staffPartner('s3', 'not-found') },
  '/assets/:unapprovedId/download?version=:inReviewVersionId': {
    path: (ids) => `/assets/${ids.unapprovedId}/download?version=${ids.inReviewVersionId}`,
    expect: staffPartner('s3', 'not-found'),
  },
  '/assets/:approvedId/download?version=:inReviewVersionId (other asset’s version)': {
    path: (ids) => `/assets/${ids.approvedId}/download?version=${ids.inReviewVersionId}`,
    expect: all('not-found'),
  },
  '/assets/:missingId/download': { path: (ids) => `/assets/${ids.missingId}/download`, expect: all('not-found') },

  '/reviews/:inReviewVersionId/diff (no approved version to compare)': {
    path: (ids) => `/reviews/${ids.inReviewVersionId}/diff`,
    expect: { anonymous: 'login', admin: 'not-found', librarian: 'forbidden', reviewer: 'not-found', legal: 'forbidden', partner: 'forbidden' },
  },
  '/library/assets/:unapprovedId/versions/new': {
    path: (ids) => `/library/assets/${ids.unapprovedId}/versions/new`,
    expect: { anonymous: 'login', admin: 'ok', librarian: 'ok', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },

  '/notifications': { path: () => '/notifications', expect: all('ok') },
  '/portal/takedowns': { path: () => '/portal/takedowns', expect: all('ok') },
  '/library/assets/:approvedId/share': { path: (ids) => `/library/assets/${ids.approvedId}/share`, expect: staffPartner('ok', 'forbidden') },
  '/api/v1/assets': { path: () => '/api/v1/assets', expect: all('ok', 'unauthorised') },
  '/api/v1/assets/:approvedId': { path: (ids) => `/api/v1/assets/${ids.approvedId}`, expect: all('ok', 'unauthorised') },
  '/api/v1/assets/:unapprovedId': { path: (ids) => `/api/v1/assets/${ids.unapprovedId}`, expect: { ...staffPartner('ok', 'not-found'), anonymous: 'unauthorised' } },
  '/api/v1/assets/:missingId': { path: (ids) => `/api/v1/assets/${ids.missingId}`, expect: all('not-found', 'unauthorised') },
  '/s/:unknownToken (share link)': { path: (ids) => `/s/${ids.missingId}`, expect: all('not-found', 'not-found') },
  '/library/assets/:approvedId/rights': { path: (ids) => `/library/assets/${ids.approvedId}/rights`, expect: staffPartner('ok', 'forbidden') },
  '/rights/expiring': {
    path: () => '/rights/expiring',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'ok', reviewer: 'forbidden', legal: 'ok', partner: 'forbidden' },
  },
  '/rights/bulk': {
    path: () => '/rights/bulk',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'forbidden', reviewer: 'forbidden', legal: 'ok', partner: 'forbidden' },
  },
  '/rights/releases/:missingId': { path: (ids) => `/rights/releases/${ids.missingId}`, expect: staffPartner('not-found', 'forbidden') },
  '/admin/rights-channels': {
    path: () => '/admin/rights-channels',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'forbidden', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/library/assets/:approvedId/downloads (ledger)': {
    path: (ids) => `/library/assets/${ids.approvedId}/downloads`,
    expect: staffPartner('ok', 'forbidden'),
  },
  '/admin/outbox': {
    path: () => '/admin/outbox',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'forbidden', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/admin/outbox/:missingId': {
    path: (ids) => `/admin/outbox/${ids.missingId}`,
    expect: { anonymous: 'login', admin: 'not-found', librarian: 'forbidden', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/admin/review-policies': {
    path: () => '/admin/review-policies',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'ok', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/admin/review-policies/new': {
    path: () => '/admin/review-policies/new',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'ok', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/admin/review-policies/:missingId': {
    path: (ids) => `/admin/review-policies/${ids.missingId}`,
    expect: { anonymous: 'login', admin: 'not-found', librarian: 'not-found', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/admin/channels': { path: () => '/admin/channels', expect: channelManagers('ok') },
  '/admin/channels/new': { path: () => '/admin/channels/new', expect: channelManagers('ok') },
  '/admin/channels/:channelId': { path: (ids) => `/admin/channels/${ids.channelId}`, expect: channelManagers('ok') },
  '/admin/channels/:missingId': { path: (ids) => `/admin/channels/${ids.missingId}`, expect: channelManagers('not-found') },
  '/distribution': { path: () => '/distribution', expect: distributionViewers('ok') },
  '/distribution?channel=:channelId': { path: (ids) => `/distribution?channel=${ids.channelId}`, expect: distributionViewers('ok') },
  '/distribution/channels/:channelId': { path: (ids) => `/distribution/channels/${ids.channelId}`, expect: distributionViewers('ok') },
  '/distribution/channels/:missingId': { path: (ids) => `/distribution/channels/${ids.missingId}`, expect: distributionViewers('not-found') },

  'clip of approved current version (an image has none)': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/renditions/clip`,
    expect: all('not-found'),
  },
  'page-1 of unapproved version (an image has none)': {
    path: (ids) => `/assets/${ids.unapprovedId}/versions/${ids.inReviewVersionId}/renditions/page-1`,
    expect: all('not-found'),
  },
  'admin preset of approved current version': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/presets/${ids.presetName}`,
    expect: staffPartner('preset', 'declare'),
  },
  'admin preset of approved current version, use declared': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/presets/${ids.presetName}?channel=web&territory=GB`,
    expect: all('preset'),
  },
  'admin preset of unapproved version': {
    path: (ids) => `/assets/${ids.unapprovedId}/versions/${ids.inReviewVersionId}/presets/${ids.presetName}?channel=web&territory=GB`,
    expect: staffPartner('preset', 'not-found'),
  },
  'unknown admin preset': {
    path: (ids) => `/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/presets/no-such-preset`,
    expect: all('not-found'),
  },
  '/library/assets/:approvedId/metadata': { path: (ids) => `/library/assets/${ids.approvedId}/metadata`, expect: staffPartner('ok', 'forbidden') },
  '/library/bulk-edit': {
    path: () => '/library/bulk-edit',
    expect: { anonymous: 'login', admin: 'ok', librarian: 'ok', reviewer: 'forbidden', legal: 'forbidden', partner: 'forbidden' },
  },
  '/admin/metadata-schemas': { path: () => '/admin/metadata-schemas', expect: adminsOnly('ok') },
  '/admin/metadata-schemas/new': { path: () => '/admin/metadata-schemas/new', expect: adminsOnly('ok') },
  '/admin/metadata-schemas/:missingId': { path: (ids) => `/admin/metadata-schemas/${ids.missingId}`, expect: adminsOnly('not-found') },
  '/admin/rendition-presets': { path: () => '/admin/rendition-presets', expect: adminsOnly('ok') },
  '/admin/rendition-presets/new': { path: () => '/admin/rendition-presets/new', expect: adminsOnly('ok') },
  '/admin/rendition-presets/:missingId': { path: (ids) => `/admin/rendition-presets/${ids.missingId}`, expect: adminsOnly('not-found') },

  '/healthz': { path: () => '/healthz', expect: all('ok', 'ok') },
} satisfies Record<string, RouteSpec>

type RouteName = keyof typeof ROUTES

type PostSpec = RouteSpec & { form: Record<string, string> }

/**
 * The actions of the distribution pages and of the library asset page's new forms. Roles
 * that may act post a form the action refuses without writing: an empty channel form
 * (400), a publish naming no channel (400), a republish of the disabled test channel
 * (409), archiving an asset that does not exist (404).
 */
const POSTS = {
  'POST /admin/channels/new (empty form)': { path: () => '/admin/channels/new', form: {}, expect: channelManagers('invalid') },
  'POST /admin/channels/:channelId (empty form)': { path: (ids) => `/admin/channels/${ids.channelId}`, form: {}, expect: channelManagers('invalid') },
  'POST /distribution/channels/:channelId retry (no asset)': {
    path: (ids) => `/distribution/channels/${ids.channelId}`,
    form: { intent: 'retry' },
    expect: channelManagers('invalid'),
  },
  'POST /distribution/channels/:channelId republish (channel disabled)': {
    path: (ids) => `/distribution/channels/${ids.channelId}`,
    form: { intent: 'republish' },
    expect: channelManagers('conflict'),
  },
  'POST /library/assets/:approvedId publish (no channel)': {
    path: (ids) => `/library/assets/${ids.approvedId}`,
    form: { intent: 'publish' },
    expect: channelManagers('invalid'),
  },
  'POST /library/assets/:approvedId unpublish (no channel)': {
    path: (ids) => `/library/assets/${ids.approvedId}`,
    form: { intent: 'unpublish' },
    expect: channelManagers('invalid'),
  },
  'POST /library/assets/:missingId archive': { path: (ids) => `/library/assets/${ids.missingId}`, form: { intent: 'archive' }, expect: channelManagers('not-found') },
  'POST /library/assets/:missingId restore': { path: (ids) => `/library/assets/${ids.missingId}`, form: { intent: 'restore' }, expect: channelManagers('not-found') },
  'POST /library/versions/:inReviewVersionId/focal-point (out of range)': {
    path: (ids) => `/library/versions/${ids.inReviewVersionId}/focal-point`,
    form: { x: '150', y: '-3' },
    expect: channelManagers('back'),
  },
  'POST /library/versions/:inReviewVersionId/duplicate (no decision)': {
    path: (ids) => `/library/versions/${ids.inReviewVersionId}/duplicate`,
    form: {},
    expect: staffPartner('invalid', 'forbidden'),
  },
  'POST /library/assets/:approvedId/metadata (over-long title)': {
    path: (ids) => `/library/assets/${ids.approvedId}/metadata`,
    form: { 'dc.title': 'x'.repeat(5000) },
    expect: channelManagers('invalid'),
  },
  'POST /library/bulk-edit (no assets)': { path: () => '/library/bulk-edit', form: {}, expect: channelManagers('invalid') },
  'POST /admin/metadata-schemas/new (empty form)': { path: () => '/admin/metadata-schemas/new', form: {}, expect: adminsOnly('invalid') },
  'POST /admin/rendition-presets/new (empty form)': { path: () => '/admin/rendition-presets/new', form: {}, expect: adminsOnly('invalid') },
} satisfies Record<string, PostSpec>

type PostName = keyof typeof POSTS

/** What these actions write to the audit trail when they do act. */
const ACTION_AUDITS = [
  'channel.create',
  'channel.update',
  'distribution.request',
  'asset.archive',
  'asset.restore',
  'version.focal_point',
  'version.duplicate_decision',
  'asset.metadata_change',
  'metadata_schema.change',
  'rendition_preset.create',
] as const

const ALL_ROLES: Role[] = ['anonymous', ...SIGNED_IN_ROLES]
const CELLS = (Object.keys(ROUTES) as RouteName[]).flatMap((route) =>
  ALL_ROLES.map((role) => {
    const expectation: Expectation = ROUTES[route].expect[role]
    return { route, role, expectation, status: STATUS[expectation] }
  }),
)
const POST_CELLS = (Object.keys(POSTS) as PostName[]).flatMap((post) =>
  ALL_ROLES.map((role) => {
    const expectation: Expectation = POSTS[post].expect[role]
    return { post, role, expectation, status: STATUS[expectation] }
  }),
)

// ───────────────────────────── HTTP helpers

function sessionCookieFrom(response: Response): string | null {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';')
    if (pair?.startsWith(`${SESSION_COOKIE}=`) && pair.length > SESSION_COOKIE.length + 1) return pair
  }
  return null
}

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${webUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: webUrl },
    body: new URLSearchParams({ email, password: PASSWORD, redirectTo: '' }),
  })
  const cookie = sessionCookieFrom(response)
  if (response.status !== 302 || !cookie) {
    throw new Error(`Signing in ${email} answered ${response.status} without a session cookie: ${(await response.text()).slice(0, 300)}`)
  }
  return cookie
}

function get(path: string, cookie: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (cookie) headers.set('Cookie', cookie)
  return fetch(`${webUrl}${path}`, { ...init, headers, redirect: 'manual' })
}

function isLoginRedirect(location: string | null): boolean {
  if (!location) return false
  const url = new URL(location, webUrl)
  return url.origin === new URL(webUrl).origin && url.pathname === '/login'
}

/** The presigned URL's facts; throws when it is not one. */
function presignedFacts(location: string | null): { url: URL; expires: number } {
  expect(location, 'a Location header').toBeTruthy()
  const url = new URL(location!)
  const s3 = new URL(process.env.S3_ENDPOINT!)
  expect(url.host, 'the presigned URL points at S3').toBe(s3.host)
  const expires = Number(url.searchParams.get('X-Amz-Expires'))
  expect(url.searchParams.get('X-Amz-Signature'), 'a signed URL').toBeTruthy()
  return { url, expires }
}

// ───────────────────────────── fixtures from the seeded demo data

const cookies = new Map<SignedInRole, string>()
let ids: Ids
const createdSessionIds: string[] = []

beforeAll(async () => {
  const brand = await db.organisation.findUnique({ where: { slug: 'damson-demo' }, select: { id: true } })
  if (!brand) throw new Error('The demo organisation is missing: the e2e global setup seeds it (prisma/seed.ts)')

  const approved = await db.asset.findFirst({
    where: { ownerOrganisationId: brand.id, title: 'Summer Launch Hero', status: 'active', currentVersion: { status: 'approved' } },
    select: { id: true, currentVersion: { select: { id: true, sha256: true } } },
  })
  if (!approved?.currentVersion) throw new Error('The seeded approved asset "Summer Launch Hero" was not found')

  // One of the four seeded assets still awaiting review (no approved version, newest version in review).
  const waiting = await db.asset.findMany({
    where: {
      ownerOrganisationId: brand.id,
      currentVersionId: null,
      title: { in: ['Night Market Teaser', 'Founders Portrait', 'Recipe Card Crumble', 'Sustainability Report Cover'] },
    },
    select: { id: true, title: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, status: true, sha256: true } } },
    orderBy: { title: 'asc' },
  })
  const unapproved = waiting.find((asset) => asset.versions[0]?.status === 'in_review')
  if (!unapproved?.versions[0]) throw new Error('No seeded asset awaiting review was found (have they all been decided?)')

  // Disabled and publishing nothing by itself: the matrix may open it, and nothing is ever delivered to it.
  const channel = await db.channel.create({
    data: {
      name: `Authorisation matrix ${randomBytes(4).toString('hex')}`,
      kind: 'folder',
      destination: { kind: 'folder', path: 'authorisation-matrix' },
      preset: {},
      rightsChannel: 'web',
      autoPublish: false,
      enabled: false,
    },
    select: { id: true },
  })

  // A square crop for partners, as an admin would define it (the one preset schema: ~/domain/channel-preset).
  const preset = await db.renditionPreset.create({
    data: {
      name: `matrix-${randomBytes(4).toString('hex')}`,
      label: 'Authorisation matrix square',
      preset: { format: 'jpeg', maxWidth: 320, maxHeight: 320, fit: 'cover', quality: 80 },
    },
    select: { name: true },
  })

  ids = {
    approvedId: approved.id,
    approvedVersionId: approved.currentVersion.id,
    unapprovedId: unapproved.id,
    inReviewVersionId: unapproved.versions[0].id,
    missingId: randomUUID(),
    channelId: channel.id,
    presetName: preset.name,
  }

  for (const role of SIGNED_IN_ROLES) cookies.set(role, await signIn(EMAILS[role]))
})

afterAll(async () => {
  if (createdSessionIds.length > 0) await db.session.deleteMany({ where: { id: { in: createdSessionIds } } })
  if (ids?.channelId) await db.channel.deleteMany({ where: { id: ids.channelId } })
  if (ids?.presetName) await db.renditionPreset.deleteMany({ where: { name: ids.presetName } })
})

// ───────────────────────────── the matrix

describe('authorisation matrix (roles × routes)', () => {
  it.each(CELLS)('$role GET $route → $status ($expectation)', async ({ route, role, expectation, status }) => {
    const path = ROUTES[route].path(ids)
    const cookie = role === 'anonymous' ? null : cookies.get(role)!
    const response = await get(path, cookie)
    const location = response.headers.get('location')
    const body = response.status === 302 ? '' : await response.text()
    expect(
      response.status,
      `${role} GET ${path}: expected ${status}, got ${response.status}${location ? ` → ${location}` : ''} ${body.slice(0, 200)}`,
    ).toBe(status)

    if (expectation === 'login') {
      expect(isLoginRedirect(location), `redirects to /login, not ${location}`).toBe(true)
    }
    if (expectation === 's3') {
      const { url, expires } = presignedFacts(location)
      expect(expires).toBeGreaterThan(0)
      expect(expires).toBeLessThanOrEqual(60)
      const object = await fetch(url)
      expect(object.status, 'the presigned URL answers').toBe(200)
      expect(object.headers.get('content-disposition') ?? '').toMatch(/^attachment/)
      // Not the original object: a copy with the rights written in (the original is never modified).
      const assetId = path.startsWith(`/assets/${ids.approvedId}/`) ? ids.approvedId : ids.unapprovedId
      expect(new URL(url).pathname).toContain('/stamped/')
      expect(Buffer.from(await object.arrayBuffer()).toString('latin1')).toContain(`/portal/assets/${assetId}#rights`)
    }
    if (expectation === 'preset') {
      const { url, expires } = presignedFacts(location)
      expect(expires).toBeGreaterThan(0)
      expect(expires).toBeLessThanOrEqual(60)
      const object = await fetch(url)
      expect(object.status, 'the presigned URL answers').toBe(200)
      expect(object.headers.get('content-disposition') ?? '').toMatch(/^attachment/)
      const rendition = await sharp(Buffer.from(await object.arrayBuffer())).metadata()
      expect([rendition.format, rendition.width, rendition.height]).toEqual(['jpeg', 320, 320])
    }
    if (expectation === 'declare') {
      expect(location).toMatch(new RegExp(`^/portal/assets/${ids.approvedId}(\\?[^#]*)?#(download|presets)$`))
    }
    if (expectation === 'ok' && (route.includes('thumbnail') || route.includes('preview'))) {
      expect(response.headers.get('content-type') ?? '').toMatch(/^image\//)
    }
    if (expectation === 'not-found' && role === 'partner') {
      // A partner's 404 must not leak the asset's title.
      expect(body).not.toMatch(/Night Market Teaser|Founders Portrait|Recipe Card Crumble|Sustainability Report Cover/)
    }
  })
})

describe('authorisation matrix (roles × form posts)', () => {
  it.each(POST_CELLS)('$role POST $post → $status ($expectation)', async ({ post, role, expectation, status }) => {
    const path = POSTS[post].path(ids)
    const cookie = role === 'anonymous' ? null : cookies.get(role)!
    const [channelsBefore, auditBefore] = await Promise.all([db.channel.count(), db.auditEvent.count({ where: { action: { in: [...ACTION_AUDITS] } } })])
    const response = await fetch(`${webUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: webUrl, ...(cookie ? { Cookie: cookie } : {}) },
      body: new URLSearchParams(POSTS[post].form),
    })
    const location = response.headers.get('location')
    const body = response.status === 302 ? '' : await response.text()
    expect(response.status, `${role} POST ${path}: expected ${status}, got ${response.status}${location ? ` → ${location}` : ''} ${body.slice(0, 200)}`).toBe(status)
    if (expectation === 'login') expect(isLoginRedirect(location), `redirects to /login, not ${location}`).toBe(true)
    if (expectation === 'back') expect(location ?? '').toMatch(/^\/library\/assets\/[^?#]+\?focal=invalid#focal-point$/)
    // Whoever posted, nothing was created and none of these actions was recorded.
    expect(await db.channel.count()).toBe(channelsBefore)
    expect(await db.auditEvent.count({ where: { action: { in: [...ACTION_AUDITS] } } })).toBe(auditBefore)
  })
})

describe('anonymous resource requests that ask for JSON', () => {
  it('get 401, not a redirect', async () => {
    const response = await get(`/assets/${ids.approvedId}/download`, null, { headers: { Accept: 'application/json' } })
    expect(response.status).toBe(401)
  })
})

// ───────────────────────────── cross-site posts

describe('cross-site form posts', () => {
  const form = (fields: Record<string, string>) => ({
    body: new URLSearchParams(fields),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  })
  const postFrom = (path: string, origin: string | null, cookie: string | null, body: BodyInit, extra: Record<string, string> = {}) =>
    fetch(`${webUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...(origin ? { Origin: origin } : {}), ...(cookie ? { Cookie: cookie } : {}), ...extra },
      body,
    })

  // What matters most is that nothing happens (checked first, hard); the status is
  // checked softly after it so that a refusal with the wrong status still reports both.
  it('refuses a sign-in posted from another origin: no session, 403', async () => {
    const { body, headers } = form({ email: EMAILS.partner, password: PASSWORD, redirectTo: '' })
    const response = await postFrom('/login', EVIL_ORIGIN, null, body, headers)
    expect(sessionCookieFrom(response)).toBeNull()
    expect.soft(response.status, 'POST /login from http://evil.example').toBe(403)
  })

  it('refuses a single-fetch sign-in (/login.data) posted from another origin: no session, 403', async () => {
    const { body, headers } = form({ email: EMAILS.partner, password: PASSWORD, redirectTo: '' })
    const response = await postFrom('/login.data', EVIL_ORIGIN, null, body, headers)
    expect(sessionCookieFrom(response)).toBeNull()
    expect.soft(response.status, 'POST /login.data from http://evil.example').toBe(403)
  })

  it('refuses a review decision posted from another origin: nothing recorded, 403', async () => {
    const before = await db.reviewDecision.count({ where: { review: { versionId: ids.inReviewVersionId } } })
    const { body, headers } = form({ decision: 'approve', comment: 'cross-site' })
    const response = await postFrom(`/reviews/${ids.inReviewVersionId}`, EVIL_ORIGIN, cookies.get('reviewer')!, body, headers)
    expect(await db.reviewDecision.count({ where: { review: { versionId: ids.inReviewVersionId } } })).toBe(before)
    expect.soft(response.status, 'POST /reviews/:versionId from http://evil.example').toBe(403)
  })

  it('refuses an upload posted from another origin: no asset, 403', async () => {
    const title = `cross-site upload ${randomBytes(6).toString('hex')}`
    const body = new FormData()
    body.append('title', title)
    body.append('file', new Blob([randomBytes(64)], { type: 'image/png' }), 'x.png')
    const response = await postFrom('/library/upload', EVIL_ORIGIN, cookies.get('librarian')!, body)
    expect(await db.asset.count({ where: { title } })).toBe(0)
    expect.soft(response.status, 'POST /library/upload from http://evil.example').toBe(403)
  })

  it('refuses a sign-out posted from another origin: the session stays valid, 403', async () => {
    const cookie = cookies.get('legal')!
    const { body, headers } = form({})
    const response = await postFrom('/logout', EVIL_ORIGIN, cookie, body, headers)
    expect((await get('/library', cookie)).status).toBe(200)
    expect.soft(response.status, 'POST /logout from http://evil.example').toBe(403)
  })

  it('refuses a post with our Origin that the browser marked Sec-Fetch-Site: cross-site', async () => {
    const { body, headers } = form({ email: EMAILS.partner, password: PASSWORD, redirectTo: '' })
    const response = await postFrom('/login', webUrl, null, body, { ...headers, 'Sec-Fetch-Site': 'cross-site' })
    expect(sessionCookieFrom(response)).toBeNull()
    expect(response.status).toBe(403)
  })

  it('refuses a post with neither Origin nor Referer', async () => {
    const { body, headers } = form({ email: EMAILS.partner, password: PASSWORD, redirectTo: '' })
    const response = await postFrom('/login', null, null, body, headers)
    expect(sessionCookieFrom(response)).toBeNull()
    expect(response.status).toBe(403)
  })
})

// ───────────────────────────── sessions that are not (or no longer) valid

describe('invalid session cookies are anonymous', () => {
  async function expectAnonymous(cookie: string): Promise<void> {
    const page = await get('/library', cookie)
    expect(page.status).toBe(302)
    expect(isLoginRedirect(page.headers.get('location'))).toBe(true)
    const portal = await get('/portal', cookie)
    expect(portal.status).toBe(302)
    const rendition = await get(`/assets/${ids.approvedId}/versions/${ids.approvedVersionId}/renditions/thumbnail`, cookie)
    expect(rendition.status).toBe(302)
    expect(isLoginRedirect(rendition.headers.get('location'))).toBe(true)
    const download = await get(`/assets/${ids.approvedId}/download`, cookie)
    expect(download.status).toBe(302)
    expect(isLoginRedirect(download.headers.get('location'))).toBe(true)
  }

  it('a forged session id', async () => {
    await expectAnonymous(`${SESSION_COOKIE}=${randomBytes(20).toString('hex')}`)
  })

  it('a malformed cookie value', async () => {
    await expectAnonymous(`${SESSION_COOKIE}=${encodeURIComponent("' OR 1=1 --")}`)
  })

  it('an expired session (a real row whose expiry has passed)', async () => {
    const partner = await db.user.findUniqueOrThrow({ where: { email: EMAILS.partner }, select: { id: true } })
    const id = randomBytes(20).toString('hex')
    createdSessionIds.push(id)
    await db.session.create({ data: { id, userId: partner.id, expiresAt: new Date(Date.now() - 60_000) } })
    await expectAnonymous(`${SESSION_COOKIE}=${id}`)
  })

  it('a session ended by signing out', async () => {
    const cookie = await signIn(EMAILS.partner)
    expect((await get('/portal', cookie)).status).toBe(200)
    const signOut = await fetch(`${webUrl}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: webUrl, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({}),
    })
    expect(signOut.status).toBe(302)
    await expectAnonymous(cookie)
  })
})
