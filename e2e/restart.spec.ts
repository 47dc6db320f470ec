import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { adminFetch, E2E_ADMIN_TOKEN, expectAudioEverywhere, joinRoom, openPages, openPeople, startRoomServer, stats, type RoomServer } from './fixtures';

type Hook = { __meshtalk: { snapshot(): { status: string; self: { id: string } | null; peers: { id: string; muted: boolean }[] } }; __pcCount: number };

/** Counts RTCPeerConnections a page ever creates: a restart must not add any. */
const countPeerConnections = () => {
  const Native = window.RTCPeerConnection;
  (window as unknown as Hook).__pcCount = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      (window as unknown as Hook).__pcCount += 1;
    }
  } as typeof RTCPeerConnection;
};

const view = (p: Page) =>
  p.evaluate(() => {
    const w = window as unknown as Hook;
    const s = w.__meshtalk.snapshot();
    return { status: s.status, self: s.self?.id ?? '', peers: s.peers.map((x) => ({ id: x.id, muted: x.muted })), created: w.__pcCount };
  });

const tile = (p: Page, name: string) => p.getByTestId('tile').filter({ hasText: name });
const hostBadge = (scope: ReturnType<Page['getByTestId']>) => scope.getByText('Host', { exact: true });

/**
 * Who became host in each session, newest session first, from the admin API: `[reason, name]`
 * per `host_changed` row. It tells a restored host from one who was merely first back.
 */
async function hostRows(): Promise<[unknown, unknown][][]> {
  const get = async (path: string) => {
    const res = await adminFetch(server, path);
    expect(res.status).toBe(200);
    return res.json();
  };
  const { sessions } = (await get('/api/admin/sessions')) as { sessions: { id: string }[] };
  const details = await Promise.all(sessions.map((x) => get(`/api/admin/sessions/${x.id}`) as Promise<{ events: { type: string; detail: Record<string, unknown> }[] }>));
  return details.map((d) => d.events.filter((e) => e.type === 'host_changed').map((e) => [e.detail.reason, e.detail.name]));
}

let server: RoomServer;
let dataDir: string | null = null;
test.afterEach(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
});

test('server restart mid-call (4 people): audio keeps flowing, roster, mute, host and lock come back within 5 s, no ghosts, one connection per pair', async ({ browser }) => {
  test.setTimeout(180_000);
  // The resume key outlives the process, as it does in a deployment (kept in PostgreSQL, or the
  // Secret's SERVER_SECRET). The host and the lock are kept in the database: an embedded one on
  // disk here, which the restarted server opens again.
  dataDir = mkdtempSync(path.join(tmpdir(), 'meshtalk-restart-'));
  server = await startRoomServer({ GRACE_MS: '20000', SERVER_SECRET: randomBytes(16).toString('hex'), DATA_DIR: dataDir, ADMIN_TOKEN: E2E_ADMIN_TOKEN });
  const { context, pages } = await openPages(browser, 4);
  await context.addInitScript(countPeerConnections);
  if (process.env.E2E_DEBUG) pages.forEach((p, i) => p.on('console', (m) => m.type() !== 'log' && console.log(`[${i}] ${m.type()} ${m.text()}`)));
  const names = ['Ann', 'Bob', 'Cid', 'Dee'];
  for (const [i, p] of pages.entries()) await joinRoom(p, server.url, names[i]!);
  await expectAudioEverywhere(pages, 3);
  const bob = pages[1]!;
  await bob.getByRole('button', { name: 'Mute' }).click();
  for (const p of pages.filter((p) => p !== bob)) {
    await expect(p.getByTestId('tile').filter({ hasText: 'Bob' }).getByRole('img', { name: 'Muted' })).toBeVisible();
  }
  // Ann, the first in, is the host; she makes Bob host, and he locks the room. So after the restart
  // neither "the first in" nor "the first back" would give the right host: only the kept one does.
  const ann = pages[0]!;
  await ann.getByRole('button', { name: 'Options for Bob' }).click();
  await ann.getByRole('menuitem', { name: 'Make Bob host' }).click();
  await expect(hostBadge(bob.getByTestId('tile-self'))).toBeVisible();
  await bob.getByRole('button', { name: 'Lock room' }).click();
  await expect(bob.getByRole('button', { name: 'Unlock room' })).toBeVisible();
  for (const p of pages.filter((p) => p !== bob)) await expect(hostBadge(tile(p, 'Bob'))).toBeVisible();
  await expect(ann.getByRole('button', { name: 'Unlock room' })).toHaveCount(0);
  const before = await Promise.all(pages.map(view));
  const ids = before.map((v) => v.self);
  expect(before.map((v) => v.created)).toEqual([3, 3, 3, 3]);

  // The server goes away: everyone sees the banner, and media keeps flowing peer to peer.
  await server.stop();
  for (const p of pages) await expect(p.getByRole('status').filter({ hasText: 'Reconnecting' })).toBeVisible();
  // Bob is muted: his links stay up, his sender sends nothing, everyone else keeps being heard.
  await expectAudioEverywhere(pages, 3, 20_000, [ids[1]!]);
  for (const p of pages) await expect(p.getByRole('status').filter({ hasText: 'Reconnecting' })).toBeVisible();

  // It comes back on the same address with an empty memory and the same key: everyone re-joins with their token.
  await server.restart();
  const restartedAt = Date.now();
  const expected = ids.map((self) => ({
    status: 'in-room',
    self,
    peers: ids.filter((x) => x !== self).map((id) => ({ id, muted: id === ids[1] })).sort((x, y) => x.id.localeCompare(y.id)),
  }));
  await expect
    .poll(
      async () =>
        (await Promise.all(pages.map(view))).map((v) => ({ status: v.status, self: v.self, peers: [...v.peers].sort((x, y) => x.id.localeCompare(y.id)) })),
      { timeout: 5_000, intervals: [100] },
    )
    .toEqual(expected);
  const restoredMs = Date.now() - restartedAt;
  console.log(`roster and mute restored ${restoredMs} ms after the server was back`);

  for (const [i, p] of pages.entries()) {
    await expect(p.getByRole('status').filter({ hasText: 'Reconnecting' })).toHaveCount(0);
    // No ghost tiles: exactly the three others.
    await expect(p.getByTestId('tile')).toHaveCount(3);
    for (const [j, name] of names.entries()) if (j !== i) await expect(p.getByTestId('tile').filter({ hasText: name })).toHaveCount(1);
    if (p !== bob) await expect(p.getByTestId('tile').filter({ hasText: 'Bob' }).getByRole('img', { name: 'Muted' })).toBeVisible();
    // Still exactly one connection per pair: the same ones as before the restart.
    const s = await stats(p);
    expect(s.map((x) => x.peerId).sort()).toEqual(ids.filter((x) => x !== ids[i]).sort());
    expect((await view(p)).created).toBe(3);
  }
  await expectAudioEverywhere(pages, 3, 20_000, [ids[1]!]);

  // The same host and the same lock: Bob's badge everywhere and his controls; Ann, first in and
  // likely first back, has neither; a newcomer knocks, and only Bob hears it.
  await expect(hostBadge(bob.getByTestId('tile-self'))).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Unlock room' })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'End for everyone' })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Options for Ann' })).toBeVisible();
  for (const p of pages.filter((p) => p !== bob)) {
    await expect(hostBadge(tile(p, 'Bob'))).toBeVisible();
    await expect(p.getByRole('button', { name: /^(Lock|Unlock) room$/ })).toHaveCount(0);
    await expect(p.getByRole('button', { name: 'End for everyone' })).toHaveCount(0);
  }
  await expect(hostBadge(ann.getByTestId('tile-self'))).toHaveCount(0);
  for (const p of pages.slice(1)) await expect(hostBadge(tile(p, 'Ann'))).toHaveCount(0);
  // Whoever came back first, the new session's only host row is Bob's, restored from what the
  // last run kept (a server that forgot would make the first back host, reason `first`).
  await expect
    .poll(hostRows, { timeout: 10_000 })
    .toEqual([
      [['restored', 'Bob']],
      [
        ['first', 'Ann'],
        ['transfer', 'Bob'],
      ],
    ]);
  const newcomer = await openPeople(browser, 1);
  const eve = newcomer.pages[0]!;
  await eve.goto(server.url);
  await eve.getByLabel('Your name').fill('Eve');
  await eve.getByRole('button', { name: 'Join' }).click();
  await expect(eve.getByRole('status').filter({ hasText: 'Waiting for the host to let you in' })).toBeVisible();
  await expect(bob.getByRole('group', { name: 'Eve wants to join' })).toBeVisible();
  await expect(ann.getByRole('group', { name: 'Eve wants to join' })).toHaveCount(0);
  await newcomer.close();
  await expect(bob.getByRole('group', { name: 'Eve wants to join' })).toHaveCount(0);

  // Signaling works again end to end: a mute after the restart reaches everyone.
  await pages[0]!.keyboard.press('m');
  for (const p of pages.slice(1)) await expect(p.getByTestId('tile').filter({ hasText: 'Ann' }).getByRole('img', { name: 'Muted' })).toBeVisible();
  await context.close();
});
