import { expect, test, type Page } from '@playwright/test';
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

test('without microphone access a person joins listen-only, is told so, and still hears the others', async ({ browser }) => {
  const { context, pages } = await openPages(browser, 2);
  const [ann, lou] = pages as [Page, Page];
  await lou.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await joinRoom(ann, server.url, 'Ann');
  await lou.goto(server.url);
  await expect(lou.getByText('No microphone access. You can still join and listen; others will not hear you.')).toBeVisible();
  await lou.getByLabel('Your name').fill('Lou');
  await lou.getByRole('button', { name: 'Join' }).click();
  await expect(lou.getByText('Listening only: no microphone')).toBeVisible();
  await expect(lou.getByRole('button', { name: 'Mute' })).toBeDisabled();
  await expect(ann.getByTestId('tile').filter({ hasText: 'Lou' })).toHaveCount(1);
  // Lou hears Ann: inbound audio on Lou's side grows.
  await expect.poll(async () => (await stats(lou))[0]?.inboundAudioBytes ?? 0).toBeGreaterThan(0);
  const before = (await stats(lou))[0]!.inboundAudioBytes;
  await expect.poll(async () => (await stats(lou))[0]!.inboundAudioBytes).toBeGreaterThan(before);
  await context.close();
});

test('in a browser that prefers Japanese the room speaks Japanese', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByLabel('あなたの名前').fill('花子');
  await page.getByRole('button', { name: '参加' }).click();
  for (const name of ['ミュート', '画面共有', '退出', 'リンクをコピー']) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  await page.keyboard.press('m');
  await expect(page.getByRole('button', { name: 'ミュート解除' })).toBeVisible();
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page.getByRole('alert')).toHaveText('通話から退出しました。');
  await expect(page.getByRole('button', { name: '参加' })).toBeVisible();
  await context.close();
});

test('Copy link puts the room address on the clipboard and says so', async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  await joinRoom(page, server.url, 'Ann');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${server.url}/`);
  await context.close();
});
