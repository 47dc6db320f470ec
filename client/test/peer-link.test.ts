import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerLink, type LinkEvent, type SignalMessage } from '../src/mesh/PeerLink';
import { Recovery } from '../src/mesh/Recovery';
import { createFakePc, fakeTrack, settle, type FakePeerConnection } from './fake-rtc';

const A = '00000000-0000-4000-8000-00000000000a'; // the smaller id: impolite
const B = '00000000-0000-4000-8000-00000000000b'; // the larger id: polite

const links: PeerLink[] = [];
/** Every failed signal is logged as a warning: a clean negotiation logs none. */
let warnings: unknown[][] = [];
beforeEach(() => {
  warnings = [];
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args));
});
afterEach(() => {
  for (const l of links.splice(0)) l.close();
  vi.restoreAllMocks();
});

/** Two links joined by a network that delivers each message after `delay()` ms, in order per direction. */
function pair(opts: { delay?: () => number; hold?: boolean } = {}) {
  const sent: { from: string; message: SignalMessage }[] = [];
  const events: Record<string, LinkEvent[]> = { [A]: [], [B]: [] };
  const held: (() => void)[] = [];
  const lastDelivery: Record<string, Promise<void>> = { [A]: Promise.resolve(), [B]: Promise.resolve() };
  const byId: Record<string, PeerLink> = {};
  const make = (self: string, peer: string) => {
    const link = new PeerLink({
      selfId: self,
      peerId: peer,
      config: {},
      createPeerConnection: createFakePc,
      audioTrack: fakeTrack('audio'),
      screenTrack: null,
      recovery: { disconnectedGraceMs: 20, connectingGraceMs: 20, restartWaitMs: 20, maxRestarts: 3 },
      send: (message) => {
        sent.push({ from: self, message });
        const deliver = () => {
          const wait = opts.delay?.() ?? 0;
          lastDelivery[self] = lastDelivery[self]!.then(() => new Promise((r) => setTimeout(r, wait))).then(() => byId[peer]!.handleSignal(message));
        };
        if (opts.hold) held.push(deliver);
        else deliver();
      },
    });
    link.on((e) => events[self]!.push(e));
    links.push(link);
    byId[self] = link;
    return link;
  };
  const a = make(A, B);
  const b = make(B, A);
  return { a, b, sent, events, release: () => held.splice(0).forEach((d) => d()), lose: () => void held.splice(0) };
}

const fake = (l: PeerLink) => l.pc as unknown as FakePeerConnection;

describe('PeerLink: perfect negotiation', () => {
  it('the impolite side sends its first offer at once, without waiting for negotiationneeded', async () => {
    const { sent } = pair({ hold: true });
    // The browser fires negotiationneeded only when the page has nothing else to do: a busy
    // page's first offer must not wait for it.
    for (const pc of links.map(fake)) pc.onnegotiationneeded = null;
    await settle();
    expect(sent.filter((s) => s.message.description?.type === 'offer').map((s) => s.from)).toEqual([A]);
  });

  it('sends exactly one first offer when negotiationneeded comes round as well', async () => {
    const { sent, release } = pair({ hold: true });
    await settle();
    expect(sent.filter((s) => s.message.description?.type === 'offer')).toHaveLength(1);
    release();
    await settle();
    expect(sent.filter((s) => s.message.description?.type === 'offer')).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('decides the polite side by comparing ids', () => {
    const { a, b } = pair();
    expect(a.polite).toBe(false);
    expect(b.polite).toBe(true);
  });

  it('a pair starts with audio only: the impolite side creates it, the polite side adopts it and sends on it', async () => {
    const { a, b, events } = pair();
    await settle();
    for (const l of [a, b]) {
      expect(fake(l).signalingState).toBe('stable');
      expect(fake(l).getTransceivers().map((t) => t.receiver.track.kind)).toEqual(['audio']);
      expect(fake(l).getTransceivers()[0]!.direction).toBe('sendrecv');
    }
    expect(fake(b).getTransceivers()[0]!.sender.track?.kind).toBe('audio');
    for (const self of [A, B]) expect(events[self]!.filter((e) => e.type === 'audio' || e.type === 'screen').map((e) => e.type)).toEqual(['audio']);
    // Unmuted from the start: neither side read its audio sender's parameters (each read is a
    // blocking call into WebRTC's thread, queued behind every other link of a join).
    for (const l of [a, b]) expect(fake(l).getTransceivers()[0]!.sender.parameterReads).toBe(0);
  });

  it('muting stops the audio sender on both sides without renegotiating, and keeps the track; a new track is a replaceTrack', async () => {
    const { a, b, sent } = pair();
    await settle();
    sent.length = 0;
    const active = (l: PeerLink) => fake(l).getTransceivers()[0]!.sender.getParameters().encodings.every((e) => e.active ?? true);
    for (const l of [a, b]) await l.setAudioSending(false);
    for (const l of [a, b]) {
      expect(active(l)).toBe(false);
      expect(l.debug().audioTrack).toBe(true);
    }
    const next = fakeTrack('audio');
    await b.setAudioTrack(next as unknown as MediaStreamTrack);
    expect(b.debug().audioTrackId).toBe(next.id);
    for (const l of [a, b]) await l.setAudioSending(true);
    for (const l of [a, b]) expect(active(l)).toBe(true);
    await settle();
    expect(sent.filter((s) => s.message.description)).toEqual([]);
  });

  it('a sender that refuses to stop sends no track while muted', async () => {
    const { a } = pair();
    await settle();
    const sender = fake(a).getTransceivers()[0]!.sender;
    sender.setParameters = async () => {
      throw new Error('refused');
    };
    await a.setAudioSending(false);
    expect(sender.track).toBeNull();
    expect(warnings.length).toBeGreaterThan(0);
    warnings = [];
  });

  it('resolves glare: both sides offer at once, the polite side rolls back and answers', async () => {
    const { a, b, sent } = pair({ delay: () => Math.random() * 5 });
    await settle();
    sent.length = 0;
    // Both restart ICE in the same moment: two offers cross on the wire.
    a.restartIce();
    b.restartIce();
    await settle(80);
    const offers = sent.filter((s) => s.message.description?.type === 'offer');
    expect(offers.map((o) => o.from).sort()).toEqual([A, B]);
    for (const l of [a, b]) expect(fake(l).signalingState).toBe('stable');
    // The impolite side's offer won; the polite one re-offers its own restart once stable.
    expect(sent.filter((s) => s.from === B && s.message.description?.type === 'answer').length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(fake(b).remoteDescription!.sdp!).ice).toBe(fake(a).iceGeneration);
    expect(warnings).toEqual([]);
  });

  it('survives many rounds of random glare and always ends stable on both sides', async () => {
    const { a, b } = pair({ delay: () => Math.random() * 4 });
    await settle();
    for (let round = 0; round < 15; round++) {
      if (round % 3 !== 1) a.restartIce();
      if (round % 3 !== 2) b.restartIce();
      await settle(5);
    }
    await settle(150);
    expect([fake(a).signalingState, fake(b).signalingState]).toEqual(['stable', 'stable']);
    expect(warnings).toEqual([]);
  });

  it('buffers remote ICE candidates that arrive before the remote description', async () => {
    const { a, b, sent, release } = pair({ hold: true });
    await settle();
    fake(a).gather();
    // Deliver the candidate first, then the offer: out of order, as a relay may do.
    const offerIndex = sent.findIndex((s) => s.message.description?.type === 'offer');
    const candidate = sent.at(-1)!;
    // The last signal sent is exactly the candidate A gathered, addressed from A.
    expect(candidate.from).toBe(A);
    expect(candidate.message.candidate?.candidate).toBe(`candidate:${fake(a).fingerprint} 1 udp 1 127.0.0.1 9 typ host`);
    await b.handleSignal(candidate.message);
    expect(fake(b).candidates).toHaveLength(0);
    await b.handleSignal(sent[offerIndex]!.message);
    expect(fake(b).candidates).toHaveLength(1);
    release();
  });

  it('after lost signals, resync sends the unanswered offer again and the pair settles', async () => {
    const { a, b, sent, lose } = pair({ hold: true });
    await settle();
    // The first offer is lost on the way.
    sent.length = 0;
    lose();
    expect(fake(a).signalingState).toBe('have-local-offer');
    a.resync();
    b.resync(); // nothing to do on the side that never heard of it
    const resent = sent.filter((s) => s.message.description?.type === 'offer');
    expect(resent.map((s) => s.from)).toEqual([A]);
    await b.handleSignal(resent[0]!.message);
    const answer = sent.find((s) => s.message.description?.type === 'answer')!;
    await a.handleSignal(answer.message);
    // The same answer arriving twice is stale, not an error.
    await a.handleSignal(answer.message);
    expect([fake(a).signalingState, fake(b).signalingState]).toEqual(['stable', 'stable']);
    expect(warnings).toEqual([]);
  });

  it('a slow peer is waited for: an unanswered offer is not sent again while both stay on signaling', async () => {
    vi.useFakeTimers();
    try {
      const { sent } = pair({ hold: true });
      await vi.advanceTimersByTimeAsync(5);
      expect(sent.filter((s) => s.message.description?.type === 'offer')).toHaveLength(1);
      // A minute without an answer: the signal may be late, it is not lost (one ordered socket).
      await vi.advanceTimersByTimeAsync(60_000);
      expect(sent.filter((s) => s.message.description?.type === 'offer')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the first share adds video with one renegotiation and a bitrate cap; the next share on the pair, by either side, is a replaceTrack', async () => {
    const { a, b, sent, events } = pair();
    await settle();
    sent.length = 0;
    const screen = fakeTrack('video');
    await a.setScreenTrack(screen, { maxBitrate: 500_000, maxFramerate: 15 });
    await settle();
    expect(sent.filter((s) => s.message.description).map((s) => `${s.from === A ? 'A' : 'B'} ${s.message.description!.type}`)).toEqual(['A offer', 'B answer']);
    const video = fake(a).getTransceivers()[1]!;
    expect(video.sender.track).toBe(screen);
    expect(video.sender.parameters.encodings[0]).toMatchObject({ maxBitrate: 500_000, maxFramerate: 15 });
    expect(events[B]!.filter((e) => e.type === 'screen')).toHaveLength(1);
    // A stops; B shares on the same video line: B's direction changes once, A's never again.
    await a.setScreenTrack(null, {});
    await settle();
    sent.length = 0;
    const second = fakeTrack('video');
    await b.setScreenTrack(second, { maxBitrate: 400_000 });
    await settle();
    expect(fake(b).getTransceivers()).toHaveLength(2);
    expect(fake(b).getTransceivers()[1]!.sender.track).toBe(second);
    expect(fake(b).getTransceivers()[1]!.sender.parameters.encodings[0]!.maxBitrate).toBe(400_000);
    expect([fake(a).signalingState, fake(b).signalingState]).toEqual(['stable', 'stable']);
    // A later share by A again is a replaceTrack: no offer at all.
    await b.setScreenTrack(null, {});
    sent.length = 0;
    await a.setScreenTrack(screen, { maxBitrate: 500_000 });
    await settle();
    expect(sent.filter((s) => s.message.description)).toHaveLength(0);
    expect(warnings).toEqual([]);
  });

  it('a settled link gets an idle video line from its impolite side; a share afterwards, by either side, sends no offer', async () => {
    const { a, b, sent } = pair();
    await settle();
    expect(b.prepareVideo()).toBe(false); // the polite side never starts it
    expect(a.prepareVideo()).toBe(false); // nor on a link that is not connected yet
    fake(a).setConnectionState('connected');
    sent.length = 0;
    expect(a.prepareVideo()).toBe(true);
    expect(a.prepareVideo()).toBe(false); // once
    await settle();
    expect(sent.filter((s) => s.message.description).map((s) => `${s.from === A ? 'A' : 'B'} ${s.message.description!.type}`)).toEqual(['A offer', 'B answer']);
    // Nothing is sent on it yet, and both sides may send on it.
    for (const l of [a, b]) {
      const video = fake(l).getTransceivers()[1]!;
      expect([video.receiver.track.kind, video.direction, video.sender.track]).toEqual(['video', 'sendrecv', null]);
      expect(l.hasVideo).toBe(true);
    }
    sent.length = 0;
    const screen = fakeTrack('video');
    await b.setScreenTrack(screen, { maxBitrate: 300_000 });
    await settle();
    expect(fake(b).getTransceivers()[1]!.sender.track).toBe(screen);
    expect(fake(b).getTransceivers()[1]!.sender.parameters.encodings[0]!.maxBitrate).toBe(300_000);
    await b.setScreenTrack(null, {});
    await a.setScreenTrack(screen, { maxBitrate: 300_000 });
    await settle();
    expect(fake(a).getTransceivers()[1]!.sender.track).toBe(screen);
    expect(sent.filter((s) => s.message.description)).toHaveLength(0);
    expect(warnings).toEqual([]);
  });

  it('a link made while we present carries the screen from its first offer (a late joiner sees it at once)', async () => {
    const screen = fakeTrack('video');
    const links: Record<string, PeerLink> = {};
    const pcs: Record<string, FakePeerConnection> = {};
    const make = (self: string, peer: string, screenTrack: MediaStreamTrack | null) => {
      const link = new PeerLink({
        selfId: self,
        peerId: peer,
        config: {},
        createPeerConnection: (c) => {
          const pc = createFakePc(c);
          pcs[self] = pc as unknown as FakePeerConnection;
          return pc;
        },
        audioTrack: fakeTrack('audio'),
        screenTrack,
        send: (message) => void links[peer]!.handleSignal(message),
      });
      links[self] = link;
      return link;
    };
    make(A, B, screen); // the presenter is the impolite side
    make(B, A, null);
    await settle();
    const firstOffer = JSON.parse(pcs[B]!.remoteDescription!.sdp!) as { kinds: string[] };
    expect(firstOffer.kinds).toEqual(['audio', 'video']);
    expect(pcs[A]!.getTransceivers()[1]!.sender.track).toBe(screen);
    for (const l of Object.values(links)) l.close();
  });
});

describe('PeerLink: recovery', () => {
  it('restarts ICE at once on failed', async () => {
    const { a } = pair();
    await settle();
    fake(a).setConnectionState('failed');
    await settle(10);
    expect(fake(a).restarts).toBe(1);
    expect(a.iceRestarts).toBe(1);
  });

  it('waits briefly on disconnected: no restart when the link comes back by itself', async () => {
    const { a, b } = pair();
    await settle();
    fake(a).setConnectionState('disconnected');
    fake(a).setConnectionState('connected');
    await settle(40);
    expect(fake(a).restarts).toBe(0);
    fake(b).setConnectionState('disconnected');
    await settle(40);
    expect(fake(b).restarts).toBe(1);
    fake(b).setConnectionState('connected');
    expect(b.iceRestartsRecovered).toBe(1);
  });

  it('a slow peer is not restarted: disconnected, but still receiving, gets another grace period', async () => {
    const { a } = pair();
    await settle();
    const pc = fake(a);
    vi.useFakeTimers();
    try {
      pc.setConnectionState('disconnected');
      // Bytes keep arriving: a busy peer answering consent checks late, not a lost one.
      for (let i = 0; i < 5; i++) {
        await vi.advanceTimersByTimeAsync(10);
        pc.bytesReceived += 1_000;
        await vi.advanceTimersByTimeAsync(10);
      }
      expect(pc.restarts).toBe(0);
      // Then nothing moves any more: lost after all, restarted.
      await vi.advanceTimersByTimeAsync(60);
      expect(pc.restarts).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a link stuck connecting with no progress restarts ICE after the grace period', async () => {
    const { a } = pair();
    await settle();
    fake(a).setConnectionState('connecting');
    await settle(50);
    expect(fake(a).restarts).toBeGreaterThanOrEqual(1);
  });

  it('backs off between restarts and, when they run out, asks to be recreated', async () => {
    const { a, events } = pair();
    await settle();
    const pc = fake(a);
    pc.setConnectionState('failed');
    await settle(5);
    expect(pc.restarts).toBe(1);
    // Still failed: the next restart comes no sooner than the back-off (1 s after the first).
    pc.setConnectionState('failed');
    await settle(50);
    expect(pc.restarts).toBe(1);
    expect(events[A]!.some((e) => e.type === 'exhausted')).toBe(false);
    // Restarts that never bring it back: after the last one (3 here) the link is exhausted.
    for (let i = 0; i < 3 && !events[A]!.some((e) => e.type === 'exhausted'); i++) {
      await settle(1_000 * 2 ** i + 100);
      pc.setConnectionState('failed');
    }
    await settle(4_200);
    expect(pc.restarts).toBe(3);
    expect(events[A]!.some((e) => e.type === 'exhausted')).toBe(true);
  }, 20_000);
});

describe('Recovery: slow or lost', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const target = (present: () => boolean) => {
    const t = { state: 'disconnected' as RTCPeerConnectionState, restarts: 0, exhausted: false };
    const recovery = new Recovery(
      {
        get state() {
          return t.state;
        },
        restartIce: () => void (t.restarts += 1),
        progress: async () => 0,
        peerPresent: present,
        exhausted: () => void (t.exhausted = true),
      },
      { disconnectedGraceMs: 10, maxSlowWaits: 3 },
    );
    return { t, recovery };
  };

  it('a quiet link whose peer is still on signaling is waited for, a bounded number of times', async () => {
    const { t, recovery } = target(() => true);
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(35);
    expect(t.restarts).toBe(0);
    // Three grace periods waited; the fourth look restarts it all the same.
    await vi.advanceTimersByTimeAsync(20);
    expect(t.restarts).toBe(1);
    recovery.close();
  });

  it('a quiet link whose peer left signaling too is lost: restarted after one grace period', async () => {
    const { t, recovery } = target(() => false);
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(15);
    expect(t.restarts).toBe(1);
    recovery.close();
  });
});
