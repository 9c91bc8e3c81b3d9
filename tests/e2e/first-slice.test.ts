/**
 * The first slice in Chromium, each person in a browser context of their own:
 * a librarian uploads a PNG (progress bar, then "in review"), bad files are refused
 * with clear messages, a reviewer approves it from the inbox, and a partner finds it
 * in the portal (thumbnail, typo-tolerant search), downloads the original's pixels
 * with its rights embedded — and cannot reach a seeded asset that is still awaiting review.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { browserSkipReason, launchChromium, signedInContext, waitForHydratedUploadForm, watchUploadProgress } from '../support/browser'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()
const { getDb } = await import('~/db.server')

const webUrl = inject('webUrl')
const db = getDb()
const SCREENSHOTS = path.resolve('test-results/e2e')
const skipReason = browserSkipReason()

if (skipReason) console.warn(`first-slice: skipped: ${skipReason}`)
const describeBrowser = skipReason ? describe.skip : describe

/** A random lowercase word, so searches in the shared index match only this run's asset. */
function word(length = 9): string {
  const letters = 'bcdfghjklmnpqrstvwxz'
  return Array.from(randomBytes(length), (byte) => letters[byte % letters.length]).join('')
}

/** The word with one letter replaced (a one-letter typo) in the middle. */
function typo(source: string): string {
  const index = Math.floor(source.length / 2)
  const replacement = source[index] === 'o' ? 'e' : 'o'
  return source.slice(0, index) + replacement + source.slice(index + 1)
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== null && value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

const secret = word()
const title = `E2E Poster ${secret}`
const filename = `e2e-poster-${secret}.png`

describeBrowser(skipReason ? `first slice in Chromium (skipped: ${skipReason})` : 'first slice in Chromium', () => {
  let browser: Browser
  const contexts: BrowserContext[] = []
  let png: Buffer
  let assetId = ''
  let versionId = ''

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    png = await sharp({ create: { width: 1000, height: 640, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .png()
      .toBuffer()
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined)
    await browser?.close()
  })

  async function signedInPage(email: string): Promise<Page> {
    const { context, page } = await signedInContext(browser, { webUrl, email, viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    contexts.push(context)
    return page
  }

  /** React has hydrated the upload form (its submit handler is attached), so uploads go through the XHR path. */
  it('a librarian uploads a PNG: the progress bar shows, then the file reaches "in review"', async () => {
    const page = await signedInPage('librarian@damson.test')
    await page.goto('/library/upload')
    await waitForHydratedUploadForm(page)

    const progress = await watchUploadProgress(page, 600 * 1024)

    await page.getByLabel('Title').fill(title)
    await page.locator('#upload-file').setInputFiles({ name: filename, mimeType: 'image/png', buffer: png })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()

    const bar = page.getByRole('progressbar', { name: `Uploading ${filename}` })
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow', { timeout: 10_000 })), { timeout: 10_000 }).toBeGreaterThan(0)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-progress.png'), fullPage: true })

    const row = page.locator('li[data-upload-item]', { hasText: filename })
    await row.locator('text=Processed and waiting for review.').waitFor({ timeout: 150_000 })
    await progress.unthrottle()
    expect(await row.getAttribute('data-upload-item')).toBe('done')
    await expect.poll(() => row.textContent()).toContain('In review')
    const progressValues = await progress.seen()
    expect(progressValues.some((value) => value > 0 && value < 100), `intermediate progress values: ${progressValues.join(',')}`).toBe(true)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload.png'), fullPage: true })

    const asset = await db.asset.findFirstOrThrow({
      where: { title },
      select: { id: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, sha256: true, status: true, mediaType: true } } },
    })
    const [version] = asset.versions
    expect(version?.status).toBe('in_review')
    expect(version?.sha256).toBe(sha256(png))
    expect(version?.mediaType).toBe('image/png')
    assetId = asset.id
    versionId = version!.id
    expect(await row.getByRole('link', { name: 'View' }).getAttribute('href')).toBe(`/library/assets/${assetId}`)
  })

  it('a PDF named .jpg is refused with 415 and a clear message; a truncated JPEG ends "corrupt or truncated"', async () => {
    const page = await signedInPage('librarian@damson.test')
    await page.goto('/library/upload')
    await waitForHydratedUploadForm(page)

    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
        'trailer << /Root 1 0 R >>\n%%EOF\n',
    )
    const pdfName = `not-really-${secret}.jpg`
    const [refusal] = await Promise.all([
      // The page sends files through the resumable (tus) endpoint; the refusal answers its first PATCH.
      page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/library/uploads/tus') && response.status() >= 400),
      (async () => {
        await page.locator('#upload-file').setInputFiles({ name: pdfName, mimeType: 'image/jpeg', buffer: pdf })
        await page.getByRole('button', { name: 'Upload', exact: true }).click()
      })(),
    ])
    expect(refusal.status()).toBe(415)
    const refusedRow = page.locator('li[data-upload-item="refused"]', { hasText: pdfName })
    await refusedRow.getByRole('alert').waitFor()
    expect(await refusedRow.getByRole('alert').textContent()).toMatch(/is a PDF document, but its name says a JPEG image/)

    const jpeg = await sharp({ create: { width: 800, height: 500, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 120, sigma: 30 } } })
      .jpeg({ quality: 90 })
      .toBuffer()
    const truncatedName = `truncated-${secret}.jpg`
    await page.getByRole('button', { name: 'Upload', exact: true }).waitFor()
    await page.locator('#upload-file').setInputFiles({ name: truncatedName, mimeType: 'image/jpeg', buffer: jpeg.subarray(0, Math.floor(jpeg.length / 2)) })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()
    const failedRow = page.locator('li[data-upload-item]', { hasText: truncatedName })
    await failedRow.getByText(/corrupt or truncated/i).waitFor({ timeout: 150_000 })
    expect(['failed', 'refused']).toContain(await failedRow.getAttribute('data-upload-item'))
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-refused.png'), fullPage: true })
  })

  it('a reviewer approves it from the inbox with a comment, and the inbox no longer lists it', async () => {
    expect(versionId, 'the upload step produced a version').not.toBe('')
    const page = await signedInPage('reviewer@damson.test')
    await page.goto('/reviews')
    const item = page.getByRole('link', { name: new RegExp(title) })
    await item.waitFor()
    expect(await item.getAttribute('href')).toBe(`/reviews/${versionId}`)
    const inboxThumbnail = item.locator('img')
    await expect
      .poll(() => inboxThumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 })
      .toBeGreaterThan(0)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'review-inbox.png'), fullPage: true })

    await Promise.all([page.waitForURL(`**/reviews/${versionId}`), item.click()])
    await page.getByRole('heading', { name: new RegExp(title) }).waitFor()
    await page.locator('#decision-comment').fill('Looks right for the partner portal. (e2e)')
    await page.screenshot({ path: path.join(SCREENSHOTS, 'review-decision.png'), fullPage: true })
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/reviews' && url.searchParams.get('decided') === 'approve'),
      page.getByRole('button', { name: 'Approve', exact: true }).click(),
    ])
    await page.getByRole('status').waitFor()
    expect(await page.getByRole('link', { name: new RegExp(title) }).count()).toBe(0)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'review-approved.png'), fullPage: true })
    await page.goto('/reviews?tab=all')
    await page.getByRole('navigation', { name: 'Inbox views' }).waitFor()
    expect(await page.getByRole('link', { name: new RegExp(title) }).count()).toBe(0)

    const decision = await db.reviewDecision.findFirstOrThrow({ where: { review: { versionId } }, select: { decision: true, comment: true } })
    expect(decision).toEqual({ decision: 'approve', comment: 'Looks right for the partner portal. (e2e)' })
  })

  it('a partner sees it in the portal, finds it with a typo, opens it and downloads the original’s pixels with its rights embedded', async () => {
    expect(assetId, 'the upload step produced an asset').not.toBe('')
    // Approval promotes the version and reindexes it in the workflow, just after the decision.
    await waitFor('the version to be promoted', 60_000, async () => {
      const asset = await db.asset.findUniqueOrThrow({ where: { id: assetId }, select: { currentVersionId: true } })
      return asset.currentVersionId === versionId ? true : null
    })

    const page = await signedInPage('partner@acme.test')
    const card = page.locator(`a[href="/portal/assets/${assetId}"]`)
    await waitFor('the asset in the portal grid', 60_000, async () => {
      await page.goto('/portal')
      return (await card.count()) > 0 ? true : null
    })
    const thumbnail = card.locator('img').first()
    await thumbnail.scrollIntoViewIfNeeded()
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 }).toBeGreaterThan(0)
    expect(await thumbnail.getAttribute('src')).toBe(`/assets/${assetId}/versions/${versionId}/renditions/thumbnail`)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-grid.png'), fullPage: true })

    const misspelt = `E2E Poster ${typo(secret)}`
    expect(misspelt).not.toBe(title)
    await page.locator('#portal-search').fill(misspelt)
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/portal' && url.searchParams.get('q') === misspelt),
      page.getByRole('button', { name: 'Search', exact: true }).click(),
    ])
    await card.first().waitFor()
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-search.png'), fullPage: true })

    await Promise.all([page.waitForURL(`**/portal/assets/${assetId}`), card.first().click()])
    await page.getByRole('heading', { name: title }).waitFor()
    const preview = page.getByRole('img', { name: title })
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 }).toBeGreaterThan(0)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-asset.png'), fullPage: true })

    // The partner says where the file will be used, then gets a copy carrying the rights.
    await page.locator('#declared-channel').selectOption('web')
    await page.locator('#declared-territory').selectOption('GB')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download original' }).click()])
    const file = await download.path()
    const delivered = readFileSync(file)
    expect((await sharp(delivered).raw().toBuffer()).equals(await sharp(png).raw().toBuffer())).toBe(true)
    const { getExifTool, endExifTool } = await import('~/media/exiftool.server')
    try {
      const tags = new Map<string, unknown>(Object.entries(await getExifTool().readRaw(file, { readArgs: ['-G1', '-a'] })))
      expect(tags.get('XMP-dc:Rights')).toMatch(/^© Damson Demo\./)
      expect(tags.get('XMP-xmpRights:Marked')).toBe(true)
      expect(tags.get('XMP-xmpRights:WebStatement')).toMatch(new RegExp(`/portal/assets/${assetId}#rights$`))
      expect(tags.get('XMP-xmpRights:UsageTerms')).toContain(`"${title}" (version 1) for Acme Agency:`)
    } finally {
      await endExifTool()
    }
    const { getStorage } = await import('~/storage.server')
    const stored = await db.assetVersion.findUniqueOrThrow({ where: { id: versionId }, select: { storageKey: true } })
    expect(sha256(await getStorage().getBuffer(stored.storageKey))).toBe(sha256(png)) // the original is untouched
    expect(download.suggestedFilename()).toBe(`${title}.png`)
    expect(await db.downloadRecord.findFirst({ where: { assetId, versionId }, orderBy: { createdAt: 'desc' } })).toMatchObject({ channel: 'web', territory: 'GB' })
  })

  it('the partner gets 404 for a seeded asset awaiting review: page, thumbnail, preview and download', async () => {
    const brand = await db.organisation.findUniqueOrThrow({ where: { slug: 'damson-demo' }, select: { id: true } })
    const waiting = await db.asset.findMany({
      where: { ownerOrganisationId: brand.id, currentVersionId: null },
      select: { id: true, title: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, status: true } } },
    })
    const unapproved = waiting.find((asset) => asset.versions[0]?.status === 'in_review')
    expect(unapproved, 'a seeded asset still awaiting review').toBeDefined()
    const hiddenId = unapproved!.id
    const hiddenVersionId = unapproved!.versions[0]!.id

    const page = await signedInPage('partner@acme.test')
    const response = await page.goto(`/portal/assets/${hiddenId}`)
    expect(response?.status()).toBe(404)
    expect(await page.content()).not.toContain(unapproved!.title)
    await page.getByRole('heading', { name: 'Asset not found' }).waitFor()
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-hidden-asset.png'), fullPage: true })

    const request = page.context().request
    const urls = [
      `/assets/${hiddenId}/versions/${hiddenVersionId}/renditions/thumbnail`,
      `/assets/${hiddenId}/versions/${hiddenVersionId}/renditions/preview`,
      `/assets/${hiddenId}/download`,
      `/assets/${hiddenId}/download?version=${hiddenVersionId}`,
    ]
    const statuses = await Promise.all(urls.map(async (url) => [url, (await request.get(url, { maxRedirects: 0 })).status()] as const))
    expect(statuses).toEqual(urls.map((url) => [url, 404]))
  })
})
