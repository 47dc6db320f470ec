/**
 * The server's JSON logs: joins and leaves, rejected input, and a flood, each said once and
 * without secrets (resume tokens, the admin token).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join, startServer, type TestServer } from '../support/server';

const ADMIN_TOKEN = 'log-test-admin-token-0123456789';
let lines: Record<string, unknown>[];
let raw: string[];
let server: TestServer;

beforeEach(async () => {
  lines = [];
  raw = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  server = await startServer({ ADMIN_TOKEN }, { logger: pino({ level: 'info' }, sink) });
});
afterEach(async () => {
  await server.close();
});

const said = (msg: string) => lines.filter((l) => l.msg === msg);

describe('logs', () => {
  it('are JSON lines for join, leave, rejected input and a flood, with no secrets', async () => {
    const [ann, flo] = [server.client(), server.client()];
    const ack = await join(ann, 'Ann');
    if (!ack.ok) throw new Error('join failed');
    await join(flo, 'Flo');

    const bad = await ann.timeout(2_000).emitWithAck('media:update', { muted: 'yes' } as never);
    expect(bad.ok).toBe(false);
    // More of the same within the interval: counted, not logged again.
    for (let i = 0; i < 30; i++) await ann.timeout(2_000).emitWithAck('media:update', { muted: 'yes' } as never);
    // A flood: dropped unanswered, and the flooder closed once it stays over its limit.
    const floGone = new Promise((r) => flo.once('disconnect', r));
    for (let i = 0; i < 600; i++) flo.emit('media:update', { muted: true }, () => {});
    await floGone;
    await ann.timeout(2_000).emitWithAck('room:leave', {});
    await new Promise((r) => setTimeout(r, 100));

    expect(said('participant joined').map((l) => l.participantId)).toContain(ack.data.self.id);
    expect(said('participant left')).toEqual([expect.objectContaining({ participantId: ack.data.self.id, reason: 'left' })]);
    expect(said('input rejected')).toEqual([expect.objectContaining({ event: 'media:update', code: 'invalid_payload' })]);
    // Hundreds of dropped messages, one line; and one for closing the flooder.
    expect(said('rate limit reached; dropping messages')).toHaveLength(1);
    expect(said('connection closed: stayed over its rate limit')).toHaveLength(1);

    const all = raw.join('\n');
    expect(all).not.toContain(ack.data.resumeToken);
    expect(all).not.toContain(ADMIN_TOKEN);
  });
});
