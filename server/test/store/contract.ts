/**
 * One contract for every Store implementation: the same suite runs against the embedded PGlite
 * and a real PostgreSQL. The tests share one database and run in order (the first migrates).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../src/store/SqlStore';
import type { WriteOp } from '../../src/store/types';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations', import.meta.url));
/** Every migration file of the repository, in the order they apply. */
export const MIGRATION_FILES = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

const event = (sessionId: string, i: number, at: Date, detail: Record<string, unknown> = { i }): Extract<WriteOp, { kind: 'event' }> => ({
  kind: 'event', id: randomUUID(), sessionId, type: i % 2 ? 'muted' : 'unmuted', participantId: null, at, detail,
});

export function storeContract(name: string, open: () => Promise<{ store: SqlStore; cleanup: () => Promise<void> }>) {
  describe(`Store contract: ${name}`, () => {
    let store: SqlStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    }, 180_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('applies the migrations once, even when two runs race, and a second run applies nothing', async () => {
      expect(await store.migrationsApplied()).toBe(false);
      const [a, b] = await Promise.all([store.migrate(), store.migrate()]);
      expect(MIGRATION_FILES.slice(0, 4)).toEqual(['001_init.sql', '002_server_secrets.sql', '003_chat.sql', '004_host.sql']);
      // Racing runs share the files between them (each applied by exactly one), in any split.
      expect([...a, ...b].sort()).toEqual(MIGRATION_FILES);
      expect(await store.migrate()).toEqual([]);
      expect(await store.migrationsApplied()).toBe(true);
      const { rows } = await store.sql.query<{ name: string }>(`SELECT name FROM schema_migrations`);
      expect(rows.map((r) => r.name)).toEqual(MIGRATION_FILES);
      await store.ping();
    });

    it('keeps a server secret: made once, read back unchanged, one row even when two starts race', async () => {
      let made = 0;
      const make = () => `secret-${++made}-${randomUUID()}`;
      const [a, b] = await Promise.all([store.serverSecret('contract_key', make), store.serverSecret('contract_key', make)]);
      expect(a).toBe(b);
      expect(await store.serverSecret('contract_key', make)).toBe(a);
      const { rows } = await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM server_secrets WHERE name = 'contract_key'`);
      expect(Number(rows[0]!.n)).toBe(1);
    });

    it('[P1] keeps the room memory (newest wins, a retried older one does not) and the removed participants', async () => {
      expect(await store.roomMemory()).toBeNull();
      const [a, b] = [randomUUID(), randomUUID()];
      const memory = (hostId: string | null, locked: boolean, ids: string[]) => ({ hostId, locked, members: ids.map((id, i) => ({ id, joinedAt: 1_000 + i })) });
      const newer = { kind: 'room_memory' as const, id: randomUUID(), memory: memory(b, true, [a, b]), at: t(2) };
      const older = { kind: 'room_memory' as const, id: randomUUID(), memory: memory(a, false, [a]), at: t(1) };
      await store.apply([newer]);
      await store.apply([older]);
      expect(await store.roomMemory()).toEqual(newer.memory);
      await store.apply([{ kind: 'room_memory', id: randomUUID(), memory: memory(null, false, []), at: t(3) }]);
      expect(await store.roomMemory()).toEqual({ hostId: null, locked: false, members: [] });
      const removed = Array.from({ length: 4 }, () => randomUUID());
      await store.apply(removed.map((participantId, i) => ({ kind: 'participant_removed' as const, id: randomUUID(), participantId, sessionId: a, at: t(10 + i) })));
      // Removed twice is one row.
      await store.apply([{ kind: 'participant_removed', id: randomUUID(), participantId: removed[0]!, sessionId: a, at: t(5) }]);
      expect(await store.removedParticipants(10)).toEqual(removed);
      expect(await store.removedParticipants(2)).toEqual(removed.slice(2));
    });

    it('writes a session with its participants and events, in the order given', async () => {
      const session = randomUUID();
      const stint = randomUUID();
      const pid = randomUUID();
      // Timestamps run backwards on purpose: the order is the write order (seq), not the clock.
      const events = Array.from({ length: 5 }, (_, i) => ({ ...event(session, i, t(20 - i)), participantId: pid }));
      await store.apply([
        { kind: 'session_open', id: session, at: t(0) },
        { kind: 'participant_join', id: stint, sessionId: session, participantId: pid, name: 'Zoë <b> 山田', at: t(1) },
        { kind: 'session_status', id: session, status: 'waiting', at: t(1), peakParticipants: 1 },
        ...events,
      ]);
      expect((await store.listSessions(100)).find((s) => s.id === session)).toEqual({
        id: session, status: 'waiting', createdAt: t(0), endedAt: null, endReason: null, peakParticipants: 1,
      });
      expect(await store.listParticipants(session)).toEqual([
        { id: stint, sessionId: session, participantId: pid, name: 'Zoë <b> 山田', joinedAt: t(1), leftAt: null, leaveReason: null },
      ]);
      const rows = await store.listEvents(session);
      expect(rows.map((r) => r.id)).toEqual(events.map((e) => e.id));
      expect(rows.map((r) => r.detail)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
      expect(rows.map((r) => r.type)).toEqual(['unmuted', 'muted', 'unmuted', 'muted', 'unmuted']);
      expect(rows.every((r, i) => i === 0 || r.seq > rows[i - 1]!.seq)).toBe(true);

      await store.apply([
        { kind: 'session_status', id: session, status: 'active', at: t(31), peakParticipants: 3 },
        { kind: 'session_status', id: session, status: 'waiting', at: t(32), peakParticipants: 2 },
      ]);
      expect((await store.listSessions(100)).find((s) => s.id === session)).toMatchObject({ status: 'waiting', peakParticipants: 3 });

      await store.apply([
        { kind: 'participant_leave', id: stint, at: t(40), reason: 'left' },
        { kind: 'session_status', id: session, status: 'ended', at: t(40), peakParticipants: 1 },
        // Anything after the end does not reopen or re-date it.
        { kind: 'participant_leave', id: stint, at: t(41), reason: 'timeout' },
        { kind: 'session_status', id: session, status: 'active', at: t(41), peakParticipants: 1 },
      ]);
      expect((await store.listParticipants(session))[0]).toMatchObject({ leftAt: t(40), leaveReason: 'left' });
      expect((await store.listSessions(100)).find((s) => s.id === session)).toMatchObject({
        status: 'ended', endedAt: t(40), endReason: 'empty', peakParticipants: 3,
      });
    });

    it('records the reason an ended session carries', async () => {
      const session = randomUUID();
      await store.apply([
        { kind: 'session_open', id: session, at: t(0) },
        { kind: 'session_status', id: session, status: 'ended', at: t(5), peakParticipants: 0, endReason: 'server_shutdown' },
      ]);
      expect((await store.listSessions(100)).find((s) => s.id === session)).toMatchObject({ endedAt: t(5), endReason: 'server_shutdown' });
    });

    it('writes a batch applied twice only once (a retry after a lost commit)', async () => {
      const session = randomUUID();
      const stint = randomUUID();
      const batch: WriteOp[] = [
        { kind: 'session_open', id: session, at: t(0) },
        { kind: 'participant_join', id: stint, sessionId: session, participantId: randomUUID(), name: 'A', at: t(1) },
        event(session, 0, t(1)),
        event(session, 1, t(2)),
        { kind: 'participant_leave', id: stint, at: t(3), reason: 'left' },
        { kind: 'session_status', id: session, status: 'ended', at: t(3), peakParticipants: 1 },
      ];
      await store.apply(batch);
      const before = { events: await store.listEvents(session), stints: await store.listParticipants(session) };
      await store.apply(batch);
      expect(await store.listEvents(session)).toEqual(before.events);
      expect(await store.listParticipants(session)).toEqual(before.stints);
      expect((await store.listSessions(1000)).filter((s) => s.id === session)).toHaveLength(1);
    });

    it('a failing batch writes nothing of itself', async () => {
      const session = randomUUID();
      await expect(
        store.apply([
          { kind: 'session_open', id: session, at: t(0) },
          event(randomUUID(), 0, t(1)), // no such session
        ]),
      ).rejects.toThrow();
      expect((await store.listSessions(1000)).some((s) => s.id === session)).toBe(false);
    });

    it('stores text PostgreSQL would refuse (NUL, lone surrogates) instead of failing the batch forever', async () => {
      const session = randomUUID();
      await store.apply([
        { kind: 'session_open', id: session, at: t(0) },
        { kind: 'participant_join', id: randomUUID(), sessionId: session, participantId: randomUUID(), name: 'a\u0000b', at: t(0) },
        event(session, 0, t(1), { name: 'x\u0000y\ud800', 'k\u0000': ['\\u0000 stays'], nested: { n: 1.5, ok: true, none: null } }),
      ]);
      expect((await store.listParticipants(session))[0]?.name).toBe('ab');
      expect((await store.listEvents(session))[0]?.detail).toEqual({ name: 'xy\ufffd', k: ['\\u0000 stays'], nested: { n: 1.5, ok: true, none: null } });
    });

    it('stores connection reports and reads them back', async () => {
      const session = randomUUID();
      const [from, to] = [randomUUID(), randomUUID()];
      const report = {
        kind: 'connection_report', id: randomUUID(), sessionId: session, fromId: from, toId: to, at: t(1),
        state: 'connected', connectMs: 250, candidateType: 'host', rttMs: 1.5, jitterMs: 0.2, lossPct: 0, inKbps: 40, outKbps: 41,
      } as const;
      const failed = { ...report, id: randomUUID(), at: t(2), state: 'failed', connectMs: null, candidateType: null, rttMs: null, jitterMs: null, lossPct: null, inKbps: null, outKbps: null };
      await store.apply([{ kind: 'session_open', id: session, at: t(0) }, report, failed, report]);
      const { kind: _k1, ...row1 } = report;
      const { kind: _k2, ...row2 } = failed;
      expect(await store.listConnectionReports(session)).toEqual([row1, row2]);
    });

    it('closes exactly the rows a crash left open, with reason server_restart', async () => {
      const open = randomUUID();
      const stints = [randomUUID(), randomUUID()];
      await store.apply([
        { kind: 'session_open', id: open, at: t(0) },
        { kind: 'session_status', id: open, status: 'active', at: t(0), peakParticipants: 2 },
        ...stints.map((id): WriteOp => ({ kind: 'participant_join', id, sessionId: open, participantId: randomUUID(), name: 'A', at: t(0) })),
        { kind: 'participant_leave', id: stints[1]!, at: t(9), reason: 'left' },
      ]);
      // Whatever earlier tests left open is open too; count it, then expect exactly that many closed.
      const sessions = await store.listSessions(1000);
      const stintRows = (await Promise.all(sessions.map((s) => store.listParticipants(s.id)))).flat();
      const openSessions = sessions.filter((s) => s.status !== 'ended');
      const openStints = stintRows.filter((p) => p.leftAt === null);
      expect(openSessions.map((s) => s.id)).toContain(open);
      expect(openStints.map((p) => p.id)).toContain(stints[0]);

      expect(await store.closeOpen('server_restart', t(50))).toEqual({ sessions: openSessions.length, participants: openStints.length });

      const after = await store.listSessions(1000);
      const afterStints = (await Promise.all(after.map((s) => store.listParticipants(s.id)))).flat();
      for (const s of after) {
        const was = sessions.find((x) => x.id === s.id)!;
        expect(s).toEqual(was.status === 'ended' ? was : { ...was, status: 'ended', endedAt: t(50), endReason: 'server_restart' });
      }
      for (const p of afterStints) {
        const was = stintRows.find((x) => x.id === p.id)!;
        expect(p).toEqual(was.leftAt !== null ? was : { ...was, leftAt: t(50), leaveReason: 'server_restart' });
      }
      expect(await store.closeOpen('server_restart', t(60))).toEqual({ sessions: 0, participants: 0 });
    });

    it('lists sessions newest first, up to the limit', async () => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      await store.apply(ids.map((id, i): WriteOp => ({ kind: 'session_open', id, at: new Date(Date.UTC(2030, 0, 1 + i)) })));
      expect((await store.listSessions(2)).map((s) => s.id)).toEqual([ids[2], ids[1]]);
      expect(await store.listEvents(randomUUID())).toEqual([]);
      expect(await store.listParticipants(randomUUID())).toEqual([]);
    });

    it('summarises sessions in one query: outcomes counted, mean RTT of the successes that carry one', async () => {
      const [busy, quiet] = [randomUUID(), randomUUID()];
      const at = (d: number) => new Date(Date.UTC(2031, 0, d));
      const outcome = (sessionId: string, type: 'connection_succeeded' | 'connection_failed', detail: Record<string, unknown>): WriteOp => ({
        kind: 'event', id: randomUUID(), sessionId, type, participantId: null, at: at(2), detail,
      });
      await store.apply([
        { kind: 'session_open', id: busy, at: at(2) },
        { kind: 'session_open', id: quiet, at: at(1) },
        outcome(busy, 'connection_succeeded', { rttMs: 10 }),
        outcome(busy, 'connection_succeeded', { rttMs: 30 }),
        outcome(busy, 'connection_succeeded', { rttMs: null }),
        outcome(busy, 'connection_succeeded', { rttMs: 'not a number' }),
        outcome(busy, 'connection_failed', { rttMs: 500 }),
        event(busy, 1, at(2)),
        ...[1, 2].map((seq): WriteOp => ({ kind: 'chat_message', id: randomUUID(), sessionId: busy, seq, participantId: randomUUID(), name: 'A', at: at(2), text: 'hi' })),
        { kind: 'session_status', id: busy, status: 'ended', at: at(3), peakParticipants: 3 },
      ]);
      const [first, second] = await store.listSessionSummaries(2);
      expect(first).toEqual({
        id: busy, status: 'ended', createdAt: at(2), endedAt: at(3), endReason: 'empty', peakParticipants: 3, succeeded: 4, failed: 1, avgRttMs: 20, chatMessages: 2,
      });
      expect(second).toMatchObject({ id: quiet, status: 'waiting', succeeded: 0, failed: 0, avgRttMs: null, chatMessages: 0 });
    });

    it('[C4] keeps chat messages once, in order, and reads back the conversation a restart cut off, across the sessions that carried it on', async () => {
      const at = (d: number) => new Date(Date.UTC(2032, 0, d));
      const [first, second] = [randomUUID(), randomUUID()];
      const [ann, bob] = [randomUUID(), randomUUID()];
      const stint = (id: string, sessionId: string, participantId: string, day: number): WriteOp => ({ kind: 'participant_join', id, sessionId, participantId, name: 'x', at: at(day) });
      const chat = (sessionId: string, seq: number, participantId: string, text: string, day: number): WriteOp & { kind: 'chat_message' } => ({
        kind: 'chat_message', id: randomUUID(), sessionId, seq, participantId, name: participantId === ann ? 'Ann' : 'Bob', at: at(day), text,
      });
      const [s1, s2] = [randomUUID(), randomUUID()];
      const m = [chat(first, 1, ann, 'one <b>', 1), chat(first, 2, bob, 'two\nlines', 1), chat(second, 3, ann, 'three', 3)];
      const batch: WriteOp[] = [
        { kind: 'session_open', id: first, at: at(1) },
        stint(s1, first, ann, 1),
        m[0]!,
        m[1]!,
        { kind: 'participant_leave', id: s1, at: at(2), reason: 'server_shutdown' },
        { kind: 'session_status', id: first, status: 'ended', at: at(2), peakParticipants: 2 },
      ];
      await store.apply(batch);
      await store.apply(batch);
      const carried = await store.chatCarryOver(200);
      expect(carried).toEqual({ threadId: first, memberIds: [ann], lastSeq: 2, messages: m.slice(0, 2).map((x) => ({ id: x.id, authorId: x.participantId, authorName: x.name, at: x.at.getTime(), text: x.text })) });
      // The next process's first session carries the conversation on; a restart later, the whole thread comes back.
      await store.apply([
        { kind: 'session_open', id: second, at: at(3) },
        { kind: 'chat_thread', id: second, threadId: first },
        stint(s2, second, ann, 3),
        m[2]!,
      ]);
      const again = await store.chatCarryOver(2);
      expect(again).toMatchObject({ threadId: first, memberIds: [ann], lastSeq: 3 });
      expect(again!.messages.map((x) => x.text)).toEqual(['two\nlines', 'three']);
      // Once everyone has left on their own, nothing is carried.
      await store.apply([{ kind: 'participant_leave', id: s2, at: at(4), reason: 'left' }]);
      expect(await store.chatCarryOver(200)).toBeNull();
      const { rows } = await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM chat_messages WHERE session_id IN ($1, $2)`, [first, second]);
      expect(Number(rows[0]!.n)).toBe(3);
    });
  });
}
