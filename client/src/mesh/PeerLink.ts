/**
 * One RTCPeerConnection to one remote participant, negotiated with the W3C "perfect
 * negotiation" pattern exactly: makingOffer, ignoreOffer, isSettingRemoteAnswerPending and the
 * argument-less setLocalDescription(). The polite side is decided by comparing participant ids.
 *
 * A pair starts with audio only: the impolite side creates the audio transceiver, the polite
 * side adopts the one the first offer brings. The video line comes later, one of two ways: once
 * the mesh has settled, the impolite side adds it idle (`prepareVideo`, no track, nothing sent),
 * so a share is a replaceTrack with no signaling at all; or, if someone shares before that, the
 * share adds it (one renegotiation per viewer). Either side may send on it, so every share after
 * that on the pair is a replaceTrack. A link created while we present carries the screen from
 * its first offer, so a late joiner sees the running share at once. (A video transceiver on
 * every pair from the start slowed a 10-person join markedly: bench/RESULTS.md.) Recovery lives
 * in Recovery.
 */
import type { IceCandidate, SessionDescription } from '@meshtalk/protocol';
import type { LinkDebug, LinkEvent, PeerLinkOptions, SignalMessage } from './link-types';
import { Recovery } from './Recovery';
import { linkProgress, senderAudioLevel } from './link-stats';
import { applySenderLimits, setSenderActive } from './sender-limits';

export type { LinkDebug, LinkEvent, PeerLinkOptions, SignalMessage } from './link-types';
export class PeerLink {
  readonly peerId: string;
  readonly polite: boolean;
  /** For tests and diagnostics only: the call asks the link, never its pc. */
  readonly pc: RTCPeerConnection;
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
  readonly #opts: PeerLinkOptions;
  readonly #now: () => number;
  readonly #recovery: Recovery;
  #audioTrack: MediaStreamTrack | null;
  /** False while muted: the audio sender keeps its track but sends nothing. */
  #audioSending: boolean;
  /** Whether the audio sender's encodings are inactive (stopped at the RTP level). */
  #audioStopped = false;
  #screenTrack: MediaStreamTrack | null;
  #screenLimits: RTCRtpEncodingParameters;

  /** Connection timing and recovery, for stats reports. */
  startedAt: number;
  connectMs: number | null = null;
  iceRestarts = 0;
  iceRestartsRecovered = 0;
  #restartPending = false;
  /** True while the impolite side waits for its turn to make the first offer. */
  #awaitingTurn = false;
  /** See selectedCandidateType(). */
  #candidateType: string | null = null;

  constructor(opts: PeerLinkOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
    this.peerId = opts.peerId;
    this.polite = opts.selfId > opts.peerId;
    this.#audioTrack = opts.audioTrack;
    this.#audioSending = opts.audioSending ?? true;
    this.#screenTrack = opts.screenTrack;
    this.#screenLimits = opts.screenLimits ?? {};
    this.startedAt = this.#now();
    const pc = this.#build(opts.config);
    this.pc = pc;
    this.#recovery = new Recovery(
      {
        get state() {
          return pc.connectionState;
        },
        restartIce: () => this.restartIce(),
        progress: () => linkProgress(pc),
        peerPresent: () => opts.peerPresent?.() ?? false,
        exhausted: () => this.#emit({ type: 'exhausted' }),
      },
      opts.recovery,
    );
    if (!this.polite) {
      this.#audio = pc.addTransceiver(this.#audioTrack ?? 'audio', { direction: 'sendrecv' });
      void this.#applyAudioSending();
      if (this.#screenTrack) this.#addVideo(this.#screenTrack);
      // The first offer goes when its turn comes, not when negotiationneeded comes round: that
      // event waits for the page's other tasks, and while ten people join that was 0.2-0.6 s per
      // link (bench/timeline.ts).
      void this.#firstOffer();
    }
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
    if (!this.#audio) return;
    // A sender that could not be stopped while muted gets no track until unmuted (#applyAudioSending).
    await this.#audio.sender.replaceTrack(this.#audioSending || this.#audioStopped ? track : null);
  }

  /** Mutes (false) or unmutes what this link sends of our microphone; no renegotiation. */
  async setAudioSending(sending: boolean): Promise<void> {
    this.#audioSending = sending;
    await this.#applyAudioSending();
  }

  /** Starts (a track) or stops (null) sending our screen on this link. */
  async setScreenTrack(track: MediaStreamTrack | null, limits: RTCRtpEncodingParameters): Promise<void> {
    this.#screenTrack = track;
    this.#screenLimits = limits;
    if (this.#closed) return;
    if (!this.#video) {
      // The polite side adds video once it has adopted the audio of the first offer.
      if (track && (!this.polite || this.#audio)) this.#addVideo(track);
      return;
    }
    await this.#video.sender.replaceTrack(track);
    if (!track) return;
    // A video line we only received on so far: sending on it is one renegotiation.
    if (this.#video.direction !== 'sendrecv') this.#video.direction = 'sendrecv';
    await applySenderLimits(this.#video.sender, limits);
  }

  /**
   * Adds the idle video line on a settled link, so that a share later needs no renegotiation.
   * The impolite side does it, once, on a connected and stable link; true when it did.
   */
  prepareVideo(): boolean {
    if (this.polite || this.#video || !this.#audio || this.#closed) return false;
    if (this.pc.connectionState !== 'connected' || this.pc.signalingState !== 'stable') return false;
    this.#addVideo(this.#screenTrack);
    void this.#offer();
    return true;
  }

  /** Whether this link has its video line (prepared, or added by a share). */
  get hasVideo(): boolean {
    return this.#video !== null;
  }

  /** Caps what this link sends: the screen first; audio only when asked to. */
  async limitSenders(screen: RTCRtpEncodingParameters, audio: RTCRtpEncodingParameters | null): Promise<void> {
    this.#screenLimits = screen;
    if (this.#video && this.#screenTrack) await applySenderLimits(this.#video.sender, screen);
    if (this.#audio) await applySenderLimits(this.#audio.sender, audio ?? {});
  }

  /** Our own microphone's level as the browser measures it for this link's audio sender. */
  localAudioLevel(): Promise<number | null> {
    return this.pc.connectionState === 'connected' ? senderAudioLevel(this.#audio?.sender) : Promise.resolve(null);
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /**
   * The local candidate type ('host', 'srflx', 'prflx', 'relay') of the pair in use when the link
   * last connected, from its ICE transport: no getStats. Read once per connect, since outside a
   * browser (libwebrtc for Node) each read is a blocking call into WebRTC's thread. Null: none
   * selected, or no RTCIceTransport to ask.
   */
  selectedCandidateType(): string | null {
    return this.#candidateType;
  }

  #readCandidateType(): string | null {
    try {
      const transport = this.#audio?.sender.transport?.iceTransport;
      return transport?.getSelectedCandidatePair?.()?.local?.type ?? null;
    } catch {
      return null;
    }
  }

  debug(): LinkDebug {
    const pc = this.pc;
    return {
      state: pc.connectionState,
      signaling: pc.signalingState,
      ice: pc.iceConnectionState,
      audioMaxBitrate: this.#audio?.sender.getParameters().encodings?.[0]?.maxBitrate ?? null,
      audioDirection: this.#audio?.currentDirection ?? null,
      audioTrack: !!this.#audio?.sender.track,
      audioTrackId: this.#audio?.sender.track?.id ?? null,
      audioActive: this.#audio?.sender.getParameters().encodings?.every((e) => e.active ?? true) ?? false,
      videoDirection: this.#video?.currentDirection ?? null,
    };
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
   * Recovers from signals lost while a socket was down (ours, or the peer's): an unanswered
   * offer is sent again; a settled negotiation that never connected restarts ICE. Signaling is
   * one ordered connection, so this runs when a socket comes back, never on a timer.
   */
  resync(): void {
    if (this.#closed) return;
    const pc = this.pc;
    if (pc.signalingState === 'have-local-offer' && pc.localDescription && !this.#makingOffer) {
      this.#sendDescription(pc.localDescription);
    } else if (pc.signalingState === 'stable' && pc.remoteDescription && pc.connectionState !== 'connected') {
      this.restartIce();
    }
  }

  close(): void {
    this.#closed = true;
    this.#recovery.close();
    this.pc.close();
    this.#listeners = [];
  }

  #emit(e: LinkEvent): void {
    for (const l of this.#listeners) l(e);
  }

  /**
   * Makes the audio sender match the mute: encodings inactive while muted, the track kept, so
   * the browser still measures its level. A browser that refuses gets no track instead: silence
   * never depends on a setting that did not take.
   */
  async #applyAudioSending(): Promise<void> {
    const t = this.#audio;
    if (!t || this.#closed) return;
    const sending = this.#audioSending;
    // A new sender sends: reading its parameters (a blocking call into WebRTC's thread, queued
    // behind every other link's negotiation during a join) is only needed to change that.
    const stopped = sending && !this.#audioStopped ? true : await setSenderActive(t.sender, sending);
    if (this.#audio !== t || this.#audioSending !== sending) return;
    this.#audioStopped = !sending && stopped;
    const want = sending || stopped ? this.#audioTrack : null;
    if (t.sender.track !== want) await t.sender.replaceTrack(want);
  }

  #build(config: RTCConfiguration): RTCPeerConnection {
    const pc = this.#opts.createPeerConnection(config);
    pc.onnegotiationneeded = () => void this.#offer();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.#opts.send({ candidate: candidate.toJSON() as IceCandidate });
    };
    pc.ontrack = ({ transceiver, track }) => {
      this.#adopt();
      this.#emit({ type: transceiver === this.#video || track.kind === 'video' ? 'screen' : 'audio', track });
    };
    pc.onconnectionstatechange = () => this.#onState();
    return pc;
  }

  /** The impolite side's first offer, in its turn (PeerLinkOptions.offerTurn). */
  async #firstOffer(): Promise<void> {
    this.#awaitingTurn = true;
    const done = this.#opts.offerTurn ? await this.#opts.offerTurn() : () => undefined;
    this.#awaitingTurn = false;
    try {
      await this.#offer();
    } finally {
      done();
    }
  }

  /**
   * Makes and sends an offer. One at a time: a change made while an offer is being made is in
   * that offer, or the browser asks again (negotiationneeded) once the pair is stable.
   */
  async #offer(): Promise<void> {
    // Waiting for the first offer's turn: that offer will carry whatever changed meanwhile.
    if (this.#makingOffer || this.#awaitingTurn || this.#closed) return;
    const pc = this.pc;
    try {
      this.#makingOffer = true;
      await pc.setLocalDescription();
      this.#sendDescription(pc.localDescription!);
    } catch (err) {
      if (!this.#closed) console.warn('meshtalk: offer failed', err);
    } finally {
      this.#makingOffer = false;
    }
  }

  #sendDescription(description: RTCSessionDescription): void {
    this.#opts.send({ description: description.toJSON() as SessionDescription });
  }

  #addVideo(track: MediaStreamTrack | null): void {
    this.#video = this.pc.addTransceiver(track ?? 'video', { direction: 'sendrecv' });
    if (track) void applySenderLimits(this.#video.sender, this.#screenLimits);
  }

  /**
   * Takes the transceivers a remote offer created: audio is sent on at once; video is ours to
   * send on too (a later share of ours is then a replaceTrack), carrying the screen only while
   * we present. The polite side that presents adds its video once it has audio.
   */
  #adopt(): void {
    for (const t of this.pc.getTransceivers()) {
      const kind = t.receiver.track.kind;
      if (kind === 'audio' && !this.#audio) {
        this.#audio = t;
        t.direction = 'sendrecv';
        void this.#applyAudioSending();
      }
      if (kind === 'video' && !this.#video) {
        this.#video = t;
        t.direction = 'sendrecv';
        if (this.#screenTrack) {
          void t.sender.replaceTrack(this.#screenTrack);
          void applySenderLimits(t.sender, this.#screenLimits);
        }
      }
    }
    if (this.#screenTrack && this.#audio && !this.#video) this.#addVideo(this.#screenTrack);
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
        this.#sendDescription(pc.localDescription!);
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

  #onState(): void {
    if (this.#closed) return;
    const state = this.pc.connectionState;
    if (state === 'connected') {
      if (this.connectMs === null || this.#restartPending) this.connectMs = Math.round(this.#now() - this.startedAt);
      if (this.#restartPending) this.iceRestartsRecovered += 1;
      this.#restartPending = false;
      this.#candidateType = this.#readCandidateType();
    }
    this.#recovery.onState(state);
    this.#emit({ type: 'state', state });
  }

}
