/**
 * Why a newcomer to a settled room takes long to hear it: N people join and form a full mesh,
 * then one more joins; every 2.5 s it prints, for each of the newcomer's links, the connection
 * state, the ICE state and the audio bytes received, once how the first three of the others see
 * their link to the newcomer (state/signaling/ICE), and at the end how many Socket.IO frames the
 * newcomer's page exchanged. Warnings and rejections the room server logs are printed as they
 * come. Run inside the test namespace, after a `VITE_TEST_HOOK=1 npm run build`:
 *
 *   N=9 WAIT_MS=45000 node scripts/netns.mjs npx tsx bench/late-joiner.ts
 */
import { createInterface } from 'node:readline';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium-args';
import { meshtalkSelfId, meshtalkStats, meshtalkSubject, sleep, startRoom, stopServer, untilAudio } from './subjects';

const N = Number(process.env.N ?? 9);
const WAIT_MS = Number(process.env.WAIT_MS ?? 45_000);


const room = await startRoom();
createInterface({ input: room.proc.stdout! }).on('line', (l) => {
  if (/"level":(40|50)|rejected|rate limit/.test(l)) console.log('server:', l.slice(0, 300));
});
const subject = meshtalkSubject(room.url);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
const open = async () => (await browser.newContext()).newPage();
try {
  const pages = await Promise.all(Array.from({ length: N }, open));
  await Promise.all(pages.map((p) => p.goto(subject.url)));
  await Promise.all(pages.map((p, i) => subject.prepare(p, i)));
  const t0 = performance.now();
  await Promise.all(pages.map((p) => subject.join(p)));
  await untilAudio(pages, subject, N);
  console.log(`a full mesh of ${N} in ${Math.round(performance.now() - t0)} ms; now the newcomer`);

  const late = await open();
  let frames = 0;
  late.on('websocket', (ws) => {
    ws.on('framesent', () => void (frames += 1));
    ws.on('framereceived', () => void (frames += 1));
  });
  await late.goto(subject.url);
  await subject.prepare(late, N);
  const t1 = performance.now();
  await subject.join(late);
  let shown = false;
  while (performance.now() - t1 < WAIT_MS) {
    await sleep(2_500);
    const mine = await meshtalkStats(late);
    const heard = mine.filter((l) => l.inboundAudioBytes > 0).length;
    console.log(`+${Math.round(performance.now() - t1)} ms, hears ${heard}: ${mine.map((l) => `${l.state}/${l.ice}/${l.inboundAudioBytes}`).join(' ')}`);
    if (!shown && mine.length === N) {
      shown = true;
      const lateId = await meshtalkSelfId(late);
      for (const p of pages.slice(0, 3)) {
        const l = (await meshtalkStats(p)).find((x) => x.peerId === lateId);
        console.log(`  ${(await meshtalkSelfId(p)).slice(0, 8)} → newcomer: ${l ? `${l.state}/${l.signaling}/${l.ice}` : 'no link'}`);
      }
    }
    if (heard === N) break;
  }
  console.log(`the newcomer's page exchanged ${frames} Socket.IO frames`);
} finally {
  await browser.close();
  await stopServer(room);
}
