/**
 * Chat and raised hands through the real server with real socket.io clients, rows written to a
 * real PostgreSQL through the write queue: validation (V1), the per-person limit (C2), history on
 * join and on resume (C3) and after a restart (C4), the order under concurrent senders (C1), and
 * the hand queue (Q1–Q3).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_LIMITS, CHAT_TOO_FAST, type Ack, type ChatMessage, type JoinResponse } from '@meshtalk/protocol';
import { openStore, type SqlStore } from '../../src/store/index';
import { WriteQueue } from '../../src/store/WriteQueue';
import { MIGRATIONS_DIR } from '../store/contract';
import { withTestDatabase, type TestDatabase } from '../support/postgres';
import { collect, join, next, sleep, startServer, type TestClient, type TestServer } from '../support/server';

let db: TestDatabase;
let store: SqlStore;
let queue: WriteQueue;
let servers: TestServer[] = [];
const identityKey = randomBytes(32).toString('base64url');

beforeAll(async () => {
  db = await withTestDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'unused', migrationsDir: MIGRATIONS_DIR });
  await store.migrate();
  queue = new WriteQueue(store, { initialDelayMs: 50, maxDelayMs: 500 });
}, 120_000);
afterAll(async () => {
  await queue?.stop();
  await store?.close();
  await db?.drop();
});
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

const start = async (deps: Parameters<typeof startServer>[1] = {}) => {
  const s = await startServer({ GRACE_MS: '5000' }, { store, enqueue: (op) => queue.enqueue(op), identityKey, ...deps });
  servers.push(s);
  return s;
};
const send = (c: TestClient, text: unknown) => c.timeout(3000).emitWithAck('chat:send', { text } as never) as Promise<Ack<ChatMessage>>;
const joined = async (c: TestClient, name: string, extra: Record<string, unknown> = {}): Promise<JoinResponse> => {
  const r = await join(c, name, extra);
  if (!r.ok) throw new Error(`join failed: ${r.error.code}`);
  return r.data;
};
const storedTexts = async (sessionId: string) => {
  expect(await queue.flush(10_000)).toBe(true);
  const { rows } = await store.sql.query<{ text: string; seq: number; id: string }>(`SELECT id, seq, text FROM chat_messages WHERE session_id = $1 ORDER BY seq`, [sessionId]);
  return rows;
};

describe('[V1][C1] chat through the server', () => {
  it('refuses empty, oversized and control-character messages with their reason; the others never see them', async () => {
    const server = await start();
    const ann = server.client();
    const bob = server.client();
    await joined(ann, 'Ann');
    await joined(bob, 'Bob');
    const seen = collect(bob, 'chat:message');
    const refusals = await Promise.all(
      ['', '   \n\t ', 'x'.repeat(CHAT_LIMITS.textMaxChars + 1), 'a\u0000b', 'bell\u0007', 'c1\u0085', '\ud800 lone', 42, null].map((t) => send(ann, t)),
    );
    for (const r of refusals) expect(!r.ok && r.error.code).toBe('invalid_payload');
    expect(refusals.map((r) => (!r.ok ? r.error.message : '')).slice(0, 4)).toEqual([
      'text: a message must not be empty',
      'text: a message must not be empty',
      'text: a message is at most 2000 characters',
      'text: a message must not contain control characters (newlines and tabs are fine)',
    ]);
    const extra = await ann.timeout(3000).emitWithAck('chat:send', { text: 'hi', authorId: 'me' } as never);
    expect(!extra.ok && extra.error.code).toBe('invalid_payload');

    // What is allowed: exactly 2,000 characters (counted as characters, not UTF-16 units), NFC, CRLF as a newline, tabs.
    const long = await send(ann, '😀'.repeat(CHAT_LIMITS.textMaxChars));
    expect(long.ok).toBe(true);
    const composed = await send(ann, 'Zoe\u0308\r\nline two\twith a tab <b>bold</b>');
    expect(composed.ok && composed.data.text).toBe('Zoë\nline two\twith a tab <b>bold</b>');
    await expect.poll(() => seen.length).toBe(2);
    await sleep(100);
    expect(seen.map((m) => [...m.text].length)).toEqual([CHAT_LIMITS.textMaxChars, 35]);
    expect(seen[1]).toMatchObject({ authorName: 'Ann', text: 'Zoë\nline two\twith a tab <b>bold</b>' });
    expect(ann.connected && bob.connected).toBe(true);
  });

  it('a connection that has not joined cannot chat or raise a hand', async () => {
    const server = await start();
    const stranger = server.client();
    const r = await send(stranger, 'hello');
    expect(!r.ok && r.error.code).toBe('not_in_room');
    const h = await stranger.timeout(3000).emitWithAck('hand:raise', {});
    expect(!h.ok && h.error.code).toBe('not_in_room');
  });

  it('[C2] per person: a burst of five, then refused with rate_limited and "You are sending messages too fast"', async () => {
    const server = await start();
    const ann = server.client();
    const bob = server.client();
    const a = await joined(ann, 'Ann');
    await joined(bob, 'Bob');
    const seen = collect(bob, 'chat:message');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(ann, `burst ${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(CHAT_LIMITS.burst);
    for (const r of results.filter((x) => !x.ok)) expect(!r.ok && r.error).toEqual({ code: 'rate_limited', message: CHAT_TOO_FAST });
    // Bob's budget is his own.
    expect((await send(bob, 'mine')).ok).toBe(true);
    await expect.poll(() => seen.length).toBe(CHAT_LIMITS.burst + 1);
    await sleep(200);
    expect(seen.filter((m) => m.authorId === a.self.id)).toHaveLength(CHAT_LIMITS.burst);
    // A new connection of the same person does not refill the budget.
    ann.io.engine.close();
    await sleep(100);
    const again = server.client();
    await joined(again, 'Ann', { participantId: a.self.id, resumeToken: a.resumeToken });
    const still = await send(again, 'from a new socket');
    expect(!still.ok && still.error.code).toBe('rate_limited');
    // About a second later one more goes through.
    await sleep(1_100);
    expect((await send(again, 'later')).ok).toBe(true);
    const stored = await storedTexts(server.app.room.sessionId!);
    expect(stored.filter((r) => r.text.startsWith('burst'))).toHaveLength(CHAT_LIMITS.burst);
  });

  it('[C3] a late joiner gets the history; a resume gets it too, with what was said while away', async () => {
    const server = await start();
    const ann = server.client();
    const bob = server.client();
    const a = await joined(ann, 'Ann');
    await joined(bob, 'Bob');
    for (const text of ['one', 'two']) expect((await send(ann, text)).ok).toBe(true);
    const cid = await joined(server.client(), 'Cid');
    expect(cid.chat.map((m) => [m.authorName, m.text])).toEqual([
      ['Ann', 'one'],
      ['Ann', 'two'],
    ]);
    expect(cid.chat.every((m) => m.authorId === a.self.id && typeof m.at === 'number')).toBe(true);

    ann.io.engine.close(); // a network drop: Ann's slot waits for her
    await sleep(100);
    expect((await send(bob, 'while you were away')).ok).toBe(true);
    const back = await joined(server.client(), 'Ann', { participantId: a.self.id, resumeToken: a.resumeToken });
    expect(back.resumed).toBe(true);
    expect(back.chat.map((m) => m.text)).toEqual(['one', 'two', 'while you were away']);
  });

  it('[C1] ordering under concurrency: everyone receives the same order, which is the history’s and the database’s', async () => {
    const server = await start();
    const people = Array.from({ length: 5 }, () => server.client());
    for (const [i, c] of people.entries()) await joined(c, `P${i}`);
    const received = people.map((c) => collect(c, 'chat:message'));
    const acks = await Promise.all(people.flatMap((c, i) => Array.from({ length: 4 }, (_, k) => send(c, `P${i}-${k}`))));
    expect(acks.every((r) => r.ok)).toBe(true);
    await expect.poll(() => received.map((r) => r.length)).toEqual([20, 20, 20, 20, 20]);
    const order = received[0]!.map((m) => m.id);
    for (const r of received) expect(r.map((m) => m.id)).toEqual(order);
    // Each sender's own messages keep the order they were sent in.
    for (let i = 0; i < 5; i++) expect(received[0]!.filter((m) => m.text.startsWith(`P${i}-`)).map((m) => m.text)).toEqual([0, 1, 2, 3].map((k) => `P${i}-${k}`));
    const late = await joined(server.client(), 'Late');
    expect(late.chat.map((m) => m.id)).toEqual(order);
    const stored = await storedTexts(server.app.room.sessionId!);
    expect(stored.map((r) => r.id)).toEqual(order);
    expect(stored.map((r) => Number(r.seq))).toEqual(order.map((_, i) => i + 1));
  });

  it('[C4] after a restart the history is read back from the database, for the returning member and whoever joins after', async () => {
    const first = await start();
    const ann = first.client();
    const bob = first.client();
    const a = await joined(ann, 'Ann');
    const b = await joined(bob, 'Bob');
    for (const [c, text] of [[ann, 'before'], [bob, 'the restart']] as const) expect((await send(c, text)).ok).toBe(true);
    const oldSession = first.app.room.sessionId!;
    await first.close();
    servers = [];
    expect(await queue.flush(10_000)).toBe(true);

    // The next process, as main.ts starts it: read what the restart cut off, then close the rows.
    const carriedChat = await store.chatCarryOver(CHAT_LIMITS.historyMax);
    expect(carriedChat).toMatchObject({ threadId: oldSession, lastSeq: 2 });
    expect([...carriedChat!.memberIds].sort()).toEqual([a.self.id, b.self.id].sort());
    await store.closeOpen('server_restart', new Date());
    const second = await start({ carriedChat });
    const back = await joined(second.client(), 'Ann', { participantId: a.self.id, resumeToken: a.resumeToken });
    expect(back.chat.map((m) => [m.authorName, m.text])).toEqual([
      ['Ann', 'before'],
      ['Bob', 'the restart'],
    ]);
    const newcomer = second.client();
    const cid = await joined(newcomer, 'Cid');
    expect(cid.chat.map((m) => m.text)).toEqual(['before', 'the restart']);
    expect((await send(newcomer, 'after')).ok).toBe(true);

    // A second restart carries the whole conversation on again, in order.
    const newSession = second.app.room.sessionId!;
    expect(newSession).not.toBe(oldSession);
    await second.close();
    servers = [];
    expect(await queue.flush(10_000)).toBe(true);
    const again = await store.chatCarryOver(CHAT_LIMITS.historyMax);
    expect(again?.threadId).toBe(oldSession);
    expect(again?.messages.map((m) => m.text)).toEqual(['before', 'the restart', 'after']);
    // The admin history counts each session's own messages, and never shows their text.
    const sessions = await store.listSessionSummaries(10);
    expect(sessions.find((s) => s.id === oldSession)?.chatMessages).toBe(2);
    expect(sessions.find((s) => s.id === newSession)?.chatMessages).toBe(1);
  });

  it('[C4] a session whose people all left ends its conversation: nothing is carried over', async () => {
    const server = await start();
    const ann = server.client();
    await joined(ann, 'Ann');
    expect((await send(ann, 'bye')).ok).toBe(true);
    await ann.timeout(3000).emitWithAck('room:leave', {});
    expect(await queue.flush(10_000)).toBe(true);
    expect(await store.chatCarryOver(CHAT_LIMITS.historyMax)).toBeNull();
  });
});

describe('[Q1][Q2][Q3] raised hands through the server', () => {
  it('queue in order for everyone; only one’s own hand can be lowered (but by the host); leaving lowers it; each change is a session event', async () => {
    const server = await start();
    const [ann, bob, cid] = [server.client(), server.client(), server.client()];
    await joined(ann, 'Ann');
    const b = await joined(bob, 'Bob');
    const c = await joined(cid, 'Cid');
    const seenByAnn = collect(ann, 'hand:changed');
    expect(await bob.timeout(3000).emitWithAck('hand:raise', {})).toEqual({ ok: true, data: { hands: [b.self.id] } });
    expect(await cid.timeout(3000).emitWithAck('hand:raise', {})).toEqual({ ok: true, data: { hands: [b.self.id, c.self.id] } });
    // Cid is not the host (Ann, the first to join, is): someone else's hand is not his to lower.
    const forbidden = await cid.timeout(3000).emitWithAck('hand:lower', { participantId: b.self.id });
    expect(!forbidden.ok && forbidden.error.code).toBe('forbidden');
    const muted = await bob.timeout(3000).emitWithAck('media:update', { muted: false });
    expect(muted.ok).toBe(true);
    const dee = await joined(server.client(), 'Dee');
    expect(dee.hands).toEqual([b.self.id, c.self.id]);
    const changed = next(ann, 'hand:changed');
    expect(await bob.timeout(3000).emitWithAck('hand:lower', {})).toEqual({ ok: true, data: { hands: [c.self.id] } });
    expect((await changed).hands).toEqual([c.self.id]);
    const gone = next(ann, 'hand:changed');
    await cid.timeout(3000).emitWithAck('room:leave', {});
    expect((await gone).hands).toEqual([]);
    expect(seenByAnn.map((h) => h.hands.length)).toEqual([1, 2, 1, 0]);

    expect(await queue.flush(10_000)).toBe(true);
    const events = (await store.listEvents(server.app.room.sessionId!)).filter((e) => e.type.startsWith('hand_'));
    expect(events.map((e) => [e.type, e.participantId, e.detail])).toEqual([
      ['hand_raised', b.self.id, {}],
      ['hand_raised', c.self.id, {}],
      ['hand_lowered', b.self.id, {}],
      ['hand_lowered', c.self.id, { reason: 'left' }],
    ]);
  });

  it('[Q2] the host lowers someone else’s hand, and the event says who did', async () => {
    const server = await start();
    const [ann, bob] = [server.client(), server.client()];
    const a = await joined(ann, 'Ann');
    const b = await joined(bob, 'Bob');
    expect(a.host.hostId).toBe(a.self.id);
    await bob.timeout(3000).emitWithAck('hand:raise', {});
    const seenByBob = next(bob, 'hand:changed');
    expect(await ann.timeout(3000).emitWithAck('hand:lower', { participantId: b.self.id })).toEqual({ ok: true, data: { hands: [] } });
    expect((await seenByBob).hands).toEqual([]);
    expect(await queue.flush(10_000)).toBe(true);
    const events = (await store.listEvents(server.app.room.sessionId!)).filter((e) => e.type === 'hand_lowered');
    expect(events.map((e) => [e.participantId, e.detail])).toEqual([[b.self.id, { by: a.self.id }]]);
  });
});
