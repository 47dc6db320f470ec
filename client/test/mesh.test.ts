import { afterEach, describe, expect, it, vi } from 'vitest';
import { Mesh, SCREEN_MAX_FRAMERATE, screenBitrateFor, type MeshEvent } from '../src/mesh/Mesh';
import { createFakePc, fakeTrack, FakePeerConnection, settle } from './fake-rtc';
import { id } from './fake-room';


let mesh: Mesh;
afterEach(() => mesh?.close());

function makeMesh(selfN = 1) {
  FakePeerConnection.created = [];
  mesh = new Mesh({ createPeerConnection: createFakePc });
  const events: MeshEvent[] = [];
  mesh.on((e) => events.push(e));
  mesh.handleJoined(id(selfN), []);
  return events;
}

const pcOf = (peer: string) => mesh.link(peer)!.pc as unknown as FakePeerConnection;
/** To whom offers went, in order. */
const offersTo = (events: MeshEvent[]) => events.flatMap((e) => (e.type === 'signal' && e.message.description?.type === 'offer' ? [e.to] : []));

describe('screen bitrate budget', () => {
  it('splits the presenter budget across the viewers', () => {
    expect(screenBitrateFor(9, 4_000_000)).toBe(444_444);
    expect(screenBitrateFor(4, 4_000_000)).toBe(1_000_000);
    // The nine copies together stay within the budget.
    expect(9 * screenBitrateFor(9)).toBeLessThanOrEqual(4_000_000);
  });

  it('keeps each copy between a legible floor and a useful ceiling', () => {
    expect(screenBitrateFor(1, 4_000_000)).toBe(1_500_000);
    expect(screenBitrateFor(9, 900_000)).toBe(150_000);
    expect(screenBitrateFor(0, 2_000_000)).toBe(2_000_000);
  });
});

describe('Mesh', () => {
  it('one link per peer: a roster update keeps existing links and closes departed ones', () => {
    makeMesh();
    mesh.handleRoster([id(2), id(3)]);
    const kept = mesh.link(id(2));
    const gone = pcOf(id(3));
    mesh.handleRoster([id(2), id(4)]);
    expect(mesh.peerIds.sort()).toEqual([id(2), id(4)]);
    expect(mesh.link(id(2))).toBe(kept);
    expect(gone.signalingState).toBe('closed');
    expect(FakePeerConnection.created).toHaveLength(3);
  });

  it('a signal from a peer it has no link to yet creates exactly one link', async () => {
    makeMesh(5);
    mesh.handleSignal(id(2), { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    mesh.handlePeerJoined(id(2));
    await settle();
    expect(mesh.peerIds).toEqual([id(2)]);
    expect(FakePeerConnection.created).toHaveLength(1);
  });

  it('makes its first offers one after another: each starts once the one before it is sent', async () => {
    const events = makeMesh(1);
    let making = 0;
    let most = 0;
    const real = FakePeerConnection.prototype.setLocalDescription;
    vi.spyOn(FakePeerConnection.prototype, 'setLocalDescription').mockImplementation(async function (this: FakePeerConnection, ...args) {
      making += 1;
      most = Math.max(most, making);
      try {
        return await real.apply(this, args);
      } finally {
        making -= 1;
      }
    });
    // Joining a room of four: impolite towards all of them, so four offers to make.
    mesh.handleRoster([id(2), id(3), id(4), id(5)]);
    await settle();
    expect(offersTo(events)).toEqual([id(2), id(3), id(4), id(5)]);
    expect(most).toBe(1);
  });

  it('a link that goes while waiting for its turn does not hold up the others', async () => {
    const events = makeMesh(1);
    mesh.handleRoster([id(2), id(3), id(4)]);
    mesh.handlePeerLeft(id(3));
    await settle();
    expect(offersTo(events)).toEqual([id(2), id(4)]);
  });

  it('sends every outbound signal addressed to its peer', async () => {
    const events = makeMesh(1);
    mesh.handlePeerJoined(id(2));
    await settle();
    const signals = events.filter((e) => e.type === 'signal');
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.type === 'signal' && s.to === id(2))).toBe(true);
  });

  it('sharing replaces the track on every link and caps each copy by the budget split', async () => {
    makeMesh(1);
    mesh.handleRoster([id(2), id(3), id(4)]);
    await settle();
    await mesh.setScreenTrack(fakeTrack('video'));
    for (const peer of [id(2), id(3), id(4)]) {
      const video = pcOf(peer).getTransceivers()[1]!;
      expect(video.sender.track?.kind).toBe('video');
      expect(video.sender.parameters.encodings[0]).toMatchObject({ maxBitrate: screenBitrateFor(3), maxFramerate: SCREEN_MAX_FRAMERATE });
    }
  });

  it('re-splits the budget when a viewer leaves, and sends less to a peer on a bad link', async () => {
    makeMesh(1);
    mesh.handleRoster([id(2), id(3), id(4)]);
    await settle();
    await mesh.setScreenTrack(fakeTrack('video'));
    mesh.handlePeerLeft(id(4));
    mesh.handleLinkQuality(id(3), 'bad');
    await settle();
    expect(pcOf(id(2)).getTransceivers()[1]!.sender.parameters.encodings[0]!.maxBitrate).toBe(screenBitrateFor(2));
    expect(pcOf(id(3)).getTransceivers()[1]!.sender.parameters.encodings[0]!.maxBitrate).toBe(Math.floor(screenBitrateFor(2) / 4));
  });

  it('once every link has been settled for prepareVideoAfterMs, gives its links their video line, one a second', async () => {
    vi.useFakeTimers();
    try {
      FakePeerConnection.created = [];
      mesh = new Mesh({ createPeerConnection: createFakePc, prepareVideoAfterMs: 3_000 });
      // The peers answer every offer, sending on every m-line it has.
      mesh.on((e) => {
        if (e.type !== 'signal' || e.message.description?.type !== 'offer') return;
        const { kinds } = JSON.parse(e.message.description.sdp ?? '{}') as { kinds: string[] };
        const sdp = JSON.stringify({ kinds, sends: kinds.map(() => true), ice: 0, fingerprint: `peer ${e.to}` });
        setTimeout(() => mesh.handleSignal(e.to, { description: { type: 'answer', sdp } }), 1);
      });
      mesh.handleJoined(id(1), []);
      mesh.handleRoster([id(2), id(3), id(4)]); // we are the impolite side of all three
      await vi.advanceTimersByTimeAsync(10);
      const videoLines = () => mesh.peerIds.filter((p) => mesh.link(p)!.hasVideo).length;
      // Still connecting: nothing, however long.
      pcOf(id(2)).setConnectionState('connected');
      pcOf(id(3)).setConnectionState('connected');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(videoLines()).toBe(0);
      pcOf(id(4)).setConnectionState('connected');
      await vi.advanceTimersByTimeAsync(2_000);
      expect(videoLines()).toBe(0);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(videoLines()).toBe(1);
      // A link going quiet pauses it, and the wait starts over.
      pcOf(id(2)).setConnectionState('disconnected');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(videoLines()).toBe(1);
      pcOf(id(2)).setConnectionState('connected');
      await vi.advanceTimersByTimeAsync(3_500);
      expect(videoLines()).toBe(1);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(videoLines()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('without prepareVideoAfterMs a settled mesh stays audio only', async () => {
    vi.useFakeTimers();
    try {
      makeMesh(1);
      mesh.handleRoster([id(2)]);
      await vi.advanceTimersByTimeAsync(10);
      pcOf(id(2)).setConnectionState('connected');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(pcOf(id(2)).getTransceivers().map((t) => t.receiver.track.kind)).toEqual(['audio']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('replaces a link whose restarts ran out with a fresh connection to the same peer', async () => {
    makeMesh(1);
    mesh.handlePeerJoined(id(2));
    await settle();
    const first = pcOf(id(2));
    // Restarts that never recover: each failure after the back-off triggers the next one.
    const failUntilReplaced = async () => {
      for (let i = 0; i < 40 && mesh.link(id(2))!.pc === (first as unknown as RTCPeerConnection); i++) {
        first.setConnectionState('failed');
        await settle(2);
      }
    };
    // Shorten the waits: this test checks the last resort, not the timing.
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, _ms?: number) => realSetTimeout(fn, 0)) as typeof setTimeout;
    try {
      await failUntilReplaced();
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(first.restarts).toBeGreaterThanOrEqual(4);
    expect(first.signalingState).toBe('closed');
    expect(mesh.peerIds).toEqual([id(2)]);
    expect(mesh.link(id(2))!.pc).not.toBe(first);
  });
});
