/**
 * The host's actions as rows in a real PostgreSQL, and the room brought back from them after a
 * restart (SPEC.md P1): the same host, the same lock, the removed still refused.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Ack, JoinResponse } from '@meshtalk/protocol';
import { WriteQueue } from '../../src/store/WriteQueue';
import { usePostgresStore } from '../support/pg-store';
import { join, next, startServer, type TestClient, type TestServer } from '../support/server';

const pg = usePostgresStore();

const ok = (a: Ack<JoinResponse>) => {
  if (!a.ok) throw new Error(`join failed: ${a.error.code}`);
  return a.data;
};
const act = (c: TestClient, event: string, payload: Record<string, unknown>) =>
  c.timeout(3_000).emitWithAck(event as 'host:end', payload as never) as Promise<Ack<Record<string, never>>>;

/** A server on the test database, as main.ts builds one: its rows through a write queue, its room from what the last run kept. */
async function serverOnStore(identityKey: string): Promise<{ server: TestServer; queue: WriteQueue }> {
  const store = pg.store;
  const queue = new WriteQueue(store);
  const restore = { memory: await store.roomMemory(), removed: await store.removedParticipants(1_000) };
  const server = await startServer({ GRACE_MS: '5000' }, { store, enqueue: (op) => queue.enqueue(op), identityKey, restore });
  return { server, queue };
}

describe('[P1] host and lock in PostgreSQL, across a restart', () => {
  it('writes every host event as a session event, keeps the room, and comes back with the same host and lock', async () => {
    const store = pg.store;
    const key = randomBytes(32).toString('base64url');
    const first = await serverOnStore(key);
    const [a, b, c] = [first.server.client(), first.server.client(), first.server.client()];
    const ann = ok(await join(a, 'Ann'));
    const bob = ok(await join(b, 'Bob'));
    const cid = ok(await join(c, 'Cid'));
    expect((await act(a, 'host:mute', { participantId: bob.self.id })).ok).toBe(true);
    expect((await act(a, 'host:lock', { locked: true })).ok).toBe(true);
    const dee = first.server.client();
    const deeKnock = await join(dee, 'Dee');
    const deeAnswer = next(dee, 'knock:answer');
    expect((await act(a, 'host:admit', { knockId: !deeKnock.ok && deeKnock.error.details?.knockId })).ok).toBe(true);
    const deeIn = await deeAnswer;
    if (!deeIn.admitted) throw new Error('Dee was not admitted');
    const eve = first.server.client();
    const eveKnock = await join(eve, 'Eve');
    expect((await act(a, 'host:deny', { knockId: !eveKnock.ok && eveKnock.error.details?.knockId })).ok).toBe(true);
    expect((await act(a, 'host:remove', { participantId: cid.self.id })).ok).toBe(true);
    expect((await act(a, 'host:transfer', { participantId: bob.self.id })).ok).toBe(true);
    // The new host opens the door and shuts it again: the room is locked when the server goes.
    expect((await act(b, 'host:lock', { locked: false })).ok).toBe(true);
    expect((await act(b, 'host:lock', { locked: true })).ok).toBe(true);
    expect(await first.queue.flush(10_000)).toBe(true);

    const sessionId = first.server.app.room.sessionId!;
    const events = await store.listEvents(sessionId);
    const hostRows = events.filter((e) => !['joined', 'muted', 'left', 'disconnected', 'resumed'].includes(e.type));
    expect(hostRows.map((e) => [e.type, e.detail.byName ?? null, e.detail.name ?? null])).toEqual([
      ['host_changed', null, 'Ann'],
      ['muted_by_host', 'Ann', null],
      ['locked', 'Ann', null],
      ['knocked', null, 'Dee'],
      ['admitted', 'Ann', 'Dee'],
      ['knocked', null, 'Eve'],
      ['denied', 'Ann', 'Eve'],
      ['removed', 'Ann', null],
      ['host_changed', 'Ann', 'Bob'],
      ['unlocked', 'Bob', null],
      ['locked', 'Bob', null],
    ]);
    expect(hostRows.find((e) => e.type === 'removed')?.participantId).toBe(cid.self.id);
    const unlocked = hostRows.find((e) => e.type === 'unlocked');
    expect(unlocked?.participantId).toBe(bob.self.id);
    expect(unlocked?.detail).toEqual({ by: bob.self.id, byName: 'Bob' });
    expect(hostRows.find((e) => e.type === 'admitted')?.participantId).toBe(deeIn.join.self.id);
    expect(await store.removedParticipants(10)).toEqual([cid.self.id]);
    expect(await store.roomMemory()).toEqual({
      hostId: bob.self.id,
      locked: true,
      members: [ann, bob].map((x) => ({ id: x.self.id, joinedAt: x.self.joinedAt })).concat([{ id: deeIn.join.self.id, joinedAt: deeIn.join.self.joinedAt }]),
    });

    // The server restarts: shutdown writes rows only and keeps the host and lock as they are.
    first.server.app.signaling.shutdown();
    await new Promise<void>((r) => first.server.app.io.close(() => r()));
    expect(await first.queue.flush(10_000)).toBe(true);
    await first.queue.stop();
    expect((await store.roomMemory())?.hostId).toBe(bob.self.id);
    await store.closeOpen('server_restart', new Date());

    const second = await serverOnStore(key);
    try {
      // Ann is back first, with her token: no knock, and Bob is still the host.
      const annBack = ok(await join(second.server.client(), 'Ann', { participantId: ann.self.id, resumeToken: ann.resumeToken }));
      expect(annBack.host).toEqual({ hostId: bob.self.id, locked: true });
      const b2 = second.server.client();
      const bobBack = ok(await join(b2, 'Bob', { participantId: bob.self.id, resumeToken: bob.resumeToken }));
      expect(bobBack.host).toEqual({ hostId: bob.self.id, locked: true });
      // Cid's token is still refused; someone new still knocks.
      const cidBack = await join(second.server.client(), 'Cid', { participantId: cid.self.id, resumeToken: cid.resumeToken });
      expect(!cidBack.ok && cidBack.error.code).toBe('forbidden');
      const newcomer = await join(second.server.client(), 'Fay');
      expect(!newcomer.ok && newcomer.error.code).toBe('waiting_for_host');

      // Bob ends the call: the session is ended in the database, and the kept room is empty and unlocked.
      expect((await act(b2, 'host:end', {})).ok).toBe(true);
      expect(await second.queue.flush(10_000)).toBe(true);
      const sessions = await store.listSessions(5);
      expect(sessions[0]).toMatchObject({ status: 'ended', endReason: 'ended_by_host' });
      // Ending empties the room, and an emptied room unlocks itself: a row with no actor, marked `auto`.
      const after = (await store.listEvents(sessions[0]!.id)).filter((e) => ['host_changed', 'ended_by_host', 'unlocked'].includes(e.type));
      expect(after.map((e) => [e.type, e.detail.reason ?? null, e.detail.byName ?? null, e.detail.auto ?? null])).toEqual([
        ['host_changed', 'restored', null, null],
        ['ended_by_host', null, 'Bob', null],
        ['unlocked', null, null, 'empty'],
      ]);
      expect(after[2]?.participantId).toBeNull();
      expect(await store.roomMemory()).toEqual({ hostId: null, locked: false, members: [] });
    } finally {
      await second.server.close();
      await second.queue.flush(5_000);
      await second.queue.stop();
    }
  });
});
