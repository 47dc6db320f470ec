/**
 * One RTCPeerConnection to one remote participant, negotiated with the W3C "perfect
 * negotiation" pattern exactly: makingOffer, ignoreOffer, isSettingRemoteAnswerPending and the
 * argument-less setLocalDescription(). The polite side is decided by comparing participant ids.
 *
 * Every pair carries one audio and one video transceiver from the start. The impolite side
 * creates them; the polite side adopts the ones the first offer brings. Starting a screen share
 * is then a replaceTrack on the video sender: no renegotiation, and a late joiner's link already
 * carries the running share.
 */
import type { IceCandidate, SessionDescription } from '@meshtalk/protocol';

export interface SignalMessage {
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export interface PeerLinkOptions {
  selfId: string;
  peerId: string;
  config: RTCConfiguration;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  send: (message: SignalMessage) => void;
  audioTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
  now?: () => number;
  /** How long `disconnected` may last before an ICE restart. */
  disconnectedGraceMs?: number;
  /** How long an offer may go unanswered before it is sent again (doubling, a few times). */
  offerRetryMs?: number;
  /** How long the first `connecting` may last before an ICE restart. */
  connectingGraceMs?: number;
}

export type LinkEvent =
  | { type: 'state'; state: RTCPeerConnectionState }
  | { type: 'audio'; track: MediaStreamTrack }
  | { type: 'screen'; track: MediaStreamTrack }
  /**
   * Restarts did not bring the link back, or the peer started afresh (an offer this connection
   * cannot take): the mesh should replace this link, handing `replay` to the new one.
   */
  | { type: 'exhausted'; replay?: SignalMessage };

const MAX_RESTARTS = 4;

export class PeerLink {
  readonly peerId: string;
  readonly polite: boolean;
  pc: RTCPeerConnection;
  #audio: RTCRtpTransceiver | null = null;
  #video: RTCRtpTransceiver | null = null;
  #makingOffer = false;
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;
  /** Remote candidates that arrived before the remote description. */
  #pendingCandidates: IceCandidate[] = [];
  /** Inbound signals are handled one at a time, in order. */
  #chain: Promise<void> = Promise.resolve();
  #listeners: ((e: LinkEvent) => void)[] = [];
  #closed = false;
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;
  #restartsInARow = 0;
  readonly #opts: PeerLinkOptions;
  readonly #now: () => number;
  #audioTrack: MediaStreamTrack | null;
  #screenTrack: MediaStreamTrack | null;
  #screenLimits: RTCRtpEncodingParameters = {};

  /** Connection timing and recovery, for stats reports. */
  startedAt: number;
  connectMs: number | null = null;
  iceRestarts = 0;
  iceRestartsRecovered = 0;
  #restartPending = false;

  constructor(opts: PeerLinkOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
    this.peerId = opts.peerId;
    this.polite = opts.selfId > opts.peerId;
    this.#audioTrack = opts.audioTrack;
    this.#screenTrack = opts.screenTrack;
    this.startedAt = this.#now();
    this.pc = this.#build(opts.config);
  }

  on(listener: (e: LinkEvent) => void): void {
    this.#listeners.push(listener);
  }

  get state(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** An inbound signal from the peer. */
  handleSignal(message: SignalMessage): Promise<void> {
    this.#chain = this.#chain.then(() => this.#handle(message)).catch((err: unknown) => console.warn('meshtalk: signal failed', err));
    return this.#chain;
  }

  async setAudioTrack(track: MediaStreamTrack | null): Promise<void> {
    this.#audioTrack = track;
    await this.#audio?.sender.replaceTrack(track);
  }

  async setScreenTrack(track: MediaStreamTrack | null, limits: RTCRtpEncodingParameters): Promise<void> {
    this.#screenTrack = track;
    this.#screenLimits = limits;
    if (!this.#video) return;
    await this.#video.sender.replaceTrack(track);
    if (track) await this.#applyLimits(this.#video.sender, limits);
  }

  /** Caps what this link sends: the screen first; audio only when asked to. */
  async limitSenders(screen: RTCRtpEncodingParameters, audio: RTCRtpEncodingParameters | null): Promise<void> {
    if (this.#video && this.#screenTrack) await this.#applyLimits(this.#video.sender, screen);
    if (this.#audio) await this.#applyLimits(this.#audio.sender, audio ?? {});
  }

  /** The peer's audio level in [0, 1], as the browser already measures it for each source. */
  audioLevel(): number {
    const sources = this.#audio?.receiver.getSynchronizationSources() ?? [];
    return sources.reduce((max, s) => Math.max(max, s.audioLevel ?? 0), 0);
  }

  setConfiguration(config: RTCConfiguration): void {
    this.pc.setConfiguration(config);
  }

  /** Restarts ICE (new candidates, same connection): after a network change or new TURN credentials. */
  restartIce(): void {
    if (this.#closed) return;
    this.iceRestarts += 1;
    this.#restartPending = true;
    this.startedAt = this.#now();
    this.pc.restartIce();
  }

  /**
   * Recovers from signals lost while the socket was down: an offer still waiting for its answer
   * is sent again; a settled negotiation whose connection never came up restarts ICE.
   */
  resync(): void {
    if (this.#closed) return;
    const pc = this.pc;
    if (pc.signalingState === 'have-local-offer' && pc.localDescription && !this.#makingOffer) {
      this.#opts.send({ description: pc.localDescription.toJSON() as SessionDescription });
    } else if (pc.signalingState === 'stable' && pc.remoteDescription && pc.connectionState !== 'connected') {
      this.restartIce();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.pc.close();
    this.#listeners = [];
  }

  #emit(e: LinkEvent): void {
    for (const l of this.#listeners) l(e);
  }

  #build(config: RTCConfiguration): RTCPeerConnection {
    const pc = this.#opts.createPeerConnection(config);
    pc.onnegotiationneeded = async () => {
      try {
        this.#makingOffer = true;
        await pc.setLocalDescription();
        this.#opts.send({ description: pc.localDescription!.toJSON() as SessionDescription });
        this.#watchOffer(pc, this.#opts.offerRetryMs ?? 8_000, 3);
      } catch (err) {
        console.warn('meshtalk: offer failed', err);
      } finally {
        this.#makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.#opts.send({ candidate: candidate.toJSON() as IceCandidate });
    };
    pc.ontrack = ({ transceiver, track }) => {
      this.#adopt();
      this.#emit({ type: transceiver === this.#video || track.kind === 'video' ? 'screen' : 'audio', track });
    };
    pc.onconnectionstatechange = () => this.#onState(pc);
    if (!this.polite) {
      this.#audio = pc.addTransceiver(this.#audioTrack ?? 'audio', { direction: 'sendrecv' });
      this.#video = pc.addTransceiver(this.#screenTrack ?? 'video', { direction: 'sendrecv' });
      if (this.#screenTrack) void this.#applyLimits(this.#video.sender, this.#screenLimits);
    }
    return pc;
  }

  /** The polite side takes the transceivers the first offer created, and sends on them. */
  #adopt(): void {
    if (this.#audio && this.#video) return;
    for (const t of this.pc.getTransceivers()) {
      const kind = t.receiver.track.kind;
      if (kind === 'audio' && !this.#audio) this.#audio = t;
      if (kind === 'video' && !this.#video) this.#video = t;
    }
    for (const [t, track] of [
      [this.#audio, this.#audioTrack],
      [this.#video, this.#screenTrack],
    ] as const) {
      if (!t) continue;
      t.direction = 'sendrecv';
      void t.sender.replaceTrack(track);
    }
    if (this.#video && this.#screenTrack) void this.#applyLimits(this.#video.sender, this.#screenLimits);
  }

  async #handle({ description, candidate }: SignalMessage): Promise<void> {
    if (this.#closed) return;
    const pc = this.pc;
    if (description) {
      const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
      // An answer to an offer that was already answered (sent twice after a resync) is stale.
      if (description.type === 'answer' && pc.signalingState === 'stable') return;
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.polite && offerCollision;
      if (this.#ignoreOffer) return;
      this.#isSettingRemoteAnswerPending = description.type === 'answer';
      try {
        await pc.setRemoteDescription(description as RTCSessionDescriptionInit);
      } catch (err) {
        this.#isSettingRemoteAnswerPending = false;
        // The peer replaced its connection (new DTLS identity): start over with a fresh one.
        if (description.type === 'offer') return this.#emit({ type: 'exhausted', replay: { description } });
        throw err;
      }
      this.#isSettingRemoteAnswerPending = false;
      if (description.type === 'offer') {
        this.#adopt();
        await pc.setLocalDescription();
        this.#opts.send({ description: pc.localDescription!.toJSON() as SessionDescription });
      }
      const pending = this.#pendingCandidates.splice(0);
      for (const c of pending) await this.#addCandidate(c);
    } else if (candidate) {
      if (!pc.remoteDescription) this.#pendingCandidates.push(candidate);
      else await this.#addCandidate(candidate);
    }
  }

  async #addCandidate(candidate: IceCandidate): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate as RTCIceCandidateInit);
    } catch (err) {
      if (!this.#ignoreOffer) throw err;
    }
  }

  #onState(pc: RTCPeerConnection): void {
    if (pc !== this.pc || this.#closed) return;
    const state = pc.connectionState;
    if (state === 'connected') {
      if (this.connectMs === null || this.#restartPending) this.connectMs = Math.round(this.#now() - this.startedAt);
      if (this.#restartPending) this.iceRestartsRecovered += 1;
      this.#restartPending = false;
      this.#restartsInARow = 0;
      if (this.#restartTimer) clearTimeout(this.#restartTimer);
      this.#restartTimer = null;
    } else if (state === 'disconnected') {
      this.#scheduleRestart(this.#opts.disconnectedGraceMs ?? 3_000);
    } else if (state === 'connecting') {
      // Checks that never complete (lost candidates, a starved peer) get a restart too.
      this.#scheduleRestart(this.#opts.connectingGraceMs ?? 15_000);
    } else if (state === 'failed') {
      if (this.#restartTimer) clearTimeout(this.#restartTimer);
      this.#restartTimer = null;
      this.#scheduleRestart(0);
    }
    this.#emit({ type: 'state', state });
  }

  /**
   * Signaling may lose a message (a socket that dropped mid-send): an offer still unanswered
   * after `ms` is sent again, as it was. A peer that did answer answers again; the second
   * answer then finds this side stable and is ignored.
   */
  #watchOffer(pc: RTCPeerConnection, ms: number, triesLeft: number): void {
    const offer = pc.localDescription?.sdp;
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.#offerTimer = setTimeout(() => {
      this.#offerTimer = null;
      const desc = pc.localDescription;
      if (this.#closed || pc !== this.pc || pc.signalingState !== 'have-local-offer' || !desc || desc.sdp !== offer) return;
      this.#opts.send({ description: desc.toJSON() as SessionDescription });
      if (triesLeft > 1) this.#watchOffer(pc, ms * 2, triesLeft - 1);
    }, ms);
  }

  /** Restarts ICE after `baseMs`, backing off with every restart in a row that did not help. */
  #scheduleRestart(baseMs: number): void {
    if (this.#restartTimer) return;
    if (this.#restartsInARow >= MAX_RESTARTS) {
      this.#emit({ type: 'exhausted' });
      return;
    }
    const delay = baseMs + (this.#restartsInARow ? 1_000 * 2 ** (this.#restartsInARow - 1) : 0);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      const s = this.pc.connectionState;
      if (s === 'connected' || s === 'closed' || s === 'new') return;
      this.#restartsInARow += 1;
      this.restartIce();
      // If the restart does not bring the link back, try again later.
      this.#scheduleRestart(5_000);
    }, delay);
  }

  async #applyLimits(sender: RTCRtpSender, limits: RTCRtpEncodingParameters): Promise<void> {
    try {
      const params = sender.getParameters();
      if (!params.encodings?.length) return;
      params.encodings = params.encodings.map((e) => {
        const next: RTCRtpEncodingParameters = { ...e };
        if (limits.maxBitrate === undefined) delete next.maxBitrate;
        else next.maxBitrate = limits.maxBitrate;
        if (limits.maxFramerate !== undefined) next.maxFramerate = limits.maxFramerate;
        return next;
      });
      await sender.setParameters(params);
    } catch (err) {
      console.warn('meshtalk: could not set sender limits', err);
    }
  }
}
