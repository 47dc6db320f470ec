/**
 * Forward-only migrations: `<dir>/NNN_name.sql`, applied in numeric order, each in its own
 * transaction together with its row in `schema_migrations`, so a failed file leaves no trace
 * and the next start tries it again. An advisory lock serializes concurrent runners (two pods
 * starting at once): the second waits, then finds the file applied and skips it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from './sql';

const FILE = /^(\d+)_[\w.-]+\.sql$/;
/** An arbitrary constant naming this app's migration lock. */
const LOCK = `SELECT pg_advisory_xact_lock(7358240117)`;
const TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;

/**
 * The repository's db/migrations, found by walking up from this module: that works from the
 * source tree (server/src/store/) and from the bundle (server/dist/main.js) alike. A deployment
 * with another layout passes `migrationsDir` explicitly.
 */
export function defaultMigrationsDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'db', 'migrations');
    if (existsSync(candidate) && readdirSync(candidate).some((f) => FILE.test(f))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no db/migrations folder found above ${from}; pass migrationsDir`);
  }
}

/** The migration file names in the order they apply; two files with one number are an error. */
export async function migrationFiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir))
    .map((name) => ({ name, n: FILE.exec(name)?.[1] }))
    .filter((f): f is { name: string; n: string } => f.n !== undefined)
    .map((f) => ({ name: f.name, n: Number(f.n) }))
    .sort((a, b) => a.n - b.n);
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.n === files[i - 1]!.n) throw new Error(`two migrations share number ${files[i]!.n}: ${files[i - 1]!.name}, ${files[i]!.name}`);
  }
  return files.map((f) => f.name);
}

async function appliedNames(db: SqlClient): Promise<Set<string>> {
  const { rows } = await db.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.query(TABLE);
    return tx.query<{ name: string }>(`SELECT name FROM schema_migrations`);
  });
  return new Set(rows.map((r) => r.name));
}

/** Applies the files not yet applied, in order; returns their names. Stops at the first failure. */
export async function migrate(db: SqlClient, dir: string): Promise<string[]> {
  const files = await migrationFiles(dir);
  const done = await appliedNames(db);
  const applied: string[] = [];
  for (const name of files) {
    if (done.has(name)) continue;
    const sql = await readFile(path.join(dir, name), 'utf8');
    const ran = await db.transaction(async (tx) => {
      await tx.query(LOCK);
      // Another runner may have applied it while this one waited for the lock.
      if ((await tx.query(`SELECT 1 FROM schema_migrations WHERE name = $1`, [name])).rows.length > 0) return false;
      await tx.query(sql);
      await tx.query(`INSERT INTO schema_migrations (name) VALUES ($1)`, [name]);
      return true;
    });
    if (ran) applied.push(name);
  }
  return applied;
}

/** True when every file in `dir` has been applied. */
export async function migrationsApplied(db: SqlClient, dir: string): Promise<boolean> {
  const files = await migrationFiles(dir);
  const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!rows[0]?.present) return files.length === 0;
  const done = new Set((await db.query<{ name: string }>(`SELECT name FROM schema_migrations`)).rows.map((r) => r.name));
  return files.every((f) => done.has(f));
}
