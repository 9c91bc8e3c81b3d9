/**
 * The channel editor's fields, grouped as the admin thinks about a channel: what it is
 * called and whether it is on, where files go, which rights channel it is, what each
 * file is made into, and which assets it takes by itself.
 *
 * Works without JavaScript: every kind's destination fields are in the page and only
 * the chosen kind's are read. Once the page is interactive the others are hidden.
 * Secret inputs are always empty; a stored secret is kept when left blank.
 */
import { useEffect, useState, type ReactNode } from 'react'
import {
  CHANNEL_KIND_LABELS,
  CHANNEL_KINDS,
  CHANNEL_LIMITS,
  SECRET_FIELDS,
  type ChannelDraft,
  type ChannelFieldErrors,
  type ChannelFormField,
  type ChannelKindName,
} from '~/components/channels/channel-form'
import { Card, CardBody, CardHeader, CardTitle, Field, FieldError, Label, SelectField, cn } from '~/components/ui'
import { CHANNEL_FITS, CHANNEL_OUTPUT_FORMATS, COLOUR_PROFILES, WATERMARK_POSITIONS } from '~/domain/channel-preset'

export const FIELD_LABELS: Record<ChannelFormField, string> = {
  name: 'Name',
  kind: 'Kind',
  s3Endpoint: 'S3 endpoint',
  s3Region: 'Region',
  s3Bucket: 'Bucket',
  s3Prefix: 'Prefix',
  s3AccessKeyId: 'Access key id',
  s3ForcePathStyle: 'Path-style addressing',
  s3SecretAccessKey: 'Secret access key',
  webhookUrl: 'Webhook URL',
  webhookSigningSecret: 'Signing secret',
  folderPath: 'Folder',
  rightsChannel: 'Rights channel',
  format: 'Format',
  maxWidth: 'Largest width',
  maxHeight: 'Largest height',
  fit: 'Fit',
  quality: 'Quality',
  watermarkText: 'Watermark',
  watermarkPosition: 'Watermark position',
  watermarkOpacity: 'Watermark opacity',
  colourProfile: 'Colour profile',
  metadata: 'Metadata',
  scopeFolders: 'Folders',
  scopeCollectionIds: 'Collections',
  scopeTags: 'Tags',
  autoPublish: 'Publish by itself',
  enabled: 'Enabled',
  form: 'Channel',
}

/** The element a field's error links to (radio groups and checkbox lists by their first control). */
export function fieldElementId(field: ChannelFormField, kind: ChannelKindName): string {
  if (field === 'kind') return `kind-${kind}`
  if (field === 'scopeCollectionIds') return 'scopeCollectionIds-list'
  if (field === 'form') return 'name'
  return field
}

const FORMAT_LABELS: Record<(typeof CHANNEL_OUTPUT_FORMATS)[number], string> = {
  original: 'Original file (rights written in)',
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  avif: 'AVIF',
}
const FIT_LABELS: Record<(typeof CHANNEL_FITS)[number], string> = {
  inside: 'Inside (whole image)',
  cover: 'Cover (crop)',
  contain: 'Contain (pad)',
}
const PROFILE_LABELS: Record<(typeof COLOUR_PROFILES)[number], string> = {
  srgb: 'sRGB',
  p3: 'Display P3',
  cmyk: 'CMYK (JPEG only)',
  keep: 'Keep the original’s',
}
const POSITION_LABELS: Record<(typeof WATERMARK_POSITIONS)[number], string> = {
  'bottom-right': 'Bottom right',
  'bottom-left': 'Bottom left',
  'top-right': 'Top right',
  'top-left': 'Top left',
  centre: 'Centre',
}
const KIND_HINTS: Record<ChannelKindName, string> = {
  s3: 'Any S3-compatible bucket, with its own keys. Files are written under the prefix and deleted on takedown.',
  webhook: 'A signed JSON manifest POSTed to your receiver, with a short-lived link to the file. Takedowns are POSTed too.',
  folder: 'A folder under this server’s channel folder, for a web server or a sync tool to pick up.',
}

const controlClasses = 'block w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-sm focus:outline-none focus:ring-2'

function controlState(invalid: boolean): string {
  return invalid ? 'border-red-400 focus:border-red-500 focus:ring-red-200' : 'border-zinc-300 focus:border-damson-500 focus:ring-damson-100'
}

function describedBy(id: string, hint: boolean, error: boolean): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
}

function CheckboxField({ name, label, checked, hint, error }: { name: ChannelFormField; label: string; checked: boolean; hint: ReactNode; error?: string }) {
  return (
    <div className="flex items-start gap-3 rounded-md border border-zinc-200 px-4 py-3">
      <input
        id={name}
        name={name}
        type="checkbox"
        defaultChecked={checked}
        aria-describedby={describedBy(name, true, Boolean(error))}
        className="mt-0.5 size-4 rounded border-zinc-300 accent-damson-600"
      />
      <div>
        <label htmlFor={name} className="text-sm font-medium text-zinc-800">
          {label}
        </label>
        <p id={`${name}-hint`} className="text-sm text-zinc-500">
          {hint}
        </p>
        <FieldError id={`${name}-error`}>{error}</FieldError>
      </div>
    </div>
  )
}

function SecretField({ name, label, stored, error, hint }: { name: ChannelFormField; label: string; stored: boolean; error?: string; hint: string }) {
  return (
    <Field
      id={name}
      name={name}
      type="password"
      label={label}
      // Never filled in: the stored secret stays on the server. new-password keeps browsers from offering the user's own.
      defaultValue=""
      autoComplete="new-password"
      maxLength={CHANNEL_LIMITS.secretLength}
      placeholder={stored ? '•••••••• stored' : undefined}
      hint={stored ? `A secret is stored. Leave this blank to keep it, or type a new one to replace it. ${hint}` : hint}
      errors={error}
    />
  )
}

export type ChannelFormOptionsView = {
  rightsChannels: { key: string; label: string }[]
  collections: { id: string; name: string; organisationName: string }[]
}

export function ChannelFormFields({
  draft,
  errors,
  options,
  hasSecret,
}: {
  draft: ChannelDraft
  errors: ChannelFieldErrors
  options: ChannelFormOptionsView
  hasSecret: { secretAccessKey: boolean; signingSecret: boolean }
}) {
  const [kind, setKind] = useState<ChannelKindName>(draft.kind)
  // Before hydration every kind's fields show, so the form works without JavaScript.
  const [interactive, setInteractive] = useState(false)
  useEffect(() => setInteractive(true), [])
  const hiddenUnless = (candidate: ChannelKindName) => interactive && kind !== candidate

  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>Channel</CardTitle>
        </CardHeader>
        <CardBody className="space-y-5">
          <Field
            id="name"
            name="name"
            label="Name"
            defaultValue={draft.name}
            maxLength={CHANNEL_LIMITS.nameLength}
            placeholder="Website CDN"
            hint="How librarians and the dashboard name the destination."
            errors={errors.name}
            required
          />
          <CheckboxField
            name="enabled"
            label="Enabled"
            checked={draft.enabled}
            hint="A disabled channel publishes nothing, and what is live there is taken down."
            error={errors.enabled}
          />
        </CardBody>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Destination</CardTitle>
          <p className="mt-1 text-sm text-zinc-500">Where files are delivered and taken down from. Secrets are stored encrypted and never shown again.</p>
        </CardHeader>
        <CardBody className="space-y-5">
          <fieldset aria-describedby={errors.kind ? 'kind-error' : undefined}>
            <legend className="mb-2 text-sm font-medium text-zinc-800">Kind</legend>
            <div className="grid gap-3 sm:grid-cols-3">
              {CHANNEL_KINDS.map((candidate) => (
                <label
                  key={candidate}
                  htmlFor={`kind-${candidate}`}
                  className={cn(
                    'flex cursor-pointer gap-3 rounded-lg border px-4 py-3 text-sm has-[:checked]:border-damson-500 has-[:checked]:bg-damson-50/60 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-damson-100',
                    errors.kind ? 'border-red-300' : 'border-zinc-200',
                  )}
                >
                  <input
                    id={`kind-${candidate}`}
                    type="radio"
                    name="kind"
                    value={candidate}
                    defaultChecked={draft.kind === candidate}
                    onChange={() => setKind(candidate)}
                    className="mt-0.5 size-4 accent-damson-600"
                  />
                  <span>
                    <span className="block font-medium text-zinc-900">{CHANNEL_KIND_LABELS[candidate]}</span>
                    <span className="mt-0.5 block text-zinc-500">{KIND_HINTS[candidate]}</span>
                  </span>
                </label>
              ))}
            </div>
            <FieldError id="kind-error">{errors.kind}</FieldError>
          </fieldset>

          <fieldset hidden={hiddenUnless('s3')} className="space-y-4 rounded-lg border border-zinc-200 p-4">
            <legend className="px-1 text-sm font-semibold text-zinc-900">{interactive ? 'S3 bucket' : 'If S3 bucket'}</legend>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field
                id="s3Endpoint"
                name="s3Endpoint"
                label="Endpoint"
                type="url"
                defaultValue={draft.s3Endpoint}
                placeholder="https://s3.eu-central-1.amazonaws.com"
                errors={errors.s3Endpoint}
                className="sm:col-span-2"
              />
              <Field id="s3Bucket" name="s3Bucket" label="Bucket" defaultValue={draft.s3Bucket} placeholder="brand-website-assets" errors={errors.s3Bucket} />
              <Field id="s3Region" name="s3Region" label="Region" defaultValue={draft.s3Region} placeholder="us-east-1" errors={errors.s3Region} />
              <Field
                id="s3Prefix"
                name="s3Prefix"
                label="Prefix"
                defaultValue={draft.s3Prefix}
                placeholder="damson/web/"
                hint="Files go under this path in the bucket. Empty: the bucket’s root."
                errors={errors.s3Prefix}
                className="sm:col-span-2"
              />
              <Field id="s3AccessKeyId" name="s3AccessKeyId" label="Access key id" defaultValue={draft.s3AccessKeyId} autoComplete="off" errors={errors.s3AccessKeyId} />
              <SecretField
                name={SECRET_FIELDS.s3}
                label="Secret access key"
                stored={hasSecret.secretAccessKey}
                error={errors.s3SecretAccessKey}
                hint="The key may write and delete under the prefix only."
              />
            </div>
            <CheckboxField
              name="s3ForcePathStyle"
              label="Path-style addressing"
              checked={draft.s3ForcePathStyle}
              hint="For MinIO, SeaweedFS and most S3-compatible servers. Leave off for AWS with bucket-named hosts."
              error={errors.s3ForcePathStyle}
            />
          </fieldset>

          <fieldset hidden={hiddenUnless('webhook')} className="space-y-4 rounded-lg border border-zinc-200 p-4">
            <legend className="px-1 text-sm font-semibold text-zinc-900">{interactive ? 'Webhook' : 'If webhook'}</legend>
            <Field
              id="webhookUrl"
              name="webhookUrl"
              label="URL"
              type="url"
              defaultValue={draft.webhookUrl}
              placeholder="https://partner.example.com/hooks/damson"
              hint="HTTPS, or plain HTTP to this machine only."
              errors={errors.webhookUrl}
            />
            <SecretField
              name={SECRET_FIELDS.webhook}
              label="Signing secret"
              stored={hasSecret.signingSecret}
              error={errors.webhookSigningSecret}
              hint="At least 16 characters. The receiver checks each request’s signature with it."
            />
          </fieldset>

          <fieldset hidden={hiddenUnless('folder')} className="space-y-4 rounded-lg border border-zinc-200 p-4">
            <legend className="px-1 text-sm font-semibold text-zinc-900">{interactive ? 'Folder' : 'If folder'}</legend>
            <Field
              id="folderPath"
              name="folderPath"
              label="Folder"
              defaultValue={draft.folderPath}
              placeholder="website/press"
              hint="Relative to the server’s channel folder (CHANNEL_FOLDER_ROOT); created if missing."
              errors={errors.folderPath}
            />
          </fieldset>
        </CardBody>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Rights</CardTitle>
        </CardHeader>
        <CardBody>
          <SelectField
            name="rightsChannel"
            label="Rights channel"
            value={draft.rightsChannel}
            options={options.rightsChannels.map((channel) => ({ value: channel.key, label: channel.label }))}
            error={errors.rightsChannel}
            hint="An asset is live here only while its rights allow this channel; when they end it is taken down."
          />
        </CardBody>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>What each file is made into</CardTitle>
          <p className="mt-1 text-sm text-zinc-500">Usage rights are written into every delivered file, whatever you choose for other metadata.</p>
        </CardHeader>
        <CardBody className="space-y-5">
          <div className="grid gap-4 sm:grid-cols-3">
            <SelectField
              name="format"
              label="Format"
              value={draft.format}
              options={CHANNEL_OUTPUT_FORMATS.map((format) => ({ value: format, label: FORMAT_LABELS[format] }))}
              error={errors.format}
            />
            <Field
              id="maxWidth"
              name="maxWidth"
              label="Largest width (px)"
              inputMode="numeric"
              defaultValue={draft.maxWidth}
              placeholder="No limit"
              errors={errors.maxWidth}
            />
            <Field
              id="maxHeight"
              name="maxHeight"
              label="Largest height (px)"
              inputMode="numeric"
              defaultValue={draft.maxHeight}
              placeholder="No limit"
              errors={errors.maxHeight}
            />
            <SelectField name="fit" label="Fit" value={draft.fit} options={CHANNEL_FITS.map((fit) => ({ value: fit, label: FIT_LABELS[fit] }))} error={errors.fit} />
            <Field id="quality" name="quality" label="Quality (1–100)" inputMode="numeric" defaultValue={draft.quality} errors={errors.quality} />
            <SelectField
              name="colourProfile"
              label="Colour profile"
              value={draft.colourProfile}
              options={COLOUR_PROFILES.map((profile) => ({ value: profile, label: PROFILE_LABELS[profile] }))}
              error={errors.colourProfile}
            />
            <SelectField
              name="metadata"
              label="Other metadata"
              value={draft.metadata}
              options={[
                { value: 'strip', label: 'Strip (rights kept)' },
                { value: 'keep', label: 'Keep' },
              ]}
              error={errors.metadata}
            />
          </div>
          <p className="text-sm text-zinc-500">Images are never enlarged. Cover and contain need both a width and a height.</p>
          <div className="grid gap-4 border-t border-zinc-100 pt-5 sm:grid-cols-3">
            <Field
              id="watermarkText"
              name="watermarkText"
              label="Watermark text"
              defaultValue={draft.watermarkText}
              maxLength={80}
              placeholder="None"
              hint="Leave empty for no watermark."
              errors={errors.watermarkText}
            />
            <SelectField
              name="watermarkPosition"
              label="Position"
              value={draft.watermarkPosition}
              options={WATERMARK_POSITIONS.map((position) => ({ value: position, label: POSITION_LABELS[position] }))}
              error={errors.watermarkPosition}
            />
            <Field
              id="watermarkOpacity"
              name="watermarkOpacity"
              label="Opacity (%)"
              inputMode="numeric"
              defaultValue={draft.watermarkOpacity}
              errors={errors.watermarkOpacity}
            />
          </div>
        </CardBody>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>What it publishes</CardTitle>
          <p className="mt-1 text-sm text-zinc-500">
            Approved assets in any of these folders, collections or with any of these tags go out by themselves. Librarians can publish any
            other asset by hand from its page.
          </p>
        </CardHeader>
        <CardBody className="space-y-5">
          <CheckboxField
            name="autoPublish"
            label="Publish by itself"
            checked={draft.autoPublish}
            hint="On: newly approved versions of assets in scope go out without anyone pressing a button. Off: everything waits for a librarian."
            error={errors.autoPublish}
          />
          <div className="grid gap-5 sm:grid-cols-2">
            <div className="space-y-1.5">
              <Label htmlFor="scopeFolders">Folders</Label>
              <textarea
                id="scopeFolders"
                name="scopeFolders"
                rows={4}
                defaultValue={draft.scopeFolders}
                placeholder={'/campaigns/summer\n/press'}
                aria-invalid={errors.scopeFolders ? true : undefined}
                aria-describedby={describedBy('scopeFolders', true, Boolean(errors.scopeFolders))}
                className={cn(controlClasses, 'py-2 font-mono', controlState(Boolean(errors.scopeFolders)))}
              />
              <p id="scopeFolders-hint" className="text-sm text-zinc-500">
                One per line, each starting with “/”; folders inside them count too.
              </p>
              <FieldError id="scopeFolders-error">{errors.scopeFolders}</FieldError>
            </div>
            <div className="space-y-5">
              <Field
                id="scopeTags"
                name="scopeTags"
                label="Tags"
                defaultValue={draft.scopeTags}
                placeholder="press, hero"
                hint="Comma separated."
                errors={errors.scopeTags}
              />
              <fieldset aria-describedby={errors.scopeCollectionIds ? 'scopeCollectionIds-error' : undefined}>
                <legend className="mb-1.5 text-sm font-medium text-zinc-800">Collections</legend>
                {options.collections.length === 0 ? (
                  <p className="text-sm text-zinc-500">There are no collections yet.</p>
                ) : (
                  <ul
                    id="scopeCollectionIds-list"
                    tabIndex={-1}
                    className={cn('max-h-44 space-y-1 overflow-y-auto rounded-md border px-3 py-2', errors.scopeCollectionIds ? 'border-red-400' : 'border-zinc-300')}
                  >
                    {options.collections.map((collection) => (
                      <li key={collection.id}>
                        <label className="flex items-center gap-2 text-sm text-zinc-800">
                          <input
                            type="checkbox"
                            name="scopeCollectionIds"
                            value={collection.id}
                            defaultChecked={draft.scopeCollectionIds.includes(collection.id)}
                            className="size-4 rounded border-zinc-300 accent-damson-600"
                          />
                          {collection.name} <span className="text-zinc-500">({collection.organisationName})</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                )}
                <FieldError id="scopeCollectionIds-error">{errors.scopeCollectionIds}</FieldError>
              </fieldset>
            </div>
          </div>
        </CardBody>
      </Card>
    </>
  )
}
