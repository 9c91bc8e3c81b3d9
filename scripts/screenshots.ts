/**
 * `npx tsx scripts/screenshots.ts [baseUrl]`: signs in as each demo role against a
 * running Damson (npm start) and saves full-page screenshots of the main pages to
 * .data/screenshots/, for looking at what a change did to the interface.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { launchChromium } from '../tests/support/browser'

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:3000'
const outDir = path.resolve('.data/screenshots')
mkdirSync(outDir, { recursive: true })

const tours: { email: string; pages: string[] }[] = [
  { email: 'admin@damson.test', pages: ['/library', '/notifications', '/admin/outbox', '/admin/rights-channels'] },
  { email: 'librarian@damson.test', pages: ['/library', '/library/upload', '/admin/review-policies'] },
  { email: 'reviewer@damson.test', pages: ['/reviews'] },
  { email: 'legal@damson.test', pages: ['/rights/expiring', '/rights/expiring?days=90'] },
  { email: 'partner@acme.test', pages: ['/portal', '/portal?q=sumer', '/portal?q=retail', '/portal/takedowns'] },
]

const browser = await launchChromium()
try {
  const anonymous = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await anonymous.goto(`${baseUrl}/login`)
  await anonymous.screenshot({ path: path.join(outDir, 'login.png'), fullPage: true })
  await anonymous.close()
  for (const tour of tours) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${baseUrl}/login`)
    await page.fill('input[name=email]', tour.email)
    await page.fill('input[name=password]', 'damson-demo')
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('button[type=submit]')])
    const role = tour.email.split('@')[0]
    for (const pagePath of tour.pages) {
      await page.goto(`${baseUrl}${pagePath}`)
      await page.waitForLoadState('networkidle')
      const name = `${role}${pagePath.replace(/[/?=]+/g, '-')}.png`
      await page.screenshot({ path: path.join(outDir, name), fullPage: true })
      console.log(`saved ${name}`)
    }
    // The first item in the tour's first page's list, where there is one.
    await page.goto(`${baseUrl}${tour.pages[0]}`)
    const firstLink = page.locator('main a[href*="/portal/assets/"], main a[href*="/reviews/"], main a[href*="/library/assets/"]').first()
    const href = (await firstLink.count()) ? await firstLink.getAttribute('href') : null
    if (href) {
      await page.goto(new URL(href, baseUrl).toString())
      await page.waitForLoadState('networkidle')
      await page.screenshot({ path: path.join(outDir, `${role}-detail.png`), fullPage: true })
      console.log(`saved ${role}-detail.png`)
    }
    await context.close()
  }
} finally {
  await browser.close()
}
