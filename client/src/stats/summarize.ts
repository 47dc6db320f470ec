/**
 * Turns one RTCPeerConnection's getStats() report into the link figures a stats report carries:
 * candidate type, RTT, jitter, packet loss and bitrates. Loss and bitrates are over the interval
 * since the previous sample, so a link that recovers reads as recovered.
 */
import type { CandidateType } from '@meshtalk/protocol';

/** The few fields we read from RTCStats objects, all optional as browsers differ. */
export interface StatsEntry {
  id: string;
  type: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  candidateType?: string;
  currentRoundTripTime?: number;
  jitter?: number;
  packetsLost?: number;
  packetsReceived?: number;
  bytesReceived?: number;
  bytesSent?: number;
  framesDecoded?: number;
  port?: number;
}

/** Cumulative counters at one moment, kept to compute the next interval. */
export interface Counters {
  at: number;
  packetsLost: number;
  packetsReceived: number;
  bytesReceived: number;
  bytesSent: number;
}

export interface LinkFigures {
  candidateType: CandidateType | null;
  rttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  inKbps: number | null;
  outKbps: number | null;
}

const CANDIDATE_TYPES = new Set(['host', 'srflx', 'prflx', 'relay']);

/** A local candidate's type as reports carry it: a type we do not know is 'unknown'; none is null. */
export function candidateTypeOf(type: string | null | undefined, hasPair = type != null): CandidateType | null {
  if (type && CANDIDATE_TYPES.has(type)) return type as CandidateType;
  return hasPair ? 'unknown' : null;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The report's entries by id. */
export function indexStats(entries: Iterable<StatsEntry>): Map<string, StatsEntry> {
  const byId = new Map<string, StatsEntry>();
  for (const e of entries) byId.set(e.id, e);
  return byId;
}

/** The candidate pair the connection uses, and its local candidate. */
export function selectedPair(byId: Map<string, StatsEntry>): { pair: StatsEntry | undefined; local: StatsEntry | undefined } {
  const all = [...byId.values()];
  const transport = all.find((e) => e.type === 'transport' && e.selectedCandidatePairId);
  const pair =
    (transport?.selectedCandidatePairId && byId.get(transport.selectedCandidatePairId)) ||
    all.find((e) => e.type === 'candidate-pair' && (e.selected || (e.nominated && e.state === 'succeeded')));
  return { pair: pair || undefined, local: pair && pair.localCandidateId ? byId.get(pair.localCandidateId) : undefined };
}

export function summarize(entries: Iterable<StatsEntry>, previous: Counters | null, now: number): { figures: LinkFigures; counters: Counters } {
  const byId = indexStats(entries);
  const all = [...byId.values()];
  const { pair, local } = selectedPair(byId);
  const candidateType = candidateTypeOf(local?.candidateType, !!pair);

  const inbound = all.filter((e) => e.type === 'inbound-rtp');
  const outbound = all.filter((e) => e.type === 'outbound-rtp');
  const sum = (xs: StatsEntry[], pick: (e: StatsEntry) => number | undefined) => xs.reduce((s, e) => s + (pick(e) ?? 0), 0);
  const counters: Counters = {
    at: now,
    packetsLost: sum(inbound, (e) => e.packetsLost),
    packetsReceived: sum(inbound, (e) => e.packetsReceived),
    bytesReceived: sum(inbound, (e) => e.bytesReceived),
    bytesSent: sum(outbound, (e) => e.bytesSent),
  };
  const audioIn = inbound.find((e) => e.kind === 'audio' && e.jitter !== undefined);

  let lossPct: number | null = null;
  let inKbps: number | null = null;
  let outKbps: number | null = null;
  if (previous && now > previous.at) {
    const lost = Math.max(0, counters.packetsLost - previous.packetsLost);
    const got = Math.max(0, counters.packetsReceived - previous.packetsReceived);
    lossPct = lost + got > 0 ? round((100 * lost) / (lost + got)) : null;
    const seconds = (now - previous.at) / 1000;
    inKbps = round((8 * Math.max(0, counters.bytesReceived - previous.bytesReceived)) / 1000 / seconds);
    outKbps = round((8 * Math.max(0, counters.bytesSent - previous.bytesSent)) / 1000 / seconds);
  }

  return {
    figures: {
      candidateType,
      rttMs: pair?.currentRoundTripTime !== undefined ? round(pair.currentRoundTripTime * 1000) : null,
      jitterMs: audioIn?.jitter !== undefined ? round(audioIn.jitter * 1000) : null,
      lossPct: lossPct === null ? null : Math.min(100, lossPct),
      inKbps,
      outKbps,
    },
    counters,
  };
}
