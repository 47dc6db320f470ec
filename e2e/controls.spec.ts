/**
 * In the call (issue 13): switching the microphone and its processing mid-call without a new
 * offer, a listen-only person who picks a microphone, push-to-talk, "You are muted", volume per
 * person, "Tap to hear the others" where autoplay is held back, the shortcuts dialog, join/leave
 * announcements, Korean, and a 4-person room to look at.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { expectAudioEverywhere, expectVideoLines, joinRoom, openPeople, selfId, startRoomServer, stats, type RoomServer } from './fixtures';

// A room of its own for each test: a failed test's people do not linger in the next one.
let server: RoomServer;
test.beforeEach(async () => {
  server = await startRoomServer();
});
test.afterEach(async () => {
  await server.stop();
});

interface Hook {
  stats(): Promise<{ peerId: string; audioTrackId: string | null; audioActive: boolean; inboundAudioBytes: number }[]>;
  microphone(): { id: string; settings: MediaTrackSettings } | null;
  players(): { key: string; volume: number; paused: boolean; sinkId: string | null }[];
}
const hook = <T>(page: Page, fn: (h: Hook) => T | Promise<T>): Promise<T> =>
  page.evaluate(`(${fn.toString()})(window.__meshtalk)`) as Promise<T>;

/** Counts the offers a page sends through signaling (every socket frame it writes): all, or to one peer. */
function countOffers(page: Page): { readonly count: number; to(peerId: string): number } {
  const sent: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString();
      if (text.includes('"signal:send"') && text.includes('"type":"offer"')) sent.push(text);
    }),
  );
  return {
    get count() {
      return sent.length;
    },
    to: (peerId) => sent.filter((t) => t.includes(`"to":"${peerId}"`)).length,
  };
}

/** Inbound audio bytes on `page` from the participant `from`. */
async function bytesFrom(page: Page, from: string): Promise<number> {
  return (await stats(page)).find((s) => s.peerId === from)?.inboundAudioBytes ?? 0;
}

/** The bytes from `from` grow past what they are now. */
async function expectGrowing(page: Page, from: string): Promise<void> {
  const before = await bytesFrom(page, from);
  await expect.poll(() => bytesFrom(page, from), { timeout: 20_000 }).toBeGreaterThan(before);
}

/**
 * A person who talks on and on: a steady tone for a microphone. Chromium's fake one only beeps
 * now and then, too briefly for the levels RTP carries to cross the thresholds every time, and
 * on a loaded machine the samples miss the beeps.
 */
async function talkSteadily(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      if (!c?.audio) return real(c);
      const ctx = new AudioContext();
      const tone = ctx.createOscillator();
      const dest = ctx.createMediaStreamDestination();
      tone.frequency.value = 220;
      tone.connect(dest);
      tone.start();
      return dest.stream;
    };
  });
}

const tileOf = (page: Page, name: string) => page.getByTestId('tile').filter({ hasText: name });

test('Ann switches microphone and voice processing mid-call: every link sends the new track, Bob keeps hearing her, no offer is sent', async ({ browser }) => {
  test.setTimeout(180_000);
  const { pages, close } = await openPeople(browser, 3);
  const [ann, bob, cid] = pages as [Page, Page, Page];
  const offers = pages.map(countOffers);
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');
  await joinRoom(cid, server.url, 'Cid');
  await expectAudioEverywhere(pages, 2);
  await expectVideoLines(pages);
  const annId = await selfId(ann);
  const sentBefore = offers.map((o) => o.count);
  expect(sentBefore.reduce((a, b) => a + b)).toBeGreaterThan(0);

  const before = await hook(ann, (h) => h.stats());
  expect(before).toHaveLength(2);
  const oldTrack = before[0]!.audioTrackId;
  expect(oldTrack, 'Ann sends her microphone on both links').toMatch(/\S/);
  expect(before.every((l) => l.audioTrackId === oldTrack)).toBe(true);

  await ann.getByRole('button', { name: 'Settings' }).click();
  const settings = ann.getByRole('dialog', { name: 'Settings' });
  await expect(settings).toBeVisible();
  const micSelect = settings.getByLabel('Microphone');
  const labels = await micSelect.locator('option').allTextContents();
  // Chromium's fake device factory lists several inputs.
  expect(labels).toEqual(expect.arrayContaining(['Fake Audio Input 1', 'Fake Audio Input 2']));
  await micSelect.selectOption({ label: 'Fake Audio Input 1' });

  await expect
    .poll(async () => {
      const mic = await hook(ann, (h) => h.microphone());
      const links = await hook(ann, (h) => h.stats());
      return mic !== null && mic.id !== oldTrack && links.length === 2 && links.every((l) => l.audioTrackId === mic.id);
    })
    .toBe(true);
  const micId = (await hook(ann, (h) => h.microphone()))!.settings.deviceId;
  await expect(micSelect).toHaveValue(micId!);
  await expectGrowing(bob, annId);
  await expectGrowing(cid, annId);

  // Noise suppression off: the live track says so (a re-capture where applyConstraints cannot).
  const ns = settings.getByRole('checkbox', { name: 'Noise suppression' });
  await expect(ns).toBeChecked();
  await expect(settings.getByRole('checkbox', { name: 'Echo cancellation' })).toBeChecked();
  await expect(settings.getByRole('checkbox', { name: 'Automatic gain control' })).toBeChecked();
  await ns.uncheck();
  await expect.poll(async () => (await hook(ann, (h) => h.microphone()))?.settings.noiseSuppression).toBe(false);
  const mic = (await hook(ann, (h) => h.microphone()))!;
  expect(mic.settings.deviceId).toBe(micId);
  await expect.poll(async () => (await hook(ann, (h) => h.stats())).every((l) => l.audioTrackId === mic.id)).toBe(true);
  await expectGrowing(bob, annId);

  // Not one offer more, on any page: the switch and the processing were replaceTrack only.
  expect(offers.map((o) => o.count)).toEqual(sentBefore);

  // Remembered: after a reload and a re-join the capture has noise suppression off again.
  await ann.reload();
  await ann.getByRole('button', { name: 'Join' }).click();
  await expect(ann.getByRole('button', { name: 'Leave' })).toBeVisible();
  await expect.poll(async () => (await hook(ann, (h) => h.microphone()))?.settings.noiseSuppression).toBe(false);
  await ann.getByRole('button', { name: 'Settings' }).click();
  await expect(ann.getByRole('dialog', { name: 'Settings' }).getByRole('checkbox', { name: 'Noise suppression' })).not.toBeChecked();
  await close();
});

test('a listen-only person picks a microphone in Settings, unmutes, and is heard without rejoining', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 2);
  const [bob, lou] = pages as [Page, Page];
  // No microphone at first (access refused); allowed later, as when a person plugs one in.
  await lou.addInitScript(() => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (c) =>
      (window as unknown as { micAllowed?: boolean }).micAllowed ? real(c) : Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  // Whichever of the two is impolite offers (the ids decide), so both pages are counted.
  const offers = [countOffers(bob), countOffers(lou)] as const;
  await joinRoom(bob, server.url, 'Bob');
  await lou.goto(server.url);
  await lou.getByLabel('Your name').fill('Lou');
  await lou.getByRole('button', { name: 'Join' }).click();
  await expect(lou.getByText('Listening only: no microphone')).toBeVisible();
  await expect(lou.getByRole('button', { name: 'Mute' })).toBeDisabled();
  const louId = await selfId(lou);
  await expect.poll(async () => (await stats(bob)).find((s) => s.peerId === louId)?.state).toBe('connected');
  expect(await bytesFrom(bob, louId)).toBe(0);
  await expectVideoLines([bob, lou]);
  // Offers between the two only (not to people of an earlier test still in their grace period).
  const bobId = await selfId(bob);
  const between = () => offers[0].to(louId) + offers[1].to(bobId);
  // Their joining offer was counted: "unchanged" below is a comparison with a real count.
  const offersBefore = between();
  expect(offersBefore).toBeGreaterThan(0);

  await lou.evaluate(() => void ((window as unknown as { micAllowed?: boolean }).micAllowed = true));
  await lou.getByRole('button', { name: 'Settings' }).click();
  const settings = lou.getByRole('dialog', { name: 'Settings' });
  const mic = settings.getByLabel('Microphone');
  await expect(mic).toHaveValue('');
  await mic.selectOption({ index: 1 });
  // A microphone now, muted until Lou unmutes.
  await expect(lou.getByText('Listening only: no microphone')).toHaveCount(0);
  await settings.getByRole('button', { name: 'Close' }).click();
  await expect(tileOf(bob, 'Lou').getByRole('img', { name: 'muted', exact: true })).toBeVisible();
  await lou.getByRole('button', { name: 'Unmute' }).click();
  await expect(tileOf(bob, 'Lou').getByRole('img', { name: 'muted', exact: true })).toHaveCount(0);
  await expect.poll(() => bytesFrom(bob, louId), { timeout: 20_000 }).toBeGreaterThan(0);
  await expectGrowing(bob, louId);
  // The same participant and the same connection: no rejoin, no new offer.
  expect(await selfId(lou)).toBe(louId);
  expect(between()).toBe(offersBefore);
  await close();
});

test('push-to-talk: held Space unmutes, release mutes (Bob sees both); Space on a control does nothing; "You are muted" when talking muted', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 2);
  const [ann, bob] = pages as [Page, Page];
  await talkSteadily(ann);
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');
  await expectAudioEverywhere(pages, 1);
  const annId = await selfId(ann);
  const annOnBob = tileOf(bob, 'Ann');

  await ann.locator('body').click({ position: { x: 5, y: 5 } });
  await ann.keyboard.press('m');
  await expect(ann.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await expect(annOnBob.getByRole('img', { name: 'muted', exact: true })).toBeVisible();
  // Muted means nothing is sent: Bob's bytes from Ann stop growing.
  await expect.poll(async () => (await hook(ann, (h) => h.stats())).every((l) => !l.audioActive)).toBe(true);
  const stalled = await bytesFrom(bob, annId);
  await bob.waitForTimeout(1_500);
  expect(await bytesFrom(bob, annId)).toBeLessThan(stalled + 600);

  // Ann talks on while muted: she is told so.
  await expect(ann.getByRole('status').filter({ hasText: 'You are muted' })).toBeVisible({ timeout: 20_000 });

  await ann.keyboard.down(' ');
  await expect(ann.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  await expect(annOnBob.getByRole('img', { name: 'muted', exact: true })).toHaveCount(0);
  await expectGrowing(bob, annId);
  await ann.keyboard.up(' ');
  await expect(ann.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await expect(annOnBob.getByRole('img', { name: 'muted', exact: true })).toBeVisible();

  // On a focused control Space keeps its own meaning: the volume slider here, a button below.
  await ann.getByRole('slider', { name: 'Volume for Bob' }).focus();
  await ann.keyboard.down(' ');
  await ann.waitForTimeout(500);
  await ann.keyboard.up(' ');
  await expect(ann.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await ann.getByRole('button', { name: 'Copy link' }).focus();
  await ann.keyboard.down(' ');
  await ann.waitForTimeout(500);
  await expect(ann.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await ann.keyboard.up(' ');
  await expect(annOnBob.getByRole('img', { name: 'muted', exact: true })).toBeVisible();
  await close();
});

test('Bob’s volume for Ann changes only Ann’s audio, shows her muted for him at 0, and survives a reload', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 3);
  const [ann, bob, cid] = pages as [Page, Page, Page];
  await joinRoom(ann, server.url, 'Ann');
  await joinRoom(bob, server.url, 'Bob');
  await joinRoom(cid, server.url, 'Cid');
  await expectAudioEverywhere(pages, 2);
  const [annId, cidId] = [await selfId(ann), await selfId(cid)];
  const volumes = async () => Object.fromEntries((await hook(bob, (h) => h.players())).map((p) => [p.key, p.volume]));
  await expect.poll(volumes).toEqual({ [annId]: 1, [cidId]: 1 });

  const slider = bob.getByRole('slider', { name: 'Volume for Ann' });
  await expect(slider).toHaveValue('100');
  await slider.fill('40');
  await expect.poll(volumes).toEqual({ [annId]: 0.4, [cidId]: 1 });
  await slider.fill('0');
  await expect.poll(volumes).toEqual({ [annId]: 0, [cidId]: 1 });
  await expect(tileOf(bob, 'Ann').getByRole('img', { name: 'Muted for you' })).toBeVisible();
  await expect(tileOf(bob, 'Cid').getByRole('img', { name: 'Muted for you' })).toHaveCount(0);
  await expect(tileOf(ann, 'Bob').getByRole('img', { name: 'Muted for you' })).toHaveCount(0);
  await slider.fill('40');

  // The speaker choice routes every voice (setSinkId), Ann's and Cid's alike.
  await bob.getByRole('button', { name: 'Settings' }).click();
  const speaker = bob.getByRole('dialog', { name: 'Settings' }).getByLabel('Speaker');
  await speaker.selectOption({ label: 'Fake Audio Output 1' });
  const output = await speaker.inputValue();
  expect(output).not.toBe('');
  await expect.poll(async () => (await hook(bob, (h) => h.players())).map((p) => p.sinkId)).toEqual([output, output]);
  await bob.keyboard.press('Escape');

  await bob.reload();
  await bob.getByRole('button', { name: 'Join' }).click();
  await expect(bob.getByRole('slider', { name: 'Volume for Ann' })).toHaveValue('40');
  await expect(bob.getByRole('slider', { name: 'Volume for Cid' })).toHaveValue('100');
  await expect.poll(volumes).toEqual({ [annId]: 0.4, [cidId]: 1 });
  await expect.poll(async () => (await hook(bob, (h) => h.players())).map((p) => p.sinkId)).toEqual([output, output]);
  await close();
});

/**
 * A browser whose autoplay policy holds voices back until the person taps (as on phones):
 * play() rejects with NotAllowedError and the autoplay attribute does nothing, until a click on
 * "Tap to hear the others". Joining is a click too, but not the one this browser waits for.
 */
async function holdBackPlayback(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const proto = HTMLMediaElement.prototype;
    const realPlay = proto.play;
    const autoplay = Object.getOwnPropertyDescriptor(proto, 'autoplay')!;
    let allowed = false;
    Object.defineProperty(proto, 'autoplay', {
      ...autoplay,
      set(this: HTMLMediaElement, on: boolean) {
        autoplay.set!.call(this, allowed && on);
      },
    });
    proto.play = function (this: HTMLMediaElement) {
      if (allowed) return realPlay.call(this);
      return Promise.reject(new DOMException("play() failed because the user didn't interact with the document first.", 'NotAllowedError'));
    };
    document.addEventListener(
      'click',
      (e) => {
        if ((e.target as Element | null)?.closest?.('button')?.textContent?.trim() === 'Tap to hear the others') allowed = true;
      },
      true,
    );
  });
}

test('where the browser holds back autoplay, "Tap to hear the others" appears, and a tap plays every voice', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 3);
  const [ann, bob, cid] = pages as [Page, Page, Page];
  await holdBackPlayback(ann);
  await joinRoom(bob, server.url, 'Bob');
  await joinRoom(cid, server.url, 'Cid');
  await joinRoom(ann, server.url, 'Ann');
  await expectAudioEverywhere(pages, 2);
  const [annId, bobId, cidId] = [await selfId(ann), await selfId(bob), await selfId(cid)];
  const playing = async (page: Page) => Object.fromEntries((await hook(page, (h) => h.players())).map((p) => [p.key, !p.paused]));
  const tap = (page: Page) => page.getByRole('button', { name: 'Tap to hear the others', exact: true });

  // Ann's browser refused both voices: they wait, and she is offered the tap.
  await expect.poll(() => playing(ann)).toEqual({ [bobId]: false, [cidId]: false });
  await expect(tap(ann)).toBeVisible();
  await tap(ann).click();
  await expect.poll(() => playing(ann)).toEqual({ [bobId]: true, [cidId]: true });
  await expect(tap(ann)).toHaveCount(0);

  // Where the browser allowed playback from the start there was never a button.
  await expect.poll(() => playing(bob)).toEqual({ [annId]: true, [cidId]: true });
  await expect(tap(bob)).toHaveCount(0);
  await close();
});

test('"?" opens Keyboard shortcuts listing M, Space, R and ?; joins and leaves are announced politely', async ({ browser }) => {
  const { pages, close } = await openPeople(browser, 2);
  const [ann, bob] = pages as [Page, Page];
  await joinRoom(ann, server.url, 'Ann');
  await ann.keyboard.press('?');
  const dialog = ann.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  for (const [key, what] of [
    ['M', 'Mute or unmute'],
    ['Space', 'Hold to talk while muted'],
    ['R', 'Raise or lower your hand'],
    ['?', 'Show these shortcuts'],
    ['Esc', 'Close a dialog'],
  ]) {
    await expect(dialog.getByRole('term').filter({ hasText: key })).toHaveCount(1);
    await expect(dialog.getByRole('definition').filter({ hasText: what })).toHaveCount(1);
  }
  await ann.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  const announcer = ann.getByTestId('announcer');
  await expect(announcer).toHaveAttribute('aria-live', 'polite');
  await joinRoom(bob, server.url, 'Bob');
  await expect(announcer).toHaveText('Bob joined');
  await bob.getByRole('button', { name: 'Leave' }).click();
  await expect(announcer).toHaveText('Bob left');
  await close();
});

test('in a browser that prefers Korean the room speaks Korean', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  await page.goto(server.url);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await page.getByLabel('이름').fill('민수');
  await page.getByRole('button', { name: '참여' }).click();
  for (const name of ['음소거', '화면 공유', '설정', '나가기', '링크 복사']) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  await page.getByRole('button', { name: '설정' }).click();
  const settings = page.getByRole('dialog', { name: '설정' });
  for (const label of ['마이크', '소음 억제', '에코 제거', '자동 음량 조절']) await expect(settings.getByLabel(label)).toBeVisible();
  await settings.getByRole('button', { name: '닫기' }).click();
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: '키보드 단축키' })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('m');
  await expect(page.getByRole('button', { name: '음소거 해제' })).toBeVisible();
  await context.close();
});

/** Kept under test-results/ after the run for a person to look at. */
async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('a 4-person room reads at a glance: one presenting, one muted, one speaking (screenshots)', async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const { pages, close } = await openPeople(browser, 4);
  const [ann, bob, cid, dan] = pages as [Page, Page, Page, Page];
  // Cid talks on and on, and so does Dan while muted.
  for (const p of [cid, dan]) await talkSteadily(p);
  for (const [p, name] of [[ann, 'Ann Lee'], [bob, 'Bob'], [cid, '김민수'], [dan, '花子']] as const) await joinRoom(p, server.url, name);
  await expectAudioEverywhere(pages, 3);
  await ann.getByRole('button', { name: 'Share screen' }).click();
  await expect(ann.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  await bob.locator('body').click({ position: { x: 5, y: 5 } });
  await bob.keyboard.press('m');
  await dan.keyboard.press('m');
  await expect(dan.getByTestId('tile').filter({ hasText: 'Bob' }).getByRole('img', { name: 'muted', exact: true })).toBeVisible();
  await expect(dan.getByTestId('tile').filter({ hasText: 'Ann Lee' }).getByText('Presenting')).toBeVisible();
  await expect(dan.locator('video')).toBeVisible();
  // Dan talks while muted: he is told so, once; then the notice goes.
  const notice = dan.getByRole('status').filter({ hasText: 'You are muted' });
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await keepScreenshot(dan, testInfo, 'room-4-people-you-are-muted');
  await expect(notice).toHaveCount(0, { timeout: 20_000 });
  // Cid talks: Dan sees Cid's speaking ring.
  await expect(dan.getByTestId('tile').filter({ hasText: '김민수' })).toHaveClass(/speaking/, { timeout: 30_000 });
  await keepScreenshot(dan, testInfo, 'room-4-people');
  await dan.setViewportSize({ width: 390, height: 844 });
  await keepScreenshot(dan, testInfo, 'room-4-people-phone');
  await close();
});
