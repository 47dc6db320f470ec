/**
 * The layer boundaries are ESLint rules (eslint.config.js, `npm run lint`). These tests prove the
 * rules bite: each fixture in lint-fixtures/ holds a deliberately wrong import and is linted as
 * if it lived inside the guarded folder; and every guarded folder still exists, so a rename
 * cannot switch a boundary off without a test failing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { BOUNDARIES } from '../../eslint.config.js';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The rule ids ESLint reports for `fixture`'s text placed at `asPath` (relative to the root). */
async function ruleIds(fixture: string, asPath: string): Promise<(string | null)[]> {
  const text = readFileSync(path.join(import.meta.dirname, 'lint-fixtures', fixture), 'utf8');
  const [result] = await eslint.lintText(text, { filePath: path.join(root, asPath) });
  return result!.messages.map((m) => m.ruleId);
}

describe('layer boundaries (ESLint no-restricted-imports)', () => {
  it.each([
    ['room-imports-socket-io.ts', 'server/src/room/Fixture.ts'],
    ['room-imports-adapter.ts', 'server/src/room/Fixture.ts'],
    ['room-imports-node-io.ts', 'server/src/room/Fixture.ts'],
    ['core-imports-react.ts', 'client/src/mesh/Fixture.ts'],
    ['core-imports-react.ts', 'client/src/call/Fixture.ts'],
    ['core-imports-react.ts', 'client/src/signaling/Fixture.ts'],
    ['ui-imports-socket-io-client.tsx', 'client/src/ui/Fixture.tsx'],
    ['ui-imports-socket-io-client.tsx', 'client/src/admin/Fixture.tsx'],
    ['protocol-imports-other.ts', 'protocol/src/fixture.ts'],
  ])('%s placed at %s fails the lint', async (fixture, asPath) => {
    expect(await ruleIds(fixture, asPath)).toContain('no-restricted-imports');
  });

  it.each([['client/src/call/Fixture.ts'], ['client/src/ui/Fixture.tsx'], ['client/src/media/Fixture.ts'], ['server/src/signaling/Fixture.ts']])(
    'libwebrtc for Node imported at %s fails the lint (it stays in load/)',
    async (asPath) => {
      expect(await ruleIds('client-imports-wrtc.ts', asPath)).toContain('@typescript-eslint/no-restricted-imports');
    },
  );

  it('libwebrtc for Node may be imported in load/', async () => {
    expect(await ruleIds('client-imports-wrtc.ts', 'load/src/Fixture.ts')).toEqual([]);
  });

  it('an allowed import passes: the room may use the protocol and its own files', async () => {
    expect(await ruleIds('room-is-clean.ts', 'server/src/room/Fixture.ts')).toEqual([]);
  });

  it('the same wrong import outside a guarded folder is not a boundary error', async () => {
    expect(await ruleIds('room-imports-socket-io.ts', 'server/src/signaling/Fixture.ts')).not.toContain('no-restricted-imports');
  });

  it.each(BOUNDARIES.flatMap((b) => b.files.map((glob) => [b.name, glob])))('%s guards an existing folder (%s)', (_name, glob) => {
    const dir = path.join(root, glob.slice(0, glob.indexOf('/**')));
    expect(existsSync(dir), dir).toBe(true);
    expect(readdirSync(dir, { recursive: true }).some((f) => /\.tsx?$/.test(String(f))), dir).toBe(true);
  });
});
