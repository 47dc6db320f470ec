/**
 * A real PostgreSQL store reached through a TCP proxy the test can cut: a throwaway database,
 * the proxy in front of it, and the store on the proxy, migrated. For the outage tests.
 */
import { openStore } from '../../src/store/index';
import type { SqlStore } from '../../src/store/SqlStore';
import { MIGRATIONS_DIR } from '../store/contract';
import { withTestDatabase, type TestDatabase } from './postgres';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

export interface ProxiedStore {
  db: TestDatabase;
  proxy: TcpProxy;
  store: SqlStore;
  /** Closes the store, the proxy and drops the database. */
  close(): Promise<void>;
}

export async function openProxiedStore(): Promise<ProxiedStore> {
  const db = await withTestDatabase();
  const target = new URL(db.url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const store = await openStore({ databaseUrl: proxy.via(db.url), dataDir: 'unused', migrationsDir: MIGRATIONS_DIR });
  await store.migrate();
  return {
    db,
    proxy,
    store,
    close: async () => {
      await store.close();
      await proxy.close();
      await db.drop();
    },
  };
}
