/**
 * M4: identities are the server's to issue. Participant ids are normalised (lower-case UUIDs),
 * and an id the room does not hold is taken only with the resume token the server issued for
 * it (an HMAC of the id under the server's key), which a restart keeps when the key persists:
 * in the database (real PostgreSQL here) or in SERVER_SECRET.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { usePostgresStore } from '../support/pg-store';
import { join, startServer, type TestServer } from '../support/server';

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});
const start = async (...args: Parameters<typeof startServer>) => {
  const s = await startServer(...args);
  servers.push(s);
  return s;
};
const forged = () => randomBytes(32).toString('base64url');

describe('[R3][M4] participant identities', () => {
  it('an upper-cased copy of a present member’s id is that member, not a second one', async () => {
    const server = await start();
    const ann = await join(server.client(), 'Ann');
    if (!ann.ok) throw new Error('join failed');
    const id = ann.data.self.id;
    expect(id).toBe(id.toLowerCase());
    // With a forged token the copy is refused outright...
    const thief = await join(server.client(), 'Mallory', { participantId: id.toUpperCase(), resumeToken: forged() });
    expect(!thief.ok && thief.error.code).toBe('forbidden');
    expect(server.app.room.size).toBe(1);
    // ...and with the real token it is Ann herself, resuming.
    const again = await join(server.client(), 'Ann', { participantId: id.toUpperCase(), resumeToken: ann.data.resumeToken });
    expect(again.ok && again.data).toMatchObject({ resumed: true, self: { id } });
    expect(server.app.room.participants().map((p) => p.id)).toEqual([id]);
    // Signals name the same member whichever case the sender writes.
    const bob = server.client();
    await join(bob, 'Bob');
    const signal = await bob.timeout(3000).emitWithAck('signal:send', { to: id.toUpperCase(), candidate: null });
    expect(signal.ok).toBe(true);
  });

  it('after Alice left, Eve joining with Alice’s id and a token of her own is refused', async () => {
    const server = await start();
    const alice = server.client();
    const a = await join(alice, 'Alice');
    const eveSocket = server.client();
    const e = await join(eveSocket, 'Eve');
    if (!a.ok || !e.ok) throw new Error('join failed');
    await alice.timeout(3000).emitWithAck('room:leave', {});
    await eveSocket.timeout(3000).emitWithAck('room:leave', {});
    expect(server.app.room.size).toBe(0);
    for (const resumeToken of [e.data.resumeToken, forged()]) {
      const r = await join(server.client(), 'Alice', { participantId: a.data.self.id, resumeToken });
      expect(r.ok ? 'admitted' : r.error).toEqual({ code: 'forbidden', message: expect.stringMatching(/not issued/) });
    }
    expect(server.app.room.size).toBe(0);
    expect(server.ops.filter((o) => o.kind === 'participant_join' && o.participantId === a.data.self.id)).toHaveLength(1);
  });

  it('ids are UUIDs: anything else is invalid_payload', async () => {
    const server = await start();
    for (const participantId of ['alice', '5b0e6f7e2a9c4e7b9a511c2d3e4f5a6b', `${randomUUID()} `, `{${randomUUID()}}`]) {
      const r = await join(server.client(), 'X', { participantId, resumeToken: forged() });
      expect(!r.ok && r.error.code, participantId).toBe('invalid_payload');
    }
  });
});

describe('[R3][M4] resume across a restart, the key kept in PostgreSQL', () => {
  const pg = usePostgresStore();

  it('the same key is read back after a restart, and a member takes its id back with its token', async () => {
    const store = pg.store;
    const key = () => store.serverSecret('resume_token_key', () => randomBytes(32).toString('base64url'));
    const first = await start({}, { identityKey: await key() });
    const ann = await join(first.client(), 'Ann');
    if (!ann.ok) throw new Error('join failed');
    await first.close();
    servers = [];

    // A new process: the room is empty, the key comes from the same row.
    const second = await start({}, { identityKey: await key() });
    const back = await join(second.client(), 'Ann', { participantId: ann.data.self.id, resumeToken: ann.data.resumeToken });
    expect(back.ok && back.data.self.id).toBe(ann.data.self.id);
    expect(back.ok && back.data.resumeToken).toBe(ann.data.resumeToken);
    const { rows } = await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM server_secrets`);
    expect(Number(rows[0]!.n)).toBe(1);

    // A server with another key (another installation, or the key lost) does not know her.
    const stranger = await start({}, { identityKey: randomBytes(32).toString('base64url') });
    const refused = await join(stranger.client(), 'Ann', { participantId: ann.data.self.id, resumeToken: ann.data.resumeToken });
    expect(!refused.ok && refused.error.code).toBe('forbidden');
  });
});
