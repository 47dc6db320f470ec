/**
 * Dockerfile.server and Dockerfile.client, parsed with dockerfile-ast (no Docker engine here):
 * their shape, their base images, their user, and that they build with the very scripts CI runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Dockerfile, type From, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/nginx';

interface Stage {
  from: From;
  name: string | null;
  instructions: Instruction[];
}

function stages(file: Dockerfile): Stage[] {
  const out: Stage[] = [];
  for (const instruction of file.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      out.push({ from, name: from.getBuildStage(), instructions: [] });
    } else {
      out.at(-1)?.instructions.push(instruction);
    }
  }
  return out;
}

const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');
const parse = (rel: string) => DockerfileParser.parse(read(rel));
const args = (i: Instruction) => i.getArgumentsContent() ?? '';
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword);
/** JSON (exec) form of CMD/ENTRYPOINT, or null for the shell form. */
const execForm = (i: Instruction | undefined): string[] | null => {
  if (!i) return null;
  try {
    const v = JSON.parse(args(i)) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
};

const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; workspaces: string[] };
const workspacePkg = (ws: string) => JSON.parse(read(`${ws}/package.json`)) as { scripts?: Record<string, string> };

/** .dockerignore as Docker reads it (enough of its syntax for our file: globs, `**`, `!`). */
function ignored(rel: string): boolean {
  const rules = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/^\//, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replaceAll('\u0000', '(?:.*/)?')}(?:/.*)?$`,
    );
  let out = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    if (toRegex(negated ? rule.slice(1) : rule).test(rel)) out = !negated;
  }
  return out;
}

/** The stage or image a COPY takes from (`--from=`), if any. */
const fromFlag = (i: Instruction): string | null =>
  (i as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> }).getFlags().find((f) => f.getName() === 'from')?.getValue() ?? null;

const SECRETISH = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY|DATABASE_URL/i;

describe.each(['Dockerfile.server', 'Dockerfile.client'])('%s', (name) => {
  const file = parse(name);
  const all = stages(file);
  const final = all.at(-1)!;
  const stageNames = new Set(all.map((s) => s.name).filter(Boolean));

  it('is multi-stage: a build stage and a runtime stage that copies from it', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const sources = of(final, 'COPY').map((c) => fromFlag(c)).filter(Boolean);
    expect(sources.some((s) => stageNames.has(s))).toBe(true);
  });

  it('pins every base image to an exact version, never latest', () => {
    for (const stage of all) {
      const image = stage.from.getImageName();
      if (image && stageNames.has(image)) continue;
      const tag = stage.from.getImageTag();
      const digest = stage.from.getImageDigest();
      expect(tag, `${image}`).not.toBe('latest');
      expect(digest !== null || /^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/.test(tag ?? ''), `${image}:${tag} must name an exact version`).toBe(true);
    }
  });

  it('builds on a maintained Node LTS (even major, 22 or later) and a small variant', () => {
    for (const stage of all.filter((s) => s.from.getImageName() === 'node')) {
      const tag = stage.from.getImageTag() ?? '';
      const major = Number(tag.split('.')[0]);
      expect(major % 2, tag).toBe(0);
      expect(major, tag).toBeGreaterThanOrEqual(22);
      expect(tag, 'slim or alpine').toMatch(/-(slim|bookworm-slim|trixie-slim|alpine[\d.]*)$/);
    }
  });

  it('runs as a numeric non-root user', () => {
    const users = of(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = args(users.at(-1)!);
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it('puts no secrets in ENV or ARG, and copies no .env file', () => {
    for (const stage of all) {
      for (const i of [...of(stage, 'ENV'), ...of(stage, 'ARG')]) {
        for (const prop of (i as unknown as { getProperties(): Array<{ getName(): string }> }).getProperties()) {
          expect(prop.getName(), `${i.getKeyword()} ${args(i)}`).not.toMatch(SECRETISH);
        }
      }
      for (const c of of(stage, 'COPY')) expect(args(c)).not.toMatch(/\.env\b/);
    }
  });

  it('copies only what exists and what .dockerignore lets into the build context', () => {
    for (const stage of all) {
      for (const c of [...of(stage, 'COPY'), ...of(stage, 'ADD')]) {
        if (fromFlag(c)) continue;
        const words = c.getExpandedArguments().map((a) => a.getValue()).filter((w) => !w.startsWith('--'));
        for (const src of words.slice(0, -1)) {
          expect(existsSync(path.join(REPO, src)), `${src} exists`).toBe(true);
          expect(ignored(src), `${src} is not in .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('installs with `npm ci` from the lockfile, every workspace manifest in place first', () => {
    const build = all[0]!;
    const runs = of(build, 'RUN').map(args);
    const ciAt = build.instructions.findIndex((i) => i.getKeyword() === 'RUN' && /^npm ci\b/.test(args(i)));
    expect(ciAt, runs.join('\n')).toBeGreaterThanOrEqual(0);
    const copiedBefore = build.instructions
      .slice(0, ciAt)
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) => i.getExpandedArguments().map((a) => a.getValue()));
    expect(copiedBefore).toContain('package-lock.json');
    for (const ws of pkg.workspaces) expect(copiedBefore, ws).toContain(`${ws}/package.json`);
    expect(runs.join('\n')).not.toMatch(/npm (i|install)\b/);
  });

  it('deletes the source maps the build writes before the runtime stage copies client/dist', () => {
    const build = all[0]!;
    const at = (pred: (i: Instruction) => boolean) => build.instructions.findIndex(pred);
    const built = at((i) => i.getKeyword() === 'RUN' && /^npm run build\b/.test(args(i)));
    const pruned = at((i) => i.getKeyword() === 'RUN' && /^find (\S+ )*client\/dist( \S+)* -name '\*\.map' -delete$/.test(args(i)));
    expect(built).toBeGreaterThanOrEqual(0);
    expect(pruned, 'RUN find client/dist -name \'*.map\' -delete').toBeGreaterThan(built);
    expect(of(final, 'COPY').map(args).join('\n')).toMatch(/client\/dist/);
  });

  it('builds with the npm scripts CI runs (no drift)', () => {
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm ci\b/m);
    // The same build, with the page's test hook built in (VITE_TEST_HOOK=1) for the e2e specs.
    expect(pkg.scripts['test:e2e']).toMatch(/^(VITE_TEST_HOOK=1 )?npm run build\b/);
    const runs = of(all[0]!, 'RUN').map(args).filter((r) => r.startsWith('npm run '));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      const m = /^npm run (\S+)(?: -w (\S+))?$/.exec(run);
      expect(m, run).not.toBeNull();
      const [, script, ws] = m!;
      if (ws) {
        expect(workspacePkg(ws).scripts?.[script!], run).toBeDefined();
        // The workspace build is one step of the root build that CI runs.
        expect(pkg.scripts.build!.split('&&').map((s) => s.trim()), run).toContain(run);
      } else {
        expect(pkg.scripts[script!], run).toBeDefined();
      }
    }
  });
});

describe('Dockerfile.server specifically', () => {
  const all = stages(parse('Dockerfile.server'));
  const final = all.at(-1)!;

  it('builds with `npm run build`, exactly what `npm start` runs before starting node', () => {
    expect(of(all[0]!, 'RUN').map(args)).toContain('npm run build');
    expect(pkg.scripts.start).toBe('npm run build && node server/dist/main.js');
  });

  it('starts node directly (exec form) under tini, the same entry as `npm start`', () => {
    expect(execForm(of(final, 'ENTRYPOINT').at(-1))).toEqual(['/usr/bin/tini', '--']);
    const cmd = execForm(of(final, 'CMD').at(-1));
    expect(cmd).toEqual(['node', 'server/dist/main.js']);
    expect(pkg.scripts.start!.endsWith(cmd!.join(' '))).toBe(true);
    expect(of(final, 'RUN').map(args).join('\n')).toMatch(/apt-get install[^\n]*\btini\b/);
  });

  it('ships the bundle, the client, production dependencies and the migrations', () => {
    const copies = of(final, 'COPY').map(args).join('\n');
    for (const what of ['server/dist', 'client/dist', 'node_modules', 'db/migrations']) expect(copies).toContain(what);
    expect(of(all[0]!, 'RUN').map(args)).toContain('npm prune --omit=dev --no-audit --no-fund');
    expect(existsSync(path.join(REPO, 'db/migrations'))).toBe(true);
  });

  it('runs as the uid the Kubernetes manifests require', () => {
    const uid = Number(args(of(final, 'USER').at(-1)!).split(':')[0]);
    const deployment = read('k8s/base/server-deployment.yaml');
    expect(deployment).toMatch(new RegExp(`runAsUser: ${uid}\\b`));
  });
});

describe('Dockerfile.client specifically', () => {
  const all = stages(parse('Dockerfile.client'));
  const final = all.at(-1)!;

  it('serves the SPA with our nginx.conf from unprivileged nginx on 8080', () => {
    expect(final.from.getImageName()).toBe('nginxinc/nginx-unprivileged');
    const copies = of(final, 'COPY').map(args);
    expect(copies).toContain('nginx.conf /etc/nginx/nginx.conf');
    expect(copies.join('\n')).toMatch(/client\/dist \/usr\/share\/nginx\/html/);
    expect(of(final, 'EXPOSE').map(args)).toContain('8080');
    expect(read('nginx.conf')).toMatch(/^\s*listen 8080;/m);
    expect(execForm(of(final, 'ENTRYPOINT').at(-1))).toEqual(['nginx', '-g', 'daemon off;']);
  });

  it('runs as the uid the Kubernetes manifests require', () => {
    const uid = Number(args(of(final, 'USER').at(-1)!).split(':')[0]);
    expect(read('k8s/base/client-deployment.yaml')).toMatch(new RegExp(`runAsUser: ${uid}\\b`));
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, local data and secrets out of the context', () => {
    for (const p of ['node_modules', 'server/node_modules', 'client/dist', 'server/dist', 'data', '.env', 'server/.env', '.git']) {
      expect(ignored(p), p).toBe(true);
    }
    for (const p of ['package.json', 'server/src/main.ts', 'nginx.conf', 'db/migrations/001_init.sql']) expect(ignored(p), p).toBe(false);
  });
});
