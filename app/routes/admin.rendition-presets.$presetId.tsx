/**
 * Create (`/admin/rendition-presets/new`), edit or delete an admin rendition preset: its
 * URL name, label, and what the file is made into (the channel preset's fields). A
 * refused save comes back with every field as typed and the problems beside them.
 * Saving changes the preset's files from the next request on (their keys cover the
 * preset); deleting makes its links answer 404.
 *
 * GET and POST (`intent` save | delete): admin:manage (admin).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { deletePreset, loadPresetForEdit, newPresetDraft, PRESET_FORM_OPTIONS, savePreset, type PresetField, type PresetFieldErrors } from '~/assets/preset-renditions.server'
import { requirePermission } from '~/auth.server'
import { Button, buttonClasses, Card, CardBody, CardHeader, CardTitle, cn, EmptyState, Field, FieldError, Label, PageHeader, SelectField } from '~/components/ui'
import { getDb } from '~/db.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `${loaded?.preset ? `${loaded.preset.name} · ` : 'New preset · '}Rendition presets · Damson` }]

const IntentSchema = z.enum(['save', 'delete']).catch('save')

function presetIdFrom(param: string | undefined): string | null {
  return !param || param === 'new' ? null : param
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const presetId = presetIdFrom(params.presetId)
    const preset = presetId ? await loadPresetForEdit({ db: getDb(), presetId }) : null
    return data(
      { preset: preset ? { id: preset.id, name: preset.name, valid: preset.valid } : null, draft: preset?.draft ?? newPresetDraft(), options: PRESET_FORM_OPTIONS },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'admin:manage')
    const presetId = presetIdFrom(params.presetId)
    const formData = await request.formData()
    if (IntentSchema.parse(formData.get('intent')) === 'delete') {
      if (!presetId) return redirect('/admin/rendition-presets', 303)
      await deletePreset({ db: getDb(), presetId, actorId: user.id, ipAddress: getClientIp(request) })
      return redirect(`/admin/rendition-presets?deleted=${encodeURIComponent(presetId)}`, 303)
    }
    const outcome = await savePreset({ db: getDb(), presetId, formData, actorId: user.id, ipAddress: getClientIp(request) })
    if (outcome.kind === 'invalid') return data(outcome, { status: 400 })
    const notice = new URLSearchParams({ saved: outcome.presetId })
    if (outcome.created) notice.set('created', '1')
    return redirect(`/admin/rendition-presets?${notice.toString()}`, 303)
  })
}

const LABELS: Record<PresetField, string> = {
  name: 'Name in links',
  label: 'Label',
  format: 'Format',
  maxWidth: 'Width',
  maxHeight: 'Height',
  fit: 'Fit',
  quality: 'Quality',
  watermarkText: 'Watermark text',
  watermarkPosition: 'Watermark position',
  watermarkOpacity: 'Watermark opacity',
  colourProfile: 'Colour profile',
  metadata: 'Other metadata',
  form: 'Preset',
}

const FORMAT_LABELS: Record<string, string> = { original: 'Original file (rights written in)', jpeg: 'JPEG', png: 'PNG', webp: 'WebP', avif: 'AVIF' }
const FIT_LABELS: Record<string, string> = { inside: 'Inside (whole image)', cover: 'Cover (crop around the focal point)', contain: 'Contain (pad)' }
const PROFILE_LABELS: Record<string, string> = { srgb: 'sRGB', p3: 'Display P3', cmyk: 'CMYK (JPEG only)', keep: 'Keep the original’s' }
const POSITION_LABELS: Record<string, string> = { 'bottom-right': 'Bottom right', 'bottom-left': 'Bottom left', 'top-right': 'Top right', 'top-left': 'Top left', centre: 'Centre' }

export default function RenditionPresetEditor() {
  const { preset, draft: loadedDraft, options } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const draft = answer?.draft ?? loadedDraft
  const errors: PresetFieldErrors = answer?.errors ?? {}
  const problems = (Object.keys(LABELS) as PresetField[]).flatMap((field) => (errors[field] ? [{ field, message: errors[field] }] : []))

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader
        eyebrow={
          <nav aria-label="Breadcrumb">
            <Link to="/admin/rendition-presets" className="hover:text-zinc-800">
              Rendition presets
            </Link>
          </nav>
        }
        title={preset ? preset.name : 'New preset'}
        description="What an image is made into when someone asks for it in this preset. Images are never enlarged; usage rights are written into every file."
      />

      {preset && !preset.valid ? (
        <p role="alert" className="mb-5 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          The stored settings of this preset are no longer valid, so it is not offered anywhere. Save it again to fix it.
        </p>
      ) : null}

      {problems.length > 0 ? (
        <div id="preset-errors" role="alert" className="mb-5 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-medium">The preset was not saved. Fix the fields marked below:</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem.field}>
                <a href={`#${problem.field === 'form' ? 'name' : problem.field}`} className="underline decoration-red-300 underline-offset-2 hover:decoration-red-700">
                  {LABELS[problem.field]}
                </a>
                : {problem.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <Form method="post" key={answer?.revision ?? 'loaded'} className="space-y-6" noValidate>
        <Card>
          <CardHeader>
            <CardTitle>Name</CardTitle>
          </CardHeader>
          <CardBody className="grid gap-4 sm:grid-cols-2">
            <Field
              id="name"
              name="name"
              label="Name in links"
              defaultValue={draft.name}
              maxLength={48}
              autoComplete="off"
              spellCheck={false}
              hint="Lowercase letters, digits and hyphens, e.g. social-square. Changing it changes every link to the preset."
              errors={errors.name}
            />
            <Field id="label" name="label" label="Label" defaultValue={draft.label} maxLength={80} hint="What people see, e.g. “Social media square”." errors={errors.label} />
          </CardBody>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>What the file is made into</CardTitle>
          </CardHeader>
          <CardBody className="space-y-5">
            <div className="grid gap-4 sm:grid-cols-3">
              <SelectField name="format" label="Format" value={draft.format} options={options.formats.map((value) => ({ value, label: FORMAT_LABELS[value] ?? value }))} error={errors.format} />
              <Field id="maxWidth" name="maxWidth" label="Width (px)" inputMode="numeric" defaultValue={draft.maxWidth} placeholder="No limit" errors={errors.maxWidth} />
              <Field id="maxHeight" name="maxHeight" label="Height (px)" inputMode="numeric" defaultValue={draft.maxHeight} placeholder="No limit" errors={errors.maxHeight} />
              <SelectField
                name="fit"
                label="Fit"
                value={draft.fit}
                options={options.fits.map((value) => ({ value, label: FIT_LABELS[value] ?? value }))}
                error={errors.fit}
                hint="Cover and contain need a width and a height."
              />
              <Field id="quality" name="quality" label="Quality (1–100)" inputMode="numeric" defaultValue={draft.quality} errors={errors.quality} />
              <SelectField
                name="colourProfile"
                label="Colour profile"
                value={draft.colourProfile}
                options={options.colourProfiles.map((value) => ({ value, label: PROFILE_LABELS[value] ?? value }))}
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
            <div className="grid gap-4 border-t border-zinc-100 pt-5 sm:grid-cols-3">
              <Field id="watermarkText" name="watermarkText" label="Watermark text" defaultValue={draft.watermarkText} maxLength={80} placeholder="None" hint="Leave empty for no watermark." errors={errors.watermarkText} />
              <SelectField
                name="watermarkPosition"
                label="Position"
                value={draft.watermarkPosition}
                options={options.watermarkPositions.map((value) => ({ value, label: POSITION_LABELS[value] ?? value }))}
                error={errors.watermarkPosition}
              />
              <Field id="watermarkOpacity" name="watermarkOpacity" label="Opacity (%)" inputMode="numeric" defaultValue={draft.watermarkOpacity} errors={errors.watermarkOpacity} />
            </div>
          </CardBody>
        </Card>

        <div className="flex items-center justify-end gap-3">
          <Link to="/admin/rendition-presets" className={buttonClasses({ variant: 'ghost' })}>
            Cancel
          </Link>
          <Button type="submit" name="intent" value="save" disabled={busy}>
            {busy ? 'Saving…' : preset ? 'Save preset' : 'Create preset'}
          </Button>
        </div>
      </Form>

      {preset ? (
        <Card className="mt-8 border-red-200">
          <CardBody>
            <Form method="post" className="flex flex-wrap items-center justify-between gap-3">
              <p className="text-sm text-zinc-600">Deleting the preset removes it from every asset page; links to it answer “not found”.</p>
              <Button type="submit" name="intent" value="delete" variant="danger" size="sm" disabled={busy}>
                Delete preset
              </Button>
            </Form>
          </CardBody>
        </Card>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const copy =
    status === 404
      ? { title: 'Preset not found', body: 'There is no such preset, or it was deleted.' }
      : status === 403
        ? { title: 'No access', body: 'Only admins manage rendition presets.' }
        : { title: 'Something went wrong', body: 'We could not load this preset. Try again in a moment.' }
  return (
    <div className="mx-auto w-full max-w-3xl py-8">
      <EmptyState
        title={copy.title}
        description={copy.body}
        action={
          <Link to="/admin/rendition-presets" className={buttonClasses({ variant: 'secondary' })}>
            Back to rendition presets
          </Link>
        }
      />
    </div>
  )
}
