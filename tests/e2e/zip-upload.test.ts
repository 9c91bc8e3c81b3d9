/**
 * A zip through the upload page in Chromium: a librarian chooses an archive with two
 * images in folders and a text file; the archive's row shows its progress bar while
 * the bytes go up, then one row per entry — the two images stored (processing, then
 * in review) under their paths, the text file refused with the allow-list reason.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { browserSkipReason, launchChromium, signedInContext, waitForHydratedUploadForm, watchUploadProgress } from '../support/browser'
import { loadStackEnv } from '../support/stack-env'
import { wellFormedZip } from '../support/zip-fixtures'

loadStackEnv()
const { getDb } = await import('~/db.server')

const webUrl = inject('webUrl')
const db = getDb()
const SCREENSHOTS = path.resolve('test-results/e2e')
/** Where the brief asked for the picture of the page after the upload. */
const SCREENSHOT = process.env.DAMSON_ZIP_SCREENSHOT ?? path.join(SCREENSHOTS, 'zip-upload.png')
const skipReason = browserSkipReason()

if (skipReason) console.warn(`zip-upload: skipped: ${skipReason}`)
const describeBrowser = skipReason ? describe.skip : describe

const run = randomBytes(4).toString('hex')
const folder = `/e2e-zip-${run}`

const image = (colour: string, format: 'png' | 'jpeg') =>
  sharp({ create: { width: 640, height: 400, channels: 3, background: colour, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    [format]()
    .toBuffer()

describeBrowser(skipReason ? `zip upload in Chromium (skipped: ${skipReason})` : 'zip upload in Chromium', () => {
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

  it('shows the archive’s progress, then a row per entry: two images stored, the text file refused with the reason', async () => {
    const signedIn = await signedInContext(browser, { webUrl, email: 'librarian@damson.test', viewport: { width: 1280, height: 900 } })
    context = signedIn.context
    const { page } = signedIn
    await page.goto('/library/upload')
    await expect.poll(() => page.locator('#upload-file').getAttribute('accept')).toContain('.zip')
    await page.getByText('a zip’s folders become asset folders').first().waitFor()
    await waitForHydratedUploadForm(page)
    const progress = await watchUploadProgress(page, 400 * 1024)

    const archive = await wellFormedZip([
      { name: 'summer/' },
      { name: 'summer/beach/hero.jpg', data: await image('#e4572e', 'jpeg') },
      { name: 'summer/logo.png', data: await image('#2e86ab', 'png') },
      { name: 'summer/credits.txt', data: Buffer.from('Photographed for the summer campaign. Credit the studio.\n'.repeat(20)) },
    ])
    await page.getByLabel('Folder').fill(folder)
    await page.locator('#upload-file').setInputFiles({ name: `summer-${run}.zip`, mimeType: 'application/zip', buffer: archive })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()

    const bar = page.getByRole('progressbar', { name: `Uploading summer-${run}.zip` })
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow', { timeout: 10_000 })), { timeout: 10_000 }).toBeGreaterThan(0)
    await progress.unthrottle()

    const entries = page.locator('li[data-upload-entry]')
    await expect.poll(() => entries.count(), { timeout: 60_000 }).toBe(3)
    const archiveRow = page.locator('li[data-upload-item]', { hasText: `summer-${run}.zip` })
    await expect.poll(() => archiveRow.getAttribute('data-upload-item')).toBe('unpacked')
    expect(await archiveRow.innerText()).toContain('2 of 3 files uploaded, 1 not uploaded.')

    const hero = entries.filter({ hasText: 'summer/beach/hero.jpg' })
    const logo = entries.filter({ hasText: 'summer/logo.png' })
    const credits = entries.filter({ hasText: 'summer/credits.txt' })
    for (const stored of [hero, logo]) expect(['processing', 'done']).toContain(await stored.getAttribute('data-upload-item'))
    expect(await credits.getAttribute('data-upload-item')).toBe('refused')
    expect(await credits.innerText()).toMatch(/credits\.txt is not a file Damson accepts: its bytes are plain text/)
    const seen = await progress.seen()
    expect(seen.some((value) => value > 0 && value < 100)).toBe(true)

    // The stored entries are polled until processed, and their folders follow the archive's.
    await hero.locator('text=Processed and waiting for review.').waitFor({ timeout: 150_000 })
    await logo.locator('text=Processed and waiting for review.').waitFor({ timeout: 150_000 })
    const assets = await db.asset.findMany({ where: { folderPath: { startsWith: folder } }, select: { title: true, folderPath: true }, orderBy: { title: 'asc' } })
    expect(assets).toEqual([
      { title: 'hero', folderPath: `${folder}/summer/beach` },
      { title: 'logo', folderPath: `${folder}/summer` },
    ])
    // From the top, so the sticky navigation bar is drawn where it belongs in the full-page picture.
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
  })
})
