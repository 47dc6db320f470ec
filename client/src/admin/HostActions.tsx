/**
 * The admin's host controls (POST /api/admin/host/:action): everything a host can do, without
 * being a participant. Remove and End for everyone ask first. What the server answers is shown.
 */
import { useState } from 'react';
import { AdminHostOk, type HostAction } from '@meshtalk/protocol/admin';
import { adminPost } from './api';
import type { Live } from './api';

export function HostActions({ live, token }: { live: Live; token: string }) {
  const [result, setResult] = useState<string | null>(null);
  const act = (action: HostAction, body: Record<string, unknown>, done: string) =>
    adminPost(`/api/admin/host/${action}`, token, body, AdminHostOk).then(
      () => setResult(done),
      (e: Error) => setResult(e.message),
    );
  const { hostId, locked, knocks } = live.host;
  const host = live.participants.find((p) => p.id === hostId);
  return (
    <section aria-labelledby="host">
      <h2 id="host">Host</h2>
      <p>
        Host: {host?.name ?? 'nobody'} · {locked ? 'locked' : 'open'}{' '}
        <button type="button" onClick={() => void act('lock', { locked: !locked }, locked ? 'Unlocked' : 'Locked')}>
          {locked ? 'Unlock room' : 'Lock room'}
        </button>{' '}
        <button
          type="button"
          className="danger"
          disabled={live.participants.length === 0}
          onClick={() => window.confirm('End the call for everyone?') && void act('end', {}, 'Ended for everyone')}
        >
          End for everyone
        </button>
      </p>
      {knocks.map((k) => (
        <p key={k.id} role="group" aria-label={`${k.name} wants to join`}>
          {k.name} wants to join{' '}
          <button type="button" onClick={() => void act('admit', { knockId: k.id }, `Admitted ${k.name}`)}>
            Admit
          </button>{' '}
          <button type="button" onClick={() => void act('deny', { knockId: k.id }, `Denied ${k.name}`)}>
            Deny
          </button>
        </p>
      ))}
      <ul>
        {live.participants.map((p) => (
          <li key={p.id}>
            {p.name}{' '}
            {p.id !== hostId && (
              <button type="button" onClick={() => void act('transfer', { participantId: p.id }, `${p.name} is host`)}>
                Make {p.name} host
              </button>
            )}{' '}
            <button type="button" disabled={p.muted} onClick={() => void act('mute', { participantId: p.id }, `Muted ${p.name}`)}>
              Mute {p.name}
            </button>{' '}
            <button
              type="button"
              className="danger"
              onClick={() => window.confirm(`Remove ${p.name} from the room?`) && void act('remove', { participantId: p.id }, `Removed ${p.name}`)}
            >
              Remove {p.name}
            </button>
          </li>
        ))}
      </ul>
      {result && <p role="status">{result}</p>}
    </section>
  );
}
