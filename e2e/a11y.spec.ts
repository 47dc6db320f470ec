/**
 * Accessibility: axe-core on the lobby, the room in a call (muted, with the Settings dialog open,
 * then with the Chat panel open, empty and with messages), and the admin page during a call. axe's default rule set: every WCAG 2.0 and 2.1 A and
 * AA rule plus its best practices (an empty table header is one of those). Any violation fails,
 * listed by rule and element.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { expectAudioEverywhere, joinRoom, openPeople, adminRoomServer, E2E_ADMIN_TOKEN } from './fixtures';

const TOKEN = E2E_ADMIN_TOKEN;
const room = adminRoomServer();

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('the lobby, the room with Settings open and with Chat open, and /admin have no accessibility violations (WCAG 2.1 AA and axe best practices)', async ({ browser }) => {
  test.setTimeout(180_000);
  const { pages, close } = await openPeople(browser, 3);
  const [ann, bob, admin] = pages as [Page, Page, Page];

  await ann.goto(room.current.url);
  await expect(ann.getByRole('button', { name: 'Join' })).toBeVisible();
  await ann.getByLabel('Your name').fill('Ann');
  await expect(ann.getByRole('button', { name: 'Join' })).toBeEnabled();
  expect(await violations(ann), 'lobby').toEqual([]);

  await ann.getByRole('button', { name: 'Join' }).click();
  await joinRoom(bob, room.current.url, 'Bob');
  await expectAudioEverywhere([ann, bob], 1);
  await ann.keyboard.press('m');
  await expect(ann.getByRole('button', { name: 'Unmute' })).toBeVisible();
  expect(await violations(ann), 'room').toEqual([]);
  await ann.getByRole('button', { name: 'Settings' }).click();
  await expect(ann.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  expect(await violations(ann), 'room with Settings open').toEqual([]);
  await ann.keyboard.press('Escape');
  await expect(ann.getByRole('dialog', { name: 'Settings' })).toHaveCount(0);

  // The Chat panel open: empty first, then with a message each way (one with a link) and Bob's
  // raised hand on his tile.
  const message = (p: Page) => p.getByRole('textbox', { name: 'Message', exact: true });
  await ann.getByRole('button', { name: 'Chat', exact: true }).click();
  await expect(message(ann)).toBeVisible();
  expect(await violations(ann), 'room with Chat open').toEqual([]);
  await bob.getByRole('button', { name: 'Chat', exact: true }).click();
  await message(bob).fill('Agenda: https://example.com/agenda');
  await message(bob).press('Enter');
  await message(ann).fill('Thanks, Bob');
  await message(ann).press('Enter');
  await bob.getByRole('button', { name: 'Raise hand' }).click();
  const log = ann.getByRole('region', { name: 'Chat' }).getByTestId('chat-message');
  await expect(log).toHaveText([/Agenda: https:\/\/example\.com\/agenda/, /Thanks, Bob/]);
  await expect(ann.getByRole('img', { name: 'Hand raised (1 in line)' })).toBeVisible();
  expect(await violations(ann), 'room with Chat open, messages and a raised hand').toEqual([]);

  await admin.goto(`${room.current.url}/admin#token=${TOKEN}`);
  await expect(admin.getByRole('table', { name: 'Pair matrix' })).toBeVisible({ timeout: 30_000 });
  expect(await violations(admin), 'admin').toEqual([]);
  await close();
});
