import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, join, startServer, sleep, type TestServer } from '../support/server';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

describe('[G1] signal relay', () => {
  it('relays between members with from stamped by the server', async () => {
    const [a, b] = [server.client(), server.client()];
    const ackA = await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    if (!ackA.ok || !ackB.ok) throw new Error('join failed');
    const got = collect(b, 'signal:receive');
    const r = await a.timeout(3000).emitWithAck('signal:send', { to: ackB.data.self.id, description: offer });
    expect(r.ok).toBe(true);
    await expect.poll(() => got).toEqual([{ from: ackA.data.self.id, description: offer }]);
  });

  it('relays a signal sent without asking for an ack, and sends no ack back', async () => {
    const [a, b] = [server.client(), server.client()];
    const ackA = await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    if (!ackA.ok || !ackB.ok) throw new Error('join failed');
    const got = collect(b, 'signal:receive');
    const inbound: unknown[] = [];
    a.io.engine.on('packet', (packet: { type: string; data?: unknown }) => void (packet.type === 'message' && inbound.push(packet.data)));
    // No ack callback (the protocol's types ask for one on every request).
    (a as unknown as { emit(event: string, payload: unknown): void }).emit('signal:send', { to: ackB.data.self.id, description: offer });
    await expect.poll(() => got).toEqual([{ from: ackA.data.self.id, description: offer }]);
    await sleep(200);
    // Socket.IO's ack packets start with 3 (ACK); none came back for the signal.
    expect(inbound.filter((d) => typeof d === 'string' && d.startsWith('3'))).toEqual([]);
  });

  it('a spoofed from is refused and never arrives', async () => {
    const [a, b, c] = [server.client(), server.client(), server.client()];
    await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    const ackC = await join(c, 'Cid');
    if (!ackB.ok || !ackC.ok) throw new Error('join failed');
    const atB = collect(b, 'signal:receive');
    const r = await a.timeout(3000).emitWithAck('signal:send', { to: ackB.data.self.id, from: ackC.data.self.id, description: offer } as never);
    expect(!r.ok && r.error.code).toBe('invalid_payload');
    await sleep(200);
    expect(atB).toEqual([]);
  });

  it('signals to non-members, and from sockets that never joined, never arrive', async () => {
    const [a, b, outsider] = [server.client(), server.client(), server.client()];
    await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    if (!ackB.ok) throw new Error('join failed');
    const atB = collect(b, 'signal:receive');
    const toNobody = await a.timeout(3000).emitWithAck('signal:send', { to: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f', description: offer });
    expect(!toNobody.ok && toNobody.error.code).toBe('not_in_room');
    const fromOutsider = await outsider.timeout(3000).emitWithAck('signal:send', { to: ackB.data.self.id, description: offer });
    expect(!fromOutsider.ok && fromOutsider.error.code).toBe('not_in_room');
    await sleep(200);
    expect(atB).toEqual([]);
  });

  it('[M1] mute state is kept and broadcast', async () => {
    const [a, b] = [server.client(), server.client()];
    const ackA = await join(a, 'Ann');
    await join(b, 'Bob');
    const updates = collect(b, 'participant:updated');
    await a.timeout(3000).emitWithAck('media:update', { muted: true });
    await expect.poll(() => updates.map((u) => u.muted)).toEqual([true]);
    const late = server.client();
    const ackLate = await join(late, 'Late');
    expect(ackLate.ok && ackLate.data.participants.find((p) => p.id === (ackA.ok && ackA.data.self.id))?.muted).toBe(true);
  });
});

describe('speaking', () => {
  it('passes a speaking change to everyone else, never true for a muted person, and refuses non-members and floods', async () => {
    const [a, b, c] = [server.client(), server.client(), server.client()];
    const ackA = await join(a, 'Ann');
    await join(b, 'Bob');
    await join(c, 'Cid');
    if (!ackA.ok) throw new Error('join failed');
    const atA = collect(a, 'participant:speaking');
    const atB = collect(b, 'participant:speaking');
    const atC = collect(c, 'participant:speaking');
    expect((await a.timeout(3000).emitWithAck('speaking:update', { speaking: true })).ok).toBe(true);
    await expect.poll(() => atB).toEqual([{ id: ackA.data.self.id, speaking: true }]);
    await expect.poll(() => atC).toEqual([{ id: ackA.data.self.id, speaking: true }]);

    await a.timeout(3000).emitWithAck('media:update', { muted: true });
    await a.timeout(3000).emitWithAck('speaking:update', { speaking: true });
    await expect.poll(() => atB.at(-1)).toEqual({ id: ackA.data.self.id, speaking: false });
    expect(atA).toEqual([]);

    const bad = await a.timeout(3000).emitWithAck('speaking:update', { speaking: 'yes' } as never);
    expect(!bad.ok && bad.error.code).toBe('invalid_payload');
    const outsider = server.client();
    const fromOutsider = await outsider.timeout(3000).emitWithAck('speaking:update', { speaking: true });
    expect(!fromOutsider.ok && fromOutsider.error.code).toBe('not_in_room');

    // A flood is cut off by the per-person limit: at most the burst gets through at once.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => a.timeout(3000).emitWithAck('speaking:update', { speaking: i % 2 === 0 })));
    const refused = answers.filter((r) => !r.ok && r.error.code === 'rate_limited').length;
    expect(refused).toBeGreaterThan(15);
    expect(a.connected).toBe(true);
  });
});

describe('[V1] validation', () => {
  it('refuses bad names with invalid_payload and keeps the socket up', async () => {
    const a = server.client();
    for (const name of ['', '   ', 'x'.repeat(65), 'evil\u202Eeman', 'bell\u0007', 42]) {
      const r = await a.timeout(3000).emitWithAck('room:join', { name } as never);
      expect(!r.ok && r.error.code, JSON.stringify(name)).toBe('invalid_payload');
    }
    expect(a.connected).toBe(true);
    const ok = await join(a, '  Ann\u0301 ');
    expect(ok.ok && ok.data.self.name).toBe('Ann\u0301'.normalize('NFC'));
  });

  it('refuses an SDP over 32 KB and a candidate over 1 KB', async () => {
    const [a, b] = [server.client(), server.client()];
    await join(a, 'Ann');
    const ackB = await join(b, 'Bob');
    if (!ackB.ok) throw new Error('join failed');
    const big = await a.timeout(3000).emitWithAck('signal:send', { to: ackB.data.self.id, description: { type: 'offer', sdp: 'a'.repeat(33 * 1024) } });
    expect(!big.ok && big.error.code).toBe('invalid_payload');
    const cand = await a.timeout(3000).emitWithAck('signal:send', { to: ackB.data.self.id, candidate: { candidate: 'c'.repeat(1025) } });
    expect(!cand.ok && cand.error.code).toBe('invalid_payload');
    expect(a.connected).toBe(true);
  });

  it('answers unknown events with invalid_payload', async () => {
    const a = server.client();
    const r = await (a.timeout(3000) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<{ ok: boolean; error?: { code: string } }> }).emitWithAck('admin:nuke', {});
    expect(r.error?.code).toBe('invalid_payload');
  });
});
