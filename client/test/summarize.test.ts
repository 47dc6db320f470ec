import { describe, expect, it } from 'vitest';
import { summarize, type StatsEntry } from '../src/stats/summarize';

const report = (over: { lost?: number; received?: number; bytesIn?: number; bytesOut?: number; type?: string; rtt?: number } = {}): StatsEntry[] => [
  { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' },
  { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'L1', currentRoundTripTime: over.rtt ?? 0.012 },
  { id: 'CP2', type: 'candidate-pair', state: 'failed', localCandidateId: 'L2', currentRoundTripTime: 9 },
  { id: 'L1', type: 'local-candidate', candidateType: over.type ?? 'host' },
  { id: 'L2', type: 'local-candidate', candidateType: 'relay' },
  { id: 'IA', type: 'inbound-rtp', kind: 'audio', jitter: 0.0025, packetsLost: over.lost ?? 0, packetsReceived: over.received ?? 1000, bytesReceived: over.bytesIn ?? 40_000 },
  { id: 'OA', type: 'outbound-rtp', kind: 'audio', bytesSent: over.bytesOut ?? 40_000 },
];

describe('getStats summary', () => {
  it('reads the selected pair: candidate type and RTT, and audio jitter', () => {
    const { figures } = summarize(report({ type: 'relay', rtt: 0.0345 }), null, 1000);
    expect(figures).toMatchObject({ candidateType: 'relay', rttMs: 34.5, jitterMs: 2.5 });
    expect(figures.lossPct).toBeNull(); // no interval yet
  });

  it('computes loss and bitrates over the interval, not since the start', () => {
    const first = summarize(report({ lost: 100, received: 900, bytesIn: 10_000, bytesOut: 20_000 }), null, 0);
    const second = summarize(report({ lost: 110, received: 1_080, bytesIn: 20_000, bytesOut: 30_000 }), first.counters, 2_000);
    // 10 lost of 190 in the interval: 5.3 %, although 110 of 1190 overall is 9.2 %.
    expect(second.figures.lossPct).toBe(5.3);
    expect(second.figures.inKbps).toBe(40); // 10 000 bytes in 2 s
    expect(second.figures.outKbps).toBe(40);
  });

  it('a link with no selected pair has no candidate type', () => {
    const { figures } = summarize([{ id: 'IA', type: 'inbound-rtp', kind: 'audio' }], null, 0);
    expect(figures.candidateType).toBeNull();
    expect(figures.rttMs).toBeNull();
  });
});
