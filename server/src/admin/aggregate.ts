/**
 * Pure math over connection reports. In a mesh a call fails per pair (A hears B, B cannot hear
 * C), so the unit of health is the unordered pair {a, b}, seen from both ends.
 *
 * Every figure is one client's word, so the room's figures are built to survive one liar:
 * a pair's RTT and jitter are the lower of its two ends' claims (both ends measure the same
 * path; one end cannot make it look worse than the other sees it), and the room's figures are
 * medians and 95th percentiles over pairs, never means.
 */
import type { CandidateType, LinkQualityLevel, PeerConnectionState, PeerStats } from '@meshtalk/protocol';
import { CONNECT_WINDOW_MS, type PairView, type SuccessRate } from '@meshtalk/protocol/admin';

export type { PairView, SuccessRate };

/** p in [0, 100]; nearest-rank on the sorted values; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

/** The middle value (the mean of the two middle ones for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const lowest = (values: readonly number[]): number | null => (values.length ? Math.min(...values) : null);

export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** What one end last said about its link to the other end. */
export interface DirectedReport extends PeerStats {
  from: string;
  at: number;
}

/** The state of a pair: the worse of what its two ends report. */
const STATE_RANK: Record<PeerConnectionState, number> = { failed: 6, disconnected: 5, closed: 4, new: 3, connecting: 2, connected: 1 };
export function worseState(a: PeerConnectionState | undefined, b: PeerConnectionState | undefined): PeerConnectionState {
  if (!a) return b ?? 'new';
  if (!b) return a;
  return STATE_RANK[a] >= STATE_RANK[b] ? a : b;
}

export interface PairAttempt {
  key: string;
  a: string;
  b: string;
  /** When both ends were first present together (ms since the epoch). */
  attemptedAt: number;
  /** When an end first reported `connected`, or null. */
  connectedAt: number | null;
  /** The first connect time an end reported, ms. */
  connectMs: number | null;
  candidateType: CandidateType | null;
  /** Set once the pair is decided: success (connected in time) or failure. */
  outcome: 'success' | 'failure' | null;
}

const figures = (ab: DirectedReport | undefined, ba: DirectedReport | undefined) => (pick: (r: DirectedReport) => number | null) =>
  [ab, ba].flatMap((r) => (r === undefined || pick(r) === null ? [] : [pick(r)!]));

/**
 * Joins the two directed reports of a pair into one view: the worse state; RTT and jitter as
 * the lower of the two claims (see above); loss as the worse direction, since each end reports
 * its own reception and a warning is about the worse one (an end that claims loss it does not
 * have only makes the other send it less).
 */
export function pairView(a: string, b: string, ab: DirectedReport | undefined, ba: DirectedReport | undefined): PairView {
  const both = [ab, ba].filter((r): r is DirectedReport => r !== undefined);
  const nums = figures(ab, ba);
  const loss = nums((r) => r.lossPct);
  return {
    a,
    b,
    state: worseState(ab?.state, ba?.state),
    rttMs: lowest(nums((r) => r.rttMs)),
    jitterMs: lowest(nums((r) => r.jitterMs)),
    lossPct: loss.length ? Math.max(...loss) : null,
    candidateType: both.find((r) => r.candidateType && r.candidateType !== 'unknown')?.candidateType ?? both[0]?.candidateType ?? null,
    connectMs: mean(nums((r) => r.connectMs)),
  };
}

/**
 * The loss both ends of a pair vouch for, for the room's loss figures: the lower direction when
 * both report, so one end's claim alone cannot move the room's median or p95. The pair's own
 * view (and its warning) keeps the worse direction.
 */
export function agreedLoss(ab: DirectedReport | undefined, ba: DirectedReport | undefined): number | null {
  return lowest(figures(ab, ba)((r) => r.lossPct));
}

/**
 * Success rate over decided attempts: a pair that reached connected within CONNECT_WINDOW_MS
 * succeeded; one still unconnected after it failed. Undecided pairs (younger than the window)
 * are not counted yet.
 */
export function successRate(attempts: readonly PairAttempt[]): SuccessRate {
  const decided = attempts.filter((x) => x.outcome !== null);
  const succeeded = decided.filter((x) => x.outcome === 'success').length;
  return { attempted: decided.length, succeeded, rate: decided.length ? succeeded / decided.length : null };
}

export function successRateByCandidate(attempts: readonly PairAttempt[]): Record<string, SuccessRate> {
  const groups = new Map<string, PairAttempt[]>();
  for (const x of attempts) {
    const k = x.candidateType ?? 'unknown';
    const group = groups.get(k);
    if (group) group.push(x);
    else groups.set(k, [x]);
  }
  return Object.fromEntries([...groups].map(([k, xs]) => [k, successRate(xs)]));
}

type Counts = { attempted: number; succeeded: number };
const rateOf = (c: Counts): SuccessRate => ({ attempted: c.attempted, succeeded: c.succeeded, rate: c.attempted ? c.succeeded / c.attempted : null });

function count(all: Counts, byCandidate: Map<string, Counts>, x: PairAttempt): void {
  if (x.outcome === null) return;
  const k = x.candidateType ?? 'unknown';
  let group = byCandidate.get(k);
  if (!group) byCandidate.set(k, (group = { attempted: 0, succeeded: 0 }));
  for (const c of [all, group]) {
    c.attempted += 1;
    if (x.outcome === 'success') c.succeeded += 1;
  }
}

/**
 * Running counts of a session's decided attempts, overall and by candidate type: each outcome
 * costs O(1) to add, and a read costs the same however many were decided before (a session
 * with thousands of joins and leaves keeps no list of them).
 */
export class OutcomeTally {
  #all: Counts = { attempted: 0, succeeded: 0 };
  #byCandidate = new Map<string, Counts>();

  add(x: PairAttempt): void {
    count(this.#all, this.#byCandidate, x);
  }

  clear(): void {
    this.#all = { attempted: 0, succeeded: 0 };
    this.#byCandidate.clear();
  }

  /** The rates, counting `pending` (attempts decided as of now that no tick has added yet) too; changes nothing. */
  rates(pending: readonly PairAttempt[] = []): { success: SuccessRate; successByCandidate: Record<string, SuccessRate> } {
    const all = { ...this.#all };
    const by = new Map([...this.#byCandidate].map(([k, c]) => [k, { ...c }]));
    for (const x of pending) count(all, by, x);
    return { success: rateOf(all), successByCandidate: Object.fromEntries([...by].map(([k, c]) => [k, rateOf(c)])) };
  }
}

/** Decides an attempt's outcome at time `now`, if it can be decided. */
export function decide(x: PairAttempt, now: number): PairAttempt['outcome'] {
  if (x.outcome) return x.outcome;
  if (x.connectedAt !== null) return x.connectedAt - x.attemptedAt <= CONNECT_WINDOW_MS ? 'success' : 'failure';
  return now - x.attemptedAt > CONNECT_WINDOW_MS ? 'failure' : null;
}

/** Loss above `poorPct` is poor, above `badPct` bad. */
export function qualityOf(lossPct: number | null, thresholds: { poorPct: number; badPct: number }): LinkQualityLevel {
  if (lossPct === null) return 'good';
  if (lossPct > thresholds.badPct) return 'bad';
  if (lossPct > thresholds.poorPct) return 'poor';
  return 'good';
}

/** A level is left only once loss falls below this share of its threshold (hysteresis). */
export const QUALITY_EXIT_SHARE = 0.6;

/**
 * The level a link at `current` moves to with `lossPct`: up at once past a threshold, down only
 * below QUALITY_EXIT_SHARE of it, so loss hovering at a threshold does not flap. No figure (the
 * link is not connected) keeps the level.
 */
export function nextQuality(current: LinkQualityLevel, lossPct: number | null, thresholds: { poorPct: number; badPct: number }): LinkQualityLevel {
  if (lossPct === null) return current;
  const plain = qualityOf(lossPct, thresholds);
  const rank = { good: 0, poor: 1, bad: 2 } as const;
  if (rank[plain] >= rank[current]) return plain;
  if (current === 'bad' && lossPct > thresholds.badPct * QUALITY_EXIT_SHARE) return 'bad';
  if (lossPct > thresholds.poorPct * QUALITY_EXIT_SHARE) return 'poor';
  return 'good';
}

/** Deletes every directed link (`${from}>${to}` key) that participant `id` is an end of. */
export function forgetLinksOf(map: Map<string, unknown>, id: string): void {
  for (const key of [...map.keys()]) if (key.startsWith(`${id}>`) || key.endsWith(`>${id}`)) map.delete(key);
}
