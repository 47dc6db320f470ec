/**
 * The room never waits on the database: rows are enqueued here and written in order, in
 * batches, by one loop. A failed batch is retried, unchanged, with exponential backoff and
 * jitter, for as long as it takes; nothing is dropped or reordered. Ops are idempotent by id,
 * so a batch whose commit succeeded but whose answer was lost is harmless to write again.
 *
 * The queue is bounded in rows and in (estimated) bytes. When a new row would pass either bound,
 * low-value rows (`isSheddable`: link reports, refused-join tallies, ICE-restart events) are shed
 * first: a new low-value row is dropped, and a new lifecycle row pushes out the oldest queued
 * low-value row that is not being written. Only when the queue holds nothing but lifecycle rows
 * is a new row dropped whatever it is. Every drop goes to `onShed`, so none is silent.
 *
 * Failure model: the queue lives in memory. Rows still queued when the process dies (a crash,
 * or a shutdown whose flush timed out in an outage) are lost; start-up `closeOpen` ends them.
 */
import { OP_OVERHEAD_BYTES, opBytes } from './op-bytes';
import { isSheddable, type Store, type WriteOp } from './types';

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
  /** Most rows held (default unbounded). */
  maxRows?: number;
  /** Most estimated bytes held (default unbounded); see `opBytes`. */
  maxBytes?: number;
  /** Which rows may be shed when the queue is full (default `isSheddable`). */
  sheddable?: (op: WriteOp) => boolean;
  /** A row was dropped because the queue was full; `lowValue` says whether it was sheddable. */
  onShed?: (op: WriteOp, lowValue: boolean) => void;
}

/** A queued op and what the bounds need to know about it. */
interface Entry {
  /** Null once shed, so a shed op's memory goes at once. */
  op: WriteOp | null;
  seq: number;
  bytes: number;
  sheddable: boolean;
  /** Shed after it was queued: skipped by the writer. */
  dead: boolean;
  /** Part of the batch being written: never shed. */
  inFlight: boolean;
}

interface Waiter {
  /** Resolves once no live entry with a seq up to this one is left. */
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
  readonly #onShed: WriteQueueOptions['onShed'];
  readonly #maxRows: number;
  readonly #maxBytes: number;
  readonly #sheddable: (op: WriteOp) => boolean;
  /** Ops not yet committed (some marked dead once shed); the batch being written is its head. */
  #pending: Entry[] = [];
  /** The sheddable entries of `#pending`, oldest first, from `#shedHead` on (some dead or written). */
  #shedOrder: Entry[] = [];
  #shedHead = 0;
  /** Live ops held and their estimated bytes. */
  #rows = 0;
  #bytes = 0;
  /** Ops ever accepted (the last seq handed out). */
  #accepted = 0;
  #shed = 0;
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
    this.#onShed = opts.onShed;
    this.#maxRows = Math.max(1, opts.maxRows ?? Infinity);
    this.#maxBytes = Math.max(1, opts.maxBytes ?? Infinity);
    this.#sheddable = opts.sheddable ?? isSheddable;
  }

  /** Ops not yet written, including the batch being written. */
  get depth(): number {
    return this.#rows;
  }

  /** Estimated bytes of the ops not yet written (`opBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Ops dropped so far because the queue was full. */
  get shed(): number {
    return this.#shed;
  }

  /** Failed attempts of the current batch so far; 0 while writes succeed. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Queues one op and returns at once; never throws. Ignored after `stop()`. */
  enqueue(op: WriteOp): void {
    if (this.#stopped) return;
    let entry: Entry;
    try {
      entry = { op, seq: this.#accepted + 1, bytes: opBytes(op), sheddable: this.#sheddable(op), dead: false, inFlight: false };
    } catch {
      entry = { op, seq: this.#accepted + 1, bytes: OP_OVERHEAD_BYTES, sheddable: false, dead: false, inFlight: false };
    }
    const full = () => this.#rows + 1 > this.#maxRows || this.#bytes + entry.bytes > this.#maxBytes;
    if (full()) {
      // Low-value rows go first: the new one if it is one, else the oldest queued ones.
      if (!entry.sheddable) while (full() && this.#shedOldest()) continue;
      if (full()) return this.#drop(op, entry.sheddable);
    }
    this.#accepted = entry.seq;
    this.#pending.push(entry);
    if (entry.sheddable) this.#shedOrder.push(entry);
    this.#rows += 1;
    this.#bytes += entry.bytes;
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
    if (this.#settledUpTo(upTo)) return Promise.resolve(true);
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
        const entries: Entry[] = [];
        let taken = 0;
        for (; taken < this.#pending.length && entries.length < this.#maxBatch; taken++) {
          const e = this.#pending[taken]!;
          if (e.dead) continue;
          e.inFlight = true;
          entries.push(e);
        }
        if (entries.length === 0) {
          this.#pending.splice(0, taken);
          continue;
        }
        const batch = entries.map((e) => e.op!);
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
        if (!committed) {
          for (const e of entries) e.inFlight = false;
          break;
        }
        this.#pending.splice(0, taken);
        for (const e of entries) {
          // Written: for the shed order it is as good as gone.
          e.dead = true;
          this.#rows -= 1;
          this.#bytes -= e.bytes;
        }
        this.#compactShedOrder();
        this.#attempts = 0;
        this.#hook(() => this.#onWritten?.(batch.length));
        for (const w of this.#waiters.filter((w) => this.#settledUpTo(w.upTo))) w.resolve(true);
      }
    } finally {
      this.#running = null;
    }
  }

  /** True when no op with a seq up to `upTo` is still waiting to be written. */
  #settledUpTo(upTo: number): boolean {
    const first = this.#pending.find((e) => !e.dead);
    return first === undefined || first.seq > upTo;
  }

  /** Sheds the oldest queued low-value op not being written; false if there is none. */
  #shedOldest(): boolean {
    for (let i = this.#shedHead; i < this.#shedOrder.length; i++) {
      const e = this.#shedOrder[i]!;
      if (e.dead || e.inFlight) continue;
      e.dead = true;
      this.#rows -= 1;
      this.#bytes -= e.bytes;
      this.#drop(e.op!, true);
      e.op = null;
      this.#compactShedOrder();
      return true;
    }
    return false;
  }

  #drop(op: WriteOp, lowValue: boolean): void {
    this.#shed += 1;
    this.#hook(() => this.#onShed?.(op, lowValue));
  }

  /** Forgets dead entries at the front of the shed order, and compacts it now and then. */
  #compactShedOrder(): void {
    while (this.#shedHead < this.#shedOrder.length && this.#shedOrder[this.#shedHead]!.dead) this.#shedHead += 1;
    if (this.#shedHead > 1024 && this.#shedHead * 2 > this.#shedOrder.length) {
      this.#shedOrder = this.#shedOrder.slice(this.#shedHead).filter((e) => !e.dead);
      this.#shedHead = 0;
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
