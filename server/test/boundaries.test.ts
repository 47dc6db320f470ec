/**
 * Module boundaries: the room stays pure, the client's core stays framework-free, and only the
 * signaling module talks Socket.IO. Checked on the import statements of every source file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = path.join(abs, e);
    if (statSync(p).isDirectory()) return sources(path.join(dir, e));
    return /\.(ts|tsx)$/.test(e) ? [path.join(dir, e)] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

function offenders(dir: string, forbidden: RegExp): string[] {
  return sources(dir).flatMap((f) => imports(f).filter((i) => forbidden.test(i)).map((i) => `${f} imports ${i}`));
}

describe('module boundaries', () => {
  it('server/src/room imports no I/O library', () => {
    expect(sources('server/src/room').length).toBeGreaterThan(0);
    expect(offenders('server/src/room', /^(node:|socket\.io|pg|@electric-sql|express|pino|fs|net|http)/)).toEqual([]);
  });

  it('client/src/{mesh,call,signaling} import no React', () => {
    for (const dir of ['client/src/mesh', 'client/src/call', 'client/src/signaling']) {
      expect(offenders(dir, /^react(-dom)?(\/|$)/), dir).toEqual([]);
    }
  });

  it('only client/src/signaling imports socket.io-client', () => {
    const all = sources('client/src').filter((f) => !f.startsWith(path.join('client/src/signaling')));
    expect(all.flatMap((f) => imports(f).filter((i) => i.startsWith('socket.io-client')).map((i) => `${f} imports ${i}`))).toEqual([]);
  });

  it('the protocol depends on zod alone', () => {
    expect(offenders('protocol/src', /^(?!zod$)[^./]/)).toEqual([]);
  });
});
