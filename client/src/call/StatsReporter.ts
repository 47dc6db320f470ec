/**
 * Reports every link's health to the server (for the admin page): all links every
 * `everyMs`, and a link whose state changed soon after the change, so the admin's view and the
 * time to connect do not wait for the next interval.
 *
 * A quick report carries only the links that changed. Either report reads getStats only for
 * connected links (the state and timing of the others need none), and none at all while the
 * mesh settles (a join, a recovery) and SETTLED_QUIET_MS after (up to SETTLING_MAX_WAIT_MS in
 * all): then a report carries states and timing with the figures last read, and the busy page's
 * WebRTC threads are left to the links. Loss and bitrates in a quick report stay those of the
 * last full interval (a quarter-second window would make them noise).
 */
import type { CandidateType, PeerStats } from '@meshtalk/protocol';
import { SettlingGate, type Mesh } from '../mesh/Mesh';
import { candidateTypeOf, summarize, type Counters, type LinkFigures, type StatsEntry } from '../stats/summarize';

export interface StatsReporterDeps {
  mesh: Mesh;
  /** Whether a peer is (still) in the roster: links of departed peers are not reported. */
  isMember: (peerId: string) => boolean;
  /** Sends one report; resolves when acknowledged. */
  send: (peers: PeerStats[]) => Promise<unknown>;
  /** New figures for some links (RTT, candidate type): the view may want to show them. */
  onFigures: () => void;
  everyMs?: number;
  quickMs?: number;
}

export interface LinkReading {
  rttMs: number | null;
  candidateType: CandidateType | null;
}

export class StatsReporter {
  readonly #deps: StatsReporterDeps;
  /** Per peer, the last full stats interval: its counters start the next, its figures fill quick reports. */
  readonly #lastInterval = new Map<string, { counters: Counters; figures: LinkFigures }>();
  readonly #readings = new Map<string, LinkReading>();
  readonly #changed = new Set<string>();
  #interval: ReturnType<typeof setInterval> | null = null;
  #soon: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  readonly #gate: SettlingGate;

  constructor(deps: StatsReporterDeps) {
    this.#deps = deps;
    this.#gate = new SettlingGate(deps.mesh);
  }

  start(): void {
    this.#stopped = false;
    this.#gate.restart();
    this.#interval ??= setInterval(() => void this.#report(null), this.#deps.everyMs ?? 5_000);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#interval) clearInterval(this.#interval);
    if (this.#soon) clearTimeout(this.#soon);
    this.#interval = null;
    this.#soon = null;
    this.#changed.clear();
  }

  /** What the last report read of a link. */
  reading(peerId: string): LinkReading | undefined {
    return this.#readings.get(peerId);
  }

  forget(peerId: string): void {
    this.#lastInterval.delete(peerId);
    this.#readings.delete(peerId);
    this.#changed.delete(peerId);
  }

  /** A link changed state: report it soon, together with any other that changes meanwhile. */
  linkChanged(peerId: string): void {
    if (this.#stopped) return;
    this.#changed.add(peerId);
    this.#soon ??= setTimeout(() => {
      this.#soon = null;
      const ids = new Set(this.#changed);
      this.#changed.clear();
      void this.#report(ids);
    }, this.#deps.quickMs ?? 250);
  }

  /** One report: every link (`only` null, a full interval) or just the links in `only`. */
  async #report(only: Set<string> | null): Promise<void> {
    const peers: PeerStats[] = [];
    const now = performance.now();
    const read = this.#gate.open(now);
    for (const peerId of this.#deps.mesh.peerIds) {
      if (only && !only.has(peerId)) continue;
      const link = this.#deps.mesh.link(peerId);
      if (!link || !this.#deps.isMember(peerId)) continue;
      const previous = this.#lastInterval.get(peerId);
      let figures: LinkFigures;
      // A link that is not connected has no figures yet: its state and timing need no getStats.
      if (link.state !== 'connected') {
        figures = { ...(previous?.figures ?? EMPTY_FIGURES), rttMs: null, candidateType: null };
      } else if (!read) {
        // Figures wait for the next read; how the link connected is known without one (the
        // room records it when the pair first reports connected).
        const reading = this.#readings.get(peerId) ?? { rttMs: null, candidateType: null };
        reading.candidateType ??= candidateTypeOf(link.selectedCandidateType());
        if (reading.candidateType) this.#readings.set(peerId, reading);
        figures = { ...(previous?.figures ?? EMPTY_FIGURES), ...reading };
      } else {
        const report = await link.getStats().catch(() => null);
        if (this.#stopped) return;
        if (!report) continue;
        const summary = summarize(report.values() as Iterable<StatsEntry>, previous?.counters ?? null, now);
        figures = summary.figures;
        if (!only) this.#lastInterval.set(peerId, summary);
        else figures = { ...figures, lossPct: previous?.figures.lossPct ?? null, inKbps: previous?.figures.inKbps ?? null, outKbps: previous?.figures.outKbps ?? null };
        this.#readings.set(peerId, { rttMs: figures.rttMs, candidateType: figures.candidateType });
      }
      peers.push({ peerId, state: link.state, connectMs: link.connectMs, iceRestarts: link.iceRestarts, iceRestartsRecovered: link.iceRestartsRecovered, ...figures });
    }
    if (this.#stopped || !peers.length) return;
    this.#deps.onFigures();
    await this.#deps.send(peers);
  }
}

const EMPTY_FIGURES: LinkFigures = { candidateType: null, rttMs: null, jitterMs: null, lossPct: null, inKbps: null, outKbps: null };
