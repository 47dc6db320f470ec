/**
 * PostgreSQL goes away for a few seconds while people join, mute and leave: the room answers
 * throughout, and after the cut every event is in the database exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOutageRoom, type OutageRoom } from '../support/outage-room';
import { join, sleep } from '../support/server';

let room: OutageRoom;
beforeAll(async () => {
  room = await openOutageRoom();
});
afterAll(async () => {
  await room.close();
});

describe('a PostgreSQL outage', () => {
  it('leaves the room answering, and every event lands once, in order, when the database is back', async () => {
    const { queue, app, url, client } = room;
    const { proxy, store } = room.pg;
    const ann = client();
    const first = await join(ann, 'Ann');
    expect(first.ok).toBe(true);
    expect(await queue.flush(5000)).toBe(true);

    proxy.cut();
    const readyDuringCut = await fetch(`${url}/readyz`);
    const during: boolean[] = [];
    const people = Array.from({ length: 4 }, client);
    for (const [i, c] of people.entries()) during.push((await join(c, `P${i}`)).ok);
    for (const c of people) during.push((await c.timeout(3000).emitWithAck('media:update', { muted: true })).ok);
    during.push((await people[0]!.timeout(3000).emitWithAck('screen:claim', {})).ok);
    during.push((await people[0]!.timeout(3000).emitWithAck('screen:release', {})).ok);
    for (const c of people.slice(0, 2)) during.push((await c.timeout(3000).emitWithAck('room:leave', {})).ok);
    await sleep(2500);
    expect(during.every(Boolean)).toBe(true);
    expect(readyDuringCut.status).toBe(503);
    expect(queue.depth).toBeGreaterThan(0);
    expect(room.retries()).toBeGreaterThan(0);

    proxy.restore();
    expect(await queue.flush(15_000)).toBe(true);

    const sessionId = app.room.sessionId!;
    const events = await store.listEvents(sessionId);
    const kinds = events.map((e) => `${e.type}:${e.participantId === null ? '-' : 'p'}`);
    expect(kinds.filter((k) => k === 'joined:p')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'muted:p')).toHaveLength(4);
    expect(kinds.filter((k) => k.startsWith('screen_'))).toEqual(['screen_started:p', 'screen_ended:p']);
    expect(kinds.filter((k) => k === 'left:p')).toHaveLength(2);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // In order: the database's sequence follows the order things happened.
    const times = events.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const stints = await store.listParticipants(sessionId);
    expect(stints).toHaveLength(5);
    expect(stints.filter((p) => p.leftAt !== null).map((p) => p.leaveReason)).toEqual(['left', 'left']);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    for (const c of [ann, ...people]) c.disconnect();
  });
});
