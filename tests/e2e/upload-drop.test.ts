/**
 * Drag and drop on the upload page (Chromium, against the served app and a worker):
 * two images dropped on the page go up by the resumable (tus) endpoint; each row's bar
 * and the overall bar move while the bytes go up (the upload throttled so they can be
 * seen), and both rows end processed or in review. The page is photographed.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { browserSkipReason, dropFiles, launchChromium, signedInContext, waitForHydratedUploadForm, watchProgressBarsByLabel, watchUploadProgress } from '../support/browser'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()
const { getDb } = await import('~/db.server')

const webUrl = inject('webUrl')
const db = getDb()
const SCREENSHOTS = path.resolve('test-results/e2e')
const skipReason = browserSkipReason()
if (skipReason) console.warn(`upload-drop: skipped: ${skipReason}`)
const describeBrowser = skipReason ? describe.skip : describe
const run = randomBytes(4).toString('hex')

/** A photo-like PNG (noise compresses badly, so it has bytes enough for the bars to be seen). */
const photo = (colour: string) =>
  sharp({ create: { width: 900, height: 700, channels: 3, background: colour, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .png()
    .toBuffer()

describeBrowser(skipReason ? `drop upload in Chromium (skipped: ${skipReason})` : 'drop upload in Chromium', () => {
  let browser: Browser
  let context: BrowserContext | undefined

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    browser = await launchChromium()
  })

  afterAll(async () => {
    await context?.close().catch(() => undefined)
    await browser?.close()
    await db.$disconnect()
  })

  it('shows each file’s bar and the overall bar moving, then both rows processed or in review', async () => {
    const signedIn = await signedInContext(browser, { webUrl, email: 'librarian@damson.test', viewport: { width: 1280, height: 1000 } })
    context = signedIn.context
    const { page } = signedIn
    await page.goto('/library/upload')
    await waitForHydratedUploadForm(page)
    await page.getByLabel('Folder').fill(`/e2e-drop-${run}`)

    const [first, second] = await Promise.all([photo('#c8553d'), photo('#2d7dd2')])
    const names = [`drop-one-${run}.png`, `drop-two-${run}.png`]
    const barValues = await watchProgressBarsByLabel(page)
    const throttle = await watchUploadProgress(page, 600 * 1024)
    await dropFiles(page, '[data-upload-dropzone]', [
      { name: names[0]!, type: 'image/png', bytes: first! },
      { name: names[1]!, type: 'image/png', bytes: second! },
    ])

    // While the bytes go up: both rows and the overall bar are on the page.
    await expect.poll(async () => page.locator('[data-upload-overall]').count(), { timeout: 20_000 }).toBe(1)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-drop-uploading.png'), fullPage: true })

    // Both rows stored (processing, or already in review); nothing refused.
    await expect.poll(async () => page.locator('[data-upload-item="processing"], [data-upload-item="done"]').count(), { timeout: 120_000 }).toBe(2)
    expect(await page.locator('[data-upload-item="refused"]').count()).toBe(0)
    await throttle.unthrottle()

    const seen = await barValues()
    for (const name of names) {
      const values = seen[`Uploading ${name}`] ?? []
      // The row's bar moved: values strictly between empty and full were shown.
      expect(values.some((value) => value > 0 && value < 100), `${name}: ${values.join(',')}`).toBe(true)
    }
    const overall = seen['All uploads'] ?? []
    expect(overall.some((value) => value > 0 && value < 100), `overall: ${overall.join(',')}`).toBe(true)
    expect(Math.max(...overall)).toBe(100)

    // Both stored, in the folder the form named.
    const versions = await db.assetVersion.findMany({ where: { originalFilename: { in: names } }, include: { asset: true } })
    expect(versions.map((version) => version.originalFilename).sort()).toEqual([...names].sort())
    for (const version of versions) expect(version.asset.folderPath).toBe(`/e2e-drop-${run}`)

    // Processing finishes: in review (the demo policy) or failed with a reason, never stuck.
    await expect
      .poll(async () => page.locator('[data-upload-item="done"]').count(), { timeout: 120_000 })
      .toBe(2)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-drop.png'), fullPage: true })
  })

  it('sends a new version of an existing asset by the resumable endpoint', async () => {
    const brand = await db.organisation.findUniqueOrThrow({ where: { slug: 'damson-demo' }, select: { id: true } })
    const original = await photo('#3d8c5a')
    // An asset of its own, so the demo assets other tests read stay as seeded.
    const { page } = await signedInContext(browser, { webUrl, email: 'librarian@damson.test', viewport: { width: 1280, height: 1000 } })
    await page.goto('/library/upload')
    await waitForHydratedUploadForm(page)
    await page.getByLabel('Folder').fill(`/e2e-version-${run}`)
    await dropFiles(page, '[data-upload-dropzone]', [{ name: `version-one-${run}.png`, type: 'image/png', bytes: original }])
    await expect.poll(async () => page.locator('[data-upload-item="done"]').count(), { timeout: 120_000 }).toBe(1)
    const first = await db.assetVersion.findFirstOrThrow({ where: { originalFilename: `version-one-${run}.png` }, select: { assetId: true } })
    const asset = await db.asset.findUniqueOrThrow({ where: { id: first.assetId }, select: { ownerOrganisationId: true } })
    expect(asset.ownerOrganisationId).toBe(brand.id)

    await page.goto(`/library/assets/${first.assetId}/versions/new`)
    // Hydrated: React has attached its handlers to the form (else the click would post the no-JS form).
    await page.waitForFunction((action) => {
      const form = document.querySelector(`form[action="${action}"]`)
      return form !== null && Object.keys(form).some((key) => key.startsWith('__reactProps'))
    }, `/library/assets/${first.assetId}/versions/new`)
    await page.locator('#new-version-file').setInputFiles({ name: `version-two-${run}.png`, mimeType: 'image/png', buffer: await photo('#8c3d6e') })
    const tusRequests: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/library/uploads/tus')) tusRequests.push(request.method())
    })
    await page.getByRole('button', { name: 'Upload version 2' }).click()
    await expect
      .poll(async () => db.assetVersion.count({ where: { assetId: first.assetId, number: 2 } }), { timeout: 60_000 })
      .toBe(1)
    expect(tusRequests).toContain('POST')
    const second = await db.assetVersion.findFirstOrThrow({ where: { assetId: first.assetId, number: 2 }, select: { originalFilename: true } })
    expect(second.originalFilename).toBe(`version-two-${run}.png`)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'new-version-resumable.png'), fullPage: true })
  })
})
