/**
 * nginx.conf in real nginx, in front of a stand-in for our server (the real security-header
 * middleware and a real Socket.IO server), on loopback only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Server as IoServer } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../server/src/http/security';
import { child, findAll, parseNginx } from './support/nginx-conf';
import { NGINX_CONF, UPSTREAM_LINE, nginxTest, preparePrefix, startNginx, type RunningNginx } from './support/nginx';

const hasNginx = spawnSync('nginx', ['-v']).status === 0;
// Missing nginx fails the file: a skipped suite would report a pass for a config never run.
if (!hasNginx) throw new Error('nginx is not installed: apt-get install -y nginx (.ci/run does this)');

/** The headers nginx and the server must both send, once each, on every response. */
const SECURITY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
  'permissions-policy',
];

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  raw: string[];
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const count = (r: Reply, name: string) => r.raw.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name).length;

describe('nginx.conf in real nginx', () => {
  let root: string;
  let upstream: HttpServer;
  let upstreamPort: number;
  let io: IoServer;
  let nginx: RunningNginx;
  const upgrades: IncomingHttpHeaders[] = [];
  const bigJs = `export const data = ${JSON.stringify('x'.repeat(4000))};\n`;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'meshtalk-spa-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>meshtalk</title><div id="root"></div>');
    writeFileSync(path.join(root, 'assets', 'index-AbC123xy.js'), bigJs);
    writeFileSync(path.join(root, 'assets', 'index-AbC123xy.js.map'), '{"version":3,"sources":["../src/secret.ts"]}');

    // Stand-in server: our own header middleware, a JSON API and Socket.IO.
    const app = express();
    app.disable('x-powered-by');
    app.use(securityHeaders());
    app.get('/api/echo', (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ host: req.headers.host, proto: req.headers['x-forwarded-proto'], padding: 'y'.repeat(3000) });
    });
    app.get('/admin', (_req, res) => void res.type('html').send('<!doctype html><title>admin</title>'));
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    app.get('/metrics', (_req, res) => void res.type('text').send('secret_metric 1\n'));
    upstream = createServer(app);
    upstream.on('upgrade', (req: { headers: IncomingHttpHeaders }) => upgrades.push(req.headers));
    io = new IoServer(upstream, { serveClient: false });
    io.on('connection', (socket) => {
      socket.on('ping:me', (payload: unknown, ack: (x: unknown) => void) => ack({ pong: payload, transport: socket.conn.transport.name }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;
    nginx = await startNginx(upstreamPort, root);
  });

  afterAll(async () => {
    await nginx?.stop();
    io?.close();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
    rmSync(root, { recursive: true, force: true });
  });

  it('passes `nginx -t`', async () => {
    const prefix = await preparePrefix(upstreamPort, root);
    const r = nginxTest(prefix);
    rmSync(prefix.dir, { recursive: true, force: true });
    expect(r.output).toContain('syntax is ok');
    expect(r.status, r.output).toBe(0);
  });

  it('serves index.html for any client route (SPA fallback), revalidated each time', async () => {
    for (const p of ['/', '/room/abc', '/some/deep/link?x=1']) {
      const r = await get(`${nginx.url}${p}`, { accept: 'text/html' });
      expect(r.status, p).toBe(200);
      expect(r.body.toString(), p).toContain('<div id="root">');
      expect(r.headers['cache-control'], p).toBe('no-cache');
    }
  });

  it('caches hashed assets for a year, immutable, gzipped when asked', async () => {
    const plain = await get(`${nginx.url}/assets/index-AbC123xy.js`);
    expect(plain.status).toBe(200);
    expect(plain.body.toString()).toBe(bigJs);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await get(`${nginx.url}/assets/index-AbC123xy.js`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/i);
    expect(zipped.body.length).toBeLessThan(bigJs.length / 4);
  });

  it('answers a missing asset with 404, not the SPA, and never caches it', async () => {
    const r = await get(`${nginx.url}/assets/missing-123.js`);
    expect(r.status).toBe(404);
    expect(r.headers['cache-control']).toBeUndefined();
  });

  it('never publishes a source map, even one left in the document root', async () => {
    for (const p of ['/assets/index-AbC123xy.js.map', '/index.js.map', '/assets/missing.css.map']) {
      const r = await get(`${nginx.url}${p}`);
      expect(r.status, p).toBe(404);
      expect(r.body.toString(), p).not.toContain('sources');
    }
  });

  it('proxies /api with the Host (port kept), the scheme and gzip; the upstream keeps its own Cache-Control', async () => {
    const r = await get(`${nginx.url}/api/echo`, { 'accept-encoding': 'gzip', 'x-forwarded-proto': 'https' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(count(r, 'cache-control')).toBe(1);
    const plain = await get(`${nginx.url}/api/echo`);
    const body = JSON.parse(plain.body.toString()) as { host: string; proto: string };
    expect(body.host).toBe(`127.0.0.1:${nginx.port}`);
    expect(body.proto).toBe('http');
    expect(JSON.parse((await get(`${nginx.url}/api/echo`, { 'x-forwarded-proto': 'https' })).body.toString()).proto).toBe('https');
  });

  it('proxies /admin and /healthz to the server, and does not publish /metrics', async () => {
    expect((await get(`${nginx.url}/admin`)).body.toString()).toContain('<title>admin</title>');
    expect((await get(`${nginx.url}/healthz`)).body.toString()).toContain('ok');
    const metrics = await get(`${nginx.url}/metrics`);
    expect(metrics.status).toBe(404);
    expect(metrics.body.toString()).not.toContain('secret_metric');
    expect((await get(`${nginx.url}/nginx-healthz`)).status).toBe(200);
  });

  it('passes the WebSocket upgrade through to Socket.IO', async () => {
    const socket = ioClient(nginx.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const reply = await new Promise<{ pong: unknown; transport: string }>((resolve, reject) => {
        socket.on('connect_error', reject);
        socket.on('connect', () => socket.emit('ping:me', 'hello', resolve));
      });
      expect(reply).toEqual({ pong: 'hello', transport: 'websocket' });
      const upgrade = upgrades.at(-1);
      expect(upgrade?.upgrade).toBe('websocket');
      expect(upgrade?.connection).toMatch(/upgrade/i);
      expect(upgrade?.host).toBe(`127.0.0.1:${nginx.port}`);
    } finally {
      socket.close();
    }
  });

  it('upgrades the long-polling transport to WebSocket too (the default client path)', async () => {
    const socket = ioClient(nginx.url, { reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('connect_error', reject);
        socket.io.engine.on('upgrade', () => resolve());
      });
      expect(socket.io.engine.transport.name).toBe('websocket');
    } finally {
      socket.close();
    }
  });

  it('sends the same security headers as the server, exactly once, on every response type', async () => {
    const host = `127.0.0.1:${nginx.port}`;
    // What our server sends on its own for the same Host.
    const direct = await get(`http://127.0.0.1:${upstreamPort}/healthz`, { host });
    const cases: Array<[string, string, number]> = [
      ['HTML page', '/', 200],
      ['SPA route', '/room/xyz', 200],
      ['hashed asset', '/assets/index-AbC123xy.js', 200],
      ['missing asset (404)', '/assets/nope.js', 404],
      ['nginx refusal (404)', '/metrics', 404],
      ['proxied API', '/api/echo', 200],
      ['proxied API 404 from the server', '/api/unknown', 404],
      ['proxied admin page', '/admin', 200],
      ['proxied probe', '/healthz', 200],
      ['Socket.IO polling', '/socket.io/?EIO=4&transport=polling', 200],
    ];
    for (const [what, p, status] of cases) {
      const r = await get(`${nginx.url}${p}`);
      expect(r.status, what).toBe(status);
      for (const name of SECURITY_HEADERS) {
        expect(count(r, name), `${what}: ${name} once`).toBe(1);
        expect(r.headers[name], `${what}: ${name} as the server sends it`).toBe(direct.headers[name]);
      }
    }
    expect(direct.headers['content-security-policy']).toContain(`connect-src 'self' wss://${host} ws://${host}`);
  });

  it('keeps every add_header at server level: none in a location would silently drop them', () => {
    const tree = parseNginx(readFileSync(NGINX_CONF, 'utf8'));
    const addHeaders = findAll(tree, 'add_header');
    expect(addHeaders.length).toBeGreaterThan(10);
    for (const { directive, parents } of addHeaders) expect(parents, directive.args[0]).toEqual(['http', 'server']);
    // The same holds for proxy_set_header and proxy_hide_header (same inheritance rule).
    for (const name of ['proxy_set_header', 'proxy_hide_header']) {
      for (const { parents } of findAll(tree, name)) expect(parents, name).toEqual(['http', 'server']);
    }
  });

  it('gives /socket.io/ the upgrade headers and hour-long timeouts, and names the upstream in one line', () => {
    const text = readFileSync(NGINX_CONF, 'utf8');
    expect(text.split(UPSTREAM_LINE).length).toBe(2);
    const tree = parseNginx(text);
    const server = child(tree.find((d) => d.name === 'http'), 'server');
    const sio = child(server, 'location', '/socket.io/');
    expect(sio).toBeDefined();
    const seconds = (v: string | undefined) => Number(/^(\d+)s$/.exec(v ?? '')?.[1] ?? NaN);
    expect(seconds(child(sio, 'proxy_read_timeout')?.args[0])).toBeGreaterThanOrEqual(3600);
    expect(seconds(child(sio, 'proxy_send_timeout')?.args[0])).toBeGreaterThanOrEqual(3600);
    expect(child(server, 'proxy_set_header', 'Upgrade')?.args[1]).toBe('$http_upgrade');
    expect(child(server, 'proxy_set_header', 'Connection')?.args[1]).toBe('$connection_upgrade');
    expect(child(server, 'proxy_http_version')?.args[0]).toBe('1.1');
  });
});
