import { describe, expect, it } from 'vitest';
import { DisplayName, JoinRequest, LIMITS, MAX_ROOM_CAPACITY, SignalRequest, StatsReport, cleanName, nameKey, uniqueName } from '../src/index';

describe('[V1] display names', () => {
  it('normalizes to NFC and trims', () => {
    expect(DisplayName.parse('  Zoe\u0308  ')).toBe('Zoë');
  });
  it('counts characters, not UTF-16 units, against the 64 limit', () => {
    expect(DisplayName.safeParse(`A${'😀'.repeat(63)}`).success).toBe(true);
    expect(DisplayName.safeParse(`A${'😀'.repeat(64)}`).success).toBe(false);
  });
  it('[L3] needs a visible letter or digit: emoji, punctuation or invisible characters alone are refused with that reason', () => {
    for (const name of ['😀', '...', '\u200B', '\u3164', '\u2800\u2800', '\u0301']) {
      expect(cleanName(name), JSON.stringify(name)).toEqual({ ok: false, problem: 'no_letter' });
    }
    expect(cleanName('  ')).toEqual({ ok: false, problem: 'empty' });
    expect(cleanName('Zoë 😀')).toEqual({ ok: true, name: 'Zoë 😀' });
    expect(cleanName('山田')).toEqual({ ok: true, name: '山田' });
    expect(cleanName('7')).toEqual({ ok: true, name: '7' });
  });
  it('[L3] strips default-ignorable and format characters, collapses spaces, caps combining marks at 3 per base', () => {
    expect(cleanName('A\u200Bn\u200Dn\u2060a\uFE0F\u00AD')).toEqual({ ok: true, name: 'Anna' });
    expect(cleanName(`e${'\u0363'.repeat(10)}x`)).toEqual({ ok: true, name: `e${'\u0363'.repeat(3)}x` });
    // Pointed Hebrew: shin, shin dot, dagesh, qamats: three marks, all kept.
    const pointed = '\u05E9\u05C1\u05BC\u05B8';
    expect(cleanName(pointed)).toEqual({ ok: true, name: pointed.normalize('NFC') });
    expect(cleanName('Bob \u3000 Smith')).toEqual({ ok: true, name: 'Bob Smith' });
  });
  it('[L3] unique names: " (2)", " (3)" after the first free one, case and width ignored, within 64 characters', () => {
    expect(uniqueName('Ann', [])).toBe('Ann');
    expect(uniqueName('Ann', ['Bob'])).toBe('Ann');
    expect(uniqueName('ann', ['Ann'])).toBe('ann (2)');
    expect(uniqueName('Ann', ['ANN', 'Ann (2)'])).toBe('Ann (3)');
    expect(uniqueName('Ａｎｎ', ['Ann'])).toBe('Ａｎｎ (2)');
    expect(uniqueName('N'.repeat(64), ['N'.repeat(64)])).toBe(`${'N'.repeat(60)} (2)`);
    expect(nameKey('Ａｎｎ')).toBe(nameKey('ann'));
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
    // [M6] recovered restarts never exceed restarts; one peer in two cases is still one peer.
    expect(StatsReport.safeParse({ peers: [{ ...peer, iceRestarts: 2, iceRestartsRecovered: 2 }] }).success).toBe(true);
    expect(StatsReport.safeParse({ peers: [{ ...peer, iceRestarts: 0, iceRestartsRecovered: 1 }] }).success).toBe(false);
    expect(StatsReport.safeParse({ peers: [peer, { ...peer, peerId: peer.peerId.toUpperCase() }] }).success).toBe(false);
  });
});

describe('host events (host.ts)', () => {
  it('[A2] each host event takes exactly its payload; there is no unmute-another event', async () => {
    const { HostRequests, KnockAnswer, ClientRequests, ServerEvents } = await import('../src/index');
    const id = '00000000-0000-4000-8000-000000000001';
    expect(HostRequests['host:mute'].safeParse({ participantId: id.toUpperCase() })).toMatchObject({ success: true, data: { participantId: id } });
    expect(HostRequests['host:mute'].safeParse({ participantId: id, muted: false }).success).toBe(false);
    expect(HostRequests['host:lock'].safeParse({ locked: 'yes' }).success).toBe(false);
    expect(HostRequests['host:admit'].safeParse({ knockId: 'k1' }).success).toBe(false);
    expect(HostRequests['host:end'].safeParse({}).success).toBe(true);
    expect(Object.keys(ClientRequests).filter((e) => /unmute/.test(e))).toEqual([]);
    expect(Object.keys(ClientRequests)).toEqual(expect.arrayContaining(Object.keys(HostRequests)));
    expect(KnockAnswer.safeParse({ admitted: false, reason: 'denied' }).success).toBe(true);
    expect(KnockAnswer.safeParse({ admitted: true }).success).toBe(false);
    expect(ServerEvents['room:closed'].safeParse({ reason: 'removed', by: null }).success).toBe(true);
  });
});
