import { describe, expect, it } from 'vitest'
import { absoluteInAppUrl, inAppPath } from '~/notifications/in-app-link'
import { emailSubject, escapeHtml, renderNotificationEmail } from '~/notifications/render-email'

const base = {
  recipientName: 'Ada Lovelace',
  title: 'Review requested: Spring mailer v2',
  body: 'Stage “Brand” is waiting for you.',
  link: '/reviews/v_123',
  publicUrl: 'https://dam.example.com',
}

describe('renderNotificationEmail', () => {
  it('writes the same words in the text and HTML parts, with an absolute link', () => {
    const email = renderNotificationEmail(base)
    expect(email.subject).toBe('Damson: Review requested: Spring mailer v2')
    expect(email.text).toContain('Hello Ada Lovelace,')
    expect(email.text).toContain('Review requested: Spring mailer v2')
    expect(email.text).toContain('Stage “Brand” is waiting for you.')
    expect(email.text).toContain('Open in Damson: https://dam.example.com/reviews/v_123')
    expect(email.html).toContain('<a href="https://dam.example.com/reviews/v_123"')
    expect(email.html).toContain('<strong>Review requested: Spring mailer v2</strong>')
  })

  it('escapes names, titles and bodies in the HTML part', () => {
    const email = renderNotificationEmail({
      ...base,
      recipientName: '<img src=x onerror=alert(1)>',
      title: 'Logo "final" & <b>bold</b>',
      body: "It's <script>alert('x')</script>\nsecond line",
    })
    expect(email.html).not.toContain('<img')
    expect(email.html).not.toContain('<script>')
    expect(email.html).not.toContain('<b>bold</b>')
    expect(email.html).toContain('&#60;img src=x onerror=alert(1)&#62;')
    expect(email.html).toContain('Logo &#34;final&#34; &#38; &#60;b&#62;bold&#60;/b&#62;')
    expect(email.html).toContain('It&#39;s &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;<br>second line')
    // The text part is plain text: left as written.
    expect(email.text).toContain("It's <script>alert('x')</script>\nsecond line")
  })

  it('keeps a path prefix of PUBLIC_URL and the query of the link', () => {
    const email = renderNotificationEmail({ ...base, link: '/reviews/v_1?tab=comments#c9', publicUrl: 'https://example.com/dam/' })
    expect(email.text).toContain('Open in Damson: https://example.com/dam/reviews/v_1?tab=comments#c9')
  })

  it.each([
    ['//evil.example/phish'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/\\evil.example'],
    ['/.//evil.example'],
    ['reviews/relative'],
  ])('leaves out a link that is not an in-app path: %s', (link) => {
    const email = renderNotificationEmail({ ...base, link })
    expect(email.text).not.toContain('Open in Damson')
    expect(email.html).not.toContain('<a ')
    expect(email.text).not.toContain('evil')
  })

  it('has no link line when there is no link, and no body paragraph when the body is empty', () => {
    const email = renderNotificationEmail({ ...base, link: null, body: '' })
    expect(email.text).toBe('Hello Ada Lovelace,\n\nReview requested: Spring mailer v2\n\n— Damson')
    expect(email.html).not.toContain('<a ')
  })

  it('makes the subject one line whatever the title holds', () => {
    const email = renderNotificationEmail({ ...base, title: 'Approved:\r\nBcc: everyone@example.com\n\tSpring  mailer\u0000' })
    expect(email.subject).toBe('Damson: Approved: Bcc: everyone@example.com Spring mailer')
    expect(email.subject).not.toMatch(/[\r\n\t\u0000]/)
  })
})

describe('emailSubject', () => {
  it('cuts long titles to 200 characters without splitting a character', () => {
    const subject = emailSubject('🍑'.repeat(300))
    expect(Array.from(subject)).toHaveLength(200)
    expect(subject.startsWith('Damson: 🍑')).toBe(true)
    expect(subject).not.toMatch(/[\uD800-\uDBFF]$/)
  })
})

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;')
  })
})

describe('inAppPath', () => {
  it.each([
    ['/reviews/abc', '/reviews/abc'],
    ['/library?q=spring&page=2', '/library?q=spring&page=2'],
    ['/a/../reviews/x', '/reviews/x'],
  ])('accepts %s', (link, expected) => {
    expect(inAppPath(link)).toBe(expected)
  })

  it.each([
    [null],
    [''],
    ['//evil.example'],
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['https://evil.example/reviews'],
    ['javascript:alert(1)'],
    ['/\t/evil.example'],
    ['/ /evil.example'],
    ['reviews/abc'],
    // Dot segments that normalise into a protocol-relative URL.
    ['/.//evil.example'],
    ['/a/..//evil.example'],
    ['/%2e//evil.example'],
    [`/${'a'.repeat(2001)}`],
  ])('refuses %j', (link) => {
    expect(inAppPath(link)).toBeNull()
  })

  it('joins a path onto PUBLIC_URL with or without a trailing slash', () => {
    expect(absoluteInAppUrl('/x', 'http://localhost:3000')).toBe('http://localhost:3000/x')
    expect(absoluteInAppUrl('/x', 'http://localhost:3000/')).toBe('http://localhost:3000/x')
    expect(absoluteInAppUrl('/x', 'https://a.example/dam')).toBe('https://a.example/dam/x')
  })
})
