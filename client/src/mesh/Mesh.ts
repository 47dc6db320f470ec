/**
 * The full mesh: one PeerLink per remote participant, keyed by participant id. Events come in
 * through `handle*` methods, typed events go out; the RTCPeerConnection factory is injected.
 * It knows nothing of React or Socket.IO.
 */
import type { IceServer, LinkQualityLevel } from '@meshtalk/protocol';
import { PeerLink, type SignalMessage } from './PeerLink';
import type { RecoveryOptions } from './Recovery';
import { Turns } from './turns';

export type MeshEvent =
  | { type: 'signal'; to: string; message: SignalMessage }
  | { type: 'state'; peerId: string; state: RTCPeerConnectionState }
  | { type: 'audio'; peerId: string; track: MediaStreamTrack }
  | { type: 'screen'; peerId: string; track: MediaStreamTrack };

export interface MeshOptions {
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  recovery?: RecoveryOptions;
  /** Whether a peer is still connected to signaling; recovery waits longer for one that is. */
  peerPresent?: (peerId: string) => boolean;
  /**
   * How long the mesh must have been settled before its links get their idle video line, one
   * link a second, so that a share later reaches every viewer without a renegotiation (see
   * PeerLink). Unset: video is added only when a share starts.
   */
  prepareVideoAfterMs?: number;
}

/** The browser's setting for prepareVideoAfterMs: after the join's busiest seconds. */
export const PREPARE_VIDEO_AFTER_MS = 3_000;

/** Each viewer's share of the presenter's uplink: the budget split over the receivers. */
export function screenBitrateFor(viewers: number, budgetBps = 4_000_000): number {
  if (viewers <= 0) return budgetBps;
  return Math.max(150_000, Math.min(1_500_000, Math.floor(budgetBps / viewers)));
}

export const SCREEN_MAX_FRAMERATE = 15;

/** First offers a mesh makes at the same time (see Mesh's #offerTurns). */
export const OFFERS_AT_ONCE = 1;

/**
 * While links come up (a join) or recover, WebRTC's threads are at their busiest, and every
 * stats or level read queues behind them; work that can wait (speaking, stats reports) waits,
 * but never longer than this, so a link that never settles does not freeze the rest.
 */
export const SETTLING_MAX_WAIT_MS = 30_000;

/**
 * And they wait this long after the mesh has settled: the seconds after a page's last link
 * connects are still its peers' busiest (their other links are coming up, on a shared machine
 * on the same cores), and a page that read stats at once there took 2-10 s to answer anything
 * else that asked WebRTC, against about 1 s when it waited (bench/RESULTS.md, 2026-12-07 night).
 */
export const SETTLED_QUIET_MS = 5_000;

/** For one kind of deferrable read: whether to read now (settled for a while, or waited long enough). */
export class SettlingGate {
  #last = 0;
  readonly #mesh: Mesh;

  constructor(mesh: Mesh) {
    this.#mesh = mesh;
  }

  /** The wait counts from here (a join starts with every link settling). */
  restart(now = performance.now()): void {
    this.#last = now;
  }

  /** True (and the wait starts over) when the read may go ahead. */
  open(now = performance.now()): boolean {
    if (this.#mesh.settledFor(now) < SETTLED_QUIET_MS && now - this.#last < SETTLING_MAX_WAIT_MS) return false;
    this.#last = now;
    return true;
  }
}

export class Mesh {
  readonly #links = new Map<string, PeerLink>();
  readonly #opts: MeshOptions;
  #listeners: ((e: MeshEvent) => void)[] = [];
  #selfId = '';
  #config: RTCConfiguration = {};
  #audioTrack: MediaStreamTrack | null = null;
  #audioSending = true;
  #screenTrack: MediaStreamTrack | null = null;
  /** Peers whose link is poor enough that we send them less. */
  readonly #degraded = new Map<string, Exclude<LinkQualityLevel, 'good'>>();
  #prepareTimer: ReturnType<typeof setInterval> | null = null;
  /** Since when no link has been settling (null: one is), as the idle video line's ticks see it. */
  #settledSince: number | null = null;
  /** When a link last changed state, or was last seen settling (settledFor). */
  #changedAt = -Infinity;
  /**
   * A joiner's first offers go one after another, as the bare page's do: WebRTC makes offers on
   * one thread, and nine asked at once each waited for all the others (0.2-0.6 s apiece at ten,
   * bench/RESULTS.md), where one at a time the first goes out at once and the rest follow.
   */
  readonly #offerTurns = new Turns(OFFERS_AT_ONCE);

  constructor(opts: MeshOptions) {
    this.#opts = opts;
  }

  on(listener: (e: MeshEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }

  get peerIds(): string[] {
    return [...this.#links.keys()];
  }

  link(peerId: string): PeerLink | undefined {
    return this.#links.get(peerId);
  }

  /** How long no link has been settling, ms: 0 while one is, from the last link state change since. */
  settledFor(now = performance.now()): number {
    if (this.settling) {
      this.#changedAt = now;
      return 0;
    }
    return now - this.#changedAt;
  }

  /** True while any link is still coming up or has gone quiet (see SETTLING_MAX_WAIT_MS). */
  get settling(): boolean {
    for (const link of this.#links.values()) {
      const state = link.state;
      if (state === 'new' || state === 'connecting' || state === 'disconnected') return true;
    }
    return false;
  }

  /** Who we are and how to reach peers; keeps existing links. */
  handleJoined(selfId: string, iceServers: IceServer[]): void {
    this.#selfId = selfId;
    this.#config = { iceServers: iceServers as RTCIceServer[] };
  }

  /** Makes the links match the roster: new peers get a link, departed ones lose theirs. */
  handleRoster(peerIds: readonly string[]): void {
    const want = new Set(peerIds);
    for (const id of [...this.#links.keys()]) if (!want.has(id)) this.handlePeerLeft(id);
    for (const id of want) this.#ensure(id);
  }

  handlePeerJoined(peerId: string): void {
    this.#ensure(peerId);
  }

  handlePeerLeft(peerId: string): void {
    this.#links.get(peerId)?.close();
    this.#links.delete(peerId);
    this.#degraded.delete(peerId);
    this.#rebudget();
  }

  handleSignal(from: string, message: SignalMessage): void {
    void this.#ensure(from).handleSignal(message);
  }

  /** New ICE servers (fresh TURN credentials); relayed links restart ICE to use them. */
  handleIceServers(iceServers: IceServer[], relayed: (peerId: string) => boolean): void {
    this.#config = { iceServers: iceServers as RTCIceServer[] };
    for (const [id, link] of this.#links) {
      link.setConfiguration(this.#config);
      if (relayed(id)) link.restartIce();
    }
  }

  /** A quality warning for the link to `peerId`: back off what we send there, screen first. */
  handleLinkQuality(peerId: string, quality: LinkQualityLevel): void {
    if (quality === 'good') this.#degraded.delete(peerId);
    else this.#degraded.set(peerId, quality);
    void this.#limit(peerId);
  }

  /** After our signaling was lost for a while: every link that had not settled negotiates again. */
  resync(): void {
    for (const link of this.#links.values()) link.resync();
  }

  /** After the peer's signaling was lost for a while: what we sent it meanwhile may be gone. */
  resyncPeer(peerId: string): void {
    this.#links.get(peerId)?.resync();
  }

  async setAudioTrack(track: MediaStreamTrack | null): Promise<void> {
    this.#audioTrack = track;
    await Promise.all([...this.#links.values()].map((l) => l.setAudioTrack(track)));
  }

  /** Mutes (false) or unmutes our microphone on every link, now and later; no renegotiation. */
  async setAudioSending(sending: boolean): Promise<void> {
    this.#audioSending = sending;
    await Promise.all([...this.#links.values()].map((l) => l.setAudioSending(sending)));
  }

  async setScreenTrack(track: MediaStreamTrack | null): Promise<void> {
    this.#screenTrack = track;
    await Promise.all([...this.#links.entries()].map(([id, l]) => l.setScreenTrack(track, this.#screenLimits(id))));
  }

  close(): void {
    if (this.#prepareTimer) clearInterval(this.#prepareTimer);
    this.#prepareTimer = null;
    this.#settledSince = null;
    for (const l of this.#links.values()) l.close();
    this.#links.clear();
    this.#listeners = [];
  }

  #emit(e: MeshEvent): void {
    for (const l of this.#listeners) l(e);
  }

  /**
   * One tick of video preparation: once nothing has been settling for prepareVideoAfterMs, one
   * link that lacks its video line gets it. One a tick, so the renegotiations spread out and a
   * join that starts meanwhile pauses them.
   */
  #prepareVideo(now = performance.now()): void {
    if (this.settling) {
      this.#settledSince = null;
      return;
    }
    this.#settledSince ??= now;
    if (now - this.#settledSince < (this.#opts.prepareVideoAfterMs ?? 0)) return;
    for (const link of this.#links.values()) if (link.prepareVideo()) return;
  }

  #screenLimits(peerId: string): RTCRtpEncodingParameters {
    const base = screenBitrateFor(this.#links.size);
    const level = this.#degraded.get(peerId);
    if (level === 'bad') return { maxBitrate: Math.floor(base / 4), maxFramerate: 5 };
    if (level === 'poor') return { maxBitrate: Math.floor(base / 2), maxFramerate: 10 };
    return { maxBitrate: base, maxFramerate: SCREEN_MAX_FRAMERATE };
  }

  async #limit(peerId: string): Promise<void> {
    const link = this.#links.get(peerId);
    if (!link) return;
    // Audio is the last thing to give up, and only on a bad link.
    const audio = this.#degraded.get(peerId) === 'bad' ? { maxBitrate: 24_000 } : null;
    await link.limitSenders(this.#screenLimits(peerId), audio);
  }

  #rebudget(): void {
    if (this.#screenTrack) for (const id of this.#links.keys()) void this.#limit(id);
  }

  #ensure(peerId: string): PeerLink {
    const existing = this.#links.get(peerId);
    if (existing) return existing;
    const link = new PeerLink({
      selfId: this.#selfId,
      peerId,
      config: this.#config,
      createPeerConnection: this.#opts.createPeerConnection,
      send: (message) => this.#emit({ type: 'signal', to: peerId, message }),
      audioTrack: this.#audioTrack,
      audioSending: this.#audioSending,
      screenTrack: this.#screenTrack,
      screenLimits: this.#screenLimits(peerId),
      ...(this.#opts.recovery && { recovery: this.#opts.recovery }),
      peerPresent: () => this.#opts.peerPresent?.(peerId) ?? false,
      offerTurn: () => this.#offerTurns.take(),
    });
    link.on((e) => {
      if (e.type === 'exhausted') return this.#replace(peerId, link, e.replay);
      if (e.type === 'state') {
        this.#changedAt = performance.now();
        this.#emit({ type: 'state', peerId, state: e.state });
      } else this.#emit({ type: e.type, peerId, track: e.track });
    });
    this.#links.set(peerId, link);
    this.#rebudget();
    if (this.#opts.prepareVideoAfterMs !== undefined) this.#prepareTimer ??= setInterval(() => this.#prepareVideo(), 1_000);
    return link;
  }

  /** Last resort: a fresh connection to the same peer. */
  #replace(peerId: string, old: PeerLink, replay: SignalMessage | undefined): void {
    if (this.#links.get(peerId) !== old) return;
    old.close();
    this.#links.delete(peerId);
    const fresh = this.#ensure(peerId);
    if (replay) void fresh.handleSignal(replay);
  }
}
