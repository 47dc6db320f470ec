/**
 * What the end-to-end tests and benchmarks read of a call's links (window.__meshtalk, built in
 * only with VITE_TEST_HOOK=1): media counters straight from getStats, the raw states, the local
 * port of the selected candidate pair and the cap on the audio sender.
 */
import type { Mesh } from '../mesh/Mesh';
import { indexStats, selectedPair, type StatsEntry } from '../stats/summarize';

export interface LinkReport {
  peerId: string;
  state: string;
  signaling: string;
  ice: string;
  inboundAudioBytes: number;
  outboundAudioBytes: number;
  framesDecoded: number;
  localPort: number | null;
  audioMaxBitrate: number | null;
  /** How long the link took to connect (the last ICE restart's, after one); null until connected. */
  connectMs: number | null;
  candidateType: string | null;
  rttMs: number | null;
}

/** Inbound audio bytes in one getStats report. */
function inboundAudioBytes(report: Iterable<{ type: string; kind?: string; bytesReceived?: number }>): number {
  let bytes = 0;
  for (const r of report) if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived ?? 0;
  return bytes;
}

export async function linkReports(mesh: Mesh): Promise<LinkReport[]> {
  const out = await Promise.all(
    mesh.peerIds.map(async (peerId) => {
      const link = mesh.link(peerId);
      if (!link) return null;
      const byId = indexStats((await link.getStats()).values() as Iterable<StatsEntry>);
      let outboundAudioBytes = 0;
      let framesDecoded = 0;
      for (const r of byId.values()) {
        if (r.type === 'outbound-rtp' && r.kind === 'audio') outboundAudioBytes += r.bytesSent ?? 0;
        if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded += r.framesDecoded ?? 0;
      }
      const { pair, local } = selectedPair(byId);
      const rtt = pair?.currentRoundTripTime;
      return {
        peerId,
        inboundAudioBytes: inboundAudioBytes(byId.values()),
        outboundAudioBytes,
        framesDecoded,
        localPort: local?.port ?? null,
        connectMs: link.connectMs,
        candidateType: local?.candidateType ?? null,
        rttMs: rtt === undefined ? null : Math.round(rtt * 10_000) / 10,
        ...link.debug(),
      };
    }),
  );
  return out.filter((x) => x !== null);
}

/** Inbound audio bytes per link, read exactly as the bare reference page reads its own. */
export async function inboundAudio(mesh: Mesh): Promise<{ id: string; bytes: number }[]> {
  const out: { id: string; bytes: number }[] = [];
  for (const id of mesh.peerIds) {
    const link = mesh.link(id);
    if (!link) continue;
    out.push({ id, bytes: inboundAudioBytes((await link.getStats()).values() as Iterable<StatsEntry>) });
  }
  return out;
}
