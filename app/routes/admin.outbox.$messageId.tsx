/**
 * One outbox message for admins: its delivery state, the HTML part in a sandboxed
 * iframe (no scripts, no same-origin, nothing remote), and the text part.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { requirePermission } from '~/auth.server'
import { EmailStatusBadge, emailPreviewDocument, formatOutboxTime } from '~/components/notifications/email-status'
import { SmtpNotice } from '~/components/notifications/smtp-notice'
import { Button, Card, CardBody, CardHeader, CardTitle, PageHeader } from '~/components/ui'
import { getDb } from '~/db.server'
import { getEnv } from '~/env.server'
import { handleAppErrors } from '~/http.server'
import { describeSmtp, getOutboxMessage, OutboxActionSchema, retryEmailMessage } from '~/notifications/outbox.server'

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded ? `${loaded.message.subject} · Email outbox · Damson` : 'Email outbox · Damson' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const message = await getOutboxMessage({ db: getDb(), messageId: params.messageId ?? '' })
    return data({ message, smtp: describeSmtp(getEnv().SMTP_URL) }, { headers: { 'Cache-Control': 'private, no-store' } })
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleAppErrors(async () => {
    await requirePermission(request, 'admin:manage')
    const { messageId } = OutboxActionSchema.parse({ ...Object.fromEntries(await request.formData()), messageId: params.messageId })
    await retryEmailMessage({ db: getDb(), messageId })
    return redirect(`/admin/outbox/${encodeURIComponent(messageId)}`)
  })
}

export default function OutboxMessage() {
  const { message, smtp } = useLoaderData<typeof loader>()
  const facts: { label: string; value: string }[] = [
    { label: 'To', value: message.toName ? `${message.toName} <${message.toAddress}>` : message.toAddress },
    { label: 'Created', value: formatOutboxTime(message.createdAt) },
    { label: 'Attempts', value: String(message.attempts) },
    message.sentAt
      ? { label: 'Sent', value: formatOutboxTime(message.sentAt) }
      : message.status === 'failed'
        ? { label: 'Delivery', value: `Gave up after ${message.attempts} attempts` }
        : message.due
          ? { label: 'Next try', value: smtp.configured ? 'Due now' : 'When SMTP is configured' }
          : { label: 'Next try', value: formatOutboxTime(message.nextAttemptAt) },
  ]

  return (
    <div>
      <PageHeader
        eyebrow={
          <Link to="/admin/outbox" className="hover:text-zinc-800 hover:underline">
            ← Email outbox
          </Link>
        }
        title={message.subject}
        actions={
          !message.retryable ? null : (
            <Form method="post">
              <input type="hidden" name="intent" value="retry" />
              <Button type="submit" variant="secondary" size="sm">
                Retry now
              </Button>
            </Form>
          )
        }
      />

      {message.status === 'sent' ? null : <SmtpNotice smtp={smtp} />}

      <div className="grid gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <Card className="self-start">
          <CardHeader className="flex items-center justify-between gap-2">
            <CardTitle>Delivery</CardTitle>
            <EmailStatusBadge status={message.status} />
          </CardHeader>
          <CardBody>
            <dl className="space-y-3 text-sm">
              {facts.map((fact) => (
                <div key={fact.label}>
                  <dt className="text-xs font-medium text-zinc-500">{fact.label}</dt>
                  <dd className="mt-0.5 break-words text-zinc-900">{fact.value}</dd>
                </div>
              ))}
              {message.lastError ? (
                <div>
                  <dt className="text-xs font-medium text-zinc-500">Last error</dt>
                  <dd className="mt-0.5 rounded-md bg-red-50 px-2 py-1.5 font-mono text-xs break-words text-red-800">{message.lastError}</dd>
                </div>
              ) : null}
            </dl>
          </CardBody>
        </Card>

        <div className="min-w-0 space-y-6">
          <Card className="overflow-hidden">
            <CardHeader>
              <CardTitle>HTML part</CardTitle>
            </CardHeader>
            {/* sandbox="" : no scripts, forms, popups or same-origin access; the CSP inside blocks remote loads. */}
            <iframe
              title={`HTML part of “${message.subject}”`}
              sandbox=""
              referrerPolicy="no-referrer"
              srcDoc={emailPreviewDocument(message.htmlBody)}
              className="block h-80 w-full bg-white"
            />
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Text part</CardTitle>
            </CardHeader>
            <CardBody>
              <pre className="overflow-x-auto font-mono text-sm whitespace-pre-wrap text-zinc-800">{message.textBody}</pre>
            </CardBody>
          </Card>
        </div>
      </div>
    </div>
  )
}
