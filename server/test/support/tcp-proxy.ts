/**
 * A TCP proxy on 127.0.0.1 (port 0) in front of a real server: a database outage on demand.
 *
 *   const proxy = await startTcpProxy('127.0.0.1', 5432);
 *   const store = await openStore({ databaseUrl: proxy.via(db.url), dataDir: 'unused' });
 *   proxy.cut();      // every live connection is destroyed; new ones are closed on arrival
 *   proxy.restore();  // new connections go through again
 *   await proxy.close();
 *
 * While cut, the proxy still accepts and then closes at once, so a client sees its connection
 * end during the handshake (as with a server that is restarting) rather than waiting for a
 * connect timeout.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The loopback port the proxy listens on. */
  readonly port: number;
  /** Connections currently piped through (client and upstream sides counted as one). */
  readonly connections: number;
  /** The same URL with host and port replaced by the proxy's (e.g. a postgres:// URL). */
  via(url: string): string;
  /** Destroys live connections and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** Destroys everything and stops listening. */
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let open = true;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    if (!open) {
      client.on('error', () => {});
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const s of pair) {
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const destroyAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    get connections() {
      return pairs.size;
    },
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      open = false;
      destroyAll();
    },
    restore() {
      open = true;
    },
    close() {
      open = false;
      destroyAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
