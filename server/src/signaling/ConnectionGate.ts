/**
 * Caps on open connections: in all, and per client address. A handshake is admitted or refused
 * in `admit` (Socket.IO's allowRequest), before anything is allocated for it; the admission is
 * then held by the connection it became (`claim`) until that closes (`release`). An admission
 * no connection claims (a handshake that failed later) lapses after `lapseMs`.
 */
export type Refusal = { ok: false; message: string };

export class ConnectionGate {
  readonly #maxTotal: number;
  readonly #maxPerAddress: number;
  readonly #lapseMs: number;
  readonly #byAddress = new Map<string, number>();
  #total = 0;

  constructor(opts: { maxTotal: number; maxPerAddress: number; lapseMs?: number }) {
    this.#maxTotal = opts.maxTotal;
    this.#maxPerAddress = opts.maxPerAddress;
    this.#lapseMs = opts.lapseMs ?? 10_000;
  }

  get total(): number {
    return this.#total;
  }

  /** Reserves a place for a new connection from `address`, or says why not. */
  admit(address: string): { ok: true; ticket: Ticket } | Refusal {
    if (this.#total >= this.#maxTotal) return { ok: false, message: `server busy: too many connections (at most ${this.#maxTotal})` };
    const n = this.#byAddress.get(address) ?? 0;
    if (n >= this.#maxPerAddress) return { ok: false, message: `too many connections from your address (at most ${this.#maxPerAddress})` };
    this.#byAddress.set(address, n + 1);
    this.#total += 1;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(lapse);
      this.#total -= 1;
      const left = (this.#byAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.#byAddress.delete(address);
      else this.#byAddress.set(address, left);
    };
    const lapse = setTimeout(release, this.#lapseMs);
    lapse.unref();
    return {
      ok: true,
      ticket: {
        claim: () => clearTimeout(lapse),
        release,
      },
    };
  }
}

export interface Ticket {
  /** A connection holds this admission now: it no longer lapses. */
  claim(): void;
  /** The connection closed (idempotent). */
  release(): void;
}
