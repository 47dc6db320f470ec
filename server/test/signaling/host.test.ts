/**
 * The host's events against the real server with real socket.io clients (SPEC.md A1–A6, K1–K5,
 * E1): authorization on the server, rate limits, removal, the door, ending, the admin API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_LIMITS, type Ack, type HostEventName, type JoinResponse } from '@meshtalk/protocol';
import { collect, connected, join, next, sleep, startServer, type TestClient, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

const TOKEN = 'admin-token-for-tests-0123456789';

const host = <E extends HostEventName>(c: TestClient, event: E, payload: Record<string, unknown>) =>
  c.timeout(3_000).emitWithAck(event as 'host:end', payload as never) as Promise<Ack<Record<string, never>>>;

const admin = (action: string, body: unknown, token = TOKEN) =>
  fetch(`${server.url}/api/admin/host/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const ok = (a: Ack<JoinResponse>) => {
  if (!a.ok) throw new Error(`join failed: ${a.error.code}`);
  return a.data;
};

/** Ann (the host), Bob and Cid in the room. */
async function threeInRoom(env: Record<string, string> = {}) {
  server = await startServer(env, { adminToken: TOKEN });
  const [a, b, c] = [server.client(), server.client(), server.client()];
  const ann = ok(await join(a, 'Ann'));
  const bob = ok(await join(b, 'Bob'));
  const cid = ok(await join(c, 'Cid'));
  return { a, b, c, ann, bob, cid };
}

/** A newcomer at a locked room: its connection and the knock id its join answer gave. */
async function knocker(name: string) {
  const s = server.client();
  const r = await join(s, name);
  expect(!r.ok && r.error.code).toBe('waiting_for_host');
  return { s, knockId: String(!r.ok && r.error.details?.knockId) };
}

const eventTypes = () => server.ops.flatMap((o) => (o.kind === 'event' ? [o.type] : []));

describe('host events on the server', () => {
  it('[A1][A2] the first joiner is the host; every host event from a member is forbidden and changes nothing', async () => {
    const { b, ann, bob, cid } = await threeInRoom();
    expect(ann.host).toEqual({ hostId: ann.self.id, locked: false });
    expect(cid.host.hostId).toBe(ann.self.id);
    const attempts: [HostEventName, Record<string, unknown>][] = [
      ['host:transfer', { participantId: cid.self.id }],
      ['host:mute', { participantId: ann.self.id }],
      ['host:remove', { participantId: ann.self.id }],
      ['host:lock', { locked: true }],
      ['host:admit', { knockId: crypto.randomUUID() }],
      ['host:deny', { knockId: crypto.randomUUID() }],
      ['host:end', {}],
    ];
    const rows = server.ops.length;
    for (const [event, payload] of attempts) {
      const r = await host(b, event, payload);
      expect(r.ok ? 'ok' : r.error.code, event).toBe('forbidden');
    }
    expect(server.ops.length).toBe(rows);
    expect(server.app.room.size).toBe(3);
    expect(server.app.room.host.view()).toEqual({ hostId: ann.self.id, locked: false });
    expect(server.app.room.participants().every((p) => !p.muted)).toBe(true);
    // Bad payloads are invalid_payload, as for every event.
    const bad = await host(b, 'host:mute', { participantId: 'bob' });
    expect(!bad.ok && bad.error.code).toBe('invalid_payload');
    // A socket that has not joined is not_in_room.
    const stranger = server.client();
    await connected(stranger);
    const s = await host(stranger, 'host:end', {});
    expect(!s.ok && s.error.code).toBe('not_in_room');
    expect(bob.self.id).not.toBe(ann.self.id);
  });

  it('[A2] a flood of host actions is limited: past the burst they are rate_limited', async () => {
    const { a } = await threeInRoom();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => host(a, 'host:lock', { locked: i % 2 === 0 })));
    const codes = answers.map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(HOST_LIMITS.actionBurst);
    expect(codes.filter((c) => c === 'ok').length).toBeLessThan(HOST_LIMITS.actionBurst + 5);
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThan(30);
    // The socket stays up and the room works.
    expect(a.connected).toBe(true);
    expect(server.app.room.size).toBe(3);
  });

  it('[A3][A4] the host hands the role on, everyone hears it; when the host leaves, the longest present takes over', async () => {
    const { a, b, c, bob, cid } = await threeInRoom();
    const seen = collect(c, 'room:host');
    expect((await host(a, 'host:transfer', { participantId: bob.self.id })).ok).toBe(true);
    await expect.poll(() => seen.at(-1)).toEqual({ hostId: bob.self.id, locked: false, hostName: 'Bob', reason: 'transfer' });
    expect((await host(a, 'host:mute', { participantId: cid.self.id })).ok).toBe(false);
    // A dropped socket is not a leave: Bob stays host through his grace period…
    b.io.engine.close();
    await sleep(200);
    expect(server.app.room.host.view().hostId).toBe(bob.self.id);
    // …and a real leave hands it on.
    const b2 = server.client();
    ok(await join(b2, 'Bob', { participantId: bob.self.id, resumeToken: bob.resumeToken }));
    await b2.timeout(3_000).emitWithAck('room:leave', {});
    await expect.poll(() => seen.at(-1)?.reason).toBe('succession');
    expect(seen.at(-1)?.hostName).toBe('Ann');
    expect(eventTypes().filter((t) => t === 'host_changed')).toHaveLength(3);
  });

  it('[A5] the host mutes Bob: Bob is told who did it, everyone sees him muted, and he can unmute himself', async () => {
    const { a, b, c, bob } = await threeInRoom();
    const notice = next(b, 'host:muted');
    const updated = next(c, 'participant:updated');
    expect((await host(a, 'host:mute', { participantId: bob.self.id })).ok).toBe(true);
    expect(await notice).toEqual({ by: 'Ann' });
    expect(await updated).toMatchObject({ id: bob.self.id, muted: true });
    expect((await b.timeout(3_000).emitWithAck('media:update', { muted: false })).ok).toBe(true);
    expect(server.app.room.participants().find((p) => p.id === bob.self.id)?.muted).toBe(false);
    expect(eventTypes()).toEqual(expect.arrayContaining(['muted', 'muted_by_host', 'unmuted']));
  });

  it('[A6] a removed member is told by whom, closed, and their resume token is refused from then on', async () => {
    const { a, b, c, cid } = await threeInRoom();
    const closed = next(c, 'room:closed');
    const left = next(b, 'participant:left');
    expect((await host(a, 'host:remove', { participantId: cid.self.id })).ok).toBe(true);
    expect(await closed).toEqual({ reason: 'removed', by: 'Ann' });
    expect(await left).toEqual({ id: cid.self.id, reason: 'kicked' });
    await expect.poll(() => c.connected).toBe(false);
    const back = await join(server.client(), 'Cid', { participantId: cid.self.id, resumeToken: cid.resumeToken });
    expect(!back.ok && back.error.code).toBe('forbidden');
    expect(server.app.room.size).toBe(2);
    expect(server.ops).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'participant_removed', participantId: cid.self.id })]));
  });

  it('[K1]–[K4] lock: Dee knocks and waits past the join time-out, Ann admits her into the mesh; Eve knocks, Ann denies', async () => {
    const { a, b, ann } = await threeInRoom({ JOIN_TIMEOUT_MS: '1000' });
    const lockSeen = next(b, 'room:host');
    expect((await host(a, 'host:lock', { locked: true })).ok).toBe(true);
    expect(await lockSeen).toMatchObject({ locked: true, hostId: ann.self.id });
    const list = collect(a, 'knock:list');
    const dee = await knocker('Dee');
    await expect.poll(() => list.at(-1)?.knocks.map((k) => k.name)).toEqual(['Dee']);
    // Waiting is not idling: the join time-out does not close a knocker.
    await sleep(1_500);
    expect(dee.s.connected).toBe(true);
    const answer = next(dee.s, 'knock:answer');
    const joinedSeen = next(b, 'participant:joined');
    expect((await host(a, 'host:admit', { knockId: dee.knockId })).ok).toBe(true);
    const got = await answer;
    if (!got.admitted) throw new Error('not admitted');
    expect(got.join.self.name).toBe('Dee');
    expect(got.join.participants.map((p) => p.name)).toEqual(['Ann', 'Bob', 'Cid']);
    expect(got.join.host).toEqual({ hostId: ann.self.id, locked: true });
    expect((await joinedSeen).name).toBe('Dee');
    // Dee is in the mesh: her signals reach Ann.
    const signal = next(a, 'signal:receive');
    expect((await dee.s.timeout(3_000).emitWithAck('signal:send', { to: ann.self.id, candidate: null })).ok).toBe(true);
    expect((await signal).from).toBe(got.join.self.id);
    await expect.poll(() => list.at(-1)?.knocks).toEqual([]);

    const eve = await knocker('Eve');
    const refused = next(eve.s, 'knock:answer');
    expect((await host(a, 'host:deny', { knockId: eve.knockId })).ok).toBe(true);
    expect(await refused).toEqual({ admitted: false, reason: 'denied' });
    await expect.poll(() => eve.s.connected).toBe(false);
    expect(server.app.room.size).toBe(4);
    // Answering a knock that is gone is not_in_room.
    const stale = await host(a, 'host:admit', { knockId: eve.knockId });
    expect(!stale.ok && stale.error.code).toBe('not_in_room');
    expect(eventTypes()).toEqual(expect.arrayContaining(['locked', 'knocked', 'admitted', 'denied']));
  });

  it('[K2] knocks are rate-limited per address and bounded in number', async () => {
    const { a } = await threeInRoom();
    await host(a, 'host:lock', { locked: true });
    const answers = await Promise.all(Array.from({ length: HOST_LIMITS.knockBurst + 5 }, (_, i) => join(server.client(), `K${i}`)));
    const codes = answers.map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes.filter((c) => c === 'waiting_for_host')).toHaveLength(HOST_LIMITS.knockBurst);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(5);
    expect(server.app.room.host.knocks().length).toBeLessThanOrEqual(HOST_LIMITS.maxKnocks);
  });

  it('[K1] unlocking lets the waiting join again by themselves', async () => {
    const { a } = await threeInRoom();
    await host(a, 'host:lock', { locked: true });
    const dee = await knocker('Dee');
    const answer = next(dee.s, 'knock:answer');
    await host(a, 'host:lock', { locked: false });
    expect(await answer).toEqual({ admitted: false, reason: 'unlocked' });
    expect(ok(await join(server.client(), 'Dee')).self.name).toBe('Dee');
  });

  it('[E1] end for everyone: everyone is told who ended it and closed; the session ends; the room is empty and unlocked', async () => {
    const { a, b, c, bob } = await threeInRoom();
    await host(a, 'host:transfer', { participantId: bob.self.id });
    await host(b, 'host:lock', { locked: true });
    const dee = await knocker('Dee');
    const told = [a, b, c].map((s) => next(s, 'room:closed'));
    const deeTold = next(dee.s, 'knock:answer');
    expect((await host(b, 'host:end', {})).ok).toBe(true);
    for (const t of told) expect(await t).toEqual({ reason: 'ended', by: 'Bob' });
    expect(await deeTold).toEqual({ admitted: false, reason: 'ended' });
    await expect.poll(() => [a, b, c].map((s) => s.connected)).toEqual([false, false, false]);
    expect(server.app.room.size).toBe(0);
    expect(server.app.room.host.view()).toEqual({ hostId: null, locked: false });
    expect(server.ops).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'session_status', status: 'ended', endReason: 'ended_by_host' })]));
    expect(server.ops.filter((o) => o.kind === 'participant_leave').map((o) => o.kind === 'participant_leave' && o.reason)).toEqual(['ended', 'ended', 'ended']);
    expect(eventTypes()).toContain('ended_by_host');
    // The next person in is the host of a new call, without knocking.
    const next1 = ok(await join(server.client(), 'Dee'));
    expect(next1.host).toEqual({ hostId: next1.self.id, locked: false });
  });
});

describe('ending, for someone away', () => {
  it('[E1] Cid, whose connection was down when Ann ended the call, is told who ended it when he is back', async () => {
    const { a, c, cid } = await threeInRoom({ GRACE_MS: '5000' });
    c.io.engine.close();
    await expect.poll(() => server.app.room.participants().find((p) => p.id === cid.self.id)?.connected).toBe(false);
    expect((await host(a, 'host:end', {})).ok).toBe(true);
    const c2 = server.client();
    const told = next(c2, 'room:closed');
    const r = await join(c2, 'Cid', { participantId: cid.self.id, resumeToken: cid.resumeToken });
    expect(!r.ok && r.error.code).toBe('not_in_room');
    expect(await told).toEqual({ reason: 'ended', by: 'Ann' });
    await expect.poll(() => c2.connected).toBe(false);
    expect(server.app.room.size).toBe(0);
  });
});

describe('the admin does what a host does', () => {
  it('[A2] with the admin token, from the admin API; not a participant; without it, 401', async () => {
    const { a, b, c, bob, cid } = await threeInRoom();
    expect((await admin('mute', { participantId: bob.self.id }, 'wrong-token-wrong-token-000000')).status).toBe(401);
    const notice = next(b, 'host:muted');
    const r = await admin('mute', { participantId: bob.self.id });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true });
    expect(await notice).toEqual({ by: null });
    expect(server.app.room.size).toBe(3);
    expect((await admin('lock', { locked: true })).status).toBe(200);
    const live = await (await fetch(`${server.url}/api/admin/live`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(live.host).toMatchObject({ locked: true, knocks: [] });
    const dee = await knocker('Dee');
    await expect
      .poll(async () => (await (await fetch(`${server.url}/api/admin/live`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).host.knocks.length)
      .toBe(1);
    const answer = next(dee.s, 'knock:answer');
    expect((await admin('admit', { knockId: dee.knockId })).status).toBe(200);
    expect((await answer).admitted).toBe(true);
    expect((await admin('transfer', { participantId: cid.self.id })).status).toBe(200);
    const closed = next(c, 'room:closed');
    expect((await admin('remove', { participantId: cid.self.id })).status).toBe(200);
    expect(await closed).toEqual({ reason: 'removed', by: null });
    // The removed host is succeeded by the longest present.
    expect(server.app.room.host.view().hostId).toBe(server.app.room.participants()[0]!.id);
    expect((await admin('remove', { participantId: cid.self.id })).status).toBe(404);
    expect((await admin('mute', { participantId: 'x' })).status).toBe(400);
    expect((await admin('unmute', { participantId: bob.self.id })).status).toBe(404);
    const ended = [a, b].map((s) => next(s, 'room:closed'));
    expect((await admin('end', {})).status).toBe(200);
    for (const e of ended) expect(await e).toEqual({ reason: 'ended', by: null });
    expect(server.app.room.size).toBe(0);
    const rows = server.ops.filter((o) => o.kind === 'event' && ['muted_by_host', 'removed', 'ended_by_host'].includes(o.type));
    expect(rows.every((o) => o.kind === 'event' && o.detail.by === null)).toBe(true);
  });
});
