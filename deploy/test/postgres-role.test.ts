/**
 * overlays/gke-postgres in real PostgreSQL: the init script the StatefulSet mounts, run as the
 * image runs it (a shell with POSTGRES_USER, POSTGRES_DB and the role's name and password in its
 * environment), creates a role the server can start with (its own migrations, then the start-up
 * clean-up) and that can do nothing a superuser could. On a throwaway server (or
 * TEST_DATABASE_URL), in a database and under role names of its own.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/src/store';
import { serverUrl } from '../../server/test/support/postgres';
import { build } from './support/kustomize';
import { REPO } from './support/nginx';

const rendered = build(path.join(REPO, 'k8s', 'overlays', 'gke-postgres'));
const script = (rendered.find((r) => r.kind === 'ConfigMap' && r.metadata.name === 'meshtalk-postgres-init') as unknown as { data: Record<string, string> }).data['init-app-role.sh']!;
const suffix = randomBytes(4).toString('hex');
const DB = `meshtalk_role_${suffix}`;
const APP = `meshtalk_app_${suffix}`;
const OTHER = `meshtalk_other_${suffix}`;

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

/** `base` (the superuser's URL) as another role or database; the server role with its password. */
function urlFor(base: string, user: string, database: string): string {
  const url = new URL(base);
  if (user !== decodeURIComponent(url.username)) url.password = user === APP ? PASSWORD : '';
  url.username = user;
  url.pathname = `/${database}`;
  return url.toString();
}

async function as(base: string, user: string, database: string, run: (c: pg.Client) => Promise<void>): Promise<void> {
  const c = new pg.Client(urlFor(base, user, database));
  c.on('error', () => {});
  await c.connect();
  try {
    await run(c);
  } finally {
    await c.end();
  }
}

/** The SQLSTATE of a statement that must fail (42501 = insufficient privilege). */
async function refusal(c: pg.Client, sql: string): Promise<string> {
  try {
    await c.query(sql);
    return 'accepted';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('overlays/gke-postgres: the server role the init script creates, in real PostgreSQL', () => {
  let base: string;
  let superuser: string;

  beforeAll(async () => {
    base = await serverUrl();
    superuser = decodeURIComponent(new URL(base).username) || 'postgres';
    await as(base, superuser, new URL(base).pathname.slice(1) || 'postgres', async (c) => {
      await c.query(`CREATE DATABASE ${DB}`);
      await c.query(`CREATE ROLE ${OTHER} LOGIN`);
    });
    const u = new URL(base);
    // As the image runs it: a shell script, psql on the path, the superuser's connection.
    const r = spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        PGHOST: u.hostname,
        PGPORT: u.port || '5432',
        PGPASSWORD: decodeURIComponent(u.password),
        POSTGRES_USER: superuser,
        POSTGRES_DB: DB,
        MESHTALK_DB_USER: APP,
        MESHTALK_DB_PASSWORD: PASSWORD,
      },
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  }, 90_000);

  afterAll(async () => {
    if (!base) return;
    await as(base, superuser, new URL(base).pathname.slice(1) || 'postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${APP}`);
      await c.query(`DROP ROLE IF EXISTS ${OTHER}`);
    });
  });

  it('is no superuser and may not create roles or databases, replicate or bypass row security', async () => {
    await as(base, superuser, DB, async (c) => {
      const { rows } = await c.query('SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1', [APP]);
      expect(rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false, rolcanlogin: true }]);
    });
  });

  it("applies the server's migrations and its start-up clean-up as that role", async () => {
    const store = await openStore({ databaseUrl: urlFor(base, APP, DB), dataDir: 'unused' });
    try {
      expect((await store.migrate()).length).toBeGreaterThan(0);
      await store.closeOpen('server_restart', new Date());
      expect(await store.listSessions(5)).toEqual([]);
    } finally {
      await store.close();
    }
    await as(base, superuser, DB, async (c) => {
      const { rows } = await c.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
      expect(rows).toEqual([{ tableowner: APP }]);
    });
  });

  it('is refused what only a superuser may do: roles, databases, server files, programs', async () => {
    await as(base, APP, DB, async (c) => {
      expect(await refusal(c, `CREATE ROLE intruder_${suffix} SUPERUSER`)).toBe('42501');
      expect(await refusal(c, `CREATE DATABASE other_${suffix}`)).toBe('42501');
      expect(await refusal(c, `SELECT pg_read_file('PG_VERSION')`)).toBe('42501');
      expect(await refusal(c, `COPY (SELECT 1) TO PROGRAM 'true'`)).toBe('42501');
      expect(await refusal(c, `ALTER ROLE ${APP} SUPERUSER`)).toBe('42501');
    });
  });

  it("keeps other roles out of the server's database (nothing granted to PUBLIC)", async () => {
    let code = 'connected';
    try {
      await as(base, OTHER, DB, async () => {});
    } catch (err) {
      code = (err as { code?: string }).code ?? String(err);
    }
    expect(code).toBe('42501');
  });
});
