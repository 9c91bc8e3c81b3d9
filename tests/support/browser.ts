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
