/**
 * A call: owns the signaling connection, the mesh and the local media, and exposes an
 * immutable snapshot that the UI renders (`subscribe` + `getSnapshot`, for
 * useSyncExternalStore). No React here.
 */
import type { JoinResponse, Participant, PeerStats, ScreenState } from '@meshtalk/protocol';
import { Mesh } from '../mesh/Mesh';
import type { SignalMessage } from '../mesh/PeerLink';
import { captureScreen } from '../media/screen';
import { level, SPEAKING_LEVEL, unwatchLevel, watchLevel } from '../media/levels';
import type { Signaling } from '../signaling/SignalingClient';
import { indexStats, selectedPair, summarize, type Counters, type LinkFigures, type StatsEntry } from '../stats/summarize';
import { clearIdentity, loadIdentity, saveIdentity } from './identity';
import type { CallSnapshot, PeerView, Quality } from './snapshot';

/** Remote levels come from RTP (0–1, logarithmic-ish): a quiet room reads below this. */
const REMOTE_SPEAKING_LEVEL = 0.05;

export type { CallSnapshot, PeerView } from './snapshot';

export interface CallDeps {
  connect: () => Signaling;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  statsEveryMs?: number;
  /** How long a re-join waits for peers it still hears but the server does not list yet. */
  rejoinGraceMs?: number;
}

const EMPTY: CallSnapshot = {
  status: 'idle',
  self: null,
  peers: [],
  screen: null,
  screenTrack: null,
  presenting: false,
  listenOnly: false,
  notice: null,
};

export class Call {
  #snapshot: CallSnapshot = EMPTY;
  #listeners = new Set<() => void>();
  #signaling: Signaling | null = null;
  readonly #mesh: Mesh;
  readonly #deps: CallDeps;
  #name = '';
  #mic: MediaStream | null = null;
  #screenTrack: MediaStreamTrack | null = null;
  #screenEpoch: number | null = null;
  #roster = new Map<string, Participant>();
  #links = new Map<string, { state: RTCPeerConnectionState; quality: Quality; rttMs: number | null; lossPct: number | null; audio: MediaStream | null; screen: MediaStreamTrack | null; speaking: boolean }>();
  /** Per peer, the last full stats interval: its counters start the next, its figures fill quick reports. */
  #lastInterval = new Map<string, { counters: Counters; figures: LinkFigures }>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #selfSpeaking = false;
  /** True once the current socket connection has joined; signals wait in #held until then. */
  #joined = false;
  #held: { to: string; message: SignalMessage }[] = [];
  /** Peers kept after a re-join although the server did not list them, until they reappear. */
  readonly #returning = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(deps: CallDeps) {
    this.#deps = deps;
    this.#mesh = new Mesh({ createPeerConnection: deps.createPeerConnection });
    this.#mesh.on((e) => {
      if (e.type === 'signal') {
        // Until this connection has joined, the server would refuse signals: hold them.
        if (this.#joined) this.#sendSignal(e.to, e.message);
        else this.#held.push({ to: e.to, message: e.message });
        return;
      }
      const link = this.#link(e.peerId);
      if (e.type === 'state') {
        link.state = e.state;
        this.#reportSoon();
      }
      else if (e.type === 'audio') link.audio = new MediaStream([e.track]);
      else if (e.type === 'screen') link.screen = e.track;
      this.#publish();
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): CallSnapshot => this.#snapshot;

  /** Joins with a microphone stream (null: listen only). */
  async join(name: string, mic: MediaStream | null): Promise<void> {
    if (this.#signaling) return;
    this.#name = name;
    this.#mic = mic;
    const audio = mic?.getAudioTracks()[0] ?? null;
    if (mic) watchLevel('self', mic);
    await this.#mesh.setAudioTrack(audio);
    this.#set({ ...EMPTY, status: 'joining', listenOnly: !audio });
    const signaling = this.#deps.connect();
    this.#signaling = signaling;
    this.#listen(signaling);
    signaling.onConnection((e) => {
      if (e === 'connect') void this.#sendJoin();
      else {
        this.#joined = false;
        if (this.#snapshot.status === 'in-room') this.#set({ status: 'reconnecting' });
      }
    });
    this.#timers.push(setInterval(() => this.#sampleSpeaking(), 400));
    this.#timers.push(setInterval(() => void this.#reportStats(), this.#deps.statsEveryMs ?? 5_000));
  }

  async toggleMute(): Promise<void> {
    const self = this.#snapshot.self;
    const track = this.#mic?.getAudioTracks()[0];
    if (!self || !track) return;
    const muted = !self.muted;
    track.enabled = !muted;
    this.#set({ self: { ...self, muted } });
    await this.#signaling?.request('media:update', { muted });
  }

  async startShare(): Promise<void> {
    if (this.#screenTrack || !this.#signaling) return;
    const claim = await this.#signaling.request('screen:claim', {});
    if (!claim.ok) {
      if (claim.error.code === 'screen_busy') this.#set({ notice: { kind: 'screen_busy', name: String(claim.error.details?.holderName ?? '') } });
      return;
    }
    this.#screenEpoch = claim.data.epoch;
    const track = await captureScreen();
    if (!track) {
      await this.#signaling.request('screen:release', { epoch: claim.data.epoch });
      this.#set({ notice: { kind: 'share_failed' } });
      return;
    }
    this.#screenTrack = track;
    // The browser's own "Stop sharing" ends the track: release the slot then too.
    track.addEventListener('ended', () => void this.stopShare());
    await this.#mesh.setScreenTrack(track);
    this.#set({ presenting: true, notice: null });
  }

  async stopShare(): Promise<void> {
    const track = this.#screenTrack;
    if (!track) return;
    this.#screenTrack = null;
    track.stop();
    await this.#mesh.setScreenTrack(null);
    this.#set({ presenting: false });
    await this.#signaling?.request('screen:release', this.#screenEpoch === null ? {} : { epoch: this.#screenEpoch });
  }

  dismissNotice(): void {
    this.#set({ notice: null });
  }

  async leave(): Promise<void> {
    if (this.#screenTrack) await this.stopShare();
    await this.#signaling?.request('room:leave', {}, 2_000);
    clearIdentity();
    this.#teardown();
    this.#set({ ...EMPTY, status: 'left' });
  }

  /**
   * Test hook (window.__meshtalk.stats): per link, the raw states, media counters, the local UDP
   * port of the selected candidate pair and the cap on the audio sender.
   */
  async debugStats(): Promise<
    { peerId: string; state: string; signaling: string; ice: string; inboundAudioBytes: number; framesDecoded: number; localPort: number | null; audioMaxBitrate: number | null }[]
  > {
    return Promise.all(
      this.#mesh.peerIds.map(async (peerId) => {
        const pc = this.#mesh.link(peerId)!.pc;
        const byId = indexStats((await pc.getStats()).values() as Iterable<StatsEntry>);
        let inboundAudioBytes = 0;
        let framesDecoded = 0;
        for (const r of byId.values()) {
          if (r.type !== 'inbound-rtp') continue;
          if (r.kind === 'audio') inboundAudioBytes += r.bytesReceived ?? 0;
          if (r.kind === 'video') framesDecoded += r.framesDecoded ?? 0;
        }
        const localPort = selectedPair(byId).local?.port ?? null;
        const audioSender = pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio')?.sender;
        const audioMaxBitrate = audioSender?.getParameters().encodings?.[0]?.maxBitrate ?? null;
        return { peerId, state: pc.connectionState, signaling: pc.signalingState, ice: pc.iceConnectionState, inboundAudioBytes, framesDecoded, localPort, audioMaxBitrate };
      }),
    );
  }

  #listen(s: Signaling): void {
    s.on('participant:joined', (p) => {
      this.#settleReturn(p.id);
      this.#roster.set(p.id, p);
      this.#mesh.handlePeerJoined(p.id);
      this.#publish();
    });
    s.on('participant:updated', (p) => {
      if (p.id === this.#snapshot.self?.id) return;
      this.#settleReturn(p.id);
      this.#roster.set(p.id, p);
      this.#publish();
    });
    s.on('participant:left', ({ id }) => this.#drop(id));
    s.on('signal:receive', ({ from, ...message }) => {
      if (this.#roster.has(from)) this.#mesh.handleSignal(from, message);
      else console.warn(`meshtalk: signal from unknown ${from} dropped`);
    });
    s.on('screen:changed', ({ screen }) => this.#onScreen(screen));
    s.on('room:closed', ({ reason }) => {
      if (reason === 'replaced') {
        this.#teardown();
        this.#set({ ...EMPTY, status: 'replaced' });
      } else this.#set({ status: 'reconnecting' });
    });
    s.on('ice:refresh', ({ iceServers }) => {
      this.#mesh.handleIceServers(iceServers, (id) => this.#links.get(id)?.state !== undefined && this.#candidateType.get(id) === 'relay');
    });
    s.on('link:quality', ({ peerId, quality, lossPct }) => {
      const link = this.#link(peerId);
      link.quality = quality;
      link.lossPct = lossPct;
      this.#mesh.handleLinkQuality(peerId, quality);
      this.#publish();
    });
  }

  /** (Re)joins: first join, reconnect after a drop, or after a server restart. */
  async #sendJoin(): Promise<void> {
    const s = this.#signaling;
    if (!s) return;
    const identity = loadIdentity();
    const muted = this.#snapshot.self?.muted ?? false;
    const ack = await s.request('room:join', { name: this.#name, muted, ...(identity ?? {}) }, 30_000);
    if (s !== this.#signaling) return;
    if (!ack.ok) {
      if (ack.error.code === 'room_full') {
        this.#teardown();
        this.#set({ ...EMPTY, status: 'room-full' });
      } else if (ack.error.code === 'forbidden' && identity) {
        clearIdentity();
        await this.#sendJoin();
      } else if (ack.error.code === 'shutting_down' || ack.error.code === 'internal') {
        setTimeout(() => s.connected && void this.#sendJoin(), 1_000);
      } else this.#set({ status: 'failed', notice: { kind: 'error', message: ack.error.message } });
      return;
    }
    this.#applyJoin(ack.data);
  }

  #applyJoin(data: JoinResponse): void {
    saveIdentity({ participantId: data.self.id, resumeToken: data.resumeToken });
    this.#mesh.handleJoined(data.self.id, data.iceServers);
    // Reconcile: links to listed peers stay as they are; a peer missing from the list is gone,
    // unless its link still carries media. After a server restart the others are re-joining
    // too, so such a peer gets a short wait to reappear (participant:joined) before it goes.
    const previous = this.#roster;
    this.#roster = new Map(data.participants.map((p) => [p.id, p]));
    for (const [id, p] of previous) {
      if (this.#roster.has(id)) continue;
      const state = this.#mesh.link(id)?.state;
      if (state === 'connected' || state === 'disconnected') this.#awaitReturn(p);
      else this.#drop(id);
    }
    this.#mesh.handleRoster([...this.#roster.keys()]);
    const rejoined = this.#snapshot.self !== null;
    this.#joined = true;
    for (const { to, message } of this.#held.splice(0)) if (this.#roster.has(to)) this.#sendSignal(to, message);
    // Signals in flight when the socket dropped are lost: links that had not settled ask again.
    if (rejoined) this.#mesh.resync();
    this.#set({ status: 'in-room', self: { ...data.self, speaking: false } });
    this.#onScreen(data.screen);
    // After a server restart the slot is free again: a presenter who still shares takes it back.
    if (this.#screenTrack && data.screen?.holderId !== data.self.id) {
      void this.#signaling?.request('screen:claim', {}).then((r) => {
        if (r.ok) this.#screenEpoch = r.data.epoch;
        else void this.stopShare();
      });
    }
  }

  #sendSignal(to: string, message: SignalMessage): void {
    // A long ack window: under load an answer may be late, and the signal is relayed anyway.
    void this.#signaling?.request('signal:send', { to, ...message }, 30_000).then((ack) => {
      if (!ack.ok) console.warn(`meshtalk: signal to ${to} refused: ${ack.error.code}`);
    });
  }

  #onScreen(screen: ScreenState): void {
    const selfId = this.#snapshot.self?.id;
    if (this.#screenTrack && screen && screen.holderId !== selfId) void this.stopShare();
    this.#set({ screen: screen ? { holderId: screen.holderId, holderName: screen.holderName } : null });
    this.#publish();
  }

  /** Keeps a peer the server does not list (yet) for a while; drops it unless it reappears. */
  #awaitReturn(p: Participant): void {
    this.#roster.set(p.id, p);
    if (this.#returning.has(p.id)) return;
    const timer = setTimeout(() => {
      this.#returning.delete(p.id);
      this.#drop(p.id);
    }, this.#deps.rejoinGraceMs ?? 10_000);
    this.#returning.set(p.id, timer);
  }

  #settleReturn(id: string): void {
    clearTimeout(this.#returning.get(id));
    this.#returning.delete(id);
  }

  #drop(id: string): void {
    this.#settleReturn(id);
    this.#roster.delete(id);
    this.#links.delete(id);
    this.#lastInterval.delete(id);
    this.#candidateType.delete(id);
    this.#mesh.handlePeerLeft(id);
    this.#publish();
  }

  #link(id: string) {
    let link = this.#links.get(id);
    if (!link) {
      link = { state: 'new', quality: 'good', rttMs: null, lossPct: null, audio: null, screen: null, speaking: false };
      this.#links.set(id, link);
    }
    return link;
  }

  readonly #candidateType = new Map<string, string | null>();

  /**
   * A report soon after a link changes state, so the admin's view and the time to connect do
   * not wait for the next interval. Loss and bitrates stay those of the last full interval
   * (a quarter-second window would make them noise).
   */
  #reportSoon(): void {
    if (this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = null;
      void this.#reportStats(false);
    }, 250);
  }

  #soon: ReturnType<typeof setTimeout> | null = null;

  async #reportStats(interval = true): Promise<void> {
    if (this.#snapshot.status !== 'in-room' || !this.#signaling) return;
    const peers: PeerStats[] = [];
    const now = performance.now();
    for (const peerId of this.#mesh.peerIds) {
      const link = this.#mesh.link(peerId);
      if (!link || !this.#roster.has(peerId)) continue;
      const report = await link.pc.getStats().catch(() => null);
      if (!report) continue;
      const previous = this.#lastInterval.get(peerId);
      const summary = summarize(report.values() as Iterable<StatsEntry>, previous?.counters ?? null, now);
      let figures = summary.figures;
      if (interval) this.#lastInterval.set(peerId, summary);
      else figures = { ...figures, lossPct: previous?.figures.lossPct ?? null, inKbps: previous?.figures.inKbps ?? null, outKbps: previous?.figures.outKbps ?? null };
      this.#candidateType.set(peerId, figures.candidateType);
      const view = this.#link(peerId);
      view.rttMs = figures.rttMs;
      peers.push({ peerId, state: link.state, connectMs: link.connectMs, iceRestarts: link.iceRestarts, iceRestartsRecovered: link.iceRestartsRecovered, ...figures });
    }
    this.#publish();
    if (peers.length) await this.#signaling.request('stats:report', { peers });
  }

  #sampleSpeaking(): void {
    let changed = false;
    const self = level('self') > SPEAKING_LEVEL && !this.#snapshot.self?.muted;
    if (self !== this.#selfSpeaking) {
      this.#selfSpeaking = self;
      changed = true;
    }
    for (const [id, link] of this.#links) {
      const speaking = (this.#mesh.link(id)?.audioLevel() ?? 0) > REMOTE_SPEAKING_LEVEL && !this.#roster.get(id)?.muted;
      if (speaking !== link.speaking) {
        link.speaking = speaking;
        changed = true;
      }
    }
    if (changed) this.#publish();
  }

  /** Rebuilds the peer list and the presenter's track into a new snapshot. */
  #publish(): void {
    const holder = this.#snapshot.screen?.holderId;
    const peers: PeerView[] = [...this.#roster.values()].map((p) => {
      const l = this.#links.get(p.id);
      return {
        ...p,
        presenting: holder === p.id,
        speaking: l?.speaking ?? false,
        linkState: l?.state ?? 'new',
        quality: l?.quality ?? 'good',
        rttMs: l?.rttMs ?? null,
        lossPct: l?.lossPct ?? null,
        audio: l?.audio ?? null,
      };
    });
    const self = this.#snapshot.self ? { ...this.#snapshot.self, speaking: this.#selfSpeaking } : null;
    const screenTrack = holder && holder !== self?.id ? (this.#links.get(holder)?.screen ?? null) : null;
    this.#set({ peers, self, screenTrack });
  }

  #set(patch: Partial<CallSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const l of this.#listeners) l();
  }

  #teardown(): void {
    this.#joined = false;
    this.#held = [];
    for (const timer of this.#returning.values()) clearTimeout(timer);
    this.#returning.clear();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    if (this.#soon) clearTimeout(this.#soon);
    this.#soon = null;
    this.#signaling?.close();
    this.#signaling = null;
    this.#mesh.close();
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    this.#mic?.getTracks().forEach((t) => t.stop());
    unwatchLevel('self');
    this.#links.clear();
    this.#roster.clear();
  }
}
