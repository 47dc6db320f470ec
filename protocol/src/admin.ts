/**
 * The admin HTTP API (`/api/admin/*`, behind the admin token), defined once as zod schemas: the
 * server builds these shapes, the /admin page parses them. Also the session vocabulary the room,
 * the store and the admin page share.
 */
import { z } from 'zod';
import { CandidateType, HostRequests, Knock, ParticipantId, PeerConnectionState, type HostEventName } from './index';

/** A pair counts as connected successfully when it reached `connected` within this window. */
export const CONNECT_WINDOW_MS = 10_000;
/** The window in words, for help texts and labels. */
export const CONNECT_WINDOW_TEXT = `${CONNECT_WINDOW_MS / 1000} s`;

/** A room session's lifecycle: one person alone, two or more, nobody left (SPEC.md L1). */
export const SessionStatus = z.enum(['waiting', 'active', 'ended']);
export type SessionStatus = z.infer<typeof SessionStatus>;

/**
 * What a session's timeline records. `link_poor` rows written before `link_bad` existed may
 * carry `detail.quality: 'bad'`; readers go by the detail.
 */
export const SessionEventType = z.enum([
  'joined',
  'resumed',
  'disconnected',
  'left',
  'muted',
  'unmuted',
  'screen_started',
  'screen_ended',
  'room_full_rejected',
  'connection_succeeded',
  'connection_failed',
  'ice_restarted',
  'link_poor',
  'link_bad',
  'hand_raised',
  'hand_lowered',
  // The host's actions and the door (host.ts); `detail.by` is the actor's participant id, null for an admin.
  'host_changed',
  'muted_by_host',
  'removed',
  'locked',
  'unlocked',
  'knocked',
  'admitted',
  'denied',
  'ended_by_host',
]);
export type SessionEventType = z.infer<typeof SessionEventType>;

/** One unordered pair {a, b} (a < b), joined from what its two ends report. */
export const PairView = z.object({
  a: z.string(),
  b: z.string(),
  state: PeerConnectionState,
  rttMs: z.number().nullable(),
  jitterMs: z.number().nullable(),
  lossPct: z.number().nullable(),
  candidateType: CandidateType.nullable(),
  connectMs: z.number().nullable(),
});
export type PairView = z.infer<typeof PairView>;

export const SuccessRate = z.object({
  attempted: z.number(),
  succeeded: z.number(),
  /** succeeded / attempted, or null before any attempt was decided. */
  rate: z.number().nullable(),
});
export type SuccessRate = z.infer<typeof SuccessRate>;

export const LiveHealth = z.object({
  pairs: z.array(PairView),
  /** Pairs not connected, losing more than the poor threshold, or slower than SLOW_RTT_MS; worst first. */
  worstPairs: z.array(PairView),
  success: SuccessRate,
  successByCandidate: z.record(z.string(), SuccessRate),
  /**
   * Over the present pairs, median and 95th percentile: of each pair's RTT and jitter (the lower
   * of its two ends' claims), and of the loss both ends agree on (the lower direction). Never
   * means, so one participant's claims cannot set them.
   */
  rtt: z.object({ medianMs: z.number().nullable(), p95Ms: z.number().nullable() }),
  jitter: z.object({ medianMs: z.number().nullable(), p95Ms: z.number().nullable() }),
  loss: z.object({ medianPct: z.number().nullable(), p95Pct: z.number().nullable() }),
  /** Restarts of present links as the server counted them (a few per link at a time, at most one per 5 s after). */
  iceRestarts: z.object({ total: z.number(), recovered: z.number() }),
  pairsByState: z.record(z.string(), z.number()),
});
export type LiveHealth = z.infer<typeof LiveHealth>;

/** One point of the live charts. */
export const Sample = z.object({
  at: z.number(),
  participants: z.number(),
  successRate: z.number().nullable(),
  medianRttMs: z.number().nullable(),
  p95RttMs: z.number().nullable(),
});
export type Sample = z.infer<typeof Sample>;

/** GET /api/admin/live */
export const LiveResponse = z.object({
  now: z.number(),
  sessionId: z.string().nullable(),
  participants: z.array(
    z.object({ id: z.string(), name: z.string(), joinedAt: z.number(), muted: z.boolean(), connected: z.boolean(), presenting: z.boolean() }),
  ),
  health: LiveHealth,
  /** The host, the lock and who waits at the door. */
  host: z.object({ hostId: ParticipantId.nullable(), locked: z.boolean(), knocks: z.array(Knock) }),
  queueDepth: z.number(),
  samples: z.array(Sample),
});
export type LiveResponse = z.infer<typeof LiveResponse>;

export const SessionSummary = z.object({
  id: z.string(),
  status: SessionStatus,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  endReason: z.string().nullable(),
  durationMs: z.number(),
  peakParticipants: z.number(),
  /** Pairs whose connection outcome was decided in this session. */
  pairsAttempted: z.number(),
  successRate: z.number().nullable(),
  /** Mean RTT of the pairs that connected, at the moment they were decided. */
  avgRttMs: z.number().nullable(),
  /** How many chat messages the session had (their text is not part of the admin API). */
  chatMessages: z.number(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** GET /api/admin/sessions */
export const SessionsResponse = z.object({ sessions: z.array(SessionSummary) });
export type SessionsResponse = z.infer<typeof SessionsResponse>;

/** GET /api/admin/sessions/:id */
export const SessionDetail = z.object({
  participants: z.array(
    z.object({ participantId: z.string(), name: z.string(), joinedAt: z.number(), leftAt: z.number().nullable(), leaveReason: z.string().nullable() }),
  ),
  events: z.array(
    z.object({
      id: z.string(),
      seq: z.number(),
      /** A string, not the closed set: a page older than the server still shows a newer type. */
      type: z.string(),
      at: z.number(),
      name: z.string().nullable(),
      participantId: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type SessionDetail = z.infer<typeof SessionDetail>;

/** The error body of every admin endpoint. */
export const AdminError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type AdminError = z.infer<typeof AdminError>;

/**
 * POST /api/admin/host/:action — the admin does what a host does (host.ts), without being a
 * participant. The body is the payload of the host event of that name (`host:mute` ← `mute`).
 * Answers `{ ok: true }`, or an AdminError: 400 invalid_payload, 404 not_in_room (no such member
 * or knock), 409 room_full, 429 rate_limited.
 */
export const ADMIN_HOST_ACTIONS = Object.keys(HostRequests).map((e) => e.slice('host:'.length)) as HostAction[];
export type HostAction = HostEventName extends `host:${infer A}` ? A : never;
export const AdminHostOk = z.object({ ok: z.literal(true) });
