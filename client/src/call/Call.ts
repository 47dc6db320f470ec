/**
 * A call as the page shows it: the session core (joining, roster, mesh), the microphone and
 * the screen share, stats reports and speaking detection, composed into one immutable snapshot
 * that the UI renders (`subscribe` + `getSnapshot`, for useSyncExternalStore). No React here.
 *
 * The snapshot is rebuilt at once on every change; listeners hear of network-driven changes at
 * most once per `notifyMs` (what a person did, at once): while ten people join, links change
 * state dozens of times a second, and each notification is a React render and a layout that a
 * busy page can do without (bench/profile.ts measured it).
 */
import type { ScreenState } from '@meshtalk/protocol';
import { captureScreen } from '../media/screen';
import type { Signaling } from '../signaling/SignalingClient';
import type { Processing } from '../media/processing';
import { inboundAudio, linkReports, type LinkReport } from './debug';
import { webStorageIdentity, type IdentityStore } from './identity';
import { Conversation } from './Conversation';
import { HostControls } from './HostControls';
import { LocalAudio } from './LocalAudio';
import { MutedTalkDetector } from './muted-talk';
import { Session, type SessionEvent, type SessionStatus } from './Session';
import { EMPTY_SNAPSHOT, type CallSnapshot, type PeerView, type Quality } from './snapshot';
import { SpeakingDetector } from './Speaking';
import { StatsReporter } from './StatsReporter';

export type { CallSnapshot, PeerView } from './snapshot';

export interface CallDeps {
  connect: () => Signaling;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  identity?: IdentityStore;
  statsEveryMs?: number;
  /** How long a re-join waits for peers it still hears but the server does not list yet. */
  rejoinGraceMs?: number;
  /** The longest listeners wait to hear of a change (0: at once). */
  notifyMs?: number;
  /** The screen to share (the browser's picker by default; headless participants make one). */
  captureScreen?: () => Promise<MediaStreamTrack | null>;
  /** Wraps a received track for playing (the browser's MediaStream by default). */
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  /** How often speaking is sampled (500 ms); 0: never (where RTP carries no audio levels). */
  speakingEveryMs?: number;
  /** How long the mesh settles before links get their idle video line (MeshOptions); unset: never. */
  prepareVideoAfterMs?: number;
}

const EMPTY = EMPTY_SNAPSHOT;

export class Call {
  #snapshot: CallSnapshot = EMPTY;
  #listeners = new Set<() => void>();
  #notifyTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #deps: CallDeps;
  readonly #session: Session;
  readonly #stats: StatsReporter;
  readonly #speaking: SpeakingDetector;
  readonly #audio: LocalAudio;
  readonly #mutedTalk = new MutedTalkDetector();
  #mutedTalkTimer: ReturnType<typeof setTimeout> | null = null;
  #screenTrack: MediaStreamTrack | null = null;
  #screenEpoch: number | null = null;
  /** What each peer sends us, ready to play or show. */
  readonly #media = new Map<string, { audio: MediaStream | null; screen: MediaStreamTrack | null }>();
  readonly #quality = new Map<string, { quality: Quality; lossPct: number | null }>();
  /** Who speaks now, as each said of themselves (participant:speaking). */
  readonly #speakers = new Set<string>();
  /** Chat and raised hands; the UI sends through it (`call.conversation.send`, `.toggleHand`, `.setOpen`). */
  readonly conversation: Conversation;
  /** What the host can do; the server refuses anyone else. */
  readonly host: HostControls;

  constructor(deps: CallDeps) {
    this.#deps = deps;
    this.#session = new Session({
      connect: deps.connect,
      createPeerConnection: deps.createPeerConnection,
      identity: deps.identity ?? webStorageIdentity(),
      ...(deps.rejoinGraceMs !== undefined && { rejoinGraceMs: deps.rejoinGraceMs }),
      ...(deps.prepareVideoAfterMs !== undefined && { prepareVideoAfterMs: deps.prepareVideoAfterMs }),
    });
    const mesh = this.#session.mesh;
    this.#stats = new StatsReporter({
      mesh,
      isMember: (id) => this.#session.roster.has(id),
      send: async (peers) => this.#session.signaling?.request('stats:report', { peers }),
      onFigures: () => this.#publish(),
      ...(deps.statsEveryMs !== undefined && { everyMs: deps.statsEveryMs }),
    });
    this.#speaking = new SpeakingDetector({
      mesh,
      selfMuted: () => this.#snapshot.self?.muted ?? true,
      announce: async (speaking) => (await this.#session.signaling?.request('speaking:update', { speaking }))?.ok ?? false,
      onChange: () => this.#publish(),
      onSelfLevel: (level, muted) => this.#onSelfLevel(level, muted),
      ...(deps.speakingEveryMs && { everyMs: deps.speakingEveryMs }),
    });
    this.#audio = new LocalAudio({
      mesh,
      onChange: () => this.#publish(),
      onNotice: (notice) => {
        if (notice.kind === 'mic_gone') this.#set({ listenOnly: true });
        this.#set({ notice }, true);
      },
    });
    this.conversation = new Conversation({
      request: (event, payload) => this.#session.signaling?.request(event, payload),
      selfId: () => this.#session.self?.id ?? null,
      onChange: () => this.#set({ chat: this.conversation.view, hands: this.conversation.hands }, true),
      onHandRefused: (r) => this.#set({ notice: r.kind === 'too_fast' ? { kind: 'hand_too_fast' } : { kind: 'error', message: r.message } }, true),
    });
    this.#session.on((e) => this.#onSession(e));
    this.host = new HostControls(
      () => this.#session.signaling,
      (message) => this.#set({ notice: { kind: 'error', message } }, true),
    );
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): CallSnapshot => this.#snapshot;

  /** Joins with a microphone stream (null: listen only). */
  async join(name: string, mic: MediaStream | null): Promise<void> {
    if (this.#session.status !== 'idle') return;
    const audio = mic?.getAudioTracks()[0] ?? null;
    this.#set({ ...EMPTY, status: 'joining', listenOnly: !audio, processing: this.#audio.processing }, true);
    await this.#audio.start(mic, false);
    await this.#session.join(name, audio);
    if (this.#deps.speakingEveryMs !== 0) this.#speaking.start();
    this.#stats.start();
  }

  async toggleMute(): Promise<void> {
    const self = this.#snapshot.self;
    if (self) await this.setMuted(!self.muted);
  }

  /** Mutes or unmutes (a listen-only person has nothing to unmute until they pick a microphone). */
  async setMuted(muted: boolean): Promise<void> {
    const self = this.#snapshot.self;
    if (!self || !this.#audio.track || self.muted === muted) return;
    this.#set({ self: { ...self, muted }, ...(!muted && { mutedTalk: false }) }, true);
    await this.#audio.setMuted(muted);
    await this.#session.setMuted(muted);
  }

  /**
   * Switches the microphone on every link (replaceTrack, no renegotiation). A listen-only
   * person gets one this way and stays muted until they unmute.
   */
  async useMicrophone(deviceId: string | null): Promise<void> {
    const self = this.#snapshot.self;
    const wasListening = !this.#audio.track;
    if (wasListening) await this.#audio.setMuted(true);
    const ok = await this.#audio.useMicrophone(deviceId);
    if (!ok || !wasListening || !self) return;
    this.#set({ listenOnly: false, self: { ...(this.#snapshot.self ?? self), muted: true } }, true);
    await this.#session.setMuted(true);
  }

  async setProcessing(processing: Processing): Promise<void> {
    // Shown at once; the track follows (a re-capture can take a moment).
    this.#set({ processing: { ...processing } }, true);
    await this.#audio.setProcessing(processing);
    this.#set({ processing: this.#audio.processing }, true);
  }

  async startShare(): Promise<void> {
    const signaling = this.#session.signaling;
    if (this.#screenTrack || !signaling) return;
    const claim = await signaling.request('screen:claim', {});
    if (!claim.ok) {
      if (claim.error.code === 'screen_busy') this.#set({ notice: { kind: 'screen_busy', name: String(claim.error.details?.holderName ?? '') } }, true);
      return;
    }
    this.#screenEpoch = claim.data.epoch;
    const track = await (this.#deps.captureScreen ?? captureScreen)();
    if (!track || this.#session.signaling !== signaling) {
      track?.stop();
      await signaling.request('screen:release', { epoch: claim.data.epoch });
      if (!track) this.#set({ notice: { kind: 'share_failed' } }, true);
      return;
    }
    this.#screenTrack = track;
    // The browser's own "Stop sharing" ends the track: release the slot then too.
    track.addEventListener('ended', () => void this.stopShare());
    await this.#session.mesh.setScreenTrack(track);
    this.#set({ presenting: true, notice: null }, true);
  }

  async stopShare(): Promise<void> {
    const track = this.#screenTrack;
    if (!track) return;
    this.#screenTrack = null;
    track.stop();
    await this.#session.mesh.setScreenTrack(null);
    this.#set({ presenting: false }, true);
    await this.#session.signaling?.request('screen:release', this.#screenEpoch === null ? {} : { epoch: this.#screenEpoch });
  }

  dismissNotice(): void {
    this.#set({ notice: null }, true);
  }

  /** Our level, muted or not: speaking while muted for about a second says so (call/muted-talk.ts). */
  #onSelfLevel(level: number | null, muted: boolean): void {
    if (!this.#mutedTalk.sample(level, muted, performance.now())) return;
    this.#set({ mutedTalk: true }, true);
    if (this.#mutedTalkTimer) clearTimeout(this.#mutedTalkTimer);
    this.#mutedTalkTimer = setTimeout(() => this.#set({ mutedTalk: false }, true), 6_000);
  }

  async leave(): Promise<void> {
    if (this.#screenTrack) await this.stopShare();
    await this.#session.leave();
  }

  /** Test hook (window.__meshtalk.stats): per link, states, media counters, port and audio cap. */
  debugStats(): Promise<LinkReport[]> {
    return linkReports(this.#session.mesh);
  }

  /** Test hook: the microphone track in use and its settings (null: none). */
  debugMicrophone(): { id: string; settings: MediaTrackSettings; enabled: boolean } | null {
    const track = this.#audio.track;
    return track ? { id: track.id, settings: track.getSettings(), enabled: track.enabled } : null;
  }

  /** Test hook for benchmarks: inbound audio bytes per link, read as a bare page would. */
  debugInboundAudio(): Promise<{ id: string; bytes: number }[]> {
    return inboundAudio(this.#session.mesh);
  }

  #onSession(e: SessionEvent): void {
    switch (e.type) {
      case 'status':
        if (e.status === 'in-room') return;
        // Joining again (the door opened) or waiting at it: nothing joined yet is kept.
        if (e.status === 'joining' || e.status === 'knocking') return this.#set({ status: e.status }, true);
        if (e.status === 'reconnecting') return this.#set({ status: 'reconnecting' }, true);
        if (e.status === 'failed') return this.#set({ status: 'failed', notice: { kind: 'error', message: e.message ?? '' } }, true);
        // room-full, replaced, left, removed, ended, the door shut: the call is over here.
        this.#end(e.status);
        if (e.capacity !== undefined) this.#set({ capacity: e.capacity }, true);
        if (e.by !== undefined) this.#set({ closedBy: e.by }, true);
        return;
      case 'host': {
        const { hostId, locked, hostName, reason } = e.host;
        const you = hostId !== null && hostId === this.#snapshot.self?.id;
        const changed = hostName !== null && (reason === 'transfer' || reason === 'succession');
        return this.#set(
          { host: { hostId, locked }, ...(!you && { knocks: [] }), ...(changed && { notice: { kind: 'host_changed', name: hostName, you } }) },
          true,
        );
      }
      case 'knocks':
        return this.#set({ knocks: e.knocks }, true);
      case 'muted-by-host': {
        // The server has us muted already (everyone was told); here our senders stop sending.
        void this.#audio.setMuted(true);
        const self = this.#snapshot.self;
        return this.#set({ ...(self && { self: { ...self, muted: true } }), notice: { kind: 'muted_by_host', by: e.by } }, true);
      }
      case 'joined':
        this.#set({ status: 'in-room', self: { ...e.self, speaking: false } }, true);
        this.conversation.joined(e.chat, e.hands, e.rejoined);
        // Back after a drop: who spoke meanwhile is unknown, and the room may not know about us.
        if (e.rejoined) {
          this.#speakers.clear();
          this.#speaking.forgetAnnounced();
        }
        this.#onScreen(e.screen);
        // After a server restart the slot is free again: a presenter who still shares takes it back.
        if (this.#screenTrack && e.screen?.holderId !== e.self.id) {
          void this.#session.signaling?.request('screen:claim', {}).then((r) => {
            if (r.ok) this.#screenEpoch = r.data.epoch;
            else void this.stopShare();
          });
        }
        return;
      case 'roster':
        for (const id of new Set([...this.#media.keys(), ...this.#quality.keys(), ...this.#speakers])) if (!this.#session.roster.has(id)) this.#forget(id);
        // The room does not keep who speaks: a newcomer hears it from each speaker.
        if (e.joined) this.#speaking.forgetAnnounced(true);
        return this.#publish();
      case 'speaking':
        if (e.speaking) this.#speakers.add(e.peerId);
        else this.#speakers.delete(e.peerId);
        return this.#publish();
      case 'presenter':
        return this.#onScreen(e.screen);
      case 'chat':
        return this.conversation.receive(e.message);
      case 'hands':
        return this.conversation.handsChanged(e.hands);
      case 'quality':
        this.#quality.set(e.peerId, { quality: e.quality, lossPct: e.lossPct });
        return this.#publish();
      case 'ice': {
        const relayed = (id: string) => this.#stats.reading(id)?.candidateType === 'relay';
        return this.#session.mesh.handleIceServers(e.iceServers, relayed);
      }
      case 'state':
        this.#stats.linkChanged(e.peerId);
        return this.#publish();
      case 'audio':
        this.#mediaOf(e.peerId).audio = this.#deps.createMediaStream ? this.#deps.createMediaStream([e.track]) : new MediaStream([e.track]);
        return this.#publish();
      case 'screen':
        this.#mediaOf(e.peerId).screen = e.track;
        return this.#publish();
    }
  }

  #mediaOf(peerId: string) {
    let m = this.#media.get(peerId);
    if (!m) this.#media.set(peerId, (m = { audio: null, screen: null }));
    return m;
  }

  #forget(peerId: string): void {
    this.#media.delete(peerId);
    this.#quality.delete(peerId);
    this.#speakers.delete(peerId);
    this.#stats.forget(peerId);
  }

  #onScreen(screen: ScreenState): void {
    const selfId = this.#snapshot.self?.id;
    if (this.#screenTrack && screen && screen.holderId !== selfId) void this.stopShare();
    this.#set({ screen: screen ? { holderId: screen.holderId, holderName: screen.holderName } : null });
    this.#publish();
  }

  /** Rebuilds the peer list and the presenter's track into a new snapshot. */
  #publish(): void {
    const holder = this.#snapshot.screen?.holderId;
    const mesh = this.#session.mesh;
    const peers: PeerView[] = [...this.#session.roster.values()].map((p) => {
      const q = this.#quality.get(p.id);
      return {
        ...p,
        presenting: holder === p.id,
        speaking: this.#speakers.has(p.id) && !p.muted,
        linkState: mesh.link(p.id)?.state ?? 'new',
        quality: q?.quality ?? 'good',
        rttMs: this.#stats.reading(p.id)?.rttMs ?? null,
        lossPct: q?.lossPct ?? null,
        audio: this.#media.get(p.id)?.audio ?? null,
      };
    });
    const self = this.#snapshot.self ? { ...this.#snapshot.self, speaking: this.#speaking.self } : null;
    const screenTrack = holder && holder !== self?.id ? (this.#media.get(holder)?.screen ?? null) : null;
    const audio = this.#audio;
    this.#set({ peers, self, screenTrack, microphones: audio.microphones, speakers: audio.speakers, microphoneId: audio.track ? audio.deviceId : null });
  }

  /**
   * A new snapshot. What a person just did (mute, share, a notice) is shown at once; what the
   * network does (links, stats, speaking, roster) at most every `notifyMs`: a quarter second,
   * or a second while the mesh settles, when every render competes with the links for the page.
   */
  #set(patch: Partial<CallSnapshot>, urgent = false): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    const ms = this.#deps.notifyMs ?? (this.#session.mesh.settling ? 1_000 : 250);
    if (urgent || ms <= 0) return this.#notify();
    this.#notifyTimer ??= setTimeout(() => this.#notify(), ms);
  }

  #notify(): void {
    if (this.#notifyTimer) clearTimeout(this.#notifyTimer);
    this.#notifyTimer = null;
    for (const l of this.#listeners) l();
  }

  #end(status: SessionStatus): void {
    this.#stats.stop();
    this.#speaking.stop();
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    this.#audio.stop();
    if (this.#mutedTalkTimer) clearTimeout(this.#mutedTalkTimer);
    this.#media.clear();
    this.#quality.clear();
    this.#speakers.clear();
    this.conversation.clear();
    this.#set({ ...EMPTY, status }, true);
  }
}
