/** The chat and raised-hand rules of the pure room (SPEC.md C1–C4, Q1–Q3), without sockets or a database. */
import { describe, expect, it } from 'vitest';
import { CHAT_LIMITS, CHAT_TOO_FAST } from '@meshtalk/protocol';
import { Room, type CarriedChat, type RoomEvent } from '../../src/room/Room';
import { HAND_LIMITS, mayLowerHand } from '../../src/room/hands';
import { rowsFor } from '../../src/signaling/event-rows';
import { isSheddable } from '../../src/store/types';

function makeRoom(carriedChat: CarriedChat | null = null) {
  let n = 0;
  const newId = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
  return new Room({ capacity: 10, newId, tokenFor: (id: string) => `token_${id}_`.padEnd(48, 'x'), carriedChat });
}

function joinOk(room: Room, connId: string, name = connId, now = 0, extra: { participantId?: string; resumeToken?: string } = {}) {
  const r = room.join({ connId, name, now, ...extra });
  if (!r.ok) throw new Error(`join failed: ${r.error.code}`);
  return r.data;
}

const of = <T extends RoomEvent['type']>(events: RoomEvent[], type: T) => events.filter((e): e is Extract<RoomEvent, { type: T }> => e.type === type);

describe('chat', () => {
  it('[C1] a member’s message carries its author, name and the server’s time, numbered in the order taken', () => {
    const room = makeRoom();
    const ann = joinOk(room, 'a', 'Ann');
    joinOk(room, 'b', 'Bob');
    const first = room.sendChat('a', 'hello', 1_000);
    const second = room.sendChat('b', 'hi Ann', 1_001);
    expect(first.ok && first.data).toMatchObject({ authorId: ann.self.id, authorName: 'Ann', at: 1_000, text: 'hello' });
    expect([...of(first.events, 'chat_message'), ...of(second.events, 'chat_message')].map((e) => [e.seq, e.message.text])).toEqual([
      [1, 'hello'],
      [2, 'hi Ann'],
    ]);
    // The message ids are fresh, and each message is one row that a full queue never sheds.
    const rows = [...first.events, ...second.events].flatMap((e) => rowsFor(e, () => 'row'));
    expect(rows.map((r) => r.kind)).toEqual(['chat_message', 'chat_message']);
    expect(rows.some(isSheddable)).toBe(false);
    expect(rows[0]).toMatchObject({ kind: 'chat_message', seq: 1, participantId: ann.self.id, name: 'Ann', text: 'hello', at: new Date(1_000) });
  });

  it('[C1] a connection that has not joined cannot send', () => {
    const room = makeRoom();
    joinOk(room, 'a');
    const r = room.sendChat('stranger', 'hello', 0);
    expect(!r.ok && r.error.code).toBe('not_in_room');
    expect(r.events).toEqual([]);
  });

  it('[C2] a burst of five, then about one a second per person; a refused message leaves no trace', () => {
    const room = makeRoom();
    joinOk(room, 'a', 'Ann');
    joinOk(room, 'b', 'Bob');
    const burst = Array.from({ length: CHAT_LIMITS.burst + 2 }, (_, i) => room.sendChat('a', `m${i}`, 10_000));
    expect(burst.map((r) => r.ok)).toEqual([true, true, true, true, true, false, false]);
    const refused = burst.at(-1)!;
    expect(!refused.ok && refused.error).toEqual({ code: 'rate_limited', message: CHAT_TOO_FAST });
    expect(refused.events).toEqual([]);
    // Bob has a budget of his own.
    expect(room.sendChat('b', 'me too', 10_000).ok).toBe(true);
    // A second later Ann may send one more, and only one.
    expect(room.sendChat('a', 'later', 11_000).ok).toBe(true);
    expect(room.sendChat('a', 'again', 11_000).ok).toBe(false);
    const history = joinOk(room, 'c', 'Cid', 11_000).chat.map((m) => m.text);
    expect(history).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'me too', 'later']);
  });

  it('[C2] the budget is the person’s, not the connection’s: a reconnect does not refill it', () => {
    const room = makeRoom();
    const ann = joinOk(room, 'a', 'Ann');
    for (let i = 0; i < CHAT_LIMITS.burst; i++) expect(room.sendChat('a', `m${i}`, 0).ok).toBe(true);
    room.disconnect('a', 0);
    joinOk(room, 'a2', 'Ann', 0, { participantId: ann.self.id, resumeToken: ann.resumeToken });
    expect(room.sendChat('a2', 'more', 0).ok).toBe(false);
  });

  it('[C3] joining and resuming give the current session’s last 200 messages, oldest first', () => {
    const room = makeRoom();
    const ann = joinOk(room, 'a', 'Ann');
    // One message a second stays within the budget.
    for (let i = 0; i < CHAT_LIMITS.historyMax + 20; i++) expect(room.sendChat('a', `m${i}`, i * 1_000).ok).toBe(true);
    const bob = joinOk(room, 'b', 'Bob', 300_000);
    expect(bob.chat).toHaveLength(CHAT_LIMITS.historyMax);
    expect(bob.chat[0]!.text).toBe('m20');
    expect(bob.chat.at(-1)!.text).toBe(`m${CHAT_LIMITS.historyMax + 19}`);
    room.disconnect('a', 300_000);
    const back = joinOk(room, 'a2', 'Ann', 301_000, { participantId: ann.self.id, resumeToken: ann.resumeToken });
    expect(back.chat.map((m) => m.id)).toEqual(bob.chat.map((m) => m.id));
  });

  it('[C3][L1] a session’s chat ends with it: the next session starts empty', () => {
    const room = makeRoom();
    joinOk(room, 'a', 'Ann');
    room.sendChat('a', 'bye', 0);
    room.leave('a', 1);
    expect(joinOk(room, 'b', 'Bob', 2).chat).toEqual([]);
  });

  it('[C4] after a restart the session a returning member opens carries the conversation on', () => {
    const ann = '00000000-0000-4000-8000-00000000a000';
    const carried: CarriedChat = {
      threadId: '00000000-0000-4000-8000-0000000000ff',
      memberIds: [ann],
      messages: [{ id: '00000000-0000-4000-8000-0000000000aa', authorId: ann, authorName: 'Ann', at: 5, text: 'before the restart' }],
      lastSeq: 7,
    };
    const room = makeRoom(carried);
    const back = room.join({ connId: 'a', name: 'Ann', participantId: ann, resumeToken: `token_${ann}_`.padEnd(48, 'x'), now: 10 });
    expect(back.ok && back.data.chat.map((m) => m.text)).toEqual(['before the restart']);
    const opened = of(back.events, 'session_opened')[0]!;
    expect(opened.chatThread).toBe(carried.threadId);
    expect(rowsFor(opened, () => 'x').map((r) => r.kind)).toEqual(['session_open', 'chat_thread']);
    // Numbering goes on from the carried conversation, so the stored thread reads back in order.
    const next = room.sendChat('a', 'after', 11);
    expect(of(next.events, 'chat_message')[0]!.seq).toBe(8);
    expect(joinOk(room, 'c', 'Cid', 12).chat.map((m) => m.text)).toEqual(['before the restart', 'after']);
  });

  it('[C4] a newcomer who opens the first session after a restart does not get someone else’s conversation', () => {
    const carried: CarriedChat = { threadId: 't', memberIds: ['00000000-0000-4000-8000-00000000a000'], messages: [{ id: 'x', authorId: 'y', authorName: 'Ann', at: 1, text: 'private' }], lastSeq: 1 };
    const room = makeRoom(carried);
    const r = room.join({ connId: 'z', name: 'Zed', now: 1 });
    expect(r.ok && r.data.chat).toEqual([]);
    expect(of(r.events, 'session_opened')[0]!.chatThread).toBeUndefined();
    // Offered once: a later session does not pick it up either.
    room.leave('z', 2);
    expect(joinOk(room, 'a', 'Ann', 3).chat).toEqual([]);
  });
});

describe('raised hands', () => {
  function threeMembers() {
    const room = makeRoom();
    const ids = ['a', 'b', 'c'].map((c, i) => joinOk(room, c, ['Ann', 'Bob', 'Cid'][i]!).self.id) as [string, string, string];
    return { room, ids };
  }

  it('[Q1] hands queue in the order they went up; raising again keeps the place; a joiner sees the queue', () => {
    const { room, ids } = threeMembers();
    const bob = room.raiseHand('b', 1);
    expect(bob.ok && bob.data).toEqual([ids[1]]);
    expect(of(bob.events, 'hands_changed')[0]).toMatchObject({ participantId: ids[1], raised: true, hands: [ids[1]] });
    expect(room.raiseHand('c', 2).ok).toBe(true);
    const again = room.raiseHand('b', 3);
    expect(again.ok && again.data).toEqual([ids[1], ids[2]]);
    expect(again.events).toEqual([]);
    expect(joinOk(room, 'd', 'Dee', 4).hands).toEqual([ids[1], ids[2]]);
    expect(rowsFor(of(bob.events, 'hands_changed')[0]!, () => 'e')).toMatchObject([{ kind: 'event', type: 'hand_raised', participantId: ids[1] }]);
  });

  it('[Q1] muting, unmuting and a dropped connection leave the hand up', () => {
    const { room, ids } = threeMembers();
    room.raiseHand('b', 1);
    room.setMuted('b', true, 2);
    room.setMuted('b', false, 3);
    room.disconnect('b', 4);
    expect(joinOk(room, 'd', 'Dee', 5).hands).toEqual([ids[1]]);
  });

  it('[Q2] anyone lowers their own hand and the one behind moves up; someone else’s is forbidden', () => {
    const { room, ids } = threeMembers();
    room.raiseHand('b', 1);
    room.raiseHand('c', 2);
    // Cid is not the host (Ann, the first to join, is).
    const other = room.lowerHand('c', ids[1], 3);
    expect(!other.ok && other.error.code).toBe('forbidden');
    const own = room.lowerHand('b', undefined, 4);
    expect(own.ok && own.data).toEqual([ids[2]]);
    expect(rowsFor(of(own.events, 'hands_changed')[0]!, () => 'e')).toMatchObject([{ type: 'hand_lowered', participantId: ids[1], detail: {} }]);
    // A hand that is not up stays down, without an event.
    const down = room.lowerHand('b', ids[1], 5);
    expect(down.ok && down.events).toEqual([]);
  });

  it('[Q2][A1] the host lowers anyone’s hand; after a hand-over, only the new host does', () => {
    const { room, ids } = threeMembers();
    room.raiseHand('b', 1);
    room.raiseHand('c', 2);
    const byHost = room.lowerHand('a', ids[2], 3);
    expect(byHost.ok && byHost.data).toEqual([ids[1]]);
    expect(of(byHost.events, 'hands_changed')[0]).toMatchObject({ participantId: ids[2], raised: false, by: ids[0] });
    expect(room.host.transfer({ kind: 'member', connId: 'a' }, ids[2]!, 4).ok).toBe(true);
    const byOldHost = room.lowerHand('a', ids[1], 5);
    expect(!byOldHost.ok && byOldHost.error.code).toBe('forbidden');
    const byNewHost = room.lowerHand('c', ids[1], 6);
    expect(byNewHost.ok && byNewHost.data).toEqual([]);
  });

  it('[Q2] the one rule: one’s own hand, or anyone’s with a role that lowers hands', () => {
    expect(mayLowerHand({ id: 'a' }, 'a')).toBe(true);
    expect(mayLowerHand({ id: 'a' }, 'b')).toBe(false);
    expect(mayLowerHand({ id: 'a', lowersAnyHand: true }, 'b')).toBe(true);
  });

  it('[Q3] a member who leaves, or whose grace period ends, takes their hand down with them', () => {
    const { room, ids } = threeMembers();
    room.raiseHand('a', 1);
    room.raiseHand('b', 2);
    room.raiseHand('c', 3);
    const left = room.leave('a', 4);
    const changed = of(left.events, 'hands_changed')[0]!;
    expect(changed).toMatchObject({ participantId: ids[0], raised: false, hands: [ids[1], ids[2]], left: true });
    expect(rowsFor(changed, () => 'e')).toMatchObject([{ type: 'hand_lowered', detail: { reason: 'left' } }]);
    const drop = room.disconnect('b', 5);
    const { dropCount } = drop.ok && drop.data ? drop.data : { dropCount: 0 };
    const expired = room.expire(ids[1], dropCount, 6);
    expect(of(expired.events, 'hands_changed')[0]!.hands).toEqual([ids[2]]);
  });

  it('[Q1] hand changes have a per-person budget too (each one is a stored event)', () => {
    const { room } = threeMembers();
    const results = Array.from({ length: HAND_LIMITS.burst + 1 }, (_, i) => (i % 2 === 0 ? room.raiseHand('a', 0) : room.lowerHand('a', undefined, 0)));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, false]);
    const last = results.at(-1)!;
    expect(!last.ok && last.error.code).toBe('rate_limited');
  });
});
