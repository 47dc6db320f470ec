/**
 * A chat message as pieces of plain text and links: only http(s) URLs become links, and
 * nothing else of the text is ever interpreted (the UI renders every piece as text).
 */
export type Piece = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_LIKE = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence rather than the URL before it. */
const TRAILING = /[.,;:!?'’”»]+$/;

/** The URL as written, minus trailing punctuation and an unmatched closing bracket. */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    for (const [open, close] of [['(', ')'], ['[', ']']] as const) {
      if (url.endsWith(close) && url.split(open).length < url.split(close).length) url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

export function linkify(text: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  const plain = (end: number) => {
    if (end > at) pieces.push({ kind: 'text', text: text.slice(at, end) });
  };
  for (const match of text.matchAll(URL_LIKE)) {
    const written = trimUrl(match[0]);
    let href: string;
    try {
      const url = new URL(written);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      href = url.href;
    } catch {
      continue;
    }
    plain(match.index);
    pieces.push({ kind: 'link', text: written, href });
    at = match.index + written.length;
  }
  plain(text.length);
  return pieces;
}
