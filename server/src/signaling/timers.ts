/**
 * Every timer of the signaling side in one place: grace periods of dropped connections, the TURN
 * credential refresh per participant, and periodic work (the health monitor's decisions). All
 * are unref'd, so they never hold the process open, and `clearAll` stops them at shutdown.
 */
import type { IceGrant } from '../turn/credentials';

/** How long before expiry fresh credentials are pushed: a fifth of their lifetime, at least 5 s. */
const refreshLead = (lifetimeMs: number) => Math.max(5_000, lifetimeMs * 0.2);

export class SignalingTimers {
  readonly #once = new Set<NodeJS.Timeout>();
  readonly #every = new Set<NodeJS.Timeout>();
  readonly #refresh = new Map<string, NodeJS.Timeout>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Runs `fn` once after `ms`. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#once.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#once.add(t);
  }

  every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.#every.add(t);
  }

  /**
   * Shortly before `expiresAt`, calls `refresh`, which pushes a new grant (or returns null when
   * the participant has no connection); the next refresh follows from the new grant's expiry.
   */
  scheduleRefresh(participantId: string, expiresAt: number | null, refresh: () => IceGrant | null): void {
    this.clearRefresh(participantId);
    if (expiresAt === null) return;
    const lifetime = expiresAt - this.#now();
    const t = setTimeout(() => {
      this.#refresh.delete(participantId);
      const grant = refresh();
      if (grant) this.scheduleRefresh(participantId, grant.expiresAt, refresh);
    }, Math.max(1_000, lifetime - refreshLead(lifetime)));
    t.unref();
    this.#refresh.set(participantId, t);
  }

  clearRefresh(participantId: string): void {
    const t = this.#refresh.get(participantId);
    if (t) clearTimeout(t);
    this.#refresh.delete(participantId);
  }

  clearAll(): void {
    for (const t of this.#once) clearTimeout(t);
    for (const t of this.#every) clearInterval(t);
    for (const t of this.#refresh.values()) clearTimeout(t);
    this.#once.clear();
    this.#every.clear();
    this.#refresh.clear();
  }
}
