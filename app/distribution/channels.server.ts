/**
 * Distribution channels, for admins and librarians (channel:manage): the list, one
 * channel opened for editing, create and update.
 *
 * Every save is validated with the domain's own schemas (destination, secrets, preset)
 * composed into `ChannelFormSchema`, then checked against the database (the rights
 * channel and collections exist, the name is free), and written with its audit row in
 * one transaction. Secrets are encrypted under the channel's id, so a new channel is
 * created first and its cipher stored in the same transaction; they are never read back
 * to a browser (the editor learns only whether one is stored) and never audited.
 *
 * After the commit the channel's distributions are asked to re-plan (a Temporal batch):
 * a scope, rights channel or destination change may put assets on or take them off.
 * When the workflow service does not answer, the save still stands and the page says
 * the channel catches up later.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { normaliseFolderPath, normaliseTags } from '~/assets/upload.server'
import { appendAuditEvent } from '~/audit.server'
import {
  CHANNEL_KINDS,
  CHANNEL_LIMITS,
  SECRET_FIELDS,
  newChannelDraft,
  type ChannelDraft,
  type ChannelFieldErrors,
  type ChannelFormField,
  type ChannelFormInput,
  type ChannelKindName,
} from '~/components/channels/channel-form'
import type { Db, DbOrTx } from '~/db.server'
import { ChannelDestinationSchema, ChannelSecretsSchema, describeDestination, type ChannelDestination, type ChannelSecrets } from '~/domain/channel-destination'
import { ChannelPresetSchema, describeChannelPreset, parseChannelPreset, type ChannelPreset } from '~/domain/channel-preset'
import { AppError, isAppError } from '~/errors.server'
import { Prisma } from '~/generated/prisma/client'
import { loadRightsChannels } from '~/rights/declared-use.server'
import { decryptChannelSecrets, encryptChannelSecrets } from './channel-secrets.server'
import { startChannelBatch } from './distribution-actions.server'
import { WORKFLOW_SERVICE_TIMEOUT_MS, withWorkflowServiceDeadline } from './distribution-requests.server'
import { emptyStateCounts, stateGroupOf, type StateCounts } from './state-groups'

export type { ChannelDraft, ChannelFieldErrors, ChannelFormInput } from '~/components/channels/channel-form'

// ───────────────────────────── the form schema

/** Trimmed, whitespace collapsed, without NUL (PostgreSQL text cannot hold it). */
function cleanText(value: string): string {
  return value.replaceAll('\u0000', '').replace(/\s+/g, ' ').trim()
}

const ChannelNameSchema = z
  .string({ error: 'Name the channel.' })
  .transform(cleanText)
  .pipe(z.string().min(1, 'Name the channel.').max(CHANNEL_LIMITS.nameLength, `Keep the name to ${CHANNEL_LIMITS.nameLength} characters.`))

const KindSchema = z.enum(CHANNEL_KINDS)

const RightsChannelKeySchema = z
  .string({ error: 'Choose the rights channel this destination is.' })
  .trim()
  .regex(/^[a-z0-9_]{1,40}$/, 'Choose the rights channel this destination is.')

/**
 * The domain's webhook rule checks the scheme in a refinement that runs even after its
 * URL check failed, and parsing text that is no URL at all throws there. Such text is
 * answered here, with the field's own message, and never reaches it.
 */
const DestinationSchema = z.unknown().transform((input, context) => {
  if (isRecord(input) && input.kind === 'webhook' && !(typeof input.url === 'string' && URL.canParse(input.url.trim()))) {
    context.addIssue({ code: 'custom', path: ['url'], message: 'Enter the webhook URL, e.g. https://example.com/damson-hook' })
    return z.NEVER
  }
  const parsed = ChannelDestinationSchema.safeParse(input)
  if (!parsed.success) {
    const kind = KindSchema.catch('s3').parse(isRecord(input) ? input.kind : undefined)
    for (const issue of parsed.error.issues) {
      context.addIssue({ code: 'custom', path: issue.path, message: plainMessage(formFieldOf(['destination', ...issue.path], kind), issue) })
    }
    return z.NEVER
  }
  return parsed.data
})

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** "/campaigns/summer" per line; every line must start with "/" and stay inside the library. */
const ScopeFoldersSchema = z.string().transform((text, context) => {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replaceAll('\u0000', '').trim())
    .filter(Boolean)
  if (lines.length > CHANNEL_LIMITS.scopeFolders) {
    context.addIssue({ code: 'custom', message: `List at most ${CHANNEL_LIMITS.scopeFolders} folders.` })
    return z.NEVER
  }
  const folders: string[] = []
  for (const [index, line] of lines.entries()) {
    const problem = !line.startsWith('/')
      ? 'must start with “/”'
      : line.length > CHANNEL_LIMITS.folderLength
        ? `is longer than ${CHANNEL_LIMITS.folderLength} characters`
        : line.split(/[/\\]+/).some((segment) => segment === '..' || segment === '.')
          ? 'cannot contain . or .. segments'
          : null
    if (problem) {
      context.addIssue({ code: 'custom', message: `Line ${index + 1} (“${line.slice(0, 60)}”) ${problem}.` })
      continue
    }
    // The same normalisation as uploads, so "/campaigns//summer/" matches assets in "/campaigns/summer".
    const folder = normaliseFolderPath(line)
    if (!folders.includes(folder)) folders.push(folder)
  }
  return folders
})

const ScopeTagsSchema = z.string().transform((text, context) => {
  const tags = normaliseTags(text.split(','))
  if (text.split(',').filter((tag) => tag.trim()).length > 50) {
    context.addIssue({ code: 'custom', message: 'List at most 50 tags.' })
    return z.NEVER
  }
  return tags
})

const CollectionIdsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Choose collections from the list.'))
  .max(CHANNEL_LIMITS.scopeCollections, `Choose at most ${CHANNEL_LIMITS.scopeCollections} collections.`)
  .transform((ids) => [...new Set(ids)])

/**
 * A channel as the editor posts it, once its strings are put in the domain's shapes
 * (`schemaInputOf`). The one schema every save goes through.
 */
export const ChannelFormSchema = z.object({
  name: ChannelNameSchema,
  destination: DestinationSchema,
  secrets: ChannelSecretsSchema,
  preset: ChannelPresetSchema,
  rightsChannel: RightsChannelKeySchema,
  scopeFolders: ScopeFoldersSchema,
  scopeCollectionIds: CollectionIdsSchema,
  scopeTags: ScopeTagsSchema,
  autoPublish: z.boolean(),
  enabled: z.boolean(),
})

export type ChannelValues = z.output<typeof ChannelFormSchema>

/** "" → null (no limit); anything else a number (NaN when it is none, which the schema refuses). */
function optionalNumber(text: string): number | null {
  const trimmed = text.trim()
  return trimmed === '' ? null : Number(trimmed)
}

function secretOf(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

/** The form's strings in the shapes of the domain schemas. Only the chosen kind's fields and secret count. */
function schemaInputOf(input: ChannelFormInput) {
  const destination =
    input.kind === 's3'
      ? {
          kind: 's3',
          endpoint: input.s3Endpoint,
          region: input.s3Region.trim() || undefined,
          bucket: input.s3Bucket,
          prefix: input.s3Prefix,
          accessKeyId: input.s3AccessKeyId,
          forcePathStyle: input.s3ForcePathStyle,
        }
      : input.kind === 'webhook'
        ? { kind: 'webhook', url: input.webhookUrl }
        : { kind: 'folder', path: input.folderPath }
  const secrets =
    input.kind === 's3'
      ? { secretAccessKey: secretOf(input.s3SecretAccessKey) }
      : input.kind === 'webhook'
        ? { signingSecret: secretOf(input.webhookSigningSecret) }
        : {}
  const opacity = optionalNumber(input.watermarkOpacity)
  return {
    name: input.name,
    destination,
    secrets,
    preset: {
      format: input.format,
      maxWidth: optionalNumber(input.maxWidth),
      maxHeight: optionalNumber(input.maxHeight),
      fit: input.fit,
      quality: optionalNumber(input.quality) ?? Number.NaN,
      watermark: input.watermarkText.trim()
        ? { text: input.watermarkText, position: input.watermarkPosition, opacity: opacity === null ? undefined : opacity / 100 }
        : null,
      colourProfile: input.colourProfile,
      metadata: input.metadata,
    },
    rightsChannel: input.rightsChannel,
    scopeFolders: input.scopeFolders,
    scopeCollectionIds: input.scopeCollectionIds,
    scopeTags: input.scopeTags,
    autoPublish: input.autoPublish,
    enabled: input.enabled,
  }
}

const DESTINATION_FIELDS: Record<ChannelKindName, Record<string, ChannelFormField>> = {
  s3: { endpoint: 's3Endpoint', region: 's3Region', bucket: 's3Bucket', prefix: 's3Prefix', accessKeyId: 's3AccessKeyId', forcePathStyle: 's3ForcePathStyle' },
  webhook: { url: 'webhookUrl' },
  folder: { path: 'folderPath' },
}

const PRESET_FIELDS: Record<string, ChannelFormField> = {
  format: 'format',
  maxWidth: 'maxWidth',
  maxHeight: 'maxHeight',
  fit: 'fit',
  quality: 'quality',
  colourProfile: 'colourProfile',
  metadata: 'metadata',
}

/** The form field a schema issue belongs to, by its path. */
function formFieldOf(path: readonly PropertyKey[], kind: ChannelKindName): ChannelFormField {
  const [section, field, detail] = path.map(String)
  switch (section) {
    case 'destination':
      return field === 'kind' ? 'kind' : (DESTINATION_FIELDS[kind][field ?? ''] ?? 'kind')
    case 'secrets':
      return field === 'signingSecret' ? SECRET_FIELDS.webhook : SECRET_FIELDS.s3
    case 'preset':
      if (field === 'watermark') return detail === 'position' ? 'watermarkPosition' : detail === 'opacity' ? 'watermarkOpacity' : 'watermarkText'
      return PRESET_FIELDS[field ?? ''] ?? 'format'
    case 'name':
    case 'rightsChannel':
    case 'scopeFolders':
    case 'scopeCollectionIds':
    case 'scopeTags':
    case 'autoPublish':
    case 'enabled':
      return section
    default:
      return 'form'
  }
}

type IssueCode = z.core.$ZodIssue['code']

/**
 * Plainer words for the domain rules that carry zod's generic messages (bounds of
 * numbers, lengths, choices). Messages the domain wrote itself are kept.
 */
const PLAIN_MESSAGES: Partial<Record<ChannelFormField, Partial<Record<IssueCode, string>>>> = {
  maxWidth: { invalid_type: pixels('width'), too_small: pixels('width'), too_big: pixels('width') },
  maxHeight: { invalid_type: pixels('height'), too_small: pixels('height'), too_big: pixels('height') },
  quality: { invalid_type: 'Enter a quality from 1 to 100.', too_small: 'Enter a quality from 1 to 100.', too_big: 'Enter a quality from 1 to 100.' },
  watermarkOpacity: {
    invalid_type: 'Enter an opacity from 5 to 100 %.',
    too_small: 'Enter an opacity from 5 to 100 %.',
    too_big: 'Enter an opacity from 5 to 100 %.',
  },
  watermarkText: { too_big: 'Keep the watermark to 80 characters.' },
  s3Region: { too_small: 'Enter the region, e.g. us-east-1.', too_big: 'Keep the region to 40 characters.' },
  s3Prefix: { too_big: 'Keep the prefix to 200 characters.' },
  s3AccessKeyId: { too_big: 'Keep the access key id to 128 characters.' },
  folderPath: { too_big: 'Keep the folder to 200 characters.' },
  s3SecretAccessKey: { too_big: `Keep the secret to ${CHANNEL_LIMITS.secretLength} characters.` },
  webhookSigningSecret: { too_big: `Keep the secret to ${CHANNEL_LIMITS.secretLength} characters.` },
  format: { invalid_value: 'Choose a format from the list.' },
  fit: { invalid_value: 'Choose how images fit from the list.' },
  colourProfile: { invalid_value: 'Choose a colour profile from the list.' },
  metadata: { invalid_value: 'Choose whether to keep metadata.' },
  watermarkPosition: { invalid_value: 'Choose a position from the list.' },
}

function pixels(side: 'width' | 'height'): string {
  return `Enter a ${side} in whole pixels from 16 to 16384, or leave it empty for no limit.`
}

function plainMessage(field: ChannelFormField, issue: z.core.$ZodIssue): string {
  return PLAIN_MESSAGES[field]?.[issue.code] ?? issue.message
}

function fieldErrorsOf(error: z.ZodError, kind: ChannelKindName): ChannelFieldErrors {
  const fieldErrors: ChannelFieldErrors = {}
  for (const issue of error.issues) {
    const field = formFieldOf(issue.path, kind)
    fieldErrors[field] ??= plainMessage(field, issue)
  }
  return fieldErrors
}

// ───────────────────────────── reading a post

/** A posted text field, or "" for anything else (a file, nothing); bounded so a post cannot bloat the answer. */
function postedText(formData: FormData, name: string, max = 2_000): string {
  const value = formData.get(name)
  return typeof value === 'string' ? value.replaceAll('\u0000', '').slice(0, max) : ''
}

/** The editor's post as a draft plus the secrets typed in. Never fails: validation is the save's. */
export function readChannelForm(formData: FormData): ChannelFormInput {
  const text = (name: keyof ChannelDraft) => postedText(formData, name)
  return {
    name: text('name'),
    kind: KindSchema.catch('s3').parse(formData.get('kind')),
    s3Endpoint: text('s3Endpoint'),
    s3Region: text('s3Region'),
    s3Bucket: text('s3Bucket'),
    s3Prefix: text('s3Prefix'),
    s3AccessKeyId: text('s3AccessKeyId'),
    s3ForcePathStyle: formData.get('s3ForcePathStyle') !== null,
    webhookUrl: text('webhookUrl'),
    folderPath: text('folderPath'),
    rightsChannel: text('rightsChannel'),
    format: text('format'),
    maxWidth: text('maxWidth'),
    maxHeight: text('maxHeight'),
    fit: text('fit'),
    quality: text('quality'),
    watermarkText: text('watermarkText'),
    watermarkPosition: text('watermarkPosition'),
    watermarkOpacity: text('watermarkOpacity'),
    colourProfile: text('colourProfile'),
    metadata: text('metadata'),
    scopeFolders: postedText(formData, 'scopeFolders', 20_000),
    scopeCollectionIds: formData
      .getAll('scopeCollectionIds')
      .filter((value): value is string => typeof value === 'string')
      .slice(0, 1_000),
    scopeTags: text('scopeTags'),
    autoPublish: formData.get('autoPublish') !== null,
    enabled: formData.get('enabled') !== null,
    s3SecretAccessKey: postedText(formData, SECRET_FIELDS.s3, 1_000),
    webhookSigningSecret: postedText(formData, SECRET_FIELDS.webhook, 1_000),
  }
}

// ───────────────────────────── stored channels

type ChannelRow = {
  id: string
  name: string
  kind: ChannelKindName
  destination: Prisma.JsonValue
  secretsCipher: string | null
  preset: Prisma.JsonValue
  rightsChannel: string
  scopeFolders: string[]
  scopeCollectionIds: string[]
  scopeTags: string[]
  autoPublish: boolean
  enabled: boolean
}

/** The stored destination, read with the kind column (which is authoritative); null if it no longer parses. */
export function storedDestination(row: { kind: ChannelKindName; destination: Prisma.JsonValue }): ChannelDestination | null {
  const stored = isRecord(row.destination) ? row.destination : {}
  const parsed = ChannelDestinationSchema.safeParse({ ...stored, kind: row.kind })
  return parsed.success ? parsed.data : null
}

/** The stored preset; one that no longer parses reads as null (the list says so rather than failing). */
export function storedPreset(preset: Prisma.JsonValue): ChannelPreset | null {
  try {
    return parseChannelPreset(preset)
  } catch {
    return null
  }
}

/** Which secrets are stored, without showing them; a cipher the current key cannot open says why. */
function storedSecrets(row: { id: string; secretsCipher: string | null }): { secrets: ChannelSecrets; problem: string | null } {
  try {
    return { secrets: decryptChannelSecrets(row.id, row.secretsCipher), problem: null }
  } catch (error) {
    if (isAppError(error)) return { secrets: {}, problem: error.message }
    throw error
  }
}

function draftOf(row: ChannelRow): ChannelDraft {
  const draft = newChannelDraft(row.rightsChannel)
  const destination = storedDestination(row)
  const preset = storedPreset(row.preset)
  return {
    ...draft,
    name: row.name,
    kind: row.kind,
    ...(destination?.kind === 's3'
      ? {
          s3Endpoint: destination.endpoint,
          s3Region: destination.region,
          s3Bucket: destination.bucket,
          s3Prefix: destination.prefix,
          s3AccessKeyId: destination.accessKeyId,
          s3ForcePathStyle: destination.forcePathStyle,
        }
      : {}),
    ...(destination?.kind === 'webhook' ? { webhookUrl: destination.url } : {}),
    ...(destination?.kind === 'folder' ? { folderPath: destination.path } : {}),
    ...(preset
      ? {
          format: preset.format,
          maxWidth: preset.maxWidth === null ? '' : String(preset.maxWidth),
          maxHeight: preset.maxHeight === null ? '' : String(preset.maxHeight),
          fit: preset.fit,
          quality: String(preset.quality),
          watermarkText: preset.watermark?.text ?? '',
          watermarkPosition: preset.watermark?.position ?? draft.watermarkPosition,
          watermarkOpacity: preset.watermark ? String(Math.round(preset.watermark.opacity * 100)) : draft.watermarkOpacity,
          colourProfile: preset.colourProfile,
          metadata: preset.metadata,
        }
      : {}),
    scopeFolders: row.scopeFolders.join('\n'),
    scopeCollectionIds: row.scopeCollectionIds,
    scopeTags: row.scopeTags.join(', '),
    autoPublish: row.autoPublish,
    enabled: row.enabled,
  }
}

/**
 * Distributions per channel by state group. `live` counts what is at the destination
 * now (published or being taken down), not failed replacements of something live.
 */
export async function countDistributionsByChannel(db: DbOrTx, channelIds?: readonly string[]): Promise<Map<string, StateCounts>> {
  const rows = await db.distribution.groupBy({
    by: ['channelId', 'state'],
    _count: { _all: true },
    ...(channelIds ? { where: { channelId: { in: [...channelIds] } } } : {}),
  })
  const counts = new Map<string, StateCounts>()
  for (const row of rows) {
    const channel = counts.get(row.channelId) ?? emptyStateCounts()
    channel[stateGroupOf(row.state)] += row._count._all
    counts.set(row.channelId, channel)
  }
  return counts
}

/** Anything at the destination, or on its way there or out: what a destination move would strand. */
function atDestinationWhere(channelId: string): Prisma.DistributionWhereInput {
  return { channelId, OR: [{ externalRef: { not: null } }, { state: { in: ['publishing', 'removing'] } }] }
}

// ───────────────────────────── reading

export type ChannelListItem = {
  id: string
  name: string
  kind: ChannelKindName
  destination: string
  preset: string
  rightsChannel: { key: string; label: string }
  scope: { folders: string[]; collections: string[]; tags: string[] }
  autoPublish: boolean
  enabled: boolean
  counts: StateCounts
}

/** Every channel by name, with how many assets are live, pending, failed and taken down on each. */
export async function listChannels({ db }: { db: DbOrTx }): Promise<ChannelListItem[]> {
  const [channels, counts, rightsChannels] = await Promise.all([
    db.channel.findMany({ orderBy: { name: 'asc' } }),
    countDistributionsByChannel(db),
    loadRightsChannels(db),
  ])
  const collectionIds = [...new Set(channels.flatMap((channel) => channel.scopeCollectionIds))]
  const collections =
    collectionIds.length === 0 ? [] : await db.collection.findMany({ where: { id: { in: collectionIds } }, select: { id: true, name: true } })
  const collectionNames = new Map(collections.map((collection) => [collection.id, collection.name]))
  const labels = new Map(rightsChannels.map((channel) => [channel.key, channel.label]))
  return channels.map((channel) => {
    const destination = storedDestination(channel)
    const preset = storedPreset(channel.preset)
    return {
      id: channel.id,
      name: channel.name,
      kind: channel.kind,
      destination: destination ? describeDestination(destination) : 'Destination settings no longer valid: open the channel to fix them',
      preset: preset ? describeChannelPreset(preset) : 'Preset no longer valid: open the channel to fix it',
      rightsChannel: { key: channel.rightsChannel, label: labels.get(channel.rightsChannel) ?? channel.rightsChannel },
      scope: {
        folders: channel.scopeFolders,
        collections: channel.scopeCollectionIds.map((id) => collectionNames.get(id) ?? 'a deleted collection'),
        tags: channel.scopeTags,
      },
      autoPublish: channel.autoPublish,
      enabled: channel.enabled,
      counts: counts.get(channel.id) ?? emptyStateCounts(),
    }
  })
}

export type ChannelForEdit = {
  id: string
  name: string
  draft: ChannelDraft
  /** Whether a secret is stored for each kind that has one; the secrets themselves never leave the server. */
  hasSecret: { secretAccessKey: boolean; signingSecret: boolean }
  /** Why stored secrets cannot be read (the key changed), or null. */
  secretsProblem: string | null
  /** Assets at the destination now: while there are any, the destination cannot move. */
  atDestination: number
}

/** A channel as the editor shows it: its draft without secrets. NOT_FOUND when there is none. */
export async function loadChannelForEdit({ db, channelId }: { db: DbOrTx; channelId: string }): Promise<ChannelForEdit> {
  const [channel, atDestination] = await Promise.all([
    db.channel.findUnique({ where: { id: channelId } }),
    db.distribution.count({ where: atDestinationWhere(channelId) }),
  ])
  if (!channel) throw new AppError('NOT_FOUND', 'Channel not found')
  const { secrets, problem } = storedSecrets(channel)
  return {
    id: channel.id,
    name: channel.name,
    draft: draftOf(channel),
    hasSecret: { secretAccessKey: Boolean(secrets.secretAccessKey), signingSecret: Boolean(secrets.signingSecret) },
    secretsProblem: problem,
    atDestination,
  }
}

export type ChannelFormOptions = {
  rightsChannels: { key: string; label: string }[]
  collections: { id: string; name: string; organisationName: string }[]
}

/** What the editor offers: rights channels in their order, collections by name. */
export async function getChannelFormOptions({ db }: { db: DbOrTx }): Promise<ChannelFormOptions> {
  const [rightsChannels, collections] = await Promise.all([
    loadRightsChannels(db),
    db.collection.findMany({
      select: { id: true, name: true, organisation: { select: { name: true } } },
      orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
      take: 500,
    }),
  ])
  return {
    rightsChannels,
    collections: collections.map((collection) => ({ id: collection.id, name: collection.name, organisationName: collection.organisation.name })),
  }
}

// ───────────────────────────── writing

/** Starts the batch that re-plans a channel's distributions; the default asks Temporal. */
export type ReplanChannel = (channelId: string, actorId: string) => Promise<void>

/** Whether the channel's distributions were asked to re-plan: `deferred` when the workflow service did not answer. */
export type ReplanOutcome = 'started' | 'deferred' | 'not-needed'

export type ChannelSaveResult =
  | {
      ok: true
      channelId: string
      /** The fields that changed (secrets by name only); empty when the save changed nothing. */
      changed: string[]
      replan: ReplanOutcome
    }
  | { ok: false; fieldErrors: ChannelFieldErrors }

type AuditContext = { actorId: string; ipAddress?: string | null }

export type SaveChannelOptions = AuditContext & {
  db: Db
  input: ChannelFormInput
  /** Tests pass their own; the default starts `signalChannelDistributions`. */
  replan?: ReplanChannel
  /** How long to wait for the workflow service before calling the re-plan deferred. */
  replanTimeoutMs?: number
}

const REPLAN_TIMEOUT_MS = WORKFLOW_SERVICE_TIMEOUT_MS

const defaultReplan: ReplanChannel = (channelId, actorId) => startChannelBatch({ channelId, cause: { kind: 'channel_changed', actorId } })

/** A failed check inside the transaction: thrown to roll it back, answered as field errors. */
class FormRefusal extends Error {
  constructor(readonly fieldErrors: ChannelFieldErrors) {
    super('The channel form was refused')
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
}

const DUPLICATE_NAME = (name: string) => `Another channel is already called “${name}”.`

type DatabaseFieldErrors = Partial<Record<'name' | 'rightsChannel' | 'scopeCollectionIds', string>>

/** Checks what only the database knows. Run before the transaction (for every message at once) and in it (for the truth). */
async function databaseErrors(
  db: DbOrTx,
  { name, rightsChannel, scopeCollectionIds }: { name: string; rightsChannel: string; scopeCollectionIds: readonly string[] },
  channelId: string | null,
  { lockRightsChannel = false } = {},
): Promise<DatabaseFieldErrors> {
  const fieldErrors: DatabaseFieldErrors = {}
  const [sameName, rights, collections] = await Promise.all([
    name ? db.channel.findFirst({ where: { name, ...(channelId ? { id: { not: channelId } } : {}) }, select: { id: true } }) : null,
    // FOR SHARE inside the transaction: deleting a rights channel locks its row FOR UPDATE and
    // then counts the channels naming it, so it waits for this save and then sees it.
    lockRightsChannel
      ? db.$queryRaw<{ key: string }[]>`SELECT "key" FROM "RightsChannel" WHERE "key" = ${rightsChannel} FOR SHARE`.then((rows) => rows[0] ?? null)
      : db.rightsChannel.findUnique({ where: { key: rightsChannel }, select: { key: true } }),
    scopeCollectionIds.length > 0 ? db.collection.count({ where: { id: { in: [...scopeCollectionIds] } } }) : 0,
  ])
  if (sameName) fieldErrors.name = DUPLICATE_NAME(name)
  if (!rights) fieldErrors.rightsChannel = 'Choose a rights channel from the list; that one does not exist (any more).'
  if (collections !== scopeCollectionIds.length) fieldErrors.scopeCollectionIds = 'One of the chosen collections no longer exists. Choose again.'
  return fieldErrors
}

/** Which secret the kind needs, by its name in `ChannelSecrets`. */
function secretNameOf(kind: ChannelKindName): keyof ChannelSecrets | null {
  return kind === 's3' ? 'secretAccessKey' : kind === 'webhook' ? 'signingSecret' : null
}

function enteredSecretOf(input: ChannelFormInput): string | undefined {
  return input.kind === 's3' ? input.s3SecretAccessKey : input.kind === 'webhook' ? input.webhookSigningSecret : undefined
}

function missingSecretMessage(kind: ChannelKindName): string {
  return kind === 's3' ? 'Enter the secret access key.' : 'Enter a signing secret of at least 16 characters; the receiver checks signatures with it.'
}

function secretFieldOf(kind: ChannelKindName): ChannelFormField {
  return kind === 'webhook' ? SECRET_FIELDS.webhook : SECRET_FIELDS.s3
}

/** Encrypts under the channel's id; a missing DAMSON_SECRETS_KEY becomes the secret field's message. */
function encryptFor(channelId: string, kind: ChannelKindName, secrets: ChannelSecrets): string {
  try {
    return encryptChannelSecrets(channelId, secrets)
  } catch (error) {
    if (isAppError(error)) throw new FormRefusal({ [secretFieldOf(kind)]: error.message })
    throw error
  }
}

type Validation = { ok: true; values: ChannelValues } | { ok: false; fieldErrors: ChannelFieldErrors }

/** The schema's answer and the database's, merged so one answer lists every problem. */
async function validate(db: Db, input: ChannelFormInput, channelId: string | null): Promise<Validation> {
  const parsed = ChannelFormSchema.safeParse(schemaInputOf(input))
  const known = await databaseErrors(
    db,
    {
      name: parsed.success ? parsed.data.name : cleanText(input.name),
      rightsChannel: input.rightsChannel.trim(),
      scopeCollectionIds: parsed.success ? parsed.data.scopeCollectionIds : [],
    },
    channelId,
  )
  // The schema's message first where both have one (it is about what was typed).
  const fieldErrors: ChannelFieldErrors = { ...known, ...(parsed.success ? {} : fieldErrorsOf(parsed.error, input.kind)) }
  if (!parsed.success || Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors }
  return { ok: true, values: parsed.data }
}

function channelData(values: ChannelValues) {
  return {
    name: values.name,
    kind: values.destination.kind,
    destination: values.destination,
    preset: values.preset,
    rightsChannel: values.rightsChannel,
    scopeFolders: values.scopeFolders,
    scopeCollectionIds: values.scopeCollectionIds,
    scopeTags: values.scopeTags,
    autoPublish: values.autoPublish,
    enabled: values.enabled,
  }
}

/** What an audit row may say about a channel: everything but its secrets. */
function auditSummary(values: ChannelValues) {
  return {
    name: values.name,
    kind: values.destination.kind,
    destination: describeDestination(values.destination),
    preset: describeChannelPreset(values.preset),
    rightsChannel: values.rightsChannel,
    scope: { folders: values.scopeFolders, collectionIds: values.scopeCollectionIds, tags: values.scopeTags },
    autoPublish: values.autoPublish,
    enabled: values.enabled,
  }
}

/** Never throws: the channel is saved already, and the next event (or a later save) re-plans it. */
async function requestReplan(channelId: string, actorId: string, replan: ReplanChannel, timeoutMs: number): Promise<ReplanOutcome> {
  try {
    await withWorkflowServiceDeadline(replan(channelId, actorId), `Re-planning channel ${channelId}`, timeoutMs)
    return 'started'
  } catch (error) {
    console.error(`Channel ${channelId} was saved, but its distributions could not be asked to re-plan; they catch up at their next event.`, error)
    return 'deferred'
  }
}

/** A new channel. Its secrets are encrypted under its id, in the transaction that creates it. */
export async function createChannel({ db, input, actorId, ipAddress, replan = defaultReplan, replanTimeoutMs = REPLAN_TIMEOUT_MS }: SaveChannelOptions): Promise<ChannelSaveResult> {
  const validation = await validate(db, input, null)
  const kind = input.kind
  const secretName = secretNameOf(kind)
  const missingSecret: ChannelFieldErrors = secretName && !secretOf(enteredSecretOf(input)) ? { [secretFieldOf(kind)]: missingSecretMessage(kind) } : {}
  if (!validation.ok || Object.keys(missingSecret).length > 0) {
    return { ok: false, fieldErrors: { ...missingSecret, ...(validation.ok ? {} : validation.fieldErrors) } }
  }
  const values = validation.values
  const secret = secretName ? values.secrets[secretName] : undefined

  let channelId: string
  try {
    channelId = await db.$transaction(async (tx) => {
      const fieldErrors = await databaseErrors(tx, values, null, { lockRightsChannel: true })
      if (Object.keys(fieldErrors).length > 0) throw new FormRefusal(fieldErrors)
      const { id } = await tx.channel.create({ data: channelData(values), select: { id: true } })
      if (secretName && secret) {
        await tx.channel.update({ where: { id }, data: { secretsCipher: encryptFor(id, kind, { [secretName]: secret }) } })
      }
      await appendAuditEvent(tx, {
        actorId,
        ipAddress,
        action: 'channel.create',
        subjectType: 'channel',
        subjectId: id,
        detail: { ...auditSummary(values), secrets: secretName ? [secretName] : [] },
      })
      return id
    })
  } catch (error) {
    if (error instanceof FormRefusal) return { ok: false, fieldErrors: error.fieldErrors }
    if (isUniqueViolation(error)) return { ok: false, fieldErrors: { name: DUPLICATE_NAME(values.name) } }
    throw error
  }
  // A disabled channel publishes nothing, so there is nothing to plan yet.
  const replanned = values.enabled ? await requestReplan(channelId, actorId, replan, replanTimeoutMs) : 'not-needed'
  return { ok: true, channelId, changed: Object.keys(channelData(values)), replan: replanned }
}

/** Where files land: moving it while files are there would leave them where takedowns no longer reach. */
function locationOf(destination: ChannelDestination | null): string | null {
  if (!destination) return null
  switch (destination.kind) {
    case 's3':
      return JSON.stringify(['s3', destination.endpoint, destination.bucket, destination.prefix])
    case 'webhook':
      return JSON.stringify(['webhook', destination.url])
    case 'folder':
      return JSON.stringify(['folder', destination.path])
  }
}

function locationFieldOf(kind: ChannelKindName, previousKind: ChannelKindName): ChannelFormField {
  if (kind !== previousKind) return 'kind'
  return kind === 's3' ? 's3Bucket' : kind === 'webhook' ? 'webhookUrl' : 'folderPath'
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n')
}

/**
 * Saves an existing channel. A blank secret keeps the stored one (when the kind has not
 * changed and the stored one can still be read); a new one replaces it. The destination
 * cannot move while anything is at it: takedowns go to the current destination, so files
 * at the old one would stay there when their rights end. Disabling the channel first
 * takes them down.
 */
export async function updateChannel({
  db,
  channelId,
  input,
  actorId,
  ipAddress,
  replan = defaultReplan,
  replanTimeoutMs = REPLAN_TIMEOUT_MS,
}: SaveChannelOptions & { channelId: string }): Promise<ChannelSaveResult> {
  const validation = await validate(db, input, channelId)
  if (!validation.ok) return validation
  const values = validation.values
  const kind = values.destination.kind
  const secretName = secretNameOf(kind)

  let changed: string[]
  try {
    changed = await db.$transaction(async (tx) => {
      // Serialises saves of one channel, so the comparison below is with what is stored.
      await tx.$queryRaw`SELECT "id" FROM "Channel" WHERE "id" = ${channelId} FOR UPDATE`
      const current = await tx.channel.findUnique({ where: { id: channelId } })
      if (!current) throw new AppError('NOT_FOUND', 'Channel not found')
      const fieldErrors: ChannelFieldErrors = { ...(await databaseErrors(tx, values, channelId, { lockRightsChannel: true })) }

      const before = storedDestination(current)
      if (locationOf(before) !== locationOf(values.destination)) {
        const atDestination = await tx.distribution.count({ where: atDestinationWhere(channelId) })
        if (atDestination > 0) {
          fieldErrors[locationFieldOf(kind, current.kind)] =
            `${atDestination === 1 ? '1 asset is' : `${atDestination} assets are`} at the current destination. Disable the channel and save, ` +
            'so they are taken down, before you move it; or create a new channel for the new destination.'
        }
      }

      // Secrets: a new one replaces; a blank keeps the stored one of the same kind if it can still be read.
      let secretsCipher: string | null = null
      let secretReplaced = false
      if (secretName) {
        const entered = values.secrets[secretName]
        if (entered) {
          secretsCipher = encryptFor(channelId, kind, { [secretName]: entered })
          secretReplaced = true
        } else {
          const stored = current.kind === kind ? storedSecrets(current) : { secrets: {}, problem: null }
          const kept = stored.secrets[secretName]
          if (!kept) {
            fieldErrors[secretFieldOf(kind)] ??= stored.problem ?? missingSecretMessage(kind)
          } else {
            // Only the secret this kind uses is kept: one left over from another kind is dropped.
            secretsCipher = Object.keys(stored.secrets).length === 1 ? current.secretsCipher : encryptFor(channelId, kind, { [secretName]: kept })
          }
        }
      }
      if (Object.keys(fieldErrors).length > 0) throw new FormRefusal(fieldErrors)

      const next = channelData(values)
      const previousPreset = storedPreset(current.preset)
      const changes = [
        current.name !== next.name ? 'name' : null,
        current.kind !== next.kind ? 'kind' : null,
        !sameJson(before, next.destination) ? 'destination' : null,
        secretReplaced ? (secretName ?? null) : null,
        current.secretsCipher !== null && secretsCipher === null ? 'secrets removed' : null,
        !sameJson(previousPreset, next.preset) ? 'preset' : null,
        current.rightsChannel !== next.rightsChannel ? 'rightsChannel' : null,
        !sameSet(current.scopeFolders, next.scopeFolders) ? 'scopeFolders' : null,
        !sameSet(current.scopeCollectionIds, next.scopeCollectionIds) ? 'scopeCollectionIds' : null,
        !sameSet(current.scopeTags, next.scopeTags) ? 'scopeTags' : null,
        current.autoPublish !== next.autoPublish ? 'autoPublish' : null,
        current.enabled !== next.enabled ? 'enabled' : null,
      ].filter((change): change is string => change !== null)
      if (changes.length === 0 && secretsCipher === current.secretsCipher) return []

      await tx.channel.update({ where: { id: channelId }, data: { ...next, secretsCipher } })
      const summary = auditSummary(values)
      await appendAuditEvent(tx, {
        actorId,
        ipAddress,
        action: 'channel.update',
        subjectType: 'channel',
        subjectId: channelId,
        // The fields that changed, and the new values of those that may be shown; secrets by name only.
        detail: {
          name: summary.name,
          changed: changes,
          ...(changes.includes('name') ? { previousName: current.name } : {}),
          ...(changes.includes('kind') || changes.includes('destination') ? { destination: summary.destination } : {}),
          ...(changes.includes('preset') ? { preset: summary.preset } : {}),
          ...(changes.includes('rightsChannel') ? { rightsChannel: summary.rightsChannel } : {}),
          ...(changes.some((change) => change.startsWith('scope')) ? { scope: summary.scope } : {}),
          ...(changes.includes('autoPublish') ? { autoPublish: summary.autoPublish } : {}),
          ...(changes.includes('enabled') ? { enabled: summary.enabled } : {}),
        },
      })
      return changes
    })
  } catch (error) {
    if (error instanceof FormRefusal) return { ok: false, fieldErrors: error.fieldErrors }
    if (isUniqueViolation(error)) return { ok: false, fieldErrors: { name: DUPLICATE_NAME(values.name) } }
    throw error
  }
  // A new name changes nothing at the destination; anything else may put assets on or take them off.
  const needsReplan = changed.some((change) => change !== 'name')
  const replanned = needsReplan ? await requestReplan(channelId, actorId, replan, replanTimeoutMs) : 'not-needed'
  return { ok: true, channelId, changed, replan: replanned }
}

// ───────────────────────────── the editor's one action

export type ChannelFormOutcome =
  | { kind: 'saved'; channelId: string; changed: string[]; replan: ReplanOutcome }
  | {
      kind: 'invalid'
      /** What was posted, to show again; never the secrets. */
      draft: ChannelDraft
      fieldErrors: ChannelFieldErrors
      /** Changes with every answer, so the form remounts with the draft's values. */
      revision: string
    }

/** Reads the editor's post and creates or updates; a refusal comes back with the draft to show again. */
export async function submitChannelForm({
  db,
  channelId,
  formData,
  ...context
}: Omit<SaveChannelOptions, 'input'> & { channelId: string | null; formData: FormData }): Promise<ChannelFormOutcome> {
  const input = readChannelForm(formData)
  const result = channelId ? await updateChannel({ db, channelId, input, ...context }) : await createChannel({ db, input, ...context })
  if (result.ok) return { kind: 'saved', channelId: result.channelId, changed: result.changed, replan: result.replan }
  // Everything typed goes back to the form except the secrets, which never leave the server.
  const { s3SecretAccessKey: _s3Secret, webhookSigningSecret: _webhookSecret, ...draft } = input
  return { kind: 'invalid', draft, fieldErrors: result.fieldErrors, revision: randomUUID() }
}
