/**
 * The migration runner against real PostgreSQL: numeric order, a failed file leaves no trace,
 * duplicate numbers are refused, two runners racing apply each file once, and the default
 * folder is found from both the source tree and the bundle.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir } from '../../src/store/migrate';
import { openStore } from '../../src/store/index';
import type { SqlStore } from '../../src/store/SqlStore';
import { withTestDatabase, type TestDatabase } from '../support/postgres';
import { MIGRATION_FILES, MIGRATIONS_DIR } from './contract';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function freshStore(dir: string, db?: TestDatabase): Promise<SqlStore> {
  const database = db ?? (await withTestDatabase());
  if (!db) cleanups.push(database.drop);
  const store = await openStore({ databaseUrl: database.url, dataDir: 'unused', migrationsDir: dir });
  cleanups.push(() => store.close());
  return store;
}

const tables = async (store: SqlStore) =>
  (await store.sql.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);

describe('migrations', () => {
  it('apply in numeric order, not name order', async () => {
    const dir = migrationsDir({
      '10_c.sql': `ALTER TABLE b ADD COLUMN c int;`,
      '2_b.sql': `CREATE TABLE b (a_id int REFERENCES a (id));`,
      '1_a.sql': `CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1);`,
      'README.md': `not a migration`,
    });
    const store = await freshStore(dir);
    expect(await store.migrate()).toEqual(['1_a.sql', '2_b.sql', '10_c.sql']);
    expect(await tables(store)).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('a failing file leaves nothing of itself, and the next run applies it once fixed', async () => {
    const dir = migrationsDir({
      '001_ok.sql': `CREATE TABLE ok (id int);`,
      '002_bad.sql': `CREATE TABLE half (id int); SELECT no_such_function();`,
      '003_later.sql': `CREATE TABLE later (id int);`,
    });
    const store = await freshStore(dir);
    await expect(store.migrate()).rejects.toThrow(/no_such_function/);
    expect(await tables(store)).toEqual(['ok', 'schema_migrations']);
    expect(await store.migrationsApplied()).toBe(false);
    writeFileSync(path.join(dir, '002_bad.sql'), `CREATE TABLE half (id int);`);
    expect(await store.migrate()).toEqual(['002_bad.sql', '003_later.sql']);
    expect(await store.migrationsApplied()).toBe(true);
  });

  it('refuses two files with the same number before touching the database', async () => {
    const store = await freshStore(migrationsDir({ '001_a.sql': `CREATE TABLE a (id int);`, '01_b.sql': `CREATE TABLE b (id int);` }));
    await expect(store.migrate()).rejects.toThrow(/share number 1/);
    expect(await tables(store)).toEqual([]);
  });

  it('two servers starting at once apply each file exactly once', async () => {
    const db = await withTestDatabase();
    cleanups.push(db.drop);
    const [a, b] = [await freshStore(MIGRATIONS_DIR, db), await freshStore(MIGRATIONS_DIR, db)];
    const results = await Promise.all([a.migrate(), b.migrate(), a.migrate(), b.migrate()]);
    expect(results.flat().sort()).toEqual(MIGRATION_FILES);
    expect(await a.migrationsApplied()).toBe(true);
    expect(await b.migrationsApplied()).toBe(true);
  });

  it('migrationsApplied reads without creating anything', async () => {
    const store = await freshStore(MIGRATIONS_DIR);
    expect(await store.migrationsApplied()).toBe(false);
    expect(await tables(store)).toEqual([]);
  });

  it('the default folder is the repository db/migrations, from source and from the bundle', async () => {
    const repo = path.resolve(MIGRATIONS_DIR, '..', '..');
    expect(defaultMigrationsDir()).toBe(MIGRATIONS_DIR);
    expect(defaultMigrationsDir(path.join(repo, 'server', 'dist'))).toBe(MIGRATIONS_DIR);
    const empty = mkdtempSync(path.join(tmpdir(), 'meshtalk-nowhere-'));
    mkdirSync(path.join(empty, 'db', 'migrations'), { recursive: true });
    cleanups.push(async () => rmSync(empty, { recursive: true, force: true }));
    // A db/migrations without any migration in it is not the one; the search goes on upwards (and fails at /).
    expect(() => defaultMigrationsDir(path.join(empty, 'server', 'dist'))).toThrow(/no db\/migrations/);
    const store = await openStore({ databaseUrl: (await db()).url, dataDir: 'unused' });
    cleanups.push(() => store.close());
    expect(await store.migrate()).toEqual(MIGRATION_FILES);
  });
});

async function db(): Promise<TestDatabase> {
  const d = await withTestDatabase();
  cleanups.push(d.drop);
  return d;
}
