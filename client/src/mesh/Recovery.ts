/**
 * When a link stops working, bring it back without making a slow peer slower.
 *
 * - `failed`: restart ICE at once.
 * - `disconnected` (for `disconnectedGraceMs`) or stuck `connecting` (for `connectingGraceMs`):
 *   look at the link's progress first (bytes received, ICE checks answered) and whether the
 *   peer is still on signaling. A link that still moves, or whose peer is still there, belongs
 *   to a slow peer (a busy laptop answering late): wait another grace period instead of
 *   restarting, up to `maxSlowWaits` times. Otherwise the link is lost: restart ICE.
 * - Restarts in a row back off exponentially; after `maxRestarts` the link is exhausted and the
 *   mesh recreates the connection.
 *
 * An ICE restart renegotiates, and a restart during someone's join adds load to a machine that
 * is already behind; that is why "slow" waits and only "lost" restarts.
 */

export interface RecoveryTarget {
  readonly state: RTCPeerConnectionState;
  restartIce(): void;
  /** A figure that grows while the link is alive: bytes received plus ICE checks answered. */
  progress(): Promise<number>;
  /**
   * Whether the peer is still connected to signaling. A peer whose socket is up but whose link
   * went quiet is busy (a starved page answers everything late), not gone: it gets more time.
   */
  peerPresent?(): boolean;
  /** Restarts ran out: replace the connection. */
  exhausted(): void;
}

export interface RecoveryOptions {
  /** How long `disconnected` may last before the link is examined. */
  disconnectedGraceMs?: number;
  /** How long `connecting` may last before the link is examined. */
  connectingGraceMs?: number;
  /** How long a restart has to bring the link back before the next one. */
  restartWaitMs?: number;
  /** Restarts in a row before the link is given up. */
  maxRestarts?: number;
  /** Grace periods a slow link that still makes progress gets before it is restarted anyway. */
  maxSlowWaits?: number;
}

export class Recovery {
  readonly #target: RecoveryTarget;
  readonly #opts: Required<RecoveryOptions>;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #restartsInARow = 0;
  #slowWaits = 0;
  /** Progress when the current grace period began; null until sampled. */
  #baseline: number | null = null;
  #closed = false;

  constructor(target: RecoveryTarget, opts: RecoveryOptions = {}) {
    this.#target = target;
    this.#opts = {
      disconnectedGraceMs: opts.disconnectedGraceMs ?? 3_000,
      connectingGraceMs: opts.connectingGraceMs ?? 15_000,
      restartWaitMs: opts.restartWaitMs ?? 5_000,
      maxRestarts: opts.maxRestarts ?? 4,
      maxSlowWaits: opts.maxSlowWaits ?? 6,
    };
  }

  /** Restarts in a row that have not (yet) brought the link back. */
  get restartsInARow(): number {
    return this.#restartsInARow;
  }

  onState(state: RTCPeerConnectionState): void {
    if (this.#closed) return;
    if (state === 'connected') {
      this.#restartsInARow = 0;
      this.#slowWaits = 0;
      this.#clear();
    } else if (state === 'disconnected') {
      this.#examineAfter(this.#opts.disconnectedGraceMs);
    } else if (state === 'connecting') {
      this.#examineAfter(this.#opts.connectingGraceMs);
    } else if (state === 'failed') {
      // At once the first time; backing off when restarts in a row keep failing.
      this.#clear();
      const delay = this.#restartsInARow ? 1_000 * 2 ** (this.#restartsInARow - 1) : 0;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#restart();
      }, delay);
    }
  }

  close(): void {
    this.#closed = true;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Samples the progress now and looks again after `ms` (unless a look is already due). */
  #examineAfter(ms: number): void {
    if (this.#timer) return;
    this.#baseline = null;
    void this.#target.progress().then((p) => (this.#baseline = p), () => undefined);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#examine(ms);
    }, ms);
  }

  async #examine(graceMs: number): Promise<void> {
    const state = this.#target.state;
    if (this.#closed || state === 'connected' || state === 'closed' || state === 'new') return;
    if (state === 'failed') return this.#restart();
    const now = await this.#target.progress().catch(() => null);
    if (this.#closed || this.#timer) return;
    const moved = (now !== null && this.#baseline !== null && now > this.#baseline) || (this.#target.peerPresent?.() ?? false);
    if (moved && this.#slowWaits < this.#opts.maxSlowWaits) {
      this.#slowWaits += 1;
      this.#examineAfter(graceMs);
      return;
    }
    this.#restart();
  }

  #restart(): void {
    if (this.#closed) return;
    if (this.#restartsInARow >= this.#opts.maxRestarts) {
      this.#target.exhausted();
      return;
    }
    this.#restartsInARow += 1;
    this.#slowWaits = 0;
    this.#target.restartIce();
    // If the restart does not bring the link back, look again later, backing off.
    this.#examineAfter(this.#opts.restartWaitMs + 1_000 * 2 ** (this.#restartsInARow - 1));
  }
}
