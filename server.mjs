/**
 * The production web server: Express in front of the Remix build.
 *
 * Why not remix-serve: loaders need the client's address (per-IP sign-in limits,
 * audit rows) and remix-serve gives them none. Here X-Forwarded-For is set from the
 * socket — overwriting whatever the client sent — unless TRUST_PROXY says a proxy
 * in front of us sets it.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequestHandler } from '@remix-run/express'
import express from 'express'

const root = path.dirname(fileURLToPath(import.meta.url))
const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '0.0.0.0'
const trustProxy = ['1', 'true'].includes((process.env.TRUST_PROXY ?? '').toLowerCase())

// DAMSON_BUILD_DIR: another build than build/ (tests serve a build of their own).
const buildDir = process.env.DAMSON_BUILD_DIR ? path.resolve(process.env.DAMSON_BUILD_DIR) : path.join(root, 'build')
const build = await import(path.join(buildDir, 'server/index.js'))
const app = express()
app.disable('x-powered-by')
// One trusted hop: the proxy's own entry in X-Forwarded-For is believed, anything the
// client wrote before it is not (proxies append to what the client sent).
app.set('trust proxy', trustProxy ? 1 : false)

app.use((req, res, next) => {
  // The app reads the client address from X-Forwarded-For; make it the one Express
  // derived (the socket, or the trusted proxy's entry), never a value the client chose.
  req.headers['x-forwarded-for'] = req.ip ?? req.socket.remoteAddress ?? 'unknown'
  delete req.headers['x-real-ip']
  if (!trustProxy) {
    // Only a trusted proxy may say which host or scheme the client used.
    delete req.headers['x-forwarded-host']
    delete req.headers['x-forwarded-proto']
  }
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Referrer-Policy', 'same-origin')
  next()
})

// Remix refuses a form post whose Origin host differs from its Host with an empty 500
// before any of our code runs (server-runtime's throwIfPotentialCSRFAttack). Answer the
// same condition with a 403 that says why. The app's own assertSameOrigin still guards
// every mutation behind it.
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
// Origins a proxy serves us under while rewriting Host (ALLOWED_ORIGINS, comma-separated).
const allowedOriginHosts = new Set(
  (process.env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .flatMap((origin) => {
      try {
        return [new URL(origin).host]
      } catch {
        return []
      }
    }),
)
app.use((req, res, next) => {
  if (!UNSAFE_METHODS.has(req.method)) return next()
  const origin = req.get('origin')
  if (!origin) return next()
  const host = req.get('x-forwarded-host')?.split(',')[0]?.trim() || req.get('host')
  let originHost
  try {
    originHost = new URL(origin).host
  } catch {
    originHost = undefined
  }
  if (host && originHost === host) return next()
  if (originHost && allowedOriginHosts.has(originHost)) {
    // Present the request as the public host it was posted to, which Remix then accepts.
    req.headers['x-forwarded-host'] = originHost
    return next()
  }
  res.status(403).type('text/plain').send('Cross-site request refused: this form was posted from another site.')
})

// Fingerprinted build assets are immutable; everything else in public/ briefly cached.
app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }))
app.use(express.static(path.join(buildDir, 'client'), { maxAge: '1h' }))
// Always production mode here: this server runs a production build, and development mode
// would send stack traces to browsers (`npm start` sets NODE_ENV=development for the demo).
app.all('*', createRequestHandler({ build, mode: 'production' }))

const server = app.listen(port, host, () => {
  console.log(`web server listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`)
})
// Node cuts a request off five minutes after it began; a 5 GB original over a slow link,
// or a zip whose thousand files are imported before the answer, takes longer. Headers
// keep Node's own 60-second limit, so a client that never finishes them is still dropped.
server.requestTimeout = 2 * 60 * 60 * 1000

function shutdown() {
  server.close(() => process.exit(0))
  // Keep-alive connections would hold close() open; don't wait on them for long.
  setTimeout(() => process.exit(0), 5_000).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
