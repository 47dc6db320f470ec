/**
 * A hand-written stand-in for RTCPeerConnection, faithful where perfect negotiation cares:
 * signaling states, implicit rollback when an offer meets a local offer, argument-less
 * setLocalDescription, negotiationneeded after a transceiver is added or ICE restarts, ontrack
 * for new remote m-lines, and addIceCandidate refusing before a remote description.
 *
 * Its "SDP" is JSON: the kinds of the m-lines and an ICE generation, enough to tell an offer
 * that adds media from one that does not.
 */
interface FakeSdp {
  kinds: string[];
  /** Per m-line: whether the side that wrote it sends there. */
  sends?: boolean[];
  ice: number;
  /** Identifies the connection, like a DTLS fingerprint: another value is a new peer connection. */
  fingerprint: string;
}

let nextFingerprint = 1;

class FakeTrack {
  enabled = true;
  constructor(
    readonly kind: string,
    readonly id = `${kind}-${Math.random().toString(36).slice(2)}`,
  ) {}
  stop(): void {}
}

export class FakeSender {
  track: FakeTrack | null;
  parameters: { encodings: { maxBitrate?: number; maxFramerate?: number; active?: boolean }[] } = { encodings: [{}] };
  /** The DTLS transport once connected: a test sets the ICE transport's selected pair. */
  transport: { iceTransport: { getSelectedCandidatePair(): { local: { type: string } } | null } } | null = null;
  constructor(track: FakeTrack | null) {
    this.track = track;
  }
  async replaceTrack(track: FakeTrack | null): Promise<void> {
    this.track = track;
  }
  /** Reads of the parameters: in a browser each is a blocking call into WebRTC's thread. */
  parameterReads = 0;
  getParameters() {
    this.parameterReads += 1;
    return structuredClone(this.parameters);
  }
  async setParameters(p: { encodings: { maxBitrate?: number; maxFramerate?: number; active?: boolean }[] }): Promise<void> {
    this.parameters = structuredClone(p);
  }
}

export class FakeTransceiver {
  #direction: string;
  /** Whether the remote side sends on this m-line, as its last description said. */
  remoteSends = false;
  readonly sender: FakeSender;
  readonly receiver: { track: FakeTrack };
  constructor(
    kind: string,
    track: FakeTrack | null,
    direction: string,
    readonly onDirectionChange: () => void = () => {},
  ) {
    this.#direction = direction;
    this.sender = new FakeSender(track);
    this.receiver = { track: new FakeTrack(kind) };
  }
  get direction(): string {
    return this.#direction;
  }
  /** Like the browser: a new direction needs negotiation. */
  set direction(d: string) {
    if (d === this.#direction) return;
    this.#direction = d;
    this.onDirectionChange();
  }
  get sends(): boolean {
    return this.#direction === 'sendrecv' || this.#direction === 'sendonly';
  }
}

type Desc = { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp?: string };

export class FakePeerConnection {
  static created: FakePeerConnection[] = [];
  signalingState: 'stable' | 'have-local-offer' | 'have-remote-offer' | 'closed' = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: string; sdp: string; toJSON(): Desc } | null = null;
  remoteDescription: Desc | null = null;
  readonly transceivers: FakeTransceiver[] = [];
  readonly candidates: unknown[] = [];
  readonly fingerprint = `fp${nextFingerprint++}`;
  iceGeneration = 0;
  restarts = 0;
  config: unknown;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: { candidate: { candidate: string; toJSON(): unknown } | null }) => void) | null = null;
  ontrack: ((e: { transceiver: FakeTransceiver; track: FakeTrack }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  #needsNegotiation = false;
  #negotiationQueued = false;
  #remoteFingerprint: string | null = null;

  constructor(config: unknown) {
    this.config = config;
    FakePeerConnection.created.push(this);
  }

  addTransceiver(trackOrKind: string | FakeTrack, init: { direction: string }): FakeTransceiver {
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const t = new FakeTransceiver(kind, typeof trackOrKind === 'string' ? null : trackOrKind, init.direction, () => this.#directionChanged());
    this.transceivers.push(t);
    this.#queueNegotiation();
    return t;
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  restartIce(): void {
    this.restarts += 1;
    this.iceGeneration += 1;
    this.#queueNegotiation();
  }

  setConfiguration(config: unknown): void {
    this.config = config;
  }

  async setLocalDescription(desc?: Desc): Promise<void> {
    await tick();
    this.#open();
    if (desc?.type === 'rollback') return this.#rollback();
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    const sdp: FakeSdp = { kinds: this.transceivers.map((t) => t.receiver.track.kind), sends: this.transceivers.map((t) => t.sends), ice: this.iceGeneration, fingerprint: this.fingerprint };
    const text = JSON.stringify(sdp);
    this.localDescription = { type, sdp: text, toJSON: () => ({ type, sdp: text }) };
    if (type === 'offer') this.signalingState = 'have-local-offer';
    else this.#settle();
  }

  async setRemoteDescription(desc: Desc): Promise<void> {
    await tick();
    this.#open();
    if (desc.type === 'rollback') return this.#rollback();
    const sdp = JSON.parse(desc.sdp ?? '{}') as FakeSdp;
    if (this.#remoteFingerprint && sdp.fingerprint !== this.#remoteFingerprint) {
      throw Object.assign(new Error('remote fingerprint changed'), { name: 'InvalidAccessError' });
    }
    if (desc.type === 'offer') {
      // Implicit rollback: an offer that meets our own offer takes its place.
      if (this.signalingState === 'have-local-offer') this.#rollback();
      if (this.signalingState !== 'stable') throw Object.assign(new Error(`offer in ${this.signalingState}`), { name: 'InvalidStateError' });
      this.#remoteFingerprint = sdp.fingerprint;
      this.remoteDescription = { type: desc.type, sdp: desc.sdp ?? '' };
      for (const kind of sdp.kinds.slice(this.transceivers.length)) {
        this.transceivers.push(new FakeTransceiver(kind, null, 'recvonly', () => this.#directionChanged()));
      }
      this.signalingState = 'have-remote-offer';
      this.#remoteTracks(sdp);
    } else {
      if (this.signalingState !== 'have-local-offer') throw Object.assign(new Error(`answer in ${this.signalingState}`), { name: 'InvalidStateError' });
      this.#remoteFingerprint = sdp.fingerprint;
      this.remoteDescription = { type: desc.type, sdp: desc.sdp ?? '' };
      // The answerer's tracks arrive with the answer.
      this.#remoteTracks(sdp);
      this.#settle();
    }
  }

  async addIceCandidate(candidate: unknown): Promise<void> {
    await tick();
    if (!this.remoteDescription) throw Object.assign(new Error('no remote description'), { name: 'InvalidStateError' });
    this.candidates.push(candidate);
  }

  /** Test control: what getStats reports as received (the link's sign of life). */
  bytesReceived = 0;

  async getStats(): Promise<Map<string, unknown>> {
    return new Map([['in', { id: 'in', type: 'inbound-rtp', kind: 'audio', bytesReceived: this.bytesReceived }]]);
  }

  close(): void {
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }

  /** Test control: moves the connection state and fires the event. */
  setConnectionState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  /** Test control: gathers one local candidate. */
  gather(candidate = `candidate:${this.fingerprint} 1 udp 1 127.0.0.1 9 typ host`): void {
    this.onicecandidate?.({ candidate: { candidate, toJSON: () => ({ candidate, sdpMid: '0', sdpMLineIndex: 0 }) } });
  }

  /** A direction set while answering goes into the answer; otherwise it needs an offer. */
  #directionChanged(): void {
    if (this.signalingState !== 'have-remote-offer') this.#queueNegotiation();
  }

  /** ontrack for every m-line on which the remote side starts sending. */
  #remoteTracks(sdp: FakeSdp): void {
    for (const [i, t] of this.transceivers.entries()) {
      if (i >= sdp.kinds.length) continue;
      const sends = sdp.sends?.[i] ?? true;
      if (sends && !t.remoteSends) this.ontrack?.({ transceiver: t, track: t.receiver.track });
      t.remoteSends = sends;
    }
  }

  #open(): void {
    if (this.signalingState === 'closed') throw Object.assign(new Error('closed'), { name: 'InvalidStateError' });
  }

  #rollback(): void {
    this.signalingState = 'stable';
    this.localDescription = null;
  }

  #settle(): void {
    this.signalingState = 'stable';
    if (this.#needsNegotiation) {
      this.#needsNegotiation = false;
      this.#queueNegotiation();
    }
  }

  /** Like the browser, one negotiationneeded for changes made together, and none outside stable. */
  #queueNegotiation(): void {
    if (this.signalingState !== 'stable') {
      this.#needsNegotiation = true;
      return;
    }
    if (this.#negotiationQueued) return;
    this.#negotiationQueued = true;
    setTimeout(() => {
      this.#negotiationQueued = false;
      if (this.signalingState === 'stable') this.onnegotiationneeded?.();
      else this.#needsNegotiation = true;
    }, 0);
  }
}

export const fakeTrack = (kind: 'audio' | 'video') => new FakeTrack(kind) as unknown as MediaStreamTrack;

export const createFakePc = (config: RTCConfiguration) => new FakePeerConnection(config) as unknown as RTCPeerConnection;

function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/**
 * Lets timers and promise chains run: `ms` of wall time, then rounds of zero-delay timers, so a
 * chain of fake ticks completes even when a busy machine makes wall time meaningless.
 */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 60; i++) await new Promise((r) => setTimeout(r, 0));
}
