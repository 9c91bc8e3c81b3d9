import { describe, expect, it } from 'vitest'
import { Storage, contentDisposition } from '~/storage.server'

const config = {
  endpoint: 'http://seaweedfs:8333',
  region: 'us-east-1',
  accessKeyId: 'key',
  secretAccessKey: 'secret',
  bucket: 'damson',
  forcePathStyle: true,
}

describe('presigned downloads', () => {
  it('signs for the internal endpoint by default, with the lifetime asked for', async () => {
    const url = new URL(await new Storage(config).presignDownload('originals/a/v', { filename: 'Poster.png', expiresInSeconds: 60 }))
    expect(url.host).toBe('seaweedfs:8333')
    expect(url.pathname).toBe('/damson/originals/a/v')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60')
    expect(url.searchParams.get('response-content-disposition')).toBe(contentDisposition('attachment', 'Poster.png'))
  })

  it('signs for the public endpoint when browsers reach S3 elsewhere', async () => {
    const storage = new Storage({ ...config, publicEndpoint: 'https://assets.example.com' })
    const url = new URL(await storage.presignDownload('originals/a/v', { filename: 'x.png', expiresInSeconds: 30 }))
    expect(url.origin).toBe('https://assets.example.com')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('30')
  })

  it('sends SVG, HTML and XML as plain bytes, and other types as stored', async () => {
    const storage = new Storage(config)
    const svg = new URL(await storage.presignDownload('originals/a/v', { filename: 'logo.svg', expiresInSeconds: 30, mediaType: 'image/svg+xml' }))
    expect(svg.searchParams.get('response-content-type')).toBe('application/octet-stream')
    expect(svg.searchParams.get('response-content-disposition')).toBe(contentDisposition('attachment', 'logo.svg'))
    const html = new URL(await storage.presignDownload('originals/a/v', { filename: 'page.html', expiresInSeconds: 30, mediaType: 'text/html' }))
    expect(html.searchParams.get('response-content-type')).toBe('application/octet-stream')
    const png = new URL(await storage.presignDownload('originals/a/v', { filename: 'x.png', expiresInSeconds: 30, mediaType: 'image/png' }))
    expect(png.searchParams.has('response-content-type')).toBe(false)
  })

  it('gives non-ASCII filenames an ASCII fallback and a UTF-8 name', () => {
    expect(contentDisposition('attachment', 'Café "déjà".png')).toBe(
      `attachment; filename="Caf_ _d_j__.png"; filename*=UTF-8''Caf%C3%A9%20%22d%C3%A9j%C3%A0%22.png`,
    )
  })
})
