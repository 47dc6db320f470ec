/**
 * PostgreSQL goes away while people chat: every message still reaches the room live, and once
 * the database is back each one is written exactly once, in the room's order (SPEC.md C1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ChatMessage } from '@meshtalk/protocol';
import { openOutageRoom, type OutageRoom } from '../support/outage-room';
import { collect, join, sleep, type TestClient } from '../support/server';

let room: OutageRoom;
beforeAll(async () => {
  room = await openOutageRoom();
});
afterAll(async () => {
  await room.close();
});

const send = (c: TestClient, text: string) => c.timeout(3000).emitWithAck('chat:send', { text }) as Promise<Ack<ChatMessage>>;

describe('[C1] chat through a PostgreSQL outage', () => {
  it('delivers every message live while the database is cut off, and writes each exactly once when it is back', async () => {
    const { pg, queue, app } = room;
    const [ann, bob, cid] = [room.client(), room.client(), room.client()];
    for (const [c, name] of [[ann, 'Ann'], [bob, 'Bob'], [cid, 'Cid']] as const) expect((await join(c, name)).ok).toBe(true);
    const seenByCid = collect(cid, 'chat:message');
    expect((await send(ann, 'before the cut')).ok).toBe(true);
    expect(await queue.flush(5000)).toBe(true);

    pg.proxy.cut();
    const during: Ack<ChatMessage>[] = [];
    for (let i = 0; i < 4; i++) {
      during.push(...(await Promise.all([send(ann, `ann ${i}`), send(bob, `bob ${i}`)])));
      await sleep(300);
    }
    expect(during.every((r) => r.ok)).toBe(true);
    // Live: Cid saw every message while nothing could be written.
    await expect.poll(() => seenByCid.length).toBe(9);
    expect(queue.depth).toBeGreaterThan(0);
    await expect.poll(() => room.retries()).toBeGreaterThan(0);
    // A late joiner gets the history from the room, not from the unreachable database.
    const late = await join(room.client(), 'Dee');
    expect(late.ok && late.data.chat.map((m) => m.id)).toEqual(seenByCid.map((m) => m.id));

    pg.proxy.restore();
    expect(await queue.flush(15_000)).toBe(true);
    const { rows } = await pg.store.sql.query<{ id: string; seq: number; text: string }>(
      `SELECT id, seq, text FROM chat_messages WHERE session_id = $1 ORDER BY seq`,
      [app.room.sessionId],
    );
    expect(rows.map((r) => r.id)).toEqual(seenByCid.map((m) => m.id));
    expect(rows.map((r) => Number(r.seq))).toEqual(seenByCid.map((_, i) => i + 1));
    const { rows: all } = await pg.store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM chat_messages`);
    expect(Number(all[0]!.n)).toBe(9);
    for (const c of [ann, bob, cid]) c.disconnect();
  });
});
