/**
 * The channel editor's form, as both sides see it: the draft it holds (strings, as
 * posted), its field names, and the keys field errors come back under. The server
 * (`~/distribution/channels.server`) reads posts with these names and validates them
 * with the domain schemas; the page renders drafts with them.
 *
 * Secrets (the S3 secret access key, the webhook signing secret) are posted under their
 * own names but are never part of a draft: a draft is what may be shown again.
 */
import { DEFAULT_CHANNEL_PRESET } from '~/domain/channel-preset'

export const CHANNEL_KINDS = ['s3', 'webhook', 'folder'] as const
export type ChannelKindName = (typeof CHANNEL_KINDS)[number]

export const CHANNEL_KIND_LABELS: Record<ChannelKindName, string> = {
  s3: 'S3 bucket',
  webhook: 'Webhook',
  folder: 'Folder on this server',
}

export type ChannelDraft = {
  name: string
  kind: ChannelKindName
  s3Endpoint: string
  s3Region: string
  s3Bucket: string
  s3Prefix: string
  s3AccessKeyId: string
  s3ForcePathStyle: boolean
  webhookUrl: string
  folderPath: string
  rightsChannel: string
  format: string
  maxWidth: string
  maxHeight: string
  fit: string
  quality: string
  watermarkText: string
  watermarkPosition: string
  /** Percent, 5–100. */
  watermarkOpacity: string
  colourProfile: string
  metadata: string
  /** One folder per line. */
  scopeFolders: string
  scopeCollectionIds: string[]
  /** Comma separated. */
  scopeTags: string
  autoPublish: boolean
  enabled: boolean
}

/** The posted names of the secrets; never filled in by the page. */
export const SECRET_FIELDS = { s3: 's3SecretAccessKey', webhook: 'webhookSigningSecret' } as const
export type ChannelSecretField = (typeof SECRET_FIELDS)[keyof typeof SECRET_FIELDS]

/** What a save posts: the draft plus the secrets typed in (blank keeps the stored one). */
export type ChannelFormInput = ChannelDraft & Partial<Record<ChannelSecretField, string>>

export type ChannelFormField = keyof ChannelDraft | ChannelSecretField | 'form'

/** One message per field; `form` for what belongs to no field. */
export type ChannelFieldErrors = Partial<Record<ChannelFormField, string>>

export const CHANNEL_LIMITS = {
  nameLength: 80,
  scopeFolders: 50,
  folderLength: 200,
  scopeCollections: 200,
  secretLength: 256,
} as const

/** The list of problems above the form (focused after a failed save). */
export const CHANNEL_ERROR_SUMMARY_ID = 'channel-errors'

export function newChannelDraft(rightsChannel = 'web'): ChannelDraft {
  const preset = DEFAULT_CHANNEL_PRESET
  return {
    name: '',
    kind: 's3',
    s3Endpoint: '',
    s3Region: 'us-east-1',
    s3Bucket: '',
    s3Prefix: '',
    s3AccessKeyId: '',
    s3ForcePathStyle: true,
    webhookUrl: '',
    folderPath: '',
    rightsChannel,
    format: preset.format,
    maxWidth: preset.maxWidth === null ? '' : String(preset.maxWidth),
    maxHeight: preset.maxHeight === null ? '' : String(preset.maxHeight),
    fit: preset.fit,
    quality: String(preset.quality),
    watermarkText: '',
    watermarkPosition: 'bottom-right',
    watermarkOpacity: '50',
    colourProfile: preset.colourProfile,
    metadata: preset.metadata,
    scopeFolders: '',
    scopeCollectionIds: [],
    scopeTags: '',
    autoPublish: true,
    enabled: true,
  }
}
