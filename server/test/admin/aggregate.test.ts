import { describe, expect, it } from 'vitest';
import type { PeerStats } from '@meshtalk/protocol';
import { agreedLoss, decide, median, nextQuality, OutcomeTally, pairView, percentile, successRate, successRateByCandidate, type PairAttempt } from '../../src/admin/aggregate';
import { HealthMonitor } from '../../src/admin/HealthMonitor';
import type { RoomEvent } from '../../src/room/Room';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const attempt = (over: Partial<PairAttempt>): PairAttempt => ({
  key: 'k', a: A, b: B, attemptedAt: 0, connectedAt: null, connectMs: null, candidateType: null, outcome: null, ...over,
});

const stats = (peerId: string, over: Partial<PeerStats> = {}): PeerStats => ({
  peerId, state: 'connected', connectMs: 300, iceRestarts: 0, iceRestartsRecovered: 0, candidateType: 'host',
  rttMs: 10, jitterMs: 1, lossPct: 0, inKbps: 32, outKbps: 32, ...over,
});

const joined = (id: string, at: number): RoomEvent => ({
  type: 'joined', sessionId: 's', stintId: `st-${id}`, connId: id, at,
  participant: { id, name: id, muted: false, joinedAt: at, connected: true },
});
const left = (id: string, at: number): RoomEvent => ({
  type: 'left', sessionId: 's', stintId: `st-${id}`, reason: 'left', at,
  participant: { id, name: id, muted: false, joinedAt: 0, connected: true },
});

describe('aggregation math', () => {
  it('percentile is nearest-rank over sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
  });

  it('an attempt succeeds when connected within 10 s, fails after, and is undecided before', () => {
    expect(decide(attempt({ connectedAt: 9_999 }), 20_000)).toBe('success');
    expect(decide(attempt({ connectedAt: 10_001 }), 20_000)).toBe('failure');
    expect(decide(attempt({}), 10_001)).toBe('failure');
    expect(decide(attempt({}), 5_000)).toBeNull();
  });

  it('success rate counts decided attempts only, overall and by candidate type', () => {
    const xs = [
      attempt({ outcome: 'success', candidateType: 'host' }),
      attempt({ outcome: 'success', candidateType: 'relay' }),
      attempt({ outcome: 'failure', candidateType: 'relay' }),
      attempt({ outcome: null }),
    ];
    expect(successRate(xs)).toEqual({ attempted: 3, succeeded: 2, rate: 2 / 3 });
    expect(successRateByCandidate(xs.slice(0, 3))).toEqual({
      host: { attempted: 1, succeeded: 1, rate: 1 },
      relay: { attempted: 2, succeeded: 1, rate: 0.5 },
    });
    expect(successRate([]).rate).toBeNull();
  });

  it('[M6] a pair shows the worse state and loss of its two ends, and the lower RTT and jitter of the two claims', () => {
    const v = pairView(A, B, { ...stats(B, { rttMs: 10, jitterMs: 9, lossPct: 1 }), from: A, at: 0 }, { ...stats(A, { state: 'disconnected', rttMs: 30, jitterMs: 3, lossPct: 7 }), from: B, at: 0 });
    expect(v).toMatchObject({ state: 'disconnected', rttMs: 10, jitterMs: 3, lossPct: 7 });
    expect(agreedLoss({ ...stats(B, { lossPct: 1 }), from: A, at: 0 }, { ...stats(A, { lossPct: 7 }), from: B, at: 0 })).toBe(1);
    expect(agreedLoss({ ...stats(B, { lossPct: 4 }), from: A, at: 0 }, undefined)).toBe(4);
  });

  it('[M6] median: the middle value, robust to one extreme', () => {
    expect(median([20, 20, 20, 60_000])).toBe(20);
    expect(median([1, 2, 3])).toBe(2);
    expect(median([])).toBeNull();
  });

  it('[M6] quality levels have hysteresis: up past a threshold, down only below 60 % of it', () => {
    const th = { poorPct: 5, badPct: 10 };
    expect(nextQuality('good', 5.1, th)).toBe('poor');
    expect(nextQuality('poor', 4.9, th)).toBe('poor');
    expect(nextQuality('poor', 3.1, th)).toBe('poor');
    expect(nextQuality('poor', 2.9, th)).toBe('good');
    expect(nextQuality('good', 11, th)).toBe('bad');
    expect(nextQuality('bad', 9, th)).toBe('bad');
    expect(nextQuality('bad', 5.9, th)).toBe('poor');
    expect(nextQuality('bad', 1, th)).toBe('good');
    expect(nextQuality('bad', null, th)).toBe('bad');
  });
});

describe('HealthMonitor from hand-made report sequences', () => {
  it('three people all connected: 3 pairs, 100 % success, RTT figures', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    h.onRoomEvent(joined(A, 0));
    h.onRoomEvent(joined(B, 100));
    h.onRoomEvent(joined(C, 200));
    h.onReport(A, [stats(B, { rttMs: 10 }), stats(C, { rttMs: 20 })], 1_000);
    h.onReport(B, [stats(A, { rttMs: 10 }), stats(C, { rttMs: 30 })], 1_000);
    h.onReport(C, [stats(A, { rttMs: 20 }), stats(B, { rttMs: 30 })], 1_000);
    const live = h.live(1_000);
    expect(live.pairs).toHaveLength(3);
    expect(live.pairsByState).toEqual({ connected: 3 });
    expect(live.success).toEqual({ attempted: 3, succeeded: 3, rate: 1 });
    expect(live.rtt).toEqual({ medianMs: 20, p95Ms: 30 });
    // Nothing is wrong, so no pair is listed as worst.
    expect(live.worstPairs).toEqual([]);
  });

  it('lists as worst only pairs that are down, lossy or slow, worst first', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    for (const [id, at] of [[A, 0], [B, 0], [C, 0]] as const) h.onRoomEvent(joined(id, at));
    h.onReport(A, [stats(B, { lossPct: 8 }), stats(C, { rttMs: 400 })], 1_000);
    h.onReport(B, [stats(A, { lossPct: 8 }), stats(C, { state: 'connecting', rttMs: null })], 1_000);
    h.onReport(C, [stats(A, { rttMs: 400 }), stats(B, { state: 'connecting', rttMs: null })], 1_000);
    const worst = h.live(1_000).worstPairs.map((p) => [p.a, p.b]);
    expect(worst).toEqual([[B, C], [A, B], [A, C]]);
    h.onReport(A, [stats(B), stats(C)], 2_000);
    h.onReport(B, [stats(A), stats(C)], 2_000);
    h.onReport(C, [stats(A), stats(B)], 2_000);
    expect(h.live(2_000).worstPairs).toEqual([]);
  });

  it('a pair that never connects fails after the window; one that left early is not counted', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    h.onRoomEvent(joined(A, 0));
    h.onRoomEvent(joined(B, 0));
    h.onReport(A, [stats(B, { state: 'connecting', connectMs: null })], 1_000);
    const effects = h.tick(10_500);
    expect(effects.map((e) => e.type === 'outcome' && e.attempt.outcome)).toEqual(['failure']);
    h.onRoomEvent(joined(C, 11_000));
    h.onRoomEvent(left(C, 12_000));
    expect(h.live(30_000).success).toEqual({ attempted: 1, succeeded: 0, rate: 0 });
  });

  it('warns both ends of a lossy pair only, once per level change, and clears when it recovers', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    for (const id of [A, B, C]) h.onRoomEvent(joined(id, 0));
    const quality = (effects: ReturnType<HealthMonitor['onReport']>) =>
      effects.flatMap((e) => (e.type === 'quality' ? [`${e.to.slice(-1)}:${e.payload.peerId.slice(-1)}:${e.payload.quality}`] : []));
    expect(quality(h.onReport(A, [stats(B, { lossPct: 7 }), stats(C, { lossPct: 0 })], 1_000))).toEqual(['a:b:poor', 'b:a:poor']);
    expect(quality(h.onReport(A, [stats(B, { lossPct: 8 })], 6_000))).toEqual([]);
    expect(quality(h.onReport(B, [stats(A, { lossPct: 12 })], 7_000))).toEqual(['a:b:bad', 'b:a:bad']);
    h.onReport(B, [stats(A, { lossPct: 0 })], 12_000);
    expect(quality(h.onReport(A, [stats(B, { lossPct: 0 })], 12_000))).toEqual(['a:b:good', 'b:a:good']);
  });

  it('[M6] at most one level change per pair per 5 s; a change held back arrives with the tick once the 5 s are over', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    for (const id of [A, B]) h.onRoomEvent(joined(id, 0));
    const levels = (effects: ReturnType<HealthMonitor['onReport']>) => effects.flatMap((e) => (e.type === 'quality' && e.to === A ? [e.payload.quality] : []));
    const seen: string[] = [];
    for (let t = 1_000; t < 11_000; t += 100) seen.push(...levels(h.onReport(B, [stats(A, { lossPct: (t / 100) % 2 ? 0 : 50 })], t)));
    expect(seen).toEqual(['bad', 'good']);
    // "good" went out at 6.1 s: "bad" again waits until 11.1 s, and then comes with a tick.
    expect(levels(h.onReport(B, [stats(A, { lossPct: 50 })], 11_000))).toEqual([]);
    expect(levels(h.tick(11_050))).toEqual([]);
    expect(levels(h.tick(11_100))).toEqual(['bad']);
    expect(levels(h.tick(20_000))).toEqual([]);
  });

  it('[M6] ICE restarts count what the server saw grow, a few at a time: a claim of 100,000 adds two', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    for (const id of [A, B]) h.onRoomEvent(joined(id, 0));
    h.onReport(A, [stats(B, { iceRestarts: 100_000, iceRestartsRecovered: 100_000 })], 1_000);
    h.onReport(A, [stats(B, { iceRestarts: 100_000, iceRestartsRecovered: 100_000 })], 2_000);
    expect(h.live(2_000).iceRestarts).toEqual({ total: 2, recovered: 2 });
    // A real one later is counted.
    h.onReport(A, [stats(B, { iceRestarts: 100_001, iceRestartsRecovered: 100_000 })], 12_000);
    expect(h.live(12_000).iceRestarts).toEqual({ total: 3, recovered: 2 });
  });

  it('counts ICE restarts and recoveries', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 10 });
    h.onRoomEvent(joined(A, 0));
    h.onRoomEvent(joined(B, 0));
    h.onReport(A, [stats(B)], 1_000);
    const effects = h.onReport(A, [stats(B, { iceRestarts: 1, iceRestartsRecovered: 1 })], 2_000);
    expect(effects.filter((e) => e.type === 'ice_restart')).toEqual([{ type: 'ice_restart', from: A, peerId: B, recovered: true }]);
    expect(h.live(2_000).iceRestarts).toEqual({ total: 1, recovered: 1 });
  });
});

describe('[H2] decided attempts are counted, not kept', () => {
  const mixed = Array.from({ length: 200 }, (_, i) =>
    attempt({ outcome: i % 3 ? 'success' : 'failure', candidateType: (['host', 'srflx', 'relay', null] as const)[i % 4] }),
  );

  it('gives the same rates as counting the whole list, pending attempts included, and a read changes nothing', () => {
    const tally = new OutcomeTally();
    for (const x of mixed.slice(0, 150)) tally.add(x);
    const pending = [...mixed.slice(150), attempt({ outcome: null })];
    const expected = { success: successRate([...mixed, attempt({})]), successByCandidate: successRateByCandidate(mixed) };
    expect(tally.rates(pending)).toEqual(expected);
    expect(tally.rates(pending)).toEqual(expected);
    expect(tally.rates().success).toEqual(successRate(mixed.slice(0, 150)));
    tally.clear();
    expect(tally.rates().success).toEqual({ attempted: 0, succeeded: 0, rate: null });
  });

  it('after 2,000 join-and-leave cycles in one session the live figures still count every decided attempt', () => {
    const h = new HealthMonitor({ poorPct: 5, badPct: 15 });
    h.onRoomEvent(joined(A, 0));
    let t = 0;
    for (let i = 0; i < 2_000; i++) {
      t += 100_000;
      h.onRoomEvent(joined(B, t));
      if (i % 2) h.onReport(A, [stats(B)], t + 100);
      h.tick(t + 60_000);
      h.onRoomEvent(left(B, t + 60_001));
    }
    const live = h.live(t + 120_000);
    expect(live.success).toEqual({ attempted: 2_000, succeeded: 1_000, rate: 0.5 });
    expect(live.successByCandidate.host?.attempted).toBe(1_000);
  });
});
