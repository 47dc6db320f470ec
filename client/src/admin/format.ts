/** How the admin page writes numbers and times. */
export const pct = (r: number | null) => (r === null ? '–' : `${Math.round(r * 1000) / 10} %`);
export const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v * 10) / 10} ms`);
export const time = (t: number) => new Date(t).toLocaleTimeString();
export const duration = (d: number) => {
  const s = Math.round(d / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

