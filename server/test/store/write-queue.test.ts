/**
 * The write queue against a hand-written store: order kept, nothing dropped, the same batch
 * retried with growing, capped backoff, flush semantics, and hooks that cannot break it.
 */
import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../src/store/WriteQueue';
import type { WriteOp } from '../../src/store/types';
import type { SqlClient } from '../../src/store/sql';

const op = (i: number): WriteOp => ({ kind: 'session_open', id: `id-${i}`, at: new Date(0) });
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `id-${from + i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A store that fails whenever `failing()` says so and records every call. `commitsThenFails`
 * writes the batch and still throws: a commit whose answer was lost.
 */
function fakeStore(failing: (call: number) => boolean, opts: { commitsThenFails?: boolean } = {}) {
  const calls: { ids: string[]; ok: boolean; at: number }[] = [];
  const rows: string[] = [];
  return {
    calls,
    rows,
    written: () => calls.filter((c) => c.ok).flatMap((c) => c.ids),
    async apply(ops: readonly WriteOp[]) {
      const call = { ids: ops.map((o) => o.id), ok: false, at: performance.now() };
      calls.push(call);
      await sleep(1);
      const fail = failing(calls.length);
      if (!fail || opts.commitsThenFails) for (const id of call.ids) if (!rows.includes(id)) rows.push(id);
      if (fail) throw new Error('connection refused');
      call.ok = true;
    },
  };
}

describe('WriteQueue', () => {
  it('writes everything in order, in batches of at most maxBatch, and drains', async () => {
    const store = fakeStore(() => false);
    const written: number[] = [];
    const q = new WriteQueue(store, { maxBatch: 3, onWritten: (n) => written.push(n) });
    for (let i = 0; i < 8; i++) q.enqueue(op(i));
    expect(q.depth).toBe(8);
    expect(await q.flush(1000)).toBe(true);
    expect(store.written()).toEqual(ids(0, 8));
    expect(store.calls.map((c) => c.ids.length)).toEqual([3, 3, 2]);
    expect(written).toEqual([3, 3, 2]);
    expect(q.depth).toBe(0);
    expect(await q.flush(10)).toBe(true);
  });

  it('retries the same batch, unchanged, while later rows wait behind it', async () => {
    const store = fakeStore((n) => n <= 4);
    const q = new WriteQueue(store, { maxBatch: 5, initialDelayMs: 5, maxDelayMs: 5 });
    q.enqueue(op(0));
    q.enqueue(op(1));
    await sleep(3);
    for (let i = 2; i < 9; i++) q.enqueue(op(i)); // arrive during the outage
    expect(await q.flush(2000)).toBe(true);
    const failed = store.calls.filter((c) => !c.ok);
    expect(failed).toHaveLength(4);
    expect(failed.every((c) => c.ids.join() === 'id-0,id-1')).toBe(true);
    expect(store.calls.filter((c) => c.ok).map((c) => c.ids)).toEqual([ids(0, 2), ids(2, 7), ids(7, 9)]);
  });

  it('backs off exponentially with jitter, up to the cap', async () => {
    const delays: number[] = [];
    const attempts: number[] = [];
    let r = 0;
    const randoms = [0, 0.999, 0, 0.999, 0, 0.999, 0.5];
    const store = fakeStore((n) => n <= 7);
    const q = new WriteQueue(store, {
      initialDelayMs: 2,
      maxDelayMs: 20,
      random: () => randoms[r++ % randoms.length]!,
      onRetry: (_e, a, d) => {
        attempts.push(a);
        delays.push(d);
      },
    });
    q.enqueue(op(0));
    expect(await q.flush(2000)).toBe(true);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Ceilings 2, 4, 8, 16, 20, 20, 20; each delay lies in [ceiling/2, ceiling].
    expect(delays).toEqual([1, 4, 4, 16, 10, 20, 15]);
    // The waits were real: each retry came no sooner than its delay after the failure.
    const gaps = store.calls.slice(1).map((c, i) => c.at - store.calls[i]!.at);
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(delays[i]! - 1));
    expect(q.attempts).toBe(0);
  });

  it('rows enqueued during a backoff do not cut it short', async () => {
    const store = fakeStore((n) => n === 1);
    const q = new WriteQueue(store, { initialDelayMs: 1000, maxDelayMs: 1000, random: () => 0.999 });
    q.enqueue(op(0));
    for (let i = 1; i < 20; i++) {
      await sleep(5);
      q.enqueue(op(i));
    }
    // A busy room must not turn the backoff into a tight loop against a dead database.
    expect(store.calls).toHaveLength(1);
    expect(q.attempts).toBe(1);
    expect(q.depth).toBe(20);
    expect(await q.flush(3000)).toBe(true);
    expect(store.written()).toEqual(ids(0, 20));
  });

  it('a lost commit is retried as the same batch (the store makes it harmless)', async () => {
    const store = fakeStore((n) => n === 1, { commitsThenFails: true });
    const q = new WriteQueue(store, { initialDelayMs: 1 });
    for (let i = 0; i < 3; i++) q.enqueue(op(i));
    expect(await q.flush(1000)).toBe(true);
    expect(store.calls.map((c) => c.ids)).toEqual([ids(0, 3), ids(0, 3)]);
    expect(store.rows).toEqual(ids(0, 3));
  });

  it('keeps every row, in order, through many random failures', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const store = fakeStore(() => rand() < 0.4);
    const q = new WriteQueue(store, { maxBatch: 7, initialDelayMs: 1, maxDelayMs: 4 });
    for (let i = 0; i < 300; i++) {
      q.enqueue(op(i));
      if (i % 25 === 0) await sleep(2);
    }
    expect(await q.flush(10_000)).toBe(true);
    expect(store.written()).toEqual(ids(0, 300));
    expect(store.calls.some((c) => !c.ok)).toBe(true);
  });

  it('flush waits only for rows enqueued before it, and reports false while the database stays down', async () => {
    const store = fakeStore(() => false);
    const q = new WriteQueue(store, { maxBatch: 1 });
    for (let i = 0; i < 3; i++) q.enqueue(op(i));
    const flushed = q.flush(1000);
    // A steady stream after the flush must not keep it waiting.
    const stream = setInterval(() => q.enqueue(op(100)), 1);
    expect(await flushed).toBe(true);
    clearInterval(stream);
    expect(store.written().slice(0, 3)).toEqual(ids(0, 3));
    await q.stop();

    const down = fakeStore(() => true);
    const q2 = new WriteQueue(down, { initialDelayMs: 5, maxDelayMs: 5 });
    q2.enqueue(op(0));
    expect(await q2.flush(50)).toBe(false);
    expect(q2.depth).toBe(1);
    expect(q2.attempts).toBeGreaterThan(0);
    await q2.stop();
  });

  it('flush ends a backoff sleep so shutdown does not wait out the delay', async () => {
    const store = fakeStore((n) => n === 1);
    const q = new WriteQueue(store, { initialDelayMs: 10_000, maxDelayMs: 10_000 });
    q.enqueue(op(0));
    await sleep(20);
    expect(q.attempts).toBe(1);
    const start = performance.now();
    expect(await q.flush(2000)).toBe(true);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('stop lets the attempt in flight finish, then ignores new rows; pending flushes answer false', async () => {
    const store = fakeStore(() => true);
    const q = new WriteQueue(store, { initialDelayMs: 10_000 });
    q.enqueue(op(0));
    await sleep(20);
    const flushed = q.flush(5000);
    await q.stop();
    expect(await flushed).toBe(false);
    const calls = store.calls.length;
    q.enqueue(op(1));
    await sleep(20);
    expect(store.calls.length).toBe(calls);
    expect(q.depth).toBe(1);
  });

  it('never throws to the caller, even when the store throws synchronously or a hook throws', async () => {
    let n = 0;
    const store = {
      batches: [] as string[][],
      apply(ops: readonly WriteOp[]): Promise<void> {
        if (++n <= 2) throw new Error('synchronous failure');
        this.batches.push(ops.map((o) => o.id));
        return Promise.resolve();
      },
    };
    const q = new WriteQueue(store, {
      initialDelayMs: 1,
      onRetry: () => {
        throw new Error('logger broke');
      },
      onWritten: () => {
        throw new Error('metrics broke');
      },
    });
    expect(() => {
      for (let i = 0; i < 5; i++) q.enqueue(op(i));
    }).not.toThrow();
    expect(await q.flush(1000)).toBe(true);
    q.enqueue(op(5));
    expect(await q.flush(1000)).toBe(true);
    expect(store.batches).toEqual([ids(0, 5), ['id-5']]);
  });
});

describe('[H1] WriteQueue bounds', () => {
  const report = (i: number): WriteOp => ({
    kind: 'connection_report', id: `r-${i}`, sessionId: 's', fromId: 'a', toId: 'b', at: new Date(0), state: 'connected',
    connectMs: null, candidateType: null, rttMs: null, jitterMs: null, lossPct: null, inKbps: null, outKbps: null,
  });

  it('sheds a new low-value row when full, and pushes out the oldest low-value row for a lifecycle row', async () => {
    const store = fakeStore(() => true); // the database is down
    const shed: string[] = [];
    const q = new WriteQueue(store, { maxRows: 4, initialDelayMs: 10_000, maxDelayMs: 10_000, onShed: (o) => shed.push(o.id) });
    q.enqueue(op(0));
    q.enqueue(report(1));
    q.enqueue(report(2));
    q.enqueue(op(3));
    q.enqueue(report(4)); // full: the new report goes
    expect(shed).toEqual(['r-4']);
    await sleep(5); // the first batch is in flight now, and never shed
    q.enqueue(op(5)); // full: the oldest queued report not being written goes
    expect(q.depth).toBe(4);
    expect(shed.length).toBe(2);
    expect(q.shed).toBe(2);
    await q.stop();
  });

  it('drops lifecycle rows only when nothing low-value is left, and writes the rest in order', async () => {
    let down = true;
    const store = fakeStore(() => down);
    const shed: [string, boolean][] = [];
    const q = new WriteQueue(store, { maxRows: 3, initialDelayMs: 5, maxDelayMs: 5, onShed: (o, low) => shed.push([o.id, low]) });
    q.enqueue(report(0));
    q.enqueue(op(1));
    q.enqueue(op(2));
    await sleep(2);
    q.enqueue(op(3)); // the report is in flight: nothing can go but the new row
    q.enqueue(op(4));
    expect(shed).toEqual([['id-3', false], ['id-4', false]]);
    down = false;
    expect(await q.flush(2_000)).toBe(true);
    expect(store.written()).toEqual(['r-0', 'id-1', 'id-2']);
  });

  it('bounds the estimated bytes too', () => {
    const q = new WriteQueue(fakeStore(() => true), { maxBytes: 10_000, initialDelayMs: 10_000 });
    for (let i = 0; i < 1_000; i++) q.enqueue({ kind: 'event', id: `e-${i}`, sessionId: 's', type: 'ice_restarted', participantId: null, at: new Date(0), detail: { pad: 'x'.repeat(200) } });
    expect(q.bytes).toBeLessThanOrEqual(10_000);
    expect(q.depth).toBeGreaterThan(0);
    expect(q.shed).toBe(1_000 - q.depth);
    void q.stop();
  });

  it('a flush does not wait for rows that were shed', async () => {
    let down = true;
    const q = new WriteQueue(fakeStore(() => down), { maxRows: 2, initialDelayMs: 5, maxDelayMs: 5 });
    q.enqueue(op(0));
    await sleep(2);
    q.enqueue(report(1));
    q.enqueue(op(2)); // sheds the report
    const flushed = q.flush(2_000);
    down = false;
    expect(await flushed).toBe(true);
    expect(q.depth).toBe(0);
  });
});

describe('[H1] batches are multi-row INSERTs', () => {
  it('writes a run of rows of one kind in one statement, keeping the order across kinds', async () => {
    const { applyOps } = await import('../../src/store/sql');
    const statements: { sql: string; params: unknown[] }[] = [];
    const tx: SqlClient = {
      query: async <R,>(sql: string, params: unknown[] = []) => {
        statements.push({ sql, params });
        return { rows: [] as R[] };
      },
      transaction: async <T,>(fn: (t: SqlClient) => Promise<T>) => fn(tx),
    };
    const ev = (i: number): WriteOp => ({ kind: 'event', id: `e-${i}`, sessionId: 's', type: 'muted', participantId: null, at: new Date(0), detail: { i } });
    await applyOps(tx, [op(0), ...Array.from({ length: 50 }, (_, i) => ev(i)), { kind: 'participant_leave', id: 'x', at: new Date(0), reason: 'left' }, ev(50), ev(51)]);
    expect(statements.map((s) => s.sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'INSERT INTO room_sessions',
      'INSERT INTO session_events',
      'UPDATE participants SET',
      'INSERT INTO session_events',
    ]);
    expect(statements[1]!.params).toHaveLength(50 * 6);
    expect(statements[1]!.params.filter((_, k) => k % 6 === 0)).toEqual(Array.from({ length: 50 }, (_, i) => `e-${i}`));
  });
});
