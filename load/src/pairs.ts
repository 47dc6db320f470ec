/**
 * From what each headless participant sees to the pairs of the room and the verdict. Pure: the
 * run feeds it one observation per participant per tick, tests feed it by hand.
 *
 * A pair is two members of which at least one is ours. It is connected when every end of ours
 * reports its link connected, and has audio when every end of ours decoded at least
 * HEARD_FRAMES of non-silent audio from the other (an end in a browser is the browser's
 * business: the run cannot see into it).
 */

/** 10 ms frames above silence that count as "heard": a tenth of a second. */
export const HEARD_FRAMES = 10;

export interface LinkSeen {
  peerId: string;
  state: string;
  connectMs: number | null;
  candidateType: string | null;
  rttMs: number | null;
  /** Non-silent 10 ms frames decoded from this peer so far. */
  loudFrames: number;
}

export interface Observation {
  id: string;
  name: string;
  /** Everyone else in the room as this participant sees it: id → name. */
  roster: ReadonlyMap<string, string>;
  links: LinkSeen[];
}

export interface PairEnd {
  id: string;
  name: string;
  /** What our participant at this end sees; null when this end is not ours. */
  seen: LinkSeen | null;
}

export interface Pair {
  key: string;
  ends: [PairEnd, PairEnd];
  connected: boolean;
  /** Connected at some tick (a pair that is not connected now may have been, and dropped). */
  everConnected: boolean;
  audio: boolean;
  /** The slower end's time to connect (PeerLink's figure). */
  connectMs: number | null;
  candidateTypes: string[];
  rttMs: number | null;
  /** When the pair first had audio at every end of ours, ms since the run started. */
  readyAtMs: number | null;
}

const keyOf = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

export class PairBook {
  #pairs = new Map<string, Pair>();
  #fullAtMs: number | null = null;

  get pairs(): Pair[] {
    return [...this.#pairs.values()];
  }

  /** When every pair first had audio at once (the full mesh), ms since the start; null: not yet. */
  get fullAtMs(): number | null {
    return this.#fullAtMs;
  }

  /** The room now, from every joined participant's view; pairs of people who left are gone. */
  update(observations: Observation[], nowMs: number): void {
    const ours = new Map(observations.map((o) => [o.id, o]));
    const next = new Map<string, Pair>();
    for (const o of observations) {
      for (const [peerId, peerName] of o.roster) {
        const key = keyOf(o.id, peerId);
        if (next.has(key)) continue;
        const other = ours.get(peerId);
        const end = (id: string, name: string, viewer: Observation | undefined, of: string): PairEnd => ({
          id,
          name,
          seen: viewer ? (viewer.links.find((l) => l.peerId === of) ?? { peerId: of, state: 'new', connectMs: null, candidateType: null, rttMs: null, loudFrames: 0 }) : null,
        });
        const ends: [PairEnd, PairEnd] = [end(o.id, o.name, o, peerId), end(peerId, other?.name ?? peerName, other, o.id)];
        const seen = ends.flatMap((e) => (e.seen ? [e.seen] : []));
        const connected = seen.every((s) => s.state === 'connected');
        const audio = connected && seen.every((s) => s.loudFrames >= HEARD_FRAMES);
        const times = seen.map((s) => s.connectMs);
        const rtts = seen.flatMap((s) => (s.rttMs === null ? [] : [s.rttMs]));
        const previous = this.#pairs.get(key);
        next.set(key, {
          key,
          ends,
          connected,
          everConnected: connected || (previous?.everConnected ?? false),
          audio,
          connectMs: times.every((t) => t !== null) ? Math.max(...(times as number[])) : null,
          candidateTypes: [...new Set(seen.flatMap((s) => (s.candidateType ? [s.candidateType] : [])))],
          rttMs: rtts.length ? Math.min(...rtts) : null,
          readyAtMs: previous?.readyAtMs ?? (audio ? nowMs : null),
        });
      }
    }
    this.#pairs = next;
    const all = [...next.values()];
    if (this.#fullAtMs === null && all.length > 0 && all.every((p) => p.audio)) this.#fullAtMs = nowMs;
  }
}

export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export const pairName = (p: Pair) => `${p.ends[0].name}–${p.ends[1].name}`;

function listed(pairs: Pair[], most = 5): string {
  const names = pairs.slice(0, most).map(pairName);
  return pairs.length > most ? `${names.join(', ')} and ${pairs.length - most} more` : names.join(', ');
}

export interface RunFacts {
  pairs: Pair[];
  /** Our participants that the room refused as full, and its capacity when it said. */
  refusedFull: number;
  capacity: number | null;
  participants: number;
  /** Participants that never got in for another reason, with the reason. */
  failed: { name: string; message: string }[];
  relay: boolean;
  /** Relay candidates our connections gathered; TURN servers in the ICE grants we were given. */
  relayCandidates: number;
  turnServers: number;
  /** TURN errors seen while gathering, by code. */
  turnErrors: ReadonlyMap<number, number>;
}

/** Exit 0 only when every pair connected with audio; else the one reason that explains most. */
export function verdict(f: RunFacts): { ok: boolean; reason: string } {
  if (f.refusedFull > 0) {
    const cap = f.capacity === null ? '' : ` (it holds ${f.capacity})`;
    return { ok: false, reason: `room is full${cap}: ${f.refusedFull} of ${f.participants} participants were refused` };
  }
  if (f.failed.length) return { ok: false, reason: `${f.failed.length} participants could not join: ${f.failed[0]!.name}: ${f.failed[0]!.message}` };
  const relayed = f.relay && f.pairs.length > 0;
  if (relayed && f.turnServers === 0) return { ok: false, reason: 'no relay candidate: check TURN (the room handed out no TURN server: TURN_URLS and TURN_SECRET, or TURN_MINTS_PER_MIN for this many from one address)' };
  if (relayed && f.relayCandidates === 0) {
    const errors = [...f.turnErrors].map(([code, n]) => `${n}× ${code}`).join(', ');
    return { ok: false, reason: `no relay candidate: check TURN${errors ? ` (TURN errors: ${errors})` : ' (the TURN server did not answer)'}` };
  }
  const never = f.pairs.filter((p) => !p.everConnected);
  if (never.length) return { ok: false, reason: `${never.length} ${never.length === 1 ? 'pair' : 'pairs'} never connected: ${listed(never)}` };
  const lost = f.pairs.filter((p) => !p.connected);
  if (lost.length) return { ok: false, reason: `${lost.length} ${lost.length === 1 ? 'pair' : 'pairs'} connected, then lost the connection: ${listed(lost)}` };
  const mute = f.pairs.filter((p) => !p.audio);
  if (mute.length) return { ok: false, reason: `${mute.length} ${mute.length === 1 ? 'pair' : 'pairs'} connected but carried no audio: ${listed(mute)}` };
  return { ok: true, reason: `all ${f.pairs.length} pairs connected with audio` };
}
