/**
 * A channel preset: what every file published to a channel is made into. One schema
 * for the admin form, the stored JSON and the renderer (~/distribution/channel-rendition.server).
 * Usage rights are always written into delivered files, whatever the preset says about
 * other metadata: a file that leaves Damson says what it may be used for.
 */
import { z } from 'zod'

export const CHANNEL_OUTPUT_FORMATS = ['original', 'jpeg', 'png', 'webp', 'avif'] as const
export type ChannelOutputFormat = (typeof CHANNEL_OUTPUT_FORMATS)[number]

/** How an image is fitted into the box: inside keeps it whole, cover crops to fill, contain pads. */
export const CHANNEL_FITS = ['inside', 'cover', 'contain'] as const
export const COLOUR_PROFILES = ['srgb', 'p3', 'cmyk', 'keep'] as const
export const WATERMARK_POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left', 'centre'] as const

export const ChannelPresetSchema = z
  .object({
    /** `original` delivers the file as uploaded (with the rights written in). */
    format: z.enum(CHANNEL_OUTPUT_FORMATS).default('jpeg'),
    /** Largest width/height in pixels; absent means the original size. Never enlarged. */
    maxWidth: z.number().int().min(16).max(16_384).nullable().default(2048),
    maxHeight: z.number().int().min(16).max(16_384).nullable().default(2048),
    fit: z.enum(CHANNEL_FITS).default('inside'),
    quality: z.number().int().min(1).max(100).default(85),
    watermark: z
      .object({
        text: z.string().trim().min(1).max(80),
        position: z.enum(WATERMARK_POSITIONS).default('bottom-right'),
        /** 0–1. */
        opacity: z.number().min(0.05).max(1).default(0.5),
      })
      .nullable()
      .default(null),
    colourProfile: z.enum(COLOUR_PROFILES).default('srgb'),
    /** Keep the original's EXIF/IPTC/XMP, or strip it. The rights fields are written either way. */
    metadata: z.enum(['keep', 'strip']).default('strip'),
  })
  .superRefine((preset, context) => {
    if (preset.colourProfile === 'cmyk' && !['jpeg', 'original'].includes(preset.format)) {
      context.addIssue({ code: 'custom', path: ['colourProfile'], message: 'CMYK output needs JPEG' })
    }
    if (preset.fit !== 'inside' && (preset.maxWidth === null || preset.maxHeight === null)) {
      context.addIssue({ code: 'custom', path: ['fit'], message: 'Cover and contain need both a width and a height' })
    }
  })

export type ChannelPreset = z.infer<typeof ChannelPresetSchema>

export const DEFAULT_CHANNEL_PRESET: ChannelPreset = ChannelPresetSchema.parse({})

/** Reads a stored preset; a preset stored by an older release gets today's defaults for what it lacks. */
export function parseChannelPreset(stored: unknown): ChannelPreset {
  return ChannelPresetSchema.parse(stored ?? {})
}

/** "JPEG, at most 2048 × 2048, quality 85, sRGB, metadata stripped, watermark “Press”". */
export function describeChannelPreset(preset: ChannelPreset): string {
  if (preset.format === 'original') return 'The original file, with its usage rights written in'
  const parts = [preset.format.toUpperCase()]
  if (preset.maxWidth !== null || preset.maxHeight !== null) {
    const box = `${preset.maxWidth ?? 'any'} × ${preset.maxHeight ?? 'any'}`
    parts.push(preset.fit === 'inside' ? `at most ${box}` : `${preset.fit === 'cover' ? 'cropped to' : 'padded to'} ${box}`)
  }
  if (preset.format !== 'png') parts.push(`quality ${preset.quality}`)
  parts.push({ srgb: 'sRGB', p3: 'Display P3', cmyk: 'CMYK', keep: 'original colour profile' }[preset.colourProfile])
  parts.push(preset.metadata === 'keep' ? 'metadata kept' : 'metadata stripped')
  if (preset.watermark) parts.push(`watermark “${preset.watermark.text}”`)
  return parts.join(', ')
}
