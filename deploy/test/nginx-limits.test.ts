/**
 * nginx.conf's connection limits in real nginx, on loopback: idle WebSockets from one client are
 * capped (429) while every other visitor still gets the page and a socket; the whole server
 * holds far more sockets than one attacker is allowed; behind Google's load balancer the cap
 * follows the client address the balancer forwards and cannot be escaped by forging
 * X-Forwarded-For; a header that never ends is cut off. The upstream is a bare stand-in that
 * accepts every upgrade and holds it, so what is measured is nginx alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { child, findAll, parseNginx } from './support/nginx-conf';
import { NGINX_CONF, startNginx, type RunningNginx } from './support/nginx';
import { closeAll, dripHeader, getFrom, tally, upgrade, upgradeMany, type Attempt } from './support/raw-http';

if (spawnSync('nginx', ['-v']).status !== 0) throw new Error('nginx is not installed: apt-get install -y nginx (.ci/run does this)');

const tree = parseNginx(readFileSync(NGINX_CONF, 'utf8'));
const http = tree.find((d) => d.name === 'http');
const server = child(http, 'server');
/** The per-client cap the shipped config sets (`limit_conn <zone> N` at server level). */
const PER_CLIENT = Number(child(server, 'limit_conn')?.args[1] ?? NaN);
/** One attacker, as in the review (985 were enough): idle WebSockets from one address, more than the old 2 × 1,024 slots hold. */
const FLOOD = 1_500;
/** Many visitors under the cap: as many sockets as 2 × 1,024 slots could hold, twice over. */
const CROWD = { addresses: 80, each: 25 };

describe('nginx.conf connection limits in real nginx', () => {
  let root: string;
  let upstream: Server;
  const held = new Set<Socket>();
  let nginx: RunningNginx;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'meshtalk-spa-'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>meshtalk</title><div id="root"></div>');
    upstream = createServer((_req, res) => res.end('ok'));
    upstream.on('upgrade', (_req, socket: Socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    // 127.0.0.9 plays Google's load balancer: its X-Forwarded-For names the client.
    nginx = await startNginx((upstream.address() as AddressInfo).port, root, { googleLb: '127.0.0.9' });
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
    rmSync(root, { recursive: true, force: true });
  });

  /** A newcomer from an address of its own: the page and a socket. */
  const newcomer = async (from: string) => ({ page: await getFrom(nginx.port, from), socket: await upgrade({ port: nginx.port, from }) });

  it('caps connections per client at 20–30, answered 429, with more slots per worker than one client may take', () => {
    expect(PER_CLIENT).toBeGreaterThanOrEqual(20);
    expect(PER_CLIENT).toBeLessThanOrEqual(30);
    const zone = child(http, 'limit_conn_zone');
    expect(zone?.args[0]).toBe('$client_key');
    expect(child(http, 'map', '$from_google_lb:$http_x_forwarded_for', '$client_key')?.block?.find((d) => d.name === 'default')?.args[0]).toBe('$binary_remote_addr');
    expect(child(http, 'limit_conn_status')?.args[0]).toBe('429');
    // Every location inherits the server-level cap; none lifts or replaces it.
    for (const { parents } of findAll(tree, 'limit_conn')) expect(parents).toEqual(['http', 'server']);
    const workerConnections = Number(child(tree.find((d) => d.name === 'events'), 'worker_connections')?.args[0]);
    expect(workerConnections).toBeGreaterThanOrEqual(4096);
    expect(Number(tree.find((d) => d.name === 'worker_rlimit_nofile')?.args[0])).toBeGreaterThanOrEqual(2 * workerConnections);
  });

  it(`${FLOOD} idle WebSockets from one address: ${PER_CLIENT} open, the rest refused 429; a newcomer still gets the page and a socket`, async () => {
    const attempts = await upgradeMany(Array.from({ length: FLOOD }, () => ({ port: nginx.port, from: '127.0.0.1' })));
    let late: Attempt | undefined;
    try {
      const { page, socket } = await newcomer('127.0.0.2');
      late = socket;
      expect({ flood: tally(attempts), page, socket: socket.outcome }).toEqual({ flood: { 101: PER_CLIENT, 429: FLOOD - PER_CLIENT }, page: 200, socket: 101 });
    } finally {
      closeAll(attempts);
      late?.socket.destroy();
    }
  }, 120_000);

  it(`${CROWD.addresses * CROWD.each} idle WebSockets from ${CROWD.addresses} addresses, each under the cap, still leave room for a newcomer`, async () => {
    const specs = Array.from({ length: CROWD.addresses * CROWD.each }, (_, i) => ({ port: nginx.port, from: `127.0.1.${(i % CROWD.addresses) + 1}` }));
    const attempts = await upgradeMany(specs);
    let late: Attempt | undefined;
    try {
      const { page, socket } = await newcomer('127.0.2.1');
      late = socket;
      expect({ flood: tally(attempts), page, socket: socket.outcome }).toEqual({ flood: { 101: CROWD.addresses * CROWD.each }, page: 200, socket: 101 });
    } finally {
      closeAll(attempts);
      late?.socket.destroy();
    }
  }, 120_000);

  it("behind Google's load balancer the cap follows the forwarded client; anyone else's X-Forwarded-For is ignored", async () => {
    const viaLb = (client: string, n: number) =>
      Array.from({ length: n }, () => ({ port: nginx.port, from: '127.0.0.9', headers: { 'X-Forwarded-For': `${client}, 198.51.100.1` } }));
    const attempts: Attempt[] = [];
    try {
      // One client through the balancer is capped like a direct one ...
      attempts.push(...(await upgradeMany(viaLb('203.0.113.7', PER_CLIENT + 10))));
      expect(tally(attempts)).toEqual({ 101: PER_CLIENT, 429: 10 });
      // ... and the other clients behind the same balancer address are not.
      const other = await upgradeMany(viaLb('203.0.113.8', 5));
      attempts.push(...other);
      expect(tally(other)).toEqual({ 101: 5 });
      // A client that is not the balancer cannot pose as many by rotating X-Forwarded-For.
      const forged = await upgradeMany(
        Array.from({ length: PER_CLIENT + 10 }, (_, i) => ({ port: nginx.port, from: '127.0.0.3', headers: { 'X-Forwarded-For': `192.0.2.${i + 1}, 198.51.100.1` } })),
      );
      attempts.push(...forged);
      expect(tally(forged)).toEqual({ 101: PER_CLIENT, 429: 10 });
    } finally {
      closeAll(attempts);
    }
  }, 60_000);

  it('cuts off a request header that never ends within client_header_timeout (10 s), however slowly it drips', async () => {
    // A line every second keeps the connection busy; the header's deadline is total, not per line.
    const openMs = await dripHeader(nginx.port, 1_000, 30_000);
    const timeout = Number(/^(\d+)s$/.exec(child(http, 'client_header_timeout')?.args[0] ?? '')?.[1]);
    expect(timeout, `open ${openMs} ms`).toBeLessThanOrEqual(60);
    expect(Number(/^(\d+)s$/.exec(child(http, 'client_body_timeout')?.args[0] ?? '')?.[1])).toBeLessThanOrEqual(60);
    expect(openMs).toBeGreaterThanOrEqual(timeout * 1000 - 500);
    expect(openMs).toBeLessThan(timeout * 1000 + 3_000);
  }, 40_000);
});
