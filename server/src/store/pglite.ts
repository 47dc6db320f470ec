/**
 * The embedded adapter: PGlite (PostgreSQL compiled to WebAssembly, in this process) behind
 * the SqlClient interface. `dataDir` is a folder, created if missing, or `memory://`.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient } from './sql';
import { SqlStore } from './SqlStore';

export const MEMORY = 'memory://';

export async function openPgliteStore(dataDir: string, opts: { migrationsDir: string }): Promise<SqlStore> {
  const memory = dataDir === MEMORY;
  if (!memory) await mkdir(dataDir, { recursive: true });
  const db = memory ? new PGlite() : new PGlite(dataDir);
  try {
    await db.waitReady;
  } catch (err) {
    // PGlite's own words ("Aborted()") leave a person who only ran `npm start` nowhere to go.
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `the embedded database in ${dataDir} could not be opened (${why}). A server killed while it wrote ` +
        `(kill -9, a crash) can leave it damaged: move the folder aside to start with an empty one, or set DATABASE_URL`,
      { cause: err },
    );
  }
  const wrap = (q: PGlite | Transaction, inTransaction: boolean): SqlClient => {
    const client: SqlClient = {
      // A parameterless script (a migration) may hold several statements: exec runs them all
      // and the last one's rows are the answer. Anything with parameters is one statement.
      query: async (sql, params) => (params?.length ? q.query(sql, params) : ((await q.exec(sql)).at(-1) ?? { rows: [] })) as never,
      transaction: (fn) => (inTransaction ? fn(client) : db.transaction((tx) => fn(wrap(tx, true)))),
    };
    return client;
  };
  return new SqlStore('pglite', wrap(db, false), opts.migrationsDir, () => db.close());
}
