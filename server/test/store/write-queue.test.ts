import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../src/store/WriteQueue';
import type { WriteOp } from '../../src/store/types';

const op = (i: number): WriteOp => ({ kind: 'session_open', id: `id-${i}`, at: new Date(0) });

/** A hand-written store that fails its first `failures` calls and records what it was given. */
function flakyStore(failures: number) {
  const batches: string[][] = [];
  let calls = 0;
  return {
    batches,
    written: () => batches.flat(),
    async apply(ops: readonly WriteOp[]) {
      calls += 1;
      if (calls <= failures) throw new Error('connection refused');
      batches.push(ops.map((o) => o.id));
    },
  };
}

describe('WriteQueue', () => {
  it('writes everything in order, batched, and drains', async () => {
    const store = flakyStore(0);
    const q = new WriteQueue(store, { maxBatch: 3 });
    for (let i = 0; i < 8; i++) q.enqueue(op(i));
    expect(await q.flush(1000)).toBe(true);
    expect(store.written()).toEqual(Array.from({ length: 8 }, (_, i) => `id-${i}`));
    expect(Math.max(...store.batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(q.depth).toBe(0);
  });

  it('retries a failing batch unchanged, with growing capped backoff, dropping nothing', async () => {
    const store = flakyStore(5);
    const delays: number[] = [];
    const q = new WriteQueue(store, { initialDelayMs: 2, maxDelayMs: 10, random: () => 0.999, onRetry: (_e, _a, d) => delays.push(d) });
    for (let i = 0; i < 4; i++) q.enqueue(op(i));
    q.enqueue(op(4));
    expect(await q.flush(2000)).toBe(true);
    expect(store.written()).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    expect(delays).toEqual([2, 4, 8, 10, 10]);
  });

  it('keeps rows enqueued during an outage behind the failing ones, in order', async () => {
    const store = flakyStore(3);
    const q = new WriteQueue(store, { initialDelayMs: 5, maxDelayMs: 5 });
    q.enqueue(op(0));
    await new Promise((r) => setTimeout(r, 8));
    for (let i = 1; i < 6; i++) q.enqueue(op(i));
    expect(q.depth).toBe(6);
    expect(await q.flush(2000)).toBe(true);
    expect(store.written()).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
  });

  it('flush reports false while the database stays down', async () => {
    const store = flakyStore(Number.POSITIVE_INFINITY);
    const q = new WriteQueue(store, { initialDelayMs: 5, maxDelayMs: 5 });
    q.enqueue(op(0));
    expect(await q.flush(50)).toBe(false);
    expect(q.depth).toBe(1);
    q.stop();
  });
});
