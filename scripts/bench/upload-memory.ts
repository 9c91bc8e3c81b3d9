/**
 * Upload streaming: peak resident memory while a large original streams to S3 through
 * the upload path (sniff, sha256, size limit, multipart upload), against the size of
 * the file. Prints figures; asserts nothing.
 *
 *   npx tsx scripts/bench/upload-memory.ts [MiB]     (default 200; needs a running stack:
 *   npm start, or node scripts/start.mjs --services-only, whose variables it reads)
 */
import { existsSync, readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import sharp from 'sharp'

const stackEnvFile = '.data/dev/stack.env.json'
if (!process.env.S3_ENDPOINT && existsSync(stackEnvFile)) {
  for (const [name, value] of Object.entries(JSON.parse(readFileSync(stackEnvFile, 'utf8')) as Record<string, string>)) {
    process.env[name] ??= value
  }
}

const { streamOriginal } = await import('~/assets/upload.server')
const { getStorage } = await import('~/storage.server')

// Two sizes in one run: the small one is the baseline the large one is compared with.
const sizesMiB = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [50, 400]
const chunkBytes = 1024 * 1024
// A small real PNG so the sniffer accepts it; the rest is noise (never decoded here).
const pngHead = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#48c' } }).png().toBuffer()
const noise = randomBytes(chunkBytes)
const storage = getStorage()
const mib = (bytes: number) => bytes / 1024 / 1024

async function* original(totalBytes: number): AsyncGenerator<Uint8Array> {
  let sent = 0
  yield pngHead
  sent += pngHead.length
  while (sent < totalBytes) {
    const size = Math.min(chunkBytes, totalBytes - sent)
    // A fresh buffer per chunk, as a network stream would hand over.
    yield Buffer.from(noise.subarray(0, size))
    sent += size
  }
}

async function measure(sizeMiB: number): Promise<number> {
  const totalBytes = sizeMiB * 1024 * 1024
  global.gc?.()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  const storageKey = `bench/upload-memory-${Date.now()}`
  const started = Date.now()
  const stored = await streamOriginal({
    storage,
    storageKey,
    file: { stream: original(totalBytes), filename: 'bench.png' },
    maxBytes: totalBytes + 1024,
  })
  const seconds = (Date.now() - started) / 1000
  clearInterval(sampler)
  await storage.delete(storageKey)
  const growth = peak - baseline
  console.log(
    `${String(sizeMiB).padStart(5)} MiB: ${seconds.toFixed(1)} s (${(mib(stored.bytes) / seconds).toFixed(0)} MiB/s), ` +
      `RSS baseline ${mib(baseline).toFixed(0)} MiB, peak ${mib(peak).toFixed(0)} MiB, growth ${mib(growth).toFixed(0)} MiB ` +
      `(${(growth / stored.bytes).toFixed(3)} of the file)`,
  )
  return growth
}

const growths: number[] = []
for (const size of sizesMiB) growths.push(await measure(size))
if (growths.length >= 2) {
  const first = growths[0]!
  const last = growths[growths.length - 1]!
  const sizeRatio = sizesMiB[sizesMiB.length - 1]! / sizesMiB[0]!
  console.log(
    `memory growth ratio, largest/smallest file: ${(last / Math.max(first, 1)).toFixed(2)} ` +
      `for a ${sizeRatio.toFixed(0)}× larger file (≈1 means bounded; ≈${sizeRatio.toFixed(0)} would mean proportional)`,
  )
}
process.exit(0)
