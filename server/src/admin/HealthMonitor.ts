/**
 * Live connection health of the current session, built from the room's events and the
 * participants' stats reports. It keeps no timers and does no I/O: callers pass the time, and
 * get back what to persist and whom to warn. Only `onRoomEvent`, `onReport` and `tick` change
 * it; `live` and `pair` are pure reads, so an admin poll or a /metrics scrape changes nothing.
 * Attempts are decided by `tick` alone, which one timer runs (admin/index.ts `periodic`).
 */
import { SLOW_RTT_MS, type LinkQuality, type PeerStats } from '@meshtalk/protocol';
import type { LiveHealth, PairView } from '@meshtalk/protocol/admin';
import type { RoomEvent } from '../room/Room';
import {
  agreedLoss,
  decide,
  forgetLinksOf,
  median,
  pairKey,
  pairView,
  percentile,
  OutcomeTally,
  type DirectedReport,
  type PairAttempt,
} from './aggregate';
import { QualityGate, type QualityChange } from './QualityGate';
import { RestartCounter } from './RestartCounter';

export interface QualityThresholds {
  poorPct: number;
  badPct: number;
}

/** Something the caller should do because of a report or a tick. */
export type HealthEffect =
  | { type: 'quality'; to: string; payload: LinkQuality }
  | { type: 'outcome'; attempt: PairAttempt }
  | { type: 'report'; from: string; report: DirectedReport }
  | { type: 'ice_restart'; from: string; peerId: string; recovered: boolean };

/** How often an unchanged directed link is written to connection_reports. */
const PERSIST_EVERY_MS = 30_000;
/**
 * The most often one directed link is written at all (a state change included), and the most
 * often it yields an ICE-restart row: the clients' report interval. Whatever a client sends,
 * its links cost at most this many rows; a change inside the window is written when it ends.
 */
export const REPORT_MIN_INTERVAL_MS = 5_000;

export class HealthMonitor {
  /** Present participants, in join order. */
  readonly #present: string[] = [];
  readonly #reports = new Map<string, DirectedReport>();
  readonly #attempts = new Map<string, PairAttempt>();
  /** Attempts decided in this session, counted (not kept) even after their participants leave. */
  readonly #decided = new OutcomeTally();
  readonly #quality: QualityGate;
  readonly #restarts = new RestartCounter();
  readonly #lastPersisted = new Map<string, { at: number; state: string }>();
  readonly #lastRestartRow = new Map<string, number>();
  readonly #thresholds: QualityThresholds;

  constructor(thresholds: QualityThresholds) {
    this.#thresholds = thresholds;
    this.#quality = new QualityGate(thresholds);
  }

  /** Follows membership: a newcomer starts one attempt with everyone present. */
  onRoomEvent(event: RoomEvent): void {
    if (event.type === 'joined') {
      const id = event.participant.id;
      for (const other of this.#present) {
        const key = pairKey(id, other);
        const [a, b] = id < other ? [id, other] : [other, id];
        this.#attempts.set(key, { key, a, b, attemptedAt: event.at, connectedAt: null, connectMs: null, candidateType: null, outcome: null });
      }
      this.#present.push(id);
    } else if (event.type === 'left') {
      const id = event.participant.id;
      this.#present.splice(this.#present.indexOf(id), 1);
      for (const [key, x] of this.#attempts) {
        // Undecided attempts of someone who left were never given their chance: not counted.
        if (x.a === id || x.b === id) this.#attempts.delete(key);
      }
      for (const map of [this.#reports, this.#lastRestartRow, this.#lastPersisted]) forgetLinksOf(map, id);
      this.#quality.forget(id);
      this.#restarts.forget(id);
    } else if (event.type === 'session_status' && event.status === 'ended') {
      this.#decided.clear();
      this.#lastPersisted.clear();
      this.#lastRestartRow.clear();
    }
  }

  /** A validated report from `from` about its links. */
  onReport(from: string, peers: readonly PeerStats[], now: number): HealthEffect[] {
    const effects: HealthEffect[] = [];
    for (const peer of peers) {
      const dirKey = `${from}>${peer.peerId}`;
      const previous = this.#reports.get(dirKey);
      const report: DirectedReport = { ...peer, from, at: now };
      this.#reports.set(dirKey, report);

      const attempt = this.#attempts.get(pairKey(from, peer.peerId));
      if (attempt && peer.state === 'connected' && attempt.connectedAt === null) {
        attempt.connectedAt = now;
        attempt.connectMs = peer.connectMs;
        attempt.candidateType = peer.candidateType;
      }
      const counted = this.#restarts.observe(dirKey, peer.iceRestarts, peer.iceRestartsRecovered, now);
      if (previous && counted.restarts > 0 && now - (this.#lastRestartRow.get(dirKey) ?? -Infinity) >= REPORT_MIN_INTERVAL_MS) {
        this.#lastRestartRow.set(dirKey, now);
        effects.push({ type: 'ice_restart', from, peerId: peer.peerId, recovered: counted.recovered > 0 });
      }
      const last = this.#lastPersisted.get(dirKey);
      const since = last ? now - last.at : Infinity;
      if (since >= PERSIST_EVERY_MS || (last?.state !== peer.state && since >= REPORT_MIN_INTERVAL_MS)) {
        this.#lastPersisted.set(dirKey, { at: now, state: peer.state });
        effects.push({ type: 'report', from, report });
      }
      effects.push(...this.#qualityChange(from, peer.peerId, now));
    }
    return effects;
  }

  /** Decides attempts whose window has passed; announces quality changes the interval held back. */
  tick(now: number): HealthEffect[] {
    const effects: HealthEffect[] = this.#quality.due(now).flatMap(announce);
    for (const [key, x] of this.#attempts) {
      const outcome = decide(x, now);
      if (!outcome) continue;
      x.outcome = outcome;
      this.#attempts.delete(key);
      this.#decided.add(x);
      effects.push({ type: 'outcome', attempt: x });
    }
    return effects;
  }

  /** The current view of the pair {a, b}, from what its two ends last reported. */
  pair(a: string, b: string): PairView {
    const [x, y] = a < b ? [a, b] : [b, a];
    return pairView(x, y, this.#reports.get(`${x}>${y}`), this.#reports.get(`${y}>${x}`));
  }

  /**
   * The health as of `now`. Attempts whose window has passed count with the outcome `tick` will
   * give them, so the figures are right between ticks; nothing is decided here.
   */
  live(now: number): LiveHealth {
    const pairs: PairView[] = [];
    for (let i = 0; i < this.#present.length; i++) {
      for (let j = i + 1; j < this.#present.length; j++) pairs.push(this.pair(this.#present[i]!, this.#present[j]!));
    }
    const nums = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
    const stat = (vs: number[]) => ({ median: median(vs), p95: percentile(vs, 95) });
    const rtt = stat(nums(pairs.map((p) => p.rttMs)));
    const jitter = stat(nums(pairs.map((p) => p.jitterMs)));
    const loss = stat(nums(pairs.map((p) => agreedLoss(this.#reports.get(`${p.a}>${p.b}`), this.#reports.get(`${p.b}>${p.a}`)))));
    const badness = (p: PairView) => (p.state === 'connected' ? 0 : 1e6) + (p.lossPct ?? 0) * 1e3 + (p.rttMs ?? 0);
    // Worth an admin's look: not connected, losing packets, or slow. Healthy pairs are not "worst".
    const troubled = (p: PairView) => p.state !== 'connected' || (p.lossPct ?? 0) > this.#thresholds.poorPct || (p.rttMs ?? 0) > SLOW_RTT_MS;
    const pending: PairAttempt[] = [];
    for (const x of this.#attempts.values()) {
      const outcome = decide(x, now);
      if (outcome) pending.push({ ...x, outcome });
    }
    const { success, successByCandidate } = this.#decided.rates(pending);
    const pairsByState: Record<string, number> = {};
    for (const p of pairs) pairsByState[p.state] = (pairsByState[p.state] ?? 0) + 1;
    return {
      pairs,
      worstPairs: pairs.filter(troubled).sort((p, q) => badness(q) - badness(p)).slice(0, 5),
      success,
      successByCandidate,
      rtt: { medianMs: rtt.median, p95Ms: rtt.p95 },
      jitter: { medianMs: jitter.median, p95Ms: jitter.p95 },
      loss: { medianPct: loss.median, p95Pct: loss.p95 },
      iceRestarts: this.#restarts.totals(),
      pairsByState,
    };
  }

  /** Tells both ends of a pair when its quality level changes (QualityGate decides when). */
  #qualityChange(a: string, b: string, now: number): HealthEffect[] {
    const view = this.pair(a, b);
    const change = this.#quality.update(pairKey(a, b), view.a, view.b, view.lossPct, now);
    return change ? announce(change) : [];
  }
}

const announce = (c: QualityChange): HealthEffect[] => [
  { type: 'quality', to: c.a, payload: { peerId: c.b, quality: c.level, lossPct: c.lossPct } },
  { type: 'quality', to: c.b, payload: { peerId: c.a, quality: c.level, lossPct: c.lossPct } },
];
