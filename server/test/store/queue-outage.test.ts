/**
 * The write queue over real PostgreSQL through a TCP proxy: rows keep coming while the
 * database is cut off for ~3 s (mid-transaction), and once it is back every row is present
 * exactly once, in the order it was enqueued (by seq). The process must not crash on the way.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index';
import type { SqlStore } from '../../src/store/SqlStore';
import type { WriteOp } from '../../src/store/types';
import { WriteQueue } from '../../src/store/WriteQueue';
import { withTestDatabase, type TestDatabase } from '../support/postgres';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { MIGRATIONS_DIR } from './contract';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: TestDatabase;
let proxy: TcpProxy;
let store: SqlStore;
const connectionErrors: Error[] = [];

beforeAll(async () => {
  db = await withTestDatabase();
  const target = new URL(db.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  store = await openStore({ databaseUrl: proxy.via(db.url), dataDir: 'unused', migrationsDir: MIGRATIONS_DIR, onPoolError: (e) => connectionErrors.push(e) });
  await store.migrate();
});

afterAll(async () => {
  await store?.close();
  await proxy?.close();
  await db?.drop();
});

describe('the write queue through a PostgreSQL outage', () => {
  it('writes every row exactly once, in order, once the database is back', { timeout: 60_000 }, async () => {
    let inFlight = 0;
    let retries = 0;
    let written = 0;
    const observed = {
      apply: (ops: readonly WriteOp[]) => {
        inFlight += 1;
        return store.apply(ops).finally(() => (inFlight -= 1));
      },
    };
    const queue = new WriteQueue(observed, {
      maxBatch: 20,
      initialDelayMs: 50,
      maxDelayMs: 400,
      onRetry: () => retries++,
      onWritten: (n) => (written += n),
    });

    const session = randomUUID();
    const eventIds: string[] = [];
    const stints: string[] = [];
    let n = 0;
    const enqueueSome = () => {
      // A join every tenth row, a leave for the previous stint: inserts and updates interleave.
      if (n % 10 === 0) {
        const stint = randomUUID();
        const previous = stints.at(-1);
        stints.push(stint);
        queue.enqueue({ kind: 'participant_join', id: stint, sessionId: session, participantId: randomUUID(), name: `P${n}`, at: new Date() });
        if (previous) queue.enqueue({ kind: 'participant_leave', id: previous, at: new Date(), reason: 'left' });
      }
      const id = randomUUID();
      eventIds.push(id);
      queue.enqueue({ kind: 'event', id, sessionId: session, type: 'muted', participantId: null, at: new Date(), detail: { n: n++ } });
    };
    const produce = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        enqueueSome();
        await sleep(5);
      }
    };

    queue.enqueue({ kind: 'session_open', id: session, at: new Date() });
    await produce(500);

    // Cut while a batch is being written, so a held connection dies under a transaction.
    for (const end = Date.now() + 5_000; inFlight === 0 && Date.now() < end; ) {
      enqueueSome();
      await new Promise((r) => setImmediate(r));
    }
    expect(inFlight).toBeGreaterThan(0);
    proxy.cut();
    const writtenAtCut = written;
    await produce(3_000);
    expect(retries).toBeGreaterThan(0);
    expect(queue.depth).toBeGreaterThan(0);
    expect(queue.attempts).toBeGreaterThan(0);
    // Nothing can have been written with the database out of reach (a batch in flight at the cut may have committed).
    expect(written - writtenAtCut).toBeLessThanOrEqual(20);

    proxy.restore();
    await produce(300);
    expect(await queue.flush(20_000)).toBe(true);
    expect(queue.depth).toBe(0);
    await queue.stop();

    const events = await store.listEvents(session);
    expect(events.map((e) => e.id)).toEqual(eventIds);
    expect(events.map((e) => e.detail.n)).toEqual(eventIds.map((_, i) => i));
    expect(events.every((e, i) => i === 0 || e.seq > events[i - 1]!.seq)).toBe(true);
    const rows = await store.listParticipants(session);
    expect(rows.map((r) => r.id).sort()).toEqual([...stints].sort());
    expect(rows.filter((r) => r.leftAt === null).map((r) => r.id)).toEqual([stints.at(-1)]);
    const { rows: counts } = await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM session_events`);
    expect(Number(counts[0]?.n)).toBe(eventIds.length);
  });
});
