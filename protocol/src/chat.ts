/**
 * Chat and raised hands on the wire: the message text rule (one rule for the server and the
 * chat box), the events both ways, and the limits. Re-exported by `index.ts`, which adds these
 * events to its maps; prose in protocol/README.md.
 */
import { z } from 'zod';
import { ParticipantId } from './ids';

export const CHAT_LIMITS = {
  /** Characters (code points) in one message, after NFC. */
  textMaxChars: 2_000,
  /** Messages of the current session handed to whoever joins or resumes. */
  historyMax: 200,
  /** Per person: a burst of this many messages, then `perSec` a second. */
  burst: 5,
  perSec: 1,
} as const;

/** The message of the `rate_limited` answer to a chat message past the per-person limit. */
export const CHAT_TOO_FAST = 'You are sending messages too fast';

/**
 * C0 and C1 control characters other than the tab and the newline (which a message may hold),
 * and lone surrogates (not text at all: PostgreSQL could not store them as they are).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a message cannot be sent; the chat box says the same in its own words. */
export const ChatTextProblem = {
  empty: 'a message must not be empty',
  too_long: `a message is at most ${CHAT_LIMITS.textMaxChars} characters`,
  control: 'a message must not contain control characters (newlines and tabs are fine)',
} as const;
export type ChatTextProblem = keyof typeof ChatTextProblem;

/**
 * The message as it will be sent and shown, or why it cannot be: NFC-normalised, line breaks
 * made `\n`, no other control characters, 1–2,000 characters with something besides white space.
 */
export function cleanChatText(raw: string): { ok: true; text: string } | { ok: false; problem: ChatTextProblem } {
  // A message far over the limit is refused before any work on it.
  if (raw.length > CHAT_LIMITS.textMaxChars * 4) return { ok: false, problem: 'too_long' };
  const text = raw.replace(/\r\n?/g, '\n').normalize('NFC');
  if (CONTROL.test(text)) return { ok: false, problem: 'control' };
  if (text.trim() === '') return { ok: false, problem: 'empty' };
  if ([...text].length > CHAT_LIMITS.textMaxChars) return { ok: false, problem: 'too_long' };
  return { ok: true, text };
}

export const ChatText = z.string().transform((raw, ctx) => {
  const r = cleanChatText(raw);
  if (r.ok) return r.text;
  ctx.addIssue({ code: 'custom', message: ChatTextProblem[r.problem] });
  return z.NEVER;
});

/** One message as the room shows it; `at` is the server's clock (ms since the epoch). */
export const ChatMessage = z.object({
  id: z.string().uuid(),
  authorId: ParticipantId,
  /** The author's name when the message was sent. */
  authorName: z.string(),
  at: z.number(),
  text: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Raised hands in the order they went up: the first is 1 in the queue. */
export const HandQueue = z.array(ParticipantId);
export type HandQueue = z.infer<typeof HandQueue>;

export const ChatSendRequest = z.object({ text: ChatText }).strict();
export type ChatSendRequest = z.input<typeof ChatSendRequest>;
export const HandRaiseRequest = z.object({}).strict();
/** Lowers `participantId`'s hand, one's own when absent. */
export const HandLowerRequest = z.object({ participantId: ParticipantId.optional() }).strict();
export type HandLowerRequest = z.input<typeof HandLowerRequest>;
export const HandsResponse = z.object({ hands: HandQueue });
export type HandsResponse = z.infer<typeof HandsResponse>;

/** Client → server events of this module (merged into `ClientRequests`). */
export const ChatRequests = {
  'chat:send': ChatSendRequest,
  'hand:raise': HandRaiseRequest,
  'hand:lower': HandLowerRequest,
} as const;

/** Their acks' data (merged into `ClientResponses`). */
export interface ChatResponses {
  'chat:send': ChatMessage;
  'hand:raise': HandsResponse;
  'hand:lower': HandsResponse;
}

/** Server → client events of this module (merged into `ServerEvents`). */
export const ChatServerEvents = {
  'chat:message': ChatMessage,
  'hand:changed': HandsResponse,
} as const;
