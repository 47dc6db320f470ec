/**
 * When a pair's link-quality level may change, and so be announced to its two ends: with
 * hysteresis (aggregate.ts `nextQuality`), and at most once per QUALITY_MIN_INTERVAL_MS per
 * pair whatever its clients report. A change held back by the interval is not lost: `due`
 * hands it out once the interval has passed, judged on the latest figure then.
 */
import type { LinkQualityLevel } from '@meshtalk/protocol';
import { nextQuality } from './aggregate';

/** The shortest time between two announced changes of one pair's level. */
export const QUALITY_MIN_INTERVAL_MS = 5_000;

export interface QualityChange {
  a: string;
  b: string;
  level: LinkQualityLevel;
  lossPct: number | null;
}

interface Link {
  a: string;
  b: string;
  /** The level last announced. */
  level: LinkQualityLevel;
  changedAt: number;
  /** The latest figure, for a change the interval held back. */
  lossPct: number | null;
}

export class QualityGate {
  readonly #links = new Map<string, Link>();
  readonly #thresholds: { poorPct: number; badPct: number };
  readonly #minIntervalMs: number;

  constructor(thresholds: { poorPct: number; badPct: number }, minIntervalMs = QUALITY_MIN_INTERVAL_MS) {
    this.#thresholds = thresholds;
    this.#minIntervalMs = minIntervalMs;
  }

  /** The pair {a, b} (key `key`) now shows `lossPct`: the change to announce now, if any. */
  update(key: string, a: string, b: string, lossPct: number | null, now: number): QualityChange | null {
    const link = this.#links.get(key) ?? { a, b, level: 'good', changedAt: -Infinity, lossPct };
    link.lossPct = lossPct;
    this.#links.set(key, link);
    return this.#change(link, now);
  }

  /** Changes the interval held back that may go now. */
  due(now: number): QualityChange[] {
    const out: QualityChange[] = [];
    for (const link of this.#links.values()) {
      const c = this.#change(link, now);
      if (c) out.push(c);
    }
    return out;
  }

  /** Forgets every pair `id` is part of (they left). */
  forget(id: string): void {
    for (const [key, l] of this.#links) if (l.a === id || l.b === id) this.#links.delete(key);
  }

  #change(link: Link, now: number): QualityChange | null {
    const level = nextQuality(link.level, link.lossPct, this.#thresholds);
    if (level === link.level || now - link.changedAt < this.#minIntervalMs) return null;
    link.level = level;
    link.changedAt = now;
    return { a: link.a, b: link.b, level, lossPct: link.lossPct };
  }
}
