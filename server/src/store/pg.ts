/**
 * The PostgreSQL adapter: a `pg` pool behind the SqlClient interface. A dropped connection
 * must never crash the process, so every place pg can emit 'error' has a listener: the pool
 * (idle clients) and each client while a transaction holds it.
 */
import pg from 'pg';
import type { SqlClient } from './sql';
import { SqlStore } from './SqlStore';

export interface PgStoreOptions {
  migrationsDir: string;
  /** Told about connection-level failures (an idle client dropped, a held client's socket died). */
  onConnectionError?: ((err: Error) => void) | undefined;
  /** Pool size; the write queue uses one connection at a time, reads the rest. */
  max?: number | undefined;
  /**
   * A statement that has had no answer for this long fails and its connection is dropped:
   * a silently vanished server (no RST) otherwise stalls the write queue for good.
   */
  queryTimeoutMs?: number | undefined;
}

export function pgClient(pool: pg.Pool, onConnectionError: (err: Error) => void = () => {}): SqlClient {
  return {
    query: async (sql, params) => pool.query(sql, params) as never,
    async transaction(fn) {
      const conn = await pool.connect();
      // While checked out a client has no pool listener; an unheard 'error' would be thrown.
      conn.on('error', onConnectionError);
      let failure: Error | undefined;
      try {
        await conn.query('BEGIN');
        const tx: SqlClient = { query: async (sql, params) => conn.query(sql, params) as never, transaction: (inner) => inner(tx) };
        const out = await fn(tx);
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        // The connection is dropped rather than rolled back: it may be dead or mid-statement,
        // and the server rolls back a transaction whose connection goes away.
        failure = err instanceof Error ? err : new Error(String(err));
        throw err;
      } finally {
        conn.release(failure);
        conn.off('error', onConnectionError);
      }
    },
  };
}

export function openPgStore(url: string, opts: PgStoreOptions): SqlStore {
  const onError = opts.onConnectionError ?? (() => {});
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: opts.queryTimeoutMs ?? 30_000,
    keepAlive: true,
  });
  pool.on('error', onError);
  return new SqlStore('postgres', pgClient(pool, onError), opts.migrationsDir, () => pool.end());
}
