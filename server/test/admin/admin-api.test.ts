import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { PeerStats } from '@meshtalk/protocol';
import { CONNECT_WINDOW_MS } from '@meshtalk/protocol/admin';
import { join, startServer, type TestClient, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

const TOKEN = 'admin-token-for-tests-0123456789';
const METRICS = 'metrics-token-for-tests-9876543210';
const get = (path: string, token?: string) => fetch(`${server.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

const peer = (peerId: string): PeerStats => ({
  peerId, state: 'connected', connectMs: 250, iceRestarts: 0, iceRestartsRecovered: 0, candidateType: 'host',
  rttMs: 2, jitterMs: 0.5, lossPct: 0, inKbps: 40, outKbps: 40,
});

/**
 * The Prometheus text exposition format, line by line: comments are HELP or TYPE, samples are
 * `name{label="value",…} number`. Returns the metric families found. NaN in any case, as
 * Prometheus reads floats (prom-client writes `Nan` for a histogram with no samples yet, such
 * as the event-loop lag in its first moments).
 */
function parsePrometheus(text: string): Map<string, string> {
  const types = new Map<string, string>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*,?)?\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|\+Inf|-Inf)( -?[0-9]+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    if (!sample.test(line)) throw new Error(`not Prometheus text: ${line}`);
  }
  return types;
}

describe('admin surface', () => {
  it('refuses the admin API and /metrics without or with a wrong token (401), never cacheable, never CORS-open', async () => {
    server = await startServer({}, { adminToken: TOKEN, metricsToken: METRICS });
    for (const path of ['/api/admin/live', '/api/admin/sessions', '/metrics']) {
      const none = await get(path);
      expect(none.status, path).toBe(401);
      expect((await get(path, 'wrong-token-wrong-token')).status, path).toBe(401);
      const token = path === '/metrics' ? METRICS : TOKEN;
      const ok = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
      expect(ok.status, path).toBe(path === '/api/admin/sessions' ? 503 : 200); // no database in this test
      expect(ok.headers.get('cache-control')).toBe('no-store');
      expect(ok.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('throttles repeated wrong tokens (429 with Retry-After), on the admin API and /metrics together', async () => {
    server = await startServer({}, { adminToken: TOKEN, metricsToken: METRICS });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(i % 2 ? '/metrics' : '/api/admin/live', `guess-${i}-xxxxxxxxxxxx`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const throttled = await get('/api/admin/live', 'one-more-guess-xxxxxxxx');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('is off entirely without a token', async () => {
    server = await startServer({}, { adminToken: null });
    expect((await get('/api/admin/live', TOKEN)).status).toBe(404);
    expect((await get('/metrics', TOKEN)).status).toBe(404);
    expect((await get('/admin')).status).toBe(404);
  });

  it('serves /metrics as Prometheus text with the room figures', async () => {
    server = await startServer({}, { adminToken: TOKEN, metricsToken: METRICS });
    const [a, b] = [server.client(), server.client()];
    await join(a, 'Ann');
    await join(b, 'Bob');
    await a.timeout(3000).emitWithAck('room:join', { name: 42 } as never); // one rejected input
    const res = await get('/metrics', METRICS);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const families = parsePrometheus(text);
    expect(families.get('meshtalk_participants')).toBe('gauge');
    expect(families.get('meshtalk_time_to_connect_seconds')).toBe('histogram');
    expect(families.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(text).toMatch(/^meshtalk_participants 2$/m);
    expect(text).toMatch(/^meshtalk_rejected_inputs_total\{reason="invalid_payload",event="room:join"\} 1$/m);
  });
});

describe('connection outcomes', () => {
  it('a timeout failure decided while an admin is polling reaches connection_failures_total and a connection_failed row', async () => {
    let t = Date.now();
    server = await startServer({}, { adminToken: TOKEN, metricsToken: METRICS, now: () => t, healthTickMs: 50 });
    const [a, b] = [server.client(), server.client()];
    expect((await join(a, 'Ann')).ok).toBe(true);
    expect((await join(b, 'Bob')).ok).toBe(true);
    // Nobody reports `connected`; the window passes while the admin page and Prometheus poll.
    t += CONNECT_WINDOW_MS + 1;
    const live = await (await get('/api/admin/live', TOKEN)).json();
    expect(live.health.success).toEqual({ attempted: 1, succeeded: 0, rate: 0 });
    await get('/metrics', METRICS);
    const failures = async () => /^meshtalk_connection_failures_total (\d+)$/m.exec(await (await get('/metrics', METRICS)).text())?.[1];
    await expect.poll(failures).toBe('1');
    expect(server.ops.filter((o) => o.kind === 'event' && o.type === 'connection_failed')).toHaveLength(1);
    // Reads decide nothing: polling again neither counts nor writes the failure twice.
    await get('/api/admin/live', TOKEN);
    expect(await failures()).toBe('1');
    expect(server.ops.filter((o) => o.kind === 'event' && o.type === 'connection_failed')).toHaveLength(1);
  });
});

describe('stats reports', () => {
  it('[R1] in a room of ROOM_CAPACITY=12 a member\'s report covering its 11 peers is accepted', async () => {
    server = await startServer({ ROOM_CAPACITY: '12' }, { adminToken: TOKEN });
    const clients: TestClient[] = Array.from({ length: 12 }, () => server.client());
    const ids: string[] = [];
    for (const [i, c] of clients.entries()) {
      const ack = await join(c, `P${i}`);
      if (!ack.ok) throw new Error(`join ${i} failed: ${ack.error.code}`);
      ids.push(ack.data.self.id);
    }
    const report = await clients[0]!.timeout(3000).emitWithAck('stats:report', { peers: ids.slice(1).map(peer) });
    expect(report).toEqual({ ok: true, data: {} });
    const live = await (await get('/api/admin/live', TOKEN)).json();
    expect(live.health.pairsByState).toMatchObject({ connected: 11 });
    // The limit follows the room, not a fixed number: a stranger among the 11 is still refused.
    const withStranger = await clients[0]!.timeout(3000).emitWithAck('stats:report', { peers: [...ids.slice(2).map(peer), peer(randomUUID())] });
    expect(!withStranger.ok && withStranger.error.code).toBe('forbidden');
  });


  it('accepts reports about one’s own links and rejects pairs the sender is not part of', async () => {
    server = await startServer({}, { adminToken: TOKEN });
    const [a, b, c] = [server.client(), server.client(), server.client()];
    const ackA = await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    const ackC = await join(c, 'Cid');
    if (!ackA.ok || !ackB.ok || !ackC.ok) throw new Error('join failed');
    const own = await a.timeout(3000).emitWithAck('stats:report', { peers: [peer(ackB.data.self.id), peer(ackC.data.self.id)] });
    expect(own.ok).toBe(true);
    const self = await a.timeout(3000).emitWithAck('stats:report', { peers: [peer(ackA.data.self.id)] });
    expect(!self.ok && self.error.code).toBe('forbidden');
    const stranger = await a.timeout(3000).emitWithAck('stats:report', { peers: [peer('0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f')] });
    expect(!stranger.ok && stranger.error.code).toBe('forbidden');
    const outsider = server.client();
    const notJoined = await outsider.timeout(3000).emitWithAck('stats:report', { peers: [peer(ackB.data.self.id)] });
    expect(!notJoined.ok && notJoined.error.code).toBe('not_in_room');

    const live = await (await get('/api/admin/live', TOKEN)).json();
    expect(live.participants).toHaveLength(3);
    expect(live.health.pairs).toHaveLength(3);
    expect(live.health.pairsByState).toMatchObject({ connected: 2 });
    expect(server.ops.filter((o) => o.kind === 'connection_report').map((o) => o.kind === 'connection_report' && o.fromId)).toEqual([ackA.data.self.id, ackA.data.self.id]);
  });

  it('warns the two ends of a lossy pair, and only them', async () => {
    let t = Date.now();
    server = await startServer({}, { adminToken: TOKEN, now: () => t });
    const [a, b, c] = [server.client(), server.client(), server.client()];
    const ackA = await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    const ackC = await join(c, 'Cid');
    if (!ackA.ok || !ackB.ok || !ackC.ok) throw new Error('join failed');
    const seen = { a: [] as unknown[], b: [] as unknown[], c: [] as unknown[] };
    a.on('link:quality', (q) => seen.a.push(q));
    b.on('link:quality', (q) => seen.b.push(q));
    c.on('link:quality', (q) => seen.c.push(q));
    await a.timeout(3000).emitWithAck('stats:report', { peers: [{ ...peer(ackB.data.self.id), lossPct: 7 }, peer(ackC.data.self.id)] });
    await expect.poll(() => seen.b).toEqual([{ peerId: ackA.data.self.id, quality: 'poor', lossPct: 7 }]);
    expect(seen.a).toEqual([{ peerId: ackB.data.self.id, quality: 'poor', lossPct: 7 }]);
    expect(seen.c).toEqual([]);
    // One timeline row per change of the pair, named for what it is: poor, then bad (a change
    // of level at most every 5 s).
    t += 5_000;
    await a.timeout(3000).emitWithAck('stats:report', { peers: [{ ...peer(ackB.data.self.id), lossPct: 20 }, peer(ackC.data.self.id)] });
    const linkRows = () => server.ops.flatMap((o) => (o.kind === 'event' && o.type.startsWith('link_') ? [`${o.type}:${String(o.detail.quality)}`] : []));
    await expect.poll(linkRows).toEqual(['link_poor:poor', 'link_bad:bad']);
  });
});
