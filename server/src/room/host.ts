/**
 * The host role, the lock and the door (SPEC.md A1–A6, K1–K5, E1, P1), as the Room keeps them.
 * Pure like the Room: time comes in as an argument, every change goes out as events. The Room
 * hands it a narrow view of itself (RoomAccess) and calls its hooks on join, leave and empty.
 */
import { ErrorCode, HOST_LIMITS, type HostView, type Knock, type Participant } from '@meshtalk/protocol';
import type { Actor, ActorView, ConnId, JoinCommand, JoinResult, LeaveReason, Member, Result, RoomEvent, RoomMemory, RoomOptions } from './types';
import { Door } from './door';
import { done, fail } from './results';

/** The most removed participants whose tokens are remembered as refused (the oldest is forgotten first). */
export const MAX_REMOVED = 1_000;

/** What the host rules may see and do of the Room. */
export interface RoomAccess {
  /** Members in the order they joined. */
  members(): Iterable<Member>;
  member(id: string): Member | undefined;
  memberByConn(connId: ConnId): Member | undefined;
  view(m: Member): Participant;
  sessionId(): string | null;
  /** The member leaves (R5) with this reason. */
  remove(m: Member, reason: LeaveReason, now: number): RoomEvent[];
  setMuted(m: Member, muted: boolean, now: number): RoomEvent[];
  /** Takes a seat: the capacity check and the insert (R1), no lock check. */
  seat(cmd: JoinCommand, joinedAt?: number): Result<JoinResult>;
  /** Everyone leaves with this reason. */
  closeAll(reason: LeaveReason, now: number): RoomEvent[];
}

const ADMIN: ActorView = { id: null, name: null };

export class HostRules {
  #hostId: string | null = null;
  #locked = false;
  /** The host from before a restart, not back yet: seated again as `restored` (P1). */
  #restoredHost = false;
  /** Members from before a restart, not back yet: they come in without knocking, at their old place. */
  readonly #restored = new Map<string, number>();
  readonly #removed = new Set<string>();
  /** Members whose connection was down when they were removed or the call ended, and who did it (bounded like #removed). */
  readonly #away = new Map<string, { reason: 'removed' | 'ended'; by: ActorView }>();
  /** Who waits at the door (door.ts). */
  readonly #door: Door;
  readonly #room: RoomAccess;
  readonly #opts: RoomOptions;

  constructor(opts: RoomOptions, room: RoomAccess) {
    this.#opts = opts;
    this.#room = room;
    this.#door = new Door(() => room.sessionId());
    for (const id of opts.removed ?? []) this.#remember(id);
    const r = opts.restore;
    if (r) {
      this.#hostId = r.hostId;
      this.#restoredHost = r.hostId !== null;
      this.#locked = r.locked;
      for (const m of r.members) this.#restored.set(m.id, m.joinedAt);
    }
  }

  view(): HostView {
    return { hostId: this.#hostId, locked: this.#locked };
  }

  /** The people at the door, oldest first. */
  knocks(): Knock[] {
    return this.#door.list();
  }

  isKnocking(connId: ConnId): boolean {
    return this.#door.byConn(connId) !== undefined;
  }

  /** P1: what a restart needs to bring the room back with the same host and lock. */
  memory(): RoomMemory {
    const members = [...this.#room.members()].map((m) => ({ id: m.id, joinedAt: m.joinedAt }));
    for (const [id, joinedAt] of this.#restored) if (!this.#room.member(id)) members.push({ id, joinedAt });
    return { hostId: this.#hostId, locked: this.#locked, members: members.sort((a, b) => a.joinedAt - b.joinedAt) };
  }

  // -------------------------------------------------------------------------------------------
  // Hooks the Room calls

  /**
   * R3, K2: a join by someone who does not hold a seat. Null lets it go on to take a seat;
   * otherwise the answer: `forbidden` for a removed participant, or a knock at a locked room.
   */
  gate(cmd: JoinCommand): Result<JoinResult> | null {
    const id = cmd.participantId;
    // A6, E1: back from a dropped connection after being removed, or after the call ended: told so, once.
    const away = id === undefined ? undefined : this.#away.get(id);
    if (away) this.#away.delete(id!);
    const notice: RoomEvent[] = away ? [{ type: 'away_notice', sessionId: null, connId: cmd.connId, reason: away.reason, by: away.by, at: cmd.now }] : [];
    if (id !== undefined && this.#removed.has(id)) return fail(ErrorCode.forbidden, 'you were removed from this room; join again without your old identity', undefined, notice);
    if (away) return fail(ErrorCode.not_in_room, 'the call was ended for everyone', undefined, notice);
    if (!this.#locked || (id !== undefined && this.#restored.has(id))) return null;
    const waiting = this.#door.byConn(cmd.connId);
    if (waiting) return this.#waiting(waiting.knock);
    if (this.#door.full) return fail(ErrorCode.room_locked, 'the room is locked and too many people are waiting; try again later');
    if (cmd.mayKnock && !cmd.mayKnock()) return fail(ErrorCode.rate_limited, 'too many knocks from your address; wait a minute');
    const ttl = this.#opts.knockTtlMs ?? HOST_LIMITS.knockTtlMs;
    const knock: Knock = { id: this.#opts.newId(), name: cmd.name, at: cmd.now, expiresAt: cmd.now + ttl };
    this.#door.add(knock, cmd);
    return this.#waiting(knock, [{ type: 'knocked', sessionId: this.#room.sessionId(), knock, connId: cmd.connId, at: cmd.now }]);
  }

  /** Where a restored member sits (their place before the restart), if they are one. */
  restoredJoinedAt(id: string): number | undefined {
    return this.#restored.get(id);
  }

  /** A1: a member took a seat; the first in an empty room is the host, a restored host is host again. */
  seated(m: Member, now: number): RoomEvent[] {
    this.#restored.delete(m.id);
    const sessionId = this.#room.sessionId()!;
    if (this.#hostId === null) {
      this.#hostId = m.id;
      return [this.#changed(sessionId, m, 'first', null, now)];
    }
    if (this.#restoredHost && this.#hostId === m.id) {
      this.#restoredHost = false;
      return [this.#changed(sessionId, m, 'restored', null, now)];
    }
    return [];
  }

  /** A4: a member left; if it was the host, the longest present takes over (not while everyone goes). */
  left(m: Member, reason: LeaveReason, now: number): RoomEvent[] {
    if (m.id !== this.#hostId || reason === 'server_shutdown' || reason === 'ended') return [];
    return this.#succeed(now);
  }

  /** The room emptied (L1): it unlocks, the door's waiting list is answered, nobody is host. */
  emptied(sessionId: string, now: number): RoomEvent[] {
    const events: RoomEvent[] = [];
    this.#hostId = null;
    this.#restoredHost = false;
    this.#restored.clear();
    if (this.#locked) {
      this.#locked = false;
      events.push({ type: 'lock_changed', sessionId, locked: false, by: null, at: now });
    }
    events.push(...this.#door.closeAll('unlocked', null, now));
    return events;
  }

  /** K5: a knocker's connection went away: its knock goes with it. */
  withdraw(connId: ConnId, now: number): RoomEvent[] {
    const k = this.#door.byConn(connId);
    return k ? [this.#door.close(k, 'withdrawn', null, now)] : [];
  }

  // -------------------------------------------------------------------------------------------
  // The host's actions (A2: the host or the admin; anyone else is `forbidden`)

  /** A3. */
  transfer(actor: Actor, targetId: string, now: number): Result<null> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    const t = this.#room.member(targetId);
    if (!t) return fail(ErrorCode.not_in_room, 'that participant is not in the room');
    if (t.id === this.#hostId) return done(null);
    this.#hostId = t.id;
    this.#restoredHost = false;
    return done(null, [this.#changed(this.#room.sessionId()!, t, 'transfer', a.data, now)]);
  }

  /** A5: mutes another member. Nothing unmutes another (M1: only the member themselves). */
  mute(actor: Actor, targetId: string, now: number): Result<null> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    const t = this.#room.member(targetId);
    if (!t) return fail(ErrorCode.not_in_room, 'that participant is not in the room');
    if (t.muted) return done(null);
    const events = this.#room.setMuted(t, true, now);
    events.push({ type: 'muted_by_host', sessionId: this.#room.sessionId()!, participant: this.#room.view(t), by: a.data, at: now });
    return done(null, events);
  }

  /** A6: takes a member out; their resume token is refused from now on (R3). */
  remove(actor: Actor, targetId: string, now: number): Result<null> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    const t = this.#room.member(targetId);
    if (!t) return fail(ErrorCode.not_in_room, 'that participant is not in the room');
    if (t.id === a.data.id) return fail(ErrorCode.forbidden, 'you cannot remove yourself; leave instead');
    this.#remember(t.id);
    if (t.connId === null) this.#noteAway(t.id, 'removed', a.data);
    const removed: RoomEvent = { type: 'removed', sessionId: this.#room.sessionId()!, participant: this.#room.view(t), connId: t.connId, by: a.data, at: now };
    return done(null, [removed, ...this.#room.remove(t, 'kicked', now)]);
  }

  /** K1: locking stops new people walking in; unlocking answers the waiting list (they join again). */
  lock(actor: Actor, locked: boolean, now: number): Result<null> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    if (this.#locked === locked) return done(null);
    const sessionId = this.#room.sessionId();
    if (!sessionId) return fail(ErrorCode.not_in_room, 'nobody is in the room');
    this.#locked = locked;
    const events: RoomEvent[] = [{ type: 'lock_changed', sessionId, locked, by: a.data, at: now }];
    if (!locked) events.push(...this.#door.closeAll('unlocked', a.data, now));
    return done(null, events);
  }

  /** K3: the knocker takes a seat now, if there is one (R1); otherwise the knock keeps waiting. */
  admit(actor: Actor, knockId: string, now: number): Result<Participant> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    const k = this.#door.live(knockId, now);
    if (!k) return fail(ErrorCode.not_in_room, 'that person is no longer waiting');
    const id = k.cmd.participantId;
    // An identity that was removed, or that took a seat some other way meanwhile, is not taken again.
    const fresh = id !== undefined && (this.#removed.has(id) || this.#room.member(id) !== undefined);
    const seated = this.#room.seat({ ...k.cmd, ...(fresh && { participantId: undefined, resumeToken: undefined }), now });
    if (!seated.ok) return seated;
    this.#door.take(knockId);
    const closed: RoomEvent = { type: 'knock_closed', sessionId: this.#room.sessionId(), knock: k.knock, connId: k.cmd.connId, outcome: 'admitted', by: a.data, join: seated.data, at: now };
    return done(seated.data.self, [...seated.events, closed]);
  }

  /** K4. */
  deny(actor: Actor, knockId: string, now: number): Result<null> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    const k = this.#door.live(knockId, now);
    if (!k) return fail(ErrorCode.not_in_room, 'that person is no longer waiting');
    return done(null, [this.#door.close(k, 'denied', a.data, now)]);
  }

  /** E1: everyone leaves (reason `ended`); the session ends; the room is empty and unlocked. */
  end(actor: Actor, now: number): Result<null> {
    const a = this.#authorize(actor);
    if (!a.ok) return a;
    const sessionId = this.#room.sessionId();
    if (!sessionId) return fail(ErrorCode.not_in_room, 'nobody is in the room');
    const connIds = [...this.#room.members()].flatMap((m) => (m.connId === null ? [] : [m.connId]));
    for (const m of this.#room.members()) if (m.connId === null) this.#noteAway(m.id, 'ended', a.data);
    const events: RoomEvent[] = [{ type: 'ended_by_host', sessionId, by: a.data, connIds, at: now }, ...this.#door.closeAll('ended', a.data, now)];
    events.push(...this.#room.closeAll('ended', now));
    return done(null, events);
  }

  /** K5: knocks nobody answered in time close. */
  expireKnocks(now: number): Result<null> {
    return done(null, this.#door.expire(now));
  }

  /**
   * P1: the time for members from before a restart to come back is over. A host who did not
   * come back is succeeded; the others knock like anyone else from now on.
   */
  endRestore(now: number): Result<null> {
    this.#restored.clear();
    this.#restoredHost = false;
    if (this.#hostId === null || this.#room.member(this.#hostId)) return done(null);
    if (!this.#room.sessionId()) {
      this.#hostId = null;
      this.#locked = false;
      return done(null);
    }
    return done(null, this.#succeed(now));
  }

  // -------------------------------------------------------------------------------------------

  #authorize(actor: Actor): Result<ActorView> {
    if (actor.kind === 'admin') return done(ADMIN);
    const m = this.#room.memberByConn(actor.connId);
    if (!m) return fail(ErrorCode.not_in_room, 'join the room first');
    if (m.id !== this.#hostId) return fail(ErrorCode.forbidden, 'only the host can do that');
    return done({ id: m.id, name: m.name });
  }

  /** A4: the longest present member takes over, connected ones first; nobody when the room is empty. */
  #succeed(now: number): RoomEvent[] {
    const all = [...this.#room.members()];
    const next = all.filter((m) => m.connId !== null).sort((a, b) => a.joinedAt - b.joinedAt)[0] ?? all.sort((a, b) => a.joinedAt - b.joinedAt)[0];
    this.#restoredHost = false;
    if (!next) {
      this.#hostId = null;
      return [];
    }
    this.#hostId = next.id;
    return [this.#changed(this.#room.sessionId()!, next, 'succession', null, now)];
  }

  #changed(sessionId: string, m: Member, reason: 'first' | 'transfer' | 'succession' | 'restored', by: ActorView | null, at: number): RoomEvent {
    return { type: 'host_changed', sessionId, hostId: m.id, hostName: m.name, reason, by, at };
  }

  #remember(id: string): void {
    this.#removed.delete(id);
    this.#removed.add(id);
    if (this.#removed.size > MAX_REMOVED) this.#removed.delete(this.#removed.values().next().value!);
  }

  #noteAway(id: string, reason: 'removed' | 'ended', by: ActorView): void {
    this.#away.delete(id);
    this.#away.set(id, { reason, by });
    if (this.#away.size > MAX_REMOVED) this.#away.delete(this.#away.keys().next().value!);
  }

  #waiting(knock: Knock, events: RoomEvent[] = []): Result<JoinResult> {
    return fail(ErrorCode.waiting_for_host, 'the room is locked: waiting for the host to let you in', { knockId: knock.id, expiresAt: knock.expiresAt }, events);
  }
}
