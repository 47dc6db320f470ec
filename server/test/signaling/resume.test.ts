import { afterEach, describe, expect, it } from 'vitest';
import { collect, connected, join, next, startServer, sleep, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe('identity across connections', () => {
  it('[R3][S2] a resume after a network drop keeps the slot and the screen lock; nobody sees a leave', async () => {
    server = await startServer({ GRACE_MS: '5000' });
    const a1 = server.client();
    const b = server.client();
    const ackA = await join(a1, 'Ann');
    await join(b, 'Bob');
    if (!ackA.ok) throw new Error('join failed');
    const claim = await a1.timeout(3000).emitWithAck('screen:claim', {});
    expect(claim.ok).toBe(true);
    const leftSeenByB = collect(b, 'participant:left');
    const updates = collect(b, 'participant:updated');

    a1.io.engine.close(); // the network goes away: a transport close, not a deliberate leave
    await expect.poll(() => updates.some((p) => p.id === ackA.data.self.id && !p.connected)).toBe(true);

    const a2 = server.client();
    const resumed = await join(a2, 'Ann', { participantId: ackA.data.self.id, resumeToken: ackA.data.resumeToken });
    expect(resumed.ok && resumed.data.resumed).toBe(true);
    expect(resumed.ok && resumed.data.self.id).toBe(ackA.data.self.id);
    expect(resumed.ok && resumed.data.screen?.holderId).toBe(ackA.data.self.id);
    expect(server.app.room.size).toBe(2);
    await expect.poll(() => updates.some((p) => p.id === ackA.data.self.id && p.connected)).toBe(true);
    // A release with the epoch of the current grant still works after the resume.
    const release = await a2.timeout(3000).emitWithAck('screen:release', { epoch: claim.ok ? claim.data.epoch : 0 });
    expect(release.ok).toBe(true);
    await sleep(100);
    expect(leftSeenByB).toEqual([]);
  });

  it('[R3] a refresh while the old socket still lives replaces it: no ghost, no second slot', async () => {
    server = await startServer();
    const old = server.client();
    const b = server.client();
    const ack = await join(old, 'Ann');
    await join(b, 'Bob');
    if (!ack.ok) throw new Error('join failed');
    const closed = next(old, 'room:closed');
    const fresh = server.client();
    const again = await join(fresh, 'Ann', { participantId: ack.data.self.id, resumeToken: ack.data.resumeToken });
    expect(again.ok && again.data.resumed).toBe(true);
    expect((await closed).reason).toBe('replaced');
    await expect.poll(() => old.connected).toBe(false);
    expect(server.app.room.participants().map((p) => p.name).sort()).toEqual(['Ann', 'Bob']);
  });

  it('[R3] a wrong resume token is refused and the real participant is untouched', async () => {
    server = await startServer();
    const a = server.client();
    const ack = await join(a, 'Ann');
    if (!ack.ok) throw new Error('join failed');
    const thief = server.client();
    const r = await join(thief, 'Mallory', { participantId: ack.data.self.id, resumeToken: 'x'.repeat(43) });
    expect(!r.ok && r.error.code).toBe('forbidden');
    expect(a.connected).toBe(true);
    expect(server.app.room.participants().map((p) => p.name)).toEqual(['Ann']);
  });

  it('[R4][S2] when the grace period ends the participant leaves and the screen is freed', async () => {
    server = await startServer({ GRACE_MS: '300' });
    const a = server.client();
    const b = server.client();
    const ackA = await join(a, 'Ann');
    await join(b, 'Bob');
    await a.timeout(3000).emitWithAck('screen:claim', {});
    await expect.poll(() => server.app.room.screen()).not.toBeNull();
    const screens = collect(b, 'screen:changed');
    const left = next(b, 'participant:left', 3000);
    a.io.engine.close();
    expect(await left).toEqual({ id: ackA.ok && ackA.data.self.id, reason: 'timeout' });
    await expect.poll(() => screens.at(-1)).toEqual({ screen: null });
    const claim = await b.timeout(3000).emitWithAck('screen:claim', {});
    expect(claim.ok).toBe(true);
  });

  it('[R5] a deliberate disconnect leaves at once', async () => {
    server = await startServer({ GRACE_MS: '60000' });
    const a = server.client();
    const b = server.client();
    await join(a, 'Ann');
    await join(b, 'Bob');
    const left = next(b, 'participant:left');
    a.disconnect();
    expect((await left).reason).toBe('left');
    expect(server.app.room.size).toBe(1);
  });

  it('[R3] after a server restart a participant keeps its id by presenting its token (same key)', async () => {
    const key = 'k'.repeat(43);
    const before = await startServer({}, { identityKey: key });
    const first = await join(before.client(), 'Ann');
    await before.close();
    if (!first.ok) throw new Error('join failed');
    server = await startServer({}, { identityKey: key });
    const c = server.client();
    await connected(c);
    const r = await join(c, 'Ann', { participantId: first.data.self.id, resumeToken: first.data.resumeToken, muted: true });
    expect(r.ok && r.data.self).toMatchObject({ id: first.data.self.id, muted: true });
  });
});
