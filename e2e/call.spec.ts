import { expect, test } from '@playwright/test';
import { expectAudioEverywhere, joinRoom, openPages, startRoomServer, stats, type RoomServer } from './fixtures';

let server: RoomServer;
test.beforeAll(async () => {
  server = await startRoomServer();
});
test.afterAll(async () => {
  await server.stop();
});

test('two people hear each other: inbound audio grows both ways', async ({ browser }) => {
  const { context, pages } = await openPages(browser, 2);
  await joinRoom(pages[0]!, server.url, 'Ann');
  await joinRoom(pages[1]!, server.url, 'Bob');
  await expect(pages[0]!.getByTestId('tile')).toHaveText(/Bob/);
  await expect(pages[1]!.getByTestId('tile')).toHaveText(/Ann/);
  await expectAudioEverywhere(pages, 1);
  expect((await stats(pages[0]!)).map((s) => s.state)).toEqual(['connected']);
  await context.close();
});

test('mute shows on the other participant’s tile, and unmute clears it', async ({ browser }) => {
  const { context, pages } = await openPages(browser, 3);
  const [ann, bob, cid] = pages as [typeof pages[0], typeof pages[0], typeof pages[0]];
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');
  await joinRoom(cid, server.url, 'Cid');
  await ann.keyboard.press('m');
  await expect(ann.getByRole('button', { name: 'Unmute' })).toBeVisible();
  for (const other of [bob, cid]) {
    await expect(other.getByTestId('tile').filter({ hasText: 'Ann' }).getByRole('img', { name: 'Muted' })).toBeVisible();
    await expect(other.getByTestId('tile').filter({ hasText: 'Bob' }).getByRole('img', { name: 'Muted' })).toHaveCount(0);
  }
  await ann.getByRole('button', { name: 'Unmute' }).click();
  await expect(bob.getByTestId('tile').filter({ hasText: 'Ann' }).getByRole('img', { name: 'Muted' })).toHaveCount(0);
  await context.close();
});

test('a display name with markup shows literally and runs nothing', async ({ browser }) => {
  const { context, pages } = await openPages(browser, 2);
  let dialogs = 0;
  for (const p of pages) p.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  const evil = '<img src=x onerror=alert(1)>';
  await joinRoom(pages[0]!, server.url, evil);
  await joinRoom(pages[1]!, server.url, 'Bob');
  await expect(pages[1]!.getByTestId('tile').filter({ hasText: evil })).toHaveCount(1);
  await expect(pages[1]!.locator('.tiles img')).toHaveCount(0);
  await pages[1]!.waitForTimeout(500);
  expect(dialogs).toBe(0);
  await context.close();
});
