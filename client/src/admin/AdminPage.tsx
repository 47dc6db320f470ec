/**
 * /admin: the health of every connection, live and afterwards. Polls the admin API; renders
 * the roster, the N×N matrix of pairs coloured by state and RTT, the figures that matter
 * (success rate, latency, jitter, loss, ICE restarts), charts, and past sessions with their
 * event timelines. Everything from the server is rendered as text.
 */
import { useEffect, useState } from 'react';
import { LiveResponse, SessionsResponse } from '@meshtalk/protocol/admin';
import { adminFetch, initialToken, Unauthorized } from './api';
import { History } from './History';
import { HostActions } from './HostActions';
import { LiveView } from './LiveView';
import { usePoll } from './use-poll';
import './admin.css';

const LIVE_EVERY_MS = 2_000;
const HISTORY_EVERY_MS = 10_000;

export function AdminPage() {
  const [token, setToken] = useState(initialToken);
  const [draft, setDraft] = useState('');
  // A new #token=… pasted into the address bar of an open page is a same-document navigation.
  useEffect(() => {
    const onHash = () => {
      if (new URLSearchParams(location.hash.slice(1)).has('token')) setToken(initialToken());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const live = usePoll(() => (token ? adminFetch('/api/admin/live', token, LiveResponse) : Promise.reject(new Unauthorized(''))), LIVE_EVERY_MS, [token]);
  const sessions = usePoll(
    () => (token ? adminFetch('/api/admin/sessions', token, SessionsResponse) : Promise.reject(new Unauthorized(''))),
    HISTORY_EVERY_MS,
    [token],
  );

  if (!token || live.error instanceof Unauthorized) {
    return (
      <main className="admin">
        <h1>meshtalk admin</h1>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            sessionStorage.setItem('meshtalk.adminToken', draft);
            setToken(draft);
          }}
        >
          <label>
            Admin token <input type="password" value={draft} onChange={(e) => setDraft(e.target.value)} autoComplete="off" />
          </label>
          <button type="submit">Open</button>
          {live.error?.message && <p role="alert">{live.error.message}</p>}
        </form>
      </main>
    );
  }

  return (
    <main className="admin">
      <h1>meshtalk admin</h1>
      {live.error && <p role="alert">Live figures unavailable: {live.error.message}</p>}
      {live.data && <HostActions live={live.data} token={token} />}
      {live.data && <LiveView live={live.data} />}
      <History token={token} sessions={sessions.data?.sessions ?? null} error={sessions.error} />
    </main>
  );
}

