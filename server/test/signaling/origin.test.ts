/**
 * Who may talk to /socket.io/: the full Origin (scheme, host, port) against the allow-list, the
 * Host header too (DNS rebinding), on every request of a session, not only its handshake.
 * Raw HTTP here: fetch() will not send a chosen Host or Origin header, node:http will.
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, startServer, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request to the test server with exactly these headers; 101 for an accepted upgrade. */
function raw(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined && { 'content-type': 'text/plain;charset=UTF-8' }) } });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const host = () => new URL(server.url).host;
const POLL = '/socket.io/?EIO=4&transport=polling';
const upgradeHeaders = () => ({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') });

/** A polling session opened the way a non-browser client opens it (no Origin); its sid. */
async function openSession(headers: Record<string, string>): Promise<string> {
  const hs = await raw('GET', POLL, headers);
  expect(hs.status).toBe(200);
  return (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
}

describe('WebSocket Origin check (cross-site WebSocket hijacking)', () => {
  it('refuses a foreign Origin by default and admits the same origin', async () => {
    server = await startServer();
    const evil = server.client({ origin: 'https://evil.example' });
    await expect(connected(evil)).rejects.toThrow();
    const same = server.client({ origin: server.url });
    await expect(connected(same)).resolves.toBeUndefined();
  });

  it('admits exactly the configured allow-list, at the configured public host', async () => {
    server = await startServer({ ALLOWED_ORIGINS: 'https://talk.example.com' });
    await expect(connected(server.client({ origin: 'https://talk.example.com', host: 'talk.example.com' }))).resolves.toBeUndefined();
    await expect(connected(server.client({ origin: server.url, host: 'talk.example.com' }))).rejects.toThrow();
  });

  it.each([
    ['null', 'null'],
    ['another port', (h: string) => `http://${h.replace(/:\d+$/, ':1')}`],
    ['a trailing dot', (h: string) => `http://${h.replace(':', '.:')}`],
    ['a suffix', (h: string) => `http://${h.replace(':', '.evil.example:')}`],
  ])('refuses an Origin with %s', async (_label, make) => {
    server = await startServer();
    const origin = typeof make === 'string' ? make : make(host());
    expect((await raw('GET', POLL, { host: host(), origin })).status).toBe(403);
  });
});

describe('[M5] Origin and Host on every request', () => {
  it('DNS rebinding: Host and Origin both attacker-chosen are refused, with and without Origin', async () => {
    server = await startServer();
    const { port } = new URL(server.url);
    const rebound = `rebind.evil.example:${port}`;
    const withOrigin = await raw('GET', POLL, { host: rebound, origin: `http://${rebound}` });
    expect(withOrigin.status).toBe(403);
    expect(JSON.parse(withOrigin.body)).toEqual({ code: 4, message: 'host not allowed' });
    // A same-origin GET carries no Origin at all: the Host header alone must refuse it.
    expect((await raw('GET', POLL, { host: rebound })).status).toBe(403);
    expect((await raw('GET', `/socket.io/?EIO=4&transport=websocket`, { host: rebound, ...upgradeHeaders() })).status).toBe(403);
    // Our own address still works.
    expect((await raw('GET', POLL, { host: host(), origin: server.url })).status).toBe(200);
    expect((await raw('GET', POLL, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('a session opened without Origin takes no polling POST and no upgrade from a foreign Origin, and never joins', async () => {
    server = await startServer();
    const sid = await openSession({ host: host() });
    const foreign = { host: host(), origin: 'https://evil.example' };
    const connect = await raw('POST', `${POLL}&sid=${sid}`, foreign, '40');
    expect(connect.status).toBe(403);
    expect(JSON.parse(connect.body)).toEqual({ code: 4, message: 'origin not allowed' });
    const upgrade = await raw('GET', `/socket.io/?EIO=4&transport=websocket&sid=${sid}`, { ...foreign, ...upgradeHeaders() });
    expect(upgrade.status).toBe(403);
    const joinPacket = `42${JSON.stringify(['room:join', { name: 'Eve' }])}`;
    expect((await raw('POST', `${POLL}&sid=${sid}`, foreign, joinPacket)).status).toBe(403);
    expect(server.app.room.size).toBe(0);
    // The same session from our own origin goes on working.
    expect(await raw('POST', `${POLL}&sid=${sid}`, { host: host(), origin: server.url }, '40')).toEqual({ status: 200, body: 'ok' });
  });

  it('compares the full origin with PUBLIC_URL: scheme, host and port', async () => {
    server = await startServer({ PUBLIC_URL: 'https://talk.example.com' });
    const at = (origin: string, h = 'talk.example.com') => raw('GET', POLL, { host: h, origin }).then((r) => r.status);
    expect(await at('https://talk.example.com')).toBe(200);
    expect(await at('http://talk.example.com')).toBe(403);
    expect(await at('https://talk.example.com:8443')).toBe(403);
    expect(await at('https://talk.example.com', 'talk.example.com:8443')).toBe(403);
    expect(await at('https://talk.example.com', host())).toBe(403);
    // Without PUBLIC_URL our own scheme is http (no proxy said otherwise).
    await server.close();
    server = await startServer();
    expect(await at(`https://${host()}`, host())).toBe(403);
    expect(await at(`http://${host()}`, host())).toBe(200);
  });

  it('behind a proxy (TRUST_PROXY_HOPS=1) the scheme is the one the proxy forwarded', async () => {
    server = await startServer({ TRUST_PROXY_HOPS: '1' });
    const at = (origin: string, proto: string) => raw('GET', POLL, { host: host(), origin, 'x-forwarded-proto': proto }).then((r) => r.status);
    expect(await at(`https://${host()}`, 'https')).toBe(200);
    expect(await at(`http://${host()}`, 'https')).toBe(403);
  });
});
