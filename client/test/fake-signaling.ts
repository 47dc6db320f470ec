/**
 * A hand-written Signaling for Call tests: requests are recorded and answered by a function the
 * test sets; the test drives connection changes and server events.
 */
import type { Ack, ClientEventName, ClientResponses, ServerEventName, ServerEvents } from '@meshtalk/protocol';
import type { z } from 'zod';
import type { ConnectionEvent, Signaling } from '../src/signaling/SignalingClient';

type Responder = (event: ClientEventName, payload: unknown) => Ack<unknown>;

export class FakeSignaling implements Signaling {
  connected = false;
  closed = false;
  /** Everything sent, in order; `acked: false` marks what was sent without asking for an answer. */
  readonly requests: { event: ClientEventName; payload: unknown; acked?: false }[] = [];
  respond: Responder = () => ({ ok: true, data: {} });
  readonly #handlers = new Map<string, ((p: unknown) => void)[]>();
  readonly #connection: ((e: ConnectionEvent) => void)[] = [];

  request<E extends ClientEventName>(event: E, payload: unknown): Promise<Ack<ClientResponses[E]>> {
    this.requests.push({ event, payload });
    return Promise.resolve(this.respond(event, payload) as Ack<ClientResponses[E]>);
  }

  /** Recorded like a request; nothing answers. */
  send(event: ClientEventName, payload: unknown): void {
    this.requests.push({ event, payload, acked: false });
  }

  on<E extends ServerEventName>(event: E, handler: (payload: z.infer<(typeof ServerEvents)[E]>) => void): void {
    const list = this.#handlers.get(event) ?? [];
    list.push(handler as (p: unknown) => void);
    this.#handlers.set(event, list);
  }

  onConnection(handler: (event: ConnectionEvent) => void): void {
    this.#connection.push(handler);
  }

  close(): void {
    this.closed = true;
    this.connected = false;
  }

  /** Test control: the socket (re)connects. */
  connect(): void {
    this.connected = true;
    for (const h of this.#connection) h('connect');
  }

  /** Test control: the socket drops. */
  drop(): void {
    this.connected = false;
    for (const h of this.#connection) h('disconnect');
  }

  /** Test control: an event from the server. */
  emit<E extends ServerEventName>(event: E, payload: z.infer<(typeof ServerEvents)[E]>): void {
    for (const h of this.#handlers.get(event) ?? []) h(payload);
  }

  last(event: ClientEventName): unknown {
    return this.requests.filter((r) => r.event === event).at(-1)?.payload;
  }
}

/** A Map-backed Web Storage, for sessionStorage and localStorage in Node. */
export class MemoryStorage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
  key(i: number): string | null {
    return [...this.#items.keys()][i] ?? null;
  }
}
