import { describe, expect, it } from 'vitest'
import { assertSafeSvg, createSvgInspector, isSvgRefusal, looksLikeSvg } from '~/media/svg.server'

const svg = (body: string, attributes = '') =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="50"${attributes}>${body}</svg>`)

function refusal(bytes: Buffer): string {
  try {
    assertSafeSvg(bytes)
  } catch (error) {
    if (isSvgRefusal(error)) return error.message
    throw error
  }
  throw new Error('The SVG was accepted')
}

describe('the SVG check', () => {
  it('accepts ordinary drawings: shapes, gradients, local references, embedded raster images, styles', () => {
    expect(() =>
      assertSafeSvg(
        svg(`<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient><clipPath id="c"><rect width="10" height="10"/></clipPath></defs>
        <style>.a { fill: url(#g); }</style>
        <rect class="a" width="100" height="50" fill="url(#g)" clip-path="url( '#c' )"/>
        <use xlink:href="#c"/><use href="#c"/>
        <image width="4" height="4" href="data:image/png;base64,iVBORw0KGgo="/>
        <a href="#top"><text>Logo</text></a>`),
      ),
    ).not.toThrow()
  })

  it.each([
    ['a script', svg('<script>alert(1)</script>'), /contains a script \(<script>\)/],
    ['a namespaced script', svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'), /contains a script/],
    ['an event attribute', svg('<rect width="1" height="1" onclick="alert(1)"/>'), /an event handler \(onclick="…" on <rect>\)/],
    ['onload on the root', svg('', ' onload="alert(1)"'), /an event handler \(onload/],
    ['foreignObject', svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'), /embedded HTML \(<foreignObject>\)/],
    ['a javascript: link', svg('<a href="javascript:alert(1)"><text>x</text></a>'), /a script URL \(href on <a>\)/],
    ['an obfuscated javascript: link', svg('<a xlink:href=" jav&#x09;ascript:alert(1)"><text>x</text></a>'), /a script URL/],
    ['an external image', svg('<image href="https://evil.example/track.png" width="1" height="1"/>'), /a reference to outside content \(href="https:\/\/evil\.example\/track\.png" on <image>\)/],
    ['a local file', svg('<image xlink:href="file:///etc/passwd" width="1" height="1"/>'), /a reference to outside content/],
    ['an embedded SVG', svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>'), /a reference to outside content/],
    ['an external use', svg('<use href="other.svg#icon"/>'), /a reference to outside content/],
    ['an external url() in an attribute', svg('<rect width="1" height="1" fill="url(https://evil.example/p.svg#x)"/>'), /url\(https:\/\/evil\.example\/p\.svg#x\) in the fill attribute of <rect>/],
    ['an external url() in a style element', svg('<style>rect { background: url("//evil.example/x.png") }</style>'), /in a <style> element/],
    ['an @import', svg('<style>@import "https://evil.example/a.css";</style>'), /an @import/],
    ['an external url() in CDATA', svg('<style><![CDATA[ rect { fill: url(http://evil.example/x) } ]]></style>'), /in a <style> element/],
    ['an animation that rewrites a link', svg('<a href="#a"><set attributeName="href" to="javascript:alert(1)"/></a>'), /an animation of href|a script URL/],
    ['a linked stylesheet', Buffer.from('<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>'), /outside stylesheet/],
    ['a DOCTYPE with entities', Buffer.from('<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>'), /a DOCTYPE declaration/],
    ['a billion laughs', Buffer.from('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>'), /a DOCTYPE declaration/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(refusal(bytes)).toMatch(message)
  })

  it('refuses malformed XML, a file cut short and an XML file that is not an SVG', () => {
    expect(refusal(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'))).toMatch(/^is not a well-formed SVG drawing/)
    expect(refusal(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><g><rect/>'))).toMatch(/^is not a well-formed SVG drawing/)
    expect(refusal(Buffer.from('<html><body/></html>'))).toMatch(/root is <html>, not an SVG drawing/)
    expect(refusal(Buffer.from([0x3c, 0x73, 0x76, 0x67, 0xff, 0xfe]))).toMatch(/not UTF-8/)
  })

  it('checks a document fed in pieces, split anywhere, exactly as a whole one', () => {
    const bad = svg('<rect width="1" height="1"/><script>alert(1)</script>')
    const inspector = createSvgInspector()
    let message = ''
    try {
      for (let offset = 0; offset < bad.length; offset += 7) inspector.write(bad.subarray(offset, offset + 7))
      inspector.end()
    } catch (error) {
      message = error instanceof Error ? error.message : String(error)
    }
    expect(message).toMatch(/contains a script/)

    const good = svg('<text>Grüße – ✓</text>')
    const pieces = createSvgInspector()
    for (let offset = 0; offset < good.length; offset += 3) pieces.write(good.subarray(offset, offset + 3))
    expect(() => pieces.end()).not.toThrow()
  })

  it('recognises SVG by its content, after a prolog and comments, and nothing else', () => {
    expect(looksLikeSvg(svg(''))).toBe(true)
    expect(looksLikeSvg(Buffer.from('\uFEFF<!-- made by hand -->\n<svg viewBox="0 0 1 1"/>'))).toBe(true)
    expect(looksLikeSvg(Buffer.from('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>'))).toBe(true)
    expect(looksLikeSvg(Buffer.from('<?xml version="1.0"?><html/>'))).toBe(false)
    expect(looksLikeSvg(Buffer.from('just text mentioning <svg> later'))).toBe(false)
  })
})
