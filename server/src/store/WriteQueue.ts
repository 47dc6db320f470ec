/**
 * The room never waits on the database: rows are enqueued here and written in order, in
 * batches, by one loop. A failed batch is retried, unchanged, with exponential backoff and
 * jitter, for as long as it takes; nothing is dropped or reordered. Ops are idempotent by id,
 * so a batch whose commit succeeded but whose answer was lost is harmless to write again.
 *
 * Failure model: the queue lives in memory. Rows still queued when the process dies (a crash,
 * or a shutdown whose flush timed out during an outage) are lost; the start-up `closeOpen`
 * then ends the rows they would have closed.
 */
import type { Store, WriteOp } from './types';

export interface WriteQueueOptions {
  /** Most ops per transaction (default 100). */
  maxBatch?: number;
  /** First retry delay (default 100 ms); it doubles per failed attempt of the same batch … */
  initialDelayMs?: number;
  /** … up to this ceiling (default 5 s). The actual delay is drawn from [ceiling/2, ceiling). */
  maxDelayMs?: number;
  /** A batch failed; the next attempt (number `attempt + 1`) starts in `delayMs`. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** A batch of `count` ops was committed. */
  onWritten?: (count: number) => void;
  /** Random in [0, 1); injectable for tests. */
  random?: () => number;
}

interface Waiter {
  /** Resolves once `written` reaches this count. */
  upTo: number;
  resolve: (drained: boolean) => void;
}

export class WriteQueue {
  readonly #store: Pick<Store, 'apply'>;
  readonly #maxBatch: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #random: () => number;
  readonly #onRetry: WriteQueueOptions['onRetry'];
  readonly #onWritten: WriteQueueOptions['onWritten'];
  /** Ops not yet committed; the batch being written is its head. */
  #pending: WriteOp[] = [];
  /** Ops ever accepted and ever committed; flush waits on the difference. */
  #accepted = 0;
  #written = 0;
  #attempts = 0;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Ends a backoff sleep early (flush, stop). */
  #wake: (() => void) | null = null;
  #waiters: Waiter[] = [];

  constructor(store: Pick<Store, 'apply'>, opts: WriteQueueOptions = {}) {
    this.#store = store;
    this.#maxBatch = Math.max(1, opts.maxBatch ?? 100);
    this.#initialDelayMs = Math.max(1, opts.initialDelayMs ?? 100);
    this.#maxDelayMs = Math.max(this.#initialDelayMs, opts.maxDelayMs ?? 5_000);
    this.#random = opts.random ?? Math.random;
    this.#onRetry = opts.onRetry;
    this.#onWritten = opts.onWritten;
  }

  /** Ops not yet written, including the batch being written. */
  get depth(): number {
    return this.#pending.length;
  }

  /** Failed attempts of the current batch so far; 0 while writes succeed. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Queues one op and returns at once; never throws. Ignored after `stop()`. */
  enqueue(op: WriteOp): void {
    if (this.#stopped) return;
    this.#pending.push(op);
    this.#accepted += 1;
    // A running loop picks the op up in turn; a sleeping retry is deliberately not woken,
    // or a busy room would turn the backoff into a tight loop against a dead database.
    this.#running ??= this.#run();
  }

  /**
   * Resolves true once every op enqueued before this call is written, false after `timeoutMs`
   * (or on `stop()`). It also ends a backoff sleep so the next attempt starts now: meant for
   * shutdown, not for polling.
   */
  flush(timeoutMs: number): Promise<boolean> {
    const upTo = this.#accepted;
    if (this.#written >= upTo) return Promise.resolve(true);
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        upTo,
        resolve: (drained) => {
          clearTimeout(timer);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve(drained);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#waiters.push(waiter);
      this.#wake?.();
    });
  }

  /**
   * Stops the loop: later enqueues are ignored, pending flushes resolve false, and the
   * returned promise settles once the attempt in flight (if any) has finished.
   */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    for (const w of [...this.#waiters]) w.resolve(false);
    return this.#running ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    try {
      // Let the rest of the current tick enqueue too: one room action often yields several rows.
      await Promise.resolve();
      while (this.#pending.length > 0 && !this.#stopped) {
        // The same batch until it commits: later ops wait behind it, never join or pass it.
        const batch = this.#pending.slice(0, this.#maxBatch);
        let committed = false;
        this.#attempts = 0;
        while (!committed && !this.#stopped) {
          try {
            await this.#store.apply(batch);
            committed = true;
          } catch (err) {
            this.#attempts += 1;
            const delay = this.#delay(this.#attempts);
            this.#hook(() => this.#onRetry?.(err, this.#attempts, delay));
            if (!this.#stopped) await this.#sleep(delay);
          }
        }
        if (!committed) break;
        this.#pending.splice(0, batch.length);
        this.#written += batch.length;
        this.#attempts = 0;
        this.#hook(() => this.#onWritten?.(batch.length));
        for (const w of this.#waiters.filter((w) => w.upTo <= this.#written)) w.resolve(true);
      }
    } finally {
      this.#running = null;
    }
  }

  /** Exponential with "equal jitter": the ceiling doubles per attempt up to the cap, half of it is random. */
  #delay(attempt: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** Math.min(attempt - 1, 52));
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  /** A logging or metrics hook that throws must not stop the writing. */
  #hook(fn: () => void): void {
    try {
      fn();
    } catch {
      // Nothing to do: the hook's own failure is not the queue's.
    }
  }
}
