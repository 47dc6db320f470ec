import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { expectAudioEverywhere, joinRoom, openPages, adminRoomServer, E2E_ADMIN_TOKEN } from './fixtures';

const TOKEN = E2E_ADMIN_TOKEN;
const room = adminRoomServer();

/** Kept under test-results/ after the run (and attached to the report) for a human to look at. */
async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** The value of a figure on the admin page: the definition that follows its term. */
const figure = (admin: Page, label: string) =>
  admin.locator('.figure').filter({ has: admin.getByRole('term').getByText(label, { exact: true }) }).getByRole('definition');

test('an admin watches a real 3-person call live, sees a leave without reloading, and finds the session in history', async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const { context, pages } = await openPages(browser, 3);
  const names = ['Ann', 'Bob', 'Cid'];
  for (const [i, p] of pages.entries()) await joinRoom(p, room.current.url, names[i]!);
  await expectAudioEverywhere(pages, 2);

  // A wrong token gets the token form back with the reason, and nothing of the room.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await admin.goto(`${room.current.url}/admin#token=wrong-token-wrong-token`);
  await expect(admin.getByRole('alert')).toHaveText('That token is not valid.');
  await expect(admin.getByRole('table', { name: 'Participants' })).toHaveCount(0);

  // The token leaves the address bar at once (it is kept for the tab only).
  await expect.poll(() => admin.url()).toBe(`${room.current.url}/admin`);
  // The right token pasted into the address bar of the open page (a same-document navigation).
  await admin.goto(`${room.current.url}/admin#token=${TOKEN}`);

  const people = admin.getByRole('table', { name: 'Participants' });
  for (const name of names) await expect(people.getByRole('row').filter({ hasText: name })).toHaveCount(1);
  await expect(figure(admin, 'Participants')).toHaveText('3');

  // Every pair connected, from both ends' reports, with an RTT; all 3 attempts succeeded.
  const matrix = admin.getByRole('table', { name: 'Pair matrix' });
  await expect(figure(admin, 'Connected pairs')).toHaveText('3 of 3', { timeout: 30_000 });
  await expect(matrix.locator('td.pair[data-state="connected"]')).toHaveCount(6);
  await expect(matrix.locator('td.pair')).toHaveCount(6);
  for (const cell of await matrix.locator('td.pair').all()) await expect(cell).toHaveText(/connected\s*\d+(\.\d)? ms/);
  await expect(figure(admin, 'Connection success rate')).toContainText('100 %');
  await expect(figure(admin, 'Connection success rate')).toContainText('3/3 pairs within 10 s');
  await expect(figure(admin, 'Median RTT')).toHaveText(/^\d+(\.\d)? ms/);
  await expect(admin.getByText(/By candidate type: host 100 %/)).toBeVisible();

  await keepScreenshot(admin, testInfo, 'admin-live');

  // Cid leaves: the page follows without a reload.
  await admin.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  await pages[2]!.getByRole('button', { name: 'Leave' }).click();
  await expect(figure(admin, 'Participants')).toHaveText('2');
  await expect(people.getByRole('row').filter({ hasText: 'Cid' })).toHaveCount(0);
  await expect(figure(admin, 'Connected pairs')).toHaveText('1 of 1');
  expect(await admin.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

  // The others leave: the session ends and history lists it, with its timeline.
  for (const p of pages.slice(0, 2)) await p.getByRole('button', { name: 'Leave' }).click();
  await expect(figure(admin, 'Participants')).toHaveText('0');
  await admin.reload();
  const sessions = admin.getByRole('table', { name: 'Sessions' });
  const ended = sessions.getByRole('row').filter({ hasText: 'ended' });
  await expect(ended).toHaveCount(1);
  await expect(ended.getByRole('cell').nth(3)).toHaveText('3');
  await expect(ended.getByRole('cell').nth(4)).toHaveText('100 %');
  await ended.getByRole('button', { name: 'Timeline' }).click();
  const timeline = admin.getByRole('list', { name: 'Timeline' });
  await expect(timeline.getByRole('listitem').filter({ hasText: /connection succeeded: \w+ ↔ \w+ \(host, in [\d.]+ ms\)/ })).toHaveCount(3);
  for (const name of names) {
    await expect(timeline.getByRole('listitem').filter({ hasText: `joined: ${name}` })).toHaveCount(1);
    await expect(timeline.getByRole('listitem').filter({ hasText: `left: ${name}` })).toHaveCount(1);
  }
  await keepScreenshot(admin, testInfo, 'admin-history');
  await adminContext.close();

  // Without a token in the address, the form takes it.
  const formContext = await browser.newContext();
  const form = await formContext.newPage();
  await form.goto(`${room.current.url}/admin`);
  await form.getByLabel('Admin token').fill(TOKEN);
  await form.getByRole('button', { name: 'Open' }).click();
  await expect(form.getByRole('table', { name: 'Sessions' }).getByRole('row').filter({ hasText: 'ended' })).toHaveCount(1);
  await formContext.close();
  await context.close();
});
