/**
 * The room's chat (SPEC.md C1–C4): the current session's last messages, the order they were
 * sent in, and each person's sending budget. Pure: time and ids come in as arguments. The text
 * arrives already cleaned by the protocol's rule (V1).
 */
import { CHAT_LIMITS, CHAT_TOO_FAST, ErrorCode, type ChatMessage } from '@meshtalk/protocol';
import { done, fail } from './results';
import { TokenBucket } from './token-bucket';
import type { CarriedChat, Result } from './types';

export class ChatLog {
  #messages: ChatMessage[] = [];
  /** The last message's place in the conversation (persisted, so history reads back in order). */
  #seq = 0;
  readonly #budgets = new Map<string, TokenBucket>();
  /** What the previous process left, until the first session opens (C4). */
  #carried: CarriedChat | null;

  constructor(carried: CarriedChat | null = null) {
    this.#carried = carried;
  }

  /** C3: the messages a joiner or a resumer is given, oldest first. */
  history(): ChatMessage[] {
    return [...this.#messages];
  }

  /**
   * C4: a session opens. It carries on the conversation a restart cut off when the person who
   * opens it was in that conversation; otherwise its chat starts empty. Returns the thread it
   * carries on, if any.
   */
  open(openerId: string | undefined): string | null {
    const carried = this.#carried;
    this.#carried = null;
    this.#budgets.clear();
    if (carried && openerId !== undefined && carried.memberIds.includes(openerId)) {
      this.#messages = carried.messages.slice(-CHAT_LIMITS.historyMax);
      this.#seq = carried.lastSeq;
      return carried.threadId;
    }
    this.#messages = [];
    this.#seq = 0;
    return null;
  }

  /** L1: the session ended; its chat goes with it. */
  close(): void {
    this.#messages = [];
    this.#seq = 0;
    this.#budgets.clear();
  }

  /** C1, C2: a message from a member, unless they are over their budget. */
  post(author: { id: string; name: string }, text: string, sessionId: string, now: number, newId: () => string): Result<ChatMessage> {
    let budget = this.#budgets.get(author.id);
    if (!budget) this.#budgets.set(author.id, (budget = new TokenBucket(CHAT_LIMITS.burst, CHAT_LIMITS.perSec, now)));
    if (!budget.take(now)) return fail(ErrorCode.rate_limited, CHAT_TOO_FAST);
    const message: ChatMessage = { id: newId(), authorId: author.id, authorName: author.name, at: now, text };
    this.#seq += 1;
    this.#messages.push(message);
    if (this.#messages.length > CHAT_LIMITS.historyMax) this.#messages.splice(0, this.#messages.length - CHAT_LIMITS.historyMax);
    return done(message, [{ type: 'chat_message', sessionId, message, seq: this.#seq, at: now }]);
  }

  /** A member left the room: their budget goes (the map holds members only). */
  forget(participantId: string): void {
    this.#budgets.delete(participantId);
  }
}
