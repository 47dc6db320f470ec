/** Past sessions: per-session charts, the table, and one session's event timeline. */
import { useCallback, useState } from 'react';
import { SessionDetail as SessionDetailSchema } from '@meshtalk/protocol/admin';
import { Chart } from './Chart';
import { adminFetch, type SessionDetail, type SessionSummary } from './api';
import { duration, ms, pct, time } from './format';
import { hostWords } from './host-words';

export function History({ token, sessions, error }: { token: string; sessions: SessionSummary[] | null; error: Error | null }) {
  const [open, setOpen] = useState<string | null>(null);
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const show = useCallback(
    (id: string) => {
      setOpen(id);
      setDetail(null);
      adminFetch(`/api/admin/sessions/${id}`, token, SessionDetailSchema).then(setDetail, () => setDetail({ participants: [], events: [] }));
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
              <th>Messages</th>
              <th>Events</th>
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
                <td>{s.chatMessages}</td>
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
  const host = hostWords(e);
  if (host) return host;
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
