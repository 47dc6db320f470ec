/**
 * A migrated store on a fresh real PostgreSQL database for the tests of one `describe` (or file):
 * made before them, closed and dropped after. Read `.store` inside the tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { openStore, type SqlStore } from '../../src/store/index';
import { MIGRATIONS_DIR } from '../store/contract';
import { withTestDatabase, type TestDatabase } from './postgres';

export function usePostgresStore(): { readonly store: SqlStore } {
  let db: TestDatabase | undefined;
  let store: SqlStore | undefined;
  beforeAll(async () => {
    db = await withTestDatabase();
    store = await openStore({ databaseUrl: db.url, dataDir: 'unused', migrationsDir: MIGRATIONS_DIR });
    await store.migrate();
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });
  return {
    get store() {
      if (!store) throw new Error('the store is made in beforeAll');
      return store;
    },
  };
}
