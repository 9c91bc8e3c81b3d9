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

/**
 * Records every value each labelled progress bar shows (by its aria-label), however
 * briefly: a row's bar ("Uploading a.png") and the page's overall one ("All uploads").
 */
export async function watchProgressBarsByLabel(page: Page): Promise<() => Promise<Record<string, number[]>>> {
  await page.evaluate(() => {
    const seen: Record<string, number[]> = {}
    Object.assign(window, { __progressByLabel: seen })
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role="progressbar"][aria-label]')) {
        const label = bar.getAttribute('aria-label') ?? ''
        const value = Number(bar.getAttribute('aria-valuenow'))
        const values = (seen[label] ??= [])
        if (values[values.length - 1] !== value) values.push(value)
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] })
  })
  return () => page.evaluate(() => (window as unknown as { __progressByLabel: Record<string, number[]> }).__progressByLabel)
}

/**
 * Drops files on the element matching `selector` as a person dragging them from the
 * desktop would: dragenter, dragover and drop carrying a DataTransfer with the files.
 */
export async function dropFiles(page: Page, selector: string, files: { name: string; type: string; bytes: Buffer }[]): Promise<void> {
  const payload = files.map((file) => ({ name: file.name, type: file.type, base64: file.bytes.toString('base64') }))
  await page.evaluate(
    ({ selector, payload }) => {
      const target = document.querySelector(selector)
      if (!target) throw new Error(`nothing matches ${selector}`)
      const dataTransfer = new DataTransfer()
      for (const file of payload) {
        const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0))
        dataTransfer.items.add(new File([bytes], file.name, { type: file.type }))
      }
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }))
      }
    },
    { selector, payload },
  )
}
