/**
 * A TCP proxy on loopback that can hold new connections without forwarding them: a
 * destination that hangs mid-delivery, so a test can kill the worker while a delivery
 * is in flight. Released connections and later ones are piped to the target.
 */
import net from 'node:net'

export type StallingProxy = {
  url: string
  /** Hold new connections (true) or forward them (false). */
  stalled: boolean
  /** Connections held so far. */
  held: () => number
  /** Forwards the held connections (what they sent meanwhile goes through) and stops holding. */
  release(): void
  close(): Promise<void>
}

export async function startStallingProxy(target: URL): Promise<StallingProxy> {
  const sockets = new Set<net.Socket>()
  let held = 0
  const holding: net.Socket[] = []
  const forward = (client: net.Socket) => {
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(upstream)
    client.pipe(upstream).pipe(client)
    const closeBoth = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', closeBoth)
    upstream.on('error', closeBoth)
    client.on('close', closeBoth)
    upstream.on('close', () => {
      sockets.delete(upstream)
      closeBoth()
    })
  }
  const proxy: StallingProxy = {
    url: '',
    stalled: false,
    held: () => held,
    release: () => {
      proxy.stalled = false
      for (const client of holding.splice(0)) if (!client.destroyed) forward(client)
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    if (proxy.stalled) {
      // Accepted and never answered: the client's request hangs, as on a stuck network.
      held++
      holding.push(client)
      return
    }
    forward(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP address')
  proxy.url = `http://127.0.0.1:${address.port}`
  return proxy
}
