/** The live half of /admin: the figures that matter, the roster, the pair matrix, the charts. */
import { CONNECT_WINDOW_TEXT } from '@meshtalk/protocol/admin';
import { Chart } from './Chart';
import { Matrix } from './Matrix';
import type { Live } from './api';
import { ms, pct, time } from './format';

export function LiveView({ live }: { live: Live }) {
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
          <Figure label="Connection success rate" value={pct(h.success.rate)} hint={`${h.success.succeeded}/${h.success.attempted} pairs within ${CONNECT_WINDOW_TEXT}`} />
          <Figure label="Median RTT" value={ms(h.rtt.medianMs)} hint={`p95 ${ms(h.rtt.p95Ms)}`} />
          <Figure label="Jitter" value={ms(h.jitter.medianMs)} hint={`p95 ${ms(h.jitter.p95Ms)}`} />
          <Figure label="Packet loss" value={h.loss.medianPct === null ? '–' : `${h.loss.medianPct.toFixed(1)} %`} hint={`p95 ${h.loss.p95Pct === null ? '–' : `${h.loss.p95Pct.toFixed(1)} %`}`} />
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
          <Chart title="Median RTT" unit=" ms" points={live.samples.map((s) => ({ at: s.at, value: s.medianRttMs }))} />
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

