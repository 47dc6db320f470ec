/** A small line chart in plain SVG: one series over time, with its latest value. */
export function Chart(props: { title: string; points: { at: number; value: number | null }[]; unit: string; max?: number }) {
  const w = 320;
  const h = 90;
  const pts = props.points.filter((p): p is { at: number; value: number } => p.value !== null);
  const latest = pts.at(-1)?.value;
  if (pts.length < 2) {
    return (
      <figure className="chart">
        <figcaption>{props.title}</figcaption>
        <p className="muted">Collecting samples…</p>
      </figure>
    );
  }
  const t0 = pts[0]!.at;
  const t1 = pts.at(-1)!.at;
  const top = props.max ?? Math.max(1, ...pts.map((p) => p.value)) * 1.1;
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * w;
  const y = (v: number) => h - (v / top) * h;
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return (
    <figure className="chart">
      <figcaption>
        {props.title}: <strong>{latest === undefined ? '–' : `${Math.round(latest * 10) / 10}${props.unit}`}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={props.title}>
        <path d={d} fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
    </figure>
  );
}
