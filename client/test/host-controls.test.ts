/**
 * "Make <name> host" through the call's core (SPEC.md A3): the request the tile menu sends, what
 * the server's `room:host` answer does to the snapshot on either side, and a refusal as a notice.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Call } from '../src/call/Call';
import { createFakePc, settle } from './fake-rtc';
import { id, joinAnswer, person } from './fake-room';
import { FakeSignaling, MemoryStorage } from './fake-signaling';

const ANN = id(1);
const BOB = id(2);
const knock = { id: '00000000-0000-4000-8000-0000000000aa', name: 'Dee', at: 1, expiresAt: 120_001 };
const joined = () => joinAnswer(person(1, { name: 'Ann', joinedAt: 1 }), [person(2, { name: 'Bob', joinedAt: 2 })], { host: { hostId: ANN, locked: true } });

let sig: FakeSignaling;
let call: Call;

beforeEach(async () => {
  vi.stubGlobal('sessionStorage', new MemoryStorage());
  vi.stubGlobal('localStorage', new MemoryStorage());
  sig = new FakeSignaling();
  sig.respond = (event) => (event === 'room:join' ? { ok: true, data: joined() } : { ok: true, data: {} });
  call = new Call({ connect: () => sig, createPeerConnection: createFakePc, statsEveryMs: 60_000, rejoinGraceMs: 500 });
  await call.join('Ann', null);
  sig.connect();
  await settle();
});

afterEach(async () => {
  await call.leave();
  vi.unstubAllGlobals();
});

describe('Make <name> host (SPEC.md A3)', () => {
  it('[A3] sends host:transfer for that person; the answer makes them host here and takes the door from us', async () => {
    sig.emit('knock:list', { knocks: [knock] });
    expect(call.getSnapshot().host.hostId).toBe(ANN);
    expect(call.getSnapshot().knocks).toHaveLength(1);

    expect(await call.host.makeHost(BOB)).toBe(true);
    expect(sig.requests.at(-1)).toEqual({ event: 'host:transfer', payload: { participantId: BOB } });

    sig.emit('room:host', { hostId: BOB, locked: true, hostName: 'Bob', reason: 'transfer' });
    const snap = call.getSnapshot();
    expect(snap.host).toEqual({ hostId: BOB, locked: true });
    expect(snap.notice).toEqual({ kind: 'host_changed', name: 'Bob', you: false });
    // The old host no longer answers the door.
    expect(snap.knocks).toEqual([]);
  });

  it('[A3] handed back: we are the host again, and told so', () => {
    sig.emit('room:host', { hostId: BOB, locked: false, hostName: 'Bob', reason: 'transfer' });
    sig.emit('room:host', { hostId: ANN, locked: false, hostName: 'Ann', reason: 'transfer' });
    expect(call.getSnapshot().host).toEqual({ hostId: ANN, locked: false });
    expect(call.getSnapshot().notice).toEqual({ kind: 'host_changed', name: 'Ann', you: true });
  });

  it('[A2] a refused transfer is a notice with the server message, and nothing changes', async () => {
    sig.respond = () => ({ ok: false, error: { code: 'forbidden', message: 'only the host can do that' } });
    expect(await call.host.makeHost(BOB)).toBe(false);
    expect(call.getSnapshot().notice).toEqual({ kind: 'error', message: 'only the host can do that' });
    expect(call.getSnapshot().host.hostId).toBe(ANN);
  });
});
