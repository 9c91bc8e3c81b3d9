/**
 * Demo data for `npm start`: two organisations, one user per role, a default review
 * policy and a dozen sample images that go through the real pipeline (S3, the
 * Temporal ingest workflow, review updates) — so the worker must be running.
 * Runs only on an empty database and never when NODE_ENV=production.
 */
import { Readable } from 'node:stream'
import { getDb } from '~/db.server'
import { hashPassword } from '~/auth.server'
import { uploadAsset } from '~/assets/upload.server'
import { submitReviewDecision } from '~/review/decide.server'
import { getStorage } from '~/storage.server'
import type { RoleName } from '~/domain/roles'
import { SAMPLE_IMAGES, renderSampleImage } from './seed/sample-images'

export const DEMO_PASSWORD = 'damson-demo'

const DEMO_USERS: { email: string; name: string; role: RoleName; organisation: 'brand' | 'partner' }[] = [
  { email: 'admin@damson.test', name: 'Ada Admin', role: 'admin', organisation: 'brand' },
  { email: 'librarian@damson.test', name: 'Lena Librarian', role: 'librarian', organisation: 'brand' },
  { email: 'reviewer@damson.test', name: 'Rafael Reviewer', role: 'reviewer', organisation: 'brand' },
  { email: 'legal@damson.test', name: 'Lou Legal', role: 'legal', organisation: 'brand' },
  { email: 'partner@acme.test', name: 'Pat Partner', role: 'partner', organisation: 'partner' },
]

const db = getDb()

async function waitForVersionStatus(versionId: string, wanted: string[], timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const version = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { status: true, failureReason: true } })
    if (wanted.includes(version.status)) return version.status
    if (version.status === 'failed') throw new Error(`Sample version ${versionId} failed: ${version.failureReason}`)
    if (Date.now() > deadline) {
      throw new Error(`Sample version ${versionId} is still ${version.status} after ${timeoutMs / 1000} s: is the worker running?`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function seed(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    console.log('seed: NODE_ENV=production, demo data is never seeded in production')
    return
  }
  if (await db.organisation.findUnique({ where: { slug: 'damson-demo' } })) {
    console.log('seed: demo data is already there, nothing to do')
    return
  }
  console.log('seed: creating demo organisations and users')
  const brand = await db.organisation.create({ data: { name: 'Damson Demo', slug: 'damson-demo', kind: 'brand' } })
  const partner = await db.organisation.create({ data: { name: 'Acme Agency', slug: 'acme-agency', kind: 'partner' } })
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const users = new Map<RoleName, { id: string; email: string; name: string }>()
  for (const demo of DEMO_USERS) {
    const organisation = demo.organisation === 'brand' ? brand : partner
    const user = await db.user.create({
      data: {
        email: demo.email,
        name: demo.name,
        passwordHash,
        memberships: { create: { organisationId: organisation.id, roles: [demo.role] } },
      },
    })
    users.set(demo.role, user)
  }

  await db.reviewPolicy.create({
    data: {
      name: 'Brand review',
      isDefault: true,
      stages: { create: { position: 0, name: 'Brand review', quorum: 'any', reviewerRole: 'reviewer', dueHours: 48 } },
    },
  })

  const librarian = users.get('librarian')!
  const reviewer = users.get('reviewer')!
  const uploader = {
    id: librarian.id,
    email: librarian.email,
    name: librarian.name,
    roles: ['librarian'] as RoleName[],
    organisation: { id: brand.id, name: brand.name, kind: brand.kind },
    viewer: { userId: librarian.id, roles: ['librarian'] as RoleName[], organisationId: brand.id },
  }

  const uploaded: { versionId: string; approve: boolean; title: string }[] = []
  for (const [index, sample] of SAMPLE_IMAGES.entries()) {
    const bytes = await renderSampleImage(index, sample.title)
    const { versionId } = await uploadAsset({
      db,
      storage: getStorage(),
      uploader,
      file: { stream: Readable.from([bytes]), filename: sample.filename, declaredType: 'image/jpeg' },
      title: sample.title,
      description: sample.description,
      folderPath: sample.folderPath,
      tags: sample.tags,
    })
    uploaded.push({ versionId, approve: sample.approve, title: sample.title })
    console.log(`seed: uploaded sample ${index + 1}/${SAMPLE_IMAGES.length} "${sample.title}"`)
  }

  for (const [index, item] of uploaded.entries()) {
    await waitForVersionStatus(item.versionId, ['in_review'], 120_000)
    if (!item.approve) continue
    await submitReviewDecision({
      versionId: item.versionId,
      reviewerId: reviewer.id,
      decision: 'approve',
      comment: 'Approved for the demo library.',
    })
    await waitForVersionStatus(item.versionId, ['approved'], 60_000)
    console.log(`seed: approved sample ${index + 1} "${item.title}"`)
  }
  const waiting = uploaded.filter((item) => !item.approve).length
  console.log(`seed: done — ${uploaded.length - waiting} approved, ${waiting} awaiting review`)
}

try {
  await seed()
} finally {
  await db.$disconnect()
}
// The Temporal client keeps a connection open; exit explicitly once done.
process.exit(0)
