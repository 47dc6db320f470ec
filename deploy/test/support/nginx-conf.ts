/**
 * A small parser for nginx's configuration syntax (directives, blocks, quotes, comments),
 * enough to check the structure of nginx.conf: which directive sits in which block.
 */
export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new Error('nginx.conf: unterminated quote');
      tokens.push(`\u0000${value}`);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};]/.test(text[j]!)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const unquote = (t: string) => (t.startsWith('\u0000') ? t.slice(1) : t);

export function parseNginx(text: string): Directive[] {
  const tokens = tokenize(text);
  let pos = 0;
  const parseBlock = (nested: boolean): Directive[] => {
    const out: Directive[] = [];
    let words: string[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++]!;
      if (t === ';') {
        if (words.length === 0) throw new Error('nginx.conf: empty directive');
        out.push({ name: words[0]!, args: words.slice(1) });
        words = [];
      } else if (t === '{') {
        if (words.length === 0) throw new Error('nginx.conf: block without a name');
        out.push({ name: words[0]!, args: words.slice(1), block: parseBlock(true) });
        words = [];
      } else if (t === '}') {
        if (!nested || words.length) throw new Error('nginx.conf: unbalanced }');
        return out;
      } else {
        words.push(unquote(t));
      }
    }
    if (nested || words.length) throw new Error('nginx.conf: unexpected end');
    return out;
  };
  return parseBlock(false);
}

/** Every directive named `name` anywhere, with the names of the blocks it sits in. */
export function findAll(tree: Directive[], name: string, parents: string[] = []): Array<{ directive: Directive; parents: string[] }> {
  const found: Array<{ directive: Directive; parents: string[] }> = [];
  for (const d of tree) {
    if (d.name === name) found.push({ directive: d, parents });
    if (d.block) found.push(...findAll(d.block, name, [...parents, d.name]));
  }
  return found;
}

export const child = (d: Directive | undefined, name: string, ...args: string[]): Directive | undefined =>
  d?.block?.find((x) => x.name === name && args.every((a, i) => x.args[i] === a));
