/** The admin API's responses, as the page reads them, and a fetch that carries the token. */

export interface LivePair {
  a: string;
  b: string;
  state: string;
  rttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  candidateType: string | null;
  connectMs: number | null;
}

export interface Rate {
  attempted: number;
  succeeded: number;
  rate: number | null;
}

export interface Sample {
  at: number;
  participants: number;
  successRate: number | null;
  avgRttMs: number | null;
  p95RttMs: number | null;
}

export interface Live {
  now: number;
  sessionId: string | null;
  participants: { id: string; name: string; joinedAt: number; muted: boolean; connected: boolean; presenting: boolean }[];
  health: {
    pairs: LivePair[];
    worstPairs: LivePair[];
    success: Rate;
    successByCandidate: Record<string, Rate>;
    rtt: { avgMs: number | null; p95Ms: number | null };
    jitter: { avgMs: number | null; p95Ms: number | null };
    loss: { avgPct: number | null; p95Pct: number | null };
    iceRestarts: { total: number; recovered: number };
    pairsByState: Record<string, number>;
  };
  queueDepth: number;
  samples: Sample[];
}

export interface SessionSummary {
  id: string;
  status: string;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  durationMs: number;
  peakParticipants: number;
  pairsAttempted: number;
  successRate: number | null;
  avgRttMs: number | null;
}

export interface SessionDetail {
  participants: { participantId: string; name: string; joinedAt: number; leftAt: number | null; leaveReason: string | null }[];
  events: { id: string; seq: number; type: string; at: number; name: string | null; participantId: string | null; detail: Record<string, unknown> }[];
}

export class Unauthorized extends Error {}

export async function adminFetch<T>(path: string, token: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (res.status === 401 || res.status === 429) throw new Unauthorized(res.status === 429 ? 'Too many wrong tokens; wait a few minutes.' : 'That token is not valid.');
  if (!res.ok) throw new Error(`The server answered ${res.status}.`);
  return (await res.json()) as T;
}

/** The token arrives in the URL fragment (never sent to the server) and is kept for the tab. */
export function initialToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('meshtalk.adminToken', fromHash);
    history.replaceState(null, '', location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem('meshtalk.adminToken') ?? '';
}
