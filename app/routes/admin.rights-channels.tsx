/**
 * Rights channels for admins: the list grants choose from (web, print, …), in the
 * order forms show it. Add a channel, rename or move any, delete one you added while
 * no grant or distribution destination names it. Keys never change.
 *
 * GET and POST: admin:manage (admin). POST `intent`: add | rename | move | delete.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requirePermission } from '~/auth.server'
import { Badge, Button, Card, CardBody, CardHeader, CardTitle, Field, FieldError, Input, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { isAppError } from '~/errors.server'
import { handleAppErrors } from '~/http.server'
import { getClientIp } from '~/request.server'
import {
  addRightsChannel,
  CHANNEL_LIMITS,
  deleteRightsChannel,
  listRightsChannels,
  moveRightsChannel,
  renameRightsChannel,
  type ChannelFieldErrors,
} from '~/rights/channels.server'

export const meta: MetaFunction = () => [{ title: 'Rights channels · Damson' }]

const NOTICES = {
  added: 'Channel added. Grants can name it from now on.',
  renamed: 'Channel renamed.',
  moved: 'Order saved.',
  deleted: 'Channel deleted.',
} as const
type NoticeCode = keyof typeof NOTICES

const SearchSchema = z.object({ notice: z.enum(Object.keys(NOTICES) as [NoticeCode, ...NoticeCode[]]).optional().catch(undefined) })
const KeySchema = z.string().regex(/^[a-z0-9_]{1,40}$/)

export async function loader({ request }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const { notice } = SearchSchema.parse(Object.fromEntries(new URL(request.url).searchParams))
    const channels = await listRightsChannels({ db: getDb() })
    return data({ channels, notice: notice ? NOTICES[notice] : null, limits: CHANNEL_LIMITS }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

type ActionAnswer =
  | { intent: 'add'; fieldErrors: ChannelFieldErrors; values: { key: string; label: string } }
  | { intent: 'rename'; key: string; error: string }
  | { intent: string; key: string | null; error: string }

const done = (notice: NoticeCode) => redirect(`/admin/rights-channels?notice=${notice}`, 303)

export async function action({ request }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    const user = await requirePermission(request, 'admin:manage')
    const db = getDb()
    const audit = { actorId: user.id, ipAddress: getClientIp(request) }
    const form = await request.formData()
    const intent = String(form.get('intent') ?? '')
    const key = KeySchema.safeParse(form.get('key')).data ?? null
    const answer = (body: ActionAnswer, status: number) => data(body, { status })
    try {
      if (intent === 'add') {
        const values = { key: String(form.get('key') ?? ''), label: String(form.get('label') ?? '') }
        const result = await addRightsChannel({ db, input: values, ...audit })
        return result.ok ? done('added') : answer({ intent, fieldErrors: result.fieldErrors, values }, 400)
      }
      if (!key) return answer({ intent, key: null, error: 'Choose a channel from the list.' }, 400)
      if (intent === 'rename') {
        const result = await renameRightsChannel({ db, key, label: form.get('label'), ...audit })
        return result.ok ? done('renamed') : answer({ intent, key, error: result.fieldErrors.label ?? 'Give the channel a label.' }, 400)
      }
      if (intent === 'move') {
        const direction = form.get('direction') === 'up' ? 'up' : 'down'
        await moveRightsChannel({ db, key, direction, ...audit })
        return done('moved')
      }
      if (intent === 'delete') {
        await deleteRightsChannel({ db, key, ...audit })
        return done('deleted')
      }
      return answer({ intent, key, error: 'Unknown action.' }, 400)
    } catch (error) {
      if (isAppError(error) && error.code !== 'UNAVAILABLE') return answer({ intent, key, error: error.message }, error.status)
      throw error
    }
  })
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

export default function RightsChannelsPage() {
  const { channels, notice, limits } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const addAnswer = answer && 'fieldErrors' in answer ? answer : null
  const rowError = answer && 'error' in answer ? answer : null

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader
        eyebrow="Administration"
        title="Rights channels"
        description="The channels a rights grant can permit, in the order legal's forms list them. Built-in channels can be renamed and moved, not deleted."
      />

      {notice ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}
      {rowError && !rowError.key ? (
        <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {rowError.error}
        </p>
      ) : null}

      <Card className="mb-6 overflow-x-auto">
        <table className="w-full min-w-[40rem] text-left text-sm">
          <caption className="sr-only">Rights channels in display order</caption>
          <thead className="border-b border-zinc-200 bg-zinc-50 text-xs font-medium tracking-wide text-zinc-500 uppercase">
            <tr>
              <th scope="col" className="w-24 px-4 py-2.5">
                Order
              </th>
              <th scope="col" className="px-4 py-2.5">
                Label
              </th>
              <th scope="col" className="px-4 py-2.5">
                Key
              </th>
              <th scope="col" className="px-4 py-2.5">
                In use
              </th>
              <th scope="col" className="px-4 py-2.5">
                <span className="sr-only">Delete</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {channels.map((channel, index) => {
              const error = rowError?.key === channel.key ? rowError.error : null
              return (
                <tr key={channel.key} className="align-top">
                  <td className="px-4 py-3">
                    <Form method="post" className="flex gap-1" preventScrollReset>
                      <input type="hidden" name="intent" value="move" />
                      <input type="hidden" name="key" value={channel.key} />
                      <Button type="submit" name="direction" value="up" variant="ghost" size="sm" disabled={busy || index === 0} aria-label={`Move ${channel.label} up`}>
                        ↑
                      </Button>
                      <Button
                        type="submit"
                        name="direction"
                        value="down"
                        variant="ghost"
                        size="sm"
                        disabled={busy || index === channels.length - 1}
                        aria-label={`Move ${channel.label} down`}
                      >
                        ↓
                      </Button>
                    </Form>
                  </td>
                  <td className="px-4 py-3">
                    <Form method="post" className="flex items-center gap-2" preventScrollReset>
                      <input type="hidden" name="intent" value="rename" />
                      <input type="hidden" name="key" value={channel.key} />
                      <Input
                        name="label"
                        defaultValue={channel.label}
                        maxLength={limits.labelLength}
                        aria-label={`Label of ${channel.key}`}
                        invalid={Boolean(error && rowError?.intent === 'rename')}
                        className="h-8 max-w-56"
                      />
                      <Button type="submit" variant="secondary" size="sm" disabled={busy}>
                        Rename
                      </Button>
                    </Form>
                    <FieldError>{error}</FieldError>
                  </td>
                  <td className="px-4 py-3">
                    <span className="font-mono text-xs text-zinc-700">{channel.key}</span>
                    {channel.builtIn ? (
                      <Badge className="ml-2" tone="neutral">
                        Built-in
                      </Badge>
                    ) : null}
                  </td>
                  <td className="px-4 py-3 text-zinc-600">
                    {channel.grantCount === 0 && channel.destinationCount === 0
                      ? '—'
                      : [
                          channel.grantCount > 0 ? plural(channel.grantCount, 'grant', 'grants') : null,
                          channel.destinationCount > 0 ? plural(channel.destinationCount, 'destination', 'destinations') : null,
                        ]
                          .filter(Boolean)
                          .join(' · ')}
                  </td>
                  <td className="px-4 py-3 text-right">
                    {channel.deleteBlockedBy ? (
                      <span className="text-xs text-zinc-400" title={channel.deleteBlockedBy}>
                        {channel.builtIn ? 'Built-in' : 'In use'}
                      </span>
                    ) : (
                      <Form method="post" preventScrollReset>
                        <input type="hidden" name="intent" value="delete" />
                        <input type="hidden" name="key" value={channel.key} />
                        <Button type="submit" variant="ghost" size="sm" className="text-red-700 hover:bg-red-50" disabled={busy}>
                          Delete<span className="sr-only"> {channel.label}</span>
                        </Button>
                      </Form>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Add a channel</CardTitle>
        </CardHeader>
        <CardBody>
          <Form method="post" className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-start" noValidate>
            <input type="hidden" name="intent" value="add" />
            <Field
              name="key"
              label="Key"
              defaultValue={addAnswer?.values.key}
              placeholder="trade_fair"
              maxLength={limits.keyLength}
              hint="Lower-case letters, digits and underscores. Cannot be changed later."
              errors={addAnswer?.fieldErrors.key}
              className="font-mono"
            />
            <Field
              name="label"
              label="Label"
              defaultValue={addAnswer?.values.label}
              placeholder="Trade fairs"
              maxLength={limits.labelLength}
              errors={addAnswer?.fieldErrors.label}
            />
            <Button type="submit" className="sm:mt-7" disabled={busy}>
              Add channel
            </Button>
          </Form>
          <FieldError>{addAnswer?.fieldErrors.form}</FieldError>
        </CardBody>
      </Card>
    </div>
  )
}
