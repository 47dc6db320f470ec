/** The N×N matrix of pairs, coloured by state, slow pairs marked. */
import { SLOW_RTT_MS } from '@meshtalk/protocol';
import type { Live, LivePair } from './api';
import { ms } from './format';

export function Matrix({ live }: { live: Live }) {
  const ps = live.participants;
  const byKey = new Map<string, LivePair>(live.health.pairs.map((p) => [`${p.a}|${p.b}`, p]));
  const pair = (x: string, y: string) => byKey.get(x < y ? `${x}|${y}` : `${y}|${x}`);
  if (ps.length < 2) return <p className="muted">Pairs appear when two or more people are in the room.</p>;
  return (
    <table className="matrix" aria-label="Pair matrix">
      <thead>
        <tr>
          {/* The corner names no column: a data cell, not an empty header. */}
          <td />
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

