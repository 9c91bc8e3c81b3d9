/**
 * A two-stage review in Chromium, from upload to partner visibility: the seeded
 * "Campaign review" policy applies to /campaigns (any brand reviewer, then the
 * admin's final sign-off). The reviewer marks a region with the mouse and comments
 * on it, then approves; the version is not visible to partners between the stages;
 * the admin is notified, sees the numbered pin, and signs off; the partner finds it.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { browserSkipReason, launchChromium, signedInContext } from '../support/browser'
import { loadStackEnv } from '../support/stack-env'

loadStackEnv()
const { getDb } = await import('~/db.server')

const webUrl = inject('webUrl')
const db = getDb()
const SCREENSHOTS = path.resolve('test-results/e2e')
const skipReason = browserSkipReason()
if (skipReason) console.warn(`two-stage review: skipped: ${skipReason}`)
const describeBrowser = skipReason ? describe.skip : describe

const secret = Array.from(randomBytes(8), (byte) => 'bcdfghjklmnpqrstvwxz'[byte % 20]).join('')
const title = `Campaign Key Visual ${secret}`
const filename = `campaign-${secret}.png`
const REGION_COMMENT = `Move the logo clear of the edge (${secret})`

describeBrowser(skipReason ? `two-stage review (skipped: ${skipReason})` : 'two-stage review in Chromium', () => {
  let browser: Browser
  const contexts: BrowserContext[] = []
  let assetId = ''
  let versionId = ''

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined)
    await browser?.close()
  })

  async function signedInPage(email: string): Promise<Page> {
    const { context, page } = await signedInContext(browser, { webUrl, email, viewport: { width: 1440, height: 1000 } })
    contexts.push(context)
    return page
  }

  async function hydrated(page: Page, selector: string): Promise<void> {
    await page.waitForFunction((css) => {
      const element = document.querySelector(css)
      return element !== null && Object.keys(element).some((key) => key.startsWith('__react'))
    }, selector)
  }

  async function reviewStatus(): Promise<{ stage: number; status: string; versionStatus: string }> {
    const review = await db.review.findFirstOrThrow({ where: { versionId }, select: { currentStage: true, status: true, version: { select: { status: true } } } })
    return { stage: review.currentStage, status: review.status, versionStatus: review.version.status }
  }

  it('a librarian uploads into a campaign folder: the two-stage policy applies', async () => {
    const page = await signedInPage('librarian@damson.test')
    await page.goto('/library/upload')
    await hydrated(page, 'form[action="/library/upload"]')
    const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#5b2a86' } })
      .composite([{ input: await sharp({ create: { width: 300, height: 200, channels: 3, background: '#f5c518' } }).png().toBuffer(), left: 860, top: 40 }])
      .png()
      .toBuffer()
    await page.getByLabel('Title').fill(title)
    await page.getByLabel('Folder').fill(`/campaigns/e2e-${secret}`)
    await page.locator('#upload-file').setInputFiles({ name: filename, mimeType: 'image/png', buffer: png })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()
    const row = page.locator('li[data-upload-item]', { hasText: filename })
    await row.locator('text=Processed and waiting for review.').waitFor({ timeout: 150_000 })

    const asset = await db.asset.findFirstOrThrow({ where: { title }, select: { id: true, versions: { select: { id: true } } } })
    assetId = asset.id
    versionId = asset.versions[0]!.id
    const review = await db.review.findFirstOrThrow({ where: { versionId }, select: { policyName: true } })
    expect(review.policyName).toBe('Campaign review')
  })

  it('the reviewer marks a region with the mouse, comments on it, and approves the first stage', async () => {
    expect(versionId, 'the upload step produced a version').not.toBe('')
    const page = await signedInPage('reviewer@damson.test')
    await page.goto('/reviews')
    const item = page.getByRole('link', { name: new RegExp(title) })
    await item.waitFor()
    await Promise.all([page.waitForURL(`**/reviews/${versionId}`), item.click()])
    await hydrated(page, '#comment-body')

    // Drag a rectangle over the top-right corner of the preview.
    const preview = page.locator('div.relative.inline-block img').first()
    await preview.waitFor()
    const box = (await preview.boundingBox())!
    expect(box.width).toBeGreaterThan(100)
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.05)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.2, { steps: 8 })
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height * 0.3, { steps: 8 })
    await page.mouse.up()
    await page.getByText(/^Region:/).waitFor()
    await page.locator('#comment-body').fill(REGION_COMMENT)
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname.startsWith(`/reviews/${versionId}`) && response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Add comment' }).click(),
    ])
    const pin = page.getByRole('link', { name: /^Comment 1 by / })
    await pin.waitFor()
    await page.screenshot({ path: path.join(SCREENSHOTS, 'two-stage-region-comment.png'), fullPage: true })

    const stored = await db.comment.findFirstOrThrow({ where: { versionId, body: REGION_COMMENT } })
    const region = stored.region as { x: number; y: number; w: number; h: number }
    expect(region.x).toBeGreaterThan(0.6)
    expect(region.x + region.w).toBeLessThanOrEqual(1)
    expect(region.w).toBeGreaterThan(0.2)
    expect(region.h).toBeGreaterThan(0.15)

    await Promise.all([
      page.waitForURL((url) => url.pathname === '/reviews' && url.searchParams.get('decided') === 'approve'),
      page.getByRole('button', { name: 'Approve' }).click(),
    ])
    await expect.poll(reviewStatus, { timeout: 20_000 }).toMatchObject({ stage: 1, status: 'in_progress', versionStatus: 'in_review' })
  })

  it('between the stages the partner cannot see the asset', async () => {
    const page = await signedInPage('partner@acme.test')
    const response = await page.goto(`/portal/assets/${assetId}`)
    expect(response?.status()).toBe(404)
  })

  it('the admin is notified, sees the numbered pin from the first stage, and signs off', async () => {
    const page = await signedInPage('admin@damson.test')
    await page.goto('/notifications')
    await page.getByText(`Review requested: "${title}" version 1`).first().waitFor({ timeout: 20_000 })

    await page.goto(`/reviews/${versionId}`)
    await page.getByRole('link', { name: /^Comment 1 by / }).waitFor()
    await page.getByText(REGION_COMMENT).first().waitFor()
    await page.getByText(/Final sign-off/).first().waitFor()
    await hydrated(page, '#decision-comment')
    await page.locator('#decision-comment').fill('Signed off. (e2e)')
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/reviews' && url.searchParams.get('decided') === 'approve'),
      page.getByRole('button', { name: 'Approve' }).click(),
    ])
    await expect.poll(reviewStatus, { timeout: 30_000 }).toMatchObject({ status: 'approved', versionStatus: 'approved' })
  })

  it('the partner now finds the new asset by search and opens it', async () => {
    const page = await signedInPage('partner@acme.test')
    await expect
      .poll(
        async () => {
          await page.goto(`/portal?q=${secret}`)
          return page.getByRole('link', { name: new RegExp(title) }).count()
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0)
    const response = await page.goto(`/portal/assets/${assetId}`)
    expect(response?.status()).toBe(200)
    await page.getByRole('heading', { name: new RegExp(title) }).waitFor()
    await page.screenshot({ path: path.join(SCREENSHOTS, 'two-stage-partner.png'), fullPage: true })
  })
})
