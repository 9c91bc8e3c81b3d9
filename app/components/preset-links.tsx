/**
 * "Other sizes": the admin rendition presets a version can be downloaded in. Each file
 * is made on first request and kept, behind the same authorisation as downloads.
 *
 * Brand staff get plain links (recorded as internal use). Partners declare where they
 * will use the file first, as for the original: one plain form (no JavaScript needed)
 * with the channel and territory, and a button per preset posting to that preset's URL.
 */
import type { ReactNode } from 'react'
import { Card, CardBody, CardHeader, CardTitle, Label } from '~/components/ui'

export type PresetLinkView = { name: string; label: string; description: string; url: string }

export type PresetDeclareView = {
  channels: { key: string; label: string }[]
  territories: { code: string; name: string }[]
  selected: { channel: string; territory: string }
  nothingPermitted: boolean
}

const selectClasses =
  'block h-9 w-full rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 shadow-sm focus:border-damson-500 focus:outline-none focus:ring-2 focus:ring-damson-100'

export function PresetLinks({ links, declare }: { links: readonly PresetLinkView[]; declare?: PresetDeclareView | null }) {
  if (links.length === 0) return null
  if (declare?.nothingPermitted) return null
  return (
    <Card id="presets">
      <CardHeader>
        <CardTitle>Other sizes</CardTitle>
        <p className="mt-1 text-sm text-zinc-500">Made for you on first download; crops keep the picture’s focal point. Usage rights are written into each file.</p>
      </CardHeader>
      <CardBody>
        {declare ? (
          // A plain form: the answer is the file (a redirect), or the reason it was refused.
          <form method="post" action={links[0]?.url} className="space-y-3">
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="space-y-1">
                <Label htmlFor="preset-channel">Channel</Label>
                <select id="preset-channel" name="channel" defaultValue={declare.selected.channel} required className={selectClasses}>
                  <option value="">Choose…</option>
                  {declare.channels.map((channel) => (
                    <option key={channel.key} value={channel.key}>
                      {channel.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="space-y-1">
                <Label htmlFor="preset-territory">Territory</Label>
                <select id="preset-territory" name="territory" defaultValue={declare.selected.territory} required className={selectClasses}>
                  <option value="">Choose…</option>
                  {declare.territories.map((territory) => (
                    <option key={territory.code} value={territory.code}>
                      {territory.name}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <PresetList
              links={links}
              download={(link) => (
                <button
                  type="submit"
                  formAction={link.url}
                  className="shrink-0 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 shadow-sm hover:bg-zinc-50"
                >
                  Download
                </button>
              )}
            />
          </form>
        ) : (
          <PresetList
            links={links}
            download={(link) => (
              <a href={link.url} className="shrink-0 text-sm font-medium text-damson-700 hover:underline">
                Download
              </a>
            )}
          />
        )}
      </CardBody>
    </Card>
  )
}

/** One row per preset: its label and description, and the control that downloads it. */
function PresetList({ links, download }: { links: readonly PresetLinkView[]; download: (link: PresetLinkView) => ReactNode }) {
  return (
    <ul className="divide-y divide-zinc-100">
      {links.map((link) => (
        <li key={link.name} className="flex items-center justify-between gap-3 py-2">
          <div className="min-w-0 text-sm">
            <div className="font-medium text-zinc-900">{link.label}</div>
            <div className="text-xs text-zinc-500">{link.description}</div>
          </div>
          {download(link)}
        </li>
      ))}
    </ul>
  )
}
