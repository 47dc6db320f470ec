import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { expectAudioEverywhere, joinRoom, openPages, selfId, startRoomServer, stats, type RoomServer } from './fixtures';

/**
 * One lossy pair in a 3-person call. The tests run in their own loopback-only network namespace
 * (scripts/netns.mjs), so an iptables rule there drops packets of exactly one peer connection
 * and touches nothing on the machine.
 */
const iptables = (...args: string[]) => execFileSync('iptables', ['-w', ...args], { stdio: 'pipe' });

let server: RoomServer;
let rule: string[] | null = null;
test.beforeAll(async () => {
  // Packet filtering is only ours to change inside the test's own namespace; on the host network
  // (MESHTALK_HOST_NETWORK=1) this test fails rather than touch the machine's firewall.
  if (process.env.MESHTALK_IN_NETNS !== '1') {
    throw new Error('the loss test needs the private network namespace of `npm run test:e2e`; it will not change the host firewall');
  }
  server = await startRoomServer({ LOSS_POOR_PCT: '5', LOSS_BAD_PCT: '10' });
});
test.afterAll(async () => {
  if (rule) iptables('-D', ...rule);
  await server?.stop();
});

const warnings = (p: Page) => p.locator('.warning[role="status"]');

test('a lossy pair warns exactly its two ends, the sender sends less on that link only, and all recovers with the link', async ({ browser }) => {
  test.setTimeout(180_000);
  const { context, pages } = await openPages(browser, 3);
  const [ann, bob, cid] = pages as [Page, Page, Page];
  for (const [i, p] of pages.entries()) await joinRoom(p, server.url, ['Ann', 'Bob', 'Cid'][i]!);
  await expectAudioEverywhere(pages, 2);
  const [annId, bobId, cidId] = await Promise.all(pages.map(selfId));

  // Drop a quarter of what reaches Ann's end of the Ann–Bob connection (Bob → Ann media).
  const port = (await stats(ann)).find((s) => s.peerId === bobId)?.localPort;
  expect(port, 'the selected candidate pair of Ann–Bob has a local port').toBeGreaterThan(0);
  rule = ['INPUT', '-p', 'udp', '--dport', String(port), '-m', 'statistic', '--mode', 'random', '--probability', '0.25', '-j', 'DROP'];
  iptables('-A', ...rule);

  // Ann and Bob each see which link is bad; the sender side lowers its audio on that link.
  await expect(ann.locator(`.warning[data-peer="${bobId}"]`)).toHaveText('Bad connection with Bob: sending less to them', { timeout: 40_000 });
  await expect(bob.locator(`.warning[data-peer="${annId}"]`)).toHaveText('Bad connection with Ann: sending less to them', { timeout: 20_000 });
  await expect(ann.getByTestId('tile').filter({ hasText: 'Bob' })).toContainText('Bad link');
  await expect.poll(async () => (await stats(bob)).find((s) => s.peerId === annId)?.audioMaxBitrate ?? null).toBe(24_000);

  // Nobody else is told anything, and the healthy links keep full audio.
  await expect(warnings(cid)).toHaveCount(0);
  await expect(warnings(ann)).toHaveCount(1);
  await expect(warnings(bob)).toHaveCount(1);
  expect((await stats(bob)).find((s) => s.peerId === cidId)?.audioMaxBitrate ?? null).toBeNull();
  expect((await stats(cid)).find((s) => s.peerId === bobId)?.audioMaxBitrate ?? null).toBeNull();

  // The link heals: the warnings go and the sender lifts its cap.
  iptables('-D', ...rule);
  rule = null;
  await expect(warnings(ann)).toHaveCount(0, { timeout: 40_000 });
  await expect(warnings(bob)).toHaveCount(0);
  await expect.poll(async () => (await stats(bob)).find((s) => s.peerId === annId)?.audioMaxBitrate ?? null).toBeNull();
  await context.close();
});
