/**
 * The admin timeline's words for the host's steps (client/src/admin/host-words.ts), one case per
 * stored row kind and reason, with the rows as server/src/signaling/event-rows.ts writes them:
 * `detail.byName` is the actor (null for the admin), `name` the row's participant.
 */
import { describe, expect, it } from 'vitest';
import { SessionEventType } from '@meshtalk/protocol/admin';
import type { SessionDetail } from '../src/admin/api';
import { hostWords } from '../src/admin/host-words';

type Row = SessionDetail['events'][number];

let seq = 0;
const row = (type: string, detail: Record<string, unknown> = {}, name: string | null = null): Row => ({
  id: `e${++seq}`,
  seq,
  type,
  at: 1_700_000_000_000 + seq,
  name,
  participantId: name ? `p-${name}` : null,
  detail,
});
const byAnn = { by: 'p-Ann', byName: 'Ann' };
const byAdmin = { by: null, byName: null };

/** The stored kinds the host's actions and the door write (protocol/src/admin.ts). */
const HOST_KINDS = ['host_changed', 'muted_by_host', 'removed', 'locked', 'unlocked', 'knocked', 'admitted', 'denied', 'ended_by_host'] as const;

describe('host steps in words', () => {
  it('[A1] the first to join is the host', () => {
    expect(hostWords(row('host_changed', { reason: 'first', name: 'Ann', ...byAdmin }, 'Ann'))).toBe('Ann is the host (first to join)');
  });

  it('[A3] a transfer says who handed the role to whom, the admin included', () => {
    expect(hostWords(row('host_changed', { reason: 'transfer', name: 'Bob', ...byAnn }, 'Bob'))).toBe('Ann made Bob host');
    expect(hostWords(row('host_changed', { reason: 'transfer', name: 'Bob', ...byAdmin }, 'Bob'))).toBe('The admin made Bob host');
  });

  it('[A4] succession: the host left', () => {
    expect(hostWords(row('host_changed', { reason: 'succession', name: 'Bob', ...byAdmin }, 'Bob'))).toBe('Bob became host (the host left)');
  });

  it('[P1] the host is the host again after a restart', () => {
    expect(hostWords(row('host_changed', { reason: 'restored', name: 'Bob', ...byAdmin }, 'Bob'))).toBe('Bob is the host again after the restart');
  });

  it('[A5] a mute names who did it and whom, by the row participant', () => {
    expect(hostWords(row('muted_by_host', byAnn, 'Bob'))).toBe('Ann muted Bob');
    expect(hostWords(row('muted_by_host', byAdmin, 'Dee'))).toBe('The admin muted Dee');
  });

  it('[A6] a removal', () => {
    expect(hostWords(row('removed', byAnn, 'Cid'))).toBe('Ann removed Cid');
    expect(hostWords(row('removed', byAdmin, 'Cid'))).toBe('The admin removed Cid');
  });

  it('[K1] lock and unlock, by the host, by the admin, and by itself when the room emptied', () => {
    expect(hostWords(row('locked', byAnn, 'Ann'))).toBe('Ann locked the room');
    expect(hostWords(row('locked', byAdmin))).toBe('The admin locked the room');
    expect(hostWords(row('unlocked', byAnn, 'Ann'))).toBe('Ann unlocked the room');
    expect(hostWords(row('unlocked', byAdmin))).toBe('The admin unlocked the room');
    expect(hostWords(row('unlocked', { ...byAdmin, auto: 'empty' }))).toBe('The room unlocked (everyone left)');
  });

  it('[K2] [K3] [K4] a knock, and its answer by the host or the admin', () => {
    expect(hostWords(row('knocked', { knockId: 'k1', name: 'Dee' }))).toBe('Dee knocked');
    expect(hostWords(row('admitted', { knockId: 'k1', name: 'Dee', ...byAnn }, 'Dee'))).toBe('Ann let Dee in');
    expect(hostWords(row('admitted', { knockId: 'k1', name: 'Dee', ...byAdmin }, 'Dee'))).toBe('The admin let Dee in');
    expect(hostWords(row('denied', { knockId: 'k2', name: 'Eve', ...byAnn }))).toBe('Ann did not let Eve in');
    expect(hostWords(row('denied', { knockId: 'k2', name: 'Eve', ...byAdmin }))).toBe('The admin did not let Eve in');
  });

  it('[E1] end for everyone', () => {
    expect(hostWords(row('ended_by_host', byAnn, 'Ann'))).toBe('Ann ended the call for everyone');
    expect(hostWords(row('ended_by_host', byAdmin))).toBe('The admin ended the call for everyone');
  });

  it('every host kind is a stored kind and has words; every other stored kind is left to the generic line', () => {
    for (const kind of HOST_KINDS) {
      expect(SessionEventType.options).toContain(kind);
      expect(hostWords(row(kind, { reason: 'first', name: 'Ann', ...byAnn }, 'Ann')), kind).toEqual(expect.any(String));
    }
    for (const kind of SessionEventType.options.filter((k) => !(HOST_KINDS as readonly string[]).includes(k))) {
      expect(hostWords(row(kind, { name: 'Ann', ...byAnn }, 'Ann')), kind).toBeNull();
    }
  });

  it('a row with missing or malformed detail still reads, with "?" for what is missing', () => {
    expect(hostWords(row('knocked', { name: 42 }))).toBe('? knocked');
    expect(hostWords(row('host_changed', { reason: 'transfer' }))).toBe('The admin made ? host');
  });
});
