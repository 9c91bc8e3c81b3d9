import { describe, expect, it } from 'vitest'
import { displaySize, lastErrorLine, parseFfmpegInfo } from '~/media/ffmpeg.server'
import { posterTime, renditionPlan } from '../../workers/activities/ingest'
import { acceptedFormat } from '~/domain/media-kind'

// What the pinned ffmpeg 9.0.2 printed here for files made by the media tests, and for a phone video.
const MP4 = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'v.mp4':
  Metadata:
    major_brand     : isom
    encoder         : Lavf63.1.102
  Duration: 00:00:02.00, start: 0.000000, bitrate: 197 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 160x90 [SAR 1:1 DAR 16:9], 114 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)
At least one output file must be specified
`

const PHONE = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'IMG_0420.MOV':
  Duration: 01:02:03.45, start: 0.000000, bitrate: 12034 kb/s
  Stream #0:0[0x1](und): Video: hevc (Main 10) (hvc1 / 0x31637668), yuv420p10le(tv, bt2020nc/bt2020/arib-std-b67), 1920x1080, 11800 kb/s, 29.97 fps, 29.97 tbr, 600 tbn (default)
    Metadata:
      creation_time   : 2026-05-01T10:00:00.000000Z
    Side data:
      displaymatrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 189 kb/s (default)
  Stream #0:2[0x3](und): Data: none (mebx / 0x7862656D), 0 kb/s (default)
`

const MP3_WITH_COVER = `Input #0, mp3, from 'a.mp3':
  Duration: 00:03:25.04, start: 0.025057, bitrate: 320 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 320 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 600x600 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
`

const WEBM_NO_DURATION = `Input #0, matroska,webm, from 'rec.webm':
  Duration: N/A, start: 0.000000, bitrate: N/A
  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 160x90, SAR 1:1 DAR 16:9, 25 fps, 25 tbr, 1k tbn
  Stream #0:1: Audio: opus, 48000 Hz, 5.1, fltp
`

describe('parseFfmpegInfo', () => {
  it('reads duration, bit rate, size, codecs, frame rate and sound of an MP4', () => {
    expect(parseFfmpegInfo(MP4)).toEqual({
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationMs: 2000,
      bitRate: 197_000,
      video: { codec: 'h264', profile: 'High', pixelFormat: 'yuv420p', width: 160, height: 90, frameRate: 25 },
      audio: { codec: 'aac', sampleRate: 44100, channels: 1, channelLayout: 'mono' },
    })
  })

  it('reads an hour-long portrait phone video: rotation, fractional frame rate, 10-bit HEVC', () => {
    const info = parseFfmpegInfo(PHONE)
    expect(info?.durationMs).toBe(((1 * 60 + 2) * 60 + 3.45) * 1000)
    expect(info?.video).toEqual({ codec: 'hevc', profile: 'Main 10', pixelFormat: 'yuv420p10le', width: 1920, height: 1080, frameRate: 29.97, rotation: -90 })
    expect(displaySize(info?.video ?? { width: 0, height: 0 })).toEqual({ width: 1080, height: 1920 })
    expect(info?.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 })
  })

  it('does not take an MP3’s cover picture for video', () => {
    const info = parseFfmpegInfo(MP3_WITH_COVER)
    expect(info?.video).toBeNull()
    expect(info?.audio).toEqual({ codec: 'mp3', sampleRate: 44100, channels: 2, channelLayout: 'stereo' })
    expect(info?.durationMs).toBe(205_040)
  })

  it('leaves an unknown duration null and counts surround channels', () => {
    const info = parseFfmpegInfo(WEBM_NO_DURATION)
    expect(info?.durationMs).toBeNull()
    expect(info?.audio).toMatchObject({ codec: 'opus', channels: 6, channelLayout: '5.1' })
    expect(info?.video).toMatchObject({ codec: 'vp9', width: 160, height: 90 })
  })

  it('returns null when ffmpeg could not read the input, and names the last error', () => {
    const stderr = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5581] moov atom not found\nbroken.mp4: Invalid data found when processing input\n'
    expect(parseFfmpegInfo(stderr)).toBeNull()
    expect(lastErrorLine(stderr)).toBe('broken.mp4: Invalid data found when processing input')
  })
})

describe('what ingest makes of each kind', () => {
  const plan = (mime: string, metadata: Record<string, unknown> = {}, pages: number | null = null) => renditionPlan(acceptedFormat(mime), metadata, pages)

  it('gives pictures and the right extras to each kind', () => {
    expect(plan('image/gif', { frames: 12 })).toEqual({ pictures: ['thumbnail', 'preview', 'web'], media: [], perceptualHash: true })
    expect(plan('video/quicktime')).toEqual({ pictures: ['thumbnail', 'preview', 'web'], media: ['clip'], perceptualHash: true })
    expect(plan('audio/flac')).toEqual({ pictures: ['thumbnail', 'preview'], media: ['audio'], perceptualHash: false })
    expect(plan('application/pdf', {}, 3).media).toEqual(['page-1', 'page-2', 'page-3'])
    expect(plan('application/pdf', {}, 500).media).toHaveLength(30)
    expect(plan('image/heic', { previewUnavailable: 'No preview' })).toEqual({ pictures: [], media: [], perceptualHash: false })
    expect(plan('application/x-7z-compressed')).toEqual({ pictures: [], media: [], perceptualHash: false })
  })

  it('cuts the poster at 10 % of the video, at most 1 s in', () => {
    expect(posterTime(2000)).toBeCloseTo(0.2)
    expect(posterTime(60_000)).toBe(1)
    expect(posterTime(null)).toBe(0)
  })
})
