/**
 * What an admin read costs as a session's history grows: one member stays, another joins and
 * leaves N times (each stay a decided pair attempt), then `live()` (what /api/admin/live,
 * /metrics and the sample timer read) is timed. Flat across N means O(1) per outcome.
 *
 *   npx tsx bench/health.ts
 */
import { HealthMonitor } from '../server/src/admin/HealthMonitor';
import type { RoomEvent } from '../server/src/room/Room';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const event = (type: 'joined' | 'left', id: string, at: number) =>
  ({ type, sessionId: 's', stintId: `st-${id}`, connId: id, at, reason: 'left', participant: { id, name: id, muted: false, joinedAt: at, connected: true } }) as unknown as RoomEvent;

console.log('| decided attempts | live() µs (median of 200) |\n|---|---|');
for (const n of (process.env.BENCH_OUTCOMES ?? "500,5000,20000").split(",").map(Number)) {
  const h = new HealthMonitor({ poorPct: 5, badPct: 15 });
  h.onRoomEvent(event('joined', A, 0));
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += 100_000;
    h.onRoomEvent(event('joined', B, t));
    h.tick(t + 60_000);
    h.onRoomEvent(event('left', B, t + 60_001));
  }
  const times: number[] = [];
  for (let k = 0; k < 200; k++) {
    const t0 = performance.now();
    h.live(t + 120_000);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((x, y) => x - y);
  console.log(`| ${n.toLocaleString('en')} | ${times[100]!.toFixed(1)} |`);
}
