import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, join, startServer, type TestServer } from '../support/server';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe('concurrency on a real server', () => {
  it('[R1] 20 concurrent joins admit exactly 10 and tell the other 10 room_full', async () => {
    const clients = Array.from({ length: 20 }, () => server.client());
    const acks = await Promise.all(clients.map((c, i) => join(c, `person ${i}`)));
    const admitted = acks.filter((a) => a.ok);
    const refused = acks.filter((a) => !a.ok);
    expect(admitted).toHaveLength(10);
    expect(refused).toHaveLength(10);
    for (const r of refused) expect(!r.ok && r.error.code).toBe('room_full');
    expect(server.app.room.size).toBe(10);
    // Refusals are tallied, not written one row each: one row with the count when the tally is written.
    const tallies = () => server.ops.filter((o) => o.kind === 'event' && o.type === 'room_full_rejected');
    expect(tallies()).toHaveLength(0);
    server.app.signaling.shutdown();
    expect(tallies().map((o) => o.kind === 'event' && o.detail.count)).toEqual([10]);
  });

  it('[R2] the joiner gets a snapshot of everyone already present; the others get participant:joined', async () => {
    const a = server.client();
    const b = server.client();
    await join(a, 'Ann');
    const joinedSeenByA = collect(a, 'participant:joined');
    const ackB = await join(b, 'Bob');
    expect(ackB.ok && ackB.data.participants.map((p) => p.name)).toEqual(['Ann']);
    await expect.poll(() => joinedSeenByA.map((p) => p.name)).toEqual(['Bob']);
  });

  it('[S1] 10 concurrent claims yield exactly one holder, and all 10 see the same holder', async () => {
    const clients = Array.from({ length: 10 }, () => server.client());
    const selfIds: string[] = [];
    for (const [i, c] of clients.entries()) {
      const ack = await join(c, `p${i}`);
      if (ack.ok) selfIds.push(ack.data.self.id);
    }
    const seen = clients.map((c) => collect(c, 'screen:changed'));
    const claims = await Promise.all(clients.map((c) => c.timeout(5000).emitWithAck('screen:claim', {})));
    const granted = claims.filter((c) => c.ok);
    expect(granted).toHaveLength(1);
    const holderIndex = claims.findIndex((c) => c.ok);
    const holderId = selfIds[holderIndex];
    for (const c of claims) {
      if (!c.ok) {
        expect(c.error.code).toBe('screen_busy');
        expect(c.error.details?.holderId).toBe(holderId);
      }
    }
    for (const s of seen) await expect.poll(() => s.map((e) => e.screen?.holderId)).toEqual([holderId]);
  });
});
