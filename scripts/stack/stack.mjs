// The launcher's lifecycle, shared by `npm start` and `npm test`: bootstrap, services,
// database steps, the environment handed to children, and an ordered shutdown.
import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import { TESSDATA_DIR, ensureNodeModules, ensureTools, toolIsCurrent, toolPath } from './bootstrap.mjs'
import { STACK_VARIABLES, externalServices, profile, secrets } from './config.mjs'
import { killAllNow, managed } from './processes.mjs'
import { startServices, stopServices } from './services.mjs'
import { ROOT, StackError, bold, errorText, fail, loadDotEnv, muteAwsNodeVersionWarning, npmBin, ok, portIsFree, run, say, seconds, warn, writeJson } from './util.mjs'

export class Stack {
  constructor(profileName, { headless = false } = {}) {
    this.startedAt = Date.now()
    muteAwsNodeVersionWarning()
    this.prof = profile(profileName)
    this.headless = headless
    this.services = []
    /** Children stopped before the services, newest first (web, then worker). */
    this.children = []
    this.env = {}
    this.shuttingDown = null
    this.onUnexpectedExit = null
  }

  /** Installs signal handlers: the first Ctrl-C stops everything in order, a second forces it. */
  handleSignals(onStopped) {
    let signals = 0
    const handler = (signal) => {
      signals += 1
      if (signals === 1) {
        console.log(`\n${bold(`Stopping (${signal})…`)} (Ctrl-C again to force)`)
        this.shutdown().then(() => onStopped(signal))
      } else {
        fail('forced stop: killing every process now')
        killAllNow()
        process.exit(130)
      }
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
    process.on('SIGHUP', handler)
    // Whatever happens to the launcher, it leaves nothing running behind it.
    process.on('exit', killAllNow)
  }

  async bootstrap({ extraTools = [] } = {}) {
    loadDotEnv()
    const nodeMajor = Number(process.versions.node.split('.')[0])
    if (nodeMajor < 22) warn(`Node ${process.versions.node}: works today; the AWS SDK's releases after January 2027 need Node 22 or later`)
    await ensureNodeModules()
    const external = externalServices()
    this.external = external
    // ffmpeg and tesseract make previews and OCR text in the media worker.
    const tools = ['temporal-test-server', ...extraTools]
    if (!process.env.FFMPEG_PATH) tools.push('ffmpeg')
    if (!process.env.TESSERACT_PATH) tools.push('tesseract')
    if (!external.temporal) tools.push('temporal')
    if (!external.typesense) tools.push('typesense-server')
    if (!external.s3) tools.push('weed')
    if (process.env.TEMPORAL_TEST_SERVER_PATH && existsSync(process.env.TEMPORAL_TEST_SERVER_PATH)) tools.shift()
    await ensureTools([...new Set(tools)])
  }

  async startServices() {
    const keys = secrets(this.prof)
    this.keys = keys
    say(`Starting services (profile ${this.prof.name}, data ${path.relative(ROOT, this.prof.dataDir)}, logs ${path.relative(ROOT, this.prof.logsDir)})…`)
    const started = Date.now()
    this.services = await startServices({ prof: this.prof, secrets: keys, headless: this.headless })
    ok(`all services healthy in ${seconds(Date.now() - started)}`)
    for (const service of this.services) {
      if (!service.proc) continue
      service.proc.exited.then(() => this.#unexpected(service.proc))
    }
    return this.services
  }

  /** The resolved environment for children; also written to .data/<profile>/stack.env.json. */
  resolveEnv({ nodeEnv, port, extra = {} }) {
    const fromServices = Object.assign({}, ...this.services.map((service) => service.env))
    const testServer = process.env.TEMPORAL_TEST_SERVER_PATH && existsSync(process.env.TEMPORAL_TEST_SERVER_PATH)
      ? path.resolve(process.env.TEMPORAL_TEST_SERVER_PATH)
      : toolPath('temporal-test-server')
    const resolved = {
      NODE_ENV: nodeEnv,
      PORT: String(port),
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      ...fromServices,
      TEMPORAL_TEST_SERVER_PATH: testServer,
      DAMSON_SECRETS_KEY: process.env.DAMSON_SECRETS_KEY || this.keys?.secretsKey,
      FFMPEG_PATH: process.env.FFMPEG_PATH ? path.resolve(process.env.FFMPEG_PATH) : toolPath('ffmpeg'),
      TESSERACT_PATH: process.env.TESSERACT_PATH ? path.resolve(process.env.TESSERACT_PATH) : toolPath('tesseract'),
      TESSDATA_PREFIX: process.env.TESSDATA_PREFIX ? path.resolve(process.env.TESSDATA_PREFIX) : process.env.TESSERACT_PATH ? undefined : TESSDATA_DIR,
      CHANNEL_FOLDER_ROOT: process.env.CHANNEL_FOLDER_ROOT ? path.resolve(process.env.CHANNEL_FOLDER_ROOT) : path.join(this.prof.dataDir, 'channels'),
      ...(process.env.TEMPORAL_CLI_PATH
        ? { TEMPORAL_CLI_PATH: path.resolve(process.env.TEMPORAL_CLI_PATH) }
        : toolIsCurrent('temporal')
          ? { TEMPORAL_CLI_PATH: toolPath('temporal') }
          : {}),
      ...extra,
    }
    this.env = Object.fromEntries(Object.entries(resolved).filter(([name, value]) => value !== undefined && (STACK_VARIABLES.includes(name) || name in extra)))
    writeJson(this.stackEnvFile, this.env)
    this.wroteStackEnv = true
    return this.env
  }

  get stackEnvFile() {
    return path.join(this.prof.dataDir, 'stack.env.json')
  }

  /** process.env with the stack's variables on top: what every child gets. */
  childEnv(overrides = {}) {
    // The AWS SDK's "releases after January 2027 need Node 22" notice would repeat in every
    // child; the launcher says it once at start instead (see warnAboutNodeVersion).
    const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
    return { ...quiet, ...process.env, ...this.env, ...overrides }
  }

  /** Runs `tsx <script> ...args` if the script exists, else warns and skips. */
  async tsxStep(label, script, args = [], { env = this.childEnv(), required = false } = {}) {
    if (!existsSync(path.join(ROOT, script))) {
      const message = `${label}: ${script} does not exist yet; skipped`
      if (required) throw new StackError(message)
      warn(message)
      return false
    }
    say(`${label} (tsx ${[script, ...args].join(' ')})…`)
    const started = Date.now()
    const tsx = npmBin('tsx')
    try {
      await run(tsx.command, [...tsx.prefix, script, ...args], { env })
    } catch (error) {
      throw new StackError(`${label} failed: ${errorText(error)}`)
    }
    ok(`${label} done in ${seconds(Date.now() - started)}`)
    return true
  }

  tsxStepExists(script) {
    return existsSync(path.join(ROOT, script))
  }

  async prepareDatabase() {
    await this.tsxStep('Generating the Prisma client', 'scripts/db/generate.ts')
    await this.tsxStep('Applying database migrations', 'scripts/db/migrate.ts', ['deploy'])
  }

  /** Registers a child (worker, web) to be watched and stopped before the services. */
  adopt(proc) {
    this.children.push(proc)
    proc.exited.then(() => this.#unexpected(proc))
    return proc
  }

  #unexpected(proc) {
    if (this.shuttingDown || proc.stopping) return
    fail(`${proc.name} stopped unexpectedly: ${proc.exitReason()}`)
    this.onUnexpectedExit?.(proc)
  }

  /** Stops web and worker (newest first), then the services; idempotent. */
  shutdown() {
    this.shuttingDown ??= (async () => {
      const started = Date.now()
      for (const proc of [...this.children].reverse()) {
        if (proc.exitInfo) continue
        say(`stopping ${proc.name}…`)
        await proc.stop()
      }
      const running = this.services.filter((service) => service.proc && !service.proc.exitInfo)
      if (running.length > 0) say(`stopping ${running.map((service) => service.name).join(', ')}…`)
      await stopServices(this.services)
      // Anything else still registered (e.g. a process started during a failed step).
      await Promise.all([...managed].map((proc) => proc.stop()))
      // Only our own: a launcher that refused to start must not remove a running stack's file.
      if (this.wroteStackEnv) rmSync(this.stackEnvFile, { force: true })
      ok(`stopped in ${seconds(Date.now() - started)}; no processes left running`)
    })()
    return this.shuttingDown
  }

  /** Deletes the profile's data, refusing while another stack of this profile is running on it. */
  async wipeData() {
    for (const [service, port] of [['PostgreSQL', this.prof.ports.postgres], ['Typesense', this.prof.ports.typesense]]) {
      if (!(await portIsFree(port))) {
        throw new StackError(
          `${service} is already listening on 127.0.0.1:${port}: another ${this.prof.name} stack is running ` +
            `(an \`npm test\` or \`--services-only\`). Stop it first; its data in ${path.relative(ROOT, this.prof.dataDir)} was left alone.`,
        )
      }
    }
    rmSync(this.prof.dataDir, { recursive: true, force: true })
  }

  elapsed() {
    return seconds(Date.now() - this.startedAt)
  }
}

/** Prints an error for the user: StackErrors as written, anything else with its stack. */
export function report(error) {
  if (error instanceof StackError) fail(error.message)
  else fail(error?.stack ?? String(error))
}
