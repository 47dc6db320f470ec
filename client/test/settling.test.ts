/**
 * While the mesh settles (a link new, connecting or quiet), and for SETTLED_QUIET_MS after, the
 * call leaves WebRTC's threads to the links: no level read for speaking and no getStats for
 * reports, for up to SETTLING_MAX_WAIT_MS. Speaking reads one level, our own, and the room hears
 * it from us.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SPEAKING_HOLD_MS, SpeakingDetector } from '../src/call/Speaking';
import { StatsReporter } from '../src/call/StatsReporter';
import { Mesh, SETTLED_QUIET_MS, SETTLING_MAX_WAIT_MS } from '../src/mesh/Mesh';
import { createFakePc, FakePeerConnection, settle } from './fake-rtc';
import { id } from './fake-room';

let mesh: Mesh;
let now: number;

beforeEach(() => {
  FakePeerConnection.created = [];
  now = 1_000;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  mesh = new Mesh({ createPeerConnection: createFakePc });
  mesh.handleJoined(id(1), []);
  mesh.handleRoster([id(2), id(3)]);
});

afterEach(() => {
  mesh.close();
  vi.restoreAllMocks();
});

/** The two links' connections, in roster order (we are id 1: the impolite side, audio from the start). */
const pcs = () => FakePeerConnection.created as [FakePeerConnection, FakePeerConnection];

/** Moves the two links to these states, in order. */
const linkStates = (a: RTCPeerConnectionState, b: RTCPeerConnectionState) => pcs().forEach((pc, i) => pc.setConnectionState(i === 0 ? a : b));

/** Both links connected, SETTLED_QUIET_MS ago. */
function settledAWhile(): void {
  linkStates('connected', 'connected');
  now += SETTLED_QUIET_MS;
}

/** `ms` later, one sample, and what it set off. */
async function later(speaking: SpeakingDetector, ms: number): Promise<void> {
  now += ms;
  await speaking.sample();
  await settle(0);
}

describe('Mesh.settling', () => {
  it('is true while any link is new, connecting or disconnected, false once all are connected or failed', () => {
    const [a, b] = pcs();
    expect(mesh.settling).toBe(true);
    a.setConnectionState('connected');
    b.setConnectionState('connecting');
    expect(mesh.settling).toBe(true);
    b.setConnectionState('connected');
    expect(mesh.settling).toBe(false);
    b.setConnectionState('disconnected');
    expect(mesh.settling).toBe(true);
    b.setConnectionState('failed');
    expect(mesh.settling).toBe(false);
  });
});

describe('SpeakingDetector', () => {
  function detector(opts: { muted?: () => boolean; announce?: (speaking: boolean) => Promise<boolean> } = {}) {
    const reads = mesh.peerIds.map((peer) => vi.spyOn(mesh.link(peer)!, 'localAudioLevel').mockResolvedValue(0.5));
    const told: boolean[] = [];
    const announce = opts.announce ?? (async (speaking: boolean) => (told.push(speaking), true));
    const speaking = new SpeakingDetector({ mesh, selfMuted: opts.muted ?? (() => false), announce, onChange: () => {}, everyMs: 60_000 });
    speaking.start();
    return { speaking, reads, told };
  }

  it('reads no level while a link still connects, then one link\'s, and tells the room it speaks', async () => {
    const { speaking, reads, told } = detector();
    linkStates('connected', 'connecting');
    now += 500;
    await speaking.sample();
    expect(reads[0]).not.toHaveBeenCalled();
    expect(speaking.self).toBe(false);

    linkStates('connected', 'connected');
    // Settled, but only just: the peers' other links may still be coming up.
    await later(speaking, SETTLED_QUIET_MS - 1);
    expect(reads[0]).not.toHaveBeenCalled();
    expect(speaking.self).toBe(false);
    await later(speaking, 1);
    // One stats read for our own level, not one per link.
    expect(reads[0]!.mock.calls.length + reads[1]!.mock.calls.length).toBe(1);
    expect(speaking.self).toBe(true);
    expect(told).toEqual([true]);
    speaking.stop();
  });

  it('waits SETTLED_QUIET_MS again after a link that was unsettled between two samples', async () => {
    settledAWhile();
    const { speaking, reads } = detector();
    await later(speaking, 0);
    expect(reads[0]).toHaveBeenCalledTimes(1);
    // A blip no sample saw: the link drops and comes back within one sampling interval.
    pcs()[1].setConnectionState('disconnected');
    pcs()[1].setConnectionState('connected');
    await later(speaking, SETTLED_QUIET_MS - 1);
    expect(reads[0]).toHaveBeenCalledTimes(1);
    await later(speaking, 1);
    expect(reads[0]).toHaveBeenCalledTimes(2);
    speaking.stop();
  });

  it('does not wait for a link that never settles longer than SETTLING_MAX_WAIT_MS', async () => {
    const { speaking, reads } = detector();
    linkStates('connected', 'connecting');
    now += SETTLING_MAX_WAIT_MS - 1;
    await speaking.sample();
    expect(reads[0]).not.toHaveBeenCalled();
    now += 1;
    await speaking.sample();
    expect(reads[0]).toHaveBeenCalledTimes(1);
    speaking.stop();
  });

  it('holds speaking through a short pause, stops after SPEAKING_HOLD_MS, and is never speaking while muted', async () => {
    settledAWhile();
    let muted = false;
    const { speaking, reads, told } = detector({ muted: () => muted });
    await later(speaking, 0);
    expect(told).toEqual([true]);
    reads[0]!.mockResolvedValue(0);
    now += SPEAKING_HOLD_MS - 100;
    await speaking.sample();
    expect(speaking.self).toBe(true);
    await later(speaking, 200);
    expect(speaking.self).toBe(false);
    expect(told).toEqual([true, false]);
    reads[0]!.mockResolvedValue(0.5);
    muted = true;
    await later(speaking, 500);
    expect(speaking.self).toBe(false);
    expect(told).toEqual([true, false]);
    speaking.stop();
  });

  it('tells a newcomer that it speaks, and says nothing new to one while silent', async () => {
    settledAWhile();
    const { speaking, reads, told } = detector();
    await later(speaking, 0);
    speaking.forgetAnnounced(true);
    await later(speaking, 500);
    expect(told).toEqual([true, true]);
    reads[0]!.mockResolvedValue(0);
    await later(speaking, SPEAKING_HOLD_MS + 500);
    speaking.forgetAnnounced(true);
    await later(speaking, 500);
    expect(told).toEqual([true, true, false]);
    speaking.stop();
  });

  it('tells the room again when a change did not reach it', async () => {
    settledAWhile();
    const answers = [false, true];
    const told: boolean[] = [];
    const { speaking } = detector({ announce: async (s) => (told.push(s), answers.shift() ?? true) });
    await later(speaking, 0);
    await later(speaking, 500);
    await later(speaking, 500);
    expect(told).toEqual([true, true]);
    speaking.stop();
  });
});

describe('StatsReporter while the mesh settles', () => {
  function reporter() {
    const sent: { peerId: string; state: string; candidateType?: string | null }[][] = [];
    const reads = pcs().map((pc) => vi.spyOn(pc, 'getStats'));
    const stats = new StatsReporter({ mesh, isMember: () => true, send: async (peers) => void sent.push(peers), onFigures: () => {}, everyMs: 60_000, quickMs: 10 });
    stats.start();
    return { stats, sent, reads };
  }

  it('reports a link that connected with its state but reads no stats while another link connects', async () => {
    const { stats, sent, reads } = reporter();
    linkStates('connected', 'connecting');
    stats.linkChanged(id(2));
    await settle(50);
    expect(sent.at(-1)?.find((p) => p.peerId === id(2))?.state).toBe('connected');
    expect(reads[0]).not.toHaveBeenCalled();
    const callsWhileConnecting = reads[1]!.mock.calls.length;

    linkStates('connected', 'connected');
    stats.linkChanged(id(3));
    await settle(50);
    expect(sent.at(-1)?.find((p) => p.peerId === id(3))?.state).toBe('connected');
    // Settled only just: still no stats.
    expect(reads[0]).not.toHaveBeenCalled();
    expect(reads[1]!.mock.calls.length).toBe(callsWhileConnecting);

    now += SETTLED_QUIET_MS;
    stats.linkChanged(id(3));
    await settle(50);
    // (Recovery read it once too, for its baseline when the link began connecting.)
    expect(reads[1]!.mock.calls.length).toBeGreaterThan(callsWhileConnecting);
    stats.stop();
  });

  it('reports how a link connected without a stats read while reads wait (the room records it then)', async () => {
    const { stats, sent, reads } = reporter();
    pcs()[0].getTransceivers()[0]!.sender.transport = { iceTransport: { getSelectedCandidatePair: () => ({ local: { type: 'relay' } }) } };
    linkStates('connected', 'connected');
    // Read when the link connected, once: not again per report.
    pcs()[0].getTransceivers()[0]!.sender.transport = null;
    stats.linkChanged(id(2));
    await settle(50);
    const report = sent.at(-1)?.find((p) => p.peerId === id(2));
    expect(report?.candidateType).toBe('relay');
    expect(reads[0]).not.toHaveBeenCalled();
    expect(stats.reading(id(2))?.candidateType).toBe('relay');
    stats.stop();
  });

  it('reads stats anyway once the mesh has been settling for SETTLING_MAX_WAIT_MS', async () => {
    const { stats, reads } = reporter();
    linkStates('connected', 'connecting');
    now += SETTLING_MAX_WAIT_MS;
    stats.linkChanged(id(2));
    await settle(50);
    expect(reads[0]).toHaveBeenCalledTimes(1);
    stats.stop();
  });
});
