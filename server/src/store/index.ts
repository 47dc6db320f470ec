/**
 * Opens the store: PostgreSQL through `pg` when a URL is given, else the embedded PGlite
 * (a folder, or `memory://`). Both run the same SQL and the same migrations.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { SqlClient } from './sql';
import { SqlStore } from './SqlStore';
import type { Store } from './types';

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  /** The embedded database's folder, or `memory://`. */
  dataDir: string;
  migrationsDir: string;
  /** Called when an idle pooled connection fails (the pool replaces it; nothing crashes). */
  onPoolError?: (err: Error) => void;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts.dataDir, opts.migrationsDir);
}

function openPostgres(url: string, opts: OpenStoreOptions): Store {
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  pool.on('error', (err) => opts.onPoolError?.(err));
  const client: SqlClient = {
    query: async (sql, params) => pool.query(sql, params as unknown[]) as never,
    async transaction(fn) {
      const conn = await pool.connect();
      let broken = false;
      try {
        await conn.query('BEGIN');
        const tx: SqlClient = { query: async (sql, params) => conn.query(sql, params as unknown[]) as never, transaction: (f) => f(tx) };
        // Inside a transaction, a nested transaction() simply joins it.
        const out = await fn(tx);
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        conn.release(broken);
      }
    },
  };
  return new SqlStore('postgres', client, opts.migrationsDir, () => pool.end());
}

async function openPglite(dataDir: string, migrationsDir: string): Promise<Store> {
  const memory = dataDir === 'memory://';
  if (!memory) await mkdir(dataDir, { recursive: true });
  const db = memory ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>, inTransaction: boolean): SqlClient => {
    const client: SqlClient = {
      // A statement list without parameters (a migration) goes through exec; everything else is one query.
      query: async (sql, params) => (params?.length ? q.query(sql, params) : ((await q.exec(sql)).at(-1) ?? { rows: [] })) as never,
      transaction: (fn) => (inTransaction ? fn(client) : db.transaction((tx) => fn(wrap(tx, true)))),
    };
    return client;
  };
  return new SqlStore('pglite', wrap(db, false), migrationsDir, () => db.close());
}
