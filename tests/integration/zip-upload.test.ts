/**
 * Zip archives through the real upload route (signed in as a librarian) and folder
 * trees through `npm run import`, against the test stack's PostgreSQL, S3 and
 * Temporal: the archive's folders become asset folders under the form's folder, a
 * file of the wrong type is refused with the allow-list reason while the rest
 * import, and hostile archives (`../`, a symlink, a zip bomb) are refused whole,
 * leaving no rows and no objects, after which the route still takes an upload.
 * The browser's progress client gets its batch answer (the outcomes in the page,
 * then `/library/versions/status?ids=…`), and the length declared before reading is
 * held to the zip limit only for a request announced as a zip.
 */
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadStackEnv } from '../support/stack-env'
import { handmadeZip, wellFormedZip } from '../support/zip-fixtures'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { getStorage } = await import('~/storage.server')
const { hashPassword, signIn } = await import('~/auth.server')
const { SUPPORTED_IMAGE_SENTENCE } = await import('~/assets/upload.server')
const uploadRoute = await import('~/routes/library.upload')
const statusesRoute = await import('~/routes/library.versions.status')
const { getEnv } = await import('~/env.server')
const { UPLOAD_ARCHIVE_HEADER, VersionStatusesJsonSchema } = await import('~/library/upload-protocol')
type UploadOutcome = import('~/assets/upload.server').UploadOutcome

const db = getDb()
const storage = getStorage()
const run = randomUUID().slice(0, 8)
const PASSWORD = `pw-${randomBytes(9).toString('hex')}`
let organisationId: string
let librarianEmail: string
let partnerEmail: string
let cookie: string
let partnerCookie: string
let scratch: string

const png = (colour: string) => sharp({ create: { width: 48, height: 32, channels: 3, background: colour } }).png().toBuffer()
const jpeg = (colour: string) => sharp({ create: { width: 48, height: 32, channels: 3, background: colour } }).jpeg().toBuffer()

beforeAll(async () => {
  const organisation = await db.organisation.create({ data: { name: `Zip brand ${run}`, slug: `zip-brand-${run}`, kind: 'brand' } })
  organisationId = organisation.id
  const partnerOrganisation = await db.organisation.create({ data: { name: `Zip partner ${run}`, slug: `zip-partner-${run}`, kind: 'partner' } })
  const passwordHash = await hashPassword(PASSWORD)
  librarianEmail = `librarian-zip-${run}@upload.test`
  partnerEmail = `partner-zip-${run}@upload.test`
  await db.user.create({
    data: { email: librarianEmail, name: 'Zip Librarian', passwordHash, memberships: { create: { organisationId, roles: ['librarian'] } } },
  })
  await db.user.create({
    data: { email: partnerEmail, name: 'Zip Partner', passwordHash, memberships: { create: { organisationId: partnerOrganisation.id, roles: ['partner'] } } },
  })
  const ip = `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`
  const result = await signIn({ email: librarianEmail, password: PASSWORD, ipAddress: ip, userAgent: 'vitest' })
  if (!result.ok) throw new Error(`sign-in failed: ${result.message}`)
  cookie = result.setCookie.split(';')[0] ?? ''
  const partner = await signIn({ email: partnerEmail, password: PASSWORD, ipAddress: ip, userAgent: 'vitest' })
  if (!partner.ok) throw new Error(`partner sign-in failed: ${partner.message}`)
  partnerCookie = partner.setCookie.split(';')[0] ?? ''
  scratch = await mkdtemp(path.join(tmpdir(), 'damson-zip-upload-'))
})

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
  await db.$disconnect()
})

// ───────────────────────────── the route

type ActionAnswer = { status: number; headers: Headers; outcomes: UploadOutcome[]; error: { status: number; message: string } | null; location: string | null }

async function postUpload(
  fields: Record<string, string>,
  files: { bytes: Uint8Array; name: string; type: string }[],
  accept?: string,
  extraHeaders: Record<string, string> = {},
): Promise<ActionAnswer> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  for (const file of files) form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name)
  const headers: Record<string, string> = { cookie, origin: 'http://localhost', ...extraHeaders }
  if (accept) headers.accept = accept
  const request = new Request('http://localhost/library/upload', { method: 'POST', body: form, headers })
  const answer: unknown = await uploadRoute.action({ request, params: {}, context: {} })
  if (answer instanceof Response) {
    return { status: answer.status, headers: answer.headers, outcomes: [], error: null, location: answer.headers.get('location') }
  }
  const { data, init } = answer as { data: { outcomes: UploadOutcome[]; error: ActionAnswer['error'] }; init: ResponseInit | null }
  return { status: init?.status ?? 200, headers: new Headers(init?.headers), outcomes: data.outcomes, error: data.error, location: null }
}

/** Every object key under originals/ now. */
async function originalKeys(): Promise<Set<string>> {
  const keys = new Set<string>()
  let token: string | undefined
  do {
    const page = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: 'originals/', ContinuationToken: token }))
    for (const object of page.Contents ?? []) if (object.Key) keys.add(object.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}

/**
 * New originals since `before` that are not another organisation's recorded
 * versions (other test files share the bucket). A second look after a pause lets
 * another file's upload in flight record its row.
 */
async function originalsNotAccountedFor(before: Set<string>): Promise<string[]> {
  const unexplained = async () => {
    const fresh = [...(await originalKeys())].filter((key) => !before.has(key))
    const recorded = await db.assetVersion.findMany({
      where: { storageKey: { in: fresh }, asset: { ownerOrganisationId: { not: organisationId } } },
      select: { storageKey: true },
    })
    const theirs = new Set(recorded.map((version) => version.storageKey))
    return fresh.filter((key) => !theirs.has(key))
  }
  if ((await unexplained()).length === 0) return []
  await new Promise((resolve) => setTimeout(resolve, 3000))
  return unexplained()
}

describe('a zip through the upload route', () => {
  it('turns the archive’s folders into asset folders under the form’s folder and refuses the text file with the allow-list reason', async () => {
    const archive = await wellFormedZip([
      { name: 'campaigns/' },
      { name: 'campaigns/summer/' },
      { name: 'campaigns/summer/a.jpg', data: await jpeg('#e4572e') },
      { name: 'campaigns/b.png', data: await png('#2e86ab') },
      { name: 'readme.txt', data: Buffer.from('Shot by the summer team. Use until September.\n'.repeat(20)) },
      { name: '__MACOSX/campaigns/._b.png', data: Buffer.from('resource fork') },
    ])
    const answer = await postUpload({ folderPath: `/zip-${run}`, tags: 'summer, zip' }, [{ bytes: archive, name: 'launch.zip', type: 'application/zip' }])

    // Some imported, one refused: the page answers 200 with every outcome listed.
    expect(answer.status).toBe(200)
    expect(answer.error).toBeNull()
    expect(answer.outcomes.map((outcome) => [outcome.filename, outcome.ok])).toEqual([
      ['campaigns/summer/a.jpg', true],
      ['campaigns/b.png', true],
      ['readme.txt', false],
    ])
    const refusal = answer.outcomes[2]!
    expect(refusal).toMatchObject({ ok: false, status: 415 })
    expect(!refusal.ok && refusal.message).toBe(
      `readme.txt is not a file Damson accepts: its bytes are plain text (its name says a text file). ${SUPPORTED_IMAGE_SENTENCE}`,
    )

    const assets = await db.asset.findMany({
      where: { ownerOrganisationId: organisationId, folderPath: { startsWith: `/zip-${run}` } },
      include: { versions: true },
      orderBy: { title: 'asc' },
    })
    expect(assets.map((asset) => [asset.title, asset.folderPath, asset.tags])).toEqual([
      ['a', `/zip-${run}/campaigns/summer`, ['summer', 'zip']],
      ['b', `/zip-${run}/campaigns`, ['summer', 'zip']],
    ])
    expect(assets.map((asset) => [asset.versions[0]!.originalFilename, asset.versions[0]!.mediaType])).toEqual([
      ['a.jpg', 'image/jpeg'],
      ['b.png', 'image/png'],
    ])
    for (const asset of assets) expect(await storage.exists(asset.versions[0]!.storageKey)).toBe(true)

    // The XHR client (JSON) gets the same status and the refusal in its header.
    const again = await postUpload({ folderPath: `/zip-json-${run}` }, [{ bytes: archive, name: 'launch.zip', type: 'application/octet-stream' }], 'application/json')
    expect(again.status).toBe(200)
    expect(again.outcomes).toHaveLength(3)
    expect(decodeURIComponent(again.headers.get('X-Damson-Upload-Error') ?? '')).toMatch(/^readme\.txt is not a file Damson accepts/)
  })

  it('refuses hostile archives whole — ../ and absolute paths, a symlink, a zip bomb — storing nothing, and then still takes an upload', async () => {
    const image = await png('#3b8b5a')
    const hostile = [
      {
        name: 'escape.zip',
        bytes: handmadeZip([{ name: 'fine.png', data: image }, { name: '../evil.png', data: image }]),
        status: 400,
        message: /^escape\.zip was refused: the entry “\.\.\/evil\.png” climbs out of the archive with “\.\.”\. Nothing from it was stored\.$/,
      },
      {
        name: 'absolute.zip',
        bytes: handmadeZip([{ name: 'fine.png', data: image }, { name: '/etc/cron.d/evil', data: Buffer.from('* * * * * root sh') }]),
        status: 400,
        message: /^absolute\.zip was refused: the entry “\/etc\/cron\.d\/evil” has an absolute path\./,
      },
      {
        name: 'link.zip',
        bytes: handmadeZip([{ name: 'fine.png', data: image }, { name: 'photos/hero.png', data: Buffer.from('/etc/passwd'), method: 0, unixMode: 0o120777 }]),
        status: 400,
        message: /^link\.zip was refused: the entry “photos\/hero\.png” is a symbolic link/,
      },
      {
        name: 'bomb.zip',
        bytes: await wellFormedZip([{ name: 'fine.png', data: image }, { name: 'huge.tif', data: Buffer.alloc(50 * 1024 * 1024) }]),
        status: 413,
        message: /^bomb\.zip was refused: the entry “huge\.tif” expands .* it looks like a zip bomb\. Nothing from it was stored\.$/,
      },
    ]
    const keysBefore = await originalKeys()
    const assetsBefore = await db.asset.count({ where: { ownerOrganisationId: organisationId } })

    for (const archive of hostile) {
      const answer = await postUpload({ folderPath: `/hostile-${run}` }, [{ bytes: archive.bytes, name: archive.name, type: 'application/zip' }], 'application/json')
      expect(answer.status, archive.name).toBe(archive.status)
      expect(answer.outcomes).toHaveLength(1)
      const [outcome] = answer.outcomes
      expect(outcome).toMatchObject({ ok: false, filename: archive.name, status: archive.status })
      expect(outcome && !outcome.ok ? outcome.message : '').toMatch(archive.message)
      expect(decodeURIComponent(answer.headers.get('X-Damson-Upload-Error') ?? '')).toMatch(archive.message)
    }

    expect(await db.asset.count({ where: { ownerOrganisationId: organisationId } })).toBe(assetsBefore)
    expect(await originalsNotAccountedFor(keysBefore)).toEqual([])

    // The service goes on serving: a plain upload right after is taken.
    const normal = await postUpload({ folderPath: `/after-${run}` }, [{ bytes: image, name: 'after.png', type: 'image/png' }], 'application/json')
    expect(normal.status).toBe(303)
    expect(normal.location).toMatch(/^\/library\/versions\/[0-9a-f-]+\/status$/)
    expect(await db.asset.count({ where: { ownerOrganisationId: organisationId, folderPath: `/after-${run}` } })).toBe(1)
  })

  it('cuts off an entry that inflates past its declared size while streaming to S3, stores nothing of it, and imports the rest', async () => {
    const image = await png('#8844aa')
    // A real PNG head (so the sniffer takes it) then 4 MB of zeros, declared as 600 KB:
    // under the ratio check's threshold, past the first bytes, so the cut falls mid-upload.
    const liar = Buffer.concat([image, Buffer.alloc(4 * 1024 * 1024)])
    const archive = handmadeZip([
      { name: 'liar/big.png', data: liar, declaredSize: 600 * 1024 },
      { name: 'honest/ok.png', data: image },
    ])
    const keysBefore = await originalKeys()
    const answer = await postUpload({ folderPath: `/liar-${run}` }, [{ bytes: archive, name: 'liar.zip', type: 'application/zip' }])
    expect(answer.status).toBe(200)
    expect(answer.outcomes).toEqual([
      {
        ok: false,
        filename: 'liar/big.png',
        status: 400,
        message: 'liar/big.png in liar.zip holds more data than the archive declares (600 KB); it was cut off and not stored.',
      },
      expect.objectContaining({ ok: true, filename: 'honest/ok.png', title: 'ok' }),
    ])
    const stored = await db.asset.findMany({ where: { ownerOrganisationId: organisationId, folderPath: { startsWith: `/liar-${run}` } }, select: { folderPath: true } })
    expect(stored).toEqual([{ folderPath: `/liar-${run}/honest` }])
    const ours = await db.assetVersion.findMany({ where: { asset: { ownerOrganisationId: organisationId } }, select: { storageKey: true } })
    const ourKeys = new Set(ours.map((version) => version.storageKey))
    expect((await originalsNotAccountedFor(keysBefore)).filter((key) => !ourKeys.has(key))).toEqual([])
  })
})

// ───────────────────────────── the browser's progress client

/** The several-versions status resource as `sessionCookie` sees it: status and body, or the refusal thrown. */
async function versionStatuses(ids: readonly string[], sessionCookie: string): Promise<{ status: number; text: string }> {
  const request = new Request(`http://localhost/library/versions/status?ids=${ids.join(',')}`, { headers: { cookie: sessionCookie, accept: 'application/json' } })
  try {
    const response = await statusesRoute.loader({ request, params: {}, context: {} })
    return { status: response.status, text: await response.text() }
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown
    return { status: thrown.status, text: await thrown.text() }
  }
}

describe('a zip from the progress client (JSON, announced as an archive)', () => {
  it('answers with one outcome per entry instead of a redirect, and the stored versions’ statuses come from /library/versions/status', async () => {
    const archive = await wellFormedZip([
      { name: 'kit/logos/mark.png', data: await png('#aa2244') },
      { name: 'kit/cover.jpg', data: await jpeg('#2244aa') },
      { name: 'kit/notes.txt', data: Buffer.from('Not an image.\n'.repeat(30)) },
    ])
    const answer = await postUpload({ folderPath: `/client-${run}` }, [{ bytes: archive, name: 'kit.zip', type: 'application/zip' }], 'application/json', {
      [UPLOAD_ARCHIVE_HEADER]: 'zip',
    })
    expect(answer.status).toBe(200)
    expect(answer.location).toBeNull()
    expect(answer.error).toBeNull()
    expect(answer.outcomes.map((outcome) => [outcome.filename, outcome.ok])).toEqual([
      ['kit/logos/mark.png', true],
      ['kit/cover.jpg', true],
      ['kit/notes.txt', false],
    ])
    const refusal = answer.outcomes[2]!
    expect(!refusal.ok && refusal.message).toMatch(/^notes\.txt is not a file Damson accepts/)

    const versionIds = answer.outcomes.flatMap((outcome) => (outcome.ok ? [outcome.versionId] : []))
    const unknown = randomUUID()
    const seen = await versionStatuses([versionIds[1]!, unknown, versionIds[0]!], cookie)
    expect(seen.status).toBe(200)
    const { versions } = VersionStatusesJsonSchema.parse(JSON.parse(seen.text))
    // In the order asked; the unknown id is left out.
    expect(versions.map((version) => [version.versionId, version.filename, version.title])).toEqual([
      [versionIds[1], 'cover.jpg', 'cover'],
      [versionIds[0], 'mark.png', 'mark'],
    ])
    for (const version of versions) expect(['processing', 'in_review', 'failed']).toContain(version.status)

    // An all-good zip is answered the same way (the page with its outcomes), not with the no-JavaScript redirect.
    const clean = await wellFormedZip([{ name: 'one/a.png', data: await png('#123456') }])
    const cleanAnswer = await postUpload({ folderPath: `/client-clean-${run}` }, [{ bytes: clean, name: 'clean.zip', type: 'application/zip' }], 'application/json', {
      [UPLOAD_ARCHIVE_HEADER]: 'zip',
    })
    expect(cleanAnswer.status).toBe(200)
    expect(cleanAnswer.location).toBeNull()
    expect(cleanAnswer.outcomes).toEqual([expect.objectContaining({ ok: true, filename: 'one/a.png' })])
  })

  it('tells a user who may not see the library nothing about the versions asked for, and refuses a malformed query', async () => {
    const image = await png('#654321')
    const stored = await postUpload({ folderPath: `/secret-${run}` }, [{ bytes: image, name: 'secret.png', type: 'image/png' }], 'application/json')
    const versionId = stored.location?.match(/^\/library\/versions\/([0-9a-f-]+)\/status$/)?.[1]
    expect(versionId).toBeTruthy()

    const asPartner = await versionStatuses([versionId!], partnerCookie)
    expect(asPartner.status).toBe(403)
    expect(asPartner.text).not.toContain(versionId!)
    expect(asPartner.text).not.toMatch(/processing|in_review|secret/)

    const signedOut = await versionStatuses([versionId!], '')
    expect([302, 303, 401]).toContain(signedOut.status)
    expect(signedOut.text).not.toContain(versionId!)

    const tooMany = Array.from({ length: 51 }, () => randomUUID())
    expect((await versionStatuses(tooMany, cookie)).status).toBe(400)
    expect((await versionStatuses(['../etc'], cookie)).status).toBe(400)
    expect((await versionStatuses([], cookie)).status).toBe(400)
  })

  it('holds the declared length to the image limit unless the request is announced as a zip, and a zip to the zip limit', async () => {
    const { MAX_UPLOAD_BYTES, ZIP_MAX_UNCOMPRESSED_BYTES } = getEnv()
    const overImageLimit = String(MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
    const image = await png('#0f0f0f')
    const archive = await wellFormedZip([{ name: 'declared/a.png', data: image }])
    const before = await db.asset.count({ where: { ownerOrganisationId: organisationId } })

    // An image (not announced): refused from its declared length before a byte is read.
    const single = await postUpload({ folderPath: `/declared-${run}` }, [{ bytes: image, name: 'big.png', type: 'image/png' }], 'application/json', {
      'content-length': overImageLimit,
    })
    expect(single.status).toBe(413)
    expect(decodeURIComponent(single.headers.get('X-Damson-Upload-Error') ?? '')).toMatch(/^The upload is larger than the \d+ MB limit\.$/)

    // The same declared length announced as a zip passes the early check and is read.
    const zip = await postUpload({ folderPath: `/declared-${run}` }, [{ bytes: archive, name: 'big.zip', type: 'application/zip' }], 'application/json', {
      'content-length': overImageLimit,
      [UPLOAD_ARCHIVE_HEADER]: 'zip',
    })
    expect(zip.status).toBe(200)
    expect(zip.outcomes).toEqual([expect.objectContaining({ ok: true, filename: 'declared/a.png' })])

    // A zip is still refused before reading once its declared length passes the zip limit.
    const overZipLimit = String(Math.max(ZIP_MAX_UNCOMPRESSED_BYTES, MAX_UPLOAD_BYTES) + 2 * 1024 * 1024)
    const hugeZip = await postUpload({ folderPath: `/declared-${run}` }, [{ bytes: archive, name: 'huge.zip', type: 'application/zip' }], 'application/json', {
      'content-length': overZipLimit,
      [UPLOAD_ARCHIVE_HEADER]: 'zip',
    })
    expect(hugeZip.status).toBe(413)
    expect(hugeZip.outcomes).toEqual([])

    expect(await db.asset.count({ where: { ownerOrganisationId: organisationId } })).toBe(before + 1)
  })
})

// ───────────────────────────── npm run import

type CliRun = { code: number | null; stdout: string; stderr: string }

function runImport(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['scripts/import.ts', ...args], {
      cwd: process.cwd(),
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('npm run import', () => {
  it('imports a folder tree with its folders, prints progress and a summary, lists refusals and exits 1', async () => {
    const tree = path.join(scratch, 'shoot')
    await mkdir(path.join(tree, 'summer', 'deep'), { recursive: true })
    await writeFile(path.join(tree, 'summer', 'a.jpg'), await jpeg('#aa3355'))
    await writeFile(path.join(tree, 'summer', 'deep', 'b.png'), await png('#33aa55'))
    await writeFile(path.join(tree, 'c.png'), await png('#3355aa'))
    await writeFile(path.join(tree, 'notes.txt'), 'Call sheet for the summer shoot.\n'.repeat(10))
    await writeFile(path.join(tree, '.DS_Store'), 'finder')
    const outside = path.join(scratch, 'outside.png')
    await writeFile(outside, await png('#000000'))
    await symlink(outside, path.join(tree, 'link.png'))

    const result = await runImport([tree, '--as', librarianEmail.toUpperCase(), '--folder', `/cli-${run}`, '--tags', 'cli, summer'])
    expect(result.stderr).not.toMatch(/error|refused/i)
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    // Not a terminal: a progress line per tenth, the last one at 4/4.
    const progress = lines.filter((line) => line.startsWith('imported '))
    expect(progress.length).toBeGreaterThanOrEqual(2)
    for (const line of progress) expect(line).toMatch(/^imported [1-4]\/4 files \(\d+(\.\d)? (bytes|KB) of \d+(\.\d)? (bytes|KB)\) — (c\.png|notes\.txt|summer\/a\.jpg|summer\/deep\/b\.png)$/)
    expect(progress[progress.length - 1]).toMatch(/^imported 4\/4 files/)
    expect(result.stdout).toContain(`Imported 3 of 5 files into /cli-${run}.`)
    expect(result.stdout).toContain('Refused 2:')
    expect(result.stdout).toContain('  link.png: link.png is a symbolic link; links are not followed.')
    expect(result.stdout).toContain(`  notes.txt: notes.txt is not a file Damson accepts: its bytes are plain text (its name says a text file). ${SUPPORTED_IMAGE_SENTENCE}`)

    const assets = await db.asset.findMany({ where: { ownerOrganisationId: organisationId, folderPath: { startsWith: `/cli-${run}` } }, orderBy: { title: 'asc' } })
    expect(assets.map((asset) => [asset.title, asset.folderPath, asset.tags])).toEqual([
      ['a', `/cli-${run}/summer`, ['cli', 'summer']],
      ['b', `/cli-${run}/summer/deep`, ['cli', 'summer']],
      ['c', `/cli-${run}`, ['cli', 'summer']],
    ])
  })

  it('imports a zip archive and exits 0 when every file is imported', async () => {
    const archivePath = path.join(scratch, 'press-kit.zip')
    await writeFile(archivePath, await wellFormedZip([{ name: 'press/logos/mark.png', data: await png('#112233') }, { name: 'press/cover.jpg', data: await jpeg('#445566') }]))
    const result = await runImport([archivePath, '--as', librarianEmail, '--folder', `cli-zip-${run}`])
    expect(result.stderr).not.toMatch(/error|refused/i)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Imported 2 of 2 files into /cli-zip-${run}.`)
    const folders = await db.asset.findMany({ where: { ownerOrganisationId: organisationId, folderPath: { startsWith: `/cli-zip-${run}` } }, select: { folderPath: true } })
    expect(folders.map((asset) => asset.folderPath).sort()).toEqual([`/cli-zip-${run}/press`, `/cli-zip-${run}/press/logos`])
  })

  it('exits 2 for a wrong invocation or a user who may not upload, importing nothing', async () => {
    const lonely = path.join(scratch, 'lonely')
    await mkdir(lonely, { recursive: true })
    await writeFile(path.join(lonely, 'x.png'), await png('#778899'))
    const before = await db.asset.count({ where: { ownerOrganisationId: organisationId } })

    const noUser = await runImport([lonely])
    expect(noUser.code).toBe(2)
    expect(noUser.stderr).toContain('Say which user the import acts as: --as <email>.')
    expect(noUser.stderr).toContain('Usage: npm run import -- <folder|zip> --as <email>')

    const partner = await runImport([lonely, '--as', partnerEmail])
    expect(partner.code).toBe(2)
    expect(partner.stderr).toMatch(/may not upload .*importing needs the admin or librarian role/)

    const missing = await runImport([path.join(scratch, 'no-such-folder'), '--as', librarianEmail])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('does not exist')

    expect(await db.asset.count({ where: { ownerOrganisationId: organisationId } })).toBe(before)
  })
})
