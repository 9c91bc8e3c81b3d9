import { Form } from '@remix-run/react'
import { RightsSummaryBox } from '~/components/portal/rights-summary-box'
import { Button, Card, CardBody } from '~/components/ui'
import { ShareFrame } from './share-frame'

export type SharedAssetProps = {
  owner: string
  asset: { title: string; description: string; kind: string }
  version: { number: number; mediaType: string; bytes: number; width: number | null; height: number | null; fileExtension: string }
  preview: { url: string; width: number | null; height: number | null } | null
  rights: { headline: string; licences: { grantId: string; state: string; title: string; lines: string[] }[] }
  linkExpiresAt: string
  downloadsLeft: number | null
  canDownload: boolean
  /** A refusal of the last download (the file cannot be prepared), shown by the button. */
  downloadError: string | null
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`
}

/** An asset as a share link shows it: preview, title, rights in plain words, one Download button. */
export function SharedAsset({ owner, asset, version, preview, rights, linkExpiresAt, downloadsLeft, canDownload, downloadError }: SharedAssetProps) {
  const aspect = preview?.width && preview.height ? `${preview.width} / ${preview.height}` : undefined
  const facts = [
    version.fileExtension || version.mediaType,
    version.width && version.height ? `${version.width} × ${version.height} px` : null,
    formatBytes(version.bytes),
  ].filter((fact): fact is string => fact !== null)

  return (
    <ShareFrame>
      <p className="mb-4 text-sm text-zinc-500">Shared with you by {owner}</p>
      <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex min-h-[14rem] items-center justify-center overflow-hidden rounded-2xl border border-zinc-200 bg-zinc-100 bg-[linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%),linear-gradient(45deg,#f4f4f5_25%,transparent_25%,transparent_75%,#f4f4f5_75%)] bg-[length:20px_20px] bg-[position:0_0,10px_10px] p-4 sm:min-h-[20rem] sm:p-8">
          {preview ? (
            <img
              src={preview.url}
              alt={asset.title}
              width={preview.width ?? undefined}
              height={preview.height ?? undefined}
              style={aspect ? { aspectRatio: aspect } : undefined}
              className="max-h-[70vh] w-auto max-w-full rounded-md object-contain shadow-lg"
            />
          ) : (
            <p className="text-sm text-zinc-500">No preview is available for this file.</p>
          )}
        </div>

        <aside className="space-y-5">
          <div>
            <h1 className="text-2xl font-semibold tracking-tight break-words text-zinc-900">{asset.title}</h1>
            {asset.description ? <p className="mt-2 text-sm leading-6 whitespace-pre-line text-zinc-600">{asset.description}</p> : null}
          </div>

          <Card>
            <CardBody className="space-y-3">
              {canDownload ? (
                // A plain document post: the answer is a redirect to the file, which the browser saves.
                <Form method="post" reloadDocument>
                  <input type="hidden" name="intent" value="download" />
                  <Button type="submit" size="lg" className="w-full">
                    <svg viewBox="0 0 20 20" aria-hidden className="size-5" fill="currentColor">
                      <path d="M10.75 2.75a.75.75 0 00-1.5 0v8.614L6.295 8.235a.75.75 0 10-1.09 1.03l4.25 4.5a.75.75 0 001.09 0l4.25-4.5a.75.75 0 00-1.09-1.03l-2.955 3.129V2.75z" />
                      <path d="M3.5 12.75a.75.75 0 00-1.5 0v2.5A2.75 2.75 0 004.75 18h10.5A2.75 2.75 0 0018 15.25v-2.5a.75.75 0 00-1.5 0v2.5c0 .69-.56 1.25-1.25 1.25H4.75c-.69 0-1.25-.56-1.25-1.25v-2.5z" />
                    </svg>
                    Download
                  </Button>
                </Form>
              ) : (
                <p className="text-sm text-zinc-600">This file can be viewed here but not downloaded from a link.</p>
              )}
              {downloadError ? (
                <p role="alert" className="text-sm text-red-700">
                  {downloadError}
                </p>
              ) : null}
              <p className="text-center text-xs text-zinc-500">{facts.join(' · ')}</p>
              <p className="text-center text-xs text-zinc-500">The file carries its usage rights in its metadata.</p>
            </CardBody>
          </Card>

          <RightsSummaryBox headline={rights.headline} licences={rights.licences} showStates={false} />

          <p className="text-xs text-zinc-500">
            This link works until {linkExpiresAt}
            {downloadsLeft !== null ? `, for ${downloadsLeft} more ${downloadsLeft === 1 ? 'download' : 'downloads'}` : ''}.
          </p>
        </aside>
      </div>
    </ShareFrame>
  )
}
