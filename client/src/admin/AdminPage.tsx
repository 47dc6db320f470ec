/**
 * /admin: the health of every connection, live and afterwards. Polls the admin API; renders
 * the roster, the N×N matrix of pairs coloured by state and RTT, the figures that matter
 * (success rate, latency, jitter, loss, ICE restarts), charts, and past sessions with their
 * event timelines. Everything from the server is rendered as text.
 */
import { useCallback, useEffect, useState } from 'react';
import { SLOW_RTT_MS } from '@meshtalk/protocol';
import { Chart } from './Chart';
import { adminFetch, initialToken, Unauthorized, type Live, type LivePair, type SessionDetail, type SessionSummary } from './api';
import './admin.css';

const LIVE_EVERY_MS = 2_000;
const HISTORY_EVERY_MS = 10_000;

const pct = (r: number | null) => (r === null ? '–' : `${Math.round(r * 1000) / 10} %`);
const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v * 10) / 10} ms`);
const time = (t: number) => new Date(t).toLocaleTimeString();
const duration = (d: number) => {
  const s = Math.round(d / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

function usePoll<T>(fn: () => Promise<T>, everyMs: number, deps: unknown[]): { data: T | null; error: Error | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let alive = true;
    const run = () =>
      fn().then(
        (d) => alive && (setData(d), setError(null)),
        (e: Error) => {
          // A refused token is not asked again every few seconds (that would trip the throttle).
          if (e instanceof Unauthorized) clearInterval(t);
          if (alive) setError(e);
        },
      );
    void run();
    const t = setInterval(run, everyMs);
    return () => {
      alive = false;
      clearInterval(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, error };
}

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
  const live = usePoll(() => (token ? adminFetch<Live>('/api/admin/live', token) : Promise.reject(new Unauthorized(''))), LIVE_EVERY_MS, [token]);
  const sessions = usePoll(
    () => (token ? adminFetch<{ sessions: SessionSummary[] }>('/api/admin/sessions', token) : Promise.reject(new Unauthorized(''))),
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
      {live.data && <LiveView live={live.data} />}
      <History token={token} sessions={sessions.data?.sessions ?? null} error={sessions.error} />
    </main>
  );
}

function LiveView({ live }: { live: Live }) {
  const names = new Map(live.participants.map((p) => [p.id, p.name]));
  const h = live.health;
  const connectedPairs = h.pairsByState.connected ?? 0;
  return (
    <>
      <section aria-labelledby="figures">
        <h2 id="figures">Now</h2>
        <dl className="figures">
          <Figure label="Participants" value={String(live.participants.length)} />
          <Figure label="Connected pairs" value={`${connectedPairs} of ${h.pairs.length}`} />
          <Figure label="Connection success rate" value={pct(h.success.rate)} hint={`${h.success.succeeded}/${h.success.attempted} pairs within 10 s`} />
          <Figure label="Average RTT" value={ms(h.rtt.avgMs)} hint={`p95 ${ms(h.rtt.p95Ms)}`} />
          <Figure label="Jitter" value={ms(h.jitter.avgMs)} hint={`p95 ${ms(h.jitter.p95Ms)}`} />
          <Figure label="Packet loss" value={h.loss.avgPct === null ? '–' : `${h.loss.avgPct.toFixed(1)} %`} hint={`p95 ${h.loss.p95Pct === null ? '–' : `${h.loss.p95Pct.toFixed(1)} %`}`} />
          <Figure label="ICE restarts" value={String(h.iceRestarts.total)} hint={`${h.iceRestarts.recovered} recovered`} />
          <Figure label="Rows waiting for the database" value={String(live.queueDepth)} />
        </dl>
        {Object.keys(h.successByCandidate).length > 0 && (
          <p className="muted">
            By candidate type:{' '}
            {Object.entries(h.successByCandidate)
              .map(([type, r]) => `${type} ${pct(r.rate)} (${r.attempted})`)
              .join(' · ')}
          </p>
        )}
      </section>

      <section aria-labelledby="people">
        <h2 id="people">Participants</h2>
        <table aria-label="Participants">
          <thead>
            <tr>
              <th>Name</th>
              <th>Joined</th>
              <th>Muted</th>
              <th>Presenting</th>
              <th>Signaling</th>
            </tr>
          </thead>
          <tbody>
            {live.participants.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td>{time(p.joinedAt)}</td>
                <td>{p.muted ? 'muted' : ''}</td>
                <td>{p.presenting ? 'presenting' : ''}</td>
                <td>{p.connected ? 'connected' : 'reconnecting'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="matrix">
        <h2 id="matrix">Pairs</h2>
        <Matrix live={live} />
        {h.worstPairs.length > 0 && (
          <>
            <h3>Worst pairs</h3>
            <ol>
              {h.worstPairs.map((p) => (
                <li key={`${p.a}|${p.b}`}>
                  {names.get(p.a) ?? '?'} ↔ {names.get(p.b) ?? '?'}: {p.state}, RTT {ms(p.rttMs)}, loss {p.lossPct === null ? '–' : `${p.lossPct.toFixed(1)} %`}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>

      <section aria-labelledby="charts">
        <h2 id="charts">Last hour</h2>
        <div className="charts">
          <Chart title="Participants" unit="" points={live.samples.map((s) => ({ at: s.at, value: s.participants }))} />
          <Chart title="Success rate" unit=" %" max={100} points={live.samples.map((s) => ({ at: s.at, value: s.successRate === null ? null : s.successRate * 100 }))} />
          <Chart title="Average RTT" unit=" ms" points={live.samples.map((s) => ({ at: s.at, value: s.avgRttMs }))} />
        </div>
      </section>
    </>
  );
}

function Figure(props: { label: string; value: string; hint?: string }) {
  return (
    <div className="figure">
      <dt>{props.label}</dt>
      <dd>
        {props.value}
        {props.hint && <small> {props.hint}</small>}
      </dd>
    </div>
  );
}

function Matrix({ live }: { live: Live }) {
  const ps = live.participants;
  const byKey = new Map<string, LivePair>(live.health.pairs.map((p) => [`${p.a}|${p.b}`, p]));
  const pair = (x: string, y: string) => byKey.get(x < y ? `${x}|${y}` : `${y}|${x}`);
  if (ps.length < 2) return <p className="muted">Pairs appear when two or more people are in the room.</p>;
  return (
    <table className="matrix" aria-label="Pair matrix">
      <thead>
        <tr>
          <th />
          {ps.map((p) => (
            <th key={p.id} scope="col">
              {p.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {ps.map((row) => (
          <tr key={row.id}>
            <th scope="row">{row.name}</th>
            {ps.map((col) => {
              if (row.id === col.id) return <td key={col.id} className="self" />;
              const p = pair(row.id, col.id);
              const state = p?.state ?? 'new';
              const slow = p?.rttMs != null && p.rttMs > SLOW_RTT_MS;
              return (
                <td key={col.id} className={`pair ${state}${slow ? ' slow' : ''}`} data-state={state} title={`${row.name} ↔ ${col.name}`}>
                  {state}
                  <br />
                  {ms(p?.rttMs ?? null)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function History({ token, sessions, error }: { token: string; sessions: SessionSummary[] | null; error: Error | null }) {
  const [open, setOpen] = useState<string | null>(null);
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const show = useCallback(
    (id: string) => {
      setOpen(id);
      setDetail(null);
      adminFetch<SessionDetail>(`/api/admin/sessions/${id}`, token).then(setDetail, () => setDetail({ participants: [], events: [] }));
    },
    [token],
  );
  const ended = (sessions ?? []).filter((s) => s.status === 'ended').slice().reverse();
  return (
    <section aria-labelledby="history">
      <h2 id="history">Sessions</h2>
      {error && <p role="alert">History unavailable: {error.message}</p>}
      {sessions && sessions.length === 0 && <p className="muted">No sessions yet.</p>}
      {ended.length > 1 && (
        <div className="charts">
          <Chart title="Peak participants per session" unit="" points={ended.map((s) => ({ at: s.startedAt, value: s.peakParticipants }))} />
          <Chart title="Success rate per session" unit=" %" max={100} points={ended.map((s) => ({ at: s.startedAt, value: s.successRate === null ? null : s.successRate * 100 }))} />
          <Chart title="Average RTT per session" unit=" ms" points={ended.map((s) => ({ at: s.startedAt, value: s.avgRttMs }))} />
        </div>
      )}
      {sessions && sessions.length > 0 && (
        <table aria-label="Sessions">
          <thead>
            <tr>
              <th>Started</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Peak</th>
              <th>Success rate</th>
              <th>Average RTT</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>{new Date(s.startedAt).toLocaleString()}</td>
                <td>{s.status}{s.endReason ? ` (${s.endReason})` : ''}</td>
                <td>{duration(s.durationMs)}</td>
                <td>{s.peakParticipants}</td>
                <td>{pct(s.successRate)}</td>
                <td>{ms(s.avgRttMs)}</td>
                <td>
                  <button type="button" onClick={() => show(s.id)} aria-expanded={open === s.id}>
                    Timeline
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && (
        <div className="timeline">
          <h3>Timeline</h3>
          {!detail && <p className="muted">Loading…</p>}
          {detail && (
            <ol aria-label="Timeline">
              {detail.events.map((e) => (
                <li key={e.id}>
                  <time>{time(e.at)}</time> {describe(e, detail)}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}

/** One timeline line in words: who, and for pair events which pair and how. */
function describe(e: SessionDetail['events'][number], detail: SessionDetail): string {
  const nameOf = (id: unknown) => (typeof id === 'string' ? (detail.participants.find((p) => p.participantId === id)?.name ?? '?') : '?');
  const d = e.detail;
  let text = e.type.replaceAll('_', ' ');
  if (e.name) text += `: ${e.name}`;
  if (typeof d.a === 'string' && typeof d.b === 'string') text += `: ${nameOf(d.a)} ↔ ${nameOf(d.b)}`;
  if (typeof d.peerId === 'string') text += ` ↔ ${nameOf(d.peerId)}`;
  const how: string[] = [];
  if (typeof d.reason === 'string') how.push(d.reason);
  if (typeof d.candidateType === 'string') how.push(d.candidateType);
  if (typeof d.connectMs === 'number') how.push(`in ${ms(d.connectMs)}`);
  if (typeof d.quality === 'string') how.push(d.quality);
  if (typeof d.lossPct === 'number') how.push(`loss ${d.lossPct.toFixed(1)} %`);
  return how.length ? `${text} (${how.join(', ')})` : text;
}
