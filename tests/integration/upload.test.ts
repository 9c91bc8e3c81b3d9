/**
 * uploadAsset against the real PostgreSQL, S3 (SeaweedFS) and Temporal: the bytes
 * are streamed and hashed, the type is sniffed from the bytes, and refused uploads
 * leave neither rows nor objects behind.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()

const { getDb } = await import('~/db.server')
const { Storage } = await import('~/storage.server')
const { getEnv } = await import('~/env.server')
const { receiveUploads, uploadAsset, uploadNewVersion } = await import('~/assets/upload.server')
const { AppError } = await import('~/errors.server')
type CurrentUser = import('~/auth.server').CurrentUser
type PutBody = Parameters<import('~/storage.server').Storage['putStream']>[1]

/** A Storage that remembers every key an upload started writing to. */
class RecordingStorage extends Storage {
  readonly started: string[] = []
  override async putStream(key: string, body: PutBody, contentType: string): Promise<void> {
    this.started.push(key)
    return super.putStream(key, body, contentType)
  }
}

const db = getDb()
const env = getEnv()
const run = randomUUID().slice(0, 8)
let uploader: CurrentUser

function newStorage(): RecordingStorage {
  return new RecordingStorage({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    bucket: env.S3_BUCKET,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
  })
}

async function* chunked(buffer: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < buffer.byteLength; offset += size) yield buffer.subarray(offset, offset + size)
}

function webStream(buffer: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(buffer)
      controller.close()
    },
  })
}

async function expectAppError(promise: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as InstanceType<typeof AppError>).status).toBe(status)
  expect((error as Error).message).toMatch(message)
}

/** Nothing was stored: no asset with this title, no version or object under any key the upload touched. */
async function expectNothingStored(title: string, storage: RecordingStorage): Promise<void> {
  expect(await db.asset.count({ where: { title } })).toBe(0)
  for (const key of storage.started) {
    expect(key.startsWith('originals/')).toBe(true)
    expect(await storage.exists(key)).toBe(false)
    expect(await db.assetVersion.count({ where: { storageKey: key } })).toBe(0)
  }
}

beforeAll(async () => {
  const organisation = await db.organisation.create({
    data: { name: `Upload test brand ${run}`, slug: `upload-test-${run}`, kind: 'brand' },
  })
  const user = await db.user.create({
    data: {
      email: `librarian-${run}@upload.test`,
      name: 'Upload Test Librarian',
      passwordHash: 'not-used',
      memberships: { create: { organisationId: organisation.id, roles: ['librarian'] } },
    },
  })
  uploader = {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: ['librarian'],
    organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind },
    viewer: { userId: user.id, roles: ['librarian'], organisationId: organisation.id },
  }
})

afterAll(async () => {
  await db.$disconnect()
})

describe('uploadAsset', () => {
  it('streams a PNG to S3, records asset, version and audit event, and leaves the version processing', async () => {
    const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#e4572e' } }).png().toBuffer()
    const storage = newStorage()
    const title = `Upload PNG ${run}`

    const result = await uploadAsset({
      db,
      storage,
      uploader,
      file: { stream: chunked(png, 1000), filename: 'hero-banner.png', declaredType: 'image/png' },
      title,
      description: 'A red banner',
      folderPath: 'campaigns//summer-2027/',
      tags: ['Summer', 'banner', 'summer'],
    })

    const asset = await db.asset.findUniqueOrThrow({ where: { id: result.assetId }, include: { versions: true } })
    expect(asset).toMatchObject({
      title,
      description: 'A red banner',
      kind: 'image',
      folderPath: '/campaigns/summer-2027',
      tags: ['Summer', 'banner'],
      ownerOrganisationId: uploader.organisation.id,
      createdById: uploader.id,
      currentVersionId: null,
    })
    expect(asset.versions).toHaveLength(1)
    const version = asset.versions[0]!
    const sha256 = createHash('sha256').update(png).digest('hex')
    expect(version).toMatchObject({
      id: result.versionId,
      number: 1,
      storageKey: `originals/${result.assetId}/${result.versionId}`,
      sha256,
      bytes: BigInt(png.byteLength),
      mediaType: 'image/png',
      originalFilename: 'hero-banner.png',
      uploadedById: uploader.id,
    })
    // Created as processing; a running ingest worker may already have moved it on.
    expect(['processing', 'in_review']).toContain(version.status)

    const stored = await storage.getBuffer(version.storageKey)
    expect(createHash('sha256').update(stored).digest('hex')).toBe(sha256)

    const events = await db.auditEvent.findMany({ where: { subjectType: 'asset', subjectId: result.assetId, action: 'asset.upload' } })
    expect(events).toHaveLength(1)
    expect(events[0]!.actorId).toBe(uploader.id)
    expect(events[0]!.detail).toMatchObject({ versionId: result.versionId, sha256, mediaType: 'image/png', declaredType: 'image/png' })
  })

  it('defaults the title to the filename without its extension', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#123456' } }).jpeg().toBuffer()
    const filename = `Spring_lookbook ${run}.final.JPG`
    const result = await uploadAsset({
      db,
      storage: newStorage(),
      uploader,
      file: { stream: webStream(jpeg), filename, declaredType: 'application/octet-stream' },
    })
    const asset = await db.asset.findUniqueOrThrow({ where: { id: result.assetId }, include: { versions: true } })
    expect(asset.title).toBe(`Spring lookbook ${run}.final`)
    expect(asset.folderPath).toBe('/')
    expect(asset.versions[0]!.mediaType).toBe('image/jpeg')
  })

  it('refuses PDF bytes named photo.jpg with 415 and stores nothing', async () => {
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    )
    const storage = newStorage()
    const title = `Upload PDF ${run}`
    await expectAppError(
      uploadAsset({ db, storage, uploader, file: { stream: webStream(pdf), filename: 'photo.jpg', declaredType: 'image/jpeg' }, title }),
      415,
      /^photo\.jpg is a PDF document, but its name says a JPEG image \(\.jpg\)\. Rename it to \.pdf if it is meant to be a PDF document, or choose the right file\.$/,
    )
    expect(storage.started).toEqual([])
    await expectNothingStored(title, storage)
  })

  it('refuses a text file named photo.jpg with 415 and stores nothing', async () => {
    const text = Buffer.from('Hello, this is a plain text file pretending to be a photo.\n'.repeat(200))
    const storage = newStorage()
    const title = `Upload text ${run}`
    await expectAppError(
      uploadAsset({ db, storage, uploader, file: { stream: chunked(text, 512), filename: 'photo.jpg', declaredType: 'image/jpeg' }, title }),
      415,
      /^photo\.jpg is not a file Damson accepts: its bytes are plain text \(its name says a JPEG image\)\. Damson accepts images \(JPEG, PNG/,
    )
    expect(storage.started).toEqual([])
    await expectNothingStored(title, storage)
  })

  it('refuses an empty file with 400 and stores nothing', async () => {
    const storage = newStorage()
    const title = `Upload empty ${run}`
    await expectAppError(
      uploadAsset({ db, storage, uploader, file: { stream: chunked(new Uint8Array(0)), filename: 'empty.png', declaredType: 'image/png' }, title }),
      400,
      /^empty\.png is empty/,
    )
    expect(storage.started).toEqual([])
    await expectNothingStored(title, storage)
  })

  it('stops a small over-limit upload with 413 while streaming and stores nothing', async () => {
    const noise = await sharp(randomBytes(256 * 256 * 3), { raw: { width: 256, height: 256, channels: 3 } }).png().toBuffer()
    expect(noise.byteLength).toBeGreaterThan(64 * 1024)
    const storage = newStorage()
    const title = `Upload over limit ${run}`
    await expectAppError(
      uploadAsset({
        db,
        storage,
        uploader,
        file: { stream: chunked(noise, 8 * 1024), filename: 'noise.png', declaredType: 'image/png' },
        title,
        maxBytes: 64 * 1024,
      }),
      413,
      /^noise\.png is larger than the 64 KB limit\.$/,
    )
    expect(storage.started).toHaveLength(1)
    await expectNothingStored(title, storage)
  })

  it('aborts a multipart upload that crosses the limit after several parts, and stores nothing', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer()
    const limit = 20 * 1024 * 1024
    // A PNG signature followed by noise: the sniffer sees an image, the counter sees 24 MB.
    async function* large(): AsyncGenerator<Uint8Array> {
      yield png
      for (let sent = png.byteLength; sent < 24 * 1024 * 1024; sent += 1024 * 1024) yield randomBytes(1024 * 1024)
    }
    const storage = newStorage()
    const title = `Upload multipart over limit ${run}`
    await expectAppError(
      uploadAsset({ db, storage, uploader, file: { stream: large(), filename: 'huge.png', declaredType: 'image/png' }, title, maxBytes: limit }),
      413,
      /^huge\.png is larger than the 20 MB limit\.$/,
    )
    expect(storage.started).toHaveLength(1)
    await expectNothingStored(title, storage)
    // No multipart upload is left open for the key.
    const { ListMultipartUploadsCommand } = await import('@aws-sdk/client-s3')
    const open = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: storage.bucket, Prefix: storage.started[0] }))
    expect(open.Uploads ?? []).toEqual([])
  })

  it('adds version 2 to an existing asset with uploadNewVersion', async () => {
    const first = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#00ff00' } }).webp().toBuffer()
    const second = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#0000ff' } }).png().toBuffer()
    const storage = newStorage()
    const created = await uploadAsset({ db, storage, uploader, file: { stream: chunked(first), filename: 'swatch.webp' }, title: `Upload versions ${run}` })
    const next = await uploadNewVersion({ db, storage, uploader, assetId: created.assetId, file: { stream: chunked(second), filename: 'swatch-v2.png' } })
    expect(next.assetId).toBe(created.assetId)
    expect(next.versionNumber).toBe(2)
    const versions = await db.assetVersion.findMany({ where: { assetId: created.assetId }, orderBy: { number: 'asc' } })
    expect(versions.map((version) => [version.number, version.mediaType])).toEqual([
      [1, 'image/webp'],
      [2, 'image/png'],
    ])
    expect(await storage.exists(versions[1]!.storageKey)).toBe(true)
    expect(await db.auditEvent.count({ where: { subjectType: 'asset', subjectId: created.assetId, action: 'asset.upload' } })).toBe(2)
    await expectAppError(
      uploadNewVersion({ db, storage, uploader, assetId: 'no-such-asset', file: { stream: chunked(second), filename: 'x.png' } }),
      404,
      /Asset not found/,
    )
  })
})

describe('adding an upload to a collection', () => {
  async function collectionOf(organisationId: string, ownerId: string, name: string) {
    return db.collection.create({ data: { name, organisationId, ownerId }, select: { id: true } })
  }

  function uploadForm(fields: Record<string, string>, files: { bytes: Uint8Array; name: string }[]): Request {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    for (const file of files) form.append('file', new Blob([Buffer.from(file.bytes)], { type: 'image/png' }), file.name)
    return new Request('http://damson.test/library/upload', { method: 'POST', body: form })
  }

  it('puts each new asset in the chosen collection, in upload order, before ingest starts', async () => {
    const collection = await collectionOf(uploader.organisation.id, uploader.id, `Summer ${run}`)
    const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#336699' } }).png().toBuffer()
    const result = await receiveUploads({
      request: uploadForm({ title: `Collected ${run}`, collectionId: collection.id }, [
        { bytes: png, name: 'a.png' },
        { bytes: png, name: 'b.png' },
      ]),
      db,
      storage: newStorage(),
      uploader,
    })
    expect(result.error).toBeNull()
    const assetIds = result.outcomes.map((outcome) => (outcome.ok ? outcome.assetId : null))
    const items = await db.collectionItem.findMany({ where: { collectionId: collection.id }, orderBy: { position: 'asc' } })
    expect(items.map((item) => [item.assetId, item.position])).toEqual([
      [assetIds[0], 0],
      [assetIds[1], 1],
    ])
    // The item is written with the version, so it is there however fast the ingest picks it up.
    const [first] = await db.auditEvent.findMany({ where: { action: 'asset.upload', subjectId: assetIds[0]! } })
    expect(first!.detail).toMatchObject({ collectionId: collection.id })
  })

  it('refuses an unknown collection, or another organisation’s, with 400 and stores nothing', async () => {
    const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#996633' } }).png().toBuffer()
    const otherOrganisation = await db.organisation.create({
      data: { name: `Partner ${run}`, slug: `upload-partner-${run}`, kind: 'partner' },
    })
    const theirs = await collectionOf(otherOrganisation.id, uploader.id, `Theirs ${run}`)

    for (const collectionId of ['no-such-collection', theirs.id]) {
      const storage = newStorage()
      const title = `Uncollected ${run} ${collectionId}`
      await expectAppError(
        uploadAsset({ db, storage, uploader, file: { stream: chunked(png), filename: 'c.png' }, title, collectionId }),
        400,
        /^The chosen collection does not exist/,
      )
      expect(storage.started).toEqual([])
      await expectNothingStored(title, storage)

      const formTitle = `Uncollected form ${run} ${collectionId}`
      const formStorage = newStorage()
      const result = await receiveUploads({
        request: uploadForm({ title: formTitle, collectionId }, [{ bytes: png, name: 'd.png' }]),
        db,
        storage: formStorage,
        uploader,
      })
      expect(result).toEqual({ outcomes: [], error: { status: 400, message: expect.stringMatching(/^The chosen collection does not exist/) } })
      await expectNothingStored(formTitle, formStorage)
    }
    expect(await db.collectionItem.count({ where: { collectionId: theirs.id } })).toBe(0)
  })
})
