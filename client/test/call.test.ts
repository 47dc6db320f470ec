import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JoinResponse, Participant } from '@meshtalk/protocol';
import { Call } from '../src/call/Call';
import { createFakePc, FakePeerConnection, settle } from './fake-rtc';
import { id, joinAnswer, person } from './fake-room';
import { FakeSignaling, MemoryStorage } from './fake-signaling';

const SELF = id(1);
const TOKEN = 'a'.repeat(43);
const joined = (participants: Participant[], over: Partial<JoinResponse> = {}) => joinAnswer(person(1, { name: 'Ann' }), participants, { resumeToken: TOKEN, ...over });

let sig: FakeSignaling;
let call: Call;
let roster: Participant[];

beforeEach(() => {
  vi.stubGlobal('sessionStorage', new MemoryStorage());
  vi.stubGlobal('localStorage', new MemoryStorage());
  FakePeerConnection.created = [];
  sig = new FakeSignaling();
  roster = [person(2), person(3), person(4)];
  sig.respond = (event) => (event === 'room:join' ? { ok: true, data: joined(roster) } : { ok: true, data: {} });
  call = new Call({ connect: () => sig, createPeerConnection: createFakePc, statsEveryMs: 60_000, rejoinGraceMs: 500 });
});

afterEach(async () => {
  await call.leave();
  vi.unstubAllGlobals();
});

async function joinAsAnn(): Promise<void> {
  await call.join('Ann', null);
  sig.connect();
  await settle();
}

describe('Call: joining', () => {
  it('joins, shows everyone already present, and opens one link per participant', async () => {
    await joinAsAnn();
    const snap = call.getSnapshot();
    expect(snap.status).toBe('in-room');
    expect(snap.self?.id).toBe(SELF);
    expect(snap.peers.map((p) => p.name)).toEqual(['Person 2', 'Person 3', 'Person 4']);
    expect(FakePeerConnection.created).toHaveLength(3);
    // No microphone: joined listen-only, and says so.
    expect(snap.listenOnly).toBe(true);
  });

  it('keeps the id and token per tab', async () => {
    await joinAsAnn();
    expect(JSON.parse(sessionStorage.getItem('meshtalk.identity')!)).toEqual({ participantId: SELF, resumeToken: TOKEN });
  });

  it('a full room ends in room-full with no links and nothing half joined', async () => {
    sig.respond = (event) => (event === 'room:join' ? { ok: false, error: { code: 'room_full', message: 'full' } } : { ok: true, data: {} });
    await joinAsAnn();
    const snap = call.getSnapshot();
    expect(snap.status).toBe('room-full');
    expect(snap.self).toBeNull();
    expect(snap.peers).toEqual([]);
    expect(FakePeerConnection.created).toHaveLength(0);
    expect(sig.closed).toBe(true);
  });

  it('participant events add tiles, change mute, and remove tiles with their link', async () => {
    await joinAsAnn();
    sig.emit('participant:joined', person(5));
    sig.emit('participant:updated', person(3, { muted: true }));
    sig.emit('participant:left', { id: id(2), reason: 'left' });
    const snap = call.getSnapshot();
    expect(snap.peers.map((p) => [p.name, p.muted])).toEqual([
      ['Person 3', true],
      ['Person 4', false],
      ['Person 5', false],
    ]);
    expect(FakePeerConnection.created).toHaveLength(4);
    expect(FakePeerConnection.created[0]!.signalingState).toBe('closed');
  });
});

describe('Call: losing and regaining the server', () => {
  it('shows reconnecting while the socket is gone, and keeps every peer connection open', async () => {
    await joinAsAnn();
    sig.drop();
    expect(call.getSnapshot().status).toBe('reconnecting');
    expect(call.getSnapshot().peers).toHaveLength(3);
    expect(FakePeerConnection.created.every((pc) => pc.signalingState !== 'closed')).toBe(true);
  });

  it('re-joins with its id and token, and reconciles the roster: departed peers lose their link, the others keep theirs', async () => {
    await joinAsAnn();
    const [pc2, pc3, pc4] = FakePeerConnection.created;
    sig.drop();
    // While away, Person 3 left and Person 6 arrived; the server knows us again by our token.
    roster = [person(2), person(4, { muted: true }), person(6)];
    sig.respond = (event) => (event === 'room:join' ? { ok: true, data: joined(roster, { resumed: true }) } : { ok: true, data: {} });
    sig.connect();
    await settle();

    expect(sig.last('room:join')).toMatchObject({ name: 'Ann', participantId: SELF, resumeToken: TOKEN });
    const snap = call.getSnapshot();
    expect(snap.status).toBe('in-room');
    expect(snap.peers.map((p) => [p.id, p.muted])).toEqual([
      [id(2), false],
      [id(4), true],
      [id(6), false],
    ]);
    // The same connections for those who stayed; one new one; the departed one closed.
    expect(FakePeerConnection.created).toHaveLength(4);
    expect(pc2!.signalingState).not.toBe('closed');
    expect(pc4!.signalingState).not.toBe('closed');
    expect(pc3!.signalingState).toBe('closed');
    expect((await call.debugStats()).map((s) => s.peerId).sort()).toEqual([id(2), id(4), id(6)]);
  });

  it('after a server restart, peers still heard wait for their own re-join instead of being torn down', async () => {
    await joinAsAnn();
    const [pc2, pc3, pc4] = FakePeerConnection.created;
    for (const pc of [pc2, pc3, pc4]) pc!.setConnectionState('connected');
    sig.drop();
    // The restarted server knows nobody yet: we are the first one back.
    roster = [];
    sig.connect();
    await settle();
    expect(call.getSnapshot().peers).toHaveLength(3);
    expect([pc2, pc3, pc4].map((pc) => pc!.signalingState)).not.toContain('closed');
    // Two come back (one muted now); the third never does.
    sig.emit('participant:joined', person(2));
    sig.emit('participant:joined', person(4, { muted: true }));
    await settle(700);
    expect(call.getSnapshot().peers.map((p) => [p.id, p.muted])).toEqual([
      [id(2), false],
      [id(4), true],
    ]);
    expect(pc3!.signalingState).toBe('closed');
    expect([pc2, pc4].map((pc) => pc!.signalingState)).not.toContain('closed');
    expect(FakePeerConnection.created).toHaveLength(3);
  });

  it('holds signals while the socket is down and sends them once it has joined again', async () => {
    await joinAsAnn();
    const pc2 = FakePeerConnection.created[0]!;
    const signalsBefore = sig.requests.filter((r) => r.event === 'signal:send').length;
    sig.drop();
    pc2.gather();
    await settle();
    expect(sig.requests.filter((r) => r.event === 'signal:send')).toHaveLength(signalsBefore);
    sig.connect();
    await settle();
    const after = sig.requests.slice(sig.requests.findLastIndex((r) => r.event === 'room:join'));
    expect(after.filter((r) => r.event === 'signal:send').length).toBeGreaterThanOrEqual(1);
    expect(sig.requests.filter((r) => r.event === 'signal:send').length).toBeGreaterThan(signalsBefore);
    expect(after.find((r) => r.event === 'signal:send')?.payload).toMatchObject({ to: id(2), candidate: { candidate: expect.stringContaining('typ host') } });
  });

  it('a rejected token starts over as a new participant instead of failing', async () => {
    await joinAsAnn();
    sig.drop();
    let first = true;
    sig.respond = (event) => {
      if (event !== 'room:join') return { ok: true, data: {} };
      if (first) {
        first = false;
        return { ok: false, error: { code: 'forbidden', message: 'bad token' } };
      }
      return { ok: true, data: joined(roster) };
    };
    sig.connect();
    await settle();
    const joins = sig.requests.filter((r) => r.event === 'room:join').map((r) => r.payload as { participantId?: string });
    expect(joins.at(-2)?.participantId).toBe(SELF);
    expect(joins.at(-1)?.participantId).toBeUndefined();
    expect(call.getSnapshot().status).toBe('in-room');
  });
});

describe('Call: screen share', () => {
  it('claims the slot first; when it is taken, names who presents and never asks for the screen', async () => {
    const getDisplayMedia = vi.fn();
    vi.stubGlobal('navigator', { mediaDevices: { getDisplayMedia } });
    await joinAsAnn();
    sig.respond = (event) =>
      event === 'screen:claim' ? { ok: false, error: { code: 'screen_busy', message: 'busy', details: { holderName: 'Person 3' } } } : { ok: true, data: {} };
    await call.startShare();
    expect(call.getSnapshot().notice).toEqual({ kind: 'screen_busy', name: 'Person 3' });
    expect(call.getSnapshot().presenting).toBe(false);
    expect(getDisplayMedia).not.toHaveBeenCalled();
  });

  it('marks the presenter from screen:changed and clears it when the slot frees', async () => {
    await joinAsAnn();
    sig.emit('screen:changed', { screen: { holderId: id(3), holderName: 'Person 3', epoch: 1 } });
    expect(call.getSnapshot().peers.find((p) => p.presenting)?.id).toBe(id(3));
    expect(call.getSnapshot().screen?.holderName).toBe('Person 3');
    sig.emit('screen:changed', { screen: null });
    expect(call.getSnapshot().peers.some((p) => p.presenting)).toBe(false);
    expect(call.getSnapshot().screen).toBeNull();
  });
});

describe('Call: stats reports', () => {
  it('reports a link soon after its state changes, not only on the interval', async () => {
    await joinAsAnn();
    expect(sig.requests.filter((r) => r.event === 'stats:report')).toHaveLength(0);
    const pc = FakePeerConnection.created[0]!;
    pc.setConnectionState('connecting');
    pc.setConnectionState('connected');
    await settle(400);
    const reports = sig.requests.filter((r) => r.event === 'stats:report');
    // Two changes in a row make one report, carrying the latest state of that link.
    expect(reports).toHaveLength(1);
    const peers = (reports[0]!.payload as { peers: { peerId: string; state: string }[] }).peers;
    expect(peers.map((p) => p.state).filter((s) => s === 'connected')).toHaveLength(1);
  });
});
