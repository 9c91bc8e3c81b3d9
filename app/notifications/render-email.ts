/**
 * How a notification reads as an email: a plain-text part and a small HTML part
 * with the same words. Pure, so the outbox, the SMTP sender and the tests agree.
 */
import { absoluteInAppUrl, inAppPath } from './in-app-link'

export type NotificationEmailInput = {
  recipientName: string
  title: string
  body: string
  /** Path inside Damson ("/reviews/abc"); made absolute with `publicUrl`. Anything else is left out. */
  link: string | null
  publicUrl: string
}

export type RenderedEmail = { subject: string; text: string; html: string }

export function renderNotificationEmail({ recipientName, title, body, link, publicUrl }: NotificationEmailInput): RenderedEmail {
  // Only in-app paths: a stored "//evil.example" or "https://…" must not become a link in our email.
  const path = inAppPath(link)
  const url = path ? absoluteInAppUrl(path, publicUrl) : null
  const greeting = `Hello ${recipientName},`
  const text = [greeting, '', title, ...(body ? ['', body] : []), ...(url ? ['', `Open in Damson: ${url}`] : []), '', '— Damson'].join('\n')
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#18181b;line-height:1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p><strong>${escapeHtml(title)}</strong></p>`,
    ...(body ? [`<p>${escapeHtml(body).replaceAll('\n', '<br>')}</p>`] : []),
    ...(url ? [`<p><a href="${escapeHtml(url)}" style="color:#5b2a86">Open in Damson</a></p>`] : []),
    '<p style="color:#71717a">— Damson</p>',
    '</body></html>',
  ].join('')
  return { subject: emailSubject(title), text, html }
}

/**
 * Subjects are one line: a title with a newline would break the header. Control
 * characters go too, and the length is cut on whole characters (not halves of emoji).
 */
export function emailSubject(title: string): string {
  const line = title.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim()
  return Array.from(`Damson: ${line}`).slice(0, 200).join('')
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
