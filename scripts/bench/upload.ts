/**
 * `npm run bench:upload`: 2048 MB through the real resumable upload route of a served
 * app (the bench stack's server.mjs), with tus-js-client as the browser's Uppy uses it.
 * The web server's resident memory (VmRSS of the process listening on the web port) is
 * sampled idle and during the upload. Last line:
 *
 *   upload: 2048 MB at T MB/s, idle server RSS = I MB, peak server RSS growth = G MB
 *
 * (growth = peak during the upload minus idle before it). Goal: G <= 64 whatever the size.
 *
 *   node scripts/bench/with-bench-stack.mjs scripts/bench/upload.ts [MiB]
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import * as tus from 'tus-js-client'
import { RESUMABLE_CHUNK_BYTES, RESUMABLE_UPLOAD_PATH, UploadBatchJsonSchema } from '~/library/upload-protocol'
import { signIn } from './web-session'

const MiB = 1024 * 1024
const sizeMiB = Number(process.argv[2] ?? 2048)
const webUrl = process.env.BENCH_WEB_URL
if (!webUrl) throw new Error('BENCH_WEB_URL is not set: run this through scripts/bench/with-bench-stack.mjs')

/** The process listening on `port`: its socket's inode in /proc/net/tcp, then the process holding it. */
async function pidListeningOn(port: number): Promise<number> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)
    for (const line of lines) {
      const fields = line.trim().split(/\s+/)
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9])
    }
  }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [])
    for (const fd of fds) {
      const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '')
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
      if (inode && inodes.has(inode)) return Number(entry)
    }
  }
  throw new Error(`no process of ours listens on port ${port}`)
}

async function residentBytes(pid: number): Promise<number> {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

const totalBytes = sizeMiB * MiB
const pid = await pidListeningOn(Number(new URL(webUrl).port))
const cookie = await signIn(webUrl, 'librarian@damson.test')
const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#48c' } }).png().toBuffer()
const noise = randomBytes(MiB)
const hash = createHash('sha256')
let produced = 0
const source = new Readable({
  read() {
    if (produced >= totalBytes) return void this.push(null)
    const chunk = produced === 0 ? png : Buffer.from(noise.subarray(0, Math.min(MiB, totalBytes - produced)))
    produced += chunk.length
    hash.update(chunk)
    this.push(chunk)
  },
})

await new Promise((resolve) => setTimeout(resolve, 2000))
const idle = await residentBytes(pid)
let peak = idle
const sampler = setInterval(() => {
  residentBytes(pid).then(
    (rss) => (peak = Math.max(peak, rss)),
    () => undefined,
  )
}, 100)
const started = Date.now()
const body = await new Promise<string>((resolve, reject) => {
  new tus.Upload(source, {
    endpoint: `${webUrl}${RESUMABLE_UPLOAD_PATH}`,
    headers: { cookie, origin: webUrl },
    metadata: { filename: 'bench-upload.png', folderPath: '/bench' },
    uploadSize: totalBytes,
    chunkSize: RESUMABLE_CHUNK_BYTES,
    retryDelays: [],
    storeFingerprintForResuming: false,
    onSuccess: ({ lastResponse }) => resolve(lastResponse.getBody()),
    onError: reject,
  }).start()
}).finally(() => clearInterval(sampler))
const seconds = (Date.now() - started) / 1000

const [outcome] = UploadBatchJsonSchema.parse(JSON.parse(body)).outcomes
if (!outcome?.ok) throw new Error(`the upload was not stored: ${body}`)
console.log(`stored as version ${outcome.versionId} (sha256 ${hash.digest('hex')})`)
const mb = (bytes: number) => Math.round(bytes / MiB)
console.log(
  `upload: ${sizeMiB} MB at ${(sizeMiB / seconds).toFixed(1)} MB/s, idle server RSS = ${mb(idle)} MB, peak server RSS growth = ${mb(peak - idle)} MB`,
)
