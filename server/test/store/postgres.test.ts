import { openStore } from '../../src/store/index';
import { withTestDatabase } from '../support/postgres';
import { MIGRATIONS_DIR, storeContract } from './contract';

storeContract(`PostgreSQL (${process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'throwaway server'})`, async () => {
  const db = await withTestDatabase();
  return { store: await openStore({ databaseUrl: db.url, dataDir: 'unused', migrationsDir: MIGRATIONS_DIR }), cleanup: db.drop };
});
