/** The host role, the lock and the door in the pure room (SPEC.md A1–A6, K1–K5, E1, P1). */
import { describe, expect, it } from 'vitest';
import { HOST_LIMITS } from '@meshtalk/protocol';
import { Room, type Actor, type RoomEvent, type RoomOptions } from '../../src/room/Room';
import { MAX_REMOVED } from '../../src/room/host';

const tokenFor = (id: string) => `token_${id}_`.padEnd(48, 'x');

function makeRoom(capacity = 10, extra: Partial<RoomOptions> = {}) {
  let n = 0;
  const hex = () => (++n).toString(16).padStart(12, '0');
  return new Room({ capacity, newId: () => `00000000-0000-4000-8000-${hex()}`, tokenFor, ...extra });
}

const types = (events: RoomEvent[]) => events.map((e) => e.type);
const member = (connId: string): Actor => ({ kind: 'member', connId });
const ADMIN: Actor = { kind: 'admin' };

function joinOk(room: Room, connId: string, name = connId, now = 0) {
  const r = room.join({ connId, name, now });
  if (!r.ok) throw new Error(`join failed: ${r.error.code}`);
  return r.data.self;
}

/** A knock at a locked room: its id. */
function knock(room: Room, connId: string, name = connId, now = 0, extra: { participantId?: string; resumeToken?: string } = {}) {
  const r = room.join({ connId, name, now, ...extra });
  if (r.ok || r.error.code !== 'waiting_for_host') throw new Error(`expected a knock, got ${r.ok ? 'a seat' : r.error.code}`);
  return String(r.error.details?.knockId);
}

/** Ann (host, conn a), Bob (b), Cid (c). */
function threeInRoom(capacity = 10) {
  const room = makeRoom(capacity);
  const ann = joinOk(room, 'a', 'Ann', 0);
  const bob = joinOk(room, 'b', 'Bob', 1);
  const cid = joinOk(room, 'c', 'Cid', 2);
  return { room, ann, bob, cid };
}

describe('roles', () => {
  it('[A1] the first to join an empty room is the host; the join answers say who', () => {
    const room = makeRoom();
    const first = room.join({ connId: 'a', name: 'Ann', now: 0 });
    expect(first.ok && first.data.host).toEqual({ hostId: first.ok ? first.data.self.id : '', locked: false });
    expect(first.events.find((e) => e.type === 'host_changed')).toMatchObject({ reason: 'first', hostName: 'Ann', by: null });
    const second = room.join({ connId: 'b', name: 'Bob', now: 1 });
    expect(second.ok && second.data.host.hostId).toBe(first.ok && first.data.self.id);
    expect(types(second.events)).not.toContain('host_changed');
  });

  it('[A2] a member who is not the host may do none of it: forbidden; a stranger is not_in_room; the admin may', () => {
    const { room, ann, cid } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    const k = knock(room, 'd', 'Dee', 4);
    const tries = [
      (x: Actor) => room.host.transfer(x, cid.id, 5),
      (x: Actor) => room.host.mute(x, ann.id, 5),
      (x: Actor) => room.host.remove(x, ann.id, 5),
      (x: Actor) => room.host.lock(x, false, 5),
      (x: Actor) => room.host.admit(x, k, 5),
      (x: Actor) => room.host.deny(x, k, 5),
      (x: Actor) => room.host.end(x, 5),
    ];
    for (const attempt of tries) {
      const r = attempt(member('b'));
      expect(!r.ok && r.error.code).toBe('forbidden');
      expect(r.events).toEqual([]);
      const s = attempt(member('stranger'));
      expect(!s.ok && s.error.code).toBe('not_in_room');
    }
    expect(room.participants().map((p) => [p.name, p.muted])).toEqual([['Ann', false], ['Bob', false], ['Cid', false]]);
    expect(room.host.view()).toEqual({ hostId: ann.id, locked: true });
    // The admin, who is not a participant, may.
    expect(room.host.mute(ADMIN, ann.id, 6).ok).toBe(true);
    expect(room.host.admit(ADMIN, k, 6).ok).toBe(true);
    expect(room.size).toBe(4);
  });

  it('[A3] the host hands the role on; the old host is a member like any other then', () => {
    const { room, ann, bob, cid } = threeInRoom();
    const r = room.host.transfer(member('a'), bob.id, 3);
    expect(r.events).toEqual([expect.objectContaining({ type: 'host_changed', hostId: bob.id, hostName: 'Bob', reason: 'transfer', by: { id: ann.id, name: 'Ann' } })]);
    expect(room.host.view().hostId).toBe(bob.id);
    expect(!room.host.mute(member('a'), cid.id, 4).ok).toBe(true);
    expect(room.host.mute(member('b'), cid.id, 4).ok).toBe(true);
    expect(!room.host.transfer(member('b'), '99999999-9999-4999-8999-999999999999', 5).ok).toBe(true);
  });

  it('[A4] a dropped host who comes back stays host; a host who leaves is succeeded by the longest present', () => {
    const { room, ann, bob } = threeInRoom();
    const drop = room.disconnect('a', 3);
    expect(types(drop.events)).toEqual(['disconnected']);
    expect(room.host.view().hostId).toBe(ann.id);
    const back = room.join({ connId: 'a2', name: 'Ann', participantId: ann.id, resumeToken: tokenFor(ann.id), now: 4 });
    expect(back.ok && back.data.host.hostId).toBe(ann.id);
    expect(types(back.events)).toEqual(['resumed']);
    const left = room.leave('a2', 5);
    expect(left.events.find((e) => e.type === 'host_changed')).toMatchObject({ hostId: bob.id, reason: 'succession', by: null });
    expect(room.host.view().hostId).toBe(bob.id);
  });

  it('[A4] succession at the end of a grace period, to a connected member before one in grace', () => {
    const { room, ann, bob, cid } = threeInRoom();
    const a = room.disconnect('a', 3);
    room.disconnect('b', 3);
    // Still the host during its grace period.
    expect(room.host.view().hostId).toBe(ann.id);
    const e = room.expire(ann.id, a.ok && a.data ? a.data.dropCount : -1, 30);
    expect(e.events.find((x) => x.type === 'host_changed')).toMatchObject({ hostId: cid.id, reason: 'succession' });
    // Bob, present longer but gone for now, is passed over; with nobody connected, the longest present.
    room.disconnect('c', 31);
    room.leave('zzz', 32);
    const r = room.host.remove(ADMIN, cid.id, 33);
    expect(r.events.find((x) => x.type === 'host_changed')).toMatchObject({ hostId: bob.id });
  });

  it('[A5] the host mutes another; the muted one may unmute, and nothing lets anyone unmute another', () => {
    const { room, ann, bob } = threeInRoom();
    const r = room.host.mute(member('a'), bob.id, 3);
    expect(types(r.events)).toEqual(['muted', 'muted_by_host']);
    expect(r.events[1]).toMatchObject({ participant: { id: bob.id, muted: true }, by: { id: ann.id, name: 'Ann' } });
    expect(room.participants().find((p) => p.id === bob.id)?.muted).toBe(true);
    // Muting the muted again changes nothing.
    expect(room.host.mute(member('a'), bob.id, 4).events).toEqual([]);
    // The host's own mute command acts on the host alone.
    room.setMuted('a', false, 5);
    expect(room.participants().find((p) => p.id === bob.id)?.muted).toBe(true);
    expect(types(room.setMuted('b', false, 6).events)).toEqual(['unmuted']);
    // There is no host command that unmutes.
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(room.host)).filter((n) => /unmute/i.test(n))).toEqual([]);
  });

  it('[A6] the host removes a member: they leave (kicked), their token is refused after, and the host cannot remove itself', () => {
    const { room, ann, cid } = threeInRoom();
    const r = room.host.remove(member('a'), cid.id, 3);
    expect(types(r.events)).toEqual(['removed', 'left']);
    expect(r.events[0]).toMatchObject({ connId: 'c', by: { id: ann.id, name: 'Ann' } });
    expect(r.events[1]).toMatchObject({ reason: 'kicked' });
    const again = room.join({ connId: 'c2', name: 'Cid', participantId: cid.id, resumeToken: tokenFor(cid.id), now: 4 });
    expect(!again.ok && again.error.code).toBe('forbidden');
    // As someone new, while the room is unlocked, anyone may walk in (K1 is the door).
    expect(room.join({ connId: 'c3', name: 'Cid', now: 5 }).ok).toBe(true);
    expect(!room.host.remove(member('a'), ann.id, 6).ok).toBe(true);
    expect(!room.host.remove(member('a'), cid.id, 6).ok).toBe(true);
  });

  it('[A6] the removed are remembered up to MAX_REMOVED: the oldest is forgotten first', () => {
    const room = makeRoom(2);
    joinOk(room, 'host', 'Ann');
    const removed: string[] = [];
    for (let i = 0; i <= MAX_REMOVED; i++) {
      const p = joinOk(room, `c${i}`, 'X', i);
      room.host.remove(member('host'), p.id, i);
      removed.push(p.id);
    }
    const back = (id: string) => room.join({ connId: `again-${id}`, name: 'X', participantId: id, resumeToken: tokenFor(id), now: 1e6 });
    const newest = back(removed.at(-1)!);
    expect(!newest.ok && newest.error.code).toBe('forbidden');
    expect(back(removed[0]!).ok).toBe(true);
  });

  it('[A6] the removed are remembered up to a bound, and passed in after a restart', () => {
    const removedId = '00000000-0000-4000-8000-0000000000ff';
    const room = makeRoom(10, { removed: [removedId] });
    joinOk(room, 'a');
    const r = room.join({ connId: 'x', name: 'X', participantId: removedId, resumeToken: tokenFor(removedId), now: 1 });
    expect(!r.ok && r.error.code).toBe('forbidden');
  });
});

describe('the door', () => {
  it('[K1][K2] a locked room: newcomers knock and the host hears of it; members who drop come back without knocking', () => {
    const { room, ann, bob } = threeInRoom();
    const l = room.host.lock(member('a'), true, 3);
    expect(l.events).toEqual([expect.objectContaining({ type: 'lock_changed', locked: true, by: { id: ann.id, name: 'Ann' } })]);
    expect(room.host.lock(member('a'), true, 3).events).toEqual([]);
    const r = room.join({ connId: 'd', name: 'Dee', now: 4 });
    expect(!r.ok && r.error).toMatchObject({ code: 'waiting_for_host', details: { expiresAt: 4 + HOST_LIMITS.knockTtlMs } });
    expect(types(r.events)).toEqual(['knocked']);
    expect(room.size).toBe(3);
    expect(room.host.knocks()).toEqual([{ id: expect.any(String), name: 'Dee', at: 4, expiresAt: 4 + HOST_LIMITS.knockTtlMs }]);
    expect(room.host.isKnocking('d')).toBe(true);
    // The same connection asking again is the same knock.
    const again = room.join({ connId: 'd', name: 'Dee', now: 5 });
    expect(!again.ok && again.error.details?.knockId).toBe(!r.ok && r.error.details?.knockId);
    expect(room.host.knocks()).toHaveLength(1);
    // Bob's socket drops and he comes back with his token: no knock.
    room.disconnect('b', 6);
    const back = room.join({ connId: 'b2', name: 'Bob', participantId: bob.id, resumeToken: tokenFor(bob.id), now: 7 });
    expect(back.ok && back.data.resumed).toBe(true);
    // Someone who left and comes back with a token is a newcomer to this call: they knock.
    room.leave('b2', 8);
    const returning = room.join({ connId: 'b3', name: 'Bob', participantId: bob.id, resumeToken: tokenFor(bob.id), now: 9 });
    expect(!returning.ok && returning.error.code).toBe('waiting_for_host');
  });

  it('[K1] unlocking answers the waiting list (they join again), and an emptied room unlocks by itself', () => {
    const { room } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    knock(room, 'd', 'Dee', 4);
    const u = room.host.lock(member('a'), false, 5);
    expect(u.events.map((e) => (e.type === 'knock_closed' ? `${e.type}:${e.outcome}` : e.type))).toEqual(['lock_changed', 'knock_closed:unlocked']);
    expect(room.host.knocks()).toEqual([]);
    room.host.lock(member('a'), true, 6);
    knock(room, 'e', 'Eve', 6);
    room.leave('b', 7);
    room.leave('c', 7);
    const last = room.leave('a', 8);
    expect(types(last.events)).toEqual(['left', 'lock_changed', 'knock_closed', 'session_status']);
    expect(room.host.view()).toEqual({ hostId: null, locked: false });
    expect(room.join({ connId: 'e', name: 'Eve', now: 9 }).ok).toBe(true);
  });

  it('[K2] the door is bounded: at most maxKnocks wait (room_locked), and a refused knock budget is rate_limited', () => {
    const { room } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    for (let i = 0; i < HOST_LIMITS.maxKnocks; i++) knock(room, `k${i}`, `K${i}`, 4);
    const full = room.join({ connId: 'late', name: 'Late', now: 5 });
    expect(!full.ok && full.error.code).toBe('room_locked');
    expect(full.events).toEqual([]);
    room.disconnect('k0', 6);
    expect(room.host.knocks()).toHaveLength(HOST_LIMITS.maxKnocks - 1);
    const limited = room.join({ connId: 'late', name: 'Late', now: 7, mayKnock: () => false });
    expect(!limited.ok && limited.error.code).toBe('rate_limited');
    expect(room.host.knocks()).toHaveLength(HOST_LIMITS.maxKnocks - 1);
  });

  it('[K2] a knocker whose connection goes has its knock withdrawn', () => {
    const { room } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    knock(room, 'd', 'Dee', 4);
    const d = room.disconnect('d', 5);
    expect(d.events).toEqual([expect.objectContaining({ type: 'knock_closed', outcome: 'withdrawn' })]);
    expect(room.host.knocks()).toEqual([]);
  });

  it('[K3][R1] an admitted knocker takes a seat; the others are told; capacity still applies', () => {
    const { room, ann } = threeInRoom(4);
    room.host.lock(member('a'), true, 3);
    const k = knock(room, 'd', 'Dee', 4);
    const r = room.host.admit(member('a'), k, 5);
    expect(r.ok && r.data.name).toBe('Dee');
    expect(types(r.events)).toEqual(['joined', 'session_status', 'knock_closed']);
    const closed = r.events.at(-1)!;
    expect(closed).toMatchObject({ outcome: 'admitted', connId: 'd', by: { id: ann.id } });
    expect(closed.type === 'knock_closed' && closed.join?.participants.map((p) => p.name)).toEqual(['Ann', 'Bob', 'Cid']);
    expect(room.memberOf('d')?.name).toBe('Dee');
    // Full now: the next admitted knock has no seat and keeps waiting.
    const e = knock(room, 'e', 'Eve', 6);
    const full = room.host.admit(member('a'), e, 7);
    expect(!full.ok && full.error.code).toBe('room_full');
    expect(room.host.knocks().map((x) => x.name)).toEqual(['Eve']);
  });

  it('[K3][R1] two admits for the last seat: the first takes it, the second is room_full and still waits', () => {
    const { room } = threeInRoom(4);
    room.host.lock(member('a'), true, 3);
    const d = knock(room, 'd', 'Dee', 4);
    const e = knock(room, 'e', 'Eve', 4);
    const first = room.host.admit(member('a'), d, 5);
    const second = room.host.admit(ADMIN, e, 5);
    expect(first.ok).toBe(true);
    expect(!second.ok && second.error.code).toBe('room_full');
    expect(room.size).toBe(4);
    // Admitting the same knock twice seats it once.
    expect(!room.host.admit(member('a'), d, 6).ok).toBe(true);
    expect(room.size).toBe(4);
  });

  it('[K3][A6] a remove during a knock: the freed seat goes to the admitted knocker; the removed one cannot knock back in under their identity', () => {
    const { room, cid } = threeInRoom(3);
    room.host.lock(member('a'), true, 3);
    const d = knock(room, 'd', 'Dee', 4);
    expect(!room.host.admit(member('a'), d, 5).ok).toBe(true);
    room.host.remove(member('a'), cid.id, 6);
    const admitted = room.host.admit(member('a'), d, 7);
    expect(admitted.ok && admitted.data.name).toBe('Dee');
    // Cid comes back with his old identity: refused outright, not even a knock.
    const back = room.join({ connId: 'c2', name: 'Cid', participantId: cid.id, resumeToken: tokenFor(cid.id), now: 8 });
    expect(!back.ok && back.error.code).toBe('forbidden');
    expect(room.host.knocks()).toEqual([]);
    // As someone new, he knocks like anyone; admitted, he gets a new identity.
    const k = knock(room, 'c3', 'Cid', 9);
    room.leave('d', 10);
    const r = room.host.admit(member('a'), k, 11);
    expect(r.ok && r.data.id).not.toBe(cid.id);
  });

  it('[K3][R3] two knocks under one identity: the first admitted takes it, the second is seated as someone new', () => {
    const { room, bob } = threeInRoom();
    room.leave('b', 3);
    room.host.lock(member('a'), true, 4);
    const first = knock(room, 'b2', 'Bob', 5, { participantId: bob.id, resumeToken: tokenFor(bob.id) });
    const second = knock(room, 'b3', 'Bob', 5, { participantId: bob.id, resumeToken: tokenFor(bob.id) });
    const r1 = room.host.admit(member('a'), first, 6);
    const r2 = room.host.admit(member('a'), second, 6);
    expect(r1.ok && r1.data.id).toBe(bob.id);
    expect(r2.ok && r2.data.id).not.toBe(bob.id);
    expect(room.participants().filter((p) => p.id === bob.id)).toHaveLength(1);
  });

  it('[K4] the host denies a knock; it is gone', () => {
    const { room, ann } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    const k = knock(room, 'e', 'Eve', 4);
    const r = room.host.deny(member('a'), k, 5);
    expect(r.events).toEqual([expect.objectContaining({ type: 'knock_closed', outcome: 'denied', connId: 'e', by: { id: ann.id, name: 'Ann' } })]);
    expect(room.host.knocks()).toEqual([]);
    expect(!room.host.admit(member('a'), k, 6).ok).toBe(true);
    expect(room.size).toBe(3);
  });

  it('[K5] a knock expires after two minutes: not before, and it cannot be admitted after', () => {
    const { room } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    const k = knock(room, 'd', 'Dee', 1_000);
    expect(room.host.expireKnocks(1_000 + HOST_LIMITS.knockTtlMs - 1).events).toEqual([]);
    expect(!room.host.admit(member('a'), k, 1_000 + HOST_LIMITS.knockTtlMs).ok).toBe(true);
    const e = room.host.expireKnocks(1_000 + HOST_LIMITS.knockTtlMs);
    expect(e.events).toEqual([expect.objectContaining({ type: 'knock_closed', outcome: 'expired', connId: 'd' })]);
    expect(room.host.knocks()).toEqual([]);
    expect(room.size).toBe(3);
  });
});

describe('ending', () => {
  it('[E1] end for everyone: all leave (ended), the session ends ended_by_host, the room is empty, unlocked, hostless', () => {
    const { room, ann } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    knock(room, 'd', 'Dee', 4);
    room.disconnect('c', 4);
    const r = room.host.end(member('a'), 5);
    expect(r.ok).toBe(true);
    expect(r.events[0]).toMatchObject({ type: 'ended_by_host', by: { id: ann.id, name: 'Ann' }, connIds: ['a', 'b'] });
    const left = r.events.filter((e) => e.type === 'left');
    expect(left.map((e) => e.type === 'left' && e.reason)).toEqual(['ended', 'ended', 'ended']);
    expect(types(r.events)).not.toContain('host_changed');
    expect(r.events.find((e) => e.type === 'knock_closed')).toMatchObject({ outcome: 'ended' });
    expect(r.events.find((e) => e.type === 'session_status')).toMatchObject({ status: 'ended', endReason: 'ended_by_host' });
    expect(room.size).toBe(0);
    expect(room.sessionId).toBeNull();
    expect(room.host.view()).toEqual({ hostId: null, locked: false });
    // The next call starts afresh: the first to join is its host, nobody knocks.
    const next = room.join({ connId: 'd', name: 'Dee', now: 6 });
    expect(next.ok && next.data.host.hostId).toBe(next.ok && next.data.self.id);
  });
});

describe('removed or ended while away', () => {
  it('[A6] a member removed while its connection was down is told so when back (still refused), once', () => {
    const { room, ann, cid } = threeInRoom();
    room.disconnect('c', 3);
    room.host.remove(member('a'), cid.id, 4);
    const back = () => room.join({ connId: 'c2', name: 'Cid', participantId: cid.id, resumeToken: tokenFor(cid.id), now: 5 });
    const first = back();
    expect(!first.ok && first.error.code).toBe('forbidden');
    expect(first.events).toEqual([expect.objectContaining({ type: 'away_notice', reason: 'removed', by: { id: ann.id, name: 'Ann' } })]);
    const second = back();
    expect(!second.ok && second.error.code).toBe('forbidden');
    expect(second.events).toEqual([]);
  });

  it('[E1] a member whose connection was down when the call ended is told so when back, once; then it is a new call', () => {
    const { room, ann, bob } = threeInRoom();
    room.disconnect('b', 3);
    room.host.end(member('a'), 4);
    const back = room.join({ connId: 'b2', name: 'Bob', participantId: bob.id, resumeToken: tokenFor(bob.id), now: 5 });
    expect(!back.ok && back.error.code).toBe('not_in_room');
    expect(back.events).toEqual([expect.objectContaining({ type: 'away_notice', reason: 'ended', connId: 'b2', by: { id: ann.id, name: 'Ann' } })]);
    expect(room.size).toBe(0);
    const again = room.join({ connId: 'b3', name: 'Bob', participantId: bob.id, resumeToken: tokenFor(bob.id), now: 6 });
    expect(again.ok && again.data.host.hostId).toBe(bob.id);
  });
});

describe('restart', () => {
  it('[P1] the memory holds the host, the lock and the members, longest present first', () => {
    const { room, ann, bob, cid } = threeInRoom();
    room.host.lock(member('a'), true, 3);
    room.host.transfer(member('a'), bob.id, 4);
    expect(room.host.memory()).toEqual({
      hostId: bob.id,
      locked: true,
      members: [ann, bob, cid].map((p) => ({ id: p.id, joinedAt: p.joinedAt })),
    });
  });

  it('[P1] after a restart the same host and lock: members come back without knocking, in their old order; a newcomer knocks', () => {
    const ann = '00000000-0000-4000-8000-00000000a001';
    const bob = '00000000-0000-4000-8000-00000000b001';
    const room = makeRoom(10, { restore: { hostId: bob, locked: true, members: [{ id: ann, joinedAt: 10 }, { id: bob, joinedAt: 20 }] } });
    expect(room.host.view()).toEqual({ hostId: bob, locked: true });
    const a = room.join({ connId: 'a', name: 'Ann', participantId: ann, resumeToken: tokenFor(ann), now: 1_000 });
    expect(a.ok && a.data.host).toEqual({ hostId: bob, locked: true });
    expect(a.ok && a.data.self.joinedAt).toBe(10);
    expect(types(a.events)).not.toContain('host_changed');
    const k = room.join({ connId: 'x', name: 'Xu', now: 1_001 });
    expect(!k.ok && k.error.code).toBe('waiting_for_host');
    const b = room.join({ connId: 'b', name: 'Bob', participantId: bob, resumeToken: tokenFor(bob), now: 1_002 });
    expect(b.events.find((e) => e.type === 'host_changed')).toMatchObject({ hostId: bob, reason: 'restored' });
    expect(room.host.mute(member('b'), ann, 1_003).ok).toBe(true);
  });

  it('[P1] a host who does not come back within the grace period is succeeded; the others knock from then on', () => {
    const ann = '00000000-0000-4000-8000-00000000a001';
    const bob = '00000000-0000-4000-8000-00000000b001';
    const cid = '00000000-0000-4000-8000-00000000c001';
    const room = makeRoom(10, { restore: { hostId: bob, locked: true, members: [{ id: ann, joinedAt: 10 }, { id: bob, joinedAt: 20 }, { id: cid, joinedAt: 30 }] } });
    room.join({ connId: 'a', name: 'Ann', participantId: ann, resumeToken: tokenFor(ann), now: 1_000 });
    const r = room.host.endRestore(21_000);
    expect(r.events).toEqual([expect.objectContaining({ type: 'host_changed', hostId: ann, reason: 'succession' })]);
    const late = room.join({ connId: 'c', name: 'Cid', participantId: cid, resumeToken: tokenFor(cid), now: 21_001 });
    expect(!late.ok && late.error.code).toBe('waiting_for_host');
  });

  it('[P1] nobody back within the grace period: the room forgets the host and the lock', () => {
    const room = makeRoom(10, { restore: { hostId: '00000000-0000-4000-8000-00000000b001', locked: true, members: [{ id: '00000000-0000-4000-8000-00000000b001', joinedAt: 1 }] } });
    expect(room.host.endRestore(20_000).events).toEqual([]);
    expect(room.host.view()).toEqual({ hostId: null, locked: false });
    expect(room.join({ connId: 'x', name: 'Xu', now: 20_001 }).ok).toBe(true);
  });
});
