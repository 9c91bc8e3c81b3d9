/**
 * Sample brand imagery drawn at seed time with sharp (an SVG scene rasterised to
 * JPEG), so the demo needs no binary fixtures in the repository.
 */
import sharp from 'sharp'

export type SampleImage = {
  title: string
  description: string
  folderPath: string
  tags: string[]
  filename: string
  /** Approved at seed time (visible to partners) or left awaiting review. */
  approve: boolean
}

export const SAMPLE_IMAGES: SampleImage[] = [
  { title: 'Summer Launch Hero', description: 'Key visual for the summer 2027 launch.', folderPath: '/campaigns/summer-2027', tags: ['summer', 'hero', 'launch'], filename: 'summer-launch-hero.jpg', approve: true },
  { title: 'Autumn Harvest Banner', description: 'Web banner for the autumn range.', folderPath: '/campaigns/autumn-2027', tags: ['autumn', 'banner', 'web'], filename: 'autumn-harvest-banner.jpg', approve: true },
  { title: 'Damson Logo on Plum', description: 'Primary logo lock-up on the brand plum background.', folderPath: '/brand/logos', tags: ['logo', 'brand'], filename: 'damson-logo-plum.jpg', approve: true },
  { title: 'Orchard Lifestyle', description: 'Lifestyle photography from the orchard shoot.', folderPath: '/photography/lifestyle', tags: ['lifestyle', 'orchard'], filename: 'orchard-lifestyle.jpg', approve: true },
  { title: 'Winter Gift Set', description: 'Product shot of the winter gift set.', folderPath: '/products/gift-sets', tags: ['product', 'winter', 'gift'], filename: 'winter-gift-set.jpg', approve: true },
  { title: 'Spring Blossom Social Tile', description: 'Square tile for social channels.', folderPath: '/campaigns/spring-2027', tags: ['spring', 'social'], filename: 'spring-blossom-tile.jpg', approve: true },
  { title: 'Jam Jar Packshot', description: 'Packshot of the classic damson jam jar.', folderPath: '/products/jam', tags: ['product', 'packshot', 'jam'], filename: 'jam-jar-packshot.jpg', approve: true },
  { title: 'Retail Window Poster', description: 'Poster artwork for retail windows.', folderPath: '/retail/posters', tags: ['retail', 'poster', 'print'], filename: 'retail-window-poster.jpg', approve: true },
  { title: 'Night Market Teaser', description: 'Teaser visual for the night market event.', folderPath: '/events/night-market', tags: ['event', 'teaser'], filename: 'night-market-teaser.jpg', approve: false },
  { title: 'Founders Portrait', description: 'Portrait of the founders for press use.', folderPath: '/press/portraits', tags: ['press', 'portrait'], filename: 'founders-portrait.jpg', approve: false },
  { title: 'Recipe Card Crumble', description: 'Recipe card artwork: damson crumble.', folderPath: '/content/recipes', tags: ['recipe', 'content'], filename: 'recipe-card-crumble.jpg', approve: false },
  { title: 'Sustainability Report Cover', description: 'Cover image for the sustainability report.', folderPath: '/corporate/reports', tags: ['corporate', 'report'], filename: 'sustainability-cover.jpg', approve: false },
]

const PALETTES: [string, string, string][] = [
  ['#f59e0b', '#ef4444', '#fde68a'],
  ['#b45309', '#7c2d12', '#fcd34d'],
  ['#5b2a86', '#2e1065', '#e9d5ff'],
  ['#16a34a', '#065f46', '#bbf7d0'],
  ['#0ea5e9', '#1e3a8a', '#e0f2fe'],
  ['#f472b6', '#be185d', '#fce7f3'],
  ['#7c3aed', '#4c1d95', '#ddd6fe'],
  ['#dc2626', '#111827', '#fecaca'],
  ['#0f172a', '#7c3aed', '#fbbf24'],
  ['#78716c', '#292524', '#f5f5f4'],
  ['#c2410c', '#5b2a86', '#ffedd5'],
  ['#059669', '#0f766e', '#ccfbf1'],
]

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

export async function renderSampleImage(index: number, title: string): Promise<Buffer> {
  const [from, to, accent] = PALETTES[index % PALETTES.length]!
  const width = 1600
  const height = 1000
  const circles = Array.from({ length: 6 }, (_, i) => {
    const cx = ((index * 197 + i * 263) % width) + 40
    const cy = ((index * 131 + i * 173) % height) + 40
    const r = 80 + ((index * 37 + i * 61) % 220)
    return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${accent}" fill-opacity="${0.12 + (i % 3) * 0.08}"/>`
  }).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    ${circles}
    <rect x="80" y="${height - 260}" width="${width - 160}" height="180" rx="24" fill="#000" fill-opacity="0.28"/>
    <text x="120" y="${height - 150}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="72" font-weight="700" fill="#fff">${escapeXml(title)}</text>
    <text x="122" y="${height - 100}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="30" fill="${accent}">Damson Demo · sample asset ${index + 1}</text>
  </svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 86, mozjpeg: true }).toBuffer()
}
