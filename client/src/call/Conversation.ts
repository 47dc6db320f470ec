/**
 * The room's chat and raised hands as this page sees them: the messages (history from the join,
 * live ones after), how many arrived unread while the chat panel was closed, the newest one from
 * someone else (for the page's live region), and the hand queue. Sending goes through the
 * server, which validates, rate-limits and numbers every message; a refused one is never shown.
 * No DOM and no React.
 */
import { cleanChatText, type Ack, type ChatMessage, type ChatRequests, type ChatTextProblem, type ClientResponses, type HandQueue } from '@meshtalk/protocol';
import type { z } from 'zod';

/** Messages kept on the page (the server hands out 200 at a join; a long call may see more). */
export const CLIENT_MESSAGES_MAX = 500;

export interface ChatView {
  messages: readonly ChatMessage[];
  /** Messages from others that arrived while the panel was closed. */
  unread: number;
  open: boolean;
  /** The newest message from someone else, to announce. */
  latest: ChatMessage | null;
}

export const EMPTY_CHAT: ChatView = { messages: [], unread: 0, open: false, latest: null };

/** Why a message was not sent: the text rule, the rate limit, or what the server said. */
export type ChatRefusal = { kind: 'text'; problem: ChatTextProblem } | { kind: 'too_fast' } | { kind: 'error'; message: string };

type ChatEvent = keyof typeof ChatRequests;
type Request = <E extends ChatEvent>(event: E, payload: z.input<(typeof ChatRequests)[E]>) => Promise<Ack<ClientResponses[E]>> | undefined;

export interface ConversationDeps {
  /** Sends a request on the current signaling connection (undefined when there is none). */
  request: Request;
  selfId: () => string | null;
  /** Something changed: read `view` and `hands`. */
  onChange: () => void;
  /** A hand change the room refused: too fast (its rate limit), or what the server said. */
  onHandRefused?: (refusal: HandRefusal) => void;
}

export type HandRefusal = { kind: 'too_fast' } | { kind: 'error'; message: string };

export class Conversation {
  readonly #deps: ConversationDeps;
  #messages: ChatMessage[] = [];
  #unread = 0;
  #open = false;
  #latest: ChatMessage | null = null;
  #hands: HandQueue = [];
  #view: ChatView = EMPTY_CHAT;

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
  }

  get view(): ChatView {
    return this.#view;
  }

  get hands(): HandQueue {
    return this.#hands;
  }

  /**
   * A join's history and hand queue. On a re-join, messages this page had not seen (sent while
   * its connection was away) count as unread; the first join's history is the past, not news.
   */
  joined(history: readonly ChatMessage[], hands: HandQueue, rejoined: boolean): void {
    const known = new Set(this.#messages.map((m) => m.id));
    const fresh = rejoined ? history.filter((m) => !known.has(m.id) && m.authorId !== this.#deps.selfId()) : [];
    // The server's history is the truth for what it holds; older messages seen here stay above it.
    const listed = new Set(history.map((m) => m.id));
    const oldest = history[0];
    const before = oldest ? this.#messages.filter((m) => !listed.has(m.id) && m.at <= oldest.at) : this.#messages;
    this.#messages = [...before, ...history].slice(-CLIENT_MESSAGES_MAX);
    if (!this.#open) this.#unread += fresh.length;
    if (fresh.length) this.#latest = fresh.at(-1)!;
    this.#hands = hands;
    this.#changed();
  }

  /** A message from the server (someone's, or our own coming back). */
  receive(message: ChatMessage): void {
    if (!this.#add(message)) return;
    if (message.authorId !== this.#deps.selfId()) {
      if (!this.#open) this.#unread += 1;
      this.#latest = message;
    }
    this.#changed();
  }

  handsChanged(hands: HandQueue): void {
    this.#hands = hands;
    this.#changed();
  }

  setOpen(open: boolean): void {
    if (open === this.#open) return;
    this.#open = open;
    if (open) this.#unread = 0;
    this.#changed();
  }

  /** Sends `text`; null once the room took it, or why it did not. */
  async send(text: string): Promise<ChatRefusal | null> {
    const clean = cleanChatText(text);
    if (!clean.ok) return { kind: 'text', problem: clean.problem };
    const ack = await this.#deps.request('chat:send', { text: clean.text });
    if (!ack) return { kind: 'error', message: 'not connected' };
    if (!ack.ok) return ack.error.code === 'rate_limited' ? { kind: 'too_fast' } : { kind: 'error', message: ack.error.message };
    if (this.#add(ack.data)) this.#changed();
    return null;
  }

  /** Raises this page's hand, or lowers it when it is up. */
  async toggleHand(): Promise<void> {
    const self = this.#deps.selfId();
    if (!self) return;
    const ack = this.#hands.includes(self) ? await this.#deps.request('hand:lower', {}) : await this.#deps.request('hand:raise', {});
    this.#settleHand(ack);
  }

  /** Lowers someone else's raised hand (the host may; the server refuses anyone else). */
  async lowerHandOf(participantId: string): Promise<void> {
    const ack = await this.#deps.request('hand:lower', { participantId });
    this.#settleHand(ack);
  }

  #settleHand(ack: Ack<{ hands: HandQueue }> | undefined): void {
    if (!ack) return;
    if (ack.ok) return this.handsChanged(ack.data.hands);
    this.#deps.onHandRefused?.(ack.error.code === 'rate_limited' ? { kind: 'too_fast' } : { kind: 'error', message: ack.error.message });
  }

  /** Everything forgotten (the call ended here). */
  clear(): void {
    this.#messages = [];
    this.#unread = 0;
    this.#open = false;
    this.#latest = null;
    this.#hands = [];
    this.#changed();
  }

  #add(message: ChatMessage): boolean {
    if (this.#messages.some((m) => m.id === message.id)) return false;
    this.#messages.push(message);
    if (this.#messages.length > CLIENT_MESSAGES_MAX) this.#messages.splice(0, this.#messages.length - CLIENT_MESSAGES_MAX);
    return true;
  }

  #changed(): void {
    this.#view = { messages: [...this.#messages], unread: this.#unread, open: this.#open, latest: this.#latest };
    this.#deps.onChange();
  }
}
