import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Why browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  if (process.env.DAMSON_SKIP_BROWSER) return process.env.DAMSON_SKIP_BROWSER
  if (!existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package)`
  return null
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/** The demo users' password (seeded for tests and `npm start`, never in production). */
export const DEMO_PASSWORD = 'damson-demo'

/**
 * A browser context of its own, signed in through the login form as `email`; the
 * context is returned too, for the caller to close.
 */
export async function signedInContext(
  browser: Browser,
  { webUrl, email, viewport = { width: 1280, height: 900 }, acceptDownloads = false }: { webUrl: string; email: string; viewport?: { width: number; height: number }; acceptDownloads?: boolean },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: webUrl, viewport, acceptDownloads })
  const page = await context.newPage()
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(DEMO_PASSWORD)
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()])
  return { context, page }
}

/** Waits until React has hydrated the upload form, so its submit goes through the progress uploader. */
export async function waitForHydratedUploadForm(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const form = document.querySelector('form[action="/library/upload"]')
    return form !== null && Object.keys(form).some((key) => key.startsWith('__reactProps'))
  })
}

/**
 * Records every value the page's progress bars show, however briefly, and throttles
 * uploads to `uploadBytesPerSecond` (loopback uploads finish in milliseconds, so the bar
 * would never be seen). Gives a reader for the values seen so far, and a way to lift
 * the throttle once the bar has been seen.
 */
export async function watchUploadProgress(
  page: Page,
  uploadBytesPerSecond: number,
): Promise<{ seen: () => Promise<number[]>; unthrottle: () => Promise<void> }> {
  await page.evaluate(() => {
    const seen: number[] = []
    Object.assign(window, { __progress: seen })
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role="progressbar"]')) seen.push(Number(bar.getAttribute('aria-valuenow')))
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] })
  })
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: uploadBytesPerSecond })
  return {
    seen: () => page.evaluate(() => (window as unknown as { __progress: number[] }).__progress),
    unthrottle: async () => {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    },
  }
}
