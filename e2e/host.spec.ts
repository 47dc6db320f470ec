/**
 * The host keeps the room (SPEC.md A1–A6, K1–K5, E1), in Chromium against the real server: Ann
 * hosts Bob and Cid, makes Bob host from his tile menu and gets it back from him, mutes Bob,
 * locks the room, lets Dee in and keeps Eve out, removes Cid, leaves (Bob takes over), an admin
 * mutes Dee from /admin, and Bob ends the call for everyone; the admin timeline tells every step.
 */
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { expectAudioEverywhere, joinRoom, openPeople, selfId, startRoomServer, stats, type RoomServer } from './fixtures';

let server: RoomServer;
test.afterEach(async () => {
  await server?.stop();
});

const tile = (p: Page, name: string) => p.getByTestId('tile').filter({ hasText: name });
const hostBadge = (scope: ReturnType<Page['getByTestId']>) => scope.getByText('Host', { exact: true });

/** A newcomer at the door: the lobby, Join, and the waiting page. */
async function knock(p: Page, name: string) {
  await p.goto(server.url);
  await p.getByLabel('Your name').fill(name);
  await p.getByRole('button', { name: 'Join' }).click();
  await expect(p.getByRole('status').filter({ hasText: 'Waiting for the host to let you in' })).toBeVisible();
}

test('the host hands the role on and gets it back, mutes, locks, admits and denies, removes, hands over by leaving; an admin mutes from /admin; the new host ends it for everyone', async ({ browser }) => {
  test.setTimeout(240_000);
  const adminToken = randomBytes(16).toString('hex');
  server = await startRoomServer({ ADMIN_TOKEN: adminToken });
  const { pages, close } = await openPeople(browser, 5);
  const [ann, bob, cid, dee, eve] = pages as [Page, Page, Page, Page, Page];

  // Ann is first: the host. Everyone sees the badge on her tile.
  await joinRoom(ann, server.url, 'Ann');
  await expect(hostBadge(ann.getByTestId('tile-self'))).toBeVisible();
  await joinRoom(bob, server.url, 'Bob');
  await joinRoom(cid, server.url, 'Cid');
  for (const p of [bob, cid]) await expect(hostBadge(tile(p, 'Ann'))).toBeVisible();
  await expect(hostBadge(bob.getByTestId('tile-self'))).toHaveCount(0);
  // Only the host has the controls.
  await expect(bob.getByRole('button', { name: 'Lock room' })).toHaveCount(0);
  await expect(bob.getByRole('button', { name: 'Options for Cid' })).toHaveCount(0);
  await expectAudioEverywhere([ann, bob, cid], 2);

  // Ann makes Bob host from his tile menu: Bob has the badge and the controls, Ann has neither.
  await ann.getByRole('button', { name: 'Options for Bob' }).click();
  await ann.getByRole('menuitem', { name: 'Make Bob host' }).click();
  await expect(bob.getByRole('alert').filter({ hasText: 'You are now the host' })).toBeVisible();
  await expect(hostBadge(bob.getByTestId('tile-self'))).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Lock room' })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'End for everyone' })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Options for Ann' })).toBeVisible();
  await expect(ann.getByRole('alert').filter({ hasText: 'Bob is now the host' })).toBeVisible();
  for (const p of [ann, cid]) await expect(hostBadge(tile(p, 'Bob'))).toBeVisible();
  await expect(hostBadge(ann.getByTestId('tile-self'))).toHaveCount(0);
  await expect(hostBadge(tile(cid, 'Ann'))).toHaveCount(0);
  await expect(ann.getByRole('button', { name: 'Lock room' })).toHaveCount(0);
  await expect(ann.getByRole('button', { name: 'End for everyone' })).toHaveCount(0);
  await expect(ann.getByRole('button', { name: 'Options for Bob' })).toHaveCount(0);
  // Bob hands it back the same way.
  await bob.getByRole('button', { name: 'Options for Ann' }).click();
  await bob.getByRole('menuitem', { name: 'Make Ann host' }).click();
  await expect(ann.getByRole('alert').filter({ hasText: 'You are now the host' })).toBeVisible();
  await expect(hostBadge(ann.getByTestId('tile-self'))).toBeVisible();
  for (const p of [bob, cid]) await expect(hostBadge(tile(p, 'Ann'))).toBeVisible();
  await expect(hostBadge(bob.getByTestId('tile-self'))).toHaveCount(0);
  await expect(bob.getByRole('button', { name: 'Lock room' })).toHaveCount(0);
  await expect(bob.getByRole('button', { name: 'Options for Ann' })).toHaveCount(0);

  // Ann mutes Bob: Bob's page shows him muted and says who did it; he unmutes himself.
  await ann.getByRole('button', { name: 'Options for Bob' }).click();
  await ann.getByRole('menuitem', { name: 'Mute Bob' }).click();
  await expect(bob.getByRole('alert').filter({ hasText: 'Ann muted you' })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.getByTestId('tile-self').getByRole('img', { name: 'Muted' })).toBeVisible();
  await expect(tile(ann, 'Bob').getByRole('img', { name: 'Muted' })).toBeVisible();
  await bob.getByRole('button', { name: 'Unmute' }).click();
  await expect(tile(ann, 'Bob').getByRole('img', { name: 'Muted' })).toHaveCount(0);
  await expect(bob.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();

  // Ann locks the room. Dee knocks and Ann lets her in: Dee is in the mesh.
  await ann.getByRole('button', { name: 'Lock room' }).click();
  await expect(ann.getByRole('button', { name: 'Unlock room' })).toBeVisible();
  await knock(dee, 'Dee');
  const deeAtDoor = ann.getByRole('group', { name: 'Dee wants to join' });
  await expect(deeAtDoor).toBeVisible();
  await expect(tile(bob, 'Dee')).toHaveCount(0);
  await deeAtDoor.getByRole('button', { name: 'Admit' }).click();
  await expect(dee.getByRole('button', { name: 'Leave' })).toBeVisible();
  await expect(deeAtDoor).toHaveCount(0);
  await expectAudioEverywhere([ann, bob, cid, dee], 3);

  // Eve knocks and Ann says no.
  await knock(eve, 'Eve');
  await ann.getByRole('group', { name: 'Eve wants to join' }).getByRole('button', { name: 'Deny' }).click();
  await expect(eve.getByRole('alert').filter({ hasText: 'The host did not let you in' })).toBeVisible();
  for (const p of [ann, bob, dee]) await expect(tile(p, 'Eve')).toHaveCount(0);

  // Ann removes Cid, after a confirmation: his page says so, his links close everywhere.
  const cidId = await selfId(cid);
  await ann.getByRole('button', { name: 'Options for Cid' }).click();
  await ann.getByRole('menuitem', { name: 'Remove Cid' }).click();
  await ann.getByRole('button', { name: 'Yes, remove Cid' }).click();
  await expect(cid.getByRole('alert').filter({ hasText: 'You were removed from the room by Ann' })).toBeVisible();
  await expect.poll(async () => (await stats(cid)).length).toBe(0);
  for (const p of [ann, bob, dee]) {
    await expect(tile(p, 'Cid')).toHaveCount(0);
    await expect.poll(async () => (await stats(p)).some((s) => s.peerId === cidId)).toBe(false);
  }
  // A reload does not bring him back while the room is locked: his old identity is refused, he knocks as someone new.
  await cid.reload();
  await cid.getByRole('button', { name: 'Join' }).click();
  await expect(cid.getByRole('status').filter({ hasText: 'Waiting for the host to let you in' })).toBeVisible();
  await expect(ann.getByRole('group', { name: 'Cid wants to join' })).toBeVisible();
  for (const p of [ann, bob, dee]) await expect(tile(p, 'Cid')).toHaveCount(0);

  // Ann leaves: Bob, present longest, is the host now, and everyone sees it; the door's list goes to him.
  await ann.getByRole('button', { name: 'Leave' }).click();
  await expect(bob.getByRole('alert').filter({ hasText: 'You are now the host' })).toBeVisible();
  await expect(hostBadge(bob.getByTestId('tile-self'))).toBeVisible();
  await expect(dee.getByRole('alert').filter({ hasText: 'Bob is now the host' })).toBeVisible();
  await expect(hostBadge(tile(dee, 'Bob'))).toBeVisible();
  await expect(bob.getByRole('group', { name: 'Cid wants to join' })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Unlock room' })).toBeVisible();

  // The admin, who is not in the call, does what a host does from /admin: mutes Dee.
  await eve.goto(`${server.url}/admin#token=${adminToken}`);
  await eve.getByRole('button', { name: 'Mute Dee' }).click();
  await expect(dee.getByRole('alert').filter({ hasText: 'An admin muted you' })).toBeVisible();
  await expect(tile(bob, 'Dee').getByRole('img', { name: 'Muted' })).toBeVisible();
  await expect(eve.getByRole('table', { name: 'Participants' }).getByRole('row')).toHaveCount(3);

  // Bob ends the call for everyone, after a confirmation.
  await bob.getByRole('button', { name: 'End for everyone' }).click();
  await bob.getByRole('button', { name: 'Yes, end for everyone' }).click();
  for (const p of [bob, dee]) await expect(p.getByRole('alert').filter({ hasText: 'Bob ended the call' })).toBeVisible();
  await expect(cid.getByRole('alert').filter({ hasText: 'The call ended.' })).toBeVisible();
  for (const p of [bob, dee]) await expect.poll(async () => (await stats(p)).length).toBe(0);

  // The admin timeline tells every step, in words; the session is ended by the host.
  const sessions = eve.getByRole('table', { name: 'Sessions' });
  await expect(sessions.getByRole('row').nth(1)).toContainText('ended (ended_by_host)', { timeout: 30_000 });
  await sessions.getByRole('row').nth(1).getByRole('button', { name: 'Timeline' }).click();
  const timeline = eve.getByRole('list', { name: 'Timeline' });
  const steps = [
    'Ann is the host (first to join)',
    'Ann made Bob host',
    'Bob made Ann host',
    'Ann muted Bob',
    'Ann locked the room',
    'Dee knocked',
    'Ann let Dee in',
    'Eve knocked',
    'Ann did not let Eve in',
    'Ann removed Cid',
    'Cid knocked',
    'Bob became host (the host left)',
    'The admin muted Dee',
    'Bob ended the call for everyone',
    // The call ended with the room locked: emptied, it unlocked itself.
    'The room unlocked (everyone left)',
  ];
  for (const step of steps) await expect(timeline.getByText(step, { exact: false })).toHaveCount(1);
  // In that order.
  const lines = await timeline.getByRole('listitem').allInnerTexts();
  const at = steps.map((s) => lines.findIndex((l) => l.includes(s)));
  expect(at).toEqual([...at].sort((x, y) => x - y));
  await close();
});
