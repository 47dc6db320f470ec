import { describe, expect, it } from 'vitest';
import { Room, type RoomEvent } from '../../src/room/Room';

function makeRoom(capacity = 10) {
  let n = 0;
  const hex = () => (++n).toString(16).padStart(12, '0');
  return new Room({
    capacity,
    newId: () => `00000000-0000-4000-8000-${hex()}`,
    tokenFor: (id: string) => `token_${id}_`.padEnd(48, 'x'),
  });
}

const types = (events: RoomEvent[]) => events.map((e) => e.type);

function joinOk(room: Room, connId: string, name = connId, now = 0) {
  const r = room.join({ connId, name, now });
  if (!r.ok) throw new Error(`join failed: ${r.error.code}`);
  return r;
}

describe('membership', () => {
  it('[R1] admits exactly capacity participants and refuses the next with room_full', () => {
    const room = makeRoom(10);
    for (let i = 0; i < 10; i++) joinOk(room, `c${i}`);
    const r = room.join({ connId: 'c10', name: 'eleventh', now: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('room_full');
    expect(types(r.events)).toEqual(['rejected_full']);
    expect(room.size).toBe(10);
  });

  it('[R1] counts members in their grace period', () => {
    const room = makeRoom(2);
    joinOk(room, 'a');
    joinOk(room, 'b');
    room.disconnect('b', 1);
    expect(room.join({ connId: 'c', name: 'c', now: 2 }).ok).toBe(false);
  });

  it('[R2] the join result lists everyone else, and others get a joined event', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a', 'Ann');
    expect(a.data.participants).toEqual([]);
    const b = joinOk(room, 'b', 'Bob');
    expect(b.data.participants.map((p) => p.name)).toEqual(['Ann']);
    expect(b.data.self.name).toBe('Bob');
    const joined = b.events.find((e) => e.type === 'joined');
    expect(joined && joined.type === 'joined' && joined.participant.id).toBe(b.data.self.id);
  });

  it('[R3] a reconnect with the token replaces the old connection: same id, no second slot, no leave', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a1', 'Ann');
    joinOk(room, 'b', 'Bob');
    const r = room.join({ connId: 'a2', name: 'Ann', participantId: a.data.self.id, resumeToken: a.data.resumeToken, now: 5 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.resumed).toBe(true);
    expect(r.data.self.id).toBe(a.data.self.id);
    expect(room.size).toBe(2);
    expect(types(r.events)).toEqual(['resumed']);
    const ev = r.events[0];
    expect(ev?.type === 'resumed' && ev.replacedConnId).toBe('a1');
    expect(room.memberOf('a1')).toBeNull();
    expect(room.memberOf('a2')?.id).toBe(a.data.self.id);
  });

  it('[R3] a known id with a wrong token is forbidden', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a1');
    const r = room.join({ connId: 'x', name: 'x', participantId: a.data.self.id, resumeToken: 'y'.repeat(40), now: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('forbidden');
    expect(room.memberOf('a1')?.id).toBe(a.data.self.id);
  });

  it('[R3] an unknown id with the token issued for it is admitted under that id (identity survives a server restart)', () => {
    const room = makeRoom();
    const id = '11111111-1111-4111-8111-111111111111';
    const issued = `token_${id}_`.padEnd(48, 'x');
    const r = room.join({ connId: 'a', name: 'Ann', participantId: id, resumeToken: issued, now: 1 });
    expect(r.ok && r.data.self.id).toBe(id);
    expect(r.ok && r.data.resumeToken).toBe(issued);
  });

  it('[R3] an unknown id with any other token is forbidden, and takes no slot', () => {
    const room = makeRoom();
    const id = '11111111-1111-4111-8111-111111111111';
    const r = room.join({ connId: 'a', name: 'Ann', participantId: id, resumeToken: 'k'.repeat(48), now: 1 });
    expect(!r.ok && r.error.code).toBe('forbidden');
    expect(r.events).toEqual([]);
    expect(room.size).toBe(0);
  });

  it('[R3] an id without a token is forbidden', () => {
    const room = makeRoom();
    const r = room.join({ connId: 'a', name: 'Ann', participantId: '11111111-1111-4111-8111-111111111111', now: 1 });
    expect(!r.ok && r.error.code).toBe('forbidden');
  });

  it('[R3] a repeated join on the same connection is the same participant, never a second slot', () => {
    const room = makeRoom();
    const first = joinOk(room, 'a');
    const again = room.join({ connId: 'a', name: 'again', now: 1 });
    expect(again.ok && again.data.self.id).toBe(first.data.self.id);
    expect(again.ok && again.data.resumed).toBe(true);
    expect(room.size).toBe(1);
  });

  it('[R3] one connection cannot join as a different participant', () => {
    const room = makeRoom();
    joinOk(room, 'a');
    const other = joinOk(room, 'b');
    const r = room.join({ connId: 'a', name: 'x', participantId: other.data.self.id, resumeToken: other.data.resumeToken, now: 1 });
    expect(!r.ok && r.error.code).toBe('already_joined');
    expect(room.size).toBe(2);
  });

  it('[R4] a dropped connection keeps its slot until its grace expires', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a');
    joinOk(room, 'b');
    const d = room.disconnect('a', 10);
    expect(d.ok && d.data?.participantId).toBe(a.data.self.id);
    expect(room.participants().find((p) => p.id === a.data.self.id)?.connected).toBe(false);
    const dropCount = d.ok && d.data ? d.data.dropCount : -1;
    const e = room.expire(a.data.self.id, dropCount, 30);
    expect(e.ok && e.data).toBe(true);
    expect(types(e.events)).toContain('left');
    const left = e.events.find((x) => x.type === 'left');
    expect(left?.type === 'left' && left.reason).toBe('timeout');
    expect(room.size).toBe(1);
  });

  it('[R4] a stale expiry after the participant came back is ignored', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a1');
    const d = room.disconnect('a1', 10);
    const dropCount = d.ok && d.data ? d.data.dropCount : -1;
    room.join({ connId: 'a2', name: 'a', participantId: a.data.self.id, resumeToken: a.data.resumeToken, now: 11 });
    const e = room.expire(a.data.self.id, dropCount, 30);
    expect(e.ok && e.data).toBe(false);
    expect(e.events).toEqual([]);
    expect(room.size).toBe(1);
  });

  it('[R5] leave frees the slot at once', () => {
    const room = makeRoom(1);
    joinOk(room, 'a');
    const r = room.leave('a', 1);
    expect(types(r.events)).toContain('left');
    expect(room.join({ connId: 'b', name: 'b', now: 2 }).ok).toBe(true);
  });
});

describe('screen', () => {
  it('[S1] one holder; another claimant gets screen_busy with the holder name', () => {
    const room = makeRoom();
    joinOk(room, 'a', 'Ann');
    joinOk(room, 'b', 'Bob');
    const c1 = room.claimScreen('a', 1);
    expect(c1.ok).toBe(true);
    expect(room.screen()?.holderName).toBe('Ann');
    const c2 = room.claimScreen('b', 2);
    expect(!c2.ok && c2.error.code).toBe('screen_busy');
    expect(!c2.ok && c2.error.details?.holderName).toBe('Ann');
  });

  it('[S1] a repeated claim by the holder is granted with the same epoch', () => {
    const room = makeRoom();
    joinOk(room, 'a');
    const c1 = room.claimScreen('a', 1);
    const c2 = room.claimScreen('a', 2);
    expect(c1.ok && c2.ok && c1.data.epoch === c2.data.epoch).toBe(true);
    expect(c2.events).toEqual([]);
  });

  it('[S2] only the holder releases', () => {
    const room = makeRoom();
    joinOk(room, 'a');
    joinOk(room, 'b');
    room.claimScreen('a', 1);
    const r = room.releaseScreen('b', undefined, 2);
    expect(!r.ok && r.error.code).toBe('not_screen_holder');
    expect(room.screen()).not.toBeNull();
    const ok = room.releaseScreen('a', undefined, 3);
    expect(ok.ok && ok.data.released).toBe(true);
    expect(room.screen()).toBeNull();
  });

  it('[S2] a release naming an older epoch is ignored', () => {
    const room = makeRoom();
    joinOk(room, 'a');
    const first = room.claimScreen('a', 1);
    room.releaseScreen('a', undefined, 2);
    const second = room.claimScreen('a', 3);
    const oldEpoch = first.ok ? first.data.epoch : -1;
    const stale = room.releaseScreen('a', oldEpoch, 4);
    expect(stale.ok && stale.data.released).toBe(false);
    expect(room.screen()?.epoch).toBe(second.ok ? second.data.epoch : NaN);
  });

  it('[S2] the lock is freed when the holder leaves, and survives the grace period', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a');
    joinOk(room, 'b');
    room.claimScreen('a', 1);
    const d = room.disconnect('a', 2);
    expect(room.screen()?.holderId).toBe(a.data.self.id);
    const e = room.expire(a.data.self.id, d.ok && d.data ? d.data.dropCount : -1, 30);
    // a was the host (A1): b, the one left, takes over (A4).
    expect(types(e.events)).toEqual(['screen_changed', 'left', 'host_changed']);
    expect(room.screen()).toBeNull();
    expect(room.claimScreen('b', 31).ok).toBe(true);
  });
});

describe('signals and mute', () => {
  it('[G1] signals route only between current, connected members; from is the sender', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a');
    const b = joinOk(room, 'b');
    const r = room.route('a', b.data.self.id);
    expect(r.ok && r.data).toEqual({ from: a.data.self.id, toConn: 'b' });
    expect(room.route('stranger', b.data.self.id).ok).toBe(false);
    expect(room.route('a', '99999999-9999-4999-8999-999999999999').ok).toBe(false);
    expect(room.route('a', a.data.self.id).ok).toBe(false);
    room.disconnect('b', 1);
    expect(room.route('a', b.data.self.id).ok).toBe(false);
  });

  it('[M1] mute changes are kept and emitted once', () => {
    const room = makeRoom();
    joinOk(room, 'a');
    const m = room.setMuted('a', true, 1);
    expect(types(m.events)).toEqual(['muted']);
    expect(room.participants()[0]?.muted).toBe(true);
    expect(room.setMuted('a', true, 2).events).toEqual([]);
    expect(types(room.setMuted('a', false, 3).events)).toEqual(['unmuted']);
    expect(!room.setMuted('zzz', true, 4).ok).toBe(true);
  });
});

describe('session', () => {
  it('[L1] waiting with one, active with two, ended when empty; a new join opens a new session', () => {
    const room = makeRoom();
    const a = joinOk(room, 'a');
    expect(types(a.events)).toEqual(['session_opened', 'joined', 'host_changed', 'session_status']);
    const first = room.sessionId;
    const phases: string[] = [];
    const collect = (evs: RoomEvent[]) => evs.forEach((e) => e.type === 'session_status' && phases.push(`${e.status}:${e.peak}`));
    collect(a.events);
    collect(joinOk(room, 'b').events);
    collect(room.leave('b', 1).events);
    collect(room.leave('a', 2).events);
    expect(phases).toEqual(['waiting:1', 'active:2', 'ended:2']);
    expect(room.sessionId).toBeNull();
    joinOk(room, 'c');
    expect(room.sessionId).not.toBe(first);
  });
});
