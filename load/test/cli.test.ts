/**
 * `npm run load` as an operator meets it when something is wrong: the built CLI as a child
 * process against the real server (port 0, real Socket.IO). Each case gives one clear line and
 * its exit code: 2 bad arguments, 3 the room unreachable or refusing us, 1 a full room. None of
 * these gets as far as ICE, so none needs the loopback-only namespace; the runs that carry
 * media are in e2e/load.spec.ts and e2e/full-room.spec.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join, startServer, type TestServer } from '../../server/test/support/server';
import { encodeWav, type Pcm } from '../src/wav';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'load/dist/main.js');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function load(args: string[], timeoutMs = 30_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load did not exit within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The one line an error gives (stderr), without the hint that follows a usage error. */
const firstLine = (r: Ran) => r.stderr.split('\n')[0]!;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'load/build.mjs')], { cwd: ROOT });
});

describe('load CLI: arguments (exit 2, one line)', () => {
  it.each([
    [['--participants', '3'], /^load: --url is required/],
    [['--url', 'ftp://example.com/'], /^load: bad URL "ftp:\/\/example.com\/": the scheme must be http, https, ws or wss/],
    [['--url', 'not a url'], /^load: bad URL "not a url"/],
    [['--url', 'http://127.0.0.1:1/', '--participants', '0'], /^load: --participants must be between 1 and 50, not 0/],
    [['--url', 'http://127.0.0.1:1/', '--participants', 'many'], /^load: --participants must be a whole number, not "many"/],
    [['--url', 'http://127.0.0.1:1/', '--seconds=-5'], /^load: --seconds must be a whole number, not "-5"/],
    [['--url', 'http://127.0.0.1:1/', '--seconds'], /^load: Option '--seconds <value>' argument missing/],
    [['--url', 'http://127.0.0.1:1/', '--names', 'Ann,Bob', '--participants', '3'], /^load: --names has 2 names for 3 participants/],
    [['--url', 'http://127.0.0.1:1/', '--colour', 'red'], /^load: Unknown option '--colour'/],
    [['--url', 'http://127.0.0.1:1/', '--audio', '/nonexistent/voice.wav'], /^load: cannot read --audio \/nonexistent\/voice.wav: ENOENT/],
    [['--url', 'http://127.0.0.1:1/', '--ptime', '30'], /^load: --ptime must be one of 20, 40, 60 \(ms of audio per packet\), not "30"$/],
  ])('%j', async (args, line) => {
    const r = await load(args);
    expect(r.code).toBe(2);
    expect(firstLine(r)).toMatch(line);
  });

  it('an audio file that is not 16-bit PCM WAV is refused before anyone joins', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-load-'));
    writeFileSync(path.join(dir, 'noise.wav'), Buffer.from('definitely not audio'));
    const r = await load(['--url', 'http://127.0.0.1:1/', '--audio', path.join(dir, 'noise.wav')]);
    expect(r.code).toBe(2);
    expect(firstLine(r)).toBe(`load: --audio ${path.join(dir, 'noise.wav')}: not a WAV file (no RIFF/WAVE header)`);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await load(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: npm run load -- --url <room URL>');
  });

  it('--json reports an argument error as one JSON object', async () => {
    const r = await load(['--json', '--participants', '3']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout.trim())).toEqual({ type: 'error', message: expect.stringMatching(/^--url is required/), exitCode: 2 });
  });
});

describe('load CLI: the room cannot be had (exit 3, or 1 when full)', () => {
  let server: TestServer;
  let strict: TestServer;
  let other: Server;
  let otherUrl: string;

  beforeAll(async () => {
    server = await startServer({ ROOM_CAPACITY: '2' });
    // A server whose address is another name: the Host check refuses 127.0.0.1.
    strict = await startServer({ PUBLIC_URL: 'https://room.example.com' });
    other = createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await server?.close();
    await strict?.close();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('an unreachable server: "cannot reach …: connection refused"', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await load(['--url', `http://127.0.0.1:${port}/`, '--participants', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`load: cannot reach http://127.0.0.1:${port}: connection refused (is the server running, on that port?)`);
  });

  it('a web server that is no meshtalk room', async () => {
    const r = await load(['--url', otherUrl, '--participants', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`load: no meshtalk room at ${otherUrl.replace(/\/$/, '')}: /socket.io/ answers 404`);
  });

  it('a refused Origin names the origin and what to change', async () => {
    const r = await load(['--url', server.url, '--origin', 'https://elsewhere.example', '--participants', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "load: the room refused our Origin https://elsewhere.example (403 origin not allowed): the server's PUBLIC_URL or ALLOWED_ORIGINS must include it, or pass --origin",
    );
  });

  it('a refused Host says to use the public address', async () => {
    const r = await load(['--url', strict.url, '--participants', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`load: the room refused the host ${new URL(strict.url).host} (403 host not allowed): use the address in the server's PUBLIC_URL`);
  });

  it('the preflight holds no connection afterwards', async () => {
    await load(['--url', server.url, '--origin', 'https://elsewhere.example', '--participants', '1']);
    const r = await load(['--url', otherUrl, '--participants', '1']);
    expect(r.code).toBe(3);
    expect(server.app.io.engine.clientsCount).toBe(0);
  });

  it('[R1] a full room: "room is full (it holds 2)", exit 1, and the members inside are undisturbed', async () => {
    const a = server.client();
    const b = server.client();
    expect((await join(a, 'Ann')).ok).toBe(true);
    expect((await join(b, 'Bob')).ok).toBe(true);
    let left = 0;
    a.on('participant:left', () => (left += 1));
    const r = await load(['--url', server.url, '--participants', '1', '--seconds', '20']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('FAILED: room is full (it holds 2): 1 of 1 participants were refused');
    expect(left).toBe(0);
    a.disconnect();
    b.disconnect();
  });
});

describe('WAV files for --audio', () => {
  it('round-trips a mono 16-bit file and reads stereo as its mix', async () => {
    const { parseWav } = await import('../src/wav');
    const pcm: Pcm = { sampleRate: 16_000, samples: Int16Array.from({ length: 1_600 }, (_, i) => (i % 50) * 100) };
    const back = parseWav(encodeWav(pcm));
    expect(back).toEqual(pcm);
    const stereo = encodeWav({ sampleRate: 48_000, samples: Int16Array.from({ length: 960 }, (_, i) => (i % 2 ? 1_000 : 3_000)) });
    stereo.writeUInt16LE(2, 22);
    stereo.writeUInt32LE(48_000 * 4, 28);
    stereo.writeUInt16LE(4, 32);
    const mixed = parseWav(stereo);
    expect('samples' in mixed && [...mixed.samples.slice(0, 3)]).toEqual([2_000, 2_000, 2_000]);
  });

  it('refuses rates that do not make 10 ms frames, and 8-bit audio', async () => {
    const { parseWav } = await import('../src/wav');
    expect(parseWav(encodeWav({ sampleRate: 11_025, samples: new Int16Array(2_000) }))).toEqual({ error: '11025 Hz: 8 000 to 48 000 Hz in whole hundreds is needed' });
    const eight = encodeWav({ sampleRate: 8_000, samples: new Int16Array(800) });
    eight.writeUInt16LE(8, 34);
    expect(parseWav(eight)).toEqual({ error: '8-bit WAV (format 1): 16-bit PCM is needed' });
  });
});
