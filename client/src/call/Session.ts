/**
 * The session core: being in the room. It joins through signaling, re-joins after a drop or a
 * server restart, keeps the roster, and drives the mesh (who to link with, signals both ways,
 * ICE servers, link-quality warnings). No DOM and no React: the peer connection factory and the
 * identity storage are injected, so the same code runs in a browser tab and in Node.
 *
 * Call composes it with media, screen sharing, stats reports and speaking detection.
 */
import type { ChatMessage, HandQueue, HostChanged, IceServer, JoinResponse, Knock, LinkQualityLevel, Participant, ScreenState } from '@meshtalk/protocol';
import { Mesh, type MeshEvent } from '../mesh/Mesh';
import type { SignalMessage } from '../mesh/PeerLink';
import type { RecoveryOptions } from '../mesh/Recovery';
import type { Signaling } from '../signaling/SignalingClient';
import type { IdentityStore } from './identity';

export type SessionStatus =
  | 'idle'
  | 'joining'
  /** At a locked room's door, waiting for the host (SPEC.md K2). */
  | 'knocking'
  | 'in-room'
  | 'reconnecting'
  | 'room-full'
  | 'replaced'
  | 'left'
  | 'failed'
  /** The door stayed shut: the host said no, nobody answered in time, or too many wait. */
  | 'denied'
  | 'knock-expired'
  | 'locked-out'
  /** The host took this person out, or ended the call for everyone (`by` says who; null: an admin). */
  | 'removed'
  | 'ended';

export type SessionEvent =
  /** `message` says why a join failed; `capacity` how many a full room holds. */
  | { type: 'status'; status: SessionStatus; message?: string; capacity?: number; by?: string | null }
  /** A join (first or again) was accepted: who we are, who presents, the chat so far and the raised hands. */
  | { type: 'joined'; self: Participant; screen: ScreenState; rejoined: boolean; chat: ChatMessage[]; hands: HandQueue }
  | { type: 'chat'; message: ChatMessage }
  | { type: 'hands'; hands: HandQueue }
  /** Someone else started or stopped speaking, as their own browser measured it. */
  | { type: 'speaking'; peerId: string; speaking: boolean }
  /** Someone arrived, changed or left: read `roster`. `joined`: the newcomer (participant:joined). */
  | { type: 'roster'; joined?: string }
  /** Who presents changed. */
  | { type: 'presenter'; screen: ScreenState }
  | { type: 'quality'; peerId: string; quality: LinkQualityLevel; lossPct: number | null }
  | { type: 'ice'; iceServers: IceServer[] }
  /** Who is host, whether the room is locked (`hostName` and `reason` when the host changed). */
  | { type: 'host'; host: HostChanged }
  /** The people at the door, for the host. */
  | { type: 'knocks'; knocks: Knock[] }
  /** The host muted us (null: an admin); we may unmute ourselves. */
  | { type: 'muted-by-host'; by: string | null }
  | MeshEvent;

export interface SessionDeps {
  connect: () => Signaling;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  identity: IdentityStore;
  /** How long a re-join waits for peers it still hears but the server does not list yet. */
  rejoinGraceMs?: number;
  recovery?: RecoveryOptions;
  /** MeshOptions.prepareVideoAfterMs. */
  prepareVideoAfterMs?: number;
}

export class Session {
  readonly mesh: Mesh;
  readonly #deps: SessionDeps;
  #signaling: Signaling | null = null;
  #listeners: ((e: SessionEvent) => void)[] = [];
  #name = '';
  #self: Participant | null = null;
  #status: SessionStatus = 'idle';
  /** Sent with every (re)join, so a re-join keeps the mute state. */
  #muted = false;
  #roster = new Map<string, Participant>();
  /** True once the current socket connection has joined; signals wait in #held until then. */
  #joined = false;
  #held: { to: string; message: SignalMessage }[] = [];
  /** Peers kept after a re-join although the server did not list them, until they reappear. */
  readonly #returning = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    this.mesh = new Mesh({
      createPeerConnection: deps.createPeerConnection,
      ...(deps.recovery && { recovery: deps.recovery }),
      ...(deps.prepareVideoAfterMs !== undefined && { prepareVideoAfterMs: deps.prepareVideoAfterMs }),
      peerPresent: (id) => this.#joined && (this.#roster.get(id)?.connected ?? false),
    });
    this.mesh.on((e) => {
      if (e.type === 'signal') {
        // Until this connection has joined, the server would refuse signals: hold them.
        if (this.#joined) this.#sendSignal(e.to, e.message);
        else this.#held.push({ to: e.to, message: e.message });
        return;
      }
      this.#emit(e);
    });
  }

  on(listener: (e: SessionEvent) => void): void {
    this.#listeners.push(listener);
  }

  get status(): SessionStatus {
    return this.#status;
  }

  get self(): Participant | null {
    return this.#self;
  }

  /** Everyone else in the room, as the server last described them. */
  get roster(): ReadonlyMap<string, Participant> {
    return this.#roster;
  }

  /** The current signaling connection; null before joining and after leaving. */
  get signaling(): Signaling | null {
    return this.#signaling;
  }

  /** Joins under `name`, sending `audio` (null: listen only). */
  async join(name: string, audio: MediaStreamTrack | null, muted = false): Promise<void> {
    if (this.#signaling) return;
    this.#name = name;
    await this.mesh.setAudioTrack(audio);
    this.#muted = muted;
    this.#setStatus('joining');
    const signaling = this.#deps.connect();
    this.#signaling = signaling;
    this.#listen(signaling);
    signaling.onConnection((e) => {
      if (e === 'connect') void this.#sendJoin();
      else {
        this.#joined = false;
        if (this.#status === 'in-room') this.#setStatus('reconnecting');
      }
    });
  }

  async setMuted(muted: boolean): Promise<void> {
    this.#muted = muted;
    if (this.#self) this.#self = { ...this.#self, muted };
    await this.#signaling?.request('media:update', { muted });
  }

  async leave(): Promise<void> {
    await this.#signaling?.request('room:leave', {}, 2_000);
    this.#deps.identity.clear();
    this.close('left');
  }

  /** Ends everything here (links, socket, timers) and settles in `status`. */
  close(status: SessionStatus, capacity?: number, by?: string | null): void {
    this.#joined = false;
    this.#held = [];
    for (const timer of this.#returning.values()) clearTimeout(timer);
    this.#returning.clear();
    this.#signaling?.close();
    this.#signaling = null;
    this.mesh.close();
    this.#roster.clear();
    this.#self = null;
    this.#setStatus(status, { capacity, by });
  }

  #emit(e: SessionEvent): void {
    for (const l of this.#listeners) l(e);
  }

  #setStatus(status: SessionStatus, why: { message?: string | undefined; capacity?: number | undefined; by?: string | null | undefined } = {}): void {
    this.#status = status;
    this.#emit({
      type: 'status',
      status,
      ...(why.message !== undefined && { message: why.message }),
      ...(why.capacity !== undefined && { capacity: why.capacity }),
      ...(why.by !== undefined && { by: why.by }),
    });
  }

  #listen(s: Signaling): void {
    s.on('participant:joined', (p) => {
      this.#settleReturn(p.id);
      const known = this.#roster.has(p.id);
      this.#roster.set(p.id, p);
      this.mesh.handlePeerJoined(p.id);
      // Back after a server restart: what we sent it while it was away may be lost.
      if (known) this.mesh.resyncPeer(p.id);
      this.#emit({ type: 'roster', joined: p.id });
    });
    s.on('participant:updated', (p) => {
      if (p.id === this.#self?.id) return;
      this.#settleReturn(p.id);
      const before = this.#roster.get(p.id);
      this.#roster.set(p.id, p);
      // Its socket came back: signals sent while it was gone were refused or lost.
      if (before && !before.connected && p.connected) this.mesh.resyncPeer(p.id);
      this.#emit({ type: 'roster' });
    });
    s.on('participant:left', ({ id }) => this.#drop(id));
    s.on('signal:receive', ({ from, ...message }) => {
      if (this.#roster.has(from)) this.mesh.handleSignal(from, message);
      else console.warn(`meshtalk: signal from unknown ${from} dropped`);
    });
    s.on('participant:speaking', ({ id, speaking }) => {
      if (this.#roster.has(id)) this.#emit({ type: 'speaking', peerId: id, speaking });
    });
    s.on('screen:changed', ({ screen }) => this.#emit({ type: 'presenter', screen }));
    s.on('room:closed', ({ reason, by }) => {
      if (reason === 'replaced') this.close('replaced');
      else if (reason === 'removed' || reason === 'ended') this.close(reason, undefined, by ?? null);
      else if (this.#status !== 'knocking') this.#setStatus('reconnecting');
    });
    s.on('room:host', (host) => this.#emit({ type: 'host', host }));
    s.on('knock:list', ({ knocks }) => this.#emit({ type: 'knocks', knocks }));
    s.on('host:muted', ({ by }) => {
      this.#muted = true;
      if (this.#self) this.#self = { ...this.#self, muted: true };
      this.#emit({ type: 'muted-by-host', by });
    });
    s.on('knock:answer', (answer) => {
      if (answer.admitted) return this.#applyJoin(answer.join);
      // Unlocked: the server closes this connection, which comes back and joins again by itself.
      if (answer.reason === 'unlocked') return this.#setStatus('joining');
      this.close(answer.reason === 'denied' ? 'denied' : answer.reason === 'expired' ? 'knock-expired' : 'ended');
    });
    s.on('chat:message', (message) => this.#emit({ type: 'chat', message }));
    s.on('hand:changed', ({ hands }) => this.#emit({ type: 'hands', hands }));
    s.on('ice:refresh', ({ iceServers }) => this.#emit({ type: 'ice', iceServers }));
    s.on('link:quality', ({ peerId, quality, lossPct }) => {
      this.mesh.handleLinkQuality(peerId, quality);
      this.#emit({ type: 'quality', peerId, quality, lossPct });
    });
  }

  /** (Re)joins: first join, reconnect after a drop, or after a server restart. */
  async #sendJoin(): Promise<void> {
    const s = this.#signaling;
    if (!s) return;
    const identity = this.#deps.identity.load();
    const ack = await s.request('room:join', { name: this.#name, muted: this.#muted, ...(identity ?? {}) }, 30_000);
    if (s !== this.#signaling) return;
    if (!ack.ok) {
      if (ack.error.code === 'room_full') {
        const capacity = Number(ack.error.details?.capacity);
        this.close('room-full', Number.isInteger(capacity) ? capacity : undefined);
      }
      else if (ack.error.code === 'forbidden' && identity) {
        this.#deps.identity.clear();
        await this.#sendJoin();
      } else if (ack.error.code === 'waiting_for_host') this.#setStatus('knocking');
      else if (ack.error.code === 'room_locked' || ack.error.code === 'rate_limited') this.close('locked-out');
      else if (ack.error.code === 'shutting_down' || ack.error.code === 'internal') {
        setTimeout(() => s === this.#signaling && s.connected && void this.#sendJoin(), 1_000);
      } else this.#setStatus('failed', { message: ack.error.message });
      return;
    }
    this.#applyJoin(ack.data);
  }

  #applyJoin(data: JoinResponse): void {
    this.#deps.identity.save({ participantId: data.self.id, resumeToken: data.resumeToken });
    this.mesh.handleJoined(data.self.id, data.iceServers);
    // Reconcile: links to listed peers stay as they are; a peer missing from the list is gone,
    // unless its link still carries media. After a server restart the others are re-joining
    // too, so such a peer gets a short wait to reappear (participant:joined) before it goes.
    const previous = this.#roster;
    this.#roster = new Map(data.participants.map((p) => [p.id, p]));
    for (const [id, p] of previous) {
      if (this.#roster.has(id)) continue;
      const state = this.mesh.link(id)?.state;
      if (state === 'connected' || state === 'disconnected') this.#awaitReturn(p);
      else this.#drop(id);
    }
    this.mesh.handleRoster([...this.#roster.keys()]);
    const rejoined = this.#self !== null;
    this.#self = data.self;
    // The name the room gave us ("Ann (2)" when another Ann was there first) is the one to ask
    // for again on a re-join, so a reconnect or a server restart does not swap names around.
    this.#name = data.self.name;
    this.#joined = true;
    for (const { to, message } of this.#held.splice(0)) if (this.#roster.has(to)) this.#sendSignal(to, message);
    // Signals in flight when the socket dropped are lost: links that had not settled ask again.
    if (rejoined) this.mesh.resync();
    this.#setStatus('in-room');
    this.#emit({ type: 'joined', self: data.self, screen: data.screen, rejoined, chat: data.chat, hands: data.hands });
    this.#emit({ type: 'host', host: { ...data.host, hostName: null, reason: null } });
    this.#emit({ type: 'roster' });
  }

  #sendSignal(to: string, message: SignalMessage): void {
    // Unacknowledged: signaling is one ordered connection, and what a drop loses is sent again
    // when it comes back (mesh.resync, resyncPeer), never on an ack's word.
    this.#signaling?.send('signal:send', { to, ...message });
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
    this.mesh.handlePeerLeft(id);
    this.#emit({ type: 'roster' });
  }
}
