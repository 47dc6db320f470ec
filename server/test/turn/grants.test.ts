/**
 * M1: TURN usernames on the real server. A participant keeps one username within its lifetime
 * (a rejoin, a page refresh, a resume does not mint another), the default lifetime is short
 * (the in-call ice:refresh renews it), and one address cannot mint without limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config';
import { join, sleep, startServer, type TestServer } from '../support/server';

const TURN = { TURN_URLS: 'turn:turn.example.com:3478', TURN_SECRET: 'north-wind-correct-horse-battery' };
let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const turnUser = (ack: Awaited<ReturnType<typeof join>>) => (ack.ok ? ack.data.iceServers.find((s) => s.username)?.username ?? null : 'join failed');

describe('[M1] TURN usernames', () => {
  it('defaults to a lifetime of at most ten minutes', () => {
    expect(testConfig().TURN_TTL_SEC).toBeLessThanOrEqual(600);
  });

  it('gives a participant the same username when it joins again within the lifetime', async () => {
    server = await startServer(TURN);
    const first = server.client();
    const ack = await join(first, 'Ann');
    if (!ack.ok) throw new Error('join failed');
    expect((await first.timeout(3_000).emitWithAck('room:leave', {})).ok).toBe(true);
    await sleep(1_100); // a new mint would carry a later expiry second
    const again = server.client();
    const ack2 = await join(again, 'Ann', { participantId: ack.data.self.id, resumeToken: ack.data.resumeToken });
    expect(turnUser(ack2)).toBe(turnUser(ack));
    if (!ack2.ok) throw new Error('join failed');
    expect(ack2.data.iceServersExpireAt).toBe(ack.data.iceServersExpireAt);
  });

  it('limits new usernames per address: past the budget a join gets no TURN server', async () => {
    server = await startServer({ ...TURN, TURN_MINTS_PER_MIN: '5' });
    const users: (string | null)[] = [];
    for (let i = 0; i < 8; i++) {
      const c = server.client();
      users.push(turnUser(await join(c, `P${i}`)));
      await c.timeout(3_000).emitWithAck('room:leave', {});
      c.disconnect();
    }
    expect(users.slice(0, 5).every((u) => typeof u === 'string' && u.length > 0)).toBe(true);
    expect(users.slice(5)).toEqual([null, null, null]);
  });
});
