/**
 * L2: the HTTP server cuts a request whose headers drip in (slow-loris) after HEADERS_TIMEOUT_MS,
 * holds at most HTTP_MAX_CONNECTIONS connections, and still keeps an idle keep-alive connection
 * open long after that (the load balancer reuses it).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, startServer, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const open = (url: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const s = connect(Number(port), hostname, () => resolve(s));
    s.on('error', reject);
  });

/** Resolves with how long the peer took to close the socket, or null if it did not within `ms`. */
const closedWithin = (s: Socket, ms: number): Promise<number | null> =>
  new Promise((resolve) => {
    const started = performance.now();
    const t = setTimeout(() => resolve(null), ms);
    s.on('error', () => {});
    s.once('close', () => {
      clearTimeout(t);
      resolve(performance.now() - started);
    });
  });

describe('[L2] HTTP server time-outs and connection cap', () => {
  it('closes a request whose headers never end, but keeps an idle keep-alive connection', { timeout: 20_000 }, async () => {
    server = await startServer({ HEADERS_TIMEOUT_MS: '2000' });
    expect(server.app.httpServer.headersTimeout).toBe(2000);
    expect(server.app.httpServer.keepAliveTimeout).toBeGreaterThan(600_000);
    const loris = await open(server.url);
    loris.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const drip = setInterval(() => loris.write('a'), 500);
    const idle = await open(server.url);
    idle.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    try {
      const lorisClosed = closedWithin(loris, 8_000);
      const idleClosed = closedWithin(idle, 8_000);
      expect(await lorisClosed).not.toBeNull();
      expect(await idleClosed).toBeNull();
    } finally {
      clearInterval(drip);
      loris.destroy();
      idle.destroy();
    }
  });

  it('holds at most HTTP_MAX_CONNECTIONS connections', async () => {
    server = await startServer({ HTTP_MAX_CONNECTIONS: '10' });
    const sockets: Socket[] = [];
    let closedCount = 0;
    for (let i = 0; i < 15; i++) {
      const s = await open(server.url);
      s.on('error', () => {});
      s.on('close', () => (closedCount += 1));
      sockets.push(s);
    }
    try {
      await sleep(500);
      expect(closedCount).toBe(5);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
