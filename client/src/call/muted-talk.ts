/**
 * "You are muted": speaking while muted for about a second tells the person so, at most once
 * per interval (30 s), so a muted person who talks to the room around them is not nagged.
 * Pure: levels and times come in, a yes/no comes out.
 */

/** At most one `tryShow()` yes per `intervalMs`. */
export class NoticeLimiter {
  #last = -Infinity;
  constructor(readonly intervalMs = 30_000) {}

  tryShow(now: number): boolean {
    if (now - this.#last < this.intervalMs) return false;
    this.#last = now;
    return true;
  }
}

export interface MutedTalkOptions {
  /** A level (0–1, the RTP audio-level scale) above this counts as voice. */
  threshold?: number;
  /** How long voice must last, with gaps of at most `gapMs`, before the notice shows. */
  sustainMs?: number;
  gapMs?: number;
  intervalMs?: number;
}

export class MutedTalkDetector {
  readonly #threshold: number;
  readonly #sustainMs: number;
  readonly #gapMs: number;
  readonly #limiter: NoticeLimiter;
  /** When the current run of voice began, and when voice was last heard. */
  #since: number | null = null;
  #lastVoice = -Infinity;

  constructor(opts: MutedTalkOptions = {}) {
    this.#threshold = opts.threshold ?? 0.05;
    this.#sustainMs = opts.sustainMs ?? 1_000;
    this.#gapMs = opts.gapMs ?? 1_100;
    this.#limiter = new NoticeLimiter(opts.intervalMs ?? 30_000);
  }

  /**
   * One reading of our own level while muted (null: none to be had); unmuted readings reset.
   * True when the notice should show now.
   */
  sample(level: number | null, muted: boolean, now: number): boolean {
    if (!muted || level === null) {
      this.#since = null;
      return false;
    }
    if (level <= this.#threshold) {
      if (now - this.#lastVoice > this.#gapMs) this.#since = null;
      return false;
    }
    if (this.#since === null || now - this.#lastVoice > this.#gapMs) this.#since = now;
    this.#lastVoice = now;
    if (now - this.#since < this.#sustainMs) return false;
    this.#since = null;
    return this.#limiter.tryShow(now);
  }
}
