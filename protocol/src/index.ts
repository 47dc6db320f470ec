/**
 * The meshtalk wire protocol: every Socket.IO event in both directions, defined once as zod
 * schemas. Both the server and the client import this module; types are inferred, never
 * written twice. `protocol/README.md` describes the same events in prose.
 */
import { z } from 'zod';
import { DisplayName, NAME_MAX_CHARS } from './names';
import { ParticipantId } from './ids';
import { ChatMessage, ChatRequests, ChatServerEvents, HandQueue, type ChatResponses } from './chat';
import { HostRequests, HostServerEvents, HostView, KnockRefused, type HostResponses } from './host';

export * from './names';
export * from './ids';
export * from './chat';
export * from './host';

/** Round-trip time above which a pair counts as slow: listed among the worst, marked in the admin matrix. */
export const SLOW_RTT_MS = 250;

/**
 * The largest room the server can be configured for (ROOM_CAPACITY), and the default. A stats
 * report covers at most MAX_ROOM_CAPACITY − 1 peers; the server holds it to the configured
 * capacity by accepting only links to current members.
 */
export const MAX_ROOM_CAPACITY = 50;
export const DEFAULT_ROOM_CAPACITY = 10;

/** Limits that the schemas enforce and that the server sizes its transport for. */
export const LIMITS = {
  nameMaxChars: NAME_MAX_CHARS,
  sdpMaxBytes: 32 * 1024,
  candidateMaxBytes: 1024,
  /** Largest single Socket.IO packet the server accepts (an SDP plus framing). */
  maxPacketBytes: 40 * 1024,
  statsMaxPeers: MAX_ROOM_CAPACITY - 1,
} as const;

/** The closed set of error codes an ack can carry. */
export const ErrorCode = {
  invalid_payload: 'invalid_payload',
  room_full: 'room_full',
  not_in_room: 'not_in_room',
  already_joined: 'already_joined',
  screen_busy: 'screen_busy',
  not_screen_holder: 'not_screen_holder',
  rate_limited: 'rate_limited',
  forbidden: 'forbidden',
  shutting_down: 'shutting_down',
  waiting_for_host: 'waiting_for_host',
  room_locked: 'room_locked',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AckError<C extends ErrorCode = ErrorCode> {
  code: C;
  message: string;
  /** Extra facts for the caller, e.g. the current holder on `screen_busy`. */
  details?: Record<string, unknown>;
}
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type AckCallback<T> = (response: Ack<T>) => void;

// ---------------------------------------------------------------------------------------------
// Building blocks

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/**
 * A secret the server hands out at join with the id it belongs to; presenting both again resumes
 * that participant (the server can tell a token it issued for an id from any other).
 */
export const ResumeToken = z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'malformed resume token');

export const Participant = z.object({
  id: ParticipantId,
  name: z.string(),
  muted: z.boolean(),
  /** Milliseconds since the epoch. */
  joinedAt: z.number(),
  /** False while the participant's socket is gone and its grace period runs. */
  connected: z.boolean(),
});
export type Participant = z.infer<typeof Participant>;

export const ScreenState = z
  .object({ holderId: ParticipantId, holderName: z.string(), epoch: z.number().int().nonnegative() })
  .nullable();
export type ScreenState = z.infer<typeof ScreenState>;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

export const SessionDescription = z.object({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z
    .string()
    .refine((s) => utf8Length(s) <= LIMITS.sdpMaxBytes, `sdp must be at most ${LIMITS.sdpMaxBytes} bytes`)
    .optional(),
});
export type SessionDescription = z.infer<typeof SessionDescription>;

export const IceCandidate = z.object({
  candidate: z
    .string()
    .refine((s) => utf8Length(s) <= LIMITS.candidateMaxBytes, `candidate must be at most ${LIMITS.candidateMaxBytes} bytes`),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type IceCandidate = z.infer<typeof IceCandidate>;

// ---------------------------------------------------------------------------------------------
// Client → server payloads (each answered by an ack)

export const JoinRequest = z.object({
  name: DisplayName,
  /** Present with `resumeToken` to take back one's own slot after a reconnect or refresh. */
  participantId: ParticipantId.optional(),
  resumeToken: ResumeToken.optional(),
  muted: z.boolean().optional(),
});
export type JoinRequest = z.input<typeof JoinRequest>;

export const JoinResponse = z.object({
  self: Participant,
  resumeToken: z.string(),
  /** Everyone else already in the room. */
  participants: z.array(Participant),
  screen: ScreenState,
  iceServers: z.array(IceServer),
  /** When the TURN credentials in `iceServers` expire (ms since the epoch), if any. */
  iceServersExpireAt: z.number().nullable(),
  /** True when this join took back an existing slot (same participantId). */
  resumed: z.boolean(),
  /** The current session's last messages, oldest first (chat.ts), and the raised hands in order. */
  chat: z.array(ChatMessage),
  hands: HandQueue,
  /** Who the host is and whether the room is locked (host.ts). */
  host: HostView,
});
export type JoinResponse = z.infer<typeof JoinResponse>;

export const LeaveRequest = z.object({}).strict();
export const SignalRequest = z
  .object({
    to: ParticipantId,
    description: SessionDescription.optional(),
    candidate: IceCandidate.nullable().optional(),
  })
  .strict()
  .refine((s) => s.description !== undefined || s.candidate !== undefined, 'a signal carries a description or a candidate');
export type SignalRequest = z.input<typeof SignalRequest>;

export const MediaUpdateRequest = z.object({ muted: z.boolean() }).strict();
export type MediaUpdateRequest = z.input<typeof MediaUpdateRequest>;

/**
 * Whether we are speaking, as our own browser measures our microphone; sent when it changes.
 * The room passes it on as `participant:speaking`, so no page has to read every other
 * person's audio level from its links (a synchronous call into a busy WebRTC thread per link).
 */
export const SpeakingUpdateRequest = z.object({ speaking: z.boolean() }).strict();
/** Per person: a talk spurt is two changes, and the client holds "speaking" through short pauses. */
export const SPEAKING_LIMITS = { burst: 10, perSec: 4 } as const;
export type SpeakingUpdateRequest = z.input<typeof SpeakingUpdateRequest>;

export const ScreenClaimRequest = z.object({}).strict();
export const ScreenClaimResponse = z.object({ epoch: z.number().int() });
export type ScreenClaimResponse = z.infer<typeof ScreenClaimResponse>;

export const ScreenReleaseRequest = z.object({ epoch: z.number().int().nonnegative().optional() }).strict();
export type ScreenReleaseRequest = z.input<typeof ScreenReleaseRequest>;

export const CandidateType = z.enum(['host', 'srflx', 'prflx', 'relay', 'unknown']);
export type CandidateType = z.infer<typeof CandidateType>;

export const PeerConnectionState = z.enum(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed']);
export type PeerConnectionState = z.infer<typeof PeerConnectionState>;

const finite = z.number().finite();

/** One client's view of its link to one remote peer. */
export const PeerStats = z
  .object({
    peerId: ParticipantId,
    state: PeerConnectionState,
    /** How long the latest (re)connection took, ms; null while not yet connected. */
    connectMs: finite.min(0).max(600_000).nullable(),
    /** How many ICE restarts this link has been through, and how many of them recovered. */
    iceRestarts: z.number().int().min(0).max(100_000),
    iceRestartsRecovered: z.number().int().min(0).max(100_000),
    candidateType: CandidateType.nullable(),
    rttMs: finite.min(0).max(60_000).nullable(),
    jitterMs: finite.min(0).max(60_000).nullable(),
    /** Inbound packet loss over the last interval, percent. */
    lossPct: finite.min(0).max(100).nullable(),
    inKbps: finite.min(0).max(1_000_000).nullable(),
    outKbps: finite.min(0).max(1_000_000).nullable(),
  })
  .strict()
  .refine((p) => p.iceRestartsRecovered <= p.iceRestarts, { message: 'must not exceed iceRestarts', path: ['iceRestartsRecovered'] });
export type PeerStats = z.infer<typeof PeerStats>;

export const StatsReport = z
  .object({
    peers: z
      .array(PeerStats)
      .max(LIMITS.statsMaxPeers)
      // Ids are lower-cased first, so one peer written in two cases is still one peer.
      .refine((peers) => new Set(peers.map((p) => p.peerId)).size === peers.length, 'each peer appears once'),
  })
  .strict();
export type StatsReport = z.input<typeof StatsReport>;

export type Empty = Record<string, never>;

// ---------------------------------------------------------------------------------------------
// Server → client payloads

/** Why a participant left the room: by choice, grace period over, removed by the host, the call ended for everyone, or server going away. */
export const LeaveReason = z.enum(['left', 'timeout', 'kicked', 'ended', 'server_shutdown']);
export type LeaveReason = z.infer<typeof LeaveReason>;

export const ParticipantLeft = z.object({ id: ParticipantId, reason: LeaveReason });
export type ParticipantLeft = z.infer<typeof ParticipantLeft>;

/** Someone started or stopped speaking (never true for a muted person). */
export const ParticipantSpeaking = z.object({ id: ParticipantId, speaking: z.boolean() });
export type ParticipantSpeaking = z.infer<typeof ParticipantSpeaking>;

export const SignalReceive = z.object({
  from: ParticipantId,
  description: SessionDescription.optional(),
  candidate: IceCandidate.nullable().optional(),
});
export type SignalReceive = z.infer<typeof SignalReceive>;

export const ScreenChanged = z.object({ screen: ScreenState });
export type ScreenChanged = z.infer<typeof ScreenChanged>;

/** `removed` and `ended` name who did it in `by` (null: an admin). */
export const RoomClosed = z.object({ reason: z.enum(['server_shutdown', 'replaced', 'removed', 'ended']), by: z.string().nullable().optional() });
export type RoomClosed = z.infer<typeof RoomClosed>;

export const IceRefresh = z.object({ iceServers: z.array(IceServer), iceServersExpireAt: z.number().nullable() });
export type IceRefresh = z.infer<typeof IceRefresh>;

/** A pair's link quality from its packet loss: above the poor threshold poor, above the bad one bad. */
export const LinkQualityLevel = z.enum(['good', 'poor', 'bad']);
export type LinkQualityLevel = z.infer<typeof LinkQualityLevel>;

/** A pair whose packet loss crossed a threshold, sent to the two participants of that pair. */
export const LinkQuality = z.object({
  peerId: ParticipantId,
  quality: LinkQualityLevel,
  lossPct: z.number().nullable(),
});
export type LinkQuality = z.infer<typeof LinkQuality>;

/** The answer to a knock (host.ts): admitted, with what a join answers, or refused. */
export const KnockAnswer = z.discriminatedUnion('admitted', [z.object({ admitted: z.literal(true), join: JoinResponse }), KnockRefused]);
export type KnockAnswer = z.infer<typeof KnockAnswer>;

// ---------------------------------------------------------------------------------------------
// The event maps, used as Socket.IO's typed events on both sides.

/** Inbound payloads are `unknown` on the server: they are parsed with the schemas above. */
export const ClientRequests = {
  'room:join': JoinRequest,
  'room:leave': LeaveRequest,
  'signal:send': SignalRequest,
  'media:update': MediaUpdateRequest,
  'speaking:update': SpeakingUpdateRequest,
  'screen:claim': ScreenClaimRequest,
  'screen:release': ScreenReleaseRequest,
  'stats:report': StatsReport,
  ...ChatRequests,
  ...HostRequests,
} as const;
export type ClientEventName = keyof typeof ClientRequests;

export interface ClientResponses extends ChatResponses, HostResponses {
  'room:join': JoinResponse;
  'room:leave': Empty;
  'signal:send': Empty;
  'media:update': Empty;
  'speaking:update': Empty;
  'screen:claim': ScreenClaimResponse;
  'screen:release': Empty;
  'stats:report': Empty;
}

export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: z.input<(typeof ClientRequests)[E]>, ack: AckCallback<ClientResponses[E]>) => void;
};

export const ServerEvents = {
  'participant:joined': Participant,
  'participant:left': ParticipantLeft,
  'participant:updated': Participant,
  'participant:speaking': ParticipantSpeaking,
  'signal:receive': SignalReceive,
  'screen:changed': ScreenChanged,
  'room:closed': RoomClosed,
  'ice:refresh': IceRefresh,
  'link:quality': LinkQuality,
  ...ChatServerEvents,
  ...HostServerEvents,
  'knock:answer': KnockAnswer,
} as const;
export type ServerEventName = keyof typeof ServerEvents;

export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: z.infer<(typeof ServerEvents)[E]>) => void;
};

/** Formats a zod error as one short line naming the offending fields (no internals). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
