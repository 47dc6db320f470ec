/**
 * A person's avatar: initials on a colour derived from the name, the same colour for the same
 * name on every device and visit. The palette is fixed, each colour dark enough for white
 * initials at WCAG AA (at least 4.5:1; client/test/controls.test.ts, "every colour carries white
 * initials at WCAG AA", measures every one).
 */

export const AVATAR_COLOURS = [
  '#1f5fa8', '#8a3ab9', '#b0306a', '#b3461b', '#7a5a00', '#2e7d32',
  '#00727a', '#4b53bc', '#a23b3b', '#5d4b8a', '#3f6b1c', '#805060',
] as const;

/** FNV-1a over the name's UTF-16 units (NFC, case-folded): stable, cheap, well spread. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function colourFor(name: string): string {
  return AVATAR_COLOURS[hash(name.normalize('NFC').trim().toLowerCase()) % AVATAR_COLOURS.length]!;
}

/** First character of the first and last words ("Ann Lee" → "AL"; "花子" → "花"; "김 민수" → "김민"). */
export function initials(name: string): string {
  const words = name.normalize('NFC').trim().split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const first = (w: string | undefined) => (w ? (Array.from(w.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '') : '');
  if (words.length === 0) return '?';
  const a = first(words[0]);
  const b = words.length > 1 ? first(words[words.length - 1]) : '';
  return (a + b).toLocaleUpperCase();
}
