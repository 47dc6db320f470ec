/**
 * The host's events (SPEC.md A1–A6, K1–K5, E1): handing the host role on, muting and removing
 * others, locking the room and answering knocks, ending the call for everyone. The server checks
 * every one of them (a member who is not the host gets `forbidden`); the admin does the same
 * from the admin API (protocol/src/admin.ts). index.ts merges these into the event maps.
 */
import { z } from 'zod';
import { ParticipantId } from './ids';

export const HOST_LIMITS = {
  /** A knock nobody answers is closed after this long. */
  knockTtlMs: 2 * 60_000,
  /** At most this many people wait at the door at once; the next is refused `room_locked`. */
  maxKnocks: 20,
  /** Host actions one host (or the admin) may take in a burst, and how many more per second after it. */
  actionBurst: 20,
  actionsPerSec: 2,
  /** Knocks one client address may make in a burst, and how many more per minute after it. */
  knockBurst: 10,
  knocksPerMin: 10,
} as const;

export const KnockId = z
  .string()
  .uuid()
  .transform((s) => s.toLowerCase());

/** Who holds the host role (null: nobody, e.g. before anyone joined) and whether the room is locked. */
export const HostView = z.object({ hostId: ParticipantId.nullable(), locked: z.boolean() });
export type HostView = z.infer<typeof HostView>;

/** Why the host role moved: the first to join, a hand-over, the host gone, or as before a restart. */
export const HostChangeReason = z.enum(['first', 'transfer', 'succession', 'restored']);
export type HostChangeReason = z.infer<typeof HostChangeReason>;

/** Someone waiting at the door of a locked room. */
export const Knock = z.object({ id: KnockId, name: z.string(), at: z.number(), expiresAt: z.number() });
export type Knock = z.infer<typeof Knock>;

// ---------------------------------------------------------------------------------------------
// Client → server (each answered by an ack with `{}`)

export const HostTarget = z.object({ participantId: ParticipantId }).strict();
export const HostLockRequest = z.object({ locked: z.boolean() }).strict();
export const KnockAnswerRequest = z.object({ knockId: KnockId }).strict();
export const HostEndRequest = z.object({}).strict();

export const HostRequests = {
  /** Hands the host role to another member. */
  'host:transfer': HostTarget,
  /** Mutes another member (nobody can unmute another: there is no event for it). */
  'host:mute': HostTarget,
  /** Takes a member out of the room; their resume token stops working. */
  'host:remove': HostTarget,
  /** Locks (newcomers knock) or unlocks the room. */
  'host:lock': HostLockRequest,
  'host:admit': KnockAnswerRequest,
  'host:deny': KnockAnswerRequest,
  /** Ends the call for everyone: the room is empty and unlocked after it. */
  'host:end': HostEndRequest,
} as const;
export type HostEventName = keyof typeof HostRequests;
export type HostResponses = { [E in HostEventName]: Record<string, never> };

// ---------------------------------------------------------------------------------------------
// Server → client

/** The host or the lock changed; `hostName` names the new host, `reason` why (to everyone in the room). */
export const HostChanged = HostView.extend({ hostName: z.string().nullable(), reason: HostChangeReason.nullable() });
export type HostChanged = z.infer<typeof HostChanged>;

/** The people waiting at the door, sent to the host whenever the list changes. */
export const KnockList = z.object({ knocks: z.array(Knock).max(HOST_LIMITS.maxKnocks) });
export type KnockList = z.infer<typeof KnockList>;

/** To the muted member: who muted them (null: an admin). */
export const MutedByHost = z.object({ by: z.string().nullable() });
export type MutedByHost = z.infer<typeof MutedByHost>;

/** A knock that did not become a seat: the host said no, nobody answered in time, the room was unlocked (join again), or the call ended. */
export const KnockRefused = z.object({ admitted: z.literal(false), reason: z.enum(['denied', 'expired', 'unlocked', 'ended']) });
export type KnockRefused = z.infer<typeof KnockRefused>;

export const HostServerEvents = {
  'room:host': HostChanged,
  'knock:list': KnockList,
  'host:muted': MutedByHost,
} as const;
