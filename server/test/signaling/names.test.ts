/**
 * L3: a display name is something the others can see and tell apart. Invisible, ignorable and
 * format characters go, stacked combining marks are capped, a name needs a visible letter or
 * digit, and two people with the same name in the room are told apart as a meeting would:
 * "Ann", "Ann (2)".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collect, join, startServer, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe('[L3][V1] display names', () => {
  it.each([
    ['a zero-width space', '\u200B'],
    ['word joiners', '\u2060\u2060\u2060'],
    ['Hangul fillers', '\u3164\u3164'],
    ['Braille blanks', '\u2800\u2800\u2800'],
    ['combining marks alone', '\u0301\u0301\u0301'],
    ['punctuation alone', '...'],
  ])('refuses a name of %s: no visible letter or digit', async (_label, name) => {
    server = await startServer();
    const r = await join(server.client(), name);
    expect(r.ok ? 'admitted' : r.error).toEqual({ code: 'invalid_payload', message: expect.stringMatching(/name: .*letter or digit/) });
    expect(server.app.room.size).toBe(0);
  });

  it('strips ignorable and format characters and caps stacked combining marks', async () => {
    server = await startServer();
    const invisible = await join(server.client(), 'A\u200Bn\u2060n\u3164\u2800\u00AD\uFEFF');
    expect(invisible.ok && invisible.data.self.name).toBe('Ann');
    const zalgo = await join(server.client(), `Z${'\u0363'.repeat(63)}oe`);
    expect(zalgo.ok && zalgo.data.self.name).toBe(`Z${'\u0363'.repeat(3)}oe`);
    const spaced = await join(server.client(), 'Bob\u3000\u00A0  Smith');
    expect(spaced.ok && spaced.data.self.name).toBe('Bob Smith');
  });

  it('[N1] makes names unique in the room: " (2)", " (3)", case and width ignored; the others see the assigned name', async () => {
    server = await startServer();
    const first = server.client();
    expect((await join(first, 'Ann')).ok).toBe(true);
    const joined = collect(first, 'participant:joined');
    const names: string[] = [];
    for (const name of ['Ann', 'ann', 'Ａｎｎ', 'Ann (2)']) {
      const r = await join(server.client(), name);
      if (!r.ok) throw new Error(r.error.message);
      names.push(r.data.self.name);
    }
    expect(names).toEqual(['Ann (2)', 'ann (3)', 'Ａｎｎ (4)', 'Ann (2) (2)']);
    await expect.poll(() => joined.map((p) => p.name)).toEqual(names);
    expect(server.app.room.participants().map((p) => p.name)).toEqual(['Ann', ...names]);
  });

  it('[N1] a resume keeps the assigned name, and a freed name can be taken again', async () => {
    server = await startServer();
    const a = server.client();
    const ann = await join(a, 'Ann');
    const second = await join(server.client(), 'Ann');
    if (!ann.ok || !second.ok) throw new Error('join failed');
    expect(second.data.self.name).toBe('Ann (2)');
    const back = await join(server.client(), 'Ann (2)', { participantId: second.data.self.id, resumeToken: second.data.resumeToken });
    expect(back.ok && back.data.self.name).toBe('Ann (2)');
    await a.timeout(3000).emitWithAck('room:leave', {});
    const third = await join(server.client(), 'Ann');
    expect(third.ok && third.data.self.name).toBe('Ann');
  });

  it('[N1] a long name keeps the suffix within 64 characters', async () => {
    server = await startServer();
    const long = 'N'.repeat(64);
    await join(server.client(), long);
    const r = await join(server.client(), long);
    expect(r.ok && r.data.self.name).toBe(`${'N'.repeat(60)} (2)`);
  });
});
