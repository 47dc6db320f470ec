/**
 * `npm run load` carrying media, against the built server, inside the loopback-only namespace:
 * headless participants connect every pair with audio they check is not silence and exit 0;
 * the admin page counts their pairs like anyone's; --share's frames are decoded by the others;
 * --audio speaks a file; Ctrl-C frees the slots at once; --relay without TURN says "check TURN".
 * (Argument errors and refusals, which need no media, are load/test/cli.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { LiveResponse } from '@meshtalk/protocol/admin';
import { startHeadless } from '../load/src/spawn';
import { encodeWav } from '../load/src/wav';
import { tone } from '../load/src/media';
import { adminFetch, E2E_ADMIN_TOKEN, startRoomServer, type RoomServer } from './fixtures';

let server: RoomServer;
test.beforeAll(async () => {
  // A long grace period: a slot freed within it was freed by a leave, not by the timer.
  server = await startRoomServer({ ADMIN_TOKEN: E2E_ADMIN_TOKEN, GRACE_MS: '30000' });
});
test.afterAll(async () => {
  await server.stop();
});

test('three headless participants named by --names, speaking a WAV file: every pair connected with audio, exit 0; the admin page counts their pairs', async () => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-load-'));
  const wav = path.join(dir, 'voice.wav');
  writeFileSync(wav, encodeWav(tone(440, 16_000)));
  const run = startHeadless(['--url', `${server.url}/`, '--names', 'Ann,Bob,Cy', '--seconds', '20', '--audio', wav]);
  await run.until((p) => p.pairs === 3 && p.withAudio === 3, 60_000, 'three pairs with audio');

  // Stats reports reach the server as a browser's do: the admin's live view has the three pairs.
  await expect
    .poll(async () => {
      const res = await adminFetch(server, '/api/admin/live');
      const live = LiveResponse.parse(await res.json());
      return { people: live.participants.map((p) => p.name).sort(), connected: live.health.pairs.filter((p) => p.state === 'connected').length };
    }, { timeout: 20_000 })
    .toEqual({ people: ['Ann', 'Bob', 'Cy'], connected: 3 });

  const { code, summary } = await run.exited;
  expect(summary?.reason).toBe('all 3 pairs connected with audio');
  expect(code).toBe(0);
  expect(summary!.pairs.map((p) => [p.a, p.b].sort().join('–')).sort()).toEqual(['Ann–Bob', 'Ann–Cy', 'Bob–Cy']);
  for (const p of summary!.pairs) {
    expect(p.candidateTypes).toEqual(['host']);
    expect(p.connectMs).toBeGreaterThan(0);
    // Heard at both ends: a second or more of the file's tone, decoded and above silence.
    expect(p.heardA).toBeGreaterThan(1);
    expect(p.heardB).toBeGreaterThan(1);
  }
  expect(summary!.connectMs.p50).not.toBeNull();
  expect(summary!.fullMeshMs).not.toBeNull();
});

test('--share: the first participant presents a synthetic screen and every other decodes its frames', async () => {
  test.setTimeout(90_000);
  const run = startHeadless(['--url', server.url, '--participants', '3', '--seconds', '60', '--share']);
  await run.until((p) => p.withAudio === 3 && p.screen?.decoding === 2, 60_000, 'both viewers decoding Load 1\'s screen');
  const { summary } = await run.interrupt();
  const frames = summary!.frames.filter((f) => f.presenter === 'Load 1');
  expect(frames.map((f) => f.viewer).sort()).toEqual(['Load 2', 'Load 3']);
  for (const f of frames) expect(f.frames).toBeGreaterThan(0);
});

test('Ctrl-C leaves the room at once (no slot held for the grace period) and exits 130 with the summary', async () => {
  test.setTimeout(90_000);
  const run = startHeadless(['--url', server.url, '--participants', '2', '--seconds', '300']);
  await run.until((p) => p.pairs === 1 && p.withAudio === 1, 60_000, 'the pair with audio');
  const { code, summary } = await run.interrupt();
  expect(code).toBe(130);
  expect(summary?.interrupted).toBe(true);
  expect(summary?.reason).toMatch(/^interrupted after \d+ s \(all 1 pairs connected with audio\)$/);
  // Both left by leaving: the room is empty now, not after its 30 s grace period.
  const res = await adminFetch(server, '/api/admin/live');
  expect(LiveResponse.parse(await res.json()).participants).toEqual([]);
});

test('--relay against a room without TURN: "no relay candidate: check TURN", exit 1', async () => {
  test.setTimeout(60_000);
  const run = startHeadless(['--url', server.url, '--participants', '2', '--seconds', '8', '--relay']);
  const { code, summary } = await run.exited;
  expect(code).toBe(1);
  expect(summary?.reason).toMatch(/^no relay candidate: check TURN \(the room handed out no TURN server/);
});
