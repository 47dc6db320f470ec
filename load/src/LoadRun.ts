/**
 * A load run: N headless participants join the room at once, stay `seconds`, and are watched
 * once a second (their links' getStats, their ears, their eyes) into a PairBook. It ends at the
 * time, at once when the room refuses someone as full, or when interrupted; then everyone
 * leaves (slots free at once, no grace period held) and the run says what it saw.
 */
import { tone, MediaClock, Screen, Voice } from './media';
import { HEARD_FRAMES, PairBook, percentile, verdict, type LinkSeen, type Observation, type Pair } from './pairs';
import { Participant } from './Participant';
import { peerConnectionFactory, type PeerConnectionFactory } from './peer-connection';
import type { Pcm } from './wav';
import type { LinkReport } from '../../client/src/call/debug';

/** Ticks between full reads of every link's getStats (72 links at N = 9: not every second). */
const STATS_EVERY_TICKS = 5;

export interface RunOptions {
  /** The server's origin, and the Origin header to send. */
  server: string;
  origin: string;
  names: string[];
  seconds: number;
  relay: boolean;
  share: boolean;
  /** What everyone says; null: a tone per participant (a different pitch each). */
  audio: Pcm | null;
  /** Audio per packet asked of every sender to us, ms (default 20, as browsers send). */
  ptime?: number;
  tickMs?: number;
}

export interface Progress {
  elapsedMs: number;
  participants: number;
  joined: number;
  pairs: number;
  connected: number;
  withAudio: number;
  /** While someone presents: how many of our viewers decoded its frames. */
  screen: { presenter: string; viewers: number; decoding: number } | null;
  /** Per participant of ours: who it sees, in what state, heard or not, frames of the presenter. */
  people: { name: string; id: string | null; status: string; peers: { id: string; name: string; state: string; heard: boolean; frames: number }[] }[];
}

export interface PairRow {
  a: string;
  b: string;
  connected: boolean;
  audio: boolean;
  connectMs: number | null;
  candidateTypes: string[];
  rttMs: number | null;
  /** Seconds of non-silent audio decoded at each end of ours (null: that end is not ours). */
  heardA: number | null;
  heardB: number | null;
}

export interface Summary {
  ok: boolean;
  reason: string;
  interrupted: boolean;
  server: string;
  participants: number;
  joined: number;
  elapsedMs: number;
  /** From the start until every pair had audio at once; null if that never happened. */
  fullMeshMs: number | null;
  connectMs: { p50: number | null; p95: number | null };
  pairs: PairRow[];
  /** Per viewer of ours: frames decoded of each presenter. */
  frames: { viewer: string; presenter: string; frames: number }[];
}

export class LoadRun {
  readonly #opts: RunOptions;
  readonly #factory: PeerConnectionFactory;
  readonly #clock = new MediaClock();
  readonly #book = new PairBook();
  readonly participants: Participant[];
  #t0 = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #ticking = false;
  #ended: Promise<Summary> | null = null;
  #endRun: (() => void) | null = null;
  #interrupted = false;
  #shared = false;
  #ticks = 0;
  /** Per participant, the last full read of its links (getStats), by peer id. */
  readonly #figures = new Map<Participant, Map<string, LinkReport>>();
  #listeners: ((p: Progress) => void)[] = [];
  #last: Progress | null = null;

  constructor(opts: RunOptions) {
    this.#opts = opts;
    this.#factory = peerConnectionFactory({ relayOnly: opts.relay, ptime: opts.ptime });
    this.participants = opts.names.map((name, i) => {
      const voice = new Voice(opts.audio ?? tone(330 + 30 * i));
      this.#clock.voices.add(voice);
      const screen = opts.share && i === 0 ? new Screen() : null;
      if (screen) this.#clock.screens.add(screen);
      return new Participant({ server: opts.server, origin: opts.origin, name, createPeerConnection: this.#factory.create, voice, screen });
    });
  }

  onProgress(listener: (p: Progress) => void): void {
    this.#listeners.push(listener);
  }

  /** Joins everyone at once; resolves with the summary when the run is over. */
  run(): Promise<Summary> {
    if (this.#ended) return this.#ended;
    this.#t0 = performance.now();
    this.#clock.start();
    const over = new Promise<void>((resolve) => (this.#endRun = resolve));
    const deadline = setTimeout(() => this.#endRun?.(), this.#opts.seconds * 1000);
    this.#timer = setInterval(() => void this.#tick(), this.#opts.tickMs ?? 1_000);
    for (const p of this.participants) void p.join();
    this.#ended = over.then(async () => {
      clearTimeout(deadline);
      if (this.#timer) clearInterval(this.#timer);
      await this.#observe(true);
      const summary = this.#summary();
      await Promise.all(this.participants.map((p) => p.leave()));
      this.#clock.stop();
      return summary;
    });
    return this.#ended;
  }

  /** Ctrl-C: end now (everyone leaves cleanly), with what was seen so far. */
  interrupt(): void {
    this.#interrupted = true;
    this.#endRun?.();
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      // The presenter claims the screen once it is in the room.
      const presenter = this.participants[0];
      if (this.#opts.share && !this.#shared && presenter?.snapshot.status === 'in-room') {
        this.#shared = true;
        void presenter.share();
      }
      this.#ticks += 1;
      await this.#observe(this.#ticks % STATS_EVERY_TICKS === 1);
      const refused = this.participants.some((p) => p.snapshot.status === 'room-full');
      if (refused) this.#endRun?.();
    } finally {
      this.#ticking = false;
    }
  }

  /**
   * One look at everyone. Link states come from the call's snapshot every tick; the figures that
   * need getStats (candidate type, RTT, time to connect), which cost a read of every link, from
   * a full look every few ticks and at the end.
   */
  async #observe(full: boolean): Promise<void> {
    const joined = this.participants.filter((p) => p.snapshot.self);
    const observations: Observation[] = await Promise.all(
      joined.map(async (p) => {
        const snap = p.snapshot;
        if (full) this.#figures.set(p, new Map((await p.links()).map((l) => [l.peerId, l])));
        const figures = this.#figures.get(p);
        const seen: LinkSeen[] = snap.peers.map((peer) => {
          const l = figures?.get(peer.id);
          return {
            peerId: peer.id,
            state: peer.linkState,
            connectMs: l?.connectMs ?? null,
            candidateType: l?.candidateType ?? null,
            rttMs: peer.rttMs ?? l?.rttMs ?? null,
            loudFrames: p.ears.get(peer.id)?.loudFrames ?? 0,
          };
        });
        return { id: snap.self!.id, name: snap.self!.name, roster: new Map(snap.peers.map((x) => [x.id, x.name])), links: seen };
      }),
    );
    const now = performance.now() - this.#t0;
    this.#book.update(observations, now);
    this.#last = this.#progress(now, observations);
    for (const l of this.#listeners) l(this.#last);
  }

  #progress(elapsedMs: number, observations: Observation[]): Progress {
    const pairs = this.#book.pairs;
    const presenting = this.participants.map((p) => p.snapshot.screen).find((s) => s) ?? null;
    const viewers = presenting ? this.participants.filter((p) => p.snapshot.self && p.snapshot.self.id !== presenting.holderId) : [];
    return {
      elapsedMs: Math.round(elapsedMs),
      participants: this.participants.length,
      joined: observations.length,
      pairs: pairs.length,
      connected: pairs.filter((p) => p.connected).length,
      withAudio: pairs.filter((p) => p.audio).length,
      screen: presenting ? { presenter: presenting.holderName, viewers: viewers.length, decoding: viewers.filter((v) => v.framesOf(presenting.holderId) > 0).length } : null,
      people: this.participants.map((p) => {
        const snap = p.snapshot;
        const o = observations.find((x) => x.id === snap.self?.id);
        return {
          name: snap.self?.name ?? p.name,
          id: snap.self?.id ?? null,
          status: snap.status,
          peers: o
            ? [...o.roster].map(([id, name]) => {
                const l = o.links.find((x) => x.peerId === id);
                return { id, name, state: l?.state ?? 'new', heard: (l?.loudFrames ?? 0) >= HEARD_FRAMES, frames: p.framesOf(id) };
              })
            : [],
        };
      }),
    };
  }

  #summary(): Summary {
    const pairs = this.#book.pairs;
    const refused = this.participants.filter((p) => p.snapshot.status === 'room-full');
    const failed = this.participants.flatMap((p) => {
      const snap = p.snapshot;
      if (snap.status === 'failed') return [{ name: p.name, message: snap.notice?.kind === 'error' ? snap.notice.message : 'the join failed' }];
      if (snap.status === 'replaced') return [{ name: p.name, message: 'replaced by another connection' }];
      if (!snap.self && snap.status !== 'room-full') return [{ name: p.name, message: `still ${snap.status} at the end` }];
      return [];
    });
    const g = this.#factory.gathered;
    const v = verdict({
      pairs,
      refusedFull: refused.length,
      capacity: refused.map((p) => p.snapshot.capacity).find((c) => c !== undefined) ?? null,
      participants: this.participants.length,
      failed,
      relay: this.#opts.relay,
      relayCandidates: g.relay,
      turnServers: g.turnServers,
      turnErrors: g.errors,
    });
    const interrupted = this.#interrupted;
    const times = pairs.flatMap((p) => (p.connectMs === null ? [] : [p.connectMs]));
    return {
      ok: v.ok && !interrupted,
      reason: interrupted ? `interrupted after ${Math.round((performance.now() - this.#t0) / 1000)} s (${v.reason})` : v.reason,
      interrupted,
      server: this.#opts.server,
      participants: this.participants.length,
      joined: this.participants.filter((p) => p.snapshot.self).length,
      elapsedMs: Math.round(performance.now() - this.#t0),
      fullMeshMs: this.#book.fullAtMs === null ? null : Math.round(this.#book.fullAtMs),
      connectMs: { p50: percentile(times, 50), p95: percentile(times, 95) },
      pairs: pairs.map(row),
      frames: this.participants.flatMap((p) =>
        [...new Set([...p.frames.keys(), ...(p.snapshot.screen ? [p.snapshot.screen.holderId] : [])])]
          .filter((id) => id !== p.snapshot.self?.id)
          .map((id) => ({ viewer: p.name, presenter: nameOf(pairs, id), frames: p.framesOf(id) })),
      ),
    };
  }
}

function nameOf(pairs: Pair[], id: string): string {
  for (const p of pairs) for (const e of p.ends) if (e.id === id) return e.name;
  return id;
}

const heard = (frames: number | undefined) => (frames === undefined ? null : Math.round(frames) / 100);

function row(p: Pair): PairRow {
  const [a, b] = p.ends;
  return {
    a: a.name,
    b: b.name,
    connected: p.connected,
    audio: p.audio,
    connectMs: p.connectMs,
    candidateTypes: p.candidateTypes,
    rttMs: p.rttMs,
    heardA: heard(a.seen?.loudFrames),
    heardB: heard(b.seen?.loudFrames),
  };
}
