/**
 * M6: reports that pass the schema are still one client's word. One liar in the room must not
 * set the room's figures, and flapping claims must not flood the others with warnings.
 * Real server, real sockets; the clock is the test's, so windows pass without waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveResponse } from '@meshtalk/protocol/admin';
import type { PeerStats } from '@meshtalk/protocol';
import { collect, join, startServer, type TestClient, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

const TOKEN = 'admin-token-for-tests-0123456789';
const live = async (): Promise<LiveResponse> => (await fetch(`${server.url}/api/admin/live`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<LiveResponse>;

const link = (peerId: string, over: Partial<PeerStats> = {}): PeerStats => ({
  peerId, state: 'connected', connectMs: 250, iceRestarts: 0, iceRestartsRecovered: 0, candidateType: 'host',
  rttMs: 20, jitterMs: 2, lossPct: 0, inKbps: 40, outKbps: 40, ...over,
});
const report = (c: TestClient, peers: PeerStats[]) => c.timeout(3000).emitWithAck('stats:report', { peers });

async function room(n: number): Promise<{ clients: TestClient[]; ids: string[] }> {
  const clients: TestClient[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = server.client();
    const ack = await join(c, `P${i}`);
    if (!ack.ok) throw new Error(`join ${i} failed`);
    clients.push(c);
    ids.push(ack.data.self.id);
  }
  return { clients, ids };
}

describe('[M6] lying reports', () => {
  it('refuses a link with more recovered ICE restarts than restarts, and a peer named twice in any case', async () => {
    server = await startServer({}, { adminToken: TOKEN });
    const { clients, ids } = await room(2);
    const liar = await report(clients[0]!, [link(ids[1]!, { iceRestarts: 0, iceRestartsRecovered: 100_000 })]);
    expect(liar.ok ? 'accepted' : liar.error).toEqual({ code: 'invalid_payload', message: expect.stringMatching(/iceRestartsRecovered.*iceRestarts/) });
    const twice = await report(clients[0]!, [link(ids[1]!), link(ids[1]!.toUpperCase())]);
    expect(!twice.ok && twice.error.code).toBe('invalid_payload');
  });

  it('one liar among five cannot drive the room’s RTT, jitter, loss or ICE restart figures', async () => {
    let t = Date.now();
    server = await startServer({}, { adminToken: TOKEN, now: () => t });
    const { clients, ids } = await room(5);
    const [liar, ...honest] = clients;
    // Honest members: 20 ms, 2 ms jitter, no loss, to everyone.
    for (const [i, c] of honest.entries()) expect((await report(c, ids.filter((id) => id !== ids[i + 1]).map((id) => link(id)))).ok).toBe(true);
    // The liar: the schema's worst figures about every one of its links, again and again.
    for (let k = 0; k < 5; k++) {
      t += 1_000;
      const lies = ids.slice(1).map((id) => link(id, { rttMs: 60_000, jitterMs: 60_000, lossPct: 100, iceRestarts: 100_000, iceRestartsRecovered: 100_000 }));
      expect((await report(liar!, lies)).ok).toBe(true);
    }
    const h = (await live()).health;
    for (const v of Object.values(h.rtt)) expect(v).toBeLessThanOrEqual(20);
    for (const v of Object.values(h.jitter)) expect(v).toBeLessThanOrEqual(2);
    for (const v of Object.values(h.loss)) expect(v).toBe(0);
    // Restarts count from what the server saw grow, at a plausible pace: not 100,000 per link.
    expect(h.iceRestarts.total).toBeLessThanOrEqual(4 * 2);
    expect(h.iceRestarts.recovered).toBeLessThanOrEqual(h.iceRestarts.total);
  });

  it('flapping loss reports produce at most one link:quality change per link per 5 s', async () => {
    let t = Date.now();
    server = await startServer({}, { adminToken: TOKEN, now: () => t, healthTickMs: 20 });
    const { clients, ids } = await room(2);
    const [liar, victim] = clients;
    const warnings = collect(victim!, 'link:quality');
    // 10 s of the liar's clock: 100 reports alternating between no loss and half lost.
    for (let k = 0; k < 100; k++) {
      t += 100;
      await report(liar!, [link(ids[1]!, { lossPct: k % 2 ? 0 : 50 })]);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(3); // at 0 s, and at most once in each 5 s after
    // The liar stops at "half lost": when the window has passed, the last word is delivered.
    await report(liar!, [link(ids[1]!, { lossPct: 50 })]);
    t += 5_000;
    await expect.poll(() => warnings.at(-1)?.quality, { timeout: 3_000 }).toBe('bad');
  });
});
