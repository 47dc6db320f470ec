/**
 * Opens the store: PostgreSQL through `pg` when a URL is given, else the embedded PGlite (a
 * folder, or `memory://`). Both run the same SQL (sql.ts) and the same migrations (migrate.ts).
 * Opening does not migrate: the caller runs `migrate()` and then `closeOpen()` at start-up.
 */
import { defaultMigrationsDir } from './migrate';
import { openPgStore } from './pg';
import { openPgliteStore } from './pglite';
import type { SqlStore } from './SqlStore';

export interface OpenStoreOptions {
  /** Set → PostgreSQL; unset or empty → PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** The embedded database's folder (created if missing), or `memory://`. Unused with a URL. */
  dataDir: string;
  /** The migrations folder; defaults to the repository's db/migrations (see defaultMigrationsDir). */
  migrationsDir?: string | undefined;
  /** PostgreSQL only: told when a pooled connection fails (the pool replaces it; nothing crashes). */
  onPoolError?: ((err: Error) => void) | undefined;
  /** PostgreSQL only: a statement unanswered this long fails and its connection is dropped (default 30 s). */
  queryTimeoutMs?: number | undefined;
}

export async function openStore(opts: OpenStoreOptions): Promise<SqlStore> {
  const migrationsDir = opts.migrationsDir ?? defaultMigrationsDir();
  return opts.databaseUrl
    ? openPgStore(opts.databaseUrl, { migrationsDir, onConnectionError: opts.onPoolError, queryTimeoutMs: opts.queryTimeoutMs })
    : openPgliteStore(opts.dataDir, { migrationsDir });
}

export { defaultMigrationsDir } from './migrate';
export { MEMORY } from './pglite';
export type { SqlStore } from './SqlStore';
export type * from './types';
