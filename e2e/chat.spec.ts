/**
 * Chat and raised hands in Chromium, one browser context per person: a message reaches the
 * others with its author, a late joiner sees the history, markup stays text, links open in a new
 * tab, the unread count shows while the panel is closed, a refresh gets the history back, refused messages stay in the box with
 * their reason, and the hand queue is numbered the same on every page.
 */
import { expect, test, type Page } from '@playwright/test';
import { joinRoom, openPeople, startRoomServer, type RoomServer } from './fixtures';

let server: RoomServer;
test.beforeAll(async () => {
  server = await startRoomServer();
});
test.afterAll(async () => {
  await server.stop();
});

const chatButton = (p: Page) => p.getByRole('button', { name: 'Chat', exact: true });
const box = (p: Page) => p.getByRole('textbox', { name: 'Message', exact: true });
const messages = (p: Page) => p.getByRole('region', { name: 'Chat' }).getByTestId('chat-message');
const openChat = async (p: Page) => {
  if ((await chatButton(p).getAttribute('aria-expanded')) !== 'true') await chatButton(p).click();
  await expect(box(p)).toBeVisible();
};
const write = async (p: Page, text: string) => {
  await box(p).fill(text);
  await box(p).press('Enter');
};
const tile = (p: Page, name: string) => p.locator('[data-testid="tile"], [data-testid="tile-self"]').filter({ hasText: name });
const hand = (p: Page, name: string) => tile(p, name).locator('.hand-badge');

test('chat: Ann writes, Bob sees it with her name and an unread count; markup is text, links open a new tab; Cid joining later, and Bob after a refresh, see it all', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 3);
  const [ann, bob, cid] = pages as [Page, Page, Page];
  let dialogs = 0;
  for (const p of pages) {
    p.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
  }
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');

  await openChat(ann);
  await write(ann, 'Hello Bob');
  await expect(box(ann)).toHaveValue('');
  await expect(messages(ann)).toHaveCount(1);

  // Bob's panel is closed: the button keeps its name and shows one unread message; the live region reads it out.
  await expect(bob.getByTestId('chat-unread')).toHaveText(/^1/);
  await expect(bob.getByTestId('chat-announcer')).toHaveText('Ann: Hello Bob');
  await expect(bob.getByTestId('chat-announcer')).toHaveAttribute('aria-live', 'polite');
  await openChat(bob);
  await expect(bob.getByTestId('chat-unread')).toHaveCount(0);
  await expect(messages(bob).first()).toContainText('Ann');
  await expect(messages(bob).first()).toContainText('Hello Bob');
  await expect(messages(bob).first().locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);

  // Shift+Enter is a new line, Enter sends.
  await box(ann).fill('line one');
  await box(ann).press('Shift+Enter');
  await box(ann).pressSequentially('line two');
  await expect(box(ann)).toHaveValue('line one\nline two');
  await box(ann).press('Enter');
  await expect(messages(bob).nth(1).locator('.text')).toHaveText('line one\nline two');

  // Markup shows as text and runs nothing.
  const evil = '<img src=x onerror="window.__pwned=1;alert(1)">';
  await write(ann, evil);
  await expect(messages(bob).nth(2).locator('.text')).toHaveText(evil);
  await expect(bob.getByRole('region', { name: 'Chat' }).locator('img')).toHaveCount(0);

  // A link opens in a new tab, without a way back to the page.
  const target = `${server.url}/healthz`;
  await write(ann, `status page: ${target}.`);
  const link = bob.getByRole('link', { name: target });
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  const opened = bob.context().waitForEvent('page');
  await link.click();
  const tab = await opened;
  await tab.waitForLoadState();
  expect(tab.url()).toBe(target);
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  await tab.close();
  await bob.waitForTimeout(300);
  expect(dialogs).toBe(0);
  expect(await bob.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Cid joins later and sees the conversation, with its authors.
  await joinRoom(cid, server.url, 'Cid');
  await openChat(cid);
  await expect(messages(cid)).toHaveCount(4);
  await expect(messages(cid).first()).toContainText('Ann');
  await expect(messages(cid).first()).toContainText('Hello Bob');
  await expect(messages(cid).nth(2).locator('.text')).toHaveText(evil);
  await expect(cid.getByRole('region', { name: 'Chat' }).locator('img')).toHaveCount(0);
  expect(await cid.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Bob refreshes the page and joins again: the history is back.
  await bob.reload();
  await joinRoom(bob, server.url, 'Bob');
  await openChat(bob);
  await expect(messages(bob)).toHaveCount(4);
  await expect(messages(bob).nth(1).locator('.text')).toHaveText('line one\nline two');
  expect(dialogs).toBe(0);
  await close();
});

test('chat: a refused message stays in the box with its reason, and nobody else sees it', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 2);
  const [ann, bob] = pages as [Page, Page];
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');
  await openChat(ann);
  await openChat(bob);

  await write(ann, '   ');
  await expect(ann.locator('#chat-panel').getByRole('alert')).toHaveText('Write something first.');
  const long = 'x'.repeat(2_001);
  await write(ann, long);
  await expect(ann.locator('#chat-panel').getByRole('alert')).toHaveText('A message is at most 2,000 characters.');
  await expect(box(ann)).toHaveValue(long);

  // Past the burst, the server refuses: "You are sending messages too fast", and the text stays.
  const tooFast = 'You are sending messages too fast';
  let refused = '';
  for (let i = 0; i < 20 && !refused; i++) {
    await write(ann, `quick ${i}`);
    // Either the room took it (the box empties) or refused it (the reason shows).
    // (allTextContents does not wait: while the send is in flight there is no alert to wait for.)
    const outcome = async () =>
      (await box(ann).inputValue()) === '' ? 'sent' : (await ann.locator('#chat-panel').getByRole('alert').allTextContents()).includes(tooFast) ? 'refused' : 'pending';
    await expect.poll(outcome).not.toBe('pending');
    if ((await outcome()) === 'refused') refused = `quick ${i}`;
  }
  expect(refused).not.toBe('');
  await expect(ann.locator('#chat-panel').getByRole('alert')).toHaveText(tooFast);
  await expect(box(ann)).toHaveValue(refused);
  await bob.waitForTimeout(500);
  await expect(messages(bob).filter({ hasText: refused })).toHaveCount(0);
  await expect(messages(bob).filter({ hasText: 'quick 0' })).toHaveCount(1);
  await close();
});

test('raised hands: Bob, then Cid; everyone sees 1 and 2; Bob lowers his and Cid becomes 1; up and down too fast is held back, and says so', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 3);
  const [ann, bob, cid] = pages as [Page, Page, Page];
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');
  await joinRoom(cid, server.url, 'Cid');
  for (const p of pages) await expect(p.getByTestId('tile')).toHaveCount(2);

  await bob.getByRole('button', { name: 'Raise hand', exact: true }).click();
  await expect(bob.getByRole('button', { name: 'Lower hand', exact: true })).toBeVisible();
  for (const p of pages) await expect(hand(p, 'Bob')).toHaveAttribute('aria-label', 'Hand raised (1 in line)');
  // Cid uses the key.
  await cid.keyboard.press('r');
  await expect(cid.getByRole('button', { name: 'Lower hand', exact: true })).toBeVisible();
  for (const p of pages) {
    await expect(hand(p, 'Bob')).toHaveAttribute('aria-label', 'Hand raised (1 in line)');
    await expect(hand(p, 'Cid')).toHaveAttribute('aria-label', 'Hand raised (2 in line)');
    await expect(hand(p, 'Cid')).toHaveText('✋ 2');
    await expect(hand(p, 'Ann')).toHaveCount(0);
  }
  // Unmuting does not lower a hand.
  await bob.keyboard.press('m');
  await bob.keyboard.press('m');
  await expect(hand(ann, 'Bob')).toHaveAttribute('aria-label', 'Hand raised (1 in line)');

  await bob.getByRole('button', { name: 'Lower hand', exact: true }).click();
  await expect(bob.getByRole('button', { name: 'Raise hand', exact: true })).toBeVisible();
  for (const p of pages) {
    await expect(hand(p, 'Bob')).toHaveCount(0);
    await expect(hand(p, 'Cid')).toHaveAttribute('aria-label', 'Hand raised (1 in line)');
  }

  // Ann's hand up and down over and over: past a burst of 4 the room refuses, and she is told.
  const tooFast = ann.getByRole('alert').filter({ hasText: 'You are raising and lowering your hand too fast' });
  for (let i = 0; i < 8 && !(await tooFast.isVisible()); i++) {
    const [now, next] = i % 2 === 0 ? ['Raise hand', 'Lower hand'] : ['Lower hand', 'Raise hand'];
    await ann.getByRole('button', { name: now, exact: true }).click();
    await expect(ann.getByRole('button', { name: next, exact: true }).or(tooFast)).toBeVisible();
  }
  await expect(tooFast).toBeVisible();
  await close();
});
