import { describe, expect, it } from 'vitest';
import { DisplayName, JoinRequest, LIMITS, MAX_ROOM_CAPACITY, SignalRequest, StatsReport } from '../src/index';

describe('[V1] display names', () => {
  it('normalizes to NFC and trims', () => {
    expect(DisplayName.parse('  Zoe\u0308  ')).toBe('Zoë');
  });
  it('counts characters, not UTF-16 units, against the 64 limit', () => {
    expect(DisplayName.safeParse('😀'.repeat(64)).success).toBe(true);
    expect(DisplayName.safeParse('😀'.repeat(65)).success).toBe(false);
  });
  it.each([
    ['empty', ''],
    ['blank', ' \t '],
    ['control character', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['right-to-left override', 'abc\u202Egnp.exe'],
    ['bidi isolate', 'a\u2066b'],
    ['C1 control', 'a\u0085b'],
  ])('refuses a %s', (_label, name) => {
    expect(DisplayName.safeParse(name).success).toBe(false);
  });
  it('keeps markup as plain text (rendering escapes it)', () => {
    expect(DisplayName.parse('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('[V1] signal sizes', () => {
  const to = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f';
  it('accepts an SDP of exactly 32 KB and refuses one byte more', () => {
    expect(SignalRequest.safeParse({ to, description: { type: 'offer', sdp: 'a'.repeat(LIMITS.sdpMaxBytes) } }).success).toBe(true);
    expect(SignalRequest.safeParse({ to, description: { type: 'offer', sdp: 'a'.repeat(LIMITS.sdpMaxBytes + 1) } }).success).toBe(false);
  });
  it('measures candidates in UTF-8 bytes', () => {
    expect(SignalRequest.safeParse({ to, candidate: { candidate: 'é'.repeat(512) } }).success).toBe(true);
    expect(SignalRequest.safeParse({ to, candidate: { candidate: 'é'.repeat(513) } }).success).toBe(false);
  });
  it('requires a description or a candidate, and refuses a from field', () => {
    expect(SignalRequest.safeParse({ to }).success).toBe(false);
    expect(SignalRequest.safeParse({ to, candidate: null }).success).toBe(true);
    expect(SignalRequest.safeParse({ to, candidate: null, from: to }).success).toBe(false);
  });
});

describe('join and stats', () => {
  it('refuses a malformed resume token', () => {
    expect(JoinRequest.safeParse({ name: 'a', participantId: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f', resumeToken: 'short' }).success).toBe(false);
  });
  it('bounds a stats report to the largest room less oneself, each peer once, and sane numbers', () => {
    const peer = { peerId: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f', state: 'connected', connectMs: 120, iceRestarts: 0, iceRestartsRecovered: 0, candidateType: 'host', rttMs: 1, jitterMs: 0, lossPct: 0, inKbps: 30, outKbps: 30 };
    const peers = (n: number) => Array.from({ length: n }, (_, i) => ({ ...peer, peerId: `0f0f0f0f-0f0f-4f0f-8f0f-${String(i).padStart(12, '0')}` }));
    expect(StatsReport.safeParse({ peers: [peer] }).success).toBe(true);
    expect(StatsReport.safeParse({ peers: peers(MAX_ROOM_CAPACITY - 1) }).success).toBe(true);
    expect(StatsReport.safeParse({ peers: peers(MAX_ROOM_CAPACITY) }).success).toBe(false);
    expect(StatsReport.safeParse({ peers: [peer, peer] }).success).toBe(false);
    expect(StatsReport.safeParse({ peers: [{ ...peer, lossPct: 101 }] }).success).toBe(false);
    expect(StatsReport.safeParse({ peers: [{ ...peer, rttMs: Number.NaN }] }).success).toBe(false);
  });
});
