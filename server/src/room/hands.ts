/**
 * Raised hands (SPEC.md Q1–Q3): an ordered queue of members, first raised first, and the one
 * rule for who may lower whose hand. Pure: time comes in as an argument.
 */
import { ErrorCode } from '@meshtalk/protocol';
import { done, fail } from './results';
import { TokenBucket } from './token-bucket';
import type { Result, RoomEvent } from './types';

/** Per person: a few hand changes at once, then one every two seconds (each is a stored event). */
export const HAND_LIMITS = { burst: 4, perSec: 0.5 } as const;
export const HANDS_TOO_FAST = 'You are raising and lowering your hand too fast';

/** Who asks to lower a hand. The host (the Room says who) sets `lowersAnyHand`. */
export interface HandActor {
  id: string;
  lowersAnyHand?: boolean;
}

/** Q2: the one place that decides whose hand someone may lower: their own, or anyone's with a role that allows it. */
export function mayLowerHand(actor: HandActor, targetId: string): boolean {
  return actor.id === targetId || actor.lowersAnyHand === true;
}

export class HandQueue {
  #order: string[] = [];
  readonly #budgets = new Map<string, TokenBucket>();

  /** The raised hands, first raised first. */
  list(): string[] {
    return [...this.#order];
  }

  /** Q1: raises a member's hand at the end of the queue; raising it again keeps its place. */
  raise(id: string, sessionId: string, now: number): Result<string[]> {
    if (this.#order.includes(id)) return done(this.list());
    if (!this.#spend(id, now)) return fail(ErrorCode.rate_limited, HANDS_TOO_FAST);
    this.#order.push(id);
    return done(this.list(), [this.#changed(sessionId, id, true, null, now)]);
  }

  /** Q2: lowers `targetId`'s hand if `actor` may; a hand that is not up stays down, silently. */
  lower(actor: HandActor, targetId: string, sessionId: string, now: number): Result<string[]> {
    if (!mayLowerHand(actor, targetId)) return fail(ErrorCode.forbidden, 'you can lower only your own hand');
    if (!this.#order.includes(targetId)) return done(this.list());
    if (actor.id === targetId && !this.#spend(actor.id, now)) return fail(ErrorCode.rate_limited, HANDS_TOO_FAST);
    this.#order = this.#order.filter((x) => x !== targetId);
    return done(this.list(), [this.#changed(sessionId, targetId, false, actor.id === targetId ? null : actor.id, now)]);
  }

  /** Q3: a member left the room; their hand goes down and their budget goes. */
  drop(id: string, sessionId: string, now: number): RoomEvent[] {
    this.#budgets.delete(id);
    if (!this.#order.includes(id)) return [];
    this.#order = this.#order.filter((x) => x !== id);
    return [{ ...this.#changed(sessionId, id, false, null, now), left: true }];
  }

  #spend(id: string, now: number): boolean {
    let budget = this.#budgets.get(id);
    if (!budget) this.#budgets.set(id, (budget = new TokenBucket(HAND_LIMITS.burst, HAND_LIMITS.perSec, now)));
    return budget.take(now);
  }

  #changed(sessionId: string, participantId: string, raised: boolean, by: string | null, at: number): Extract<RoomEvent, { type: 'hands_changed' }> {
    return { type: 'hands_changed', sessionId, hands: this.list(), participantId, raised, by, at };
  }
}
