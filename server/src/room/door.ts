/**
 * The door of a locked room (SPEC.md K2–K5): who knocks, by knock id, oldest first, at most
 * HOST_LIMITS.maxKnocks. Pure; HostRules decides who may answer a knock, this keeps them and
 * turns each closing into its event.
 */
import { HOST_LIMITS, type Knock } from '@meshtalk/protocol';
import type { ActorView, ConnId, JoinCommand, KnockOutcome, RoomEvent } from './types';

export interface KnockRecord {
  knock: Knock;
  /** The join that knocked, taken again when the host admits it. */
  cmd: JoinCommand;
}

export class Door {
  readonly #knocks = new Map<string, KnockRecord>();
  readonly #sessionId: () => string | null;

  constructor(sessionId: () => string | null) {
    this.#sessionId = sessionId;
  }

  get full(): boolean {
    return this.#knocks.size >= HOST_LIMITS.maxKnocks;
  }

  list(): Knock[] {
    return [...this.#knocks.values()].map((k) => k.knock);
  }

  add(knock: Knock, cmd: JoinCommand): void {
    this.#knocks.set(knock.id, { knock, cmd: { ...cmd, mayKnock: undefined } as JoinCommand });
  }

  byConn(connId: ConnId): KnockRecord | undefined {
    for (const k of this.#knocks.values()) if (k.cmd.connId === connId) return k;
    return undefined;
  }

  /** A knock that can still be answered (K5: not at or after its expiry, swept or not). */
  live(knockId: string, now: number): KnockRecord | undefined {
    const k = this.#knocks.get(knockId);
    return k && now < k.knock.expiresAt ? k : undefined;
  }

  /** The knock is answered: it leaves the door. */
  take(knockId: string): void {
    this.#knocks.delete(knockId);
  }

  close(k: KnockRecord, outcome: KnockOutcome, by: ActorView | null, now: number): RoomEvent {
    this.#knocks.delete(k.knock.id);
    return { type: 'knock_closed', sessionId: this.#sessionId(), knock: k.knock, connId: k.cmd.connId, outcome, by, at: now };
  }

  closeAll(outcome: KnockOutcome, by: ActorView | null, now: number): RoomEvent[] {
    return [...this.#knocks.values()].map((k) => this.close(k, outcome, by, now));
  }

  /** K5: the knocks whose time is up, closed. */
  expire(now: number): RoomEvent[] {
    return [...this.#knocks.values()].filter((k) => now >= k.knock.expiresAt).map((k) => this.close(k, 'expired', null, now));
  }
}
