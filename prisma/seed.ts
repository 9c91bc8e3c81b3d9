/**
 * Demo data for `npm start`: two organisations, one user per role, a default review
 * policy and a dozen sample images that go through the real pipeline (S3, the
 * Temporal ingest workflow, review updates) — so the worker must be running.
 * Completes whatever demo data is missing (so an interrupted run can be re-run), and
 * never runs when NODE_ENV=production.
 */
import { Readable } from 'node:stream'
import { getDb } from '~/db.server'
import { hashPassword } from '~/auth.server'
import { uploadAsset } from '~/assets/upload.server'
import { submitReviewDecision } from '~/review/decide.server'
import { getStorage } from '~/storage.server'
import { createGrant } from '~/rights/grants.server'
import type { GrantTermsInput } from '~/rights/grant-terms'
import { instantToLocalText } from '~/rights/local-time'
import type { RoleName } from '~/domain/roles'
import { SAMPLE_IMAGES, renderSampleImage } from './seed/sample-images'
import { newChannelDraft, type ChannelFormInput } from '~/components/channels/channel-form'
import { createChannel } from '~/distribution/channels.server'
import { getEnv } from '~/env.server'

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
  // Every step finds what an earlier (perhaps interrupted) run made before creating it,
  // so running the seed again completes the demo instead of duplicating or skipping it.
  const brand = await db.organisation.upsert({
    where: { slug: 'damson-demo' },
    update: {},
    create: { name: 'Damson Demo', slug: 'damson-demo', kind: 'brand' },
  })
  const partner = await db.organisation.upsert({
    where: { slug: 'acme-agency' },
    update: {},
    create: { name: 'Acme Agency', slug: 'acme-agency', kind: 'partner' },
  })
  const users = new Map<RoleName, { id: string; email: string; name: string }>()
  let passwordHash: string | undefined
  for (const demo of DEMO_USERS) {
    const organisation = demo.organisation === 'brand' ? brand : partner
    let user = await db.user.findUnique({ where: { email: demo.email } })
    if (!user) {
      passwordHash ??= await hashPassword(DEMO_PASSWORD)
      user = await db.user.create({
        data: {
          email: demo.email,
          name: demo.name,
          passwordHash,
          memberships: { create: { organisationId: organisation.id, roles: [demo.role] } },
        },
      })
      console.log(`seed: created ${demo.email}`)
    }
    users.set(demo.role, user)
  }

  const policies = await db.reviewPolicy.count({ where: { name: 'Brand review' } })
  if (policies === 0) {
    await db.reviewPolicy.create({
      data: {
        name: 'Brand review',
        isDefault: true,
        stages: { create: { position: 0, name: 'Brand review', quorum: 'any', reviewerRole: 'reviewer', dueHours: 48 } },
      },
    })
  }

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

  const samples: { versionId: string; approve: boolean; title: string }[] = []
  let uploadedNow = 0
  for (const [index, sample] of SAMPLE_IMAGES.entries()) {
    const existing = await db.asset.findFirst({
      where: { ownerOrganisationId: brand.id, title: sample.title },
      select: { versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true } } },
    })
    let versionId = existing?.versions[0]?.id
    if (!versionId) {
      const bytes = await renderSampleImage(index, sample.title)
      const uploaded = await uploadAsset({
        db,
        storage: getStorage(),
        uploader,
        file: { stream: Readable.from([bytes]), filename: sample.filename, declaredType: 'image/jpeg' },
        title: sample.title,
        description: sample.description,
        folderPath: sample.folderPath,
        tags: sample.tags,
      })
      versionId = uploaded.versionId
      uploadedNow++
      console.log(`seed: uploaded sample ${index + 1}/${SAMPLE_IMAGES.length} "${sample.title}"`)
    }
    samples.push({ versionId, approve: sample.approve, title: sample.title })
  }

  let approvedNow = 0
  for (const [index, sample] of samples.entries()) {
    const status = await waitForVersionStatus(sample.versionId, ['in_review', 'approved', 'rejected', 'changes_requested'], 120_000)
    if (!sample.approve || status !== 'in_review') continue
    await submitReviewDecision({
      versionId: sample.versionId,
      reviewerId: reviewer.id,
      decision: 'approve',
      comment: 'Approved for the demo library.',
      // In review in the database: ingest starts the review workflow a moment after.
      reviewIsOpen: true,
    })
    await waitForVersionStatus(sample.versionId, ['approved'], 60_000)
    approvedNow++
    console.log(`seed: approved sample ${index + 1} "${sample.title}"`)
  }
  // After the samples, so their reviews kept the one-stage default the loop above decides.
  await ensureCampaignReview({ brandId: brand.id, adminId: users.get('admin')!.id, ownerId: librarian.id })
  await ensureDemoRights({ brandId: brand.id, legalId: users.get('legal')!.id, partnerOrganisationId: partner.id })
  await ensureDemoChannels({ adminId: users.get('admin')!.id })

  if (uploadedNow === 0 && approvedNow === 0) {
    console.log('seed: demo data is already there, nothing to do')
    return
  }
  const waiting = samples.filter((sample) => !sample.approve).length
  console.log(`seed: done — ${samples.length - waiting} approved, ${waiting} awaiting review`)
}

/**
 * A two-stage policy for campaign folders (any brand reviewer, then the admin's final
 * sign-off) and a collection to upload into: what a demo of staged review needs.
 */
async function ensureCampaignReview({ brandId, adminId, ownerId }: { brandId: string; adminId: string; ownerId: string }) {
  if ((await db.reviewPolicy.count({ where: { name: 'Campaign review' } })) === 0) {
    await db.reviewPolicy.create({
      data: {
        name: 'Campaign review',
        folderPrefix: '/campaigns',
        stages: {
          create: [
            { position: 0, name: 'Brand', quorum: 'any', reviewerRole: 'reviewer', dueHours: 48 },
            { position: 1, name: 'Final sign-off', quorum: 'all', dueHours: 24, reviewers: { create: { userId: adminId } } },
          ],
        },
      },
    })
    console.log('seed: created the "Campaign review" policy (two stages, for /campaigns)')
  }
  if ((await db.collection.count({ where: { name: 'Spring launch', organisationId: brandId } })) === 0) {
    await db.collection.create({
      data: { name: 'Spring launch', description: 'Everything for the spring 2027 launch.', ownerId, organisationId: brandId },
    })
  }
}

/**
 * Rights for a few approved samples, so the portal's rights summaries, the download
 * form and legal's expiring-soon board have something to show: a licence expiring in
 * ten days, one for print in three countries, one for Acme only, and an embargo that
 * lifts in three days on an otherwise expired asset. Written through the grants use case,
 * which also starts each asset's rights window (when the worker is running).
 */
async function ensureDemoRights({ brandId, legalId, partnerOrganisationId }: { brandId: string; legalId: string; partnerOrganisationId: string }) {
  const zone = 'Europe/Berlin'
  const inDays = (days: number) => instantToLocalText(new Date(Date.now() + days * 86_400_000), zone)
  const plans: { title: string; terms: Pick<GrantTermsInput, 'licenceType'> & Partial<GrantTermsInput> }[] = [
    { title: 'Orchard Lifestyle', terms: { licenceType: 'rights_managed', licensor: 'Field & Frame Studio', reference: 'FF-2027-114', expiresAt: inDays(10), warnBeforeDays: '30' } },
    { title: 'Retail Window Poster', terms: { licenceType: 'royalty_free', licensor: 'Getty Images', reference: 'GI-88213', channels: ['print', 'out_of_home'], territories: 'DE, FR, AT', expiresAt: inDays(45), warnBeforeDays: '14' } },
    { title: 'Winter Gift Set', terms: { licenceType: 'owned', organisationIds: [partnerOrganisationId], warnBeforeDays: '0', notes: 'Shot in-house; shared with Acme for the winter campaign.' } },
    { title: 'Spring Blossom Social Tile', terms: { licenceType: 'creative_commons', licenceVariant: 'CC BY 4.0', licensor: 'Hana Ito', channels: ['web', 'social'], startsAt: inDays(3), warnBeforeDays: '0' } },
  ]
  for (const { title, terms } of plans) {
    const asset = await db.asset.findFirst({ where: { ownerOrganisationId: brandId, title }, select: { id: true, _count: { select: { rightsGrants: true } } } })
    if (!asset || asset._count.rightsGrants > 0) continue
    const written = await createGrant({
      db,
      assetId: asset.id,
      actorId: legalId,
      input: { licenceVariant: '', licensor: '', reference: '', startsAt: '', expiresAt: '', notes: '', timeZone: zone, warnBeforeDays: '0', ...terms },
    })
    if (!written.ok) throw new Error(`seed: the demo grant for "${title}" was refused: ${JSON.stringify(written.fieldErrors)}`)
    console.log(`seed: rights for "${title}"`)
  }
}

/**
 * Two channels to show distribution: the website, a folder under CHANNEL_FOLDER_ROOT that
 * publishes campaign, photography and product assets by itself; and social, the local
 * channel bucket (when the embedded stack provides one) that waits for a librarian.
 */
async function ensureDemoChannels({ adminId }: { adminId: string }) {
  const env = getEnv()
  if (!env.DAMSON_SECRETS_KEY) {
    console.log('seed: DAMSON_SECRETS_KEY is not set, so no demo channels (they keep secrets encrypted)')
    return
  }
  const demo: { name: string; input: (draft: ChannelFormInput) => ChannelFormInput }[] = [
    {
      name: 'Website',
      input: (draft) => ({
        ...draft,
        kind: 'folder',
        folderPath: 'website',
        rightsChannel: 'web',
        format: 'webp',
        maxWidth: '1600',
        maxHeight: '1600',
        scopeFolders: '/campaigns\n/photography\n/products',
      }),
    },
  ]
  if (env.LOCAL_CHANNEL_S3_ENDPOINT && env.LOCAL_CHANNEL_S3_BUCKET && env.LOCAL_CHANNEL_S3_ACCESS_KEY_ID && env.LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY) {
    const { LOCAL_CHANNEL_S3_ENDPOINT, LOCAL_CHANNEL_S3_BUCKET, LOCAL_CHANNEL_S3_ACCESS_KEY_ID, LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY } = env
    demo.push({
      name: 'Social CDN',
      input: (draft) => ({
        ...draft,
        kind: 's3',
        s3Endpoint: LOCAL_CHANNEL_S3_ENDPOINT,
        s3Bucket: LOCAL_CHANNEL_S3_BUCKET,
        s3Prefix: 'social',
        s3AccessKeyId: LOCAL_CHANNEL_S3_ACCESS_KEY_ID,
        s3SecretAccessKey: LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY,
        rightsChannel: 'social',
        format: 'jpeg',
        maxWidth: '1080',
        maxHeight: '1080',
        fit: 'cover',
        watermarkText: '© Damson Demo',
        scopeTags: 'social, lifestyle',
        autoPublish: false,
      }),
    })
  }
  for (const { name, input } of demo) {
    if (await db.channel.findUnique({ where: { name }, select: { id: true } })) continue
    const saved = await createChannel({ db, actorId: adminId, input: input({ ...newChannelDraft(), name }) })
    if (!saved.ok) throw new Error(`seed: the demo channel "${name}" was refused: ${JSON.stringify(saved.fieldErrors)}`)
    console.log(`seed: channel "${name}"`)
  }
}

try {
  await seed()
} finally {
  await db.$disconnect()
}
// The Temporal client keeps a connection open; exit explicitly once done.
process.exit(0)
