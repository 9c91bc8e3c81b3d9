/**
 * Create (`/admin/channels/new`) or edit a distribution channel: its name, destination
 * and secrets, rights channel, preset and scope. Secrets are never sent to the page;
 * a blank secret field keeps the stored one. A refused save comes back with every
 * field as typed (secrets excepted) and the problems listed above the form.
 *
 * GET and POST: channel:manage (admin, librarian).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from '@remix-run/react'
import { useEffect } from 'react'
import { requirePermission } from '~/auth.server'
import { CHANNEL_ERROR_SUMMARY_ID, newChannelDraft, type ChannelFieldErrors, type ChannelFormField } from '~/components/channels/channel-form'
import { ChannelFormFields, FIELD_LABELS, fieldElementId } from '~/components/channels/channel-form-fields'
import { Button, buttonClasses, EmptyState, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { getChannelFormOptions, loadChannelForEdit, submitChannelForm } from '~/distribution/channels.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `${loaded?.channel ? `${loaded.channel.name} · ` : 'New channel · '}Channels · Damson` },
]

/** `new` creates; anything else is a channel id. */
function channelIdFrom(param: string | undefined): string | null {
  return !param || param === 'new' ? null : param
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'channel:manage')
    const db = getDb()
    const channelId = channelIdFrom(params.channelId)
    const [options, channel] = await Promise.all([getChannelFormOptions({ db }), channelId ? loadChannelForEdit({ db, channelId }) : null])
    const defaultRightsChannel = options.rightsChannels.find((option) => option.key === 'web')?.key ?? options.rightsChannels[0]?.key ?? ''
    return data(
      {
        channel: channel ? { id: channel.id, name: channel.name, hasSecret: channel.hasSecret, secretsProblem: channel.secretsProblem, atDestination: channel.atDestination } : null,
        draft: channel?.draft ?? newChannelDraft(defaultRightsChannel),
        options,
      },
      { headers: { 'Cache-Control': 'private, no-store' } },
    )
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'channel:manage')
    const channelId = channelIdFrom(params.channelId)
    const outcome = await submitChannelForm({ db: getDb(), channelId, formData: await request.formData(), actorId: user.id, ipAddress: getClientIp(request) })
    if (outcome.kind === 'invalid') return data(outcome, { status: 400 })
    const notice = new URLSearchParams({ saved: outcome.channelId, replan: outcome.replan })
    if (!channelId) notice.set('created', '1')
    if (channelId && outcome.changed.includes('preset')) notice.set('preset', 'changed')
    return redirect(`/admin/channels?${notice.toString()}`, 303)
  })
}

const FIELD_ORDER: readonly ChannelFormField[] = [
  'name',
  'enabled',
  'kind',
  's3Endpoint',
  's3Bucket',
  's3Region',
  's3Prefix',
  's3AccessKeyId',
  's3SecretAccessKey',
  's3ForcePathStyle',
  'webhookUrl',
  'webhookSigningSecret',
  'folderPath',
  'rightsChannel',
  'format',
  'maxWidth',
  'maxHeight',
  'fit',
  'quality',
  'colourProfile',
  'metadata',
  'watermarkText',
  'watermarkPosition',
  'watermarkOpacity',
  'autoPublish',
  'scopeFolders',
  'scopeTags',
  'scopeCollectionIds',
  'form',
]

export default function ChannelEditor() {
  const { channel, draft: loadedDraft, options } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const draft = answer?.draft ?? loadedDraft
  const errors: ChannelFieldErrors = answer?.fieldErrors ?? {}
  const problems = FIELD_ORDER.flatMap((field) => {
    const message = errors[field]
    return message ? [{ field, message }] : []
  })
  const revision = answer?.revision ?? null

  // After a refused save, put the keyboard on the list of problems.
  useEffect(() => {
    if (revision) document.getElementById(CHANNEL_ERROR_SUMMARY_ID)?.focus()
  }, [revision])

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader
        eyebrow={
          <nav aria-label="Breadcrumb">
            <Link to="/admin/channels" className="hover:text-zinc-800">
              Channels
            </Link>
          </nav>
        }
        title={channel ? channel.name : 'New channel'}
        description="Where approved assets are published, in what form, and which of them go there by themselves."
        actions={
          channel ? (
            <Link to={`/distribution/channels/${channel.id}`} className={buttonClasses({ variant: 'secondary' })}>
              See its assets
            </Link>
          ) : null
        }
      />

      {channel && channel.atDestination > 0 ? (
        <p className="mb-5 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
          {channel.atDestination === 1 ? '1 asset is' : `${channel.atDestination} assets are`} at this destination now. Changes to the rights channel
          or scope take effect at once (assets go out or are taken down); a new preset applies to what is published from now on. The destination
          itself cannot move while anything is at it.
        </p>
      ) : null}
      {channel?.secretsProblem ? (
        <p role="alert" className="mb-5 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {channel.secretsProblem}
        </p>
      ) : null}

      {problems.length > 0 ? (
        <div
          id={CHANNEL_ERROR_SUMMARY_ID}
          tabIndex={-1}
          role="alert"
          className="mb-5 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-200"
        >
          <p className="font-medium">The channel was not saved. Fix the fields marked below{draft.kind === 's3' || draft.kind === 'webhook' ? ' (secrets must be typed again)' : ''}:</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem.field}>
                <a href={`#${fieldElementId(problem.field, draft.kind)}`} className="underline decoration-red-300 underline-offset-2 hover:decoration-red-700">
                  {FIELD_LABELS[problem.field]}
                </a>
                : {problem.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {/* Keyed by each answer, so the uncontrolled fields take the posted values. The server's
          messages are shown next to the fields (noValidate), the same with or without JavaScript. */}
      <Form method="post" key={revision ?? 'loaded'} className="space-y-6" noValidate>
        <ChannelFormFields draft={draft} errors={errors} options={options} hasSecret={channel?.hasSecret ?? { secretAccessKey: false, signingSecret: false }} />
        <div className="flex items-center justify-end gap-3">
          <Link to="/admin/channels" className={buttonClasses({ variant: 'ghost' })}>
            Cancel
          </Link>
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : channel ? 'Save channel' : 'Create channel'}
          </Button>
        </div>
      </Form>
    </div>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const copy =
    status === 404
      ? { title: 'Channel not found', body: 'There is no such channel, or it was removed.' }
      : status === 403
        ? { title: 'No access', body: 'Only admins and librarians manage channels.' }
        : { title: 'Something went wrong', body: 'We could not load this channel. Try again in a moment.' }
  return (
    <div className="mx-auto w-full max-w-3xl py-8">
      <EmptyState
        title={copy.title}
        description={copy.body}
        action={
          <Link to="/admin/channels" className={buttonClasses({ variant: 'secondary' })}>
            Back to channels
          </Link>
        }
      />
    </div>
  )
}
