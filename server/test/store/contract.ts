/**
 * One contract for every Store implementation: the same suite runs against the embedded PGlite
 * and a real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store, WriteOp } from '../../src/store/types';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

export function storeContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('applies the migrations once, and a second run applies nothing', async () => {
      expect(await store.migrationsApplied()).toBe(false);
      const first = await store.migrate();
      expect(first).toContain('001_init.sql');
      expect(await store.migrate()).toEqual([]);
      expect(await store.migrationsApplied()).toBe(true);
      await store.ping();
    });

    it('writes a session with its participants and events, in order', async () => {
      const session = randomUUID();
      const stint = randomUUID();
      const pid = randomUUID();
      const events = Array.from({ length: 5 }, (_, i): WriteOp => ({
        kind: 'event', id: randomUUID(), sessionId: session, type: i % 2 ? 'muted' : 'unmuted', participantId: pid, at: t(10 + i), detail: { i },
      }));
      await store.apply([
        { kind: 'session_open', id: session, at: t(0) },
        { kind: 'participant_join', id: stint, sessionId: session, participantId: pid, name: 'Zoë <b>', at: t(1) },
        { kind: 'session_status', id: session, status: 'waiting', at: t(1), peakParticipants: 1 },
        ...events,
      ]);
      const sessions = await store.listSessions(10);
      expect(sessions.find((s) => s.id === session)).toMatchObject({ status: 'waiting', peakParticipants: 1, endedAt: null });
      expect(await store.listParticipants(session)).toEqual([
        { id: stint, sessionId: session, participantId: pid, name: 'Zoë <b>', joinedAt: t(1), leftAt: null, leaveReason: null },
      ]);
      const rows = await store.listEvents(session);
      expect(rows.map((r) => r.detail.i)).toEqual([0, 1, 2, 3, 4]);
      expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));

      await store.apply([
        { kind: 'participant_leave', id: stint, at: t(30), reason: 'left' },
        { kind: 'session_status', id: session, status: 'ended', at: t(30), peakParticipants: 1 },
      ]);
      expect((await store.listParticipants(session))[0]).toMatchObject({ leftAt: t(30), leaveReason: 'left' });
      expect((await store.listSessions(10)).find((s) => s.id === session)).toMatchObject({ status: 'ended', endedAt: t(30), endReason: 'empty' });
    });

    it('writes a batch applied twice only once (a retry after a lost commit)', async () => {
      const session = randomUUID();
      const batch: WriteOp[] = [
        { kind: 'session_open', id: session, at: t(0) },
        { kind: 'event', id: randomUUID(), sessionId: session, type: 'joined', participantId: null, at: t(1), detail: {} },
        { kind: 'event', id: randomUUID(), sessionId: session, type: 'left', participantId: null, at: t(2), detail: {} },
      ];
      await store.apply(batch);
      await store.apply(batch);
      expect(await store.listEvents(session)).toHaveLength(2);
    });

    it('a failing batch writes nothing of itself', async () => {
      const session = randomUUID();
      await expect(
        store.apply([
          { kind: 'session_open', id: session, at: t(0) },
          { kind: 'event', id: randomUUID(), sessionId: randomUUID(), type: 'joined', participantId: null, at: t(1), detail: {} }, // no such session
        ]),
      ).rejects.toThrow();
      expect((await store.listSessions(100)).some((s) => s.id === session)).toBe(false);
    });

    it('closes the rows a crash left open with reason server_restart, and only those', async () => {
      const open = randomUUID();
      const stint = randomUUID();
      await store.apply([
        { kind: 'session_open', id: open, at: t(0) },
        { kind: 'session_status', id: open, status: 'active', at: t(0), peakParticipants: 2 },
        { kind: 'participant_join', id: stint, sessionId: open, participantId: randomUUID(), name: 'A', at: t(0) },
      ]);
      const closed = await store.closeOpen('server_restart', t(50));
      expect(closed.participants).toBeGreaterThanOrEqual(1);
      expect(closed.sessions).toBeGreaterThanOrEqual(1);
      expect((await store.listSessions(100)).filter((s) => s.status !== 'ended')).toEqual([]);
      expect((await store.listSessions(100)).find((s) => s.id === open)).toMatchObject({ endReason: 'server_restart', endedAt: t(50) });
      expect((await store.listParticipants(open))[0]).toMatchObject({ leaveReason: 'server_restart' });
      expect(await store.closeOpen('server_restart', t(60))).toEqual({ sessions: 0, participants: 0 });
    });

    it('stores connection reports', async () => {
      const session = randomUUID();
      await store.apply([
        { kind: 'session_open', id: session, at: t(0) },
        {
          kind: 'connection_report', id: randomUUID(), sessionId: session, fromId: randomUUID(), toId: randomUUID(), at: t(1),
          state: 'connected', connectMs: 250, candidateType: 'host', rttMs: 1.5, jitterMs: 0.2, lossPct: 0, inKbps: 40, outKbps: 41,
        },
      ]);
    });
  });
}
