import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join, startServer, type TestServer } from '../support/server';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe('[V1] per-socket rate limit', () => {
  it('never limits a legitimate 10-person join burst', async () => {
    const clients = Array.from({ length: 10 }, () => server.client());
    const acks = await Promise.all(clients.map((c, i) => join(c, `p${i}`)));
    const ids = acks.map((a) => (a.ok ? a.data.self.id : ''));
    // Each peer sends an offer or answer and eight trickled candidates to each of the nine others.
    const results = await Promise.all(
      clients.flatMap((c, i) =>
        ids
          .filter((_, j) => j !== i)
          .flatMap((to) => [
            c.timeout(10_000).emitWithAck('signal:send', { to, description: { type: 'offer', sdp: 'v=0\r\n' } }),
            ...Array.from({ length: 8 }, (_, k) =>
              c.timeout(10_000).emitWithAck('signal:send', { to, candidate: { candidate: `candidate:${k} 1 udp 1 127.0.0.1 ${9000 + k} typ host`, sdpMLineIndex: 0 } }),
            ),
          ]),
      ),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('[L1] drops a flood unanswered, closes the flooder, while the honest members keep getting answers', async () => {
    const [honest, other, flooder] = [server.client(), server.client(), server.client()];
    await join(honest, 'Ann');
    const ackOther = await join(other, 'Bob');
    await join(flooder, 'Flo');
    if (!ackOther.ok) throw new Error('join failed');
    const acks: { ok: boolean; error?: { code: string } }[] = [];
    const gone = new Promise<string>((resolve) => {
      setTimeout(() => resolve('still connected after 5 s'), 5_000);
      flooder.once('disconnect', resolve);
    });
    for (let i = 0; i < 3000; i++) flooder.emit('media:update', { muted: i % 2 === 0 }, (a) => acks.push(a as never));
    const honestAcks = [];
    for (let i = 0; i < 20; i++) {
      honestAcks.push(await honest.timeout(5_000).emitWithAck('signal:send', { to: ackOther.data.self.id, candidate: null }));
    }
    expect(await gone).toBe('io server disconnect');
    expect(honestAcks.every((a) => a.ok)).toBe(true);
    // Only what the bucket let through was answered; nothing dropped got an ack.
    expect(acks.length).toBeLessThanOrEqual(250);
    expect(acks.every((a) => a.ok)).toBe(true);
  });
});
