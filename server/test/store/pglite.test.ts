import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index';
import { MIGRATION_FILES, MIGRATIONS_DIR, storeContract } from './contract';

storeContract('PGlite (embedded, in memory)', async () => ({
  store: await openStore({ dataDir: 'memory://', migrationsDir: MIGRATIONS_DIR }),
  cleanup: async () => {},
}));

describe('PGlite on disk', () => {
  it('a folder it cannot open is refused with what to do, not only PGlite\'s own words', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-pglite-bad-'));
    try {
      // Not a database PGlite can read: what a damaged folder looks like to it.
      writeFileSync(path.join(dir, 'PG_VERSION'), '99\n');
      await expect(openStore({ dataDir: dir, migrationsDir: MIGRATIONS_DIR })).rejects.toThrow(`the embedded database in ${dir} could not be opened`);
      await expect(openStore({ dataDir: dir, migrationsDir: MIGRATIONS_DIR })).rejects.toThrow('move the folder aside to start with an empty one, or set DATABASE_URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A first open of an empty folder runs initdb inside WebAssembly: seconds, more on a busy machine.
  it('keeps its data across a reopen of the same folder', { timeout: 180_000 }, async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'meshtalk-pglite-')), 'nested', 'data');
    try {
      const a = await openStore({ dataDir: dir, migrationsDir: MIGRATIONS_DIR });
      expect(await a.migrate()).toEqual(MIGRATION_FILES);
      await a.apply([{ kind: 'session_open', id: '11111111-1111-4111-8111-111111111111', at: new Date() }]);
      await a.close();
      const b = await openStore({ dataDir: dir, migrationsDir: MIGRATIONS_DIR });
      expect(await b.migrationsApplied()).toBe(true);
      expect(await b.migrate()).toEqual([]);
      expect((await b.listSessions(5)).map((s) => s.id)).toEqual(['11111111-1111-4111-8111-111111111111']);
      await b.close();
    } finally {
      rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
    }
  });
});
