/**
 * The full room of ten, on every commit, on two cores: 2 real Chromium pages and 8 headless
 * participants (`npm run load`, the client's own call core on libwebrtc in Node) join at once.
 * All 45 pairs connect with audio both ways: the 44 with a headless end are judged by the
 * headless ends' audio sinks (decoded, not silence), the pages' side by getStats on the pages.
 * Each page shows 9 others; an 11th is told the room is full; a page shares its screen and all
 * 9 viewers decode frames. Then the same without the share, with the headless participants
 * relay-only through the real coturn the TURN e2e runs, with the credentials the server mints.
 */
import { spawnSync } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startCoturn, type RunningCoturn } from '../deploy/test/support/coturn';
import { startHeadless } from '../load/src/spawn';
import { expectAudioEverywhere, openPeople, requireProgram, selfId, startRoomServer, stats, type RoomServer } from './fixtures';

const PAGES = 2;
const HEADLESS = 8;
const PEOPLE = PAGES + HEADLESS;
/** Pairs with at least one headless end: all but the pages' own pair. */
const HEADLESS_PAIRS = (PEOPLE * (PEOPLE - 1)) / 2 - 1;

/** Decoded frames of `presenterId`'s screen on a page, growing. */
async function expectFramesOnPage(page: Page, presenterId: string): Promise<void> {
  const framesFrom = async () => (await stats(page)).find((s) => s.peerId === presenterId)?.framesDecoded ?? 0;
  await expect.poll(framesFrom, { timeout: 90_000 }).toBeGreaterThan(0);
  const first = await framesFrom();
  await expect.poll(framesFrom, { timeout: 30_000 }).toBeGreaterThan(first);
}

async function fullRoom(browser: Browser, server: RoomServer, relay: boolean, share: boolean): Promise<void> {
  const { pages, close } = await openPeople(browser, PAGES);
  const run = { current: null as ReturnType<typeof startHeadless> | null };
  try {
    await Promise.all(pages.map((p) => p.goto(server.url)));
    await Promise.all(pages.map((p, i) => p.getByLabel('Your name').fill(`Page ${i + 1}`)));
    // Ten join at once: the pages press Join as the headless eight set off.
    // Ten people's media on two cores: the headless eight ask for 60 ms packets (a third of the
    // packets, the same audio), which took 9 headless from 166 % to 126 % of a core (bench/RESULTS.md).
    // They run at nice 10: at the pages' priority their threads left a page's main thread runnable
    // but without a core for 16 s to 2 min at a time (bench/RESULTS.md, 2026-12-07). On people's
    // own machines nobody else's eight participants compete with their page.
    run.current = startHeadless(['--url', `${server.url}/`, '--participants', String(HEADLESS), '--seconds', '600', '--ptime', '60', ...(relay ? ['--relay'] : [])], {}, { nice: 10 });
    const headless = run.current;
    await Promise.all(pages.map((p) => p.getByRole('button', { name: 'Join' }).click()));

    await headless.until((p) => p.joined === HEADLESS && p.pairs === HEADLESS_PAIRS && p.withAudio === HEADLESS_PAIRS, 200_000, `${HEADLESS_PAIRS} pairs with audio at their headless ends`);
    await expectAudioEverywhere(pages, PEOPLE - 1, 120_000);
    for (const p of pages) await expect(p.getByTestId('tile')).toHaveCount(PEOPLE - 1);

    // The eleventh is told the room is full; nobody inside notices.
    const eleventh = await startHeadless(['--url', server.url, '--names', 'Eleventh', '--seconds', '60']).exited;
    expect(eleventh.summary?.reason).toBe(`room is full (it holds ${PEOPLE}): 1 of 1 participants were refused`);
    expect(eleventh.code).toBe(1);

    // A page presents: the other page and all eight headless participants decode its frames.
    if (share) {
      const [presenter, viewer] = pages as [Page, Page];
      await presenter.getByRole('button', { name: 'Share screen' }).click();
      await expect(presenter.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
      await expectFramesOnPage(viewer, await selfId(presenter));
      // The headless eight run at nice 10 (above), and a page encoding its screen nine times takes
      // what they would decode with: in CI (2026-12-07) three of eight decoded within 90 s, their
      // progress lines stalled for 40 s. The check is that all eight decode, not how fast
      // (bench/mesh.ts measures that).
      await headless.until((p) => p.screen?.presenter === 'Page 1' && p.screen.decoding === HEADLESS, 180_000, 'all eight headless viewers decoding Page 1');
    }

    // The summary judges each pair as it is at the end: a link that dropped under load and is
    // recovering gets the time recovery takes (ICE restart, then a new connection) first.
    await headless.until((p) => p.connected === HEADLESS_PAIRS && p.withAudio === HEADLESS_PAIRS, 90_000, `${HEADLESS_PAIRS} pairs with audio before leaving`);
    const { summary } = await headless.interrupt();
    run.current = null;
    expect(summary, 'the load run summary').not.toBeNull();
    expect(summary!.pairs).toHaveLength(HEADLESS_PAIRS);
    const unheard = summary!.pairs.filter((p) => !p.connected || !p.audio).map((p) => `${p.a}–${p.b}`);
    expect(unheard).toEqual([]);
    if (relay) expect(summary!.pairs.filter((p) => p.candidateTypes.join() !== 'relay').map((p) => `${p.a}–${p.b}: ${p.candidateTypes.join('/')}`)).toEqual([]);
    if (share) {
      const viewers = summary!.frames.filter((f) => f.presenter === 'Page 1' && f.frames > 0).map((f) => f.viewer);
      expect(viewers).toHaveLength(HEADLESS);
    }
  } catch (err) {
    // Who each page shows, who it has links to, and what the server saw come and go.
    for (const [i, p] of pages.entries()) {
      const tiles = await p.getByTestId('tile').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-peer')} ${e.querySelector('.name')?.textContent}`)).catch(() => []);
      const links = (await stats(p).catch(() => [])).map((s) => `${s.peerId} ${s.state} ${s.inboundAudioBytes}`);
      console.log(`page ${i + 1} (${await selfId(p).catch(() => '?')}) tiles:\n${tiles.join('\n')}\nlinks:\n${links.join('\n')}`);
    }
    console.log(`server:\n${server.lines.filter((l) => /participant (joined|left|resumed|disconnected)|socket refused|"level":(40|50)/.test(l)).join('\n')}`);
    throw err;
  } finally {
    run.current?.kill();
    await close();
  }
}

test.describe('the full room: 2 pages + 8 headless participants', () => {
  let server: RoomServer;
  test.beforeAll(async () => {
    server = await startRoomServer({ GRACE_MS: '20000' });
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test(`${PEOPLE} join at once: all 45 pairs with audio both ways, 9 tiles on each page, an 11th refused, a page's screen decoded by all 9 viewers`, async ({ browser }) => {
    test.setTimeout(480_000);
    await fullRoom(browser, server, false, true);
  });
});

test.describe('the full room through TURN: the headless participants relay-only via real coturn', () => {
  const hasCoturn = spawnSync('turnserver', ['-h']).error === undefined;
  const SECRET = 'loopback-test-secret-0123456789';
  let coturn: RunningCoturn;
  let server: RoomServer;
  test.beforeAll(async () => {
    requireProgram(hasCoturn, 'coturn');
    coturn = await startCoturn(SECRET);
    // Ten people from one address each get a TURN username: above the per-address default.
    server = await startRoomServer({ GRACE_MS: '20000', TURN_URLS: coturn.urls.join(','), TURN_SECRET: SECRET, TURN_MINTS_PER_MIN: '100' });
  });
  test.afterAll(async () => {
    await server?.stop();
    await coturn?.stop();
  });

  // Without the share: relaying ten people's audio through coturn and a screen to nine viewers
  // on top was more than this two-core machine held on 2026-12-07, before this change of the
  // client as after it (bench/RESULTS.md, "The full room in CI"). The direct room above
  // decodes the share on all nine viewers; turn.spec carries media over the relay.
  test(`${PEOPLE} join at once, the headless eight with --relay: every headless pair relayed, audio both ways, an 11th refused`, async ({ browser }) => {
    test.setTimeout(480_000);
    await fullRoom(browser, server, true, false);
  });
});
