/**
 * Forward-only migrations: db/migrations/NNN_name.sql, applied in name order, each in its own
 * transaction together with its row in schema_migrations.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlClient } from './sql';

async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
}

async function ensureTable(db: SqlClient): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
}

async function appliedNames(db: SqlClient): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM schema_migrations`);
  return new Set(rows.map((r) => r.name));
}

export async function migrate(db: SqlClient, dir: string): Promise<string[]> {
  await ensureTable(db);
  const done = await appliedNames(db);
  const applied: string[] = [];
  for (const name of await migrationFiles(dir)) {
    if (done.has(name)) continue;
    const sql = await readFile(path.join(dir, name), 'utf8');
    await db.transaction(async (tx) => {
      await tx.query(sql);
      await tx.query(`INSERT INTO schema_migrations (name) VALUES ($1)`, [name]);
    });
    applied.push(name);
  }
  return applied;
}

export async function migrationsApplied(db: SqlClient, dir: string): Promise<boolean> {
  await ensureTable(db);
  const done = await appliedNames(db);
  return (await migrationFiles(dir)).every((f) => done.has(f));
}
