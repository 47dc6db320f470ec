import { expect, test, type Page } from '@playwright/test';
import { joinRoom, openPages, selfId, startRoomServer, stats, type RoomServer } from './fixtures';

let server: RoomServer;
test.beforeAll(async () => {
  server = await startRoomServer({ GRACE_MS: '1000' });
});
test.afterAll(async () => {
  await server.stop();
});

/**
 * Frames decoded from `presenter`'s link on each viewer page, and growing. Seven pages with audio
 * and a share saturate two cores, and a starved page's socket can drop and come back: the steps
 * that need the server wait as long as that takes (PATIENCE), asserting the same thing.
 */
const PATIENCE = { timeout: 60_000 };
async function expectFrames(viewers: Page[], presenterId: string) {
  const firsts = await Promise.all(
    viewers.map(async (v) => {
      await expect.poll(async () => (await stats(v)).find((s) => s.peerId === presenterId)?.framesDecoded ?? 0, { timeout: 90_000 }).toBeGreaterThan(0);
      return (await stats(v)).find((s) => s.peerId === presenterId)!.framesDecoded;
    }),
  );
  await Promise.all(
    viewers.map((v, i) =>
      expect.poll(async () => (await stats(v)).find((s) => s.peerId === presenterId)?.framesDecoded ?? 0, { timeout: 45_000 }).toBeGreaterThan(firsts[i]!),
    ),
  );
}


/** Viewers present at the start; with the late joiner, VIEWERS + 1 watch (9 in a full room of 10). */
const VIEWERS = Number(process.env.SCREEN_VIEWERS ?? 4);

test(`one presenter, ${VIEWERS + 1} viewers decode frames; a second claimant is refused by name; the slot frees when the presenter leaves; a late joiner sees the share`, async ({ browser }) => {
  test.setTimeout(300_000);
  const { context, pages } = await openPages(browser, VIEWERS + 1);
  for (const [i, p] of pages.entries()) await joinRoom(p, server.url, i === 0 ? 'Presenter Pat' : `Viewer ${i}`);
  const [pat, second] = pages as [Page, Page];
  const patId = await selfId(pat);

  await pat.getByRole('button', { name: 'Share screen' }).click();
  await expect(pat.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  for (const v of pages.slice(1)) await expect(v.getByText('Presenter Pat is presenting').first()).toBeVisible(PATIENCE);

  // A late joiner during the share.
  const late = await context.newPage();
  await joinRoom(late, server.url, 'Late Lou');
  const viewers = [...pages.slice(1), late];
  await expectFrames(viewers, patId);
  await expect(late.getByRole('region', { name: 'Presenter Pat is presenting' })).toBeVisible(PATIENCE);

  // Only one at a time: the second claimant learns who presents.
  await second.getByRole('button', { name: 'Share screen' }).click();
  await expect(second.getByRole('alert')).toContainText('Presenter Pat is presenting', PATIENCE);
  await expect(second.getByRole('button', { name: 'Stop sharing' })).toHaveCount(0);

  // The presenter leaves: the slot frees, and another can share to everyone.
  await second.getByRole('button', { name: 'Dismiss' }).click();
  await pat.getByRole('button', { name: 'Leave' }).click();
  await expect(second.getByRole('region', { name: 'Presenter Pat is presenting' })).toHaveCount(0, PATIENCE);
  await expect(second.getByText('Presenter Pat is presenting')).toHaveCount(0);
  await second.getByRole('button', { name: 'Share screen' }).click();
  await expect(second.getByRole('button', { name: 'Stop sharing' })).toBeVisible(PATIENCE);
  const secondId = await selfId(second);
  await expect(late.getByRole('region', { name: 'Viewer 1 is presenting' })).toBeVisible(PATIENCE);
  await expectFrames([late, pages[2]!], secondId);

  // Stop sharing frees the slot again.
  await second.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(late.getByRole('region', { name: 'Viewer 1 is presenting' })).toHaveCount(0, PATIENCE);
  await context.close();
});
