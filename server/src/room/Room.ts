/**
 * The one room, as a pure state machine (rules in SPEC.md). No sockets, timers, clocks or
 * databases: time and fresh ids come in as arguments, and every change comes out as a list of
 * events that the signaling adapter emits and persists.
 */
import { ErrorCode, uniqueName } from '@meshtalk/protocol';
import type { ChatMessage, Participant, ScreenState } from '@meshtalk/protocol';
import { ChatLog } from './chat';
import { HandQueue } from './hands';
import { HostRules } from './host';
import { done, fail } from './results';
import type { ConnId, JoinCommand, JoinResult, LeaveReason, Member, Result, RoomEvent, RoomOptions, SessionStatus } from './types';

export type * from './types';

interface Session {
  id: string;
  status: Exclude<SessionStatus, 'ended'>;
  peak: number;
}

/** Compares two secrets in time independent of where they differ. */
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

export class Room {
  readonly #members = new Map<string, Member>();
  readonly #byConn = new Map<ConnId, string>();
  #screen: { holderId: string; epoch: number } | null = null;
  #epoch = 0;
  #session: Session | null = null;
  readonly #opts: RoomOptions;
  readonly #chat: ChatLog;
  readonly #hands = new HandQueue();
  /** The host role, the lock and the door (host.ts); its actions are `room.host.*`. */
  readonly host: HostRules;

  constructor(opts: RoomOptions) {
    this.#opts = opts;
    this.#chat = new ChatLog(opts.carriedChat ?? null);
    this.host = new HostRules(opts, {
      members: () => this.#members.values(),
      member: (id) => this.#members.get(id),
      memberByConn: (connId) => this.#memberByConn(connId),
      view: (m) => this.#view(m),
      sessionId: () => this.sessionId,
      remove: (m, reason, now) => this.#remove(m, reason, now),
      setMuted: (m, muted, now) => this.#setMuted(m, muted, now),
      seat: (cmd, joinedAt) => this.#seat(cmd, joinedAt),
      closeAll: (reason, now) => this.closeAll(reason, now),
    });
  }

  get size(): number {
    return this.#members.size;
  }

  get sessionId(): string | null {
    return this.#session?.id ?? null;
  }

  /** The participant a connection speaks for, if any. */
  memberOf(connId: ConnId): Participant | null {
    const id = this.#byConn.get(connId);
    const m = id === undefined ? undefined : this.#members.get(id);
    return m ? this.#view(m) : null;
  }

  connOf(participantId: string): ConnId | null {
    return this.#members.get(participantId)?.connId ?? null;
  }

  participants(): Participant[] {
    return [...this.#members.values()].map((m) => this.#view(m));
  }

  screen(): ScreenState {
    const s = this.#screen;
    const holder = s ? this.#members.get(s.holderId) : undefined;
    return s && holder ? { holderId: holder.id, holderName: holder.name, epoch: s.epoch } : null;
  }

  /** R1, R2, R3, N1, L1, K2. */
  join(cmd: JoinCommand): Result<JoinResult> {
    const events: RoomEvent[] = [];
    const boundId = this.#byConn.get(cmd.connId);
    if (boundId !== undefined && cmd.participantId !== undefined && boundId !== cmd.participantId) {
      return fail(ErrorCode.already_joined, 'this connection has already joined as another participant');
    }
    // A repeated join on a connection that already holds a participant (a retried request whose
    // answer was late) is that participant again: the connection itself proves who it is.
    const participantId = boundId ?? cmd.participantId;

    const known = participantId === undefined ? undefined : this.#members.get(participantId);
    if (known) {
      if (boundId === undefined && (cmd.resumeToken === undefined || !sameSecret(cmd.resumeToken, known.token))) {
        return fail(ErrorCode.forbidden, 'wrong resume token for this participant');
      }
      const replaced = known.connId !== null && known.connId !== cmd.connId ? known.connId : null;
      if (known.connId !== null) this.#byConn.delete(known.connId);
      known.connId = cmd.connId;
      known.name = this.#uniqueName(cmd.name, known.id);
      if (cmd.muted !== undefined) known.muted = cmd.muted;
      this.#byConn.set(cmd.connId, known.id);
      const session = this.#session!;
      events.push({ type: 'resumed', sessionId: session.id, participant: this.#view(known), connId: cmd.connId, replacedConnId: replaced, at: cmd.now });
      return done(this.#joinResult(known, true), events);
    }

    // An id the room does not hold (after a restart, or after its member left) is taken only
    // with the token issued for it: nobody picks an identity of their own or another's.
    if (cmd.participantId !== undefined && cmd.resumeToken === undefined) {
      return fail(ErrorCode.forbidden, 'a participant id must come with its resume token');
    }
    if (cmd.participantId !== undefined && !sameSecret(cmd.resumeToken!, this.#opts.tokenFor(cmd.participantId))) {
      return fail(ErrorCode.forbidden, 'this participant id was not issued with that resume token; join without them for a new identity');
    }

    // A removed participant, or a newcomer at a locked room (who knocks instead).
    const gated = this.host.gate(cmd);
    if (gated) return gated;
    return this.#seat(cmd, cmd.participantId === undefined ? undefined : this.host.restoredJoinedAt(cmd.participantId));
  }

  /** R1: a new seat, if there is one; the check and the insert in one synchronous call. */
  #seat(cmd: JoinCommand, joinedAt = cmd.now): Result<JoinResult> {
    const events: RoomEvent[] = [];
    if (this.#members.size >= this.#opts.capacity) {
      const sessionId = this.#session?.id ?? '';
      events.push({ type: 'rejected_full', sessionId, name: cmd.name, at: cmd.now });
      return fail(ErrorCode.room_full, `the room is full (${this.#opts.capacity} people)`, { capacity: this.#opts.capacity }, events);
    }

    const session = this.#openSession(cmd.now, events, cmd.participantId);
    const id = cmd.participantId ?? this.#opts.newId();
    const member: Member = {
      id,
      name: this.#uniqueName(cmd.name, id),
      muted: cmd.muted ?? false,
      joinedAt,
      token: this.#opts.tokenFor(id),
      connId: cmd.connId,
      dropCount: 0,
      stintId: this.#opts.newId(),
    };
    this.#members.set(member.id, member);
    this.#byConn.set(cmd.connId, member.id);
    events.push({ type: 'joined', sessionId: session.id, stintId: member.stintId, participant: this.#view(member), connId: cmd.connId, at: cmd.now });
    events.push(...this.host.seated(member, cmd.now));
    this.#updateStatus(cmd.now, events);
    return done(this.#joinResult(member, false), events);
  }

  /** R4: the connection dropped; the slot is kept until `expire` with the returned dropCount. */
  disconnect(connId: ConnId, now: number): Result<{ participantId: string; dropCount: number } | null> {
    const m = this.#memberByConn(connId);
    if (!m) return done(null, this.host.withdraw(connId, now));
    this.#byConn.delete(connId);
    m.connId = null;
    m.dropCount += 1;
    const event: RoomEvent = { type: 'disconnected', sessionId: this.#session!.id, participant: this.#view(m), dropCount: m.dropCount, at: now };
    return done({ participantId: m.id, dropCount: m.dropCount }, [event]);
  }

  /** R4: the grace period of a given drop ended. Ignored if the participant came back since. */
  expire(participantId: string, dropCount: number, now: number): Result<boolean> {
    const m = this.#members.get(participantId);
    if (!m || m.connId !== null || m.dropCount !== dropCount) return done(false);
    return done(true, this.#remove(m, 'timeout', now));
  }

  /** R5. */
  leave(connId: ConnId, now: number, reason: LeaveReason = 'left'): Result<null> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'not in the room');
    return done(null, this.#remove(m, reason, now));
  }

  /**
   * Everyone leaves: at shutdown (the host and lock stay as they are, for the restart: P1), or
   * when the call is ended for everyone (E1).
   */
  closeAll(reason: LeaveReason, now: number): RoomEvent[] {
    return [...this.#members.values()].flatMap((m) => this.#remove(m, reason, now));
  }

  /** M1. */
  setMuted(connId: ConnId, muted: boolean, now: number): Result<null> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    return done(null, this.#setMuted(m, muted, now));
  }

  #setMuted(m: Member, muted: boolean, now: number): RoomEvent[] {
    if (m.muted === muted) return [];
    m.muted = muted;
    return [{ type: muted ? 'muted' : 'unmuted', sessionId: this.#session!.id, participant: this.#view(m), at: now }];
  }

  /** S1. */
  claimScreen(connId: ConnId, now: number): Result<{ epoch: number }> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    const s = this.#screen;
    if (s && s.holderId === m.id) return done({ epoch: s.epoch });
    if (s) {
      const holder = this.#members.get(s.holderId)!;
      return fail(ErrorCode.screen_busy, `${holder.name} is presenting`, { holderId: holder.id, holderName: holder.name });
    }
    this.#epoch += 1;
    this.#screen = { holderId: m.id, epoch: this.#epoch };
    return done({ epoch: this.#epoch }, [
      { type: 'screen_changed', sessionId: this.#session!.id, screen: this.screen(), participantId: m.id, started: true, at: now },
    ]);
  }

  /** S2. A release naming an older epoch is ignored (`released: false`). */
  releaseScreen(connId: ConnId, epoch: number | undefined, now: number): Result<{ released: boolean }> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    const s = this.#screen;
    if (epoch !== undefined && s && epoch < s.epoch) return done({ released: false });
    if (!s || s.holderId !== m.id) return fail(ErrorCode.not_screen_holder, 'only the presenter can stop the share');
    return done({ released: true }, this.#freeScreen(m.id, now));
  }

  /** G1: who may receive a signal from this connection. */
  route(fromConn: ConnId, to: string): Result<{ from: string; toConn: ConnId }> {
    const from = this.#memberByConn(fromConn);
    if (!from) return fail(ErrorCode.not_in_room, 'join the room first');
    const target = this.#members.get(to);
    if (!target || target.id === from.id || target.connId === null) {
      return fail(ErrorCode.not_in_room, 'that participant is not in the room');
    }
    return done({ from: from.id, toConn: target.connId });
  }

  /** C1, C2: a chat message (its text cleaned by the protocol) to everyone in the room. */
  sendChat(connId: ConnId, text: string, now: number): Result<ChatMessage> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    return this.#chat.post(m, text, this.#session!.id, now, this.#opts.newId);
  }

  /** Q1. */
  raiseHand(connId: ConnId, now: number): Result<string[]> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    return this.#hands.raise(m.id, this.#session!.id, now);
  }

  /** Q2: one's own hand, or, for the host, anyone's. */
  lowerHand(connId: ConnId, targetId: string | undefined, now: number): Result<string[]> {
    const m = this.#memberByConn(connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    const actor = { id: m.id, lowersAnyHand: this.host.view().hostId === m.id };
    return this.#hands.lower(actor, targetId ?? m.id, this.#session!.id, now);
  }

  /** N1: the name, or "name (2)", "name (3)"… when another member goes by it already. */
  #uniqueName(name: string, self: string): string {
    return uniqueName(name, [...this.#members.values()].filter((m) => m.id !== self).map((m) => m.name));
  }

  #memberByConn(connId: ConnId): Member | undefined {
    const id = this.#byConn.get(connId);
    return id === undefined ? undefined : this.#members.get(id);
  }

  #remove(m: Member, reason: LeaveReason, now: number): RoomEvent[] {
    const session = this.#session!;
    const events: RoomEvent[] = [];
    if (this.#screen?.holderId === m.id) events.push(...this.#freeScreen(m.id, now));
    events.push(...this.#hands.drop(m.id, session.id, now));
    this.#chat.forget(m.id);
    this.#members.delete(m.id);
    if (m.connId !== null) this.#byConn.delete(m.connId);
    events.push({ type: 'left', sessionId: session.id, stintId: m.stintId, participant: this.#view(m), reason, at: now });
    events.push(...this.host.left(m, reason, now));
    this.#updateStatus(now, events, reason);
    return events;
  }

  #freeScreen(participantId: string, now: number): RoomEvent[] {
    this.#screen = null;
    return [{ type: 'screen_changed', sessionId: this.#session!.id, screen: null, participantId, started: false, at: now }];
  }

  #openSession(now: number, events: RoomEvent[], openerId: string | undefined): Session {
    if (this.#session) return this.#session;
    this.#session = { id: this.#opts.newId(), status: 'waiting', peak: 0 };
    const chatThread = this.#chat.open(openerId);
    events.push({ type: 'session_opened', sessionId: this.#session.id, ...(chatThread !== null && { chatThread }), at: now });
    return this.#session;
  }

  /** L1: the status follows from how many are present. */
  #updateStatus(now: number, events: RoomEvent[], reason?: LeaveReason): void {
    const s = this.#session;
    if (!s) return;
    const n = this.#members.size;
    const peakBefore = s.peak;
    s.peak = Math.max(s.peak, n);
    const status: SessionStatus = n === 0 ? 'ended' : n === 1 && s.status === 'waiting' ? 'waiting' : 'active';
    // An emptied room unlocks for the next call (but a shutdown keeps the host and lock: P1).
    if (n === 0 && reason !== 'server_shutdown') events.push(...this.host.emptied(s.id, now));
    if (status !== s.status || s.peak !== peakBefore) {
      events.push({ type: 'session_status', sessionId: s.id, status, peak: s.peak, ...(reason === 'ended' && { endReason: 'ended_by_host' }), at: now });
    }
    if (status === 'ended') {
      this.#session = null;
      this.#chat.close();
    }
    else s.status = status;
  }

  #joinResult(m: Member, resumed: boolean): JoinResult {
    return {
      self: this.#view(m),
      resumeToken: m.token,
      participants: [...this.#members.values()].filter((o) => o.id !== m.id).map((o) => this.#view(o)),
      screen: this.screen(),
      resumed,
      host: this.host.view(),
      chat: this.#chat.history(),
      hands: this.#hands.list(),
    };
  }

  #view(m: Member): Participant {
    return { id: m.id, name: m.name, muted: m.muted, joinedAt: m.joinedAt, connected: m.connId !== null };
  }
}
