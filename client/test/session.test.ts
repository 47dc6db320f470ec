/**
 * The session core in plain Node: no window, no sessionStorage, no MediaStream. It joins, keeps
 * the roster, links with everyone and recovers lost signals when a socket comes back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Participant } from '@meshtalk/protocol';
import { Session, type SessionEvent } from '../src/call/Session';
import { memoryIdentity, webStorageIdentity } from '../src/call/identity';
import { createFakePc, FakePeerConnection, settle } from './fake-rtc';
import { id, joinAnswer, person } from './fake-room';
import { FakeSignaling, MemoryStorage } from './fake-signaling';

const joined = (participants: Participant[]) => joinAnswer(person(5, { name: 'Eve' }), participants, { resumeToken: 't'.repeat(43) });

let sig: FakeSignaling;
let session: Session;
let events: SessionEvent[];

beforeEach(() => {
  FakePeerConnection.created = [];
  sig = new FakeSignaling();
  sig.respond = (event) => (event === 'room:join' ? { ok: true, data: joined([person(2), person(9)]) } : { ok: true, data: {} });
  events = [];
  session = new Session({ connect: () => sig, createPeerConnection: createFakePc, identity: memoryIdentity() });
  session.on((e) => events.push(e));
});
afterEach(() => session.close('left'));

const offersTo = (to: string) => sig.requests.filter((r) => r.event === 'signal:send' && (r.payload as { to: string; description?: { type: string } }).to === to && (r.payload as { description?: { type: string } }).description?.type === 'offer');

describe('Session (Node, no DOM)', () => {
  it('runs without DOM globals', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    expect(typeof (globalThis as { sessionStorage?: unknown }).sessionStorage).toBe('undefined');
  });

  it('joins, lists the roster, links with everyone, and keeps its identity in the injected store', async () => {
    const identity = memoryIdentity();
    session = new Session({ connect: () => sig, createPeerConnection: createFakePc, identity });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(session.status).toBe('in-room');
    expect([...session.roster.keys()]).toEqual([id(2), id(9)]);
    expect(session.mesh.peerIds).toEqual([id(2), id(9)]);
    expect(identity.load()).toEqual({ participantId: id(5), resumeToken: 't'.repeat(43) });
    // Eve (5) is impolite towards 9 and offers; polite towards 2 and waits for its offer.
    expect(offersTo(id(9))).toHaveLength(1);
    expect(offersTo(id(2))).toHaveLength(0);
  });

  it('sends signals without asking for an ack (a join of ten sends hundreds); everything else still asks', async () => {
    await session.join('Eve', null);
    sig.connect();
    await settle();
    const signals = sig.requests.filter((r) => r.event === 'signal:send');
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((r) => r.acked === false)).toBe(true);
    expect(sig.requests.find((r) => r.event === 'room:join')).not.toHaveProperty('acked');
  });

  it('a lost offer is sent again when the peer comes back to signaling, not before', async () => {
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(offersTo(id(9))).toHaveLength(1);
    // Person 9's socket drops (the offer in flight is lost) and comes back.
    sig.emit('participant:updated', person(9, { connected: false }));
    await settle();
    expect(offersTo(id(9))).toHaveLength(1);
    sig.emit('participant:updated', person(9, { connected: true }));
    await settle();
    expect(offersTo(id(9))).toHaveLength(2);
    expect(offersTo(id(9))[1]!.payload).toEqual(offersTo(id(9))[0]!.payload);
  });

  it('a full room ends the session with no links', async () => {
    sig.respond = (event) => (event === 'room:join' ? { ok: false, error: { code: 'room_full', message: 'full' } } : { ok: true, data: {} });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(session.status).toBe('room-full');
    expect(session.mesh.peerIds).toEqual([]);
    expect(events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual(['joining', 'room-full']);
  });

  it('[M4] joins first without an id (the server issues id and token), then resumes with both', async () => {
    const identity = memoryIdentity();
    session = new Session({ connect: () => sig, createPeerConnection: createFakePc, identity });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(sig.requests.filter((r) => r.event === 'room:join').map((r) => r.payload)).toEqual([{ name: 'Eve', muted: false }]);
    sig.drop();
    sig.connect();
    await settle();
    expect(sig.last('room:join')).toEqual({ name: 'Eve', muted: false, participantId: id(5), resumeToken: 't'.repeat(43) });
  });

  it('[M4] an identity the server did not issue (forbidden) is dropped, and the session joins as someone new', async () => {
    const identity = memoryIdentity();
    identity.save({ participantId: id(7), resumeToken: 'f'.repeat(43) });
    let refused = 0;
    sig.respond = (event, payload) => {
      if (event !== 'room:join') return { ok: true, data: {} };
      if ((payload as { participantId?: string }).participantId) {
        refused += 1;
        return { ok: false, error: { code: 'forbidden', message: 'this participant id was not issued with that resume token' } };
      }
      return { ok: true, data: joined([]) };
    };
    session = new Session({ connect: () => sig, createPeerConnection: createFakePc, identity });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(refused).toBe(1);
    expect(session.status).toBe('in-room');
    expect(identity.load()).toEqual({ participantId: id(5), resumeToken: 't'.repeat(43) });
  });

  it('[M4] a stored identity that is not well formed is never sent (it would only be refused)', () => {
    const storage = new MemoryStorage();
    const store = webStorageIdentity(() => storage as unknown as Storage);
    for (const bad of [{ participantId: 'alice', resumeToken: 't'.repeat(43) }, { participantId: id(3), resumeToken: 'short' }, 'junk', 42]) {
      storage.setItem('meshtalk.identity', JSON.stringify(bad));
      expect(store.load()).toBeNull();
    }
    storage.setItem('meshtalk.identity', JSON.stringify({ participantId: id(3).toUpperCase(), resumeToken: 't'.repeat(43) }));
    expect(store.load()).toEqual({ participantId: id(3), resumeToken: 't'.repeat(43) });
  });

  it('[L3] re-joins under the name the room assigned ("Eve (2)"), not the one typed', async () => {
    sig.respond = (event) => (event === 'room:join' ? { ok: true, data: { ...joined([]), self: person(5, { name: 'Eve (2)' }) } } : { ok: true, data: {} });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(session.self?.name).toBe('Eve (2)');
    sig.drop();
    sig.connect();
    await settle();
    expect((sig.last('room:join') as { name: string }).name).toBe('Eve (2)');
  });
});

describe('Session and the host (SPEC.md A5, A6, K2–K4, E1)', () => {
  const waiting = { ok: false as const, error: { code: 'waiting_for_host' as const, message: 'locked', details: { knockId: id(70), expiresAt: 1 } } };

  it('[K2][K3] at a locked room it knocks and waits; admitted, it is in the room with the answer it was sent', async () => {
    sig.respond = (event) => (event === 'room:join' ? waiting : { ok: true, data: {} });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    expect(session.status).toBe('knocking');
    expect(session.mesh.peerIds).toEqual([]);
    sig.emit('knock:answer', { admitted: true, join: { ...joined([person(2)]), host: { hostId: id(2), locked: true } } });
    await settle();
    expect(session.status).toBe('in-room');
    expect(session.mesh.peerIds).toEqual([id(2)]);
    expect(events).toContainEqual({ type: 'host', host: { hostId: id(2), locked: true, hostName: null, reason: null } });
  });

  it('[K4] denied, it ends and closes its connection (no coming back by itself); unlocked, it joins again', async () => {
    sig.respond = (event) => (event === 'room:join' ? waiting : { ok: true, data: {} });
    await session.join('Eve', null);
    sig.connect();
    await settle();
    sig.emit('knock:answer', { admitted: false, reason: 'unlocked' });
    expect(session.status).toBe('joining');
    expect(sig.closed).toBe(false);
    sig.emit('knock:answer', { admitted: false, reason: 'denied' });
    expect(session.status).toBe('denied');
    expect(sig.closed).toBe(true);
  });

  it('[A6][E1] removed or ended by the host: over, with who did it, and the identity is not used again', async () => {
    await session.join('Eve', null);
    sig.connect();
    await settle();
    sig.emit('room:closed', { reason: 'removed', by: 'Ann' });
    expect(session.status).toBe('removed');
    expect(events.at(-1)).toEqual({ type: 'status', status: 'removed', by: 'Ann' });
    expect(sig.closed).toBe(true);
    expect(session.mesh.peerIds).toEqual([]);
  });

  it('[A5] muted by the host: it knows, and its next re-join says muted', async () => {
    await session.join('Eve', null);
    sig.connect();
    await settle();
    sig.emit('host:muted', { by: null });
    expect(events.at(-1)).toEqual({ type: 'muted-by-host', by: null });
    expect(session.self?.muted).toBe(true);
    sig.drop();
    sig.connect();
    await settle();
    expect(sig.last('room:join')).toMatchObject({ muted: true });
  });
});
