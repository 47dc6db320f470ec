/**
 * One headless participant: the client's own Call (session, perfect-negotiation mesh, recovery,
 * stats reports, screen share) over libwebrtc in Node. What a browser gets from the page, it
 * gets injected: the peer connection factory, an in-memory identity, its voice as the
 * microphone, a synthetic screen as the capture, wrtc's MediaStream. It listens to every
 * peer's decoded audio (Ear) and counts the presenter's decoded frames (Eye).
 */
import wrtc from '@roamhq/wrtc';
import { Call, type CallSnapshot } from '../../client/src/call/Call';
import type { LinkReport } from '../../client/src/call/debug';
import { memoryIdentity } from '../../client/src/call/identity';
import { Ear, Eye, type Screen, type Voice } from './media';
import { nodeSignaling } from './signaling';

/** Presenters whose frame tallies are kept for the summary. */
const MAX_PRESENTERS_KEPT = 16;

export interface ParticipantOptions {
  /** The server's origin (signaling lives at /socket.io/ there). */
  server: string;
  /** Sent as Origin on every request, as the room's page would. */
  origin: string;
  name: string;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  voice: Voice;
  /** The screen to present when asked to share; null: never presents. */
  screen: Screen | null;
}

export class Participant {
  readonly name: string;
  readonly call: Call;
  /** Per peer id: its audio as decoded here. */
  readonly ears = new Map<string, Ear>();
  /** Per presenter id: the frames of its screen decoded here, kept after the share ends (the last MAX_PRESENTERS_KEPT). */
  readonly frames = new Map<string, number>();
  #eye: { holderId: string; eye: Eye } | null = null;
  /** The voice, as the microphone stream a page would have. */
  readonly #mic: MediaStream;
  #closed = false;

  constructor(opts: ParticipantOptions) {
    this.name = opts.name;
    this.call = new Call({
      connect: () => nodeSignaling(opts.server, opts.origin),
      createPeerConnection: opts.createPeerConnection,
      identity: memoryIdentity(),
      captureScreen: async () => opts.screen?.track ?? null,
      createMediaStream: (tracks) => new wrtc.MediaStream(tracks as never) as unknown as MediaStream,
      // libwebrtc here reports no audio levels in its stats, so speaking detection would read
      // silence twice a second per participant (a sender getStats each time) and decide nothing.
      speakingEveryMs: 0,
    });
    this.call.subscribe(() => this.#follow(this.call.getSnapshot()));
    this.#mic = new wrtc.MediaStream([opts.voice.track] as never) as unknown as MediaStream;
  }

  get snapshot(): CallSnapshot {
    return this.call.getSnapshot();
  }

  join(): Promise<void> {
    return this.call.join(this.name, this.#mic);
  }

  share(): Promise<void> {
    return this.call.startShare();
  }

  /** Per link, straight from getStats: state, time to connect, candidate type, RTT, media counters. */
  links(): Promise<LinkReport[]> {
    return this.call.debugStats().catch(() => []);
  }

  /** Frames decoded so far of `presenterId`'s screen. */
  framesOf(presenterId: string): number {
    const live = this.#eye?.holderId === presenterId ? this.#eye.eye.frames : 0;
    return (this.frames.get(presenterId) ?? 0) + live;
  }

  /** Leaves the room (frees the slot at once) and stops listening. */
  async leave(): Promise<void> {
    const status = this.snapshot.status;
    if (status === 'in-room' || status === 'reconnecting' || status === 'joining') await this.call.leave().catch(() => undefined);
    this.#stopListening();
  }

  #stopListening(): void {
    this.#closed = true;
    for (const ear of this.ears.values()) ear.stop();
    this.#setEye(null, null);
  }

  /** Keeps an Ear on every peer's current audio track and an Eye on the presenter's screen. */
  #follow(snap: CallSnapshot): void {
    if (this.#closed) return;
    // Only current peers are listened to: people coming and going grow nothing here.
    const present = new Set(snap.peers.map((p) => p.id));
    for (const [id, ear] of this.ears) {
      if (present.has(id)) continue;
      ear.stop();
      this.ears.delete(id);
    }
    for (const peer of snap.peers) {
      const track = peer.audio?.getAudioTracks()[0];
      if (!track) continue;
      const ear = this.ears.get(peer.id);
      if (ear?.track === track) continue;
      ear?.stop();
      this.ears.set(peer.id, new Ear(track));
    }
    this.#setEye(snap.screen?.holderId ?? null, snap.screenTrack);
  }

  #setEye(holderId: string | null, track: MediaStreamTrack | null): void {
    if (this.#eye && this.#eye.holderId === holderId && this.#eye.eye.track === track) return;
    if (this.#eye) {
      const { holderId: was, eye } = this.#eye;
      this.frames.set(was, (this.frames.get(was) ?? 0) + eye.frames);
      // Presenters come and go: the oldest tallies go past a few.
      if (this.frames.size > MAX_PRESENTERS_KEPT) this.frames.delete(this.frames.keys().next().value!);
      eye.stop();
      this.#eye = null;
    }
    if (holderId && track) this.#eye = { holderId, eye: new Eye(track) };
  }
}
