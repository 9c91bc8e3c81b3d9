/**
 * ffmpeg behind one small module: reading a video's or audio file's facts, cutting a
 * poster frame, drawing a waveform, and encoding the preview clip and the listening
 * copy. The pinned static ffmpeg has no ffprobe, so the facts come from parsing what
 * `ffmpeg -i` prints (parseFfmpegInfo, a pure function). Every run works on a file
 * path (the ingest activities stream originals to private temp files), has a time
 * limit, and is killed when the caller's signal aborts (an activity cancelled).
 */
import { spawn } from 'node:child_process'
import { getEnv } from '~/env.server'
import { MediaError } from '~/media.server'

export type VideoStreamInfo = {
  codec: string
  /** Codec profile, e.g. "High" for H.264 High profile. */
  profile?: string
  pixelFormat?: string
  /** Coded size (before any rotation). */
  width: number
  height: number
  frameRate?: number
  /** Rotation in degrees from the display matrix (phones record portrait video as rotated landscape). */
  rotation?: number
}

export type AudioStreamInfo = {
  codec: string
  sampleRate?: number
  channels?: number
  channelLayout?: string
}

export type MediaStreamsInfo = {
  /** Container names as ffmpeg lists them, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string
  durationMs: number | null
  bitRate?: number
  video: VideoStreamInfo | null
  audio: AudioStreamInfo | null
}

/**
 * Parses the stderr of `ffmpeg -hide_banner -i file` (no output file given). Reads the
 * first input's container, duration and bit rate, and its first video (that is not an
 * attached cover picture) and first audio stream. Returns null when ffmpeg found no
 * input at all (it could not read the file).
 */
export function parseFfmpegInfo(stderr: string): MediaStreamsInfo | null {
  const input = /^Input #0, (.+?), from /m.exec(stderr)
  if (!input?.[1]) return null
  const duration = /^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/m.exec(stderr)
  const durationMs = duration ? Math.round(((Number(duration[1]) * 60 + Number(duration[2])) * 60 + Number(duration[3])) * 1000) : null
  const bitRate = /^\s*Duration: .*?bitrate: (\d+) kb\/s/m.exec(stderr)

  let video: VideoStreamInfo | null = null
  let audio: AudioStreamInfo | null = null
  const lines = stderr.split(/\r?\n/)
  lines.forEach((line, index) => {
    const stream = /^\s*Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio): (.*)$/.exec(line)
    if (!stream) return
    const [, type, description = ''] = stream
    if (type === 'Video' && !video && !/\(attached pic\)/.test(description)) {
      video = parseVideoStream(description, lines.slice(index + 1))
    } else if (type === 'Audio' && !audio) {
      audio = parseAudioStream(description)
    }
  })
  const info: MediaStreamsInfo = { container: input[1], durationMs, video, audio }
  if (bitRate?.[1]) info.bitRate = Number(bitRate[1]) * 1000
  return info
}

/** Splits on commas that are not inside parentheses: "h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 […]". */
function topLevelParts(description: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of description) {
    if (char === '(' || char === '[') depth++
    if (char === ')' || char === ']') depth = Math.max(0, depth - 1)
    if (char === ',' && depth === 0) {
      parts.push(current.trim())
      current = ''
    } else {
      current += char
    }
  }
  if (current.trim()) parts.push(current.trim())
  return parts
}

function parseVideoStream(description: string, following: string[]): VideoStreamInfo | null {
  const parts = topLevelParts(description)
  const codecPart = parts[0] ?? ''
  const codec = /^(\w+)/.exec(codecPart)?.[1]
  const size = parts.map((part) => /^(\d{1,5})x(\d{1,5})\b/.exec(part)).find(Boolean)
  if (!codec || !size) return null
  const info: VideoStreamInfo = { codec, width: Number(size[1]), height: Number(size[2]) }
  const profile = /^\w+ \(([^)]+)\)/.exec(codecPart)?.[1]
  if (profile && !profile.includes('/')) info.profile = profile
  const pixelFormat = parts[1] ? /^([a-z0-9_]+)/.exec(parts[1])?.[1] : undefined
  if (pixelFormat && !/^\d/.test(pixelFormat)) info.pixelFormat = pixelFormat
  const fps = /(\d+(?:\.\d+)?)(k?) fps/.exec(description)
  if (fps?.[1]) info.frameRate = Number(fps[1]) * (fps[2] === 'k' ? 1000 : 1)
  // Side data follows the stream line until the next stream: "displaymatrix: rotation of -90.00 degrees".
  for (const line of following) {
    if (/^\s*Stream #/.test(line)) break
    const rotation = /rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line)
    if (rotation?.[1]) {
      info.rotation = Math.round(Number(rotation[1]))
      break
    }
  }
  return info
}

function parseAudioStream(description: string): AudioStreamInfo | null {
  const parts = topLevelParts(description)
  const codec = /^(\w+)/.exec(parts[0] ?? '')?.[1]
  if (!codec) return null
  const info: AudioStreamInfo = { codec }
  // "aac (LC) (mp4a / …), 48000 Hz, stereo, fltp, 128 kb/s": the channel layout follows the sample rate.
  const rateIndex = parts.findIndex((part) => /^\d+ Hz$/.test(part))
  if (rateIndex > 0) {
    info.sampleRate = Number.parseInt(parts[rateIndex] ?? '', 10)
    const layout = parts[rateIndex + 1]
    if (layout) {
      info.channelLayout = layout
      const channels = channelCount(layout)
      if (channels !== undefined) info.channels = channels
    }
  }
  return info
}

function channelCount(layout: string): number | undefined {
  if (layout === 'mono') return 1
  if (layout === 'stereo' || layout === 'downmix') return 2
  if (layout === 'quad') return 4
  const explicit = /^(\d+) channels/.exec(layout)
  if (explicit?.[1]) return Number(explicit[1])
  const surround = /^(\d)\.(\d)/.exec(layout)
  if (surround?.[1] && surround[2]) return Number(surround[1]) + Number(surround[2])
  const plain = /^(\d)/.exec(layout)
  return plain?.[1] ? Number(plain[1]) : undefined
}

/** The size a video shows at: a quarter-turn rotation swaps width and height. */
export function displaySize(video: Pick<VideoStreamInfo, 'width' | 'height' | 'rotation'>): { width: number; height: number } {
  const quarter = video.rotation !== undefined && Math.abs(video.rotation) % 180 === 90
  return quarter ? { width: video.height, height: video.width } : { width: video.width, height: video.height }
}

export type FfmpegRunOptions = {
  /** Aborts (kills) ffmpeg, e.g. the activity's cancellation signal. */
  signal?: AbortSignal
  /** Kills ffmpeg after this long; defaults to 10 minutes. */
  timeoutMs?: number
  /** Largest stdout kept (for image output); more kills ffmpeg. Defaults to 64 MB. */
  maxStdoutBytes?: number
}

export type FfmpegResult = { code: number | null; stdout: Buffer; stderr: string }

const MAX_STDERR_CHARS = 256 * 1024

/**
 * Runs ffmpeg with `args` (never through a shell), collecting stdout and the end of
 * stderr. Resolves with the exit code whatever it is (reading facts makes ffmpeg exit
 * 1 on purpose); rejects only when it cannot start, is aborted or runs out of time.
 */
export function runFfmpeg(args: readonly string[], { signal, timeoutMs = 10 * 60_000, maxStdoutBytes = 64 * 1024 * 1024 }: FfmpegRunOptions = {}): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal))
      return
    }
    const child = spawn(getEnv().FFMPEG_PATH, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    let stdoutBytes = 0
    let stderr = ''
    let failure: Error | null = null
    const stop = (error: Error) => {
      failure ??= error
      child.kill('SIGKILL')
    }
    const timer = setTimeout(() => stop(new MediaError('corrupt', `Processing the file took longer than ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)
    const onAbort = () => stop(abortError(signal))
    signal?.addEventListener('abort', onAbort, { once: true })

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length
      if (stdoutBytes > maxStdoutBytes) stop(new MediaError('too_many_pixels', 'The picture ffmpeg drew from the file is too large'))
      else stdout.push(chunk)
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk
      if (stderr.length > MAX_STDERR_CHARS * 2) stderr = stderr.slice(0, MAX_STDERR_CHARS) + stderr.slice(-MAX_STDERR_CHARS)
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      reject(new Error(`ffmpeg could not be started (${getEnv().FFMPEG_PATH}): ${error.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (failure) reject(failure)
      else resolve({ code, stdout: Buffer.concat(stdout), stderr })
    })
  })
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  return reason instanceof Error ? reason : new Error('ffmpeg was stopped: the work was cancelled')
}

/** The facts of a video or audio file; a MediaError when ffmpeg cannot read it at all. */
export async function probeMedia(path: string, options: FfmpegRunOptions = {}): Promise<MediaStreamsInfo> {
  const { stderr } = await runFfmpeg(['-i', path], { timeoutMs: 60_000, ...options })
  const info = parseFfmpegInfo(stderr)
  if (!info) throw new MediaError('corrupt', `The file is corrupt or not a format ffmpeg can read (${lastErrorLine(stderr)})`)
  return info
}

/** The last meaningful line ffmpeg printed, for a failure message. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^\[[^\]]+\]\s*/, '').trim())
    .filter((line) => line && !/^At least one output file must be specified/.test(line))
  const message = lines.at(-1) ?? 'no details'
  return message.length > 160 ? `${message.slice(0, 157)}…` : message
}

/**
 * One frame as PNG: at `atSeconds` (seeking before the input is fast and exact
 * enough for a poster), scaled to fit `maxSide`, rotated as the video shows.
 * Falls back to the first frame when the seek lands past the end.
 */
export async function posterFrame(path: string, atSeconds: number, maxSide: number, options: FfmpegRunOptions = {}): Promise<Buffer> {
  const scale = `scale='min(${maxSide},iw)':'min(${maxSide},ih)':force_original_aspect_ratio=decrease`
  const grab = async (seconds: number) =>
    runFfmpeg(['-v', 'error', '-ss', seconds.toFixed(3), '-i', path, '-map', '0:v:0', '-frames:v', '1', '-vf', scale, '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'], options)
  let result = await grab(atSeconds)
  if (result.stdout.length === 0 && atSeconds > 0) result = await grab(0)
  if (result.stdout.length === 0) throw new MediaError('corrupt', `No frame could be read from the video (${lastErrorLine(result.stderr)})`)
  return result.stdout
}

/** A decoded still image (e.g. HEIC, which sharp cannot decode here) as PNG, at most `maxSide` a side. */
export async function decodeStill(path: string, maxSide: number, options: FfmpegRunOptions = {}): Promise<Buffer> {
  return posterFrame(path, 0, maxSide, options)
}

/** A waveform of the first audio stream as a transparent PNG of `width` × `height`. */
export async function waveform(path: string, { width, height, colour }: { width: number; height: number; colour: string }, options: FfmpegRunOptions = {}): Promise<Buffer> {
  const { stdout, stderr } = await runFfmpeg(
    ['-v', 'error', '-i', path, '-filter_complex', `[0:a:0]aformat=channel_layouts=mono,showwavespic=s=${width}x${height}:colors=${colour}:scale=sqrt`, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'],
    options,
  )
  if (stdout.length === 0) throw new MediaError('corrupt', `The sound could not be read (${lastErrorLine(stderr)})`)
  return stdout
}

/** The preview clip: the first `seconds`, at most `width` px wide, H.264/AAC MP4 that starts playing before it has loaded. */
export async function previewClip(path: string, output: string, { seconds, width, hasAudio }: { seconds: number; width: number; hasAudio: boolean }, options: FfmpegRunOptions = {}): Promise<void> {
  const args = ['-v', 'error', '-y', '-i', path, '-t', String(seconds), '-map', '0:v:0']
  if (hasAudio) args.push('-map', '0:a:0')
  args.push(
    '-vf',
    `scale='trunc(min(${width},iw)/2)*2':-2,fps='min(30,source_fps)'`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '28',
    '-pix_fmt',
    'yuv420p',
    '-profile:v',
    'main',
  )
  if (hasAudio) args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2')
  args.push('-movflags', '+faststart', '-f', 'mp4', output)
  const { code, stderr } = await runFfmpeg(args, options)
  if (code !== 0) throw new MediaError('corrupt', `The preview clip could not be made (${lastErrorLine(stderr)})`)
}

/** The listening copy: AAC at 128 kb/s in an MP4 (M4A) container, which every browser plays. */
export async function listeningCopy(path: string, output: string, options: FfmpegRunOptions = {}): Promise<void> {
  const { code, stderr } = await runFfmpeg(
    ['-v', 'error', '-y', '-i', path, '-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', '-f', 'mp4', output],
    options,
  )
  if (code !== 0) throw new MediaError('corrupt', `The audio could not be converted (${lastErrorLine(stderr)})`)
}
