/**
 * The room never waits on the database: rows are enqueued here and written in order, in
 * batches, by one loop. A failed batch is retried, unchanged, with exponential backoff and
 * jitter, for as long as it takes; nothing is dropped or reordered. Ops are idempotent by id,
 * so a batch whose commit succeeded but whose answer was lost is harmless to write again.
 */
import type { Store, WriteOp } from './types';

export interface WriteQueueOptions {
  maxBatch?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  onWritten?: (count: number) => void;
  /** Random in [0, 1); injectable for tests. */
  random?: () => number;
}

export class WriteQueue {
  readonly #store: Pick<Store, 'apply'>;
  readonly #pending: WriteOp[] = [];
  readonly #opts: Required<Omit<WriteQueueOptions, 'onRetry' | 'onWritten'>> & Pick<WriteQueueOptions, 'onRetry' | 'onWritten'>;
  #running = false;
  #stopped = false;
  #inFlight = 0;
  #wake: (() => void) | null = null;
  #drained: (() => void)[] = [];

  constructor(store: Pick<Store, 'apply'>, opts: WriteQueueOptions = {}) {
    this.#store = store;
    this.#opts = { maxBatch: 100, initialDelayMs: 100, maxDelayMs: 5_000, random: Math.random, ...opts };
  }

  /** Rows not yet written, including a batch being written. */
  get depth(): number {
    return this.#pending.length;
  }

  enqueue(op: WriteOp): void {
    if (this.#stopped) return;
    this.#pending.push(op);
    if (this.#wake) {
      this.#wake();
      this.#wake = null;
    }
    if (!this.#running) void this.#run();
  }

  /** Resolves true once everything enqueued so far is written, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.#pending.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.#drained.push(() => {
        clearTimeout(t);
        resolve(true);
      });
      // A retry may be sleeping; cut the wait short so the flush tries now.
      this.#wake?.();
    });
  }

  /** Stops the loop after the batch in flight; later enqueues are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    this.#running = true;
    let attempt = 0;
    while (this.#pending.length > 0 && !this.#stopped) {
      const batch = this.#pending.slice(0, this.#opts.maxBatch);
      this.#inFlight = batch.length;
      try {
        await this.#store.apply(batch);
        this.#pending.splice(0, batch.length);
        attempt = 0;
        this.#opts.onWritten?.(batch.length);
      } catch (err) {
        attempt += 1;
        const ceiling = Math.min(this.#opts.maxDelayMs, this.#opts.initialDelayMs * 2 ** (attempt - 1));
        const delay = Math.round(ceiling / 2 + (this.#opts.random() * ceiling) / 2);
        this.#opts.onRetry?.(err, attempt, delay);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
    this.#inFlight = 0;
    this.#running = false;
    if (this.#pending.length === 0) for (const done of this.#drained.splice(0)) done();
  }
}
