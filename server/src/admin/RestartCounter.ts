/**
 * ICE restarts per directed link, counted by the server from what it saw the client's counters
 * do, at a plausible pace: a client restarts a link at most about once per restart wait (5 s,
 * client/src/mesh/Recovery.ts), so each link's count may grow by RESTART_BURST at once and then
 * by one per RESTART_REFILL_MS. A client claiming 100,000 restarts (or "recovered" more than it
 * restarted) adds a few, not 100,000. Recovered restarts never exceed counted ones.
 */
import { forgetLinksOf } from './aggregate';

/** Restarts a link may add at once, and how often one more is allowed. */
export const RESTART_BURST = 2;
export const RESTART_REFILL_MS = 5_000;

interface Link {
  /** The client's last counters. */
  claimed: number;
  claimedRecovered: number;
  /** What the server counts. */
  total: number;
  recovered: number;
  budget: number;
  at: number;
}

export class RestartCounter {
  readonly #links = new Map<string, Link>();

  /** A report of link `key` with the client's counters: the restarts and recoveries counted now. */
  observe(key: string, claimed: number, claimedRecovered: number, now: number): { restarts: number; recovered: number } {
    const link = this.#links.get(key) ?? { claimed: 0, claimedRecovered: 0, total: 0, recovered: 0, budget: RESTART_BURST, at: now };
    link.budget = Math.min(RESTART_BURST, link.budget + (now - link.at) / RESTART_REFILL_MS);
    link.at = now;
    // A counter that went down is a new connection (the client recreated it): counting restarts anew.
    const grew = (was: number, is: number) => (is >= was ? is - was : is);
    const restarts = Math.min(grew(link.claimed, claimed), Math.floor(link.budget));
    link.budget -= restarts;
    link.total += restarts;
    const recovered = Math.min(grew(link.claimedRecovered, claimedRecovered), link.total - link.recovered);
    link.recovered += recovered;
    link.claimed = claimed;
    link.claimedRecovered = claimedRecovered;
    this.#links.set(key, link);
    return { restarts, recovered };
  }

  /** Counted restarts and recoveries over the links `keep` accepts. */
  totals(keep: (key: string) => boolean = () => true): { total: number; recovered: number } {
    let total = 0;
    let recovered = 0;
    for (const [key, l] of this.#links) {
      if (!keep(key)) continue;
      total += l.total;
      recovered += l.recovered;
    }
    return { total, recovered };
  }

  /** Forgets the links of a participant who left (keys `${from}>${to}`). */
  forget(id: string): void {
    forgetLinksOf(this.#links, id);
  }
}
