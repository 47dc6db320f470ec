/** How a run reads in a terminal: the live progress line and the summary table. */
import type { Progress, Summary } from './LoadRun';

const ms = (v: number | null) => (v === null ? '–' : v < 10_000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function progressLine(p: Progress): string {
  const parts = [
    `${pad(`${Math.round(p.elapsedMs / 1000)} s`, 5)}`,
    `joined ${p.joined}/${p.participants}`,
    `pairs connected ${p.connected}/${p.pairs}`,
    `with audio ${p.withAudio}/${p.pairs}`,
  ];
  if (p.screen) parts.push(`${p.screen.presenter}'s screen decoded by ${p.screen.decoding}/${p.screen.viewers}`);
  return parts.join(' · ');
}

export function summaryText(s: Summary): string {
  const lines: string[] = [];
  const heard = (v: number | null) => (v === null ? 'browser' : `${v.toFixed(1)} s`);
  const width = Math.max(4, ...s.pairs.map((p) => p.a.length + p.b.length + 1));
  lines.push(`${pad('pair', width)}  ${pad('state', 10)} ${pad('connect', 9)} ${pad('candidate', 11)} ${pad('RTT', 9)} audio heard, sampled (each end)`);
  for (const p of s.pairs) {
    const state = p.audio ? 'audio' : p.connected ? 'connected' : 'NOT CONN.';
    lines.push(
      `${pad(`${p.a}–${p.b}`, width)}  ${pad(state, 10)} ${pad(ms(p.connectMs), 9)} ${pad(p.candidateTypes.join('/') || '–', 11)} ${pad(p.rttMs === null ? '–' : `${p.rttMs} ms`, 9)} ${heard(p.heardA)} / ${heard(p.heardB)}`,
    );
  }
  lines.push('');
  lines.push(`${s.joined} of ${s.participants} joined ${s.server}; ${s.pairs.length} pairs; time to connect p50 ${ms(s.connectMs.p50)}, p95 ${ms(s.connectMs.p95)}; full mesh with audio ${s.fullMeshMs === null ? 'never' : `after ${ms(s.fullMeshMs)}`}`);
  if (s.frames.length) {
    const byPresenter = new Map<string, number[]>();
    for (const f of s.frames) byPresenter.set(f.presenter, [...(byPresenter.get(f.presenter) ?? []), f.frames]);
    for (const [presenter, counts] of byPresenter) lines.push(`${presenter}'s screen: ${counts.filter((c) => c > 0).length} of ${counts.length} viewers decoded frames (${Math.min(...counts)}–${Math.max(...counts)} each)`);
  }
  lines.push(`${s.ok ? 'OK' : 'FAILED'}: ${s.reason}`);
  return lines.join('\n');
}
